"""Query parsing takes linear time: adversarial queries of the maximum length (1,000 characters
of repeated delimiters, spaces, brackets, quotes and operators) parse within a fixed budget.

Before: `date:[` + 993 spaces + `x` took 7 s (the date clause's pattern backtracked cubically),
`[[[...` 40 ms more per kilobyte in Whoosh's range pattern, `x:x:x:...` 470 ms (a term per colon).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings

from archive.search import MAX_QUERY_LENGTH
from indexer.keyword import build_schema
from indexer.query import MAX_TERMS, QueryParser
from tests.timing import fastest_ms, repeated

BUDGET_MS = 50  # the worst case measured on an idle machine is about 15 ms
PIECES = [
    " ", "  ", "\t", "\n", "[", "]", "{", "}", "(", ")", '"', "'", ":", "-", "*", "?", "~", "~2", "^",
    "^3", "+", ">", "<=", ".", ",", "\\", "/", "x", "ab", "1", "2025-01-01", "date:", "date:[",
    " TO ", " to ", "AND ", "OR ", "NOT ", "title:", "tags:", "nosuch:",
]  # fmt: skip
WORST_BEFORE = [
    "date:[" + " " * 993 + "x",
    "date:[" + " " * 490 + "TO" + " " * 490 + "x",
    ("date:[ TO " * 100)[:MAX_QUERY_LENGTH],
    "[" * MAX_QUERY_LENGTH,
    "x:" * (MAX_QUERY_LENGTH // 2),
    '"' * MAX_QUERY_LENGTH,
    ("word " * 200)[:MAX_QUERY_LENGTH],
]


@pytest.fixture(scope="module")
def parser() -> QueryParser:
    return QueryParser(build_schema())


@pytest.mark.parametrize("raw", WORST_BEFORE, ids=lambda raw: repr(raw[:12]))
def test_the_worst_queries_found_parse_within_the_budget(parser, raw):
    elapsed = fastest_ms(lambda: parser.parse(raw))
    assert elapsed < BUDGET_MS, f"parsing {raw[:30]!r}... ({len(raw)} chars) took {elapsed:.0f} ms"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=repeated(PIECES, MAX_QUERY_LENGTH))
@example(raw=WORST_BEFORE[0])
def test_any_repeated_pattern_parses_within_the_budget(parser, raw):
    elapsed = fastest_ms(lambda: parser.parse(raw))
    assert elapsed < BUDGET_MS, f"parsing {raw[:40]!r}... ({len(raw)} chars) took {elapsed:.0f} ms"


def test_a_long_query_keeps_its_first_words_and_says_so(parser):
    words = [f"z{chr(97 + i // 26)}{chr(97 + i % 26)}q" for i in range(300)]  # zaaq, zabq, ...
    parsed = parser.parse(" ".join(words))
    kept = {term for _, term in parsed.keyword.iter_all_terms()}
    assert words[0] in kept and words[-1] not in kept, sorted(kept)
    assert len(kept) <= MAX_TERMS
    assert parsed.notices == [f"The query is long; only its first {MAX_TERMS} words were used."]


def test_date_ranges_still_read_both_ends_and_report_bad_ones_once(parser):
    assert (parser.parse("dam date:[ 2025-01-15   TO 2025-02-10 ]").date_from) == "2025-01-15"
    assert parser.parse("date:[* TO 2025-02]").date_to == "2025-02-28"
    parsed = parser.parse("dam date:[2025 2026] " + "date:[ " * 50)
    assert parsed.date_from is None and parsed.date_to is None
    assert len(parsed.notices) == len(set(parsed.notices)) and parsed.notices, parsed.notices
