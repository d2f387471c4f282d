"""Long questions (issue 19): the per-query rule, and why it exists, on a real keyword index.

A long question carries framing words (`evidence`, `studies`, `report`) that most passages of a
scientific collection hold. Whoosh's idf never falls below 1, so a passage rich in framing words
outranks the one holding the question's subject; Lucene's idf gives them almost no weight.
"""

from __future__ import annotations

import pytest

from archive.ranking import Tuning
from archive.search import SearchService
from indexer import bm25
from indexer.analysis import analyze
from indexer.keyword import KeywordIndex, build_schema
from indexer.query import QueryParser
from tests.indexer.rows import keyword_row

QUESTION = (
    "What evidence is there that statins help? Which studies discuss patients, outcomes and trials, "
    "and what do they report?"
)
FRAMING = "evidence studies discuss patients outcomes trials report"  # in 30 of the 40 passages


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    keyword = KeywordIndex(tmp_path_factory.mktemp("long") / "keyword", create=True)
    rows = [keyword_row(1, "Statins in general practice.")]
    rows += [keyword_row(i, f"{FRAMING} on topic {i}.") for i in range(2, 32)]
    rows += [keyword_row(i, f"Unrelated passage number {i}.") for i in range(32, 41)]
    keyword.apply(rows, [], 1)
    yield keyword
    keyword.close()


def ranking(index: KeywordIndex, weighting) -> list[int]:
    query = QueryParser(index.schema, title_boost=0.5).parse(QUESTION).keyword
    return [chunk for chunk, _ in index.search(query, 5, None, weighting)]


def test_framing_words_outweigh_the_subject_under_whooshs_idf_not_lucenes(index):
    # Whoosh: statins 4.0, each framing word 1.26 (x 7); Lucene: statins 3.3, framing 0.30 (x 7)
    assert 1 not in ranking(index, bm25.weighting("whoosh", 0.5, 0.9))[:5]
    assert ranking(index, bm25.weighting("rsj", 0.5, 0.9))[0] == 1


def test_a_query_is_long_from_the_threshold_on():
    tuning = Tuning(long_query_words=12, long_query=(("bm25_idf", "rsj"), ("title_boost", 1.0)))
    assert tuning.for_query(11) is tuning
    long = tuning.for_query(12)
    assert (long.bm25_idf, long.title_boost, long.bm25_b) == ("rsj", 1.0, tuning.bm25_b)
    assert Tuning(long_query_words=0).for_query(500).bm25_idf == Tuning().bm25_idf  # 0: never


def test_the_service_counts_a_querys_distinct_words():
    service = SearchService(archive=None, tuning=Tuning(long_query_words=8))
    parser = QueryParser(build_schema(), title_boost=0.5)
    # evidence, statin, help, studi, discuss, patient, outcom, trial, report: 9 distinct words
    assert service.tuning_for(parser.parse(QUESTION)).bm25_idf == "rsj"
    assert (
        service.tuning_for(parser.parse("Do statins lower mortality in older patients?")).bm25_idf == "whoosh"
    )
    assert service.tuning_for(parser.parse("what is it")).bm25_idf == "whoosh"  # stop words only


SHOUTED = "I AM INTERESTED IN INFORMATION AND ADVICE FOR CONSUMERS, NOT IN SAFETY LABELLING."


def test_a_long_query_in_capitals_is_read_as_plain_words():
    parsed = QueryParser(build_schema(), title_boost=0.5).parse(SHOUTED)
    assert not parsed.strict and not parsed.names  # AND / NOT are words here; no word is a name
    assert {"advic", "safeti", "consum"} <= {term.text for term in parsed.keyword.leaves()}
    assert "AND" not in str(parsed.keyword) and "NOT" not in str(parsed.keyword)


def test_a_short_query_in_capitals_keeps_its_operators_and_names():
    parsed = QueryParser(build_schema(), title_boost=0.5).parse("HAMAS AND HEZBOLLAH")
    assert parsed.strict and parsed.names == {"hama", "hezbollah"}


def test_a_long_query_keeps_its_first_64_words():
    consonants = "bcdfghjklmnpqrtvwxz"  # no stemmer suffix ends in two of these
    words = [f"qq{consonants[i // 19]}{consonants[i % 19]}" for i in range(70)]
    parsed = QueryParser(build_schema(), title_boost=0.5).parse(" ".join(words))
    kept = {term.text for term in parsed.keyword.leaves()}
    first = {term for word in words[:64] for term, _, _ in analyze(word, mode="query")}
    assert len(first) == 64 and kept == first and "only its first 64 words" in parsed.notices[0]
