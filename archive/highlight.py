"""Why a passage is shown: character spans to highlight inside its text.

Keyword matches highlight the words whose index terms the query matched (so stems and name
variants light up too). A passage found only by meaning highlights its sentence(s) closest to
the question.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from archive.chunking import sentence_spans
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


def closest_sentences(text: str, query_vector: np.ndarray, embed, max_sentences: int = 1) -> list[list[int]]:
    """The sentence(s) of `text` most similar to the query (embedding each sentence)."""
    sentences = sentence_spans(text)
    if len(sentences) <= 1:
        return [[sentences[0][0], sentences[0][1]]] if sentences else []
    vectors = embed([text[start:end] for start, end in sentences])
    similarity = vectors @ query_vector.reshape(-1)
    best = sorted(np.argsort(-similarity)[:max_sentences].tolist())
    return [[sentences[i][0], sentences[i][1]] for i in best]
