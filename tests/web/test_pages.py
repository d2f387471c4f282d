"""The HTML pages, through the Flask test client: search, document view, downloads, escaping."""

from __future__ import annotations

import html
import io
import re

import pytest
from markupsafe import escape

from tests.web.conftest import HOSTILE_RECORD, IMG, SCRIPT
from tests.web.test_api_write import key_headers, upload
from web import present, uploads


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "text/html"
    return response.data.decode()


def api_first_hit(client, **params) -> dict:
    return client.get("/api/search", query_string=params).get_json()["results"][0]


def test_results_page_renders_the_service_dict(corpus_client):
    body = page(corpus_client, "/?q=Barudi&mode=keyword")
    hit = api_first_hit(corpus_client, q="Barudi", mode="keyword", k=10)
    assert f'href="/documents/{hit["document"]["id"]}"' in body
    assert "<mark>Barudi</mark>" in body or "<mark>Baroudi</mark>" in body
    citation = hit["passages"][0]["citation"]
    assert str(escape(citation["text"])) in body  # selectable without JavaScript
    assert str(escape(citation["markdown"])) in body
    assert re.search(r"of <strong>\d+</strong> documents", body) and " ms" in body
    assert 'rel="next" href="/?q=Barudi&amp;mode=keyword&amp;page=2"' in body


def test_second_page_and_filters_keep_the_query(corpus_client):
    body = page(corpus_client, "/?q=water&mode=keyword&page=2&date_from=")
    assert "<strong>11–" in body and 'rel="prev" href="/?q=water&amp;mode=keyword&amp;page=1"' in body
    filtered = page(corpus_client, "/?q=water&mode=keyword&format=text")
    assert '<option value="text" selected>' in filtered and '<details class="filters" open>' in filtered


def test_empty_state_notice_and_errors(corpus_client):
    assert "Nothing in the archive matches" in page(corpus_client, "/?q=qwxzvbnmplk&mode=keyword")
    assert "Unbalanced quote ignored" in page(corpus_client, "/?q=%22unclosed+phrase")
    for url, message in [
        ("/?q=dam&mode=fuzzy", "Must be one of"),
        ("/?q=" + "x" * 1001, "Longer than maximum length 1000"),
        ("/?q=dam&date_from=someday", "Not a valid date"),
        ("/?q=dam&page=500", "offset must be between"),
    ]:
        body = page(corpus_client, url, 400)
        assert message.lower() in body.lower() and 'role="alert"' in body and "Traceback" not in body
        assert 'name="q"' in body  # the form is still there to fix the query
    landing = page(corpus_client, "/")
    assert re.search(r"Search \d+ documents", landing) and "autofocus" in landing


def test_document_view_marks_the_linked_passage(corpus_client):
    hit = api_first_hit(corpus_client, q="Meridian filling period", mode="keyword")
    passage = hit["passages"][0]
    doc_id = hit["document"]["id"]
    body = page(corpus_client, f"/documents/{doc_id}?at={passage['start']}-{passage['end']}")
    document = corpus_client.get(f"/api/documents/{doc_id}").get_json()
    marked = re.findall(r'<mark class="passage"(?: id="passage")?>(.*?)</mark>', body, re.S)
    assert body.count('id="passage"') == 1 and marked
    assert html.unescape("".join(marked)).split() == passage["text"].split()
    assert body.count('class="anchor" id="chunk-') == len(document["chunks"])
    assert all(f'id="chunk-{chunk["id"]}"' in body for chunk in document["chunks"])
    assert [f'id="page-{n}"' in body for n in range(1, len(document["pages"]) + 1)] == [True] * len(
        document["pages"]
    )
    assert f'href="/documents/{doc_id}/original"' in body
    stale = page(corpus_client, f"/documents/{doc_id}?at=99999999-99999999")
    assert 'id="passage"' not in stale and "not inside this document" in stale
    page(corpus_client, "/documents/0123456789abcdef", 404)


def test_email_attachments_link_both_ways(small_client):
    listing = small_client.get("/api/documents?format=email").get_json()["documents"]
    message = next(d for d in listing if d["title"] == "Insurance premiums for the strait")
    detail = small_client.get(f"/api/documents/{message['id']}").get_json()
    [attachment] = detail["attachments"]
    assert f'href="/documents/{attachment["id"]}"' in page(small_client, f"/documents/{message['id']}")
    child = page(small_client, f"/documents/{attachment['id']}")
    assert f'href="/documents/{message["id"]}"' in child and "Insurance premiums for the strait" in child


