"""In headless Chromium against a live server: a citation's link lands on its quote, highlighted,
in the paragraph whose number the margin shows and the citation names."""

from __future__ import annotations

import pytest

from tests.web.test_browser import DESKTOP, search_with_the_form

pytestmark = pytest.mark.browser

QUERY = "Qahtan Barudi"


def test_following_a_citation_link_shows_the_quote_and_its_paragraph_number(new_page, live_server, tmp_path):
    expected = live_server.get("/api/search", params={"q": QUERY, "mode": "keyword"}).json()["results"][0]
    citation = expected["passages"][0]["citation"]
    page = new_page(viewport=DESKTOP)
    search_with_the_form(page, QUERY, mode="keyword")
    first = page.locator(".passage").first
    assert first.locator(".where").text_content() == citation["location"]
    assert citation["quote"] in " ".join(first.locator("blockquote").text_content().split()), (
        "the snippet does not show the quoted sentence"
    )
    first.locator(".open").click()
    page.wait_for_url("**/documents/*?at=*#passage")
    marked = " ".join(page.locator("mark.passage").all_text_contents()).split()
    assert marked == citation["quote"].split()
    number = page.locator("#passage").evaluate(
        "el => el.closest('p.para').querySelector('.para-no').textContent"
    )
    assert citation["location"] == f"para. {number}"
    margin = page.locator("#passage").evaluate(
        "el => { const n = el.closest('p.para').querySelector('.para-no').getBoundingClientRect();"
        " const p = el.closest('p.para').getBoundingClientRect();"
        " return [n.right <= p.left + 1, n.width > 0]; }"
    )
    assert margin == [True, True], "the paragraph number is not in the margin"
    assert page.locator("mark.term, b.term").count() >= 1, "the query's words are not marked"
    in_view = page.locator("#passage").evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }"
    )
    assert in_view, "the browser did not scroll to the quote"
    page.screenshot(path=str(tmp_path / "document-quote.png"))
    assert (tmp_path / "document-quote.png").stat().st_size > 0
