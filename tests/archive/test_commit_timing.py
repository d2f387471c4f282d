"""A long ingest commits in bounded time, not only every 256 chunks: killed after its first
timed commit, the archive keeps what was committed, recovers, and a re-run adds the rest.

Before, every chunk of the first 256 was embedded before anything was committed (about four
minutes on a busy machine): a kill then kept nothing. The batch now closes at the number of
chunks this machine embeds in ARCHIVE_COMMIT_SECONDS (the first one at 16 chunks).
"""

from __future__ import annotations

import json
import signal

from tests.archive.test_crash import catalog_state, run

WORDS = "reservoir spillway convoy ledger quarry harbour audit pipeline treaty border".split()


def write_folder(folder, documents: int = 12):
    folder.mkdir(parents=True)
    for number in range(documents):
        sentences = [
            f"Report {number} notes that the {WORDS[(number + i) % len(WORDS)]} figure {i} was checked again."
            for i in range(60)
        ]
        (folder / f"report-{number:02d}.txt").write_text(" ".join(sentences), encoding="utf-8")
    return folder


def test_a_killed_long_ingest_keeps_its_first_timed_commits(tmp_path):
    folder = write_folder(tmp_path / "reports")
    data = tmp_path / "data"
    killed = run(
        "ingest", folder, "--data", data,
        env={"ARCHIVE_COMMIT_SECONDS": "1", "ARCHIVE_CRASH_AT": "catalog-commit", "ARCHIVE_CRASH_AFTER": "2"},
        check=False,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, f"the ingest was never killed: {killed.stdout[-500:]}"
    identities, chunks = catalog_state(data)
    assert 1 <= len(identities) < 12, f"{len(identities)} documents survived the kill"
    assert len(chunks) < 256

    checked = run("check", "--json", "--data", data)
    assert checked.returncode == 0 and json.loads(checked.stdout)["ok"], checked.stdout
    again = run("ingest", folder, "--data", data, "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(again.stdout)["unchanged"] == len(identities)
    assert len(catalog_state(data)[0]) == 12
