"""`archive check` finds every disagreement between catalog and indexes; `--repair` fixes it
from the catalog without embedding anything again."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from archive import generations
from archive.catalog import open_catalog
from archive.check import check, repair
from archive.cli import cli
from archive.store import Archive
from tests.archive.test_ingest import build_folder
from tests.conftest import ingest


def test_consistent_archive_passes(tmp_path, settings):
    ingest(settings, build_folder(tmp_path / "in"))
    with Archive(settings, write=True) as archive:
        report = check(archive)
    assert report["ok"] and report["findings"] == []
    assert report["keyword"]["indexed"] == report["vector"]["indexed"] == report["chunks"]


def corrupt(archive):
    """Drop two chunks from the keyword index, add a stray vector and a duplicate keyword entry."""
    ids = sorted(archive.catalog.chunk_ids())
    seq = archive.catalog.last_seq()
    archive.keyword.apply([], ids[:2], seq)
    stray = np.ones((1, archive.manifest.model["dimension"]), dtype=np.float32)
    archive.vector.apply(np.array([10**9], dtype=np.int64), stray / np.linalg.norm(stray), [], seq)
    writer = archive.keyword._index.writer()
    from indexer.keyword import index_fields

    writer.add_document(**index_fields(archive.catalog.index_rows([ids[3]])[0]))
    writer.commit()
    return ids


def test_disagreements_are_found_and_repaired_without_reembedding(tmp_path, settings):
    ingest(settings, build_folder(tmp_path / "in"))
    with Archive(settings, write=True) as archive:
        ids = corrupt(archive)
        report = check(archive)
        assert not report["ok"]
        assert report["keyword"]["missing"] == 2 and report["keyword"]["sample"]["missing"] == ids[:2]
        assert report["keyword"]["duplicates"] == 1 and report["vector"]["extra"] == 1
        repaired = repair(archive)
        assert repaired["embedded"] == 0 and not repaired["rebuilt"]
        assert repaired["keyword"] == {"added": 2, "removed": 0, "deduplicated": 1}
        assert repaired["vector"] == {"added": 0, "removed": 1, "deduplicated": 0}
        after = check(archive)
        assert after["ok"], after


def test_cli_exit_status_and_json(tmp_path, settings):
    ingest(settings, build_folder(tmp_path / "in"))
    with Archive(settings, write=True) as archive:
        corrupt(archive)
    runner = CliRunner()
    failing = runner.invoke(cli, ["check", "--json", "--data", str(settings.data_dir)])
    assert failing.exit_code == 1 and json.loads(failing.output)["ok"] is False
    fixed = runner.invoke(cli, ["check", "--repair", "--data", str(settings.data_dir)])
    assert fixed.exit_code == 0 and "repaired" in fixed.output
    assert runner.invoke(cli, ["check", "--data", str(settings.data_dir)]).exit_code == 0


def test_lost_index_generation_is_rebuilt_by_repair(tmp_path, settings):
    import shutil

    ingest(settings, build_folder(tmp_path / "in"))
    catalog = open_catalog(settings.data_dir)  # the record of the current generation is lost
    generations.forget(catalog)
    catalog.close()
    shutil.rmtree(settings.data_dir / "indexes")
    with Archive(settings, write=True) as archive:
        assert not check(archive)["ok"]
        assert repair(archive)["rebuilt"]
        after = check(archive)
        assert after["ok"], after


def test_archive_from_before_sentence_vectors_is_upgraded_by_repair(tmp_path, settings):
    """A catalog at schema 1 (no sentence vectors) opens, migrates, searches with the rough
    fallback, is reported by check, and repair embeds exactly its chunks' sentences."""
    import sqlite3

    from archive.search import SearchRequest, SearchService

    ingest(settings, build_folder(tmp_path / "in"))
    with Archive(settings) as archive:
        fresh = SearchService(archive).search(SearchRequest("ceasefire talks", mode="semantic", k=5))
    catalog = sqlite3.connect(settings.data_dir / "catalog.sqlite3")
    catalog.executescript(  # back to schema 1: what later migrations added goes too
        "DROP TABLE sentence_vectors; DROP INDEX documents_original; "
        "ALTER TABLE documents DROP COLUMN original_sha256; ALTER TABLE documents DROP COLUMN original_copy; "
        "DROP TABLE edits; ALTER TABLE documents DROP COLUMN provenance; "
        "PRAGMA user_version = 1;"
    )
    catalog.close()
    with Archive(settings, write=True) as archive:
        report = check(archive)
        chunks = report["chunks"]
        assert not report["ok"] and report["sentence_vectors_missing"] == chunks > 0
        assert any("sentence vectors" in finding for finding in report["findings"])
        old = SearchService(archive).search(SearchRequest("ceasefire talks", mode="semantic", k=5))
        assert old["results"] and all(p["highlights"] for r in old["results"] for p in r["passages"])
        assert repair(archive)["embedded"] == chunks  # sentences only: chunk vectors were kept
        assert check(archive)["ok"]
        again = SearchService(archive).search(SearchRequest("ceasefire talks", mode="semantic", k=5))
    ranking = [(r["document"]["id"], [p["id"] for p in r["passages"]]) for r in again["results"]]
    assert ranking == [(r["document"]["id"], [p["id"] for p in r["passages"]]) for r in fresh["results"]]
