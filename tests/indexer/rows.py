"""Chunk rows as the catalog hands them to the keyword index, for tests of the index alone."""

from __future__ import annotations


def keyword_row(chunk_id: int, text: str, **fields) -> dict:
    """A chunk of its own document with neutral metadata; `fields` replace any of it."""
    return {
        "id": chunk_id,
        "doc_id": f"d{chunk_id}",
        "title": "",
        "text": text,
        "author": "",
        "source": "Wire",
        "tags": [],
        "format": "text",
        "date": None,
        **fields,
    }
