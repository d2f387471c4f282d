"""Changing the archive over HTTP: API key, uploads, deletes, limits, busy lock, CSRF forms."""

from __future__ import annotations

import io
import re
import stat

import pytest

from archive.config import Settings
from archive.store import Archive
from tests.filebuilders import pdf_bytes
from tests.web.conftest import TEST_KEY
from tests.web.test_api import assert_error
from web import create_app
from web.security import API_KEY_FILE


def key_headers(app) -> dict:
    return {"Authorization": f"Bearer {app.config['API_KEY']}"}


def upload(client, app, *files, **fields):
    data = {"files": [(io.BytesIO(content), name) for name, content in files], **fields}
    return client.post(
        "/api/documents", data=data, headers=key_headers(app), content_type="multipart/form-data"
    )


def find(client, query: str) -> list[dict]:
    return client.get("/api/search", query_string={"q": query, "mode": "keyword"}).get_json()["results"]


def test_api_key_file_is_created_once_owner_only_and_printed_once(small_settings, small_app, capsys):
    path = small_settings.data_dir / API_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert small_app.config["API_KEY"] == path.read_text().strip()
    create_app(small_settings)  # a second start reads the key and does not print it again
    assert small_app.config["API_KEY"] not in capsys.readouterr().err


def test_upload_then_search_then_delete(small_app, small_client, small_settings):
    text = b"The quillfeather manifest lists twelve crates bound for the northern pass.\n"
    response = upload(
        small_client, small_app, ("quill notes.txt", text), source="Field desk", tags="ledger, north"
    )
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["ingested"] == 1 and report["failed"] == [] and report["chunks"] >= 1
    [document] = report["uploaded"]
    assert "quillfeather" in document["title"] and document["source"] == "Field desk"
    assert set(document["tags"]) == {"ledger", "north"}
    stored = small_settings.data_dir / "uploads"
    assert list(stored.glob("*")) == []  # the job is done: its folder went, the original is kept
    original = small_client.get(f"/documents/{document['id']}/original")
    assert original.status_code == 200 and original.data == text

    hits = find(small_client, "quillfeather")
    assert [h["document"]["id"] for h in hits] == [document["id"]]
    shown = small_client.get(f"/api/documents/{document['id']}").get_json()
    assert shown["original_available"] is True

    deleted = small_client.delete(f"/api/documents/{document['id']}", headers={"X-API-Key": TEST_KEY})
    assert deleted.status_code == 401
    deleted = small_client.delete(f"/api/documents/{document['id']}", headers=key_headers(small_app))
    assert deleted.status_code == 200 and deleted.get_json()["deleted"] == [document["id"]]
    assert find(small_client, "quillfeather") == []
    assert_error(small_client.get(f"/api/documents/{document['id']}"), 404)
    assert small_client.get(f"/documents/{document['id']}/original").status_code == 404
    assert_error(small_client.delete(f"/api/documents/{document['id']}", headers=key_headers(small_app)), 404)


def test_upload_of_several_formats_and_unsafe_names(small_app, small_client, small_settings):
    pdf = pdf_bytes(["Page one about the ossifrage survey.", "Page two: ossifrage nests counted."])
    response = upload(
        small_client,
        small_app,
        ("../../../etc/ossifrage.pdf", pdf),
        ("ossifrage notes.md", b"# Ossifrage\n\nNotes on the ossifrage colony.\n"),
    )
    report = response.get_json()
    assert response.status_code == 200 and report["ingested"] == 2, report
    names = sorted(d["path"].rsplit("/", 1)[-1] for d in report["uploaded"])
    assert names == ["ossifrage notes.md", "ossifrage.pdf"]
    pdf_doc = next(d for d in report["uploaded"] if d["format"] == "pdf")
    passages = small_client.get(f"/api/documents/{pdf_doc['id']}").get_json()["chunks"]
    assert [c["page"] for c in passages] == [1, 2]
    for document in report["uploaded"]:
        small_client.delete(f"/api/documents/{document['id']}", headers=key_headers(small_app))


def test_unreadable_upload_is_422_and_nothing_chosen_is_400(small_app, small_client):
    error = assert_error(upload(small_client, small_app, ("empty.txt", b"")), 422, "unreadable")
    assert "empty.txt" in error["message"]
    response = small_client.post(
        "/api/documents",
        data={"source": "x"},
        headers=key_headers(small_app),
        content_type="multipart/form-data",
    )
    assert_error(response, 400, "bad_request")
    assert_error(upload(small_client, small_app, ("", b"no name")), 400)


def test_oversize_upload_is_413_on_api_and_page(small_settings, small_archive_app_with_limit):
    app = small_archive_app_with_limit
    client = app.test_client()
    big = [("big.txt", b"x" * 300_000)]
    error = assert_error(upload(client, app, *big), 413, "too_large")
    assert "limit" in error["message"]
    page = client.post("/upload", data={"files": [(io.BytesIO(big[0][1]), "big.txt")]})
    assert page.status_code == 413 and b"Upload too large" in page.data and b"limit" in page.data


@pytest.fixture()
def small_archive_app_with_limit(small_settings):
    return create_app(small_settings, config={"MAX_CONTENT_LENGTH": 200_000})


