"""Bounded load test against a live server while an ingest writes to the same archive, and the
200 MB file case.

    python -m bench.stress [--minutes 2] [--clients 8] [--data-root ../shared/data]
    python -m bench.stress --big-file

Load test: a data folder of its own (`bench/work/stress/data`, rebuilt each run) holds the sample
collection `corpus/` plus some Reuters-21578 articles. `archive serve` runs on a free loopback port;
while `--clients` threads issue mixed keyword / semantic / hybrid searches and document views
(`GET /documents/<id>` HTML and `GET /api/documents/<id>`) for `--minutes`, a separate
`archive ingest` process adds more Reuters articles to the same folder. Every non-2xx answer or
exception is an error. After the load the ingest is awaited and its documents must be visible
through the server (counts and searches by title). Exit status 1 on any error.

Big file: a ~200 MB plain-text file plus a small good file in a temporary folder go through
`archive ingest` as a subprocess; the child's peak resident memory (ru_maxrss, from `os.wait4` for
that child, the same figure `getrusage(RUSAGE_CHILDREN)` gives) is reported with a baseline run
on the small file alone, and whether the big file was refused with a size message or ingested.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import reuters
from bench.run import DEFAULT_DATA_ROOT, MODES, ROOT, WORK, LiveServer, log, percentiles

STRESS = WORK / "stress"
ADMIT_BYTES = 300 * 2**20  # a limit that lets the 200 MB file in, to see what reading it costs
ADMITTED_SECONDS = 120
BASE_ARTICLES = 300  # Reuters articles in the archive before the load starts
# Chosen so that the concurrent ingest runs for about the load's length on this machine.
MORE_ARTICLES_PER_MINUTE = 250
DESIGN_QUERIES = [  # the design brief's examples of what analysts type
    {"kind": "keyword", "q": "Qaani"},
    {"kind": "phrase", "q": '"Al-Aqsa Flood"'},
    {"kind": "keyword", "q": "Hezbollah AND Houthi"},
    {"kind": "question", "q": "Did Khamenei say Iran would not enter the war?"},
]


def archive_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "archive", *args]


def corpus_queries() -> list[dict]:
    path = ROOT / "tests" / "fixtures" / "corpus_queries.json"
    if not path.exists():
        return []
    groups = json.loads(path.read_text())
    return [
        {"kind": group, "q": item["query"]}
        for group, items in groups.items()
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict) and item.get("query")
    ]


class Recorder:
    """Thread-safe tally of requests: latency per kind, errors with a sample of messages."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.statuses: dict[int, int] = {}

    def add(self, kind: str, milliseconds: float, status: int | None, error: str | None = None) -> None:
        with self.lock:
            self.latency.setdefault(kind, []).append(milliseconds)
            if status is not None:
                self.statuses[status] = self.statuses.get(status, 0) + 1
            if error is not None:
                self.errors.append(f"{kind}: {error}")

    def summary(self) -> dict:
        with self.lock:
            everything = [ms for values in self.latency.values() for ms in values]
            return {
                "requests": len(everything),
                "errors": len(self.errors),
                "error_sample": self.errors[:10],
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "latency_ms": percentiles(everything),
                "by_kind": {kind: percentiles(values) for kind, values in sorted(self.latency.items())},
            }


def client(number: int, base: str, queries: list[dict], doc_ids: list[str], ids_lock, deadline, recorder):
    import requests

    rng = random.Random(number)
    with requests.Session() as session:
        while time.monotonic() < deadline:
            roll = rng.random()
            with ids_lock:
                doc_id = rng.choice(doc_ids) if doc_ids else None
            if roll < 0.6 or doc_id is None:
                mode = rng.choice(MODES)
                kind, url = f"search:{mode}", f"{base}/api/search"
                params = {"q": rng.choice(queries)["q"], "mode": mode, "k": 10}
            elif roll < 0.8:
                kind, url, params = "view:api", f"{base}/api/documents/{doc_id}", None
            else:
                kind, url, params = "view:html", f"{base}/documents/{doc_id}", None
            started = time.perf_counter()
            try:
                response = session.get(url, params=params, timeout=120)
            except requests.RequestException as error:
                recorder.add(
                    kind, (time.perf_counter() - started) * 1000, None, f"{type(error).__name__}: {error}"
                )
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if not 200 <= response.status_code < 300:
                recorder.add(
                    kind, elapsed, response.status_code, f"HTTP {response.status_code} {response.text[:200]}"
                )
                continue
            try:
                body = response.json() if kind != "view:html" else None
                if kind.startswith("search"):
                    found = [r["document"]["id"] for r in body["results"]]
            except (ValueError, KeyError, TypeError) as error:
                recorder.add(kind, elapsed, response.status_code, f"unreadable answer: {error}")
                continue
            recorder.add(kind, elapsed, response.status_code)
            if kind.startswith("search"):
                with ids_lock:
                    for item in found:
                        if item not in doc_ids and len(doc_ids) < 5000:
                            doc_ids.append(item)


