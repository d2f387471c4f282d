"""What the archive serves as a document's original, and what it never ingests (issue 18, point 1):
links out of the named folders, data folders, files changed or replaced after ingest."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import operations
from archive.check import check, repair
from archive.cli import cli
from archive.config import Settings
from archive.originals import ORIGINALS_FOLDER, TEMPORARY_PREFIX, OriginalChanged, OriginalStore
from archive.store import Archive
from tests.conftest import ingest

NOTE = "The Velmora ferry timetable changed on Monday for the winter season.\n"
SECRET = "kestrelwood password file that must never be ingested\n"


def documents(settings: Settings) -> list[dict]:
    with Archive(settings) as archive:
        return operations.list_documents(archive, limit=100)["documents"]


def served(settings: Settings, doc_id: str) -> bytes | None:
    """The bytes a download of the document's original would send (None: not available)."""
    with Archive(settings) as archive:
        original = operations.original_file(archive, doc_id)
    if original is None:
        return None
    with original.stream as stream:
        return stream.read()


def only_document(settings: Settings) -> dict:
    [document] = documents(settings)
    return document


def stored_copies(settings: Settings) -> list[str]:
    return sorted(sha for sha, _ in OriginalStore(settings.data_dir).kept())


# -- what is never ingested ------------------------------------------------------------------------


def test_links_to_an_outside_file_and_folder_are_skipped_with_the_reason(tmp_path, settings):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(SECRET)
    (outside / "folder").mkdir()
    (outside / "folder" / "other.txt").write_text(SECRET)
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "note.txt").write_text(NOTE)
    os.symlink(outside / "passwd", folder / "passwd.txt")
    os.symlink(outside / "folder", folder / "elsewhere")
    os.symlink(folder / "sub", folder / "inside")  # stays inside the named folder: followed

    report = ingest(settings, folder)

    assert report.failed == [] and report.exit_code == 0
    skipped = dict(report.skipped)
    assert set(skipped) == {str(folder / "passwd.txt"), str(folder / "elsewhere")}, skipped
    assert skipped[str(folder / "passwd.txt")] == (
        f"a symbolic link to {outside / 'passwd'}, outside the folders given: not followed"
    )
    assert "outside the folders given" in skipped[str(folder / "elsewhere")]
    assert [d["path"] for d in documents(settings)] == [str(folder / "sub" / "note.txt")]


