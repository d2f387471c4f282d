"""The search page and the API say what a search did: no match (weak results collapsed apart),
spelling variants with a link to exact spelling, undated documents left out, a page past the end,
a query too long, an empty query. Over the sample collection plus the seed article."""

from __future__ import annotations

import re

import pytest

from web import create_app

NONSENSE = "xylophone quasar zebrafish"
LONG_QUERY = ("water " * 290).strip()  # 1,739 characters, as pasted in the issue


@pytest.fixture(scope="module")
def client(seeded_settings):
    return create_app(seeded_settings).test_client()


def page(client, **params) -> tuple[int, str]:
    response = client.get("/", query_string=params)
    return response.status_code, response.get_data(as_text=True)


def api(client, **params) -> tuple[int, dict]:
    response = client.get("/api/search", query_string=params)
    return response.status_code, response.get_json()


def test_nonsense_page_says_no_match_and_collapses_the_weak_ones(client):
    status, html = page(client, q=NONSENSE)
    assert status == 200
    assert "<strong>No documents</strong> match" in html
    assert re.search(
        r'<details class="weak" id="weak">\s*<summary>Closest by meaning, weak: 10 shown of \d+', html
    )
    assert 'data-code="no_match"' in html and " of <strong>3" not in html


def test_name_page_counts_its_one_match(client):
    status, html = page(client, q="Qaani")
    assert status == 200 and "<strong>1–1</strong> of <strong>1</strong> document matches" in html


def test_variants_notice_links_to_exact_spelling(client):
    _, html = page(client, q="Ghaani")
    assert "Also matched Qaani for Ghaani (spelling variants)." in html
    link = re.search(r'<a class="exact" href="([^"]+)">Exact spelling only</a>', html)
    assert link and "exact=1" in link.group(1), html[:3000]
    exact_html = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Also matched" not in exact_html and 'data-code="exact"' in exact_html
    assert (
        "Include spelling variants" in exact_html
        and '<input type="hidden" name="exact" value="1">' in exact_html
    )
    status, body = api(client, q="Ghaani", exact="1")
    assert status == 200 and body["exact"] is True and body["total"] == 0
    _, widened = api(client, q="Ghaani")
    variants = [n for n in widened["notices"] if n["code"] == "spelling_variants"]
    assert variants and variants[0]["variants"] == ["Qaani"] and variants[0]["term"] == "Ghaani"


def test_date_filter_names_the_undated_documents_it_leaves_out(client):
    _, html = page(client, q="Qaani", date_from="2023-01-01")
    assert "1 undated document not shown" in html and "Search without the date filter" in html
    _, body = api(client, q="Qaani", date_from="2023-01-01")
    assert body["total"] == 0 and {"code": "undated_left_out"}.items() <= body["notices"][0].items()


def test_page_past_the_end_links_to_the_last_page(client):
    _, body = api(client, q="dam", mode="keyword", k=10)
    last_page = (body["total"] - 1) // 10 + 1
    status, html = page(client, q="dam", mode="keyword", page=99)
    assert status == 200
    summary = re.search(r'<p id="summary" class="summary">(.*?)</p>', html, re.S).group(1)
    assert f"<strong>{body['total']}</strong> documents match" in summary and "–" not in summary
    assert "This page is past the end of the results" in html
    assert re.search(rf'href="[^"]*page={last_page}[^"]*">Go to the last page</a>', html)
    assert "Nothing in the archive matches this" not in html


def test_long_query_is_refused_with_one_clear_message_and_kept(client):
    status, html = page(client, q=LONG_QUERY)
    assert status == 400
    assert "The query is 1,739 characters long; the limit is 1,000: shorten it" in html
    assert 'maxlength="1000"' not in html and LONG_QUERY[:200] in html  # kept in the box to shorten
    status, body = api(client, q=LONG_QUERY)
    assert status == 400 and body["error"]["message"].count("longer than the limit of 1000") == 1


@pytest.mark.parametrize("query", [{}, {"q": ""}, {"q": "   "}])
def test_empty_query_gives_the_same_page_as_none(client, query):
    status, html = page(client, **query)
    assert status == 200 and 'class="welcome"' in html and "Length must be" not in html


@pytest.mark.parametrize("query", ["", "   "])
def test_api_empty_query_is_one_friendly_message(client, query):
    status, body = api(client, q=query)
    assert (
        status == 400
        and body["error"]["message"] == "q: the query is empty: give words, a phrase or a question"
    )
