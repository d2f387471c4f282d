import pytest

from indexer.fusion import convex, normalise, rrf


def test_rrf_rewards_items_ranked_well_by_both():
    fused = rrf([[(1, 9.0), (2, 5.0), (3, 1.0)], [(3, 0.9), (1, 0.8), (4, 0.1)]], k=60)
    assert [item for item, _ in fused][:2] == [1, 3]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)


def test_ties_are_broken_by_id_so_results_are_stable():
    fused = rrf([[(7, 1.0)], [(3, 1.0)]], k=60)
    assert [item for item, _ in fused] == [3, 7]
    fused = convex([(9, 2.0), (4, 2.0)], [], alpha=0.5)
    assert [item for item, _ in fused] == [4, 9]


def test_minmax_and_zscore_normalisation():
    assert normalise([(1, 10.0), (2, 5.0), (3, 0.0)]) == {1: 1.0, 2: 0.5, 3: 0.0}
    z = normalise([(1, 3.0), (2, 1.0)], "zscore")
    assert z[1] == pytest.approx(1.0) and z[2] == pytest.approx(-1.0)
    assert normalise([(1, 4.0)]) == {1: 1.0}
    with pytest.raises(ValueError):
        normalise([(1, 1.0)], "nope")


def test_convex_weights_the_semantic_side_by_alpha():
    keyword = [(1, 10.0), (2, 0.0)]
    semantic = [(2, 0.9), (1, 0.1)]
    assert convex(keyword, semantic, alpha=0.2)[0][0] == 1
    assert convex(keyword, semantic, alpha=0.8)[0][0] == 2
    only_keyword = convex([(5, 3.0), (6, 1.0)], [], alpha=0.5)
    assert [item for item, _ in only_keyword] == [5, 6]
