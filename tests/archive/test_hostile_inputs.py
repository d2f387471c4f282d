"""Hostile inputs, every one built here: each is named in the report with its reason, every other
file of the same run is ingested and searchable, what the archive held before is unchanged, and
the real `archive ingest` process stays within a memory bound (its peak RSS is measured).

One CLI run ingests a folder of all the hostile files and a few good ones, next to a folder that
was ingested before and whose files have since gone bad. Reader-level cases that need no model
(time budget, library limits, mutated files) are checked directly on the readers.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from archive.config import Settings
from archive.domain import Document
from archive.errors import ReadError
from archive.files import Unreachable, discover
from archive.readers import RecordError, Source, read_source
from archive.readers.text import decode_text
from archive.search import SearchRequest, SearchService
from archive.store import Archive
from tests.conftest import ingest
from tests.filebuilders import NEWS_HTML, pdf_bytes, write_docx, write_eml, write_encrypted_pdf, write_jsonl

ARCHIVE_BIN = Path(sys.executable).with_name("archive")
MAX_RSS = int(2.5 * 2**30)  # the embedding model alone is about 1 GB
FILE_LIMIT = 16 * 2**20  # ARCHIVE_MAX_FILE_BYTES for the run: the 24 MB file is over it
READ_SECONDS = 4  # ARCHIVE_READ_SECONDS for the run: the slow PDF needs minutes
DROP_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
DEEP_FOLDERS = 1200  # more than Python's recursion limit

# name in the report -> what its reason must say
HOSTILE = {
    "empty.txt": r"^empty file \(0 bytes\)$",
    "true": r"^binary content \(application/x-executable\)",
    "setup.exe": r"^binary content \(application/x-msdownload\)",
    "random.txt": r"^binary content",
    "truncated.pdf": r"^corrupt PDF",
    "locked.pdf": r"^encrypted PDF: a password is needed",
    "scan.pdf": r"^PDF has no text layer .*no text extracted",
    "slow.pdf": rf"^gave up: reading this PDF took over the {READ_SECONDS} s limit per file",
    "fake.docx": r"^not a valid \.docx \(not a zip archive\)$",
    "bomb.docx": r"^refused: \.docx would inflate to 300 MB .*zip bomb",
    "deep.html": r"^HTML nested more than 256 levels deep",
    "wide.html": r"^HTML has 300,004 tags, over the 200,000 limit",
    "feed.jsonl": r"^1 record\(s\) could not be read: line 3: malformed JSON \(Expecting ',' delimiter",
    "long-line.jsonl": r"^1 record\(s\) could not be read: line 2: line longer than the 16 MB limit",
    "loop": r"^symlink loop",
    "pipe.txt": r"^not a regular file",
    "secret.txt": r"^permission denied",
    "big.txt": r"^file is 24 MB, over the 16 MB limit",
    "sparse.txt": r"^file is 1 TB, over the 16 MB limit",  # refused before hashing a terabyte of zeros
    # ingested before, gone bad since: reported, and the archive keeps what it had
    "report.pdf": r"^corrupt PDF",
    "wire.jsonl": r"^1 record\(s\) could not be read: line 2: malformed JSON",
}

# odd but good files (name -> a keyword query that finds it): ingested, not failed
GOOD = {
    "good.txt": "harbour reopened storm",
    "report\nq1.txt": "cargo volumes Tamar",
    "تقرير.txt": "harbour master resigned",
    "отчёт.md": "Велмора inspection",
    "utf16le.txt": "grain convoy Kelvand",
    "utf16be.txt": "pipeline pressure Tamar",
    "utf16-arabic.txt": "القافلة",
    "broken-utf8.txt": "président Genève sluice",
    "name-\udcff\udcfe.txt": "oddly named weir",
    "deep.txt": "deepest folder lighthouse",
    "escapes.jsonl": "lone surrogate escape",
}
JSONL_GOOD = ["Salinity rose", "red tide", "desalination plant restarted", "Ferry crossings resumed"]
UTF16_TEXT = "Memo on the Kelvand grain convoy.\n\nThe grain convoy reached Kelvand at noon, officials said."
UTF16_BE_TEXT = UTF16_TEXT.replace("Kelvand grain convoy", "Tamar pipeline pressure")
ARABIC_TEXT = "تقرير عن القافلة.\n\nوصلت القافلة إلى المدينة عند الظهر."


# -- building the files ----------------------------------------------------------------------------


def slow_pdf(pages: int = 200, operators: int = 100_000) -> bytes:
    """A few KB that take pypdf minutes: every page draws the same 1 MB content stream."""
    content = zlib.compress(b"BT /F1 11 Tf 72 740 Td\n" + b"(word) Tj\n" * operators + b"ET", 9)
    return raw_pdf(content, pages, filters=b"/Filter /FlateDecode ")


def raw_pdf(content: bytes, pages: int = 1, filters: bytes = b"", extra: dict | None = None) -> bytes:
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< %s/Length %d >>\nstream\n" % (filters, len(content)) + content + b"\nendstream",
    }
    for page in range(pages):
        bodies[5 + page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
        )
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, io.SEEK_END)
    offsets = {}
    for number in sorted(bodies):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + bodies[number] + b"\nendobj\n")
    xref, count = out.tell(), max(bodies) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % count)
    out.write(b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, count)))
    trailer = b" ".join(b"/%s %s" % item for item in (extra or {}).items())
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (count, trailer, xref))
    return out.getvalue()


def zip_bomb(path: Path) -> None:
    """300 MB of XML in a 300 KB .docx."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        with bomb.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b"<")
            for _ in range(300):
                part.write(b"a" * 2**20)


