"""Sentence vectors of a passage: where its sentences are, and each one's embedding.

A passage of 200 words often answers a question in one sentence; the passage's single vector
blurs that sentence with its neighbours. The archive stores one vector per sentence beside each
passage's vector, so a search can score a passage by its best sentence too, and show that
sentence as the reason a passage found by meaning is there. The document's title, embedded on its
own, counts as one more sentence of each of its passages (a headline says what the whole piece is
about) but is never highlighted. Stored as float16: half the bytes of float32, cosines equal to
about 1e-3, far below what moves a ranking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SentenceVectors:
    spans: np.ndarray  # (n, 2) int32: start and end of each sentence in the passage's text
    vectors: np.ndarray  # (n, dimension) float16 unit vectors
    title: np.ndarray | None = None  # (dimension,) float16: the document's title, when it has one

    @classmethod
    def of(
        cls, spans: list[tuple[int, int]], vectors: np.ndarray, title: np.ndarray | None = None
    ) -> SentenceVectors:
        matrix = np.asarray(vectors, dtype=np.float16)
        return cls(
            np.asarray(spans, dtype=np.int32).reshape(-1, 2),
            matrix.reshape(len(spans), matrix.shape[-1]),
            None if title is None else np.asarray(title, dtype=np.float16).reshape(-1),
        )

    def to_blobs(self) -> tuple[bytes, bytes, bytes | None]:
        title = None if self.title is None else self.title.astype("<f2").tobytes()
        return self.spans.astype("<i4").tobytes(), self.vectors.astype("<f2").tobytes(), title

    @classmethod
    def from_blobs(cls, spans: bytes, vectors: bytes, title: bytes | None, dimension: int) -> SentenceVectors:
        positions = np.frombuffer(spans, dtype="<i4").reshape(-1, 2)
        return cls(
            positions,
            np.frombuffer(vectors, dtype="<f2").reshape(len(positions), dimension),
            None if title is None else np.frombuffer(title, dtype="<f2"),
        )


@dataclass(frozen=True)
class BestSentence:
    score: float  # cosine of the sentence (or title) most similar to the query
    start: int  # the passage's own sentence most similar to the query: what to highlight
    end: int


def best_sentences(query_vector: np.ndarray, passages: dict[int, SentenceVectors]) -> dict[int, BestSentence]:
    """Per passage, its sentence closest to the query (one matrix product for all passages)."""
    items = [(key, block) for key, block in passages.items() if len(block.spans)]
    if not items:
        return {}
    query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
    similarity = np.concatenate([block.vectors for _, block in items]).astype(np.float32) @ query
    found = {}
    offset = 0
    for key, block in items:
        part = similarity[offset : offset + len(block.spans)]
        best = int(np.argmax(part))  # first of equals: the earlier sentence
        score = float(part[best])
        if block.title is not None:
            score = max(score, float(block.title.astype(np.float32) @ query))
        found[key] = BestSentence(score, int(block.spans[best, 0]), int(block.spans[best, 1]))
        offset += len(block.spans)
    return found
