"""The sample collection read by the real readers: each document's author, date and source, where
each came from, its tags, and the boilerplate left out of its text."""

from __future__ import annotations

import pytest

from archive.domain import Document
from archive.readers import Source, read_source
from archive.readers.base import split_tags
from archive.readers.boilerplate import is_boilerplate, split_footer
from archive.sources import is_domain, source_key
from tests.conftest import CORPUS

SEED = CORPUS / "analysis" / "iran-dossier-qaani-letter.txt"

# file (under corpus/, `#n` for the n-th document in it) -> author, date, source
EXPECTED = {
    "analysis/2026-04-08-azrun-dossier-baroudi-letter.txt": (
        "Strata Risk Intelligence",
        "2026-04-08",
        "Azrun Dossier",
    ),
    "analysis/iran-dossier-qaani-letter.txt": (None, None, None),
    "background/2023-12-12-kelvand-review-who-pays-for-karsul.md": (
        "Leyla Farzan",
        "2023-12-12",
        "Kelvand Economic Review",
    ),
    "background/2025-03-10-azrun-basin-explainer.md": ("Dalia Mansour", "2025-03-10", "Azrun Monitor"),
    "correspondence/2026-01-19-corvane-war-risk-premium.eml#1": ("Graham Oduya", "2026-01-19", None),
    "correspondence/2026-01-19-corvane-war-risk-premium.eml#2": (
        "Marine Security Desk",
        "2026-01-16",
        "Corvane Maritime Lines",
    ),
    "correspondence/2026-11-06-weekly-current-qasr-tamin-trucks.eml": (
        "Tomas Ferreira",
        "2026-11-05",
        "Azrun Monitor",
    ),
    "minutes/2025-11-12-joint-technical-committee-meeting-2.md": (None, "2025-11-12", None),
    "news/2025-01-14-karsul-reservoir-filling-begins.txt": (
        "Nadia Haddad-Rowe",
        "2025-01-14",
        "The Meshan Courier",
    ),
    "news/2025-04-22-jund-al-azrun-profile.html": ("Lina Sørheim", "2025-04-22", "Azrun Monitor"),
    "news/2025-06-30-bayt-qurun-farmers-march.txt": ("Karim Zoubi", "2025-06-30", "The Meshan Courier"),
    "news/2025-08-16-delphine-arrow-seized-tamar-narrows.html": (
        "Aisha Benmoussa",
        "2025-08-16",
        "Gulf Ledger",
    ),
    "news/2025-09-03-delphine-arrow-crew-freed.txt": ("Tomas Ferreira", "2025-09-03", "Azrun Monitor"),
    "news/2026-01-27-fact-check-karsul-crack-video.md": ("Priya Raman", "2026-01-27", "Azrun Monitor"),
    "news/2026-02-24-valmorra-talks-collapse.txt": (
        "Mathilde Sévigny",
        "2026-02-24",
        "Le Courrier de Valmorra",
    ),
    "news/2026-03-18-karsul-spillway-flood-bayt-qurun.html": (
        "Nadia Haddad-Rowe; Omar Lahlou",
        "2026-03-18",
        "The Meshan Courier",
    ),
    "news/2026-04-27-prisoner-exchange-qasr-tamin.txt": ("Joel Amadi", "2026-04-27", "Basin Wire"),
    "news/2026-08-05-karsul-record-generation-halvara-today.html": (
        "Kaveh Moradian",
        "2026-08-05",
        "Halvara Today",
    ),
    "news/2026-10-05-khor-daffa-drone-strike-commander-fate.txt": (
        "Rami Aswad",
        "2026-10-05",
        "Delta Dispatch",
    ),
    "reports/2025-09-24-basin-rights-watch-karsul-displacement.md": (
        "Farah Idrissi",
        "2025-09-24",
        "Basin Rights Watch",
    ),
    "reports/2026-07-14-riverkeepers-delta-salinity-field-notes.md": (
        "Yusra Ghannam",
        "2026-07-14",
        "Riverkeepers of Azrun",
    ),
    "statements/2025-02-03-sufrat-foreign-ministry-statement.txt": (None, "2025-02-03", "Kingdom of Sufrat"),
    "statements/2025-07-29-waterbridge-cholera-appeal.html": (
        "WaterBridge International Press Office",
        "2025-07-29",
        "WaterBridge International",
    ),
    "statements/2026-03-20-halvara-ministry-karsul-flood-account.txt": (
        None,
        "2026-03-20",
        "Republic of Halvara",
    ),
    "transcripts/2025-12-09-basin-hour-interview-annelise-korvath.txt": (
        "Dalia Mansour",
        "2025-12-09",
        "The Basin Hour",
    ),
}
# Fields read from the text itself, not from the file's own metadata.
FROM_TEXT = {
    "news/2026-01-27-fact-check-karsul-crack-video.md": {"author", "date", "source"},
    "analysis/2026-04-08-azrun-dossier-baroudi-letter.txt": {"title", "author", "date", "source"},
    "correspondence/2026-11-06-weekly-current-qasr-tamin-trucks.eml": {"author", "date", "source"},
}
FROM_FILE = {
    "news/2026-03-18-karsul-spillway-flood-bayt-qurun.html": {"title", "author", "date", "source", "url"},
    "background/2025-03-10-azrun-basin-explainer.md": {"title", "author", "date", "source"},
    "correspondence/2026-01-19-corvane-war-risk-premium.eml#1": {"title", "author", "date"},
}


def read_file(relative: str) -> list[Document]:
    path = CORPUS / relative
    source = Source(name=path.name, identity=f"file:{path}", path=path, size=path.stat().st_size)
    return [item for item in read_source(source) if isinstance(item, Document)]