def monitor(base: str, stop: threading.Event, samples: list) -> None:
    """/healthz every few seconds: the ingest's documents appear while it runs."""
    import requests

    started = time.monotonic()
    while not stop.is_set():
        try:
            health = requests.get(f"{base}/healthz", timeout=30).json()
            samples.append((round(time.monotonic() - started, 1), health["documents"], health["chunks"]))
        except (requests.RequestException, ValueError, KeyError):
            pass
        stop.wait(5)


def load_test(minutes: float, clients: int, data_root: Path) -> int:
    import requests

    reuters.data_folder(data_root)
    jsonl, _ = reuters.write_jsonl(data_root)
    records = reuters.read_jsonl(jsonl)
    more = int(MORE_ARTICLES_PER_MINUTE * minutes)
    base_file = reuters.write_subset(records[:BASE_ARTICLES], STRESS / "reuters-base.jsonl")
    more_records = records[BASE_ARTICLES : BASE_ARTICLES + more]
    more_file = reuters.write_subset(more_records, STRESS / f"reuters-more-{more}.jsonl")
    data = STRESS / "data"
    shutil.rmtree(data, ignore_errors=True)
    STRESS.mkdir(parents=True, exist_ok=True)

    log(f"stress: building {data.relative_to(ROOT)} from corpus/ and {BASE_ARTICLES} Reuters articles")
    setup = subprocess.run(
        archive_command("ingest", str(ROOT / "corpus"), str(base_file), "--data", str(data), "--json"),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if setup.returncode != 0:
        log(
            f"stress: the setup ingest exited with {setup.returncode}:\n"
            f"{setup.stdout[-2000:]}{setup.stderr[-2000:]}"
        )
        return 1
    queries = reuters.query_set(records[: BASE_ARTICLES + more], 300, names=reuters.topic_names(data_root))
    queries += corpus_queries() + DESIGN_QUERIES
    recorder, samples, stop = Recorder(), [], threading.Event()
    problems: list[str] = []
    with LiveServer(data, STRESS / "serve.log") as server:
        before = requests.get(f"{server.base}/healthz", timeout=30).json()
        listing = requests.get(f"{server.base}/api/documents", params={"limit": 100}, timeout=60).json()
        doc_ids = [d["id"] for d in listing["documents"]]
        log(
            f"stress: server on {server.base} ({before['documents']} documents, {before['chunks']} chunks); "
            f"ingesting {more} more Reuters articles in another process while {clients} clients run for "
            f"{minutes:g} min"
        )
        ingest_log = open(STRESS / "ingest.json", "w")  # noqa: SIM115 - closed below
        ingest = subprocess.Popen(
            archive_command("ingest", str(more_file), "--data", str(data), "--json"),
            stdout=ingest_log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        ingest_started = time.monotonic()
        watcher = threading.Thread(target=monitor, args=(server.base, stop, samples), daemon=True)
        watcher.start()
        deadline = time.monotonic() + minutes * 60
        ids_lock = threading.Lock()
        threads = [
            threading.Thread(
                target=client,
                args=(n, server.base, queries, doc_ids, ids_lock, deadline, recorder),
                daemon=True,
            )
            for n in range(clients)
        ]
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            time.sleep(15)
            now = recorder.summary()
            log(
                f"  {now['requests']} requests, {now['errors']} errors, "
                f"ingest running: {ingest.poll() is None}"
            )
        ingest_during = ingest.poll() is None
        log("stress: load finished; waiting for the ingest to finish")
        try:
            ingest.wait(timeout=1800)
        except subprocess.TimeoutExpired:
            ingest.kill()
            ingest.wait()
            problems.append("the concurrent ingest did not finish within 30 minutes")
        ingest_seconds = time.monotonic() - ingest_started
        ingest_log.close()
        stop.set()
        watcher.join()
        if ingest.returncode != 0:
            problems.append(
                f"the concurrent ingest exited with {ingest.returncode} (see {STRESS / 'ingest.json'})"
            )
        after = requests.get(f"{server.base}/healthz", timeout=30).json()
        expected = before["documents"] + len(more_records)
        if after["documents"] != expected:
            problems.append(
                f"the server shows {after['documents']} documents after the ingest, expected {expected}"
            )
        visible = 0
        for record in more_records[-5:]:
            response = requests.get(
                f"{server.base}/api/search",
                params={"q": record["title"], "mode": "keyword", "k": 10},
                timeout=60,
            )
            external = {r["document"]["external_id"] for r in response.json().get("results", [])}
            visible += record["id"] in external
        if visible < 5:
            problems.append(f"only {visible} of 5 newly ingested articles are found by their titles")
        rss = server.rss_mb()
    summary = recorder.summary()
    growth = [s for s in samples if s[1] > before["documents"]]
    result = {
        "minutes": minutes,
        "clients": clients,
        **summary,
        "throughput_per_s": round(summary["requests"] / (minutes * 60), 1),
        "server_rss_mb_after": rss,
        "ingest": {
            "articles": len(more_records),
            "seconds": round(ingest_seconds, 1),
            "still_running_when_load_ended": ingest_during,
            "exit_code": ingest.returncode,
            "first_new_documents_seen_after_s": growth[0][0] if growth else None,
        },
        "documents": {"before": before["documents"], "after": after["documents"], "expected": expected},
        "healthz_samples": samples,
        "problems": problems,
    }
    (STRESS / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    print_load_summary(result)
    return 1 if summary["errors"] or problems else 0


def print_load_summary(result: dict) -> None:
    overall = result["latency_ms"]
    print()
    print(
        f"load: {result['clients']} clients for {result['minutes']:g} min while `archive ingest` added "
        f"{result['ingest']['articles']} articles ({result['ingest']['seconds']} s; still running when the "
        "load "
        f"ended: {result['ingest']['still_running_when_load_ended']})"
    )
    print(
        f"requests {result['requests']} ({result['throughput_per_s']}/s), errors {result['errors']}, "
        f"latency p50 {overall.get('p50')} ms, p95 {overall.get('p95')} ms, max {overall.get('max')} ms"
    )
    width = max(len(kind) for kind in result["by_kind"]) if result["by_kind"] else 10
    print(f"  {'kind':<{width}} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for kind, figures in result["by_kind"].items():
        print(
            f"  {kind:<{width}} {figures['n']:>6} {figures['p50']:>9} {figures['p95']:>9} {figures['max']:>9}"
        )
    print(
        f"documents before {result['documents']['before']}, after {result['documents']['after']} "
        f"(expected {result['documents']['expected']}); new documents first visible after "
        f"{result['ingest']['first_new_documents_seen_after_s']} s; server RSS "
        f"{result['server_rss_mb_after']} MB"
    )
    for message in result["error_sample"] + result["problems"]:
        print(f"  ! {message}")
    print("PASS: no errors" if not result["errors"] and not result["problems"] else "FAIL")


# -- the 200 MB file -------------------------------------------------------------------------------


def write_big_file(path: Path, megabytes: int, data_root: Path) -> int:
    """Plain text of about `megabytes` MB: Reuters article bodies over and over (or generated words)."""
    try:
        jsonl, _ = reuters.write_jsonl(data_root)
        paragraphs = [r["text"] for r in reuters.read_jsonl(jsonl)[:2000]]
    except SystemExit:
        rng = random.Random(0)
        words = "archive search passage citation ministry reservoir statement report analyst".split()
        paragraphs = [" ".join(rng.choice(words) for _ in range(120)) for _ in range(200)]
    target = megabytes * 2**20
    written = 0
    with open(path, "w", encoding="utf-8") as handle:
        while written < target:
            for text in paragraphs:
                block = text + "\n\n"
                handle.write(block)
                written += len(block.encode("utf-8"))
                if written >= target:
                    break
    return written


def ingest_child(paths: list[Path], data: Path, env: dict | None = None, limit: float | None = None) -> dict:
    """`archive ingest` as a child; its exit status, JSON report and peak RSS (from wait4). With
    `limit`, the child is interrupted (SIGINT, as Ctrl-C) after that many seconds."""
    command = archive_command("ingest", *map(str, paths), "--data", str(data), "--json")
    interrupted = False
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **(env or {})}
        )
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG if limit else 0)
            if pid:
                break
            if time.perf_counter() - started > limit:
                child.send_signal(signal.SIGINT)
                interrupted = True
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.2)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read()
    try:
        report = json.loads(text[text.index("{") :])
    except ValueError:
        report = {"unparsed_output": text[-2000:]}
    return {
        "exit_code": child.returncode,
        "seconds": round(seconds, 1),
        "interrupted_after_limit": interrupted,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "report": report,
    }