def test_writes_are_409_while_another_process_ingests(small_app, small_client, small_settings):
    any_id = small_client.get("/api/documents?limit=1").get_json()["documents"][0]["id"]
    with Archive(small_settings, write=True):  # what a running `archive ingest` holds
        error = assert_error(upload(small_client, small_app, ("a.txt", b"some text")), 409, "busy")
        assert "ingest is already running" in error["message"]
        assert_error(
            small_client.delete(f"/api/documents/{any_id}", headers=key_headers(small_app)), 409, "busy"
        )
        assert small_client.get("/api/search?q=reservoir").status_code == 200  # reading goes on
        page = small_client.get("/upload")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
        busy_page = small_client.post(
            "/upload", data={"csrf_token": token, "files": [(io.BytesIO(b"text"), "b.txt")]}
        )
        assert busy_page.status_code == 409 and b"ingest is already running" in busy_page.data


def test_asynchronous_upload_returns_a_job(small_app, small_client):
    response = upload(
        small_client, small_app, ("later.txt", b"The wombatine cargo arrived late.\n"), wait="false"
    )
    assert response.status_code == 202
    job = response.get_json()
    assert (
        job["status"] in ("queued", "running", "done")
        and job["links"]["self"] == f"/api/jobs/{job['job_id']}"
    )
    small_app.extensions["jobs"].get(job["job_id"]).wait(60)
    finished = small_client.get(job["links"]["self"]).get_json()
    assert finished["status"] == "done" and finished["report"]["ingested"] == 1
    for document in finished["report"]["uploaded"]:
        small_client.delete(f"/api/documents/{document['id']}", headers=key_headers(small_app))
    assert_error(small_client.get("/api/jobs/nope"), 404)


def test_browser_upload_needs_a_csrf_token_and_shows_the_report(small_app, small_client):
    without = small_client.post("/upload", data={"files": [(io.BytesIO(b"text"), "a.txt")]})
    assert without.status_code == 400 and b"reload the page" in without.data
    page = small_client.get("/upload")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    files = [
        (io.BytesIO(b"The marmoset treaty was signed at dawn.\n"), "treaty.txt"),
        (io.BytesIO(b""), "blank.txt"),
    ]
    posted = small_client.post("/upload", data={"csrf_token": token, "files": files})
    assert posted.status_code == 303
    job_id = posted.headers["Location"].rsplit("/", 1)[1]
    small_app.extensions["jobs"].get(job_id).wait(60)
    report = small_client.get(posted.headers["Location"])
    html = report.data.decode()
    assert report.status_code == 200 and "Upload ingested" in html and "http-equiv" not in html
    assert "treaty" in html and "blank.txt" in html and "empty file" in html  # the per-file reason
    document_id = re.search(r'href="/documents/([0-9a-f]{16})"', html).group(1)
    page = small_client.get(f"/documents/{document_id}")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    deleted = small_client.post(f"/documents/{document_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303
    assert "Deleted" in small_client.get(deleted.headers["Location"]).data.decode()
    assert small_client.get(f"/documents/{document_id}").status_code == 404


def test_off_loopback_browser_writes_need_the_key(small_settings):
    app = create_app(small_settings, config={"BIND_HOST": "0.0.0.0"})
    client = app.test_client()
    page = client.get("/upload")
    assert page.status_code == 200 and b'name="api_key"' in page.data
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    refused = client.post("/upload", data={"csrf_token": token, "files": [(io.BytesIO(b"t"), "t.txt")]})
    assert refused.status_code == 401 and b"API key" in refused.data
    accepted = client.post(
        "/upload",
        data={
            "csrf_token": token,
            "api_key": app.config["API_KEY"],
            "files": [(io.BytesIO(b"Kestrel"), "k.txt")],
        },
    )
    assert accepted.status_code == 303
    job = app.extensions["jobs"].get(accepted.headers["Location"].rsplit("/", 1)[1])
    job.wait(60)
    assert b'name="api_key"' not in client.get("/upload").data  # remembered for this session
    for document in job.report["uploaded"]:
        client.delete(f"/api/documents/{document['id']}", headers=key_headers(app))


def test_a_fresh_data_folder_serves_and_takes_a_first_upload(tmp_path):
    app = create_app(Settings.from_env(tmp_path / "fresh"))
    client = app.test_client()
    assert "The archive is empty" in client.get("/").data.decode()
    body = client.get("/api/search?q=anything").get_json()
    assert body["total"] == 0 and body["notices"]
    text = b"The first document of a new archive mentions heliotrope.\n"
    assert upload(client, app, ("first.txt", text)).get_json()["ingested"] == 1
    assert client.get("/healthz").get_json()["generation"] == 1
    assert [r["document"]["format"] for r in find(client, "heliotrope")] == ["text"]


def test_a_proxy_name_is_served_and_then_forms_need_the_key(small_settings):
    app = create_app(small_settings, config={"EXTRA_HOSTS": ["archive.example.org"]})
    client = app.test_client()
    for host in ("archive.example.org", "[::1]:8080", "localhost:8080"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200
    assert_error(client.get("/healthz", headers={"Host": "elsewhere.example"}), 400, "untrusted_host")
    assert b'name="api_key"' in client.get("/upload").data


def test_serving_off_loopback_warns_and_makes_forms_ask_for_the_key(small_settings, monkeypatch, capsys):
    import waitress

    from web import server

    started = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **options: started.update(app=app, **options))
    server.serve(small_settings, host="0.0.0.0", port=8099)
    assert "warning: serving on 0.0.0.0" in capsys.readouterr().err
    assert started["host"] == "0.0.0.0" and started["app"].config["FORMS_NEED_KEY"] is True
    assert started["max_request_body_size"] > started["app"].config["MAX_CONTENT_LENGTH"]
