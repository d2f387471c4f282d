"""Readers and a second writer while a real `archive ingest` process is writing."""

from __future__ import annotations

import sqlite3
import subprocess
import time

import pytest

from archive.search import SearchRequest, SearchService
from archive.store import Archive
from tests.archive.test_crash import ARCHIVE, run
from tests.conftest import REPO, ingest, lock_holder


@pytest.fixture()
def busy_archive(tmp_path, settings, corpus_copy):
    """An archive with one note, and an `archive ingest` of the sample collection running into it."""
    first = tmp_path / "first"
    first.mkdir()
    (first / "note.txt").write_text("Convoy schedule through the Tamar Narrows, March.", encoding="utf-8")
    ingest(settings, first)
    process = subprocess.Popen(
        [*ARCHIVE, "ingest", str(corpus_copy), "--data", str(settings.data_dir)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield settings, process, corpus_copy
    process.kill()
    process.wait()


def test_searches_answer_during_an_ingest_and_never_see_half_written_state(busy_archive):
    settings, process, _ = busy_archive
    seen: set[int] = set()
    answers = 0
    with Archive(settings) as archive:
        service = SearchService(archive)
        while process.poll() is None or answers < 5:
            for mode in ("keyword", "semantic", "hybrid"):
                response = service.search(SearchRequest(query="Karsul dam flood Qahtan Baroudi", mode=mode))
                answers += 1
                for result in response["results"]:
                    stored = archive.catalog.document(result["document"]["id"])
                    for passage in result["passages"]:
                        assert stored["text"][passage["start"] : passage["end"]] == passage["text"]
                        seen.add(passage["id"])
            time.sleep(0.05)
        out, err = process.communicate()
        assert process.returncode == 0, err[-2000:]
        final = service.search(SearchRequest(query="Karsul dam flood Qahtan Baroudi", k=10))
    assert answers >= 5 and len(final["results"]) == 10  # the ingest's documents became visible
    with sqlite3.connect(settings.data_dir / "catalog.sqlite3") as db:
        assert seen <= {row[0] for row in db.execute("SELECT id FROM chunks")}


def test_a_second_ingest_is_told_one_is_running_or_waits(busy_archive, tmp_path):
    settings, process, _ = busy_archive
    other = tmp_path / "other"
    other.mkdir()
    (other / "late.txt").write_text("A late dispatch on the Ras Numan desalination plant.", encoding="utf-8")
    deadline = time.monotonic() + 120  # the first ingest loads the model, then takes the write lock
    while lock_holder(settings.data_dir) != process.pid:
        assert process.poll() is None and time.monotonic() < deadline, "the first ingest never took the lock"
        time.sleep(0.05)
    refused = run("ingest", other, "--data", settings.data_dir)
    assert process.poll() is None, "the first ingest ended too soon for this test"
    assert refused.returncode == 1
    assert "another process is writing to this archive" in refused.stderr and "pid" in refused.stderr
    waited = run("ingest", other, "--wait", "--data", settings.data_dir)
    assert waited.returncode == 0 and "1 ingested" in waited.stdout
    assert process.wait(timeout=300) == 0
