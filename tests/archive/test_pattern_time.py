"""The readers' and the chunker's patterns over untrusted text take linear time.

Before: 20,000 dots in a row (a table of contents' leaders) took 15 s to cut into sentences (every
dot started a new try of the sentence-end pattern), 25 HTML comments before the first tag about
15 s to sniff (2^n ways to stretch each comment over the next), and a 20 KB "date" field 150 ms
of dateutil per record.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from archive.chunking import chunk_text, sentence_spans
from archive.dates import iso_date
from archive.readers.html import HtmlReader, _title
from archive.readers.textmeta import head_metadata
from tests.timing import fastest_ms, repeated

TEXT_LENGTH = 20_000
BUDGET_MS = 150  # linear work on 20,000 characters takes about 10 ms on an idle machine
TEXT_PIECES = [
    ".", "...", "!", "?", "\u2026", '"', "'", "\u201d", ")", "]", " ", "  ", "\n", "\n\n", "\t", "#",
    "# ", "- ", "* ", "1. ", "12) ", "a", "Mr", "word", ":", ",", "By ", "March ", "14 ", "2025",
]  # fmt: skip
WORST_BEFORE = {
    "dot leaders": "Contents " + "." * TEXT_LENGTH + " 5",
    "question marks": "Why" + "?" * TEXT_LENGTH,
    "ellipses and quotes": ("\u2026" + '"' * 50) * (TEXT_LENGTH // 51),
}


def _within_budget(call, what: str, budget_ms: float = BUDGET_MS) -> None:
    elapsed = fastest_ms(call)
    assert elapsed < budget_ms, f"{what} took {elapsed:.0f} ms (budget {budget_ms} ms)"


@pytest.mark.parametrize("name", sorted(WORST_BEFORE))
def test_sentences_and_chunks_of_punctuation_runs(name):
    text = WORST_BEFORE[name]
    _within_budget(lambda: sentence_spans(text), f"sentence_spans of {name} ({len(text)} chars)")
    _within_budget(lambda: chunk_text(text), f"chunk_text of {name} ({len(text)} chars)")


def test_sentence_ends_are_found_as_before():
    text = 'He left... "Why?!" she asked.) Then Mr. Smith came. Wait\u2026 No'
    spans = [text[start:end] for start, end in sentence_spans(text)]
    assert spans == ["He left...", '"Why?!" she asked.)', "Then Mr. Smith came.", "Wait\u2026", "No"], spans


@settings(max_examples=60, deadline=None)
@given(text=repeated(TEXT_PIECES, TEXT_LENGTH))
def test_any_repeated_text_is_cut_and_read_in_linear_time(text):
    _within_budget(lambda: chunk_text(text), f"chunk_text of {text[:30]!r}...")


def test_text_metadata_of_a_line_of_spaces_is_read_in_linear_time():
    text = "." + " " * TEXT_LENGTH + "x"
    _within_budget(lambda: head_metadata(text), "head_metadata of a line of 20,000 spaces")


@pytest.mark.parametrize("comments", [30, 500])
def test_html_sniffing_skips_many_comments_quickly(comments):
    head = (b"<!---->" * comments)[:4096]
    _within_budget(lambda: HtmlReader().sniff(head + b"x"), f"sniffing {comments} comments", 20)
    assert not HtmlReader().sniff(head + b"x")
    assert HtmlReader().sniff(b"<!-- a -->\n<!-- b --> <!DOCTYPE html><html>")


def test_dates_read_only_date_sized_values():
    assert iso_date("Tuesday, 14 March 2025 12:00:00 +0100 (CET)") == "2025-03-14"
    huge = "2025 " * 4000
    _within_budget(lambda: iso_date(huge), "iso_date of a 20 KB value", 5)
    assert iso_date(huge) is None


@pytest.mark.parametrize(
    "markup",
    ["<title>" * 28_000, "<title>a" + " " * 200_000 + "b</title>", "<TITLE" * 30_000],
    ids=["titles", "spaces", "unclosed"],
)
def test_the_page_title_is_found_in_linear_time(markup):
    _within_budget(lambda: _title(markup), f"the <title> of {markup[:20]!r}...", 20)


def test_the_page_title_is_read_as_before():
    assert (
        _title("<head><TITLE lang=en>  Qaani  letter |  Iran\n Dossier </title>")
        == "Qaani letter | Iran Dossier"
    )
    assert _title("<title>never closed") is None and _title("no title") is None
