"""Editing metadata over HTTP: PATCH /api/documents/<id> (API key), the document page's form
(CSRF; the key off loopback), provenance and history in the document's JSON, the OpenAPI entry."""

from __future__ import annotations

import re

import pytest

from archive.metadata import EDITABLE_FIELDS
from archive.store import Archive
from tests.web.test_api import assert_error
from tests.web.test_api_write import key_headers, upload
from web import create_app

NOTE = b"The heronsbill survey counted nine nests on the eastern dyke before the flood.\n"


@pytest.fixture()
def uploaded(small_app, small_client):
    """A document of its own in the shared small archive, deleted afterwards."""
    response = upload(small_client, small_app, ("heronsbill.txt", NOTE), source="Field desk", tags="birds")
    assert response.status_code == 200, response.get_json()
    [document] = response.get_json()["uploaded"]
    yield document
    small_client.delete(f"/api/documents/{document['id']}", headers=key_headers(small_app))


def patch(client, app, doc_id: str, body, **headers):
    return client.patch(f"/api/documents/{doc_id}", json=body, headers=headers or key_headers(app))


def search(client, **args) -> list[str]:
    response = client.get("/api/search", query_string={"q": "heronsbill", "mode": "keyword", **args})
    return [r["document"]["id"] for r in response.get_json()["results"]]


def csrf_token(client, path: str) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', client.get(path).data).group(1).decode()


def test_patch_edits_metadata_records_history_and_moves_the_search_filters(small_app, small_client, uploaded):
    doc_id = uploaded["id"]
    assert search(small_client, source="Field desk") == [doc_id]
    response = patch(
        small_client,
        small_app,
        doc_id,
        {"source": "Wetland Trust", "date": "2024-06-02", "tags": ["birds", "dykes"], "author": None},
    )
    assert response.status_code == 200, response.get_json()
    edited = response.get_json()
    assert edited["document"]["source"] == "Wetland Trust" and edited["document"]["date"] == "2024-06-02"
    assert [c["field"] for c in edited["changed"]] == ["source", "date", "tags"]  # author was empty already
    assert edited["provenance"]["source"] == "user" and edited["provenance"]["title"] != "user"
    assert search(small_client, source="Wetland Trust") == [doc_id]
    assert search(small_client, source="Field desk") == []
    assert search(small_client, tag="dykes", date_from="2024-06-01") == [doc_id]
    detail = small_client.get(f"/api/documents/{doc_id}").get_json()
    assert detail["provenance"] == edited["provenance"]
    assert {(h["field"], h["old_value"], h["new_value"], h["who"]) for h in detail["history"]} == {
        ("source", "Field desk", "Wetland Trust", "api"),
        ("date", None, "2024-06-02", "api"),
        ("tags", "birds", "birds; dykes", "api"),
    }
    facets = small_client.get("/api/facets").get_json()
    assert {"value": "Wetland Trust", "count": 1} in facets["sources"]


def test_patch_needs_the_key_and_valid_values(small_app, small_client, uploaded):
    doc_id = uploaded["id"]
    assert_error(patch(small_client, small_app, doc_id, {"title": "x"}, **{"X-API-Key": "wrong"}), 401)
    assert_error(small_client.patch(f"/api/documents/{doc_id}", json={"title": "x"}), 401, "unauthorized")
    error = assert_error(patch(small_client, small_app, doc_id, {"date": "31/31/2024"}), 400, "bad_request")
    assert error["message"] == "date: '31/31/2024' is not a date (use YYYY-MM-DD)"
    error = assert_error(patch(small_client, small_app, doc_id, {"url": "javascript:alert(1)"}), 400)
    assert error["message"] == "url: not a web address (http:// or https://)"
    assert "autor" in assert_error(patch(small_client, small_app, doc_id, {"autor": "x"}), 400)["message"]
    assert patch(small_client, small_app, doc_id, {}).get_json()["changed"] == []  # an empty PATCH
    missing = small_client.patch(f"/api/documents/{doc_id}", headers=key_headers(small_app))
    assert "JSON object" in assert_error(missing, 400, "bad_request")["message"]
    listed = small_client.patch(f"/api/documents/{doc_id}", headers=key_headers(small_app), json=[1])
    assert_error(listed, 400, "bad_request")
    assert "tags" in assert_error(patch(small_client, small_app, doc_id, {"tags": "a,b"}), 400)["message"]
    assert_error(patch(small_client, small_app, "0123456789abcdef", {"title": "x"}), 404, "not_found")
    detail = small_client.get(f"/api/documents/{doc_id}").get_json()
    assert detail["history"] == [] and detail["source"] == "Field desk"


