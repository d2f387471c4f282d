"""Metadata that can be fixed: edits with history, provenance that keeps an edit over any later
ingest, ingest options on unchanged files, and sidecar metadata files. Real model, indexes, SQLite."""

from __future__ import annotations

import json
import sqlite3

import pytest

from archive import operations
from archive.catalog import Filters
from archive.catalog.sqlite.schema import MIGRATIONS
from archive.check import check, repair
from archive.errors import NotFound
from archive.metadata import EDITABLE_FIELDS, InvalidMetadata
from archive.search import SearchRequest, SearchService
from archive.sidecar import load_sidecar
from archive.store import Archive
from tests.conftest import ingest
from tests.filebuilders import NEWS_HTML, write_wire_feed

LEDGER = (
    "Quarry ledger\n\nThe quillfeather ledger lists twelve crates of zanzibarite bound for the "
    "northern pass, signed by the quarry clerk on the first of March.\n"
)
DELTA = "Delta notes\n\nSalinity in the Velmora delta rose sharply after the spillway gates were opened.\n"


@pytest.fixture()
def folder(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    (files / "ledger.txt").write_text(LEDGER, encoding="utf-8")
    (files / "delta.txt").write_text(DELTA, encoding="utf-8")
    (files / "news.html").write_text(NEWS_HTML, encoding="utf-8")
    write_wire_feed(files / "feed.jsonl")
    return files


def doc_of(archive: Archive, file_path) -> dict:
    [row] = archive.catalog.documents_from_file(str(file_path))
    return archive.catalog.document(row["id"], with_text=False)


def found(archive: Archive, query: str, mode: str = "keyword", **filters) -> list[str]:
    request = SearchRequest(query, mode=mode, k=10, filters=Filters(**filters))
    return [r["document"]["id"] for r in SearchService(archive).search(request)["results"]]


def chunk_state(archive: Archive, doc_id: str) -> tuple[list[int], list[bytes]]:
    ids = [c["id"] for c in archive.catalog.chunks_of(doc_id)]
    rows = archive.catalog.db.execute(
        f"SELECT vector FROM embeddings WHERE chunk_id IN ({','.join('?' * len(ids))}) ORDER BY chunk_id", ids
    ).fetchall()
    return ids, [row[0] for row in rows]


def test_an_edit_changes_what_search_filters_and_shows_without_re_embedding(settings, folder):
    ingest(settings, folder)
    with Archive(settings, write=True) as archive:
        doc = doc_of(archive, folder / "ledger.txt")
        before = chunk_state(archive, doc["id"])
        result = operations.edit(
            archive,
            doc["id"],
            {
                "title": "Zanzibarite shipments, March",
                "source": "Quarry Gazette",
                "author": "  Ana   Ruiz ",
                "date": "2025-03-01",
                "url": "https://gazette.example/ledger",
                "tags": ["mining", "Mining", " pass "],
            },
            who="cli",
        )
        assert result["document"]["author"] == "Ana Ruiz" and result["document"]["tags"] == ["mining", "pass"]
        assert {change["field"] for change in result["changed"]} == set(EDITABLE_FIELDS)
        assert set(result["provenance"].values()) == {"user"}
        assert chunk_state(archive, doc["id"]) == before  # same chunks, same vectors
        assert check(archive)["ok"], check(archive)["findings"]
    with Archive(settings) as archive:
        assert found(archive, "zanzibarite", source="Quarry Gazette") == [doc["id"]]
        assert found(archive, "zanzibarite", source="quarry gazette") == [doc["id"]]
        assert found(archive, "zanzibarite", tags=("pass",)) == [doc["id"]]
        assert found(archive, "zanzibarite", date_from="2025-02-01", date_to="2025-03-31") == [doc["id"]]
        assert found(archive, "shipments") == [doc["id"]]  # the new title is in the keyword index
        assert found(archive, "author:Ruiz") == [doc["id"]]  # and so are the author and source
        assert found(archive, 'source:"Quarry Gazette"') == [doc["id"]]
        assert found(archive, "tags:pass") == [doc["id"]]
        assert found(archive, "zanzibarite", mode="hybrid", source="Quarry Gazette") == [doc["id"]]
        [result] = SearchService(archive).search(SearchRequest("zanzibarite", mode="keyword"))["results"]
        citation = result["passages"][0]["citation"]
        assert (citation["title"], citation["source"], citation["author"], citation["date"]) == (
            "Zanzibarite shipments, March",
            "Quarry Gazette",
            "Ana Ruiz",
            "2025-03-01",
        )
        assert {"value": "Quarry Gazette", "count": 1} in operations.facets(archive)["sources"]


def test_history_records_each_changed_field_with_who_and_when(settings, folder):
    ingest(settings, folder)
    with Archive(settings, write=True) as archive:
        doc = doc_of(archive, folder / "news.html")
        assert doc["author"] == "Mira Castell"
        operations.edit(archive, doc["id"], {"author": "Mira Castell", "source": "Harbour Weekly"}, who="api")
        operations.edit(archive, doc["id"], {"author": None, "tags": ["drought"]}, who="web")
        unchanged = operations.edit(archive, doc["id"], {"tags": ["drought"]}, who="cli")
        assert unchanged["changed"] == []
        history = operations.show(archive, doc["id"], with_text=False)["history"]
    rows = [(h["field"], h["old_value"], h["new_value"], h["who"]) for h in history]
    assert sorted(rows) == sorted(
        [
            ("source", doc["source"], "Harbour Weekly", "api"),  # the author was already so: not recorded
            ("author", "Mira Castell", None, "web"),
            ("tags", None, "drought", "web"),
        ]
    )
    assert [h["who"] for h in history][:2] == ["web", "web"]  # newest first
    assert all(h["at"].startswith("20") for h in history)


def test_a_re_ingest_of_a_changed_file_keeps_the_edit(settings, folder):
    ingest(settings, folder)
    with Archive(settings, write=True) as archive:
        doc = doc_of(archive, folder / "ledger.txt")
        operations.edit(archive, doc["id"], {"source": "Quarry Gazette", "tags": ["mining"]}, who="cli")
    (folder / "ledger.txt").write_text("Revised ledger\n\n" + LEDGER, encoding="utf-8")
    report = ingest(settings, folder, source="Wire desk", tags=["wire"])
    assert report.ingested == 1 and report.embedded >= 1
    with Archive(settings, write=True) as archive:
        again = doc_of(archive, folder / "ledger.txt")
        assert again["id"] == doc["id"]
        assert (again["source"], again["tags"]) == ("Quarry Gazette", ["mining"])  # the edit wins
        assert again["title"] == "Revised ledger"  # what was not edited follows the file
        assert again["provenance"]["source"] == "user" and again["provenance"]["title"] != "user"
        operations.reindex(archive)
        archive.catalog.db.execute("DELETE FROM embeddings")  # a repair re-embeds; metadata stays
        repair(archive)
        assert doc_of(archive, folder / "ledger.txt")["source"] == "Quarry Gazette"
        assert found(archive, "quillfeather", source="Quarry Gazette") == [doc["id"]]
        assert found(archive, "quillfeather", source="Wire desk") == []


def test_ingest_options_on_unchanged_files_update_metadata_without_re_embedding(settings, folder):
    ingest(settings, folder)
    with Archive(settings) as archive:
        ledger = doc_of(archive, folder / "ledger.txt")
        before = chunk_state(archive, ledger["id"])
    report = ingest(
        settings, folder / "ledger.txt", folder / "feed.jsonl", source="Iran Dossier", tags=["iran"]
    )
    assert (report.metadata_updated, report.unchanged, report.ingested) == (2, 0, 0)
    assert (report.embedded, report.documents, report.chunks) == (0, 0, 0)
    with Archive(settings) as archive:
        assert chunk_state(archive, ledger["id"]) == before
        updated = doc_of(archive, folder / "ledger.txt")
        assert (updated["source"], updated["tags"], updated["provenance"]["source"]) == (
            "Iran Dossier",
            ["iran"],
            "cli",
        )
        listed = operations.list_documents(archive, filters=Filters(source="Iran Dossier", tags=("iran",)))
        records = [row["id"] for row in archive.catalog.documents_from_file(str(folder / "feed.jsonl"))]
        assert {d["id"] for d in listed["documents"]} == {ledger["id"], *records} and len(records) == 2
        hits = found(archive, "quillfeather OR desalination OR salinity", source="Iran Dossier")
        assert set(hits) == {ledger["id"], *records}
        assert operations.show(archive, ledger["id"], with_text=False)["history"] == []  # not an edit
    again = ingest(settings, folder / "ledger.txt", source="Iran Dossier", tags=["iran"])
    assert (again.metadata_updated, again.unchanged) == (0, 1)  # nothing new to set


def test_an_edit_wins_over_ingest_options_on_an_unchanged_file(settings, folder):
    ingest(settings, folder)
    with Archive(settings, write=True) as archive:
        doc = doc_of(archive, folder / "delta.txt")
        operations.edit(archive, doc["id"], {"source": "Delta Watch"}, who="cli")
    report = ingest(settings, folder / "delta.txt", source="Iran Dossier", tags=["iran"])
    assert report.metadata_updated == 1  # the tag is new; the source stays the edited one
    with Archive(settings) as archive:
        stored = doc_of(archive, folder / "delta.txt")
        assert (stored["source"], stored["tags"]) == ("Delta Watch", ["iran"])
        assert stored["provenance"]["source"] == "user" and stored["provenance"]["tags"] == "cli"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "the ides of March"}, "date: 'the ides of March' is not a date (use YYYY-MM-DD)"),
        ({"url": "javascript:alert(1)"}, "url: 'javascript:alert(1)' is not a web address"),
        ({"tags": "x" * 201}, "tags: the tag 'xxxx"),
        ({"source": 7}, "source: must be a string"),
        ({"format": "pdf"}, "format: not an editable field"),
        ({"title": "t" * 1001}, "title: 1001 characters, at most 1000"),
    ],
)
def test_a_bad_value_names_the_field_and_the_reason(settings, folder, changes, message):
    ingest(settings, folder / "delta.txt")
    with Archive(settings, write=True) as archive:
        doc = doc_of(archive, folder / "delta.txt")
        with pytest.raises(InvalidMetadata) as raised:
            operations.edit(archive, doc["id"], changes, who="cli")
        assert message in raised.value.message and raised.value.status == 400
        assert operations.show(archive, doc["id"], with_text=False)["history"] == []
        with pytest.raises(NotFound, match="no document with id 'nope'"):
            operations.edit(archive, "nope", {"title": "x"}, who="cli")