def nested_html(depth: int) -> str:
    return (
        "<!doctype html><html><head><title>Deep</title></head><body>"
        + "<div>" * depth
        + "<p>The deepest paragraph mentions the lighthouse keeper and his logbook of ships.</p>"
        + "</div>" * depth
        + "</body></html>"
    )


def build_before(folder: Path) -> Path:
    """What the archive holds before the hostile run."""
    folder.mkdir(parents=True)
    (folder / "velmora.txt").write_text(
        "Velmora reservoir briefing\n\nEngineers opened the spillway gates at dawn on 14 March.\n"
    )
    (folder / "report.pdf").write_bytes(pdf_bytes(["Cholera cases rose among the displaced in Bayt Qurun."]))
    records = [
        {"id": "w1", "text": "Salinity in the delta rose to 4 grams per litre."},
        {"id": "w2", "text": "A desalination plant opened at Ras Numan."},
        {"id": "w3", "text": "The ferry to Kelvand was cancelled by the storm."},
    ]
    write_jsonl(folder / "wire.jsonl", records)
    return folder


def spoil_before(folder: Path) -> None:
    """Files ingested before go bad: a truncated PDF, a JSON Lines file with a broken record."""
    pdf = folder / "report.pdf"
    pdf.write_bytes(pdf.read_bytes()[:300])
    lines = (folder / "wire.jsonl").read_text().splitlines()
    lines[1] = lines[1][:-1]  # the closing brace of record w2
    (folder / "wire.jsonl").write_text("\n".join(lines) + "\n")


