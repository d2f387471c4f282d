"""The sample collection read by the real readers: each document's author, date and source, where
each came from, its tags, and the boilerplate left out of its text."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.domain import Document
from archive.readers import Source, read_source
from archive.readers.base import split_tags
from archive.readers.boilerplate import is_boilerplate, split_footer
from archive.sources import is_domain, source_key
from tests.conftest import CORPUS

SEED = CORPUS / "analysis" / "iran-dossier-qaani-letter.txt"

# file name without its date (`#n`: the n-th document in the file) | author | date | source; `-` for none
TABLE = """
azrun-dossier-baroudi-letter.txt | Strata Risk Intelligence | 2026-04-08 | Azrun Dossier
iran-dossier-qaani-letter.txt | - | - | -
kelvand-review-who-pays-for-karsul.md | Leyla Farzan | 2023-12-12 | Kelvand Economic Review
azrun-basin-explainer.md | Dalia Mansour | 2025-03-10 | Azrun Monitor
corvane-war-risk-premium.eml#1 | Graham Oduya | 2026-01-19 | -
corvane-war-risk-premium.eml#2 | Marine Security Desk | 2026-01-16 | Corvane Maritime Lines
weekly-current-qasr-tamin-trucks.eml | Tomas Ferreira | 2026-11-05 | Azrun Monitor
joint-technical-committee-meeting-2.md | - | 2025-11-12 | -
karsul-reservoir-filling-begins.txt | Nadia Haddad-Rowe | 2025-01-14 | The Meshan Courier
jund-al-azrun-profile.html | Lina Sørheim | 2025-04-22 | Azrun Monitor
bayt-qurun-farmers-march.txt | Karim Zoubi | 2025-06-30 | The Meshan Courier
delphine-arrow-seized-tamar-narrows.html | Aisha Benmoussa | 2025-08-16 | Gulf Ledger
delphine-arrow-crew-freed.txt | Tomas Ferreira | 2025-09-03 | Azrun Monitor
fact-check-karsul-crack-video.md | Priya Raman | 2026-01-27 | Azrun Monitor
valmorra-talks-collapse.txt | Mathilde Sévigny | 2026-02-24 | Le Courrier de Valmorra
karsul-spillway-flood-bayt-qurun.html | Nadia Haddad-Rowe; Omar Lahlou | 2026-03-18 | The Meshan Courier
prisoner-exchange-qasr-tamin.txt | Joel Amadi | 2026-04-27 | Basin Wire
karsul-record-generation-halvara-today.html | Kaveh Moradian | 2026-08-05 | Halvara Today
khor-daffa-drone-strike-commander-fate.txt | Rami Aswad | 2026-10-05 | Delta Dispatch
basin-rights-watch-karsul-displacement.md | Farah Idrissi | 2025-09-24 | Basin Rights Watch
riverkeepers-delta-salinity-field-notes.md | Yusra Ghannam | 2026-07-14 | Riverkeepers of Azrun
sufrat-foreign-ministry-statement.txt | - | 2025-02-03 | Kingdom of Sufrat
cholera-appeal.html | WaterBridge International Press Office | 2025-07-29 | WaterBridge International
halvara-ministry-karsul-flood-account.txt | - | 2026-03-20 | Republic of Halvara
basin-hour-interview-annelise-korvath.txt | Dalia Mansour | 2025-12-09 | The Basin Hour
"""
EXPECTED = {
    key: tuple(None if value == "-" else value for value in values)
    for key, *values in (line.split(" | ") for line in TABLE.strip().splitlines())
}
# Fields read from the text itself, not from the file's own metadata.
FROM_TEXT = {
    "fact-check-karsul-crack-video.md": {"author", "date", "source"},
    "azrun-dossier-baroudi-letter.txt": {"title", "author", "date", "source"},
    "weekly-current-qasr-tamin-trucks.eml": {"author", "date", "source"},
}
FROM_FILE = {
    "karsul-spillway-flood-bayt-qurun.html": {"title", "author", "date", "source", "url"},
    "azrun-basin-explainer.md": {"title", "author", "date", "source"},
    "corvane-war-risk-premium.eml#1": {"title", "author", "date"},
}


def corpus_files() -> list[Path]:
    return sorted(path for path in CORPUS.rglob("*") if path.is_file())


def read_file(name: str) -> list[Document]:
    (path,) = [path for path in corpus_files() if path.name.endswith(name)]
    source = Source(name=path.name, identity=f"file:{path}", path=path, size=path.stat().st_size)
    return [item for item in read_source(source) if isinstance(item, Document)]


def document(key: str) -> Document:
    name, _, number = key.partition("#")
    documents = read_file(name)
    return documents[int(number) - 1] if number else documents[0]


def test_the_table_covers_every_file_that_is_not_json_lines_pdf_or_docx():
    listed = {key.partition("#")[0] for key in EXPECTED}
    files = [path for path in corpus_files() if path.suffix not in (".jsonl", ".pdf", ".docx")]
    missing = [str(path) for path in files if not any(path.name.endswith(name) for name in listed)]
    assert not missing and len(files) == len(listed), f"corpus files without expectations: {missing}"


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
    (seed,) = read_file("iran-dossier-qaani-letter.txt")
    assert seed.title == "Iran’s Careful Balance: Backing Hamas, Avoiding Direct War"
    assert (seed.author, seed.date, seed.source, seed.tags) == (None, None, None, [])
    assert seed.provenance == {"title": "byline"}


def test_seed_boilerplate_and_repeated_headline_are_not_in_the_text():
    (seed,) = read_file("iran-dossier-qaani-letter.txt")
    raw = SEED.read_text(encoding="utf-8")
    assert raw.rstrip().endswith("get in touch")
    for leftover in ("Book a Demo", "get in touch", "Iran Dossier\xa0IRGC QF Commander"):
        assert leftover in raw and leftover not in seed.text, leftover
    assert seed.text.endswith("condemned fabricating statements attributed to him.")
    assert raw.startswith(seed.text), "the text kept must be the file's own start, so offsets hold"


@pytest.mark.parametrize(
    ("relative", "last_words"),
    [
        ("azrun-dossier-baroudi-letter.txt", "a second escalation channel."),
        ("karsul-reservoir-filling-begins.txt", "Additional reporting by Karim Zoubi."),
        ("khor-daffa-drone-strike-commander-fate.txt", "staff in Marsa Halim."),
        ("prisoner-exchange-qasr-tamin.txt", "editing by Sara Lind."),
        ("weekly-current-qasr-tamin-trucks.eml", "most of it in fresh produce."),
        ("kelvand-review-who-pays-for-karsul.md", "with a neighbouring grid."),
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
    (readout,) = read_file("valmorra-proximity-talks-readout.docx")
    assert readout.tags == ["Azrun", "Karsul", "Valmorra", "data exchange", "JTC"]
    assert readout.provenance["tags"] == "file"


def test_sources_in_the_corpus_archive_are_one_per_publication(corpus_archive):
    sources = dict(corpus_archive.catalog.facet("source"))
    keys = [source_key(name) for name in sources]
    assert len(keys) == len(set(keys)), f"one publication under several names: {sorted(sources)}"
    assert not [name for name in sources if is_domain(name)], f"domains shown as sources: {sorted(sources)}"
    assert sources["The Meshan Courier"] == 3 and sources["Azrun Monitor"] == 5, sources
    assert "The Basin Hour" in sources and not any(
        "launches" in name or "Episode" in name for name in sources
    )
