"""Fixtures for the web tests: apps over real archives (real model, indexes, SQLite), a live
`archive serve` subprocess, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from archive.config import Settings
from tests.conftest import ingest
from tests.filebuilders import NEWS_HTML, write_docx, write_eml, write_jsonl, write_pdf
from web import create_app

ARCHIVE_BIN = Path(sys.executable).with_name("archive")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TEST_KEY = "test-api-key-0123456789"

# Every field an attacker controls carries a payload; "zanzibarite" finds them.
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
HOSTILE_RECORD = {
    "id": "xss-1",
    "title": f"{SCRIPT} Zanzibarite ledger",
    "author": IMG,
    "source": f"{IMG} Wire",
    "url": JS_URL,
    "date": "2025-05-05",
    "tags": [SCRIPT],
    "text": (
        f"The zanzibarite ledger {SCRIPT} was found beside {IMG} in the quarry office. "
        "Inspectors said the ledger listed shipments of zanzibarite ore through the northern pass. "
        'A second page mentioned [a link](javascript:alert(2)) and "quotes" & ampersands.'
    ),
}
HOSTILE_HTML = """<!doctype html><html><head>
<title>&lt;script&gt;alert(3)&lt;/script&gt; Zanzibarite bulletin</title>
<meta name="author" content="&lt;img src=x onerror=alert(4)&gt;"></head><body><article>
<h1>&lt;script&gt;alert(3)&lt;/script&gt; Zanzibarite bulletin</h1>
<p>The quarry bulletin says zanzibarite exports doubled; &lt;img src=x onerror=alert(5)&gt; was printed
in the margin by a prankster, and the editors left it there for the record.</p>
<p>Officials at the northern pass confirmed the zanzibarite figures on Tuesday and promised an audit.</p>
</article></body></html>"""


def write_hostile_documents(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    jsonl = write_jsonl(folder / "hostile.jsonl", [HOSTILE_RECORD])
    html = folder / "hostile.html"
    html.write_text(HOSTILE_HTML, encoding="utf-8")
    return [jsonl, html]


def write_small_collection(folder: Path) -> Path:
    """A few real files of several formats (PDF with pages, DOCX, e-mail with attachment, HTML)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_pdf(
        folder / "brief.pdf",
        [
            "Reservoir briefing. The Velmora reservoir was filled over eight years.",
            "Page two explains evaporation losses at the Velmora spillway in detail.",
        ],
        title="Velmora reservoir brief",
        author="Jonas Ekberg",
    )
    write_docx(
        folder / "readout.docx",
        ["Readout of the proximity talks.", "The delegations met at the Hotel Lacombe in Geneva."],
        title="Proximity talks readout",
    )
    write_eml(
        folder / "memo.eml",
        "Insurance premiums for the strait",
        "The security desk recommends armed guards for every voyage through the strait.",
        attachment=("convoys.txt", b"Navy convoys cost forty thousand per voyage.\n", "text/plain"),
    )
    (folder / "news.html").write_text(NEWS_HTML, encoding="utf-8")
    write_hostile_documents(folder / "hostile")
    return folder


# -- apps over real archives -------------------------------------------------------------------


@pytest.fixture(scope="session")
def corpus_app(corpus_settings, corpus_archive):
    """The app over the session's sample-collection archive; read-only tests only."""
    return create_app(corpus_settings, corpus_archive, config={"API_KEY": TEST_KEY})


@pytest.fixture()
def corpus_client(corpus_app):
    return corpus_app.test_client()


@pytest.fixture(scope="session")
def small_settings(tmp_path_factory) -> Settings:
    """A private archive of a small collection (with hostile documents). Tests may add documents
    and delete what they added; the collection itself stays as built."""
    root = tmp_path_factory.mktemp("small")
    files = write_small_collection(root / "files")
    settings = Settings.from_env(root / "data")
    report = ingest(settings, files)
    assert report.failed == [], report.failed
    return settings


@pytest.fixture(scope="session")
def small_app(small_settings):
    return create_app(small_settings)


@pytest.fixture()
def small_client(small_app):
    return small_app.test_client()


# -- a live server ------------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    process: subprocess.Popen
    log: Path

    @property
    def api_key(self) -> str:
        return (self.data_dir / "api_key").read_text().strip()

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=60, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir: Path, log: Path) -> LiveServer:
    """`archive serve` on a free loopback port; returns once /healthz answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVE_BASE_URL"}
    handle = open(log, "wb")  # noqa: SIM115 - the server writes to it until it stops
    process = subprocess.Popen(
        [str(ARCHIVE_BIN), "serve", "--data", str(data_dir), "--port", str(port), "--threads", "4"],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=env,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, process, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"archive serve exited:\n{log.read_text()}")
        try:
            if requests.get(server.url + "/healthz", timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.25)
    stop_server(server)
    raise RuntimeError(f"archive serve did not start:\n{log.read_text()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def live_server(corpus_settings, corpus_archive, tmp_path_factory):
    """`archive serve` over a copy of the sample-collection archive plus the hostile documents."""
    root = tmp_path_factory.mktemp("live")
    data = root / "data"
    shutil.copytree(corpus_settings.data_dir, data, ignore=shutil.ignore_patterns("write.lock", "api_key"))
    report = ingest(Settings.from_env(data), *write_hostile_documents(root / "hostile"))
    assert report.failed == [], report.failed
    server = start_server(data, root / "serve.log")
    yield server
    stop_server(server)


# -- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `apt-get install -y chromium` (or `make chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def new_page(browser, live_server):
    """Opens pages in fresh contexts. Any JavaScript dialog (alert, confirm) fails the test, and
    so do script errors and Content-Security-Policy violations (inline script or style)."""
    dialogs: list[str] = []
    problems: list[str] = []
    contexts = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            problems.append(message.text)

    def open_page(**context_options):
        context = browser.new_context(base_url=live_server.url, **context_options)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", on_console)
        page.set_default_timeout(20_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert dialogs == [], f"a script ran and opened a dialog: {dialogs}"
    assert problems == [], problems


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the browser tests save their screenshots: a temporary folder, so that a test run never
    changes tracked files; `make screenshots` sets ARCHIVE_SCREENSHOTS=docs/screenshots on purpose."""
    chosen = os.environ.get("ARCHIVE_SCREENSHOTS")
    folder = Path(chosen).resolve() if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