def test_an_edit_is_409_while_another_process_ingests(small_app, small_client, small_settings, uploaded):
    with Archive(small_settings, write=True):  # what a running `archive ingest` holds
        error = assert_error(patch(small_client, small_app, uploaded["id"], {"source": "X"}), 409, "busy")
        assert "ingest is already running" in error["message"]
    assert small_client.get(f"/api/documents/{uploaded['id']}").get_json()["source"] == "Field desk"


def test_the_document_page_form_edits_and_lists_the_edit(small_client, uploaded):
    doc_id = uploaded["id"]
    page = small_client.get(f"/documents/{doc_id}").data.decode()
    assert f'action="/documents/{doc_id}/edit"' in page and 'value="Field desk"' in page
    assert "(set at ingest)" in page and 'class="history"' not in page
    without = small_client.post(f"/documents/{doc_id}/edit", data={"source": "Wetland Trust"})
    assert without.status_code == 400 and b"reload the page" in without.data  # no CSRF token
    form = {
        "csrf_token": csrf_token(small_client, f"/documents/{doc_id}"),
        "title": uploaded["title"],
        "source": "Wetland <Trust>",
        "author": "",
        "date": "2024-06-02",
        "url": "",
        "tags": "birds; dykes, floods",
    }
    posted = small_client.post(f"/documents/{doc_id}/edit", data=form)
    assert posted.status_code == 303 and posted.headers["Location"] == f"/documents/{doc_id}"
    page = small_client.get(posted.headers["Location"]).data.decode()
    assert "Saved: source, date, tags." in page
    assert "Wetland &lt;Trust&gt;" in page and "Wetland <Trust>" not in page  # escaped
    assert re.search(r'<h2 id="edited">Edited</h2>', page) and "· web · source:" in page
    assert small_client.get(f"/api/documents/{doc_id}").get_json()["tags"] == ["birds", "dykes", "floods"]
    bad = small_client.post(f"/documents/{doc_id}/edit", data={**form, "date": "someday"})
    assert bad.status_code == 303 and "edit=1" in bad.headers["Location"]
    page = small_client.get(bad.headers["Location"]).data.decode()
    assert "Not saved: date: &#39;someday&#39; is not a date" in page and 'id="edit" open' in page


def test_off_loopback_the_form_needs_the_key(small_settings, small_app, small_client, uploaded):
    app = create_app(small_settings, config={"BIND_HOST": "0.0.0.0", "API_KEY": small_app.config["API_KEY"]})
    client = app.test_client()
    doc_id = uploaded["id"]
    page = client.get(f"/documents/{doc_id}").data.decode()
    assert page.count('name="api_key"') == 2  # the edit form and the delete form
    token = csrf_token(client, f"/documents/{doc_id}")
    refused = client.post(f"/documents/{doc_id}/edit", data={"csrf_token": token, "source": "X"})
    assert refused.status_code == 401
    accepted = client.post(
        f"/documents/{doc_id}/edit",
        data={"csrf_token": token, "source": "X", "api_key": app.config["API_KEY"]},
    )
    assert accepted.status_code == 303
    assert small_client.get(f"/api/documents/{doc_id}").get_json()["source"] == "X"


def test_the_edit_is_in_the_openapi_document(small_client):
    spec = small_client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/documents/{doc_id}"]["patch"]
    assert operation["security"] and set(operation["responses"]) >= {"200", "400", "401", "404", "409"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(spec["components"]["schemas"][body]["properties"]) == set(EDITABLE_FIELDS)
    detail = spec["components"]["schemas"]["DocumentDetail"]["properties"]
    assert {"provenance", "history"} <= set(detail)
