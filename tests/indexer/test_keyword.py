"""The Whoosh keyword index: commits merge by size tier, and every chunk stays found exactly once."""

from __future__ import annotations

import math
from collections import Counter

from whoosh import query as wq

from indexer.keyword import MERGE_FACTOR, KeywordIndex
from tests.indexer.rows import keyword_row


def _row(chunk_id: int) -> dict:
    return keyword_row(
        chunk_id, f"river dam water level {chunk_id} word{chunk_id % 7}", title=f"report {chunk_id}"
    )


def test_many_small_commits_are_merged_into_few_segments(tmp_path):
    index = KeywordIndex(tmp_path / "keyword", create=True)
    chunk_id = 0
    for seq in range(1, 41):  # a bulk ingest: one small commit per batch
        rows = [_row(chunk_id + i) for i in range(1, 26)]
        chunk_id += 25
        deleted = [chunk_id - 30] if seq % 5 == 0 else []  # a replaced chunk now and then
        index.apply(rows, deleted, seq)
    sizes = [reader.doc_count_all() for reader, _ in index.searcher().reader().leaf_readers()]
    tiers = Counter(int(math.log(size, MERGE_FACTOR)) for size in sizes)
    assert len(sizes) <= 10 and max(tiers.values()) <= MERGE_FACTOR, sizes  # 40 commits, few segments
    assert sorted(index.ids()) == sorted(
        set(range(1, 1001)) - {chunk_id - 30 for chunk_id in range(125, 1001, 125)}
    )
    assert index.count() == len(index.ids())
    hits = index.search(wq.Term("text", "river"), 2000)
    assert len(hits) == index.count() and len({c for c, _ in hits}) == len(hits)
    index.close()