def test_a_csv_sidecar_sets_metadata_on_first_ingest_and_on_unchanged_files(settings, folder, tmp_path):
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text(
        "path,title,source,author,date,tags\n"
        "ledger.txt,Quarry ledger (March),Quarry Gazette,Ana Ruiz,1 March 2025,mining; pass\n"
        f"{folder / 'delta.txt'},,Delta Watch,,,\n"
        "missing.txt,,Nobody,,,\n",
        encoding="utf-8",
    )
    report = ingest(settings, folder, sidecar=load_sidecar(sidecar, [str(folder)]))
    assert report.ingested == 4 and report.metadata_not_found == ["missing.txt"]
    with Archive(settings) as archive:
        ledger = doc_of(archive, folder / "ledger.txt")
        assert (ledger["title"], ledger["source"], ledger["author"], ledger["date"], ledger["tags"]) == (
            "Quarry ledger (March)",
            "Quarry Gazette",
            "Ana Ruiz",
            "2025-03-01",
            ["mining", "pass"],
        )
        assert ledger["provenance"]["source"] == "sidecar"
        delta = doc_of(archive, folder / "delta.txt")
        assert (delta["title"], delta["source"]) == ("Delta notes", "Delta Watch")  # empty cells: the file's
    sidecar.write_text("path,source\ndelta.txt,Delta Monitor\n", encoding="utf-8")
    report = ingest(settings, folder, sidecar=load_sidecar(sidecar, [str(folder)]))
    assert (report.metadata_updated, report.unchanged, report.embedded) == (1, 3, 0)
    with Archive(settings) as archive:
        assert doc_of(archive, folder / "delta.txt")["source"] == "Delta Monitor"
        assert found(archive, "salinity spillway", source="Delta Monitor") == [delta["id"]]


