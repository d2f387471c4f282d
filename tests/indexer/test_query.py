import pytest
from whoosh import query as wq

from indexer.keyword import build_schema
from indexer.query import QueryParser


@pytest.fixture(scope="module")
def parser():
    return QueryParser(build_schema())


def leaves(query):
    return {(leaf.field(), leaf.text) for leaf in query.leaves() if hasattr(leaf, "text")}


def test_plain_words_are_or_terms_over_title_and_text(parser):
    parsed = parser.parse("Qaani reservoir")
    assert not parsed.strict and not parsed.notices
    assert {("text", "qaani"), ("title", "qaani"), ("text", "reservoir")} <= leaves(parsed.keyword)


def test_question_words_do_not_dominate(parser):
    parsed = parser.parse("What did Khamenei say about the war?")
    texts = {text for _, text in leaves(parsed.keyword)}
    assert texts == {"khamenei", "sai", "war"}
    assert parsed.text == "What did Khamenei say about the war?"


def test_quoted_phrase_and_and_operator_are_strict(parser):
    phrase = parser.parse('"Al-Aqsa Flood"')
    assert phrase.strict and any(isinstance(q, wq.Phrase) for q in phrase.keyword.children())
    both = parser.parse("Hezbollah AND Houthi")
    assert both.strict and isinstance(both.keyword, wq.And)


@pytest.mark.parametrize("raw", ["Hezbollah NOT Houthi", "Hezbollah -Houthi"])
def test_not_excludes_instead_of_matching_everything(parser, raw):
    parsed = parser.parse(raw)
    assert isinstance(parsed.keyword, wq.AndNot)
    assert parsed.text == "Hezbollah"


def test_fields_wildcards_and_fuzzy(parser):
    assert ("author", "smith") in leaves(parser.parse("author:Smith").keyword)
    assert ("tags", "alpha") in leaves(parser.parse("tag:alpha").keyword)
    assert any(isinstance(q, wq.Prefix) for q in parser.parse("Qaan*").keyword.leaves())
    assert any(isinstance(q, wq.FuzzyTerm) for q in parser.parse("Qani~").keyword.leaves())


@pytest.mark.parametrize(
    "raw, date_from, date_to",
    [
        ("date:2025-03 dam", "2025-03-01", "2025-03-31"),
        ("date:2025 dam", "2025-01-01", "2025-12-31"),
        ("dam date:[2025-01-15 TO 2025-02-10]", "2025-01-15", "2025-02-10"),
        ("dam date:>=2025-04-02", "2025-04-02", None),
        ("dam date:<2025-04-02", None, "2025-04-01"),
    ],
)
def test_date_syntax_becomes_a_filter(parser, raw, date_from, date_to):
    parsed = parser.parse(raw)
    assert (parsed.date_from, parsed.date_to) == (date_from, date_to)
    assert leaves(parsed.keyword) == {("title", "dam"), ("text", "dam")}


@pytest.mark.parametrize(
    "raw, notice",
    [
        ('"unclosed phrase', "quote"),
        ("(a reservoir", "parentheses"),
        ("AND OR", "could not be understood"),
        ("NOT", "could not be understood"),
        ("*", "wildcard"),
        ("foo:bar", "Unknown field"),
        ("date:garbage dam", "not a date"),
        ("date:[2025 to", "date clause"),
    ],
)
def test_malformed_syntax_falls_back_with_a_notice(parser, raw, notice):
    parsed = parser.parse(raw)
    assert any(notice in n for n in parsed.notices), parsed.notices


def test_long_queries_are_bounded(parser):
    parsed = parser.parse(" ".join(f"word{i}" for i in range(80)))
    assert len({text for _, text in leaves(parsed.keyword)}) <= 32
    assert any("long" in n for n in parsed.notices)


def test_a_question_mark_ends_a_question_and_is_not_a_wildcard(parser):
    parsed = parser.parse("Did the commander survive the strike?")
    assert not parsed.strict
    assert parsed.text == "Did the commander survive the strike?"
    assert not any(isinstance(q, wq.Wildcard) for q in parsed.keyword.leaves())
    assert parser.parse("Qa?ni").strict
