"""The vectorised BM25F scores equal Whoosh's own, on a real multi-segment index with deletions."""

from __future__ import annotations

import math
import random

import pytest
from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from indexer import bm25
from indexer.keyword import KeywordIndex
from indexer.query import QueryParser
from indexer.variants import VariantGroup
from tests.indexer.rows import keyword_row

WORDS = """water river dam drought harbour desalination minister ministry statement talks wheat
prices rise fall coffee exports Qassam Barudi Baroudi Kelvand bread palms summer pipeline
treaty council""".split()


def _row(chunk_id: int, rng: random.Random) -> dict:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 60)))
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 5)))
    return keyword_row(
        chunk_id,
        text,
        doc_id=f"d{chunk_id // 3}",
        title=title,
        source=rng.choice(["Reuters", "Wire"]),
        tags=["news"] if chunk_id % 2 else [],
        date=f"2025-0{1 + chunk_id % 9}-01",
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    rng = random.Random(7)
    keyword = KeywordIndex(tmp_path_factory.mktemp("kw") / "keyword", create=True)
    rows = [_row(i, rng) for i in range(1, 301)]
    for seq, start in enumerate(range(0, 300, 100), start=1):  # three commits: three segments
        keyword.apply(rows[start : start + 100], [], seq)
    keyword.apply([], [5, 150, 299], 4)  # deletions inside old segments
    keyword.apply([_row(150, rng)], [], 5)  # a changed chunk: deleted, added again
    yield keyword
    keyword.close()


WEIGHTING = BM25F(B=0.5, K1=0.9)


def whoosh_scores(index: KeywordIndex, query: wq.Query, filter_query=None) -> dict[int, float]:
    searcher = Searcher(index.searcher().reader(), weighting=WEIGHTING, closereader=False)
    hits = searcher.search(query, limit=None, optimize=False, terms=False, filter=filter_query)
    return {int(hit["chunk_id"]): hit.score for hit in hits}


def fast_scores(index: KeywordIndex, query: wq.Query) -> dict[int, float]:
    searcher = index.searcher()
    found = bm25.score_query(searcher, WEIGHTING, query, bm25.PostingCache())
    assert found is not None, f"not vectorised: {query!r}"
    pairs = zip(found.docnums, found.scores, strict=True)
    return {int(searcher.stored_fields(int(d))["chunk_id"]): s for d, s in pairs}


QUERIES = [
    "water",
    "water river dam",
    "What did the minister say about wheat prices?",
    "Barudi desalination harbour",
    "notindexed water",
    "notindexed",
    "coffee Kelvand bread palms summer pipeline treaty council talks",
]


@pytest.mark.parametrize("text", QUERIES)
def test_plain_queries_score_as_whoosh_does(index, text):
    query = QueryParser(index.schema, title_boost=0.5).parse(text).keyword
    expected = whoosh_scores(index, query)
    got = fast_scores(index, query)
    assert got.keys() == expected.keys()
    assert all(got[c] == pytest.approx(expected[c], rel=1e-9) for c in expected)
    assert not {5, 299} & got.keys()  # deleted chunks never come back


@pytest.fixture(scope="module")
def one_segment(tmp_path_factory):
    rng = random.Random(11)
    keyword = KeywordIndex(tmp_path_factory.mktemp("kw1") / "keyword", create=True)
    keyword.apply([_row(i, rng) for i in range(1, 201)], [], 1)
    yield keyword
    keyword.close()


def test_nested_boosts_coordination_and_phrases_score_as_whoosh_does(one_segment, index):
    # Coordination counts the query's terms that the index holds. Whoosh counts them per segment,
    # so on several segments its bonus differs from one segment to the next: compare on one.
    query = wq.Or(
        [
            wq.Or([wq.Term("text", "barudi"), wq.Term("text", "baroudi", boost=0.5)]),
            wq.Term("title", "water", boost=0.5),
            wq.Term("text", "drought"),
            wq.Term("text", "nosuchterm"),
        ],
        scale=0.9,
    )
    expected = whoosh_scores(one_segment, query)
    assert fast_scores(one_segment, query) == pytest.approx(expected, rel=1e-9)
    with_phrase = wq.Or([wq.Term("text", "wheat"), wq.Phrase("text", ["coffee", "export"], slop=1)])
    assert fast_scores(index, with_phrase) == pytest.approx(whoosh_scores(index, with_phrase), rel=1e-9)


def test_other_query_shapes_are_left_to_whoosh(index):
    searcher = index.searcher()
    for query in (
        wq.And([wq.Term("text", "water"), wq.Term("text", "river")]),
        wq.Phrase("text", ["water", "river"]),
        wq.Or([wq.Term("text", "water"), wq.Phrase("text", ["dam", "river"])], scale=0.9),
    ):
        assert bm25.score_query(searcher, WEIGHTING, query, bm25.PostingCache()) is None


def test_keyword_index_search_and_scores_for_agree_with_whoosh(index):
    query = QueryParser(index.schema, title_boost=0.5).parse("water treaty council prices").keyword
    expected = whoosh_scores(index, query)
    best = sorted(expected.items(), key=lambda item: (-item[1], item[0]))[:20]
    got = index.search(query, 20, weighting=WEIGHTING)
    assert [c for c, _ in got] == [c for c, _ in best]
    assert [s for _, s in got] == pytest.approx([s for _, s in best], rel=1e-9)
    others = [c for c in expected if c not in dict(got)][:15] + [5, 100000]
    assert index.scores_for(query, others, weighting=WEIGHTING) == pytest.approx(
        {c: expected[c] for c in others if c in expected}, rel=1e-9
    )


def test_filtered_search_keeps_only_allowed_chunks(index):
    query = QueryParser(index.schema, title_boost=0.5).parse("water dam").keyword
    only = wq.Term("source_key", "wire")
    expected = whoosh_scores(index, query, filter_query=only)
    got = dict(index.search(query, 1000, filter_query=only, weighting=WEIGHTING))
    assert got == pytest.approx(expected, rel=1e-9)
    assert got and len(got) < len(whoosh_scores(index, query))


def test_a_names_variant_group_scores_as_whoosh_does(index):
    group = VariantGroup([wq.Term("text", "barudi"), wq.Term("text", "baroudi", boost=0.5)])
    query = wq.Or([group, wq.Term("text", "water")], scale=0.9)
    assert fast_scores(index, query) == pytest.approx(whoosh_scores(index, query), rel=1e-9)


RSJ = bm25.RsjBM25F(B=0.5, K1=0.9)


@pytest.mark.parametrize("text", QUERIES[:4])
def test_lucene_idf_scores_as_whoosh_does_with_that_idf(index, text):
    query = QueryParser(index.schema, title_boost=0.5).parse(text).keyword
    searcher = Searcher(index.searcher().reader(), weighting=RSJ, closereader=False)
    expected = {
        int(hit["chunk_id"]): hit.score
        for hit in searcher.search(query, limit=None, optimize=False, terms=False)
    }
    found = bm25.score_query(index.searcher(), RSJ, query, bm25.PostingCache())
    pairs = zip(found.docnums, found.scores, strict=True)
    got = {int(index.searcher().stored_fields(int(d))["chunk_id"]): s for d, s in pairs}
    assert got == pytest.approx(expected, rel=1e-9) and got.keys() == expected.keys()
    assert got != pytest.approx(fast_scores(index, query), rel=1e-6)  # the idf did change the scores


def test_lucene_idf_by_hand(index):
    searcher = index.searcher()
    count, frequency = searcher.doc_count_all(), searcher.doc_frequency("text", "water")
    assert 0 < frequency < count
    expected = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
    assert RSJ.idf(searcher, "text", "water") == pytest.approx(expected)
    assert bm25.rsj_idf(10, 10) == pytest.approx(math.log(1 + 0.5 / 10.5))  # every chunk: near 0
    with pytest.raises(ValueError, match="bm25_idf must be one of whoosh, rsj, not 'bm42'"):
        bm25.weighting("bm42", 0.5, 0.9)
