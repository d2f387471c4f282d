"""The JSON API over the sample collection (read-only): shapes, filters, bounds, errors, headers."""

from __future__ import annotations

import pytest

from archive.search import MAX_K

DOCUMENT_KEYS = {"id", "external_id", "title", "source", "author", "date", "url", "path", "format", "tags"}
PASSAGE_KEYS = {
    "id",
    "text",
    "start",
    "end",
    "page",
    "paragraph",
    "highlights",
    "quote_span",
    "scores",
    "citation",
}
CITATION_KEYS = {
    *("title", "source", "author", "date", "url", "file", "location", "page", "paragraph"),
    *("quote", "link", "accessed", "text", "markdown"),
}
QUESTION = "Which relief group requested money to curb a waterborne epidemic in the countryside?"


def search(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_search_returns_the_documented_shape(corpus_client, mode):
    body = search(corpus_client, q=QUESTION if mode != "keyword" else "cholera", mode=mode, k=3)
    assert {"query", "mode", "took_ms", "total", "results"} <= set(body)
    assert (
        body["mode"] == mode and isinstance(body["took_ms"], float) and body["total"] >= len(body["results"])
    )
    assert 1 <= len(body["results"]) <= 3
    for result in body["results"]:
        assert set(result) == {"document", "score", "passages"}
        assert set(result["document"]) == DOCUMENT_KEYS
        assert isinstance(result["score"], float) and result["passages"]
        for passage in result["passages"]:
            assert set(passage) == PASSAGE_KEYS
            assert set(passage["scores"]) == {"keyword", "semantic", "hybrid"}
            assert set(passage["citation"]) == CITATION_KEYS
            for start, end in passage["highlights"]:
                assert 0 <= start < end <= len(passage["text"])
            link = passage["citation"]["link"]
            start, end = (passage["start"] + i for i in passage["quote_span"])
            assert f"/documents/{result['document']['id']}?at={start}-{end}&q=" in link


def test_question_finds_the_expected_document(corpus_client):
    body = search(corpus_client, q=QUESTION, k=3)
    assert any("cholera" in r["document"]["path"] for r in body["results"])


def test_filters_narrow_the_results(corpus_client):
    facets = corpus_client.get("/api/facets").get_json()
    source = facets["sources"][0]["value"]
    fmt = facets["formats"][0]["value"]
    for params, check in [
        ({"source": source}, lambda d: d["source"].lower() == source.lower()),
        ({"format": fmt}, lambda d: d["format"] == fmt),
        (
            {"date_from": "2026-01-01", "date_to": "2026-06-30"},
            lambda d: "2026-01-01" <= d["date"] <= "2026-06-30",
        ),
    ]:
        body = search(corpus_client, q="water", mode="keyword", k=50, **params)
        assert body["results"], params
        assert all(check(r["document"]) for r in body["results"]), params
    everything = search(corpus_client, q="water", k=5)["total"]
    assert 0 < search(corpus_client, q="water", k=5, format=fmt)["total"] < everything


def test_tag_filter(small_client):
    body = small_client.get("/api/search?q=zanzibarite&tag=<script>alert(1)</script>").get_json()
    assert [r["document"]["external_id"] for r in body["results"]] == ["xss-1"]
    assert small_client.get("/api/search?q=zanzibarite&tag=nope").get_json()["total"] == 0


def test_pagination_with_offset(corpus_client):
    first = search(corpus_client, q="dam", mode="keyword", k=3)
    second = search(corpus_client, q="dam", mode="keyword", k=3, offset=3)
    assert first["total"] == second["total"] > 6
    ids = [r["document"]["id"] for r in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 6


def test_malformed_query_is_read_with_a_notice(corpus_client):
    body = search(corpus_client, q='"unclosed phrase', mode="keyword")
    assert body["notices"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "   "},
        {"q": "x" * 1001},
        {"q": "dam", "k": 0},
        {"q": "dam", "k": MAX_K + 1},
        {"q": "dam", "k": "ten"},
        {"q": "dam", "offset": -1},
        {"q": "dam", "offset": 5000},
        {"q": "dam", "mode": "fuzzy"},
        {"q": "dam", "date_from": "yesterday"},
        {"q": "dam", "date_to": "2025-13-45"},
        {"q": "dam", "source": "s" * 500},
    ],
)
def test_bad_search_parameters_are_400_json(corpus_client, params):
    assert_error(corpus_client.get("/api/search", query_string=params), 400, "bad_request")


def test_document_listing_is_paginated_and_bounded(corpus_client):
    page = corpus_client.get("/api/documents?limit=5").get_json()
    assert page["limit"] == 5 and len(page["documents"]) == 5 and page["total"] >= 25
    following = corpus_client.get("/api/documents?limit=5&offset=5").get_json()
    assert not {d["id"] for d in page["documents"]} & {d["id"] for d in following["documents"]}
    assert set(page["documents"][0]) == DOCUMENT_KEYS | {"chunks", "ingested_at"}
    for bad in ("limit=0", "limit=201", "offset=-1", "limit=x"):
        assert_error(corpus_client.get(f"/api/documents?{bad}"), 400)
    pdfs = corpus_client.get("/api/documents?format=pdf").get_json()
    assert pdfs["documents"] and all(d["format"] == "pdf" for d in pdfs["documents"])


