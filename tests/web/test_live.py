"""The live server next to a CLI ingest in another process: reads go on, writes get a clear 409,
and what the CLI ingested is searchable afterwards without a restart."""

from __future__ import annotations

import json
import subprocess
import time

import requests

from tests.web.conftest import ARCHIVE_BIN


def lock_holder(data_dir) -> int | None:
    try:
        return json.loads((data_dir / "write.lock").read_text() or "{}").get("pid")
    except (FileNotFoundError, ValueError):
        return None


def test_server_keeps_serving_while_a_cli_ingest_runs(live_server, tmp_path):
    note = tmp_path / "cli-note.txt"
    note.write_text("Ferry schedule\n\nThe ferry to Isle Marrowick sails twice a week from the old mole.\n")
    ingest = subprocess.Popen(
        [str(ARCHIVE_BIN), "ingest", str(note), "--data", str(live_server.data_dir), "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while lock_holder(live_server.data_dir) != ingest.pid and ingest.poll() is None:
            assert time.monotonic() < deadline, "the CLI ingest never took the write lock"
            time.sleep(0.05)
        if ingest.poll() is None:  # still holding the lock: the server must stay useful
            assert live_server.get("/api/search", params={"q": "dam"}).status_code == 200
            refused = requests.post(
                live_server.url + "/api/documents",
                files={"files": ("x.txt", b"some text")},
                headers={"X-API-Key": live_server.api_key},
                timeout=30,
            )
            if ingest.poll() is None:
                assert refused.status_code == 409, refused.text
                assert "ingest is already running" in refused.json()["error"]["message"]
        output = ingest.communicate(timeout=120)[0].decode()
        assert ingest.returncode == 0, output
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.wait()
    found = live_server.get("/api/search", params={"q": "Marrowick", "mode": "keyword"}).json()
    assert len(found["results"]) == 1 and found["results"][0]["document"]["path"] == str(note.resolve())
