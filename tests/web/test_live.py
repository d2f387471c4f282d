"""The live server next to another process writing: reads go on, writes get a clear 409, and what
a CLI ingest wrote is searchable afterwards without a restart."""

from __future__ import annotations

import os
import subprocess

import requests

from archive.locking import WriteLock
from tests.conftest import lock_holder
from tests.web.conftest import ARCHIVE_BIN


def test_server_keeps_serving_while_a_cli_ingest_runs(live_server, tmp_path):
    """This test process holds the write lock, as an ingest does, for as long as the checks take
    (no race with how fast the ingest is); a CLI `ingest --wait` queued behind it runs on release."""
    note = tmp_path / "cli-note.txt"
    note.write_text("Ferry schedule\n\nThe ferry to Isle Marrowick sails twice a week from the old mole.\n")
    lock = WriteLock(live_server.data_dir)
    lock.acquire()
    ingest = None
    try:
        command = [str(ARCHIVE_BIN), "ingest", str(note), "--wait", "--no-progress"]
        ingest = subprocess.Popen(
            [*command, "--data", str(live_server.data_dir)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        assert lock_holder(live_server.data_dir) == os.getpid()
        assert live_server.get("/api/search", params={"q": "dam"}).status_code == 200
        refused = requests.post(
            live_server.url + "/api/documents",
            files={"files": ("x.txt", b"some text")},
            headers={"X-API-Key": live_server.api_key},
            timeout=30,
        )
        assert refused.status_code == 409, refused.text
        assert "ingest is already running" in refused.json()["error"]["message"]
        assert ingest.poll() is None, "the CLI ingest did not wait for the lock"
        lock.release()
        output = ingest.communicate(timeout=300)[0].decode()
        assert ingest.returncode == 0, output
    finally:
        lock.release()
        if ingest is not None and ingest.poll() is None:
            ingest.kill()
            ingest.wait()
    found = live_server.get("/api/search", params={"q": "Marrowick", "mode": "keyword"}).json()
    assert len(found["results"]) == 1 and found["results"][0]["document"]["path"] == str(note.resolve())