def test_one_document_and_one_passage(corpus_client):
    hit = search(corpus_client, q="Meridian filling period", mode="keyword", k=1)["results"][0]
    document = corpus_client.get(f"/api/documents/{hit['document']['id']}").get_json()
    assert document["text"] and document["chunks"] and document["format"] == "pdf"
    assert document["pages"] and document["original_available"] is True
    passage_id = hit["passages"][0]["id"]
    passage = corpus_client.get(f"/api/passages/{passage_id}").get_json()
    assert passage["document"]["id"] == document["id"]
    assert document["text"][passage["start"] : passage["end"]] == passage["text"]
    assert passage["citation"]["location"].startswith("p. ")
    assert passage["citation"]["quote"] in " ".join(passage["text"].split())
    assert_error(corpus_client.get("/api/documents/0123456789abcdef"), 404, "not_found")
    assert_error(corpus_client.get("/api/passages/999999999"), 404, "not_found")
    assert_error(corpus_client.get(f"/api/passages/{2**70}"), 404, "not_found")


def test_errors_are_json_with_the_right_status(corpus_client):
    assert_error(corpus_client.get("/api/nowhere"), 404)
    error = assert_error(corpus_client.patch("/api/search?q=x"), 405)
    assert error["code"] == "method_not_allowed"
    assert "GET" in corpus_client.patch("/api/search").headers["Allow"]


def test_write_calls_need_the_api_key(corpus_client):
    assert_error(corpus_client.delete("/api/documents/0123456789abcdef"), 401, "unauthorized")
    response = corpus_client.post("/api/documents", headers={"Authorization": "Bearer wrong"})
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(corpus_client.delete("/api/documents/x", headers={"X-API-Key": "wrong"}), 401)


def test_health_stats_and_facets(corpus_client):
    health = corpus_client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["documents"] >= 25 and health["chunks"] > 0
    stats = corpus_client.get("/api/stats").get_json()
    assert stats["documents"] == health["documents"] and stats["dimension"] == 384
    facets = corpus_client.get("/api/facets").get_json()
    assert {f["value"] for f in facets["formats"]} >= {"pdf", "html", "docx", "email", "jsonl"}


def test_openapi_document_is_generated_and_complete(corpus_client):
    spec = corpus_client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert set(paths) >= {
        "/api/search",
        "/api/documents",
        "/api/documents/{doc_id}",
        "/api/passages/{passage_id}",
        "/api/jobs/{job_id}",
        "/healthz",
    }
    assert set(paths["/api/documents"]) == {"get", "post"}
    assert set(paths["/api/documents/{doc_id}"]) - {"parameters"} == {"get", "delete"}
    search_params = {p["name"] for p in paths["/api/search"]["get"]["parameters"]}
    assert search_params >= {"q", "mode", "k", "offset", "source", "tag", "format", "date_from", "date_to"}
    upload = paths["/api/documents"]["post"]
    assert upload["security"] and {"401", "409", "413", "422"} <= set(upload["responses"])
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(spec["components"]["schemas"][body]["properties"]) >= {"files", "source", "tags"}
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_security_headers_on_every_response(corpus_client):
    for path in ("/", "/?q=dam", "/api/search?q=dam", "/api/nowhere", "/upload", "/static/style.css"):
        headers = corpus_client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert (
            "default-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        )
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"]


def test_only_loopback_host_names_are_served_on_loopback(corpus_client):
    assert corpus_client.get("/healthz", headers={"Host": "127.0.0.1:8080"}).status_code == 200
    assert_error(corpus_client.get("/healthz", headers={"Host": "evil.example"}), 400)


def _without_timing(body: dict) -> dict:
    return {key: value for key, value in body.items() if key != "took_ms"}


def test_api_serves_the_service_dicts_unchanged(corpus_app, corpus_client):
    """The response schemas are the contract: a key the core adds must be added there too."""
    from archive import operations
    from archive.search import SearchRequest

    service = corpus_app.extensions["search"]
    archive = corpus_app.extensions["archive"]
    for mode in ("keyword", "hybrid"):
        served = corpus_client.get(f"/api/search?q=Barudi&mode={mode}&k=3").get_json()
        direct = service.search(SearchRequest(query="Barudi", mode=mode, k=3))
        assert _without_timing(served) == _without_timing(direct)
    doc_id = served["results"][0]["document"]["id"]
    assert corpus_client.get(f"/api/documents/{doc_id}").get_json() == operations.describe(archive, doc_id)
    passage_id = served["results"][0]["passages"][0]["id"]
    assert corpus_client.get(f"/api/passages/{passage_id}").get_json() == operations.passage(
        archive, passage_id
    )
    listing = operations.list_documents(archive, 5, 0)
    assert corpus_client.get("/api/documents?limit=5").get_json() == listing