def test_original_download_is_an_attachment_with_a_safe_type(small_app, small_client):
    pdf = small_client.get("/api/documents?format=pdf").get_json()["documents"][0]
    response = small_client.get(f"/documents/{pdf['id']}/original")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    html_doc = small_client.get("/api/documents?format=html").get_json()["documents"][0]
    assert small_client.get(f"/documents/{html_doc['id']}/original").mimetype == "application/octet-stream"

    report = upload(small_client, small_app, ("gone.txt", b"The tamarind ledger is here.\n")).get_json()
    [document] = report["uploaded"]
    kept = small_app.extensions["archive"].data_dir / "originals"
    next(p for p in kept.glob("*/*") if p.read_bytes() == b"The tamarind ledger is here.\n").unlink()
    assert "not available" in page(small_client, f"/documents/{document['id']}")
    assert "no longer where it was" in page(small_client, f"/documents/{document['id']}/original", 404)
    small_client.delete(f"/api/documents/{document['id']}", headers=key_headers(small_app))


def test_hostile_documents_come_back_escaped(small_client):
    for url in ("/?q=zanzibarite", "/documents"):
        body = page(small_client, url)
        assert "zanzibarite" in body.lower()
        assert SCRIPT not in body and IMG not in body and "<img" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    hostile = small_client.get("/api/search?q=zanzibarite&k=5").get_json()["results"]
    record = next(r["document"] for r in hostile if r["document"]["external_id"] == HOSTILE_RECORD["id"])
    body = page(small_client, f"/documents/{record['id']}")
    assert SCRIPT not in body and IMG not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "javascript:alert(1)" in body and 'href="javascript' not in body.replace(" ", "")
    assert not re.search(r"<script(?! src=\"/static/app\.js)", body)


def test_pages_are_keyboard_and_screen_reader_friendly(corpus_client):
    body = page(corpus_client, "/?q=Barudi&mode=keyword")
    assert 'class="skip" href="#main"' in body and '<label for="q"' in body
    assert 'role="search"' in body and "<legend>" in body
    assert body.count('<button type="button" class="copy"') == body.count('<details class="cite">') * 2
    assert 'lang="en"' in body and 'name="viewport"' in body


# -- presentation helpers ------------------------------------------------------------------------


def test_segments_cover_the_text_and_mark_the_spans():
    assert present.segments("abcdef", [[1, 2], [4, 9]]) == [
        ("a", False),
        ("b", True),
        ("cd", False),
        ("ef", True),
    ]
    assert present.segments("abc", []) == [("abc", False)]
    assert "".join(t for t, _ in present.segments("overlap", [[0, 4], [2, 6]])) == "overlap"


def test_layout_places_anchors_pages_and_the_passage_across_paragraphs():
    text = "First para.\n\nSecond para here.\n\nThird."
    chunks = [{"id": 7, "start": 0}, {"id": 8, "start": 11}]  # 8 starts in the blank line
    layout = present.document_layout(text, chunks, [[0, 11], [11, len(text)]], (6, 19))
    flat = [segment for paragraph in layout for segment in paragraph.segments]
    assert "".join(s.text for s in flat) == text.replace("\n\n", "")
    assert [s.anchors for s in flat if s.anchors] == [[7], [8]]
    assert [(p.page, p.number, p.first_on_page) for p in layout] == [
        (1, 1, True),
        (2, 1, True),
        (2, 2, False),
    ]
    assert [p.anchor for p in layout] == ["p1-para-1", "p2-para-1", "p2-para-2"]
    assert "".join(s.text for s in flat if s.marked) == "para.Second"
    assert [s.passage for s in flat].count(True) == 1


def test_layout_numbers_paragraphs_and_marks_query_words():
    from indexer.analysis import analyze

    text = "Title\n\nThe dam held.\n\nThe dams failed at dawn."
    terms = {term for term, _, _ in analyze("dam")}
    layout = present.document_layout(text, [], None, None, terms)
    assert [(p.number, p.page, p.first_on_page, p.anchor) for p in layout] == [
        (1, None, False, "para-1"),
        (2, None, False, "para-2"),
        (3, None, False, "para-3"),
    ]
    assert [s.text for p in layout for s in p.segments if s.term] == ["dam", "dams"]


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("//evil.example/x", None),
        ("/work/corpus/file.txt", None),
        ("", None),
        (None, None),
    ],
)
def test_only_http_urls_become_links(url, link):
    assert present.web_url(url) == link


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("..", "upload-1"),
        ("", "upload-1"),
        (".hidden", "hidden"),
        ("قاآنی notes.txt", "قاآنی notes.txt"),
        ("a\x00b<script>.txt", "a_b_script_.txt"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_upload_names_are_one_safe_path_component(raw, safe):
    assert uploads.safe_name(raw, "upload-1") == safe


def test_saved_uploads_stay_in_their_folder(tmp_path):
    from werkzeug.datastructures import FileStorage

    files = [FileStorage(io.BytesIO(b"a"), filename=name) for name in ("../x.txt", "x.txt", "/abs/x.txt")]
    saved = uploads.save_uploads(files, tmp_path / "uploads", "job-1")
    assert [p.name for p in saved] == ["x.txt", "x-2.txt", "x-3.txt"]
    assert all(p.parent == (tmp_path / "uploads" / "job-1").resolve() for p in saved)
    uploads.discard(saved[0].parent)
    assert not (tmp_path / "uploads" / "job-1").exists()
