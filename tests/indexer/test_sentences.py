"""Sentence vectors: storage round trip and the best sentence per passage (pure logic)."""

from __future__ import annotations

import numpy as np

from indexer.sentences import SentenceVectors, best_sentences


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_blobs_round_trip_in_float16():
    block = SentenceVectors.of(
        [(0, 10), (11, 30)], np.stack([unit(1, 0, 0), unit(0.6, 0.8, 0)]), unit(0, 0, 1)
    )
    again = SentenceVectors.from_blobs(*block.to_blobs(), dimension=3)
    assert again.spans.tolist() == [[0, 10], [11, 30]]
    assert again.vectors.dtype == np.float16
    assert np.allclose(again.vectors, block.vectors.astype(np.float32), atol=1e-3)
    assert np.allclose(again.title, unit(0, 0, 1), atol=1e-3)
    untitled = SentenceVectors.of([(0, 4)], unit(1, 0, 0)[None, :])
    assert (
        untitled.to_blobs()[2] is None and SentenceVectors.from_blobs(*untitled.to_blobs(), 3).title is None
    )


def test_the_title_counts_for_the_score_but_a_sentence_of_the_passage_is_highlighted():
    block = SentenceVectors.of([(0, 5), (6, 20)], np.stack([unit(1, 0, 0), unit(1, 1, 0)]), unit(0, 1, 0))
    found = best_sentences(unit(0, 1, 0), {4: block})[4]
    assert abs(found.score - 1.0) < 1e-3  # the title matches the query exactly
    assert (found.start, found.end) == (6, 20)  # the passage's sentence closest to the query


def test_best_sentence_of_each_passage_with_its_span():
    query = unit(0, 1, 0)
    passages = {
        7: SentenceVectors.of(
            [(0, 5), (6, 20), (21, 40)], np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0)])
        ),
        3: SentenceVectors.of([(0, 12)], unit(1, 1, 1)[None, :]),
        9: SentenceVectors.of([], np.zeros((0, 3))),  # no sentence: nothing to say
    }
    found = best_sentences(query, passages)
    assert set(found) == {7, 3}
    assert (found[7].start, found[7].end) == (6, 20) and abs(found[7].score - 1.0) < 1e-3
    assert (found[3].start, found[3].end) == (0, 12) and abs(found[3].score - 1 / np.sqrt(3)) < 1e-3
    assert best_sentences(query, {}) == {}


def test_ties_go_to_the_earlier_sentence():
    same = unit(1, 1, 0)
    found = best_sentences(unit(1, 1, 0), {1: SentenceVectors.of([(0, 4), (5, 9)], np.stack([same, same]))})
    assert (found[1].start, found[1].end) == (0, 4)
