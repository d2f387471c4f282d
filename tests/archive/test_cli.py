"""The `archive` command as users run it (click's CliRunner, real archive)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archive.cli import cli
from tests.filebuilders import write_pdf


@pytest.fixture()
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_search_json_prints_the_api_shape(run, corpus_settings):
    result = run("search", "Qahtan Barudi", "--json", "-k", "2", "--data", corpus_settings.data_dir)
    assert result.exit_code == 0, result.output
    response = json.loads(result.output)
    assert response["mode"] == "hybrid" and len(response["results"]) == 2
    passage = response["results"][0]["passages"][0]
    assert passage["highlights"] and passage["citation"]["text"]


def test_search_for_people_shows_title_citation_and_emphasis(run, corpus_settings):
    result = run(
        "search", '"hydrological aggression"', "--mode", "keyword", "--data", corpus_settings.data_dir
    )
    assert result.exit_code == 0
    assert (
        "**hydrological** **aggression**" in result.output or "**hydrological aggression**" in result.output
    )
    assert " 1. " in result.output and "para." in result.output


def test_stats_list_and_show(run, corpus_settings):
    stats = json.loads(run("stats", "--json", "--data", corpus_settings.data_dir).output)
    assert stats["documents"] >= 28 and stats["chunks"] >= stats["documents"]
    assert stats["failed_files"] == 0 and stats["model"] == "all-MiniLM-L6-v2" and stats["dimension"] == 384
    assert stats["keyword_indexed"] == stats["vector_indexed"] == stats["chunks"]
    listing = json.loads(run("list", "--json", "--limit", "3", "--data", corpus_settings.data_dir).output)
    assert listing["total"] == stats["documents"] and len(listing["documents"]) == 3
    doc_id = listing["documents"][0]["id"]
    shown = run("show", doc_id, "--data", corpus_settings.data_dir)
    assert shown.exit_code == 0 and doc_id in shown.output


@pytest.mark.parametrize(
    "args",
    [
        ["search", "dam", "--mode", "fuzzy"],
        ["search", "dam", "-k", "0"],
        ["search"],
        ["ingest"],
        ["search", "dam", "--date-from", "yesterday-ish"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(run, corpus_settings, args):
    result = run(*args, "--data", corpus_settings.data_dir) if args[0] != "frobnicate" else run(*args)
    assert result.exit_code == 2


def test_user_errors_are_one_line_without_traceback(run, tmp_path, corpus_settings):
    missing = run("search", "dam", "--data", tmp_path / "nowhere")
    assert missing.exit_code == 1
    assert missing.output.strip().startswith("error: no archive in")
    assert "Traceback" not in missing.output and len(missing.output.strip().splitlines()) == 1
    unknown = run("show", "0000000000000000", "--data", corpus_settings.data_dir)
    assert unknown.exit_code == 1 and "no document with id" in unknown.output
    empty = run("search", "   ", "--data", corpus_settings.data_dir)
    assert empty.exit_code == 2 and "query is empty" in empty.output


def test_ingest_reports_failures_and_exits_1(run, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_pdf(folder / "good.pdf", ["A page about the Karsul spillway."], title="Good PDF")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    (folder / "empty.md").write_bytes(b"")
    data = tmp_path / "data"
    result = run("ingest", folder, "--data", data)
    assert result.exit_code == 1
    assert "1 ingested" in result.output and "2 failed" in result.output
    assert "broken.pdf" in result.output and "empty.md" in result.output
    again = run("ingest", folder, "--data", data, "--json")
    report = json.loads(again.output)
    assert report["unchanged"] == 1 and report["embedded"] == 0 and len(report["failed"]) == 2
    listing = json.loads(run("list", "--json", "--data", data).output)
    assert [d["title"] for d in listing["documents"]] == ["Good PDF"]


def test_delete_and_reindex_commands(run, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha note on the Tamar Narrows.", encoding="utf-8")
    (folder / "b.txt").write_text("Beta note on the Karsul reservoir.", encoding="utf-8")
    data = tmp_path / "data"
    assert run("ingest", folder, "--data", data).exit_code == 0
    doc_id = next(
        d["id"]
        for d in json.loads(run("list", "--json", "--data", data).output)["documents"]
        if d["title"].startswith("Alpha")
    )
    assert run("delete", doc_id, "--data", data).exit_code == 0
    assert run("reindex", "--data", data).exit_code == 0
    stats = json.loads(run("stats", "--json", "--data", data).output)
    assert (stats["documents"], stats["keyword_indexed"], stats["vector_indexed"]) == (1, 1, 1)
    hits = json.loads(run("search", "Tamar Narrows", "--json", "--mode", "keyword", "--data", data).output)
    assert hits["results"] == []
