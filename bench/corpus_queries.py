"""The sample collection's hand-written queries (tests/fixtures/corpus_queries.json).

They serve as a second, differently shaped collection: news, statements and paraphrased questions
instead of scientific claims. The quality sweep uses them only to break near-ties on SciFact train.
"""

from __future__ import annotations

import json
from pathlib import Path

from archive.domain import document_id, file_identity, part_identity

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
QUERIES = json.loads((ROOT / "tests/fixtures/corpus_queries.json").read_text())
GROUPS = ("keyword", "phrase", "semantic", "hybrid")


def expected_id(expected: str, corpus: Path = CORPUS) -> str:
    """The document id of a fixture's `expected` (`path`, `path#record-id`, `path#attachment-N`)."""
    path, _, fragment = expected.partition("#")
    identity = file_identity(str((corpus / path).resolve()))
    if fragment:
        identity = part_identity(
            identity, fragment if fragment.startswith("attachment-") else f"id={fragment}"
        )
    return document_id(identity)


def cases(*groups: str) -> list[tuple[str, str, str]]:
    """(group, query, expected document id) for the chosen groups (all by default)."""
    return [
        (group, item["query"], expected_id(item["expected"]))
        for group in (groups or GROUPS)
        for item in QUERIES[group]
    ]
