"""One contract for the vector index, run for the exact (flat) and the approximate (HNSW) kind."""

import numpy as np
import pytest

from indexer.vector import VectorIndex

DIM = 16


def vectors(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(params=["flat", "hnsw"])
def index(request, tmp_path):
    threshold = 10**9 if request.param == "flat" else 5  # HNSW once it holds more than 5 vectors
    made = VectorIndex(tmp_path / "v", DIM, create=True, ann_threshold=threshold)
    made.apply(np.arange(1, 201), vectors(200), [], 1)
    assert made.kind == request.param
    return made


def test_nearest_vector_is_itself(index):
    data = vectors(200)
    for i in (0, 57, 199):
        assert index.search(data[i], 5)[0][0] == i + 1


def test_delete_and_replay_are_idempotent(index):
    data = vectors(200)
    index.apply(np.array([], dtype=np.int64), np.zeros((0, DIM)), [3, 4], 2)
    index.apply(np.array([5]), data[4:5], [3, 4], 3)  # a replay after a crash: same outcome
    found = {i for i, _ in index.search(data[2], 200)}
    assert 3 not in found and 4 not in found and 5 in found
    assert sorted(index.ids().tolist()) == [i for i in range(1, 201) if i not in (3, 4)]
    assert index.count() == 198


def test_filtered_search_only_returns_allowed_ids(index):
    data = vectors(200)
    allowed = np.array([10, 20, 30], dtype=np.int64)
    assert {i for i, _ in index.search(data[0], 10, allowed)} == {10, 20, 30}
    assert index.search(data[0], 10, np.array([], dtype=np.int64)) == []


def test_saved_state_reloads_in_another_reader(index, tmp_path):
    index.apply(np.array([], dtype=np.int64), np.zeros((0, DIM)), [7], 4)
    reader = VectorIndex(tmp_path / "v", DIM)
    assert reader.kind == index.kind and reader.count() == 199
    assert 7 not in {i for i, _ in reader.search(vectors(200)[6], 50)}
    index.apply(np.array([500]), vectors(1, seed=9), [], 5)
    reader.reload_if_changed()
    assert reader.count() == 200 and reader.state.applied_seq == 5


def test_many_deletes_rebuild_the_graph_without_tombstones(index):
    index.apply(np.array([], dtype=np.int64), np.zeros((0, DIM)), list(range(1, 101)), 6)
    assert index.count() == 100 and sorted(index.ids().tolist()) == list(range(101, 201))
    assert index._tombstones == set()  # rebuilt once a fifth of the graph was deleted
    assert index.search(vectors(200)[150], 1)[0][0] == 151
