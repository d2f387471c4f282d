"""Why a passage is shown: character spans to highlight inside its text.

Keyword matches highlight the words whose index terms the query matched (so stems and name
variants light up too). A passage found only by meaning highlights its sentence closest to the
question (`SearchService._explain_semantic`, from the stored sentence vectors).
"""

from __future__ import annotations

from functools import lru_cache

from indexer.analysis import analyze


def term_spans(text: str, terms: set[str]) -> list[list[int]]:
    """Spans of the words in `text` whose analysed form is one of `terms`, merged."""
    if not terms:
        return []
    spans = sorted({(start, end) for term, start, end in _analyzed(text) if term in terms})
    return merge(spans)


@lru_cache(maxsize=1024)
def _analyzed(text: str) -> tuple[tuple[str, int, int], ...]:
    """A passage's terms (cached: the same passages come back for related queries)."""
    return tuple(analyze(text))


def merge(spans) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
