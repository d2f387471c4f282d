"""An honest "no match" and notices that say what the search did, over the sample collection plus
the seed article (real model, real indexes): the relevance floor, spelling variants and the way to
turn them off, undated documents left out by a date filter, a page past the end, a query too long,
and short names that are not linked by a spare edit."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archive.catalog import Filters
from archive.cli import cli
from archive.errors import UsageError
from archive.search import MAX_QUERY_LENGTH, SearchRequest, SearchService
from archive.store import Archive
from bench import corpus_queries
from tests.conftest import SEED

SEED_ID = corpus_queries.expected_id(SEED.name, SEED.parent)
NONSENSE = "xylophone quasar zebrafish"


@pytest.fixture(scope="module")
def service(seeded_settings):
    with Archive(seeded_settings) as archive:
        yield SearchService(archive)


def search(service: SearchService, query: str, **options) -> dict:
    return service.search(SearchRequest(query=query, **options))


def codes(response: dict) -> list[str]:
    return [notice["code"] for notice in response["notices"]]


def notice_of(response: dict, code: str) -> dict:
    found = [notice for notice in response["notices"] if notice["code"] == code]
    assert found, f"no '{code}' notice in {response['notices']}"
    return found[0]


@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
def test_nonsense_matches_nothing_and_the_closest_are_shown_apart(service, mode):
    response = search(service, NONSENSE, mode=mode)
    assert response["total"] == 0 and response["results"] == [], (mode, response["total"])
    assert response["floor"] is not None and response["weak_total"] > 0
    weak = response["weak_results"]
    assert 0 < len(weak) <= 10 and all(r["score"] < response["floor"] for r in weak), [
        r["score"] for r in weak
    ]
    assert "no_match" in codes(response)


def test_a_name_held_by_one_document_counts_one_match(service):
    response = search(service, "Qaani")
    assert response["total"] == 1, [(r["document"]["title"], r["score"]) for r in response["results"]]
    assert response["results"][0]["document"]["id"] == SEED_ID
    assert response["results"][0]["score"] >= response["floor"]
    assert response["weak_total"] >= 25  # the rest of the archive, ranked after it, not matches


def test_keyword_mode_and_operators_have_no_floor(service):
    assert search(service, "Qaani", mode="keyword")["floor"] is None
    strict = search(service, '"Quds Force"')
    assert strict["floor"] is None and strict["total"] == 1 and strict["weak_total"] == 0


def test_spelling_variants_are_named_and_can_be_turned_off(service):
    widened = search(service, "Ghaani")
    variants = notice_of(widened, "spelling_variants")
    assert variants["term"] == "Ghaani" and "Qaani" in variants["variants"], variants
    assert "Also matched Qaani for Ghaani" in variants["message"]
    assert widened["total"] == 1 and widened["results"][0]["document"]["id"] == SEED_ID
    for exact in (search(service, "Ghaani", exact=True), search(service, '"Ghaani"')):
        assert "spelling_variants" not in codes(exact), exact["notices"]
        assert exact["total"] == 0, [r["document"]["title"] for r in exact["results"]]


def test_a_quoted_word_is_exact_but_the_rest_still_widens(service):
    response = search(service, '"Ghaani" OR Ghahtan', mode="keyword")
    variants = notice_of(response, "spelling_variants")
    assert variants["term"] == "Ghahtan" and "Ghaani" not in variants["message"], variants


def test_a_short_name_is_not_matched_by_a_spare_edit(service):
    response = search(service, "Yahya Sarea", mode="keyword")
    titles = [r["document"]["title"] for r in response["results"]]
    assert titles == ["Houthi spokesman claims strike on tanker"], titles
    assert "spelling_variants" not in codes(response), response["notices"]
    bylines = search(service, "Sara Lind", mode="keyword")
    assert bylines["total"] >= 5  # the wire stories are there, only not matched by "Sarea"


def test_a_date_filter_says_how_many_undated_documents_it_leaves_out(service):
    everything = search(service, "Qaani")
    assert everything["results"][0]["document"]["date"] is None  # the seed has no date
    dated = search(service, "Qaani", filters=Filters(date_from="2023-01-01"))
    assert dated["total"] == 0
    left_out = notice_of(dated, "undated_left_out")
    assert left_out["count"] == 1 and "1 undated document not shown" in left_out["message"]
    in_query = search(service, "Qaani date:>2023-01-01")
    assert notice_of(in_query, "undated_left_out")["count"] == 1
    assert "undated_left_out" not in codes(everything)


def test_a_page_past_the_end_says_where_the_last_page_is(service):
    first = search(service, "dam", mode="keyword", k=10)
    total = first["total"]
    assert 10 < total < 990 and "page_past_end" not in codes(first)
    past = search(service, "dam", mode="keyword", k=10, offset=980)
    assert past["results"] == [] and past["total"] == total
    notice = notice_of(past, "page_past_end")
    assert notice["last_offset"] == (total - 1) // 10 * 10 and f"{total} documents match" in notice["message"]
    last = search(service, "dam", mode="keyword", k=10, offset=notice["last_offset"])
    assert last["results"] and "page_past_end" not in codes(last)


def test_a_query_over_the_limit_is_refused_with_its_length(service):
    with pytest.raises(UsageError) as refused:
        search(service, "water " * 290)
    assert refused.value.code == "query_too_long"
    assert "1,739 characters" in refused.value.message and f"{MAX_QUERY_LENGTH:,}" in refused.value.message


def test_cli_shows_weak_results_apart_and_takes_exact(seeded_settings):
    runner = CliRunner()
    data = ["--data", str(seeded_settings.data_dir)]
    nonsense = runner.invoke(cli, ["search", NONSENSE, "-k", "3", *data])
    assert nonsense.exit_code == 0, nonsense.output
    assert f"0 matching document(s) for '{NONSENSE}'" in nonsense.output
    assert "closest by meaning, weak (below the relevance floor, not matches): 3 shown of" in nonsense.output
    widened = runner.invoke(cli, ["search", "Ghaani", "-k", "1", *data])
    assert "note: Also matched Qaani for Ghaani" in widened.output, widened.output
    exact = runner.invoke(cli, ["search", "Ghaani", "--exact", "--json", *data])
    body = json.loads(exact.output)
    assert body["exact"] is True and body["total"] == 0 and "spelling_variants" not in codes(body)
