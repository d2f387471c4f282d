"""`archive edit`, `archive ingest --source/--tag` on unchanged files and `--metadata` sidecars,
run as users run them (click's CliRunner, real archive)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archive.cli import cli


@pytest.fixture()
def run(settings):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [*map(str, args), "--data", str(settings.data_dir)], catch_exceptions=False)

    return invoke


@pytest.fixture()
def ingested(run, tmp_path):
    """Two text files ingested; returns (folder, id of ledger.txt)."""
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "ledger.txt").write_text(
        "Quarry ledger\n\nTwelve crates of zanzibarite left for the northern pass.\n", encoding="utf-8"
    )
    (folder / "delta.txt").write_text(
        "Delta notes\n\nSalinity rose after the gates opened.\n", encoding="utf-8"
    )
    assert run("ingest", folder, "--no-progress").exit_code == 0
    listing = json.loads(run("list", "--json").output)
    [ledger] = [d["id"] for d in listing["documents"] if d["path"].endswith("ledger.txt")]
    return folder, ledger


def test_edit_prints_what_changed_and_show_lists_the_history(run, ingested):
    _, doc_id = ingested
    result = run("edit", doc_id, "--source", "Quarry Gazette", "--date", "1 March 2025", "--tag", "mining")
    assert result.exit_code == 0, result.output
    assert "source: (empty) -> 'Quarry Gazette'" in result.output
    assert "date: (empty) -> '2025-03-01'" in result.output and "tags: (empty) -> 'mining'" in result.output
    result = run("edit", doc_id, "--tag", "pass", "--json")
    edited = json.loads(result.output)
    assert edited["document"]["tags"] == ["mining", "pass"] and edited["provenance"]["tags"] == "user"
    result = run("edit", doc_id, "--remove-tag", "MINING")
    assert "tags: 'mining; pass' -> 'pass'" in result.output
    result = run("edit", doc_id, "--clear-tags", "--tag", "north", "--author", "")
    assert "tags: 'pass' -> 'north'" in result.output and "author" not in result.output  # no author before
    assert run("edit", doc_id, "--source", "Quarry Gazette").output.startswith("nothing changed")
    shown = run("show", doc_id).output
    assert "source: Quarry Gazette  (from user)" in shown and "title: Quarry ledger  (from byline)" in shown
    assert "by cli: source (empty) -> 'Quarry Gazette'" in shown
    assert json.loads(run("show", doc_id, "--json").output)["history"][0]["new_value"] == "north"


def test_edit_refuses_bad_values_and_empty_edits(run, ingested):
    _, doc_id = ingested
    result = run("edit", doc_id, "--date", "someday")
    assert result.exit_code == 2 and "error: date: 'someday' is not a date (use YYYY-MM-DD)" in result.output
    result = run("edit", doc_id, "--url", "ftp://files.example/x")
    assert result.exit_code == 2 and "url: 'ftp://files.example/x' is not a web address" in result.output
    result = run("edit", doc_id)
    assert result.exit_code == 2 and "nothing to change" in result.output
    result = run("edit", "0000000000000000", "--title", "x")
    assert result.exit_code == 1 and "no document with id '0000000000000000'" in result.output


def test_ingest_source_and_tag_on_an_unchanged_file_update_its_metadata(run, ingested):
    folder, doc_id = ingested
    result = run(
        "ingest", folder / "ledger.txt", "--source", "Iran Dossier", "--tag", "iran", "--no-progress"
    )
    assert result.exit_code == 0, result.output
    assert "0 unchanged, 1 metadata updated" in result.output and "0 embedded" in result.output
    document = json.loads(run("show", doc_id, "--json").output)
    assert (document["source"], document["tags"]) == ("Iran Dossier", ["iran"])
    hits = json.loads(run("search", "zanzibarite", "--source", "Iran Dossier", "--json").output)["results"]
    assert [hit["document"]["id"] for hit in hits] == [doc_id]
    run("edit", doc_id, "--source", "Quarry Gazette")
    result = run("ingest", folder / "ledger.txt", "--source", "Other desk", "--no-progress", "--json")
    assert json.loads(result.output)["unchanged"] == 1  # the edit wins: nothing to update
    assert json.loads(run("show", doc_id, "--json").output)["source"] == "Quarry Gazette"


def test_ingest_with_a_metadata_file(run, ingested, tmp_path):
    folder, doc_id = ingested
    sidecar = tmp_path / "meta.csv"
    sidecar.write_text(
        "path,source,tags\nledger.txt,Quarry Gazette,mining;pass\ngone.txt,Nobody,\n", encoding="utf-8"
    )
    result = run("ingest", folder, "--metadata", sidecar, "--no-progress")
    assert result.exit_code == 0, result.output
    assert "1 unchanged, 1 metadata updated" in result.output
    assert "metadata rows for files not found:\n  'gone.txt'" in result.output
    document = json.loads(run("show", doc_id, "--json").output)
    assert (document["source"], document["tags"], document["provenance"]["source"]) == (
        "Quarry Gazette",
        ["mining", "pass"],
        "sidecar",
    )
    sidecar.write_text("path,date\nledger.txt,2025-13-45\n", encoding="utf-8")
    result = run("ingest", folder, "--metadata", sidecar, "--no-progress")
    assert result.exit_code == 2
    assert (
        "the metadata file meta.csv has 1 bad row(s): meta.csv row 2: date: '2025-13-45' is not a date"
        in (result.output)
    )
