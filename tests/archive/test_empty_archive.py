"""An archive with zero documents, zero chunks or no index generation yet: every path works.

Each state is built the way a user reaches it: a first ingest of nothing but unreadable files
(a generation with zero chunks), `reindex` after deleting everything, and a catalog whose first
manifest was never written (an ingest killed early; `check --repair` then builds an empty one).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import generations, operations
from archive.catalog import open_catalog
from archive.cli import cli
from archive.config import Settings
from archive.store import Archive
from tests.conftest import ingest
from web import create_app

QUERIES = [
    "dam",
    '"dam wall"',
    "dam AND NOT river",
    "da*",
    "dam~",
    "date:2020 dam",
    "title:dam",
    "Who built it?",
]


def _only_unreadable(root: Path) -> Settings:
    files = root / "files"
    files.mkdir(parents=True)
    (files / "broken.pdf").write_bytes(b"\x00\x01 not a pdf")
    settings = Settings.from_env(root / "data")
    report = ingest(settings, files)
    assert len(report.failed) == 1, report.failed
    return settings


def _everything_deleted(root: Path) -> Settings:
    files = root / "files"
    files.mkdir(parents=True)
    (files / "dam.txt").write_text("The dam wall was built in 1962 by the river authority.", encoding="utf-8")
    settings = Settings.from_env(root / "data")
    ingest(settings, files)
    with Archive(settings, write=True) as archive:
        doc_ids = [doc["id"] for doc in operations.list_documents(archive, 10, 0)["documents"]]
        operations.delete(archive, doc_ids)
        operations.reindex(archive)
    return settings


def _no_generation(root: Path) -> Settings:
    settings = _only_unreadable(root)
    catalog = open_catalog(settings.data_dir)  # the record of the current generation is lost
    generations.forget(catalog)
    catalog.close()
    return settings


STATES = {
    "zero-chunks": _only_unreadable,
    "all-deleted": _everything_deleted,
    "no-generation": _no_generation,
}


@pytest.fixture(params=sorted(STATES))
def empty(request, tmp_path) -> Settings:
    return STATES[request.param](tmp_path)


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"archive {' '.join(map(str, args))} raised {result.exception!r}"
    )
    return result.exit_code, result.output


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_search_finds_nothing_without_an_error(empty, mode):
    for query in QUERIES:
        code, output = run("search", query, "--mode", mode, "--json", "--data", empty.data_dir)
        assert code == 0, f"search {query!r} ({mode}): {output}"
        response = json.loads(output[output.index("{") :])
        assert response["total"] == 0 and response["results"] == [], f"{query!r}: {response}"
    code, output = run("search", "dam", "--mode", mode, "--source", "x", "--date-from", "2020-01-01",
                       "--data", empty.data_dir)  # fmt: skip
    assert code == 0, f"filtered search: {output}"


def test_check_repair_reindex_stats_and_list(empty):
    data = empty.data_dir
    code, output = run("check", "--repair", "--json", "--data", data)
    assert code == 0, f"check --repair: {output}"
    assert json.loads(output)["ok"] is True
    code, output = run("check", "--json", "--data", data)
    assert code == 0 and json.loads(output)["findings"] == [], f"check after repair: {output}"
    code, output = run("reindex", "--data", data)
    assert code == 0 and "0 documents" in output, f"reindex: {output}"
    code, output = run("stats", "--json", "--data", data)
    assert code == 0, f"stats: {output}"
    figures = json.loads(output)
    assert figures["documents"] == figures["chunks"] == 0, figures
    code, output = run("list", "--data", data)
    assert code == 0 and "(0 of 0 documents)" in output, f"list: {output}"
    code, output = run("search", "dam", "--data", data)
    assert code == 0, f"search after repair and reindex: {output}"


def test_check_reports_a_missing_generation_clearly(tmp_path):
    settings = _no_generation(tmp_path)
    code, output = run("check", "--data", settings.data_dir)
    assert code == 1 and "check --repair" in output, output


def test_web_pages_and_api_over_an_empty_archive(empty):
    app = create_app(empty, config={"API_KEY": "empty-archive-test-key"})
    client = app.test_client()
    for query in QUERIES:
        for path in (f"/api/search?q={query}&mode=keyword", f"/api/search?q={query}", f"/?q={query}"):
            response = client.get(path)
            assert response.status_code == 200, f"GET {path}: {response.status_code} {response.data[:300]!r}"
        assert client.get(f"/api/search?q={query}").get_json()["total"] == 0
    for path in ("/", "/documents", "/api/documents", "/api/stats", "/api/facets", "/healthz", "/upload"):
        response = client.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.data[:300]!r}"
    app.extensions["archive"].close()
