"""Hand-written queries over the sample collection, with the real model and real indexes."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from archive.catalog import Filters
from archive.chunking import sentence_spans
from archive.errors import UsageError
from archive.ranking import Tuning
from archive.search import Hits, SearchRequest, SearchService
from archive.store import SENTENCE_MAX_TOKENS
from bench import corpus_queries
from indexer.analysis import analyze
from indexer.sentences import BestSentence
from tests.web.test_api import CITATION_KEYS, DOCUMENT_KEYS, PASSAGE_KEYS

QUERIES = corpus_queries.QUERIES
expected_id = corpus_queries.expected_id
TOP = 10  # every hand-written query finds its document on the first page, in every mode that applies
MODE_GROUPS = {
    "keyword": ("keyword", "phrase"),
    "semantic": ("semantic",),
    "hybrid": ("keyword", "phrase", "semantic", "hybrid"),
}


@pytest.fixture(scope="module")
def service(corpus_archive):
    return SearchService(corpus_archive)


def top_ids(service, query, mode, k=5):
    response = service.search(SearchRequest(query=query, mode=mode, k=k))
    return [r["document"]["id"] for r in response["results"]]


@pytest.mark.parametrize("mode", MODE_GROUPS)
def test_hand_written_queries_find_their_document(service, mode):
    cases = corpus_queries.cases(*MODE_GROUPS[mode])
    ranks = {}
    for _, query, expected in cases:
        found = top_ids(service, query, mode, k=TOP)
        ranks[query] = found.index(expected) + 1 if expected in found else None
    missed = [query for query, rank in ranks.items() if rank is None]
    first = sum(rank == 1 for rank in ranks.values())
    assert not missed, f"{mode}: not in the top {TOP}: {missed}"
    assert first >= max(10, int(0.75 * len(cases))), f"{mode}: only {first} of {len(cases)} first: {ranks}"


def test_semantic_only_question_is_not_answered_by_keywords(service):
    question = QUERIES["readme"]["semantic"]
    expected = expected_id(next(q["expected"] for q in QUERIES["semantic"] if q["query"] == question))
    assert expected not in top_ids(service, question, "keyword", k=1)
    assert top_ids(service, question, "semantic")[0] == expected


def test_result_shape_matches_the_contract(service, corpus_archive):
    response = service.search(SearchRequest(query="Qahtan Barudi drone strike", mode="hybrid", k=3))
    assert set(response) >= {"query", "mode", "took_ms", "total", "results"}
    assert response["mode"] == "hybrid" and response["total"] >= len(response["results"]) > 0
    for result in response["results"]:
        document = result["document"]
        assert set(document) == DOCUMENT_KEYS
        assert isinstance(result["score"], float) and isinstance(document["tags"], list)
        stored = corpus_archive.catalog.document(document["id"])
        for passage in result["passages"]:
            assert set(passage) == PASSAGE_KEYS
            assert stored["text"][passage["start"] : passage["end"]] == passage["text"]
            assert passage["highlights"], "every passage shown says why it is there"
            for start, end in passage["highlights"]:
                assert 0 <= start < end <= len(passage["text"])
            assert set(passage["scores"]) == {"keyword", "semantic", "hybrid"}
            assert passage["scores"]["hybrid"] is not None
            citation = passage["citation"]
            assert set(citation) == CITATION_KEYS
            assert citation["quote"] in " ".join(passage["text"].split())
            quote_start, quote_end = (passage["start"] + i for i in passage["quote_span"])
            assert f"/documents/{document['id']}?at={quote_start}-{quote_end}&q=" in citation["link"]
            assert citation["quote"] in citation["text"] and document["title"] in citation["text"]


def test_keyword_highlights_cover_stems_and_name_variants(service):
    response = service.search(SearchRequest(query="Qahtan Barudi", mode="keyword", k=1))
    passage = response["results"][0]["passages"][0]
    marked = [passage["text"][a:b] for a, b in passage["highlights"]]
    assert any(re.sub(r"\W", "", m).lower().startswith(("qa", "qahtan")) for m in marked), marked


def test_passages_found_by_meaning_highlight_their_sentence_closest_to_the_question(service, corpus_archive):
    question = QUERIES["readme"]["semantic"]
    response = service.search(SearchRequest(query=question, mode="semantic", k=3))
    embedder, query_vector = corpus_archive.embedder, corpus_archive.embedder.embed([question])[0]
    passages = [p for result in response["results"] for p in result["passages"]]
    assert len(passages) >= 5
    exactly = 0
    for passage in passages:
        # the same comparison made from scratch: every sentence of the passage embedded now
        spans = sentence_spans(passage["text"])
        vectors = embedder.embed([passage["text"][a:b] for a, b in spans], max_tokens=SENTENCE_MAX_TOKENS)
        start, end = spans[int(np.argmax(vectors @ query_vector))]
        assert len(passage["text"][start:end].split()) >= 5
        # highlighted whole, merged with any word of the question the passage happens to contain
        assert any(a <= start and end <= b for a, b in passage["highlights"]), passage["highlights"]
        exactly += passage["highlights"] == [[start, end]]
    assert exactly >= 2  # most passages share no word with the question: the sentence alone


def test_semantic_score_mixes_the_chunk_and_its_best_sentence():
    hits = Hits({}, {1: 0.4, 2: 0.6}, None, sentences={1: BestSentence(0.8, 0, 5)})
    mixed = hits.semantic_scores(Tuning(sentence_weight=0.25))
    assert mixed[1] == pytest.approx(0.75 * 0.4 + 0.25 * 0.8)
    assert mixed[2] == 0.6  # no stored sentences (an archive not yet repaired): its own cosine
    assert hits.semantic_scores(Tuning(sentence_weight=0.0)) == hits.semantic


def test_hybrid_hits_carry_each_keyword_passages_idf_share_of_the_question(service, corpus_archive):
    query = "Which ministry announced a rise in wheat prices after the drought?"
    request = SearchRequest(query=query, mode="hybrid")
    hits = service.retrieve(request, service.parser.parse(query), request.filters)
    searcher = corpus_archive.keyword.searcher()
    words = {term for term, _, _ in analyze(query, mode="query")}
    idf = {}
    for word in words:
        count, df = searcher.doc_count_all(), searcher.doc_frequency("text", word)
        idf[word] = math.log(1 + (count - df + 0.5) / (df + 0.5))
    rows = corpus_archive.catalog.passages(list(hits.keyword))
    held = {chunk: {term for term, _, _ in analyze(row["chunk_text"])} & words for chunk, row in rows.items()}
    expected = {chunk: sum(idf[w] for w in h) / sum(idf.values()) for chunk, h in held.items() if h}
    assert len(expected) > 10 and len(set(expected.values())) > 5
    assert hits.term_coverage == pytest.approx(expected)


def test_pdf_passages_cite_their_page(service):
    response = service.search(SearchRequest(query='"a promise, not a safeguard"', mode="keyword", k=1))
    passage = response["results"][0]["passages"][0]
    assert response["results"][0]["document"]["format"] == "pdf"
    assert passage["page"] >= 1 and passage["paragraph"] >= 1
    assert passage["citation"]["location"] == f"p. {passage['page']}, para. {passage['paragraph']}"


def test_filters_restrict_results(service):
    for filters, check in [
        (Filters(format="pdf"), lambda d: d["format"] == "pdf"),
        (Filters(date_from="2026-01-01"), lambda d: d["date"] and d["date"] >= "2026-01-01"),
        (Filters(date_to="2025-06-30"), lambda d: d["date"] and d["date"] <= "2025-06-30"),
    ]:
        for mode in ("keyword", "semantic", "hybrid"):
            response = service.search(
                SearchRequest(query="Karsul dam water", mode=mode, k=20, filters=filters)
            )
            assert response["results"] and all(check(r["document"]) for r in response["results"])


def test_date_syntax_in_the_query_filters_both_retrievers(service):
    for mode in ("keyword", "semantic", "hybrid"):
        response = service.search(SearchRequest(query="dam date:2026-03", mode=mode, k=20))
        assert response["results"]
        assert all(r["document"]["date"].startswith("2026-03") for r in response["results"])


@pytest.mark.parametrize(
    "query, noticed",
    [
        ('"unclosed', "Unbalanced quote"),
        ("AND OR", "could not be understood"),
        ("*", "Ignored the wildcard"),
        ("((", "Unbalanced parentheses"),
        ("date:[2025 to", "malformed date clause"),
        ("title:", None),  # an empty field falls back to the word itself
        ("Qahtan~~~", None),  # extra tildes: the fuzzy name still searched
    ],
)
def test_malformed_queries_fall_back_with_a_notice_and_never_fail(service, query, noticed):
    for mode in ("keyword", "hybrid"):
        response = service.search(SearchRequest(query=query, mode=mode))
        messages = " ".join(n["message"] for n in response["notices"] if n["code"] == "query")
        if noticed:
            assert noticed in messages, (mode, response["notices"])
        else:
            assert response["total"] >= 1, (mode, response["notices"])


@pytest.mark.parametrize(
    "request_args, code",
    [
        ({"query": "  "}, "empty_query"),
        ({"query": "x" * 1001}, "query_too_long"),
        ({"query": "dam", "mode": "fuzzy"}, "bad_mode"),
        ({"query": "dam", "k": 0}, "bad_k"),
        ({"query": "dam", "k": 101}, "bad_k"),
    ],
)
def test_bad_requests_name_the_parameter(service, request_args, code):
    with pytest.raises(UsageError) as error:
        service.search(SearchRequest(**request_args))
    assert error.value.code == code


def test_pagination_is_stable_and_disjoint(service):
    first = top_ids(service, "Karsul", "hybrid", k=5)
    second = [
        r["document"]["id"]
        for r in service.search(SearchRequest(query="Karsul", mode="hybrid", k=5, offset=5))["results"]
    ]
    assert not set(first) & set(second)
    assert top_ids(service, "Karsul", "hybrid", k=10) == first + second