def build_hostile(folder: Path) -> None:
    folder.mkdir(parents=True)
    rng = random.Random(6)
    (folder / "empty.txt").write_bytes(b"")
    shutil.copyfile("/bin/true", folder / "true")
    pe_header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46 + b"PE\x00\x00"
    (folder / "setup.exe").write_bytes(pe_header + rng.randbytes(20_000))
    (folder / "random.txt").write_bytes(rng.randbytes(50_000))
    (folder / "truncated.pdf").write_bytes(pdf_bytes(["Text that will be cut off. " * 40])[:300])
    write_encrypted_pdf(folder / "locked.pdf", ["Secret text about the convoy."])
    (folder / "scan.pdf").write_bytes(pdf_bytes(["", ""]))
    (folder / "slow.pdf").write_bytes(slow_pdf())
    (folder / "fake.docx").write_text("plain text pretending to be a Word document")
    zip_bomb(folder / "bomb.docx")
    (folder / "deep.html").write_text(nested_html(10_000))
    (folder / "wide.html").write_text("<html><body>" + "<a href='/x'>link</a> " * 150_000 + "</body></html>")
    write_jsonl(
        folder / "feed.jsonl",
        [
            {"id": "a1", "text": "Salinity rose in the Velmora delta overnight."},
            {"id": "a2", "text": "Fishermen at Ras Numan reported a red tide."},
            '{"id": "a3" "text": "a record without its comma"}',
            {"id": "a4", "text": "The desalination plant restarted on Friday."},
            {"id": "a5", "text": "Ferry crossings resumed across the Tamar Narrows."},
        ],
    )
    huge = json.dumps({"id": "h2", "text": "x" * (20 * 2**20)})
    write_jsonl(folder / "long-line.jsonl", [{"id": "h1", "text": "Silt load at the weir."}, huge])
    os.symlink("loop", folder / "loop")
    os.symlink("..", _mkdir(folder / "cycle") / "up")  # a folder loop: walked once, not reported
    (folder / "secret.txt").write_text("Locked memo about the Khor Daffa strike.")
    (folder / "secret.txt").chmod(0)
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    sparse_file(folder / "sparse.txt", 2**40)
    with open(folder / "big.txt", "wb") as big:
        line = b"The quick brown fox jumps over the lazy dog near the Velmora weir.\n"
        big.write(line * (24 * 2**20 // len(line) + 1))


def sparse_file(path: Path, size: int) -> bool:
    """A file of `size` bytes that stores none, where the file system allows it (it would else fill
    the disk): probed with a 1 GB one first."""
    with open(path, "wb") as probe:
        probe.truncate(2**30)
    if path.stat().st_blocks > 8:
        path.unlink()
        return False
    with open(path, "wb") as sparse:
        sparse.truncate(size)
    return True


def build_good(folder: Path) -> None:
    (folder / "good.txt").write_text("Ras Numan harbour reopened after the storm.")
    (folder / "report\nq1.txt").write_text("Quarterly report: cargo volumes through the Tamar Narrows rose.")
    (folder / "تقرير.txt").write_text("تقرير عن ميناء رأس نعمان. The harbour master of Ras Numan resigned.")
    (folder / "отчёт.md").write_text("# Отчёт\n\nОтчёт о плотине Велмора. The Velmora inspection passed.")
    (folder / "utf16le.txt").write_bytes(UTF16_TEXT.encode("utf-16-le"))
    (folder / "utf16be.txt").write_bytes(UTF16_BE_TEXT.encode("utf-16-be"))
    (folder / "utf16-arabic.txt").write_bytes(ARABIC_TEXT.encode("utf-16-le"))
    broken = "Le président a déclaré à Genève que la vanne du sluice restait fermée. " * 30
    (folder / "broken-utf8.txt").write_bytes(broken.encode() + b"\xff\xfe" + b" Fin.\xc3")
    odd_name = os.fsencode(folder) + b"/name-\xff\xfe.txt"
    Path(os.fsdecode(odd_name)).write_text("The oddly named file describes the weir.")
    deep_folders(folder, "deep.txt", "The deepest folder holds a note about the lighthouse.")
    # JSON may escape what is not text: lone surrogates (SQLite and the tokenizer refuse them), NUL
    escapes = (
        r'{"id": "e\ud800", "title": "Lone \udcff", "text": "A lone surrogate escape \udcff and \u0000."}'
    )
    (folder / "escapes.jsonl").write_text(escapes + "\n")


def deep_folders(base: Path, name: str, text: str) -> Path:
    """A file DEEP_FOLDERS folders down (made one by one: Path.mkdir(parents=True) recurses)."""
    deep = base
    for _ in range(DEEP_FOLDERS):
        deep = deep / "d"
        deep.mkdir()
    (deep / name).write_text(text)
    return deep / name


def remove_deep_folders(base: Path) -> None:
    """shutil.rmtree (and so pytest's clean-up of old temporary folders) recurses once per level."""
    if not (base / "d").is_dir():
        return
    chain = [base / "d"]
    while (chain[-1] / "d").is_dir():
        chain.append(chain[-1] / "d")
    for folder in reversed(chain):
        for entry in folder.iterdir():
            if not entry.is_dir():
                entry.unlink()
        folder.rmdir()


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


# -- running the real CLI ------------------------------------------------------------------------


@dataclass
class CliRun:
    status: int
    report: dict
    peak_rss: int  # bytes
    stderr: str

    def reasons(self) -> dict[str, str]:
        return {os.path.basename(item["path"]): item["reason"] for item in self.report["failed"]}


def run_ingest(paths: list[Path], data: Path, env: dict[str, str], prefix=(), timeout: float = 600) -> CliRun:
    """`archive ingest ... --json` in its own process; its own peak RSS comes from wait4."""
    environment = {k: v for k, v in os.environ.items() if k != "ARCHIVE_DATA"} | env
    command = [*prefix, str(ARCHIVE_BIN), "ingest", *map(str, paths), "--data", str(data), "--json"]
    with open(data.parent / "stdout", "w+b") as out, open(data.parent / "stderr", "w+b") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=environment)
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            _, wait_status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(wait_status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    assert stdout.strip(), f"no report (exit {process.returncode}):\n{stderr[-3000:]}"
    return CliRun(process.returncode, json.loads(stdout), usage.ru_maxrss * 1024, stderr)


def unreadable_prefix(probe: Path) -> tuple[list[str], str | None]:
    """How to run the ingest so that a chmod 000 file is really unreadable to it.

    root reads any file whatever its mode (CAP_DAC_OVERRIDE); dropping that capability from the
    process's bounding set (setpriv) makes root obey the mode bits. Returns the command prefix, or
    the reason the case cannot be made real here."""
    if os.geteuid() != 0:
        return [], None
    if shutil.which("setpriv") is None:
        return [], "running as root without setpriv: chmod 000 does not stop root from reading"
    check = subprocess.run([*DROP_DAC, "cat", str(probe)], capture_output=True)
    if check.returncode == 0:
        return [], "running as root and the read capabilities cannot be dropped here"
    return DROP_DAC, None


@dataclass
class HostileRun:
    cli: CliRun
    settings: Settings
    before: tuple
    after: tuple
    skipped: dict[str, str]  # hostile files this machine cannot make, with the reason


def snapshot(settings: Settings) -> tuple:
    with Archive(settings) as archive:
        db = archive.catalog.db
        documents = db.execute("SELECT id, sha256, text FROM documents ORDER BY id").fetchall()
        chunks = db.execute("SELECT id, doc_id, text FROM chunks ORDER BY id").fetchall()
        return (
            [tuple(d) for d in documents],
            [tuple(c) for c in chunks],
            sorted(archive.keyword.ids()),
            sorted(archive.vector.ids().tolist()),
        )


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Iterator[HostileRun]:
    root = tmp_path_factory.mktemp("hostile")
    settings = Settings.from_env(root / "data")
    before_folder = build_before(root / "before")
    assert ingest(settings, before_folder).failed == []
    before = snapshot(settings)
    spoil_before(before_folder)
    hostile = root / "hostile"
    try:
        build_hostile(hostile)
        build_good(hostile)
        prefix, unreadable_skip = unreadable_prefix(hostile / "secret.txt")
        skipped = {"secret.txt": unreadable_skip} if unreadable_skip else {}
        if not (hostile / "sparse.txt").exists():
            skipped["sparse.txt"] = "this file system does not store sparse files"
        env = {"ARCHIVE_MAX_FILE_BYTES": str(FILE_LIMIT), "ARCHIVE_READ_SECONDS": str(READ_SECONDS)}
        started = time.monotonic()
        cli = run_ingest([hostile, before_folder], settings.data_dir, env, prefix)
        print(
            f"\nhostile ingest: {time.monotonic() - started:.1f} s, peak RSS {cli.peak_rss / 2**20:.0f} MB, "
            f"{len(cli.report['failed'])} failed, {cli.report['documents']} documents"
        )
        for name, reason in sorted(cli.reasons().items()):
            print(f"  {name!r}: {reason}")
        yield HostileRun(cli, settings, before, snapshot(settings), skipped)
    finally:
        remove_deep_folders(hostile)


# -- the end-to-end checks -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_reported_with_its_reason(hostile_run, name):
    if name in hostile_run.skipped:
        pytest.skip(hostile_run.skipped[name])
    reasons = hostile_run.cli.reasons()
    assert name in reasons, f"{name!r} not reported; failed: {reasons}"
    assert_matches(HOSTILE[name], reasons[name])


def assert_matches(pattern: str, text: str) -> None:
    assert re.search(pattern, text), f"{text!r} does not match {pattern!r}"


def test_only_the_hostile_files_fail_and_the_run_says_so(hostile_run):
    expected = set(HOSTILE) - set(hostile_run.skipped)
    assert set(hostile_run.cli.reasons()) == expected
    assert hostile_run.cli.status == 1 and not hostile_run.cli.report["interrupted"]
    assert hostile_run.cli.report["seconds"] < 120  # nothing hangs (the slow PDF stops at 4 s)
    assert "Traceback" not in hostile_run.cli.stderr


@pytest.mark.parametrize("name", sorted(GOOD))
def test_odd_but_good_file_is_ingested_and_searchable(hostile_run, name):
    assert name not in hostile_run.cli.reasons()
    paths = search_paths(hostile_run.settings, GOOD[name])
    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    assert any(path.endswith("/" + shown) for path in paths), paths


@pytest.mark.parametrize("query", JSONL_GOOD)
def test_the_good_lines_around_a_malformed_one_are_ingested(hostile_run, query):
    assert any(path.endswith("/feed.jsonl") for path in search_paths(hostile_run.settings, query))


def test_text_in_other_encodings_is_decoded_exactly(hostile_run):
    texts = {os.path.basename(path): text for path, text in document_texts(hostile_run.settings)}
    assert texts["utf16le.txt"] == UTF16_TEXT
    assert texts["utf16-arabic.txt"] == ARABIC_TEXT
    assert "Le président a déclaré à Genève" in texts["broken-utf8.txt"]
    assert texts["utf16be.txt"] == UTF16_BE_TEXT


def test_what_the_archive_held_before_is_unchanged(hostile_run):
    documents, chunks, keyword_ids, vector_ids = hostile_run.after
    old_documents, old_chunks, old_keyword, old_vector = hostile_run.before
    assert set(old_documents) <= set(documents)  # same ids, same hashes, same text
    assert set(old_chunks) <= set(chunks)
    assert set(old_keyword) <= set(keyword_ids) and set(old_vector) <= set(vector_ids)
    assert keyword_ids == vector_ids == sorted(c[0] for c in chunks)


def test_peak_memory_of_the_ingest_process_is_bounded(hostile_run):
    rss = hostile_run.cli.peak_rss
    print(f"\npeak RSS of `archive ingest` over the hostile files: {rss / 2**20:.0f} MB")
    assert rss < MAX_RSS, f"peak RSS {rss / 2**20:.0f} MB"


def search_paths(settings: Settings, query: str) -> list[str]:
    with Archive(settings) as archive:
        response = SearchService(archive).search(SearchRequest(query=query, mode="keyword", k=10))
    return [result["document"]["path"] or "" for result in response["results"]]


def document_texts(settings: Settings) -> list[tuple[str, str]]:
    with Archive(settings) as archive:
        rows = archive.catalog.db.execute("SELECT path, text FROM documents").fetchall()
    return [(row["path"], row["text"]) for row in rows]


@pytest.mark.stress
def test_a_200_mb_text_file_is_refused_in_bounded_memory(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    line = b"The quick brown fox jumps over the lazy dog near the Velmora weir.\n"
    with open(folder / "huge.txt", "wb") as huge:
        for _ in range(200):
            huge.write(line * (2**20 // len(line) + 1))
    (folder / "good.txt").write_text("Ras Numan harbour reopened after the storm.")
    cli = run_ingest([folder], tmp_path / "data", {"ARCHIVE_MAX_FILE_BYTES": str(100 * 2**20)})
    print(f"\npeak RSS with a 200 MB file: {cli.peak_rss / 2**20:.0f} MB")
    assert list(cli.reasons()) == ["huge.txt"]
    assert_matches(r"^file is 200 MB, over the 100 MB limit", cli.reasons()["huge.txt"])
    assert cli.report["ingested"] == 1 and cli.peak_rss < MAX_RSS


# -- readers, without the model ------------------------------------------------------------------


def read(name: str, data: bytes, seconds: float = 30) -> list:
    source = Source.from_bytes(name, f"test:{name}", data, FILE_LIMIT)
    source.max_seconds = seconds
    return list(read_source(source))


def test_a_pdf_that_would_take_minutes_stops_at_the_time_budget():
    started = time.monotonic()
    with pytest.raises(ReadError, match=r"gave up: reading this PDF took over the 1 s limit"):
        read("slow.pdf", slow_pdf(), seconds=1)
    assert time.monotonic() - started < 10


def test_time_waiting_for_the_consumer_does_not_count_against_the_budget():
    records = [{"id": str(n), "text": f"Record number {n} about the weir."} for n in range(3)]
    data = "\n".join(json.dumps(r) for r in records).encode()
    source = Source.from_bytes("feed.jsonl", "test:feed", data, FILE_LIMIT)
    source.max_seconds = 0.2
    documents = []
    for document in read_source(source):
        time.sleep(0.15)  # the ingest pipeline busy embedding
        documents.append(document)
    assert len(documents) == 3


def test_a_pdf_over_the_pdf_library_limits_is_refused_not_a_crash():
    content = b"BT /F1 11 Tf 72 740 Td [" + b"(a) " * 100_001 + b"] TJ ET"
    with pytest.raises(ReadError, match=r"PDF refused: it exceeds a safety limit"):
        read("wide.pdf", raw_pdf(content))


def test_an_aes_encrypted_pdf_is_reported_as_encrypted():
    """AES needs the `cryptography` package: whether it is installed or not, the reason says encrypted."""
    encrypt = (
        b"<< /Filter /Standard /V 5 /R 6 /Length 256 /P -4 /O <%s> /U <%s> /OE <%s> /UE <%s> /Perms <%s> >>"
        % tuple(os.urandom(n).hex().encode() for n in (48, 48, 32, 32, 16))
    )
    data = raw_pdf(b"BT (x) Tj ET", extra={b"Encrypt": encrypt, b"ID": b"[<00> <00>]"})
    with pytest.raises(ReadError, match=r"^encrypted PDF"):
        read("aes.pdf", data)


@pytest.mark.parametrize(
    "data, expected",
    [
        (UTF16_TEXT.encode("utf-16-le"), UTF16_TEXT),
        (UTF16_TEXT.encode("utf-16-be"), UTF16_TEXT),
        (UTF16_TEXT.encode("utf-16"), UTF16_TEXT),
        (ARABIC_TEXT.encode("utf-16-le"), ARABIC_TEXT),
        (ARABIC_TEXT.encode("utf-16-be"), ARABIC_TEXT),
        ("Отчёт о плотине Велмора.".encode("utf-16-le"), "Отчёт о плотине Велмора."),
        (b"BMW sales rose in the quarter.", "BMW sales rose in the quarter."),  # starts like a bitmap
        (b"MZANSI report on the harbour.", "MZANSI report on the harbour."),  # starts like a .exe
    ],
)
def test_text_without_a_byte_order_mark_or_starting_like_a_signature_is_decoded(data, expected):
    assert decode_text(data) == expected


@pytest.mark.parametrize(
    "data", [b"\x00" * 4096, bytes(random.Random(1).randrange(32) for _ in range(4096)), b"ab\x00\x00" * 500]
)
def test_control_bytes_are_binary_content_not_text(data):
    with pytest.raises(ReadError, match="binary content"):
        decode_text(data)


def test_a_folder_nested_deeper_than_the_recursion_limit_is_walked(tmp_path):
    deep_folders(tmp_path, "note.txt", "deep")
    try:
        (found,) = list(discover([tmp_path]))
        (pattern,) = list(discover([f"{tmp_path}/**/*.txt"]))
    finally:
        remove_deep_folders(tmp_path)
    assert found.path.name == "note.txt"
    assert isinstance(pattern, Unreachable) and pattern.reason.startswith("folders nest too deep")


def storable(item: Document | RecordError) -> bool:
    """Every string can be written to SQLite and read by the tokenizer (no lone surrogates)."""
    values = vars(item).values() if isinstance(item, Document) else (item.location, item.reason)
    strings = [v for v in values if isinstance(v, str)] + list(getattr(item, "tags", []))
    return not any(re.search("[\ud800-\udfff]", text) for text in strings)


def _seed_files(folder: Path) -> dict[str, bytes]:
    write_docx(
        folder / "a.docx", ["Proximity talks in Kelvand ended.", "A second paragraph."], title="Readout"
    )
    write_eml(
        folder / "a.eml", "Premium", "The premium doubled.\n", attachment=("n.txt", b"Note.", "text/plain")
    )
    return {
        "a.pdf": pdf_bytes(["Page one about the reservoir.", "Page two about the dam."], title="Report"),
        "a.docx": (folder / "a.docx").read_bytes(),
        "a.eml": (folder / "a.eml").read_bytes(),
        "a.html": NEWS_HTML.encode(),
        "a.jsonl": b'{"id": "1", "text": "One \\udcff."}\n{"id": "2", "text": "Two.", "tags": ["\\ud800"]}\n',
        "a.md": b"---\ntitle: Brief\n---\n# Heading\n\n- item *one*\n- [link](x)\n",
        "a.txt": "Qāʾānī said the président would speak.\n".encode(),
    }


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, bytes]:
    return _seed_files(tmp_path_factory.mktemp("seeds"))


@st.composite
def mutated(draw, seeds: dict[str, bytes]) -> tuple[str, bytes]:
    """A valid file of some format, damaged: bytes flipped, cut, inserted or repeated."""
    name = draw(st.sampled_from(sorted(seeds)))
    data = bytearray(seeds[name])
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat"]))
        if kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del data[at : at + draw(st.integers(1, 4096))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            data[at:at] = data[at : at + 256] * draw(st.integers(2, 50))
    suffix = draw(st.sampled_from([name[1:], ".pdf", ".docx", ".html", ".jsonl", ".txt", ""]))
    return "m" + suffix, bytes(data)


@hypothesis_settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_damaged_file_gives_documents_or_a_read_error_never_anything_else(seeds, data):
    name, content = data.draw(mutated(seeds))
    started = time.monotonic()
    try:
        items = read(name, content, seconds=5)
    except ReadError as error:
        assert error.message
    else:
        assert all(isinstance(item, Document | RecordError) for item in items)
        assert all(storable(item) for item in items)
    assert time.monotonic() - started < 15