def document(key: str) -> Document:
    relative, _, number = key.partition("#")
    documents = read_file(relative)
    return documents[int(number) - 1] if number else documents[0]


def test_the_table_covers_every_file_that_is_not_json_lines_pdf_or_docx():
    listed = {key.partition("#")[0] for key in EXPECTED}
    files = {
        str(path.relative_to(CORPUS))
        for path in CORPUS.rglob("*")
        if path.is_file() and path.suffix not in (".jsonl", ".pdf", ".docx")
    }
    assert files == listed, f"corpus files without expectations: {files - listed}; gone: {listed - files}"


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_corpus_document_author_date_and_source(key):
    found = document(key)
    assert (found.author, found.date, found.source) == EXPECTED[key], f"{key}: {found.title!r}"
    for name in ("author", "date", "source"):
        if getattr(found, name):
            assert found.provenance.get(name) in ("file", "byline"), f"{key}: no provenance for {name}"


@pytest.mark.parametrize(
    ("key", "origin", "fields"),
    [*((k, "byline", f) for k, f in FROM_TEXT.items())] + [*((k, "file", f) for k, f in FROM_FILE.items())],
)
def test_corpus_provenance(key, origin, fields):
    provenance = document(key).provenance
    assert {name for name in fields if provenance.get(name) == origin} == fields, f"{key}: {provenance}"


def test_seed_title_and_no_invented_metadata():
    (seed,) = read_file("analysis/iran-dossier-qaani-letter.txt")
    assert seed.title == "Iran’s Careful Balance: Backing Hamas, Avoiding Direct War"
    assert (seed.author, seed.date, seed.source, seed.tags) == (None, None, None, [])
    assert seed.provenance == {"title": "byline"}


def test_seed_boilerplate_and_repeated_headline_are_not_in_the_text():
    (seed,) = read_file("analysis/iran-dossier-qaani-letter.txt")
    raw = SEED.read_text(encoding="utf-8")
    assert raw.rstrip().endswith("get in touch")
    for leftover in ("Book a Demo", "get in touch", "Iran Dossier\xa0IRGC QF Commander"):
        assert leftover in raw and leftover not in seed.text, leftover
    assert seed.text.endswith("condemned fabricating statements attributed to him.")
    assert raw.startswith(seed.text), "the text kept must be the file's own start, so offsets hold"


@pytest.mark.parametrize(
    ("relative", "last_words"),
    [
        ("analysis/2026-04-08-azrun-dossier-baroudi-letter.txt", "a second escalation channel."),
        ("news/2025-01-14-karsul-reservoir-filling-begins.txt", "Additional reporting by Karim Zoubi."),
        ("news/2026-10-05-khor-daffa-drone-strike-commander-fate.txt", "staff in Marsa Halim."),
        ("news/2026-04-27-prisoner-exchange-qasr-tamin.txt", "editing by Sara Lind."),
        ("correspondence/2026-11-06-weekly-current-qasr-tamin-trucks.eml", "most of it in fresh produce."),
        ("background/2023-12-12-kelvand-review-who-pays-for-karsul.md", "with a neighbouring grid."),
    ],
)
def test_corpus_footers_are_dropped(relative, last_words):
    text = document(relative).text
    assert text.endswith(last_words), f"{relative} ends with {text[-120:]!r}"


def test_articles_without_boilerplate_keep_their_end():
    text = "A headline\n\nThe last paragraph of the article.\n\nEnds\n\nA short closing line"
    assert split_footer(text).body == text
    assert split_footer("Body.\n\nShare this article").body == "Body."


@pytest.mark.parametrize(
    "line",
    [
        "Book a Demo",
        "get in touch",
        "Subscribe",
        "Share this article: Facebook | X",
        "We use cookies",
        "Accept all cookies",
        "© 2026 Halvara Today. All rights reserved.",
        "Unsubscribe | Manage your preferences",
        "----",
        "Follow us: Telegram | X",
    ],
)
def test_known_boilerplate(line):
    assert is_boilerplate(line), line


@pytest.mark.parametrize(
    "line", ["The subscribers were told to get ready.", "Book review: the river", "Sharing water"]
)
def test_not_boilerplate(line):
    assert not is_boilerplate(line), line


def test_tags_split_trimmed_and_deduplicated():
    assert split_tags("Azrun; Karsul; Valmorra; data exchange; JTC") == [
        "Azrun",
        "Karsul",
        "Valmorra",
        "data exchange",
        "JTC",
    ]
    assert split_tags(["Azrun, karsul", " azrun ; Karsul;;", None], "JTC") == ["Azrun", "karsul", "JTC"]


def test_docx_keywords_become_separate_tags():
    (readout,) = read_file("reports/2025-10-23-valmorra-proximity-talks-readout.docx")
    assert readout.tags == ["Azrun", "Karsul", "Valmorra", "data exchange", "JTC"]
    assert readout.provenance["tags"] == "file"


def test_sources_in_the_corpus_archive_are_one_per_publication(corpus_archive):
    sources = dict(corpus_archive.catalog.facet("source"))
    keys = [source_key(name) for name in sources]
    assert len(keys) == len(set(keys)), f"one publication under several names: {sorted(sources)}"
    assert not [name for name in sources if is_domain(name)], f"domains shown as sources: {sorted(sources)}"
    assert sources["The Meshan Courier"] == 3 and sources["Azrun Monitor"] == 6, sources
    assert "The Basin Hour" in sources and not any(
        "launches" in name or "Episode" in name for name in sources
    )
