"""An archive made before the catalog kept the manifest and the indexes' progress (both were files
beside the indexes) opens, searches, and moves them into the catalog on the first write."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict

from archive import generations
from archive.search import SearchRequest, SearchService
from archive.store import Archive
from indexer.manifest import MANIFEST_FILE
from tests.conftest import SEED, ingest


def _as_an_older_version_left_it(settings) -> dict:
    """Put the manifest back in manifest.json and drop the catalog's records of it and of progress."""
    with Archive(settings) as archive:
        manifest = asdict(archive.manifest)
    (settings.data_dir / MANIFEST_FILE).write_text(json.dumps(manifest))
    with sqlite3.connect(settings.data_dir / "catalog.sqlite3") as db:
        db.execute("DELETE FROM meta WHERE key = ?", (generations.MANIFEST_KEY,))
        db.execute("DELETE FROM index_progress")
    db.close()
    return manifest


def test_an_archive_with_manifest_and_state_files_is_migrated(settings, tmp_path):
    ingest(settings, SEED)
    manifest = _as_an_older_version_left_it(settings)
    with Archive(settings) as reader:  # a reader takes the file as it is
        assert reader.manifest.generation == manifest["generation"]
        assert reader.catalog.get_meta(generations.MANIFEST_KEY) is None
        found = SearchService(reader).search(SearchRequest("Qaani", mode="keyword"))
        assert found["total"] >= 1
    other = tmp_path / "other.txt"
    other.write_text("The Velmora reservoir was drained in the spring of 2023.\n")
    ingest(settings, other)  # a writer: the manifest moves into the catalog, the file goes
    assert not (settings.data_dir / MANIFEST_FILE).exists()
    with Archive(settings) as archive:
        assert archive.manifest.generation == manifest["generation"]
        seq = archive.catalog.last_seq()
        progress = [archive.catalog.index_progress(n, manifest["generation"]) for n in ("keyword", "vector")]
        assert progress == [seq, seq] and archive.catalog.counts().pending_index_updates == 0
        for query in ("Qaani", "Velmora"):
            assert SearchService(archive).search(SearchRequest(query, mode="keyword"))["total"] >= 1


def test_readers_follow_a_new_generation_recorded_in_the_catalog(settings):
    ingest(settings, SEED)
    with Archive(settings) as reader:
        before = reader.manifest.generation
        with Archive(settings, write=True) as writer:
            writer.rebuild()
        reader.refresh()
        assert reader.manifest.generation == before + 1
        assert SearchService(reader).search(SearchRequest("Qaani", mode="keyword"))["total"] >= 1
