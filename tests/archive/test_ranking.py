"""Pure ranking logic: term coverage as the third signal of convex fusion."""

from __future__ import annotations

import pytest

from archive.ranking import RankedDocument, Tuning, floor_for, fuse, matches, rank

KEYWORD = {1: 10.0, 2: 9.0, 3: 2.0}
SEMANTIC = {1: 0.50, 2: 0.50, 3: 0.52}
COVERAGE = {1: 0.2, 2: 1.0}  # chunk 3 holds none of the query's words


def test_term_coverage_adds_its_weighted_share_to_the_fused_score():
    plain = fuse(KEYWORD, SEMANTIC, "hybrid", Tuning(term_coverage_weight=0.0), 10.0, COVERAGE)
    covered = fuse(KEYWORD, SEMANTIC, "hybrid", Tuning(term_coverage_weight=0.2), 10.0, COVERAGE)
    assert [item for item, _ in plain] == [1, 2, 3]
    assert [item for item, _ in covered] == [2, 1, 3]
    for item, score in covered:
        assert score == pytest.approx(dict(plain)[item] + 0.2 * COVERAGE.get(item, 0.0))


@pytest.mark.parametrize("mode", ["keyword", "semantic"])
def test_term_coverage_leaves_single_retriever_modes_alone(mode):
    tuning = Tuning(term_coverage_weight=0.5)
    assert fuse(KEYWORD, SEMANTIC, mode, tuning, 10.0, COVERAGE) == fuse(
        KEYWORD, SEMANTIC, mode, tuning, 10.0
    )


def test_term_coverage_leaves_reciprocal_rank_fusion_alone():
    rrf = Tuning(fusion="rrf", term_coverage_weight=0.5)
    assert fuse(KEYWORD, SEMANTIC, "hybrid", rrf, 10.0, COVERAGE) == fuse(
        KEYWORD, SEMANTIC, "hybrid", rrf, 10.0
    )


def test_documents_fused_per_document_take_their_best_chunks_coverage_not_a_sum():
    chunk_doc = {1: "a", 2: "b", 3: "b"}
    tuning = Tuning(fusion_level="document", aggregation="top2", second_weight=0.5, term_coverage_weight=0.2)
    ranked = rank(KEYWORD, SEMANTIC, chunk_doc, "hybrid", tuning, 10.0, {1: 0.2, 2: 0.5, 3: 1.0})
    keyword_b = (9.0 + 0.5 * 2.0) / 10.0  # top2 of the document's keyword scores, over the bound
    semantic_b = 0.52 + 0.5 * 0.50
    b = (1 - tuning.alpha) * keyword_b + tuning.alpha * semantic_b + 0.2 * 1.0
    assert [doc.doc_id for doc in ranked] == ["b", "a"]
    assert ranked[0].score == pytest.approx(b)


def test_the_floor_depends_on_the_mode_and_counts_the_documents_reaching_it():
    tuning = Tuning(hybrid_floor=0.3, semantic_floor=0.4)
    assert floor_for("hybrid", tuning) == 0.3 and floor_for("semantic", tuning) == 0.4
    assert floor_for("keyword", tuning) is None and floor_for("hybrid", tuning, strict=True) is None
    ranked = [
        RankedDocument(name, score, [(n, score)])
        for n, (name, score) in enumerate([("a", 0.5), ("b", 0.3), ("c", 0.29)])
    ]
    assert matches(ranked, 0.3) == 2 and matches(ranked, None) == 3 and matches(ranked, 0.6) == 0