def big_file(megabytes: int, data_root: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="archive-big-file-") as folder:
        folder = Path(folder)
        files = folder / "files"
        files.mkdir()
        big = files / "big.txt"
        small = files / "small.txt"
        small.write_text(
            "A small good file.\n\nThe reservoir reached its highest level in March, the water authority "
            "said in a statement on Tuesday.\n",
            encoding="utf-8",
        )
        log(f"big file: writing {megabytes} MB of plain text to {big}")
        size = write_big_file(big, megabytes, data_root)
        log("big file: baseline, `archive ingest` of the small file alone")
        baseline = ingest_child([small], folder / "baseline-data")
        log(f"big file: `archive ingest` of {big.name} ({size / 2**20:.1f} MB) and {small.name}")
        run = ingest_child([big, small], folder / "data")
        children_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        log(
            f"big file: the same with the size limit raised (ARCHIVE_MAX_FILE_BYTES={ADMIT_BYTES}), "
            f"interrupted after {ADMITTED_SECONDS} s at most: how much memory reading it takes"
        )
        admitted = ingest_child(
            [big], folder / "admitted-data", {"ARCHIVE_MAX_FILE_BYTES": str(ADMIT_BYTES)}, ADMITTED_SECONDS
        )
    report = run["report"]
    failed = {Path(f["path"]).name: f["reason"] for f in report.get("failed", [])}
    big_reason = failed.get(big.name)
    refused_for_size = bool(big_reason) and any(
        w in big_reason.lower() for w in ("limit", "too large", " mb")
    )
    small_ok = small.name not in failed and report.get("documents", 0) >= 1
    outcome = (
        f"refused with a size message: {big_reason!r}"
        if refused_for_size
        else (f"failed: {big_reason!r}" if big_reason else f"ingested ({report.get('chunks')} chunks)")
    )
    print()
    print(f"200 MB file: {big.name} ({size / 2**20:.1f} MB) {outcome}")
    print(
        f"  small file ingested alongside: {small_ok}; exit status {run['exit_code']} "
        f"(1 is expected when a file was refused); {run['seconds']} s"
    )
    print(
        f"  peak RSS of the ingest process: {run['peak_rss_mb']} MB (baseline with the small file alone: "
        f"{baseline['peak_rss_mb']} MB; RUSAGE_CHILDREN max over both: {children_peak:.1f} MB)"
    )
    admitted_report = admitted["report"]
    print(
        f"  with the limit raised, the file is admitted: peak RSS {admitted['peak_rss_mb']} MB within "
        f"{admitted['seconds']} s (interrupted: {admitted['interrupted_after_limit']}; chunks written "
        f"{admitted_report.get('chunks', '?')}, exit status {admitted['exit_code']})"
    )
    result = {
        "file_mb": round(size / 2**20, 1),
        "outcome": outcome,
        "refused_for_size": refused_for_size,
        "small_file_ingested": small_ok,
        "run": run,
        "baseline": baseline,
        "children_peak_rss_mb": round(children_peak, 1),
        "admitted_with_raised_limit": admitted,
    }
    STRESS.mkdir(parents=True, exist_ok=True)
    (STRESS / "big-file.json").write_text(json.dumps(result, indent=2) + "\n")
    ok = small_ok and (refused_for_size or (not big_reason and run["exit_code"] == 0))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load test while ingesting; the 200 MB file case.")
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--big-file", action="store_true", help="Only the 200 MB plain-text file case.")
    parser.add_argument("--megabytes", type=int, default=200, help=argparse.SUPPRESS)
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    args = parser.parse_args(argv)
    if args.big_file:
        sys.exit(big_file(args.megabytes, args.data_root))
    sys.exit(load_test(args.minutes, args.clients, args.data_root))


if __name__ == "__main__":
    main()
