"""Every spelling of a name finds the documents that use any other spelling; the spelling typed
ranks first (tests/fixtures/name_variants.json holds the groups)."""

from __future__ import annotations

import json

import pytest

from archive.search import SearchRequest, SearchService
from archive.store import Archive
from indexer.analysis import analyze
from tests.conftest import REPO, ingest
from tests.filebuilders import write_jsonl

GROUPS = json.loads((REPO / "tests/fixtures/name_variants.json").read_text())["groups"]
FILLER = (
    "addressed the committee about water levels in the reservoir and the schedule for the "
    "next round of talks, according to two officials present."
)


def folded(text):
    return [term for term, _, _ in analyze(text, mode="query")]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from archive.config import Settings

    folder = tmp_path_factory.mktemp("names")
    records = [
        {"id": f"g{g}s{s}", "title": f"Note {g}-{s}", "text": f"{spelling} {FILLER}"}
        for g, group in enumerate(GROUPS)
        for s, spelling in enumerate(group)
    ]
    write_jsonl(folder / "names.jsonl", records)
    settings = Settings.from_env(folder / "data")
    assert ingest(settings, folder / "names.jsonl").failed == []
    with Archive(settings) as archive:
        yield SearchService(archive)


CASES = [(g, s) for g, group in enumerate(GROUPS) for s in range(len(group))]


@pytest.mark.parametrize("group, spelling", CASES)
def test_each_spelling_finds_the_whole_group_with_its_own_spelling_first(service, group, spelling):
    query = GROUPS[group][spelling]
    response = service.search(SearchRequest(query=query, mode="keyword", k=50))
    found = [r["document"]["external_id"] for r in response["results"]]
    for other in range(len(GROUPS[group])):
        assert f"g{group}s{other}" in found, (query, GROUPS[group][other])
    top = response["results"][0]
    top_spelling = GROUPS[group][int(top["document"]["external_id"].split("s")[1])]
    assert folded(top_spelling) == folded(query) or top["document"]["external_id"] == f"g{group}s{spelling}"
    assert top["passages"][0]["highlights"], "the matched name is highlighted"


def test_variant_matches_rank_below_exact_matches(service):
    response = service.search(SearchRequest(query="Ghahtan Baroudi", mode="keyword", k=10))
    scores = {r["document"]["external_id"]: r["score"] for r in response["results"]}
    group = next(g for g, names in enumerate(GROUPS) if "Ghahtan Baroudi" in names)
    exact = scores[f"g{group}s{GROUPS[group].index('Ghahtan Baroudi')}"]
    assert all(exact > score for key, score in scores.items() if key != f"g{group}s3")
