"""Kill a real `archive ingest` with SIGKILL at each dangerous moment; the archive must open,
recover, pass `archive check`, and a re-run must finish with exactly the expected documents."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

from tests.archive.test_ingest import build_folder
from tests.conftest import REPO

ARCHIVE = [sys.executable, "-m", "archive"]
POINTS = ["embedded", "catalog-commit", "keyword-commit", "keyword-applied", "vector-save", "vector-applied"]


def run(*args, env=None, check=True):
    result = subprocess.run(
        [*ARCHIVE, *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    if check and result.returncode not in (0, 1):
        raise AssertionError(f"{args}: exit {result.returncode}\n{result.stderr[-2000:]}")
    return result


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """An archive already holding one folder, and a second folder to ingest into it."""
    root = tmp_path_factory.mktemp("crash")
    first = root / "first"
    first.mkdir()
    (first / "old.txt").write_text("An older note about the Tamar Narrows convoy schedule.", encoding="utf-8")
    assert run("ingest", first, "--data", root / "data").returncode == 0
    return root, build_folder(root / "second")


def catalog_state(data):
    with sqlite3.connect(data / "catalog.sqlite3") as db:
        identities = [r[0] for r in db.execute("SELECT identity FROM documents")]
        chunks = {r[0] for r in db.execute("SELECT id FROM chunks")}
    return identities, chunks


@pytest.mark.parametrize("point", POINTS)
def test_kill_at_any_moment_leaves_an_archive_that_recovers(base, tmp_path, point):
    root, folder = base
    data = tmp_path / "data"
    shutil.copytree(root / "data", data)
    killed = run("ingest", folder, "--data", data, env={"ARCHIVE_CRASH_AT": point}, check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]

    # Before any writer has recovered, searches answer and return only chunks the catalog holds.
    _, chunks = catalog_state(data)
    for mode in ("keyword", "hybrid"):
        found = run("search", "Velmora reservoir premium", "--mode", mode, "--json", "--data", data)
        assert found.returncode == 0, found.stderr
        ids = {p["id"] for r in json.loads(found.stdout)["results"] for p in r["passages"]}
        assert ids <= chunks

    checked = run("check", "--json", "--data", data)  # a writer: recovers on open, then checks
    assert checked.returncode == 0 and json.loads(checked.stdout)["ok"], checked.stdout

    again = run("ingest", folder, "--data", data, "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    identities, chunks = catalog_state(data)
    assert len(identities) == len(set(identities)) == 1 + 9  # the old note and the folder's nine
    final = json.loads(run("check", "--json", "--data", data).stdout)
    assert final["ok"] and final["keyword"]["indexed"] == final["vector"]["indexed"] == len(chunks)
