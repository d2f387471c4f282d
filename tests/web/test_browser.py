"""End to end in headless Chromium against a live `archive serve`: search, citations, passage
links, upload, no-JavaScript use, phone width, keyboard use and hostile documents.
Screenshots go to a temporary folder; `make screenshots` writes them to docs/screenshots/ for the README."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO
from tests.web.conftest import HOSTILE_RECORD, IMG, JS_URL, SCRIPT

pytestmark = pytest.mark.browser

README_QUERIES = json.loads((REPO / "tests" / "fixtures" / "corpus_queries.json").read_text())["readme"]
QUESTION = README_QUERIES["semantic"]
KEYWORD = README_QUERIES["keyword"]
DESKTOP = {"width": 1280, "height": 1000}


def search_with_the_form(page, query: str, mode: str | None = None) -> None:
    page.goto("/")
    page.fill("#q", query)
    if mode:
        page.check(f"input[name=mode][value={mode}]")
    page.press("#q", "Enter")
    page.wait_for_selector(".summary")


def first_api_hit(live_server, query: str, mode: str = "hybrid") -> dict:
    response = live_server.get("/api/search", params={"q": query, "mode": mode})
    assert response.status_code == 200
    return response.json()["results"][0]


def test_question_shows_highlighted_passages_with_citations(new_page, live_server, screenshots):
    page = new_page(viewport=DESKTOP)
    search_with_the_form(page, QUESTION)
    assert "q=" in page.url and "mode=hybrid" in page.url  # a bookmarkable GET
    first = page.locator(".result").first
    assert first.locator("mark").count() >= 1
    expected = first_api_hit(live_server, QUESTION)
    assert first.locator("h2 a").get_attribute("href") == f"/documents/{expected['document']['id']}"
    citation = first.locator(".cite pre").first.text_content()
    assert citation == expected["passages"][0]["citation"]["text"]
    assert f"{live_server.url}/documents/{expected['document']['id']}?at=" in citation  # served base URL
    page.screenshot(path=str(screenshots / "results-question.png"))


def test_keyword_search_highlights_name_variants(new_page, screenshots):
    page = new_page(viewport=DESKTOP)
    search_with_the_form(page, KEYWORD, mode="keyword")
    marks = page.locator(".result mark").all_text_contents()
    assert marks and any(word.lower().startswith(("qahtan", "bar")) for word in marks)
    page.screenshot(path=str(screenshots / "results-keyword.png"))


def test_copy_citation_to_the_clipboard(new_page):
    page = new_page(viewport=DESKTOP, permissions=["clipboard-read", "clipboard-write"])
    search_with_the_form(page, KEYWORD, mode="keyword")
    passage = page.locator(".passage").first
    plain = passage.locator("pre").nth(0).text_content()
    markdown = passage.locator("pre").nth(1).text_content()
    passage.get_by_role("button", name="Copy citation").click()
    assert page.evaluate("navigator.clipboard.readText()") == plain
    passage.get_by_role("button", name="Copy Markdown").click()
    assert page.evaluate("navigator.clipboard.readText()") == markdown
    assert markdown.startswith("> \u201c") and "[Archived copy](" in markdown


def test_passage_link_lands_on_the_highlighted_passage(new_page, live_server, screenshots):
    page = new_page(viewport=DESKTOP)
    search_with_the_form(page, QUESTION)
    expected = first_api_hit(live_server, QUESTION)["passages"][0]
    page.locator(".passage .open").first.click()
    page.wait_for_url("**/documents/*?at=*#passage")
    target = page.locator("#passage")
    assert target.evaluate("element => element.tagName") == "MARK"
    assert page.evaluate("location.hash") == "#passage"
    in_view = target.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }"
    )
    assert in_view, "the browser did not scroll to the passage"
    marked = " ".join(page.locator("mark.passage").all_text_contents()).split()
    assert marked == expected["citation"]["quote"].split()
    page.screenshot(path=str(screenshots / "document-passage.png"))


def test_upload_a_file_then_find_it(new_page, tmp_path):
    note = tmp_path / "harbour-note.md"
    note.write_text("# Harbour note\n\nThe lamplighter guild of Port Ysolde closed the quay at dusk.\n")
    page = new_page(viewport=DESKTOP)
    page.goto("/upload")
    page.set_input_files("#files", str(note))
    assert page.locator(".chosen li").text_content().startswith("harbour-note.md")
    page.get_by_role("button", name="Upload and ingest").click()
    page.wait_for_url("**/upload/jobs/*", timeout=60_000)
    assert page.locator("h1").text_content() == "Upload ingested"
    page.get_by_role("link", name="Harbour note").click()
    page.wait_for_url("**/documents/*")
    search_with_the_form(page, "lamplighter Ysolde", mode="keyword")
    assert page.locator(".result h2").first.text_content().strip() == "Harbour note"


def test_search_and_upload_work_without_javascript(new_page, tmp_path):
    page = new_page(viewport=DESKTOP, java_script_enabled=False)
    search_with_the_form(page, KEYWORD, mode="keyword")
    assert page.locator(".result mark").count() >= 1
    assert page.locator("button.copy").first.is_hidden()  # nothing to click without JavaScript
    details = page.locator(".cite").first
    details.locator("summary").click()
    assert details.locator("pre").first.is_visible()  # the citation is there to select
    if page.locator("a[rel=next]").count():
        page.click("a[rel=next]")
        assert "page=2" in page.url and page.locator(".result").count() >= 1

    note = tmp_path / "plain-upload.txt"
    note.write_text("The quartermaster of the Velvet Barge logged nine barrels of brine.\n")
    page.goto("/upload")
    page.set_input_files("#files", str(note))
    page.get_by_role("button", name="Upload and ingest").click()
    page.wait_for_url("**/upload/jobs/*")
    page.wait_for_selector("h1:text('Upload ingested')", timeout=60_000)  # the page refreshes itself
    search_with_the_form(page, "quartermaster brine", mode="keyword")
    assert "quartermaster" in page.locator(".result h2").first.text_content()


def test_hostile_documents_run_no_script_and_render_as_text(new_page, live_server):
    page = new_page(viewport=DESKTOP)
    search_with_the_form(page, "zanzibarite", mode="keyword")
    titles = page.locator(".result h2").all_text_contents()
    assert any(SCRIPT in title for title in titles)
    assert page.locator("img").count() == 0 and page.locator("a[href^='javascript']").count() == 0
    assert page.locator(f"text={IMG}").count() >= 1  # the author, shown as text
    page.locator(".result h2 a", has_text=HOSTILE_RECORD["title"]).click()
    page.wait_for_url("**/documents/*")
    assert page.locator("h1").text_content() == HOSTILE_RECORD["title"]
    page.locator(".metadata summary").click()
    assert page.locator(".metadata dd", has_text=JS_URL).count() == 1
    assert page.locator("main a[href*='alert']").count() == 0
    assert SCRIPT in page.locator(".fulltext").text_content()
    policy = live_server.get(page.url.replace(live_server.url, "")).headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy


def test_phone_width_has_no_horizontal_scrolling(new_page, screenshots):
    page = new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    search_with_the_form(page, QUESTION)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(screenshots / "results-mobile.png"))
    page.locator(".passage .open").first.click()
    page.wait_for_url("**#passage")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_keyboard_only_search_and_open(new_page):
    page = new_page(viewport=DESKTOP)
    page.goto("/documents")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.goto("/")
    assert page.evaluate("document.activeElement.id") == "q"  # the empty search page focuses the box
    page.keyboard.type(KEYWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector(".result")
    page.keyboard.press("/")  # the shortcut back to the search box
    assert page.evaluate("document.activeElement.id") == "q"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.result h2') !== null"):
            break
    else:
        pytest.fail("Tab never reached the first result")
    page.keyboard.press("Enter")
    page.wait_for_url("**/documents/*")
