"""A request over a limit is told which one: the request size, the number of form parts, or the
size of one text field (all three were "larger than the 64 MB limit")."""

from __future__ import annotations

import pytest

from archive.config import Settings
from web import create_app

KEY = "limits-test-key-0123456789"
BOUNDARY = "archive-test-boundary"


def multipart(parts: list[tuple[str, str | None, bytes]]) -> bytes:
    """A multipart/form-data body of (field name, file name or None, content) parts."""
    chunks = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        chunks.append(head + content + b"\r\n")
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = Settings.from_env(tmp_path_factory.mktemp("limits") / "data")
    app = create_app(settings, config={"API_KEY": KEY, "MAX_CONTENT_LENGTH": 2 * 2**20})
    yield app.test_client()
    app.extensions["archive"].close()


def post(client, path: str, body: bytes, json: bool = True):
    headers = {"Authorization": f"Bearer {KEY}"}
    if not json:
        headers["Accept"] = "text/html"
    return client.post(
        path, data=body, headers=headers, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def test_too_many_parts_names_the_parts_limit(client):
    body = multipart([(f"f{i}", f"{i}.txt", b"x") for i in range(1500)])
    response = post(client, "/api/documents", body)
    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    message = response.get_json()["error"]["message"]
    assert "1,000 parts" in message and "MB" not in message, message


def test_a_large_text_field_names_the_field_limit(client):
    body = multipart([("source", None, b"s" * 600_000), ("files", "a.txt", b"hello")])
    response = post(client, "/api/documents", body)
    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    message = response.get_json()["error"]["message"]
    assert "500 KB" in message and "form field" in message and "MB" not in message, message


def test_a_large_request_names_the_request_limit(client):
    body = multipart([("files", "big.txt", b"x" * (3 * 2**20))])
    response = post(client, "/api/documents", body)
    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    assert "2 MB limit" in response.get_json()["error"]["message"]


def test_the_upload_page_says_the_same(client):
    body = multipart([(f"f{i}", f"{i}.txt", b"x") for i in range(1500)])
    page = post(client, "/upload", body, json=False)
    assert page.status_code == 413 and "1,000 parts" in page.get_data(as_text=True)
