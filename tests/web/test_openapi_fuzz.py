"""schemathesis against /api/openapi.json of a live `archive serve`: every phase (coverage,
fuzzing, stateful) and every check: no 5xx, and every response, errors included, matches the
documented status codes, content types and schemas; invalid input is rejected, valid input
accepted, the API key enforced, 405 with Allow for other methods.

It runs the schemathesis CLI on its own server over a small archive, since it uploads and
deletes at random. (The CLI rather than `schemathesis.pytest`: that plugin sets
`request.node._nodeid`, which pytest 9 no longer has.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive.config import Settings
from tests.conftest import ingest
from tests.web.conftest import start_server, stop_server, write_small_collection

pytestmark = pytest.mark.slow
SCHEMATHESIS = Path(sys.executable).with_name("st")
MAX_EXAMPLES = 30
# A fixed seed, so that a CI run repeats the same cases: with a fresh seed about one run in eight
# met a schemathesis false positive on multipart forms (a null mutation of an optional text field
# reaches the server as text or not at all, a valid request, and is then "wrongly accepted").
# ARCHIVE_FUZZ_SEED=random explores new cases.
SEED = os.environ.get("ARCHIVE_FUZZ_SEED", "20261126")

# Random bytes are rarely a readable document: for an upload, 422 ("nothing could be read") is
# the documented answer to a well-formed request, so it counts as accepting valid data.
CONFIG = """
[[operations]]
include-method = "POST"
include-path = "/api/documents"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "409", "413", "422"]
"""


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    data = root / "data"
    assert ingest(Settings.from_env(data), write_small_collection(root / "files")).failed == []
    server = start_server(data, root / "serve.log")
    yield server
    stop_server(server)


def test_api_conforms_to_its_openapi_document(fuzz_server, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{fuzz_server.url}/api/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        # One worker: with two threads, CPython 3.11's AST validator races while hypothesis
        # compiles its strategies ("SystemError: AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--header",
        f"Authorization: Bearer {fuzz_server.api_key}",
        "--no-color",
        *([] if SEED == "random" else ["--seed", SEED]),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    report = result.stdout + result.stderr
    assert result.returncode == 0, (
        report[-8000:] + "\n--- server log ---\n" + fuzz_server.log.read_text()[-4000:]
    )
    assert "No issues found" in report
    assert "Traceback" not in fuzz_server.log.read_text()
