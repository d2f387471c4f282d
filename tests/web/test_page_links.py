"""Pages link to themselves with their own query arguments only: names that `url_for` reads as
options (`_anchor`, `_method`, `_scheme`, `_external`) or that no page knows never reach a link."""

from __future__ import annotations

import pytest

from tests.web.conftest import TEST_KEY
from web import create_app

FOREIGN = ["_anchor=a", "_method=POST", "_scheme=https", "_external=1", "_external=", "endpoint=x", "zz=1"]


@pytest.mark.parametrize("extra", FOREIGN)
def test_search_page_links_keep_only_its_arguments(corpus_client, extra):
    response = corpus_client.get(f"/?q=water&mode=keyword&{extra}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200, f"/?q=water&{extra}: {response.status_code} {body[:300]}"
    assert 'rel="next" href="/?q=water&amp;mode=keyword&amp;page=2"' in body, f"pager link with {extra}"
    name = extra.split("=")[0]
    assert f"{name}=" not in body.split('rel="next"')[1].split(">")[0], f"{extra} leaked into the pager link"


@pytest.mark.parametrize("extra", FOREIGN)
def test_document_list_links_keep_only_its_arguments(corpus_settings, corpus_archive, extra):
    app = create_app(corpus_settings, corpus_archive, config={"API_KEY": TEST_KEY, "LIST_PAGE_SIZE": 5})
    response = app.test_client().get(f"/documents?format=text&{extra}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200, f"/documents?{extra}: {response.status_code} {body[:300]}"
    assert 'rel="next" href="/documents?format=text&amp;page=2"' in body, f"pager link with {extra}"
