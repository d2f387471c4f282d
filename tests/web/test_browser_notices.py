"""In headless Chromium: weak results collapsed apart, the one-click exact spelling, and a pasted
query over the limit refused with its length (no `maxlength` cutting it silently)."""

from __future__ import annotations

import pytest

from tests.web.test_browser import DESKTOP, search_with_the_form

pytestmark = pytest.mark.browser


def test_nonsense_shows_no_match_and_weak_results_collapsed(new_page):
    page = new_page(viewport=DESKTOP)
    search_with_the_form(page, "xylophone quasar zebrafish")
    assert "No documents" in page.locator(".summary").text_content()
    assert page.locator("ol.results:not(.weak-results)").count() == 0
    weak = page.locator("details.weak")
    assert weak.get_attribute("open") is None and not page.locator(".weak-results").is_visible()
    weak.locator("> summary").click()
    assert page.locator(".weak-results .result").count() == 10


def test_exact_spelling_is_one_click_away(new_page):
    page = new_page(viewport=DESKTOP)
    search_with_the_form(page, "Ghahtan", mode="keyword")
    notice = page.locator('.notice[data-code="spelling_variants"]')
    assert "for Ghahtan" in notice.text_content() and "Qahtan" in notice.text_content()
    notice.get_by_role("link", name="Exact spelling only").click()
    page.wait_for_selector('.notice[data-code="exact"]')
    assert "exact=1" in page.url and page.locator('.notice[data-code="spelling_variants"]').count() == 0
    page.fill("#q", "Ghahtan Baroudi")  # the next search from this page stays exact
    page.press("#q", "Enter")
    page.wait_for_selector('.notice[data-code="exact"]')
    assert "exact=1" in page.url


def test_a_pasted_long_query_is_refused_not_cut(new_page):
    page = new_page(viewport=DESKTOP)
    page.goto("/")
    query = ("water " * 290).strip()
    page.fill("#q", query)
    assert len(page.input_value("#q")) == 1739
    page.press("#q", "Enter")
    alert = page.locator(".alert")
    alert.wait_for()
    assert "The query is 1,739 characters long; the limit is 1,000" in alert.text_content()
    assert page.input_value("#q") == query
