"""Downloading originals from a live `archive serve` (issue 18, points 1 and 4): odd file names get
sanitised RFC 6266/5987 headers, a changed or swapped original serves nothing; and upload folders
do not outlive their jobs (point 6)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from archive.config import Settings
from tests.conftest import ingest
from tests.web.conftest import start_server, stop_server
from tests.web.test_api_write import key_headers, upload
from web import create_app, uploads

NEWLINE_NAME = "line\nbreak.txt"
CR_NAME = "carriage\rreturn.txt"
LATIN1_NAME = b"caf\xe9 r\xe9sum\xe9.txt"  # not UTF-8
KEY = "sk-live-0123456789-must-not-leak"


def text(label: str) -> bytes:
    return f"The {label} note on the Velmora ferry timetable, kept for the download test.\n".encode()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A live server over an archive of oddly named files (copies kept) and of two files served from
    their path (no copy): one edited after ingest, one replaced by a link to the API key."""
    root = tmp_path_factory.mktemp("downloads")
    data = root / "data"
    odd = root / "odd"
    odd.mkdir()
    for name in (NEWLINE_NAME, CR_NAME):
        (odd / name).write_bytes(text(name))
    with open(os.path.join(os.fsencode(odd), LATIN1_NAME), "wb") as handle:
        handle.write(text("latin-1"))
    by_path = root / "by-path"
    by_path.mkdir()
    (by_path / "edited.txt").write_bytes(text("edited"))
    (by_path / "swapped.txt").write_bytes(text("swapped"))
    assert ingest(Settings.from_env(data), odd).failed == []
    assert ingest(Settings.from_env(data), by_path, copy_originals=False).failed == []
    (data / "api_key").write_text(KEY + "\n")
    os.chmod(data / "api_key", 0o600)
    (by_path / "edited.txt").write_bytes(text("edited, then rewritten"))
    (by_path / "swapped.txt").unlink()
    os.symlink(data / "api_key", by_path / "swapped.txt")
    server = start_server(data, root / "server.log")
    listing = server.get("/api/documents?limit=100").json()["documents"]
    yield server, {Path(d["path"]).name: d["id"] for d in listing}
    stop_server(server)


@pytest.mark.parametrize(
    ("name", "content", "header"),
    [
        (NEWLINE_NAME, text("line\nbreak.txt"), 'attachment; filename="line break.txt"'),
        (CR_NAME, text("carriage\rreturn.txt"), 'attachment; filename="carriage return.txt"'),
        (
            "caf\\xe9 r\\xe9sum\\xe9.txt",
            text("latin-1"),
            'attachment; filename="caf rsum.txt"; '
            "filename*=UTF-8''caf%EF%BF%BD%20r%EF%BF%BDsum%EF%BF%BD.txt",
        ),
    ],
)
def test_an_odd_file_name_downloads_with_a_clean_header(served, name, content, header):
    server, ids = served
    response = server.get(f"/documents/{ids[name]}/original")
    assert response.status_code == 200, response.text
    assert response.content == content
    assert response.headers["Content-Disposition"] == header
    assert response.headers["Content-Type"].startswith("text/plain")
    page = server.get(f"/documents/{ids[name]}")
    assert page.status_code == 200 and "Download original" in page.text


def test_an_original_replaced_by_a_link_to_the_api_key_serves_nothing(served):
    server, ids = served
    for accept in ("text/html", "application/json"):
        response = server.get(f"/documents/{ids['swapped.txt']}/original", headers={"Accept": accept})
        assert response.status_code == 404 and KEY not in response.text
    assert response.json()["error"]["code"] == "not_found"
    detail = server.get(f"/api/documents/{ids['swapped.txt']}").json()
    assert detail["original_available"] is False


def test_an_original_edited_since_ingest_is_a_409_that_says_so(served):
    server, ids = served
    url = f"/documents/{ids['edited.txt']}/original"
    api = server.get(url, headers={"Accept": "application/json"})
    assert api.status_code == 409
    error = api.json()["error"]
    assert error["code"] == "original_changed" and "changed since it was ingested" in error["message"]
    page = server.get(url)
    assert page.status_code == 409 and "changed since it was ingested" in page.text
    assert "rewritten" not in page.text


# -- upload folders ------------------------------------------------------------------------------


def job_folders(app) -> list[Path]:
    folder = app.extensions["archive"].data_dir / uploads.UPLOADS_FOLDER
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_upload_folders_go_once_their_job_is_done_or_failed(small_app, small_client):
    content = b"The mangrove survey counted nine hundred herons on the Velmora delta.\n"
    first = upload(small_client, small_app, ("herons.txt", content))
    assert first.status_code == 200 and job_folders(small_app) == []
    [document] = first.get_json()["uploaded"]
    assert small_client.get(f"/documents/{document['id']}/original").data == content

    duplicate = upload(small_client, small_app, ("herons again.txt", content))
    assert duplicate.status_code == 200 and duplicate.get_json()["duplicates"] == 1
    assert job_folders(small_app) == []
    unreadable = upload(small_client, small_app, ("empty.txt", b""))
    assert unreadable.status_code == 422 and job_folders(small_app) == []

    small_client.delete(f"/api/documents/{document['id']}", headers=key_headers(small_app))


def test_start_up_removes_what_dead_jobs_left_but_not_running_ones(small_settings, small_app):
    root = small_settings.data_dir / uploads.UPLOADS_FOLDER
    dead = root / "20260101-000000-deadbeef"
    dead.mkdir(parents=True)
    (dead / "half-uploaded.pdf").write_bytes(b"%PDF-1.4 cut short")
    (dead / uploads.CLAIM_FILE).touch()  # its server died: nobody holds the claim
    running = root / "20260101-000000-0badcafe"
    running.mkdir()
    (running / "arriving.txt").write_bytes(b"still being ingested by another server")
    claim = uploads._claim(running / uploads.CLAIM_FILE)
    try:
        create_app(small_settings)
        assert not dead.exists()
        assert (running / "arriving.txt").exists()
    finally:
        os.close(claim)
    create_app(small_settings)
    assert not running.exists()


def test_a_sweep_keeps_an_upload_that_is_the_only_original_of_a_document(tmp_path):
    folder = tmp_path / "uploads" / "20250101-000000-00000001"
    folder.mkdir(parents=True)
    (folder / "legacy.txt").write_text("uploaded before copies were kept")
    (folder / "stray.txt").write_text("a duplicate nobody needs")
    removed = uploads.sweep(tmp_path / "uploads", {uploads.printable_path(folder.resolve() / "legacy.txt")})
    assert removed == 1 and sorted(p.name for p in folder.iterdir()) == ["legacy.txt"]


def test_upload_folder_goes_when_the_job_fails(tmp_path):
    settings = Settings.from_env(tmp_path / "data")
    (tmp_path / "seed.txt").write_text("A seed note so that the archive has a model on record.\n")
    ingest(settings, tmp_path / "seed.txt")
    with sqlite3.connect(settings.data_dir / "catalog.sqlite3") as db:  # embeddings of another model
        db.execute(
            "UPDATE meta SET value = ? WHERE key = 'embedding_model'",
            (json.dumps({"name": "another-model", "fingerprint": "x", "dimension": 768}),),
        )
    app = create_app(settings)
    response = upload(app.test_client(), app, ("heron.txt", b"The heron count rose again this spring.\n"))
    assert response.get_json()["error"]["code"] == "index_mismatch", response.get_json()
    assert job_folders(app) == []
