"""Citations on the web: the document view a citation link opens (quote highlighted, paragraph
numbers in the margin, the query's words marked, the file name only), and the export route."""

from __future__ import annotations

import html
import json
import re
from pathlib import PurePath
from urllib.parse import urlsplit

import bibtexparser
import rispy
from anyascii import anyascii

from tests.web.test_api import assert_error

QUERY = "Qahtan Barudi"


def first_hit(client, **params) -> dict:
    response = client.get("/api/search", query_string={"q": QUERY, "mode": "keyword", **params})
    assert response.status_code == 200, response.data[:300]
    return response.get_json()


def local(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_citation_link_opens_the_quote_in_its_numbered_paragraph(corpus_client):
    body = first_hit(corpus_client, k=3)
    for result in body["results"]:
        for passage in result["passages"]:
            citation = passage["citation"]
            page = corpus_client.get(local(citation["link"])).data.decode()
            marked = re.findall(r'<mark class="passage"(?: id="passage")?>(.*?)</mark>', page, re.S)
            text = re.sub(r"<[^>]+>", "", "".join(marked))
            assert " ".join(html.unescape(text).split()) == citation["quote"], citation["link"]
            anchor = f"p{passage['page']}-para-" if passage["page"] else "para-"
            holder = re.search(
                rf'<p class="para" id="{anchor}{passage["paragraph"]}"><a class="para-no"[^>]*>'
                rf'{passage["paragraph"]}</a>(?:(?!</p>).)*id="passage"',
                page,
                re.S,
            )
            assert holder, f"{citation['link']}: the quote is not in paragraph {passage['paragraph']}"
            words = {anyascii(html.unescape(w)).lower() for w in re.findall(r'class="term">([^<]+)<', page)}
            assert words, f"{citation['link']}: the query's words are not marked"
            assert all(w.startswith(("qahtan", "barudi", "baroudi")) for w in words), words
            path = result["document"]["path"]
            assert path not in page and html.escape(PurePath(path).name) in page, "shows the server path"


def test_question_link_marks_content_words_only(corpus_client):
    page = corpus_client.get(
        "/documents/" + first_hit(corpus_client)["results"][0]["document"]["id"] + "?q=Who+said+Barudi+joined"
    ).data.decode()
    assert re.search(r"\bsaid\b", page), "the test needs a document that says 'said'"
    marked = {
        anyascii(html.unescape(m)).lower() for m in re.findall(r'<mark class="term">([^<]+)</mark>', page)
    }
    assert "barudi" in marked and not marked & {"said", "joined", "say"}, marked


def test_results_page_offers_exports_and_opens_at_the_quote(corpus_client):
    body = corpus_client.get(f"/?q={QUERY}&mode=keyword").data.decode()
    hit = first_hit(corpus_client)["results"][0]
    passage = hit["passages"][0]
    start, end = (passage["start"] + i for i in passage["quote_span"])
    assert f"/documents/{hit['document']['id']}?at={start}-{end}&amp;q=Qahtan+Barudi#passage" in body
    exports = set(re.findall(r'class="export" href="([^"]+)"', body))
    assert any("cite=ris" in e and f"doc={hit['document']['id']}" in e for e in exports)
    assert any("cite=bibtex" in e and "doc=" not in e for e in exports), "no export of the whole page"
    page_ris = next(e for e in exports if "cite=ris" in e and "doc=" not in e)
    response = corpus_client.get(html.unescape(page_ris))
    assert response.status_code == 200 and len(rispy.loads(response.data.decode())) >= 1


def test_export_route_formats(corpus_client):
    results = first_hit(corpus_client, k=4)["results"]
    query = {"q": QUERY, "mode": "keyword", "k": 4}
    ris = corpus_client.get("/api/export", query_string={**query, "cite": "ris"})
    assert ris.status_code == 200 and ris.mimetype == "application/x-research-info-systems"
    assert ris.headers["Content-Disposition"] == 'attachment; filename="citations.ris"'
    entries = rispy.loads(ris.data.decode())
    assert [e["id"] for e in entries] == [r["document"]["id"] for r in results]
    assert entries[0]["notes"][0].startswith(f"\u201c{results[0]['passages'][0]['citation']['quote']}\u201d")
    bib = corpus_client.get("/api/export", query_string={**query, "cite": "bibtex"})
    assert len(bibtexparser.parse_string(bib.data.decode()).entries) == len(results)
    csl = corpus_client.get("/api/export", query_string=query)  # CSL-JSON by default
    assert csl.mimetype == "application/vnd.citationstyles.csl+json"
    assert [item["id"] for item in json.loads(csl.data)] == [r["document"]["id"] for r in results]
    one = corpus_client.get(
        "/api/export", query_string={**query, "cite": "ris", "doc": results[1]["document"]["id"]}
    )
    assert [e["id"] for e in rispy.loads(one.data.decode())] == [results[1]["document"]["id"]]
    markdown = corpus_client.get("/api/export", query_string={**query, "cite": "markdown"})
    assert markdown.headers["Content-Disposition"].startswith("inline")
    assert markdown.data.decode().count("[Archived copy](") == sum(len(r["passages"]) for r in results)
    assert_error(corpus_client.get("/api/export", query_string={**query, "cite": "docx"}), 400, "bad_request")


def test_export_is_in_the_openapi_document(corpus_client):
    spec = corpus_client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/export"]["get"]
    cite = next(p for p in operation["parameters"] if p["name"] == "cite")
    assert cite["schema"]["enum"] == ["text", "markdown", "csl-json", "ris", "bibtex"]
    assert "application/x-research-info-systems" in operation["responses"]["200"]["content"]
    citation = spec["components"]["schemas"]["Citation"]["properties"]
    assert {"file", "page", "paragraph", "accessed"} <= set(citation)
