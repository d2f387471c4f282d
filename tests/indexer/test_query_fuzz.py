"""Property-based fuzz of the query language: whatever a user types, the parser gives a query (or
none) and the search service answers it, in every mode, or says plainly that it cannot (UsageError)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from archive.config import Settings
from archive.errors import UsageError
from archive.search import MODES, SearchRequest, SearchService
from archive.store import Archive
from indexer.keyword import build_schema
from indexer.query import QueryParser
from tests.conftest import ingest

SYNTAX = '"()[]{}:*?~^+-'
WORDS = ["AND", "OR", "NOT", "TO", "and", "not", "Qaani", "Qāʾānī", "قاآنی", "Велмора", "reservoir", "the"]
FIELDS = ["title:", "text:", "author:", "tags:", "format:", "by:", "body:", "nosuchfield:", "date:", "_:"]
DATE_VALUES = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.from_regex(r"\A\d{1,5}(-\d{1,3}){0,2}\Z"),
    st.sampled_from(["*", "", "TO", "yesterday", "2025-02-30", "0000", "99999-1-1"]),
    st.text(max_size=8),
)
DATE_CLAUSES = st.one_of(
    st.builds("date:[{} TO {}]".format, DATE_VALUES, DATE_VALUES),
    st.builds("date:{}{}".format, st.sampled_from([">", ">=", "<", "<=", ""]), DATE_VALUES),
    st.builds("date:[{}".format, DATE_VALUES),
)
FRAGMENTS = st.one_of(
    st.sampled_from(WORDS + FIELDS + list(SYNTAX)),
    st.text(alphabet=SYNTAX + " ", max_size=8),
    st.text(max_size=12),
    st.text(st.characters(categories=["Cs"]), max_size=2),  # lone surrogates (a CLI argument of bad bytes)
    DATE_CLAUSES,
    st.builds("{}{}".format, st.sampled_from(FIELDS), st.sampled_from(WORDS + list(SYNTAX))),
    st.builds("{}{}".format, st.sampled_from(WORDS), st.sampled_from(["*", "?", "~", "~2", "^3", "*?", "-"])),
)


def queries(max_size: int) -> st.SearchStrategy[str]:
    """Arbitrary unicode, or query-shaped text built from the language's own pieces."""
    built = st.lists(FRAGMENTS, max_size=40).map(" ".join)
    joined = st.lists(FRAGMENTS, max_size=20).map("".join)  # pieces run together: `title:"(Qaani*`
    return st.one_of(st.text(max_size=max_size), built, joined).map(lambda text: text[:max_size])


@pytest.fixture(scope="module")
def parser() -> QueryParser:
    return QueryParser(build_schema())


# Found by this fuzz: a date before year 1 or after 9999, year 0, digits of other scripts, and
# a lone surrogate (what Python makes of undecodable bytes in a command-line argument).
KNOWN_CASES = ["date:<0001-01-01", "date:>9999-12-31", "date:0000", "date:[٢٠٢٥ TO ٢٠٢٦]", "weir \udcff"]


def with_examples(test):
    for raw in KNOWN_CASES:
        test = example(raw=raw)(test)
    return test


@settings(max_examples=150, deadline=None)
@given(raw=queries(1000))
@with_examples
def test_the_parser_never_raises_and_gives_a_whoosh_query_or_none(parser, raw):
    parsed = parser.parse(raw)
    assert parsed.keyword is None or isinstance(parsed.keyword, wq.Query)
    assert isinstance(parsed.text, str) and all(isinstance(n, str) for n in parsed.notices)
    for day in (parsed.date_from, parsed.date_to):  # the filters take them as ISO dates
        assert day is None or dt.date.fromisoformat(day)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    root = tmp_path_factory.mktemp("query-fuzz")
    folder = root / "files"
    folder.mkdir()
    (folder / "qaani.md").write_text(
        "---\ntitle: Envoy letter\nauthor: Lena Ostrova\ndate: 2025-03-14\ntags: [letters, talks]\n---\n"
        "# Envoy letter\n\nGeneral Qaani wrote to the envoy about the Velmora reservoir on 14 March.\n"
    )
    (folder / "wire.txt").write_text(
        "Harbour bulletin\n\nThe harbour master of Ras Numan resigned; ferries to Kelvand were cancelled.\n"
    )
    settings_ = Settings.from_env(root / "data")
    assert ingest(settings_, folder).failed == []
    with Archive(settings_) as archive:
        yield SearchService(archive)


@settings(max_examples=60, deadline=None)
@given(raw=queries(1000))
@with_examples
def test_search_answers_any_query_in_every_mode_or_raises_only_usage_error(service, raw):
    for mode in MODES:
        try:
            response = service.search(SearchRequest(query=raw, mode=mode, k=5))
        except UsageError:
            continue
        assert response["mode"] == mode and isinstance(response["results"], list)
