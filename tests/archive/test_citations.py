"""Citations are exact: the quote is the sentence that explains the match, its page and paragraph
are where the document view shows it, and its link opens exactly the quote. Over every passage
of every sample query in every mode, and on the seed article; plus the export formats."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares

from archive import operations
from archive.chunking import sentence_spans
from archive.citations import one_line, paragraphs
from archive.citations.export import export, person
from archive.citations.paragraphs import locate, location, of_document
from archive.config import Settings
from archive.highlight import content_terms, is_question
from archive.render import snippet
from archive.search import MODES, SearchRequest, SearchService
from archive.store import Archive
from bench.corpus_queries import QUERIES
from indexer.analysis import analyze
from tests.conftest import SEED, ingest

SAMPLE_QUERIES = sorted(
    {item["query"] for group in ("keyword", "phrase", "semantic", "hybrid") for item in QUERIES[group]}
    | set(QUERIES["readme"].values())
)


@pytest.fixture(scope="module")
def corpus_service(corpus_archive) -> SearchService:
    return SearchService(corpus_archive)


@pytest.fixture(scope="module")
def seed_archive(tmp_path_factory):
    settings = Settings.from_env(tmp_path_factory.mktemp("seed-archive"))
    assert ingest(settings, SEED).failed == []
    with Archive(settings) as archive:
        yield archive


@pytest.fixture(scope="module")
def seed_service(seed_archive) -> SearchService:
    return SearchService(seed_archive)


def link_span(link: str) -> tuple[int, int]:
    at = parse_qs(urlsplit(link).query)["at"][0]
    start, end = at.split("-")
    return int(start), int(end)


def check_page(archive: Archive, response: dict, where: str) -> int:
    """Every passage's citation is exact; no sentence of a document is shown twice. Returns the
    number of passages checked."""
    count = 0
    for result in response["results"]:
        seen_quotes: set[str] = set()  # another document may well say the same thing
        stored = archive.catalog.document(result["document"]["id"])
        text, numbered = stored["text"], paragraphs(stored["text"], stored.get("pages"))
        shown: list[tuple[int, int]] = []
        for passage in result["passages"]:
            count += 1
            label = f"{where}: {result['document']['title']!r}, passage {passage['id']}"
            citation = passage["citation"]
            start, end = link_span(citation["link"])
            assert one_line(text[start:end]) == citation["quote"], (
                f"{label}: the link's span is not the quote"
            )
            assert passage["start"] + passage["quote_span"][0] == start, (
                f"{label}: quote_span and link differ"
            )
            paragraph = locate(numbered, start)
            assert paragraph.start <= start and end <= paragraph.end, (
                f"{label}: the quote crosses a paragraph"
            )
            assert (citation["page"], citation["paragraph"]) == (paragraph.page, paragraph.number), label
            assert citation["location"] == location(paragraph.page, paragraph.number), label
            assert (passage["page"], passage["paragraph"]) == (paragraph.page, paragraph.number), label
            assert citation["quote"] in citation["text"] and citation["location"] in citation["text"], label
            for a, b in shown:
                assert passage["end"] <= a or b <= passage["start"], f"{label}: repeats text shown above"
            shown.append((passage["start"], passage["end"]))
            assert citation["quote"] not in seen_quotes, f"{label}: the same quote twice for one document"
            seen_quotes.add(citation["quote"])
    return count


@pytest.mark.parametrize("mode", MODES)
def test_every_sample_query_cites_the_paragraph_and_page_of_its_quote(corpus_service, corpus_archive, mode):
    passages = 0
    for query in SAMPLE_QUERIES:
        response = corpus_service.search(SearchRequest(query=query, mode=mode, k=10))
        passages += check_page(corpus_archive, response, f"{mode} {query!r}")
    assert passages > 3 * len(SAMPLE_QUERIES), f"{mode}: too few passages to mean anything ({passages})"


def test_pdf_citations_name_page_and_paragraph_on_that_page(corpus_service, corpus_archive):
    response = corpus_service.search(SearchRequest(query='"a promise, not a safeguard"', mode="keyword", k=1))
    result = response["results"][0]
    passage = result["passages"][0]
    stored = corpus_archive.catalog.document(result["document"]["id"])
    page_start = stored["pages"][passage["page"] - 1][0]
    before = [p for p in paragraphs(stored["text"], stored["pages"]) if p.page == passage["page"]]
    assert before[0].start >= page_start and before[0].number == 1
    assert passage["citation"]["location"] == f"p. {passage['page']}, para. {passage['paragraph']}"
    assert "a promise, not a safeguard" in passage["citation"]["quote"]


# -- the seed article --------------------------------------------------------------------------


def first_passage_quoting(service: SearchService, query: str, mode: str, words: str) -> dict:
    response = service.search(SearchRequest(query=query, mode=mode, k=3, passages=5))
    quotes = [p for r in response["results"] for p in r["passages"] if words in p["citation"]["quote"]]
    assert quotes, f"{query!r} ({mode}): no passage quotes {words!r}"
    return quotes[0]


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])  # by meaning, other sentences are closer
def test_seed_reuters_report_is_paragraph_9(seed_service, mode):
    passage = first_passage_quoting(
        seed_service,
        "exclusive 15 November Reuters report",
        mode,
        "Yet an exclusive 15 November Reuters report",
    )
    assert passage["citation"]["location"] == "para. 9"


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_seed_relayed_message_is_paragraph_3(seed_service, mode):
    passage = first_passage_quoting(
        seed_service, "He relayed the message Mohammad Deif", mode, "He relayed the message"
    )
    assert passage["citation"]["location"] == "para. 3"
    assert "Mohammad Deif" in passage["citation"]["quote"]


def test_seed_question_quotes_the_sentence_it_was_found_for(seed_service, seed_archive):
    response = seed_service.search(SearchRequest(query="who denied the Reuters report", mode="semantic", k=1))
    passage = response["results"][0]["passages"][0]
    quote = passage["citation"]["quote"]
    assert quote.startswith("Both Hamas and Iran refuted the Reuters report"), quote
    assert "We will not enter the war on your behalf" not in quote
    assert passage["citation"]["location"] == "para. 10"
    shown, _ = snippet(passage["text"], passage["highlights"], focus=passage["quote_span"])
    assert quote in one_line(shown), "the snippet does not show the quoted sentence"
    check_page(seed_archive, response, "seed question")


def test_seed_qaani_citations_are_exact_and_never_repeat(seed_service, seed_archive):
    for mode in MODES:
        response = seed_service.search(SearchRequest(query="Qaani", mode=mode, k=1, passages=10))
        assert check_page(seed_archive, response, f"Qaani {mode}") >= 3


def test_question_highlights_content_words_only(seed_service):
    response = seed_service.search(
        SearchRequest(query="What did Qaani say when Iran joined the war?", mode="hybrid", passages=10)
    )
    marked = {
        one_line(p["text"][a:b]).lower()
        for r in response["results"]
        for p in r["passages"]
        for a, b in p["highlights"]
        if b - a < 30  # words, not the sentence a passage found by meaning highlights
    }
    assert "qaani" in marked
    assert not marked & {"say", "says", "said", "joined", "join"}, marked
    keyword = seed_service.search(SearchRequest(query="Hamas said", mode="keyword", passages=10))
    words = {
        one_line(p["text"][a:b]).lower()
        for r in keyword["results"]
        for p in r["passages"]
        for a, b in p["highlights"]
    }
    assert "said" in words, "a keyword query keeps every word it names"


def test_question_detection_and_filler_terms():
    assert is_question("who denied the Reuters report") and is_question("Qaani said what?")
    assert not is_question("Qaani said") and not is_question("")
    terms = {term for term, _, _ in analyze("Khamenei says Iran joined war")}
    assert content_terms(terms, "Did Khamenei say Iran joined the war?") == {
        t for t, _, _ in analyze("Khamenei Iran war")
    }
    assert content_terms(terms, "Khamenei says Iran joined war") == terms


# -- paragraphs and quotes, by hand ------------------------------------------------------------


def test_paragraphs_count_per_page_when_there_are_pages():
    text = "Title\n\nFirst para.\n\nSecond para.\fThird para.\n\nFourth."
    assert [(p.number, p.page) for p in paragraphs(text)] == [(1, None), (2, None), (3, None), (4, None)]
    cut = text.index("\f")
    numbered = paragraphs(text, [(0, cut), (cut + 1, len(text))])
    assert [(p.number, p.page) for p in numbered] == [(1, 1), (2, 1), (3, 1), (1, 2), (2, 2)]
    assert locate(numbered, text.index("Fourth")).location == "p. 2, para. 2"
    assert locate(numbered, text.index("\n\nFirst")).number == 2, "white space belongs to the next paragraph"


def test_long_sentence_quote_is_cut_around_the_highlight(seed_service):
    words = [f"w{i}" for i in range(120)]
    text = " ".join(words) + "."
    from archive.citations import keyword_quote

    target = text.index("w90")
    start, end = keyword_quote(text, [[target, target + 3]])
    assert start <= target < end and len(text[start:end].split()) == 50
    assert sentence_spans(text) == [(0, len(text))]


# -- export ------------------------------------------------------------------------------------

TRICKY = {
    "document": {
        "id": "0123456789abcdef",
        "title": "Qāʾānī & the 50% rule_{x}",
        "source": "Iran Dossier",
        "author": "Priya Raman; Strata Risk Intelligence",
        "date": "2026-01-27",
        "url": "https://example.org/a_b?x=1#y",
        "path": "/srv/archive/in/qaani.txt",
        "tags": ["iran", "hamas"],
    },
    "passages": [
        {
            "citation": {
                "quote": "He said \u201cno\u201d & left.",
                "location": "para. 3",
                "link": "http://h/documents/0123456789abcdef?at=1-5&q=x#passage",
                "accessed": "2026-12-04",
                "file": "qaani.txt",
                "text": "T1",
                "markdown": "M1",
            }
        }
    ],
}
NOTE = "\u201cHe said \u201cno\u201d & left.\u201d (para. 3) http://h/documents/0123456789abcdef?at=1-5&q=x#passage"


def test_ris_round_trips():
    [entry] = rispy.loads(export([TRICKY], "ris"))
    assert entry["type_of_reference"] == "ELEC" and entry["id"] == "0123456789abcdef"
    assert entry["title"] == "Qāʾānī & the 50% rule_{x}"
    assert entry["authors"] == ["Raman, Priya", "Strata Risk Intelligence"]
    assert entry["secondary_title"] == "Iran Dossier"
    assert (entry["date"], entry["year"], entry["access_date"]) == ("2026/01/27", "2026", "2026/12/04")
    assert entry["urls"] == ["https://example.org/a_b?x=1#y", "http://h/documents/0123456789abcdef"]
    assert entry["notes"] == [NOTE] and entry["keywords"] == ["iran", "hamas"]


def test_bibtex_round_trips():
    written = export([TRICKY, TRICKY], "bibtex")
    library = bibtexparser.parse_string(written, append_middleware=[middlewares.LatexDecodingMiddleware()])
    assert not library.failed_blocks
    first, second = library.entries
    assert (first.key, second.key) == ("raman2026qaani", "raman2026qaania"), "keys are unique"
    fields = {f.key: f.value for f in first.fields}
    assert fields["title"] == "Qāʾānī & the 50% rule_{x}"
    assert fields["author"] == "Raman, Priya and Strata Risk Intelligence"
    assert fields["howpublished"] == "Iran Dossier" and fields["note"] == NOTE
    assert (fields["date"], fields["year"], fields["urldate"]) == ("2026-01-27", "2026", "2026-12-04")
    raw = {f.key: f.value for f in bibtexparser.parse_string(written).entries[0].fields}
    assert raw["url"] == "https://example.org/a_b?x=1#y", "a URL is written verbatim"
    assert raw["author"] == "Raman, Priya and {Strata Risk Intelligence}", "an organisation is one name"


def test_csl_json_fields():
    [item] = json.loads(export([TRICKY], "csl-json"))
    assert item["type"] == "webpage" and item["title"] == "Qāʾānī & the 50% rule_{x}"
    assert item["author"] == [{"family": "Raman", "given": "Priya"}, {"literal": "Strata Risk Intelligence"}]
    assert item["issued"] == {"date-parts": [[2026, 1, 27]]} and item["accessed"] == {
        "date-parts": [[2026, 12, 4]]
    }
    assert item["URL"] == "https://example.org/a_b?x=1#y" and item["container-title"] == "Iran Dossier"
    assert item["archive_location"] == "http://h/documents/0123456789abcdef" and item["note"] == NOTE


def test_text_and_markdown_exports_are_the_passage_citations():
    assert export([TRICKY, TRICKY], "text") == "T1\n\nT1\n"
    assert export([TRICKY], "markdown") == "M1\n"
    with pytest.raises(ValueError, match="unknown citation format 'doc'"):
        export([TRICKY], "doc")


def test_person_names():
    assert person("Priya Raman") == ("Raman", "Priya") and person("Raman, Priya") == ("Raman", "Priya")
    assert person("Reuters") is None and person("Strata Risk Intelligence") is None


def test_citation_text_carries_every_field(corpus_service):
    response = corpus_service.search(SearchRequest(query="Karsul spillway Bayt Qurun", mode="keyword", k=5))
    dated = [r for r in response["results"] if r["document"]["url"] and r["document"]["author"]]
    assert dated, "the sample collection has articles with a URL and an author"
    document, citation = dated[0]["document"], dated[0]["passages"][0]["citation"]
    for value in (
        document["title"],
        document["source"],
        document["author"],
        document["date"],
        document["url"],
    ):
        assert value in citation["text"], f"{value!r} missing from {citation['text']!r}"
    assert citation["location"] in citation["text"] and citation["link"] in citation["text"]
    assert f"accessed {citation['accessed']}" in citation["text"]
    assert f"[Original]({document['url']})" in citation["markdown"]
    assert f"[Archived copy]({citation['link']})" in citation["markdown"]
    assert document["path"] not in citation["text"] and citation["file"] == Path(document["path"]).name


def test_cli_search_cite_formats(corpus_settings):
    from click.testing import CliRunner

    from archive.cli import cli

    runner = CliRunner()
    arguments = [
        "search",
        "--data",
        str(corpus_settings.data_dir),
        "Karsul spillway",
        "--mode",
        "keyword",
        "-k",
        "3",
    ]
    ris = runner.invoke(cli, [*arguments, "--cite", "ris"])
    assert ris.exit_code == 0, ris.output
    entries = rispy.loads(ris.output)
    assert len(entries) == 3 and all(e["notes"] and e["title"] for e in entries)
    bib = runner.invoke(cli, [*arguments, "--cite", "bibtex"])
    assert len(bibtexparser.parse_string(bib.output).entries) == 3
    text = runner.invoke(cli, [*arguments, "--cite", "text"])
    assert text.output.count("Archived copy: <") >= 3
    bad = runner.invoke(cli, [*arguments, "--cite", "word"])
    assert bad.exit_code == 2 and "'word' is not one of" in bad.output


def test_documents_and_passages_number_paragraphs_as_the_view_does(corpus_archive):
    """`archive show`, GET /api/documents/<id> and /api/passages/<id> give each passage the page and
    paragraph where it starts in the view's numbering: on a PDF, counted from 1 on each page."""
    pdf = next(
        d for d in operations.list_documents(corpus_archive, limit=100)["documents"] if d["format"] == "pdf"
    )
    shown = operations.show(corpus_archive, pdf["id"], with_text=False)
    numbered = of_document(corpus_archive.catalog.document(pdf["id"]))
    on_page = {}
    for paragraph in numbered:
        on_page[paragraph.page] = max(on_page.get(paragraph.page, 0), paragraph.number)
    assert len(on_page) >= 2 and "text" not in shown
    for chunk in shown["chunks"]:
        assert 1 <= chunk["paragraph"] <= on_page[chunk["page"]], chunk
        passage = operations.passage(corpus_archive, chunk["id"])
        assert (passage["page"], passage["paragraph"]) == (chunk["page"], chunk["paragraph"])
    assert any(chunk["page"] > 1 and chunk["paragraph"] == 1 for chunk in shown["chunks"])