def test_ingest_dot_skips_the_default_data_folder_and_other_archives(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCHIVE_DATA", raising=False)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "note.txt").write_text(NOTE)
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", "docs"], catch_exceptions=False).exit_code == 0
    (tmp_path / "data" / "api_key").write_text("sk-0123456789abcdef\n")  # as `archive serve` leaves it
    other = tmp_path / "backup" / "old-data"
    other.mkdir(parents=True)
    (other / "catalog.sqlite3").write_bytes(b"SQLite format 3\x00")
    (other / "api_key").write_text("another secret\n")

    result = runner.invoke(cli, ["ingest", ".", "--json"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    paths = [d["path"] for d in documents(Settings.from_env(tmp_path / "data"))]
    assert paths == [str(tmp_path / "docs" / "note.txt")]
    skipped = {item["path"]: item["reason"] for item in json.loads(result.output)["skipped"]}
    assert skipped == {
        "./data": "inside this archive's data folder: never ingested",
        "./backup/old-data": "an archive's data folder (it holds catalog.sqlite3): never ingested",
    }
    named = runner.invoke(cli, ["ingest", "data/api_key", "data/manifest.json"], catch_exceptions=False)
    assert named.exit_code == 0 and "never ingested" in named.output
    assert len(documents(Settings.from_env(tmp_path / "data"))) == 1


# -- what is served ----------------------------------------------------------------------------


def test_an_original_edited_after_ingest(tmp_path):
    kept = Settings.from_env(tmp_path / "kept")
    checked = Settings.from_env(tmp_path / "checked", copy_originals=False)
    for settings in (kept, checked):
        source = tmp_path / f"{settings.data_dir.name}.txt"
        source.write_text(NOTE)
        ingest(settings, source)
        source.write_text(NOTE.replace("Monday", "Friday"))
    assert served(kept, only_document(kept)["id"]) == NOTE.encode()  # the copy: what was ingested
    with pytest.raises(OriginalChanged, match="changed since it was ingested") as error:
        served(checked, only_document(checked)["id"])
    assert error.value.status == 409 and "checked.txt" in error.value.message


def test_an_original_replaced_by_a_link_to_the_api_key_never_serves_the_key(tmp_path):
    settings = Settings.from_env(tmp_path / "data", copy_originals=False)
    source = tmp_path / "note.txt"
    source.write_text(NOTE)
    ingest(settings, source)
    key = settings.data_dir / "api_key"
    key.write_text("sk-must-not-leak\n")
    source.unlink()
    os.symlink(key, source)
    doc_id = only_document(settings)["id"]
    assert served(settings, doc_id) is None
    with Archive(settings) as archive:
        assert operations.describe(archive, doc_id)["original_available"] is False


def test_a_file_name_that_is_not_utf8_round_trips(tmp_path):
    copied = Settings.from_env(tmp_path / "a")
    by_path = Settings.from_env(tmp_path / "b", copy_originals=False)
    for settings in (copied, by_path):
        folder = tmp_path / f"in-{settings.data_dir.name}"
        folder.mkdir()
        raw = os.path.join(os.fsencode(folder), b"caf\xe9 \xff.txt")
        with open(raw, "wb") as handle:
            handle.write(NOTE.encode())
        report = ingest(settings, folder)
        assert report.failed == [] and report.ingested == 1
        document = only_document(settings)
        assert document["path"] == f"{folder}/caf\\xe9 \\xff.txt"
        with Archive(settings) as archive:
            shown = operations.describe(archive, document["id"])
            original = operations.original_file(archive, document["id"])
        assert shown["original_available"] is True and shown["path"] == document["path"]
        assert original is not None and original.name == "caf\ufffd \ufffd.txt"
        assert served(settings, document["id"]) == NOTE.encode()


# -- the store: deduplicated, released, counted, checked ------------------------------------------


def test_copies_are_shared_counted_and_released(tmp_path, settings):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(NOTE)
    (folder / "b.txt").write_text("A second note about the Tamar Narrows crossing.\n")
    ingest(settings, folder)
    (folder / "copy-of-a.txt").write_text(NOTE)  # a duplicate: no second copy
    ingest(settings, folder)
    assert len(stored_copies(settings)) == 2 and not OriginalStore(settings.data_dir).strays()
    with Archive(settings) as archive:
        figures = operations.stats(archive)["originals"]
    size = len(NOTE.encode()) + len("A second note about the Tamar Narrows crossing.\n")
    assert figures == {"stored": 2, "stored_bytes": size, "documents_copied": 2, "documents_by_path": 0}

    before = set(stored_copies(settings))
    (folder / "b.txt").write_text("The Tamar Narrows crossing reopened after the storm.\n")
    ingest(settings, folder)  # a changed file: its old copy goes, the new one is kept
    after = set(stored_copies(settings))
    assert len(after) == 2 and len(after - before) == 1 and len(before - after) == 1

    a_doc = next(d for d in documents(settings) if d["path"].endswith("/a.txt"))
    with Archive(settings, write=True) as archive:
        operations.delete(archive, [a_doc["id"]])
    assert len(stored_copies(settings)) == 1
    with Archive(settings, write=True) as archive:
        assert check(archive)["ok"]


def test_check_finds_orphan_missing_and_unfinished_copies_and_repair_fixes_them(tmp_path, settings):
    source = tmp_path / "note.txt"
    source.write_text(NOTE)
    ingest(settings, source)
    store = OriginalStore(settings.data_dir)
    [(sha, path)] = list(store.kept())
    path.unlink()  # lost
    orphan = store.path_of("ab" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_text("left behind by a kill between copy and commit")
    (path.parent / f"{TEMPORARY_PREFIX}x1").write_text("half a copy")

    with Archive(settings, write=True) as archive:
        report = check(archive)
        assert not report["ok"]
        assert report["originals"] == {"stored": 1, "missing": 1, "orphans": 1, "strays": 1}
        assert sum("originals:" in finding for finding in report["findings"]) == 3
        assert repair(archive)["originals"] == {"orphans_removed": 2, "restored": 1, "unrecoverable": 0}
        assert check(archive)["ok"]
    assert stored_copies(settings) == [sha]

    store.path_of(sha).unlink()
    source.write_text("changed: the copy cannot be restored from this any more\n")
    with Archive(settings, write=True) as archive:
        assert repair(archive)["originals"]["unrecoverable"] == 1
        assert check(archive)["ok"]
    with pytest.raises(OriginalChanged):  # served from the path from now on: checked, refused
        served(settings, only_document(settings)["id"])


def test_an_archive_from_before_copies_checks_its_originals_by_hash(tmp_path):
    settings = Settings.from_env(tmp_path / "data")
    kept, edited = tmp_path / "kept.txt", tmp_path / "edited.txt"
    kept.write_text(NOTE)
    edited.write_text("The envoy's statement on the strait, as first published.\n")
    ingest(settings, kept, edited, copy_originals=False)
    catalog = sqlite3.connect(settings.data_dir / "catalog.sqlite3")
    catalog.executescript(
        "DROP INDEX documents_original; ALTER TABLE documents DROP COLUMN original_sha256; "
        "ALTER TABLE documents DROP COLUMN original_copy; "
        "DROP TABLE edits; ALTER TABLE documents DROP COLUMN provenance; PRAGMA user_version = 2;"
    )
    catalog.close()
    edited.write_text("The envoy's statement, quietly rewritten later.\n")
    by_name = {Path(d["path"]).name: d["id"] for d in documents(settings)}  # migrates
    assert served(settings, by_name["kept.txt"]) == NOTE.encode()
    with pytest.raises(OriginalChanged):
        served(settings, by_name["edited.txt"])
    assert not (settings.data_dir / ORIGINALS_FOLDER).exists()


def test_no_copy_from_the_command_line_and_copies_left_by_a_killed_ingest(tmp_path, settings):
    source = tmp_path / "note.txt"
    source.write_text(NOTE)
    runner = CliRunner()
    result = runner.invoke(
        cli, ["ingest", str(source), "--no-copy", "--data", str(settings.data_dir)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    with Archive(settings) as archive:
        assert operations.stats(archive)["originals"] == {
            "stored": 0,
            "stored_bytes": 0,
            "documents_copied": 0,
            "documents_by_path": 1,
        }
    # A kill between copying and committing: the run stays `running`, its copies are used by nothing.
    store = OriginalStore(settings.data_dir)
    with Archive(settings, write=True) as archive:
        archive.catalog.start_run("ingest killed")
    left = tmp_path / "left.txt"
    left.write_text("copied, never committed")
    store.put(left, hashlib.sha256(left.read_bytes()).hexdigest())
    (store.root / "ab").mkdir()
    (store.root / "ab" / f"{TEMPORARY_PREFIX}half").write_text("half a copy")
    checked = runner.invoke(
        cli, ["check", "--json", "--data", str(settings.data_dir)], catch_exceptions=False
    )
    assert checked.exit_code == 0 and json.loads(checked.output)["originals"]["orphans"] == 0
    assert stored_copies(settings) == [] and store.strays() == []
