"""The archive's nouns: documents as readers produce them, and the chunks cut from them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def document_id(identity: str) -> str:
    """A stable id from what makes a document itself (its file, its record id).

    Re-ingesting a changed file keeps the id, so links and citations stay valid.
    """
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def file_identity(path: str) -> str:
    """What a document read from a whole file is keyed on: its absolute path."""
    return f"file:{path}"


def part_identity(container: str, part: str) -> str:
    """A document inside another source: a JSON Lines record (`id=...`, `line-N`) or an
    e-mail attachment (`attachment-N`)."""
    return f"{container}#{part}"


@dataclass
class Document:
    """Text plus metadata, as a reader produced it. `text` is what offsets point into."""

    identity: str
    text: str
    format: str
    sha256: str
    title: str = ""
    external_id: str | None = None
    source: str | None = None
    author: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD) when known
    url: str | None = None
    path: str | None = None  # file the document came from (absolute)
    language: str | None = None
    size: int = 0
    tags: list[str] = field(default_factory=list)
    # Character spans of pages, 1-based page i is pages[i-1]; None when the format has no pages.
    pages: list[tuple[int, int]] | None = None
    parent_identity: str | None = None  # e-mail attachments point at their message
    # Where each metadata field came from: "file" (format metadata: HTML meta, e-mail headers,
    # front matter, PDF/DOCX properties, JSON fields), "byline" (read from the text itself:
    # headline, byline, dateline, publication line) or "filename" (a title that is the file name).
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return document_id(self.identity)


@dataclass(frozen=True)
class Chunk:
    """A passage of a document: `document.text[start:end] == text`."""

    ordinal: int
    start: int
    end: int
    text: str
    page: int | None = None
    paragraph: int | None = None
