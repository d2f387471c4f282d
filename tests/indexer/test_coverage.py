"""Term coverage on a real Whoosh index: which words of a query a chunk holds, weighted by idf."""

from __future__ import annotations

import math

import pytest
from whoosh import query as wq

from indexer.keyword import KeywordIndex
from indexer.variants import VariantGroup
from tests.indexer.rows import keyword_row

TEXTS = {  # chunk id -> text (stemming leaves these words as they are)
    1: "water river dam",
    2: "water river",
    3: "water",
    4: "water dam drought",
    5: "water harbour",
    6: "river barudi",
    7: "baroudi water",
    8: "dam",
}


@pytest.fixture
def index(tmp_path):
    keyword = KeywordIndex(tmp_path / "keyword", create=True)
    keyword.apply([keyword_row(i, t, title="harbour" if i == 8 else "") for i, t in TEXTS.items()], [], 1)
    yield keyword
    keyword.close()


def idf(index: KeywordIndex, word: str) -> float:
    """Robertson-Sparck Jones idf, by hand, over every chunk the segments hold."""
    searcher = index.searcher()
    count, df = searcher.doc_count_all(), searcher.doc_frequency("text", word)
    return math.log(1 + (count - df + 0.5) / (df + 0.5))


def test_coverage_is_the_idf_share_of_the_query_words_a_chunk_holds(index):
    # "water" twice counts once; a title-only "harbour" (chunk 8) does not count; "notindexed" is
    # held by no chunk but is a word of the query
    query = wq.Or(
        [wq.Term("text", w) for w in ("water", "dam", "water", "notindexed")] + [wq.Term("title", "harbour")]
    )
    got = index.term_coverage(query, list(TEXTS))
    total = idf(index, "water") + idf(index, "dam") + idf(index, "notindexed")
    expected = {
        chunk: sum(idf(index, w) for w in ("water", "dam") if w in text.split()) / total
        for chunk, text in TEXTS.items()
    }
    assert got == pytest.approx({c: share for c, share in expected.items() if share > 0}, rel=1e-9)
    assert idf(index, "dam") > idf(index, "water")  # the rarer word weighs more
    assert got[8] > got[3]


def test_phrase_and_and_words_count_but_not_the_negated_ones_nor_wildcards(index):
    query = wq.Or(
        [
            wq.Phrase("text", ["water", "river"]),
            wq.AndNot(wq.Term("text", "dam"), wq.Term("text", "drought")),
            wq.Prefix("text", "harb"),
        ]
    )
    got = index.term_coverage(query, list(TEXTS))
    total = idf(index, "water") + idf(index, "river") + idf(index, "dam")
    assert got[1] == pytest.approx(1.0)
    assert got[2] == pytest.approx((idf(index, "water") + idf(index, "river")) / total)
    assert got[4] == pytest.approx((idf(index, "water") + idf(index, "dam")) / total)  # "drought" no
    assert got[5] == pytest.approx(idf(index, "water") / total)  # "harbour" via the wildcard: no


def test_a_name_and_its_spelling_variants_are_one_word(index):
    asked = VariantGroup([wq.Term("text", "barudi"), wq.Term("text", "baroudi", boost=0.5)])
    got = index.term_coverage(wq.Or([asked, wq.Term("text", "river")]), list(TEXTS))
    total = idf(index, "barudi") + idf(index, "river")
    assert got[6] == pytest.approx(1.0)
    assert got[7] == pytest.approx(idf(index, "barudi") / total)  # the other spelling holds the name
    # a spelling no chunk holds weighs what the variant found weighs, instead of squashing the rest
    typo = VariantGroup([wq.Term("text", "barudii"), wq.Term("text", "baroudi", boost=0.5)])
    assert index.term_coverage(typo, [7]) == {7: pytest.approx(1.0)}


def test_coverage_stays_within_0_and_1_after_deletions(index):
    # every "water" chunk deleted and added again: Whoosh counts the deleted copies in the document
    # frequency until a merge, which must not turn the idf negative
    index.apply([keyword_row(i, t) for i, t in TEXTS.items() if "water" in t.split()], [], 2)
    query = wq.Or([wq.Term("text", "water"), wq.Term("text", "river")])
    got = index.term_coverage(query, list(TEXTS))
    assert set(got) == {c for c, t in TEXTS.items() if {"water", "river"} & set(t.split())}
    assert all(0 < share <= 1 for share in got.values())
    assert got[1] == pytest.approx(1.0) and got[3] < got[6] < 1  # "river" is the rarer word


def test_remembered_docnums_follow_a_commit_that_moves_them(index):
    query = wq.Or([wq.Term("text", "water"), wq.Term("text", "dam")])
    index.search(query, 10)  # remembers the docnums of what it found
    index.apply(
        [keyword_row(1, "harbour"), keyword_row(9, "dam water")], [3], 2
    )  # 1 changes, 3 goes, 9 arrives
    got = index.term_coverage(query, [1, 2, 3, 4, 9])
    fresh = KeywordIndex(index.folder)
    try:
        assert got == pytest.approx(fresh.term_coverage(query, [1, 2, 3, 4, 9]))
    finally:
        fresh.close()
    assert 1 not in got and 3 not in got and got[9] == pytest.approx(1.0)