def test_a_json_sidecar_as_a_list_or_a_mapping(settings, folder, tmp_path):
    listed = tmp_path / "meta.json"
    listed.write_text(
        json.dumps([{"path": "ledger.txt", "source": "Quarry Gazette", "tags": ["mining", "pass"]}]),
        encoding="utf-8",
    )
    mapped = tmp_path / "more.json"
    mapped.write_text(
        json.dumps({"delta.txt": {"date": "2024-07-09", "tags": "water; delta"}}), encoding="utf-8"
    )
    ingest(settings, folder / "ledger.txt", sidecar=load_sidecar(listed, [str(folder)]))
    ingest(settings, folder / "delta.txt", sidecar=load_sidecar(mapped, [str(folder)]))
    with Archive(settings) as archive:
        ledger, delta = doc_of(archive, folder / "ledger.txt"), doc_of(archive, folder / "delta.txt")
    assert (ledger["source"], ledger["tags"]) == ("Quarry Gazette", ["mining", "pass"])
    assert (delta["date"], delta["tags"]) == ("2024-07-09", ["water", "delta"])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("m.csv", "path,autor\nledger.txt,Ana\n", "m.csv: unknown field(s) 'autor'"),
        ("m.csv", "title,source\nA,B\n", "m.csv: the first row must name the columns, one of them `path`"),
        ("m.csv", "path,date\nledger.txt,someday\n", "m.csv row 2: date: 'someday' is not a date"),
        ("m.csv", "path,source\n,Wire\n", "m.csv row 2: path: missing"),
        (
            "m.csv",
            "path,source\nledger.txt,A\nledger.txt,B\n",
            "m.csv row 3: path: ledger.txt is also described by m.csv row 2",
        ),
        ("m.csv", "path,source\nledger.txt,A,extra\n", "m.csv row 2: more values than columns"),
        ("m.json", "[{'path': 1}]", "m.json: not JSON"),
        ("m.json", '{"rows": 3}', "m.json item 1: expected an object"),
        (
            "m.json",
            '[{"path": "ledger.txt", "url": "ftp://x"}]',
            "m.json item 1: url: 'ftp://x' is not a web address",
        ),
    ],
)
def test_a_malformed_sidecar_names_the_row_and_the_reason(folder, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidMetadata) as raised:
        load_sidecar(path, [str(folder)])
    assert message in raised.value.message


def test_a_catalog_from_before_provenance_is_migrated(settings, folder):
    ingest(settings, folder / "delta.txt")
    catalog = sqlite3.connect(settings.data_dir / "catalog.sqlite3")
    before = next(n for n, sql in enumerate(MIGRATIONS) if "CREATE TABLE edits" in sql)
    catalog.executescript(
        f"DROP TABLE edits; ALTER TABLE documents DROP COLUMN provenance; PRAGMA user_version = {before};"
    )
    catalog.close()
    with Archive(settings, write=True) as archive:
        doc = doc_of(archive, folder / "delta.txt")
        assert set(doc["provenance"].values()) == {"file"}
        operations.edit(archive, doc["id"], {"source": "Delta Watch"}, who="cli")
        assert doc_of(archive, folder / "delta.txt")["provenance"]["source"] == "user"
