"""Speed benchmark: ingest against raw embedding, query latency on a live server, the approximate
vector index's recall, index sizes on disk, and fp32 against bf16 embedding.

    python -m bench.run --scale quick|full [--data-root ../shared/data]

Prints a table, writes `bench/results.json` and the write-up `docs/SPEED.md`. Every figure is
measured in this run; archives built along the way are kept under `bench/work/<scale>/` and reused
by the next run when their inputs are unchanged (the timings are always taken again).

1. Ingest: N Reuters-21578 articles (JSON Lines made by `bench.reuters`) go through the real
   pipeline in this process (`Ingestor(Archive(settings, write=True)).run([jsonl])`), timed as a
   whole. Then exactly the chunk inputs the archive stored (`embedding_input(title, chunk text)`
   for every chunk row, in chunk-id order) are embedded again with the same embedder in batches of
   the pipeline's size, timed. Ratio = (chunks / ingest seconds) / (chunks / raw seconds).
2. Precision: fp32 and bf16 copies of the model embed the same chunks (ABBA order, so a change in
   the machine's load during the measurement hits both), and dense retrieval on SciFact test
   (title + " " + text of every document, exact FAISS inner product) is scored with each.
3. Latency: archives of about `sizes` chunks are built from the ingested archive's catalog rows,
   repeating the collection with a copy marker and REUSING the stored embeddings (what copy c of a
   document embeds to is what the original embeds to, since the embedded title and text are the
   same), through `Catalog.put_document` and `Archive.rebuild`. For each size and mode a fresh
   `archive serve` subprocess on a free loopback port is warmed up, then the same fixed query set
   runs over HTTP sequentially; the client measures each request. A fresh server per mode keeps
   one mode's query-embedding cache from serving another mode's queries.
4. HNSW: recall@10 of `VectorIndex` (kind hnsw) against an exact flat index over the same vectors,
   and search latency of both, at the largest size; efSearch swept.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench import reuters

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
RESULTS_FILE = ROOT / "bench" / "results.json"
SPEED_DOC = ROOT / "docs" / "SPEED.md"
DEFAULT_DATA_ROOT = ROOT.parent / "shared" / "data"
MODES = ("keyword", "semantic", "hybrid")
BUILDER_VERSION = 1  # bump when the way size archives are built changes
EF_SWEEP = (16, 32, 64, 128, 256, 512)
RECALL_TARGET = 0.99
RATIO_TARGET = 0.85
HYBRID_P95_TARGET_MS = 100.0


@dataclass(frozen=True)
class Scale:
    name: str
    ingest_chunks: int  # about this many chunks are ingested (whole articles)
    sizes: tuple[int, ...]  # chunk counts of the latency archives
    ann_threshold: int  # ARCHIVE_ANN_THRESHOLD for the latency archives and servers
    queries: int  # measured queries per mode (the same texts in each mode)
    warmup: int  # warm-up queries per server (other texts)
    recall_queries: int
    precision_chunks: int
    scifact_docs: int | None  # None: the whole SciFact corpus


SCALES = {
    "quick": Scale("quick", 500, (2_000, 5_000), 4_000, 30, 5, 200, 128, 240),
    "full": Scale("full", 10_000, (10_000, 100_000), 50_000, 200, 20, 500, 1_000, None),
}

_STARTED = time.monotonic()


def log(message: str) -> None:
    elapsed = int(time.monotonic() - _STARTED)
    print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {message}", flush=True)


# -- measuring helpers -----------------------------------------------------------------------------


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Phase:
    """Wall time, this process's CPU time and the machine's load average over a block."""

    def __enter__(self) -> Phase:
        self.load_before = os.getloadavg()[0]
        self._cpu = _cpu_seconds()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._wall
        self.cpu_seconds = _cpu_seconds() - self._cpu
        self.load_after = os.getloadavg()[0]

    def as_dict(self) -> dict:
        return {
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 2),
            "load_average": [round(self.load_before, 2), round(self.load_after, 2)],
        }


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    array = np.asarray(values, dtype=float)
    return {
        "p50": round(float(np.percentile(array, 50)), 2),
        "p95": round(float(np.percentile(array, 95)), 2),
        "mean": round(float(array.mean()), 2),
        "max": round(float(array.max()), 2),
        "n": len(values),
    }


def embed_in_batches(embedder, texts: list[str], batch: int, progress: str | None = None) -> np.ndarray:
    parts, step = [], max(1, len(texts) // 10)
    next_report = step
    for start in range(0, len(texts), batch):
        parts.append(embedder.embed(texts[start : start + batch]))
        done = min(len(texts), start + batch)
        if progress and done >= next_report and done < len(texts):
            log(f"  {progress}: {done}/{len(texts)}")
            next_report += step
    return np.vstack(parts) if parts else np.zeros((0, 0), dtype=np.float32)


def machine() -> dict:
    import faiss
    import psutil
    import sentence_transformers
    import torch
    import whoosh

    from indexer.embedder import cpu_has_bf16

    info: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            info.setdefault(key.strip(), value.strip())
    cpu = info.get("model name") or platform.processor() or "unknown"
    if "cpu family" in info:
        cpu += f" (family {info['cpu family']}, model {info.get('model', '?')})"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "bf16_instructions": cpu_has_bf16(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "faiss": faiss.__version__,
        "whoosh": whoosh.versionstring(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# -- data ------------------------------------------------------------------------------------------


def need_data(data_root: Path) -> tuple[Path, Path]:
    reuters.data_folder(data_root)  # exits with a message when missing
    scifact = Path(data_root) / "beir-scifact"
    if not (scifact / "corpus.jsonl").is_file():
        sys.exit(
            f"BEIR SciFact not found: expected {scifact}/corpus.jsonl, queries.jsonl and qrels/test.tsv "
            "(give the folder holding beir-scifact/ with --data-root)"
        )
    return Path(data_root), scifact


def pick_records(records: list[dict], target_chunks: int, chunking) -> tuple[list[dict], int]:
    """The first articles whose chunks (cut as the pipeline cuts them) reach `target_chunks`."""
    from archive.chunking import chunk_text

    chosen, chunks = [], 0
    for record in records:
        if chunks >= target_chunks:
            break
        chosen.append(record)
        chunks += len(chunk_text(record["text"].replace("\r\n", "\n").strip(), chunking, None))
    return chosen, chunks


# -- 1. ingest against raw embedding ---------------------------------------------------------------


class ChunkProgress:
    """The ingest's progress sink: a line every tenth of the expected chunks."""

    def __init__(self, expected: int):
        self.expected, self.done, self.next = max(1, expected), 0, max(1, expected // 10)

    def start(self, total_files: int) -> None:
        pass

    def advance(self, files: float, chunks: int) -> None:
        self.done += chunks
        if self.done >= self.next:
            log(f"  ingest: {self.done}/{self.expected} chunks written")
            while self.next <= self.done:
                self.next += max(1, self.expected // 10)

    def close(self) -> None:
        pass


def measure_ingest(scale: Scale, records: list[dict], settings) -> tuple[dict, list[str]]:
    from archive.ingest import EMBED_BATCH_CHUNKS, Ingestor
    from archive.store import Archive, embedding_input
    from indexer.embedder import shared_embedder

    chosen, expected = pick_records(records, scale.ingest_chunks, settings.chunking)
    jsonl = reuters.write_subset(chosen, WORK / scale.name / f"reuters-{len(chosen)}.jsonl")
    shutil.rmtree(settings.data_dir, ignore_errors=True)

    log(f"loading the embedding model ({settings.model}, precision {settings.precision})")
    with Phase() as load:
        embedder = shared_embedder(settings.model, settings.precision, settings.embed_batch)
        embedder.embed(["warm up"])
        embedder.fingerprint  # noqa: B018 - hashing the weights is part of opening an archive
    log(f"model loaded in {load.seconds:.1f} s; precision {embedder.precision}")

    log(f"ingest: {len(chosen)} Reuters articles (~{expected} chunks) from {jsonl.name}")
    with Archive(settings, write=True) as archive:
        with Phase() as ingest:
            report = Ingestor(archive, progress=ChunkProgress(expected)).run([str(jsonl)])
        if report.failed:
            raise SystemExit(f"the ingest failed: {report.failed[:3]}")
        log(f"ingest done: {report.documents} documents, {report.chunks} chunks in {ingest.seconds:.1f} s")
        rows = archive.catalog.db.execute(
            "SELECT c.id, c.text, d.title FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.id"
        ).fetchall()
        inputs = [embedding_input(row["title"], row["text"]) for row in rows]
        log(f"raw embedding of the same {len(inputs)} chunk inputs (batches of {EMBED_BATCH_CHUNKS})")
        with Phase() as raw:
            vectors = embed_in_batches(archive.embedder, inputs, EMBED_BATCH_CHUNKS, "raw embedding")
        ids, stored = archive.catalog.vectors([row["id"] for row in rows], vectors.shape[1])
        agreement = float(np.mean(np.sum(stored * vectors[np.searchsorted([r["id"] for r in rows], ids)], 1)))
    chunks = len(inputs)
    ingest_rate, raw_rate = chunks / ingest.seconds, chunks / raw.seconds
    result = {
        "documents": report.documents,
        "chunks": chunks,
        "precision": embedder.precision,
        "model_load_seconds": round(load.seconds, 2),
        "ingest": {
            **ingest.as_dict(),
            "docs_per_s": round(report.documents / ingest.seconds, 2),
            "chunks_per_s": round(ingest_rate, 2),
            "embed_seconds_inside": round(report.embed_seconds, 2),
        },
        "raw_embedding": {**raw.as_dict(), "chunks_per_s": round(raw_rate, 2)},
        "ratio": round(ingest_rate / raw_rate, 3),
        "ratio_cpu": round(raw.cpu_seconds / ingest.cpu_seconds, 3) if ingest.cpu_seconds else None,
        "ratio_with_model_load": round(raw.seconds / (ingest.seconds + load.seconds), 3),
        "embed_share_of_ingest": round(report.embed_seconds / ingest.seconds, 3),
        "raw_vs_stored_mean_cosine": round(agreement, 5),
        "jsonl": str(jsonl.relative_to(ROOT)),
    }
    log(
        f"ingest {ingest_rate:.1f} chunks/s vs raw {raw_rate:.1f} chunks/s: ratio {result['ratio']:.3f} "
        f"(embedding inside the ingest took {report.embed_seconds:.1f} of {ingest.seconds:.1f} s)"
    )
    return result, inputs


# -- 2. precision: speed and SciFact quality ------------------------------------------------------


def scifact_subset(scifact: Path, limit: int | None) -> tuple[list[dict], dict, dict]:
    """(documents, test queries, qrels); with `limit`, the documents judged relevant to the first test
    queries plus other documents up to `limit`, and only queries whose relevant documents are all in."""
    from archive.evaluation import load_beir

    data = load_beir(scifact, "test")
    with open(data.corpus, encoding="utf-8") as handle:
        documents = [json.loads(line) for line in handle if line.strip()]
    if limit is None:
        return documents, data.queries, data.qrels
    keep: set[str] = set()
    queries = {}
    for query_id in sorted(data.queries, key=int):
        relevant = set(data.qrels[query_id])
        if len(keep | relevant) > limit // 3:
            break
        keep |= relevant
        queries[query_id] = data.queries[query_id]
    for document in documents:
        if len(keep) >= limit:
            break
        keep.add(str(document["_id"]))
    documents = [d for d in documents if str(d["_id"]) in keep]
    return documents, queries, {q: data.qrels[q] for q in queries}


def scifact_quality(embedder, documents: list[dict], queries: dict, qrels: dict) -> dict:
    import faiss

    from archive.evaluation import score

    digest = hashlib.sha256("\n".join(str(d["_id"]) for d in documents).encode()).hexdigest()[:12]
    cache = WORK / "scifact" / f"{embedder.precision}-{embedder.fingerprint}-{len(documents)}-{digest}.npy"
    texts = [f"{d.get('title', '')} {d.get('text', '')}".strip() for d in documents]
    seconds = None
    if cache.exists():
        vectors = np.load(cache)
        log(f"  scifact {embedder.precision}: document vectors reused from {cache.relative_to(ROOT)}")
    else:
        with Phase() as phase:
            vectors = embed_in_batches(embedder, texts, 256, f"scifact {embedder.precision}")
        seconds = phase.seconds
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    query_ids = list(queries)
    query_vectors = embedder.embed([queries[q] for q in query_ids])
    scores, rows = index.search(np.ascontiguousarray(query_vectors, dtype=np.float32), min(100, len(texts)))
    run = {
        query_id: {
            str(documents[r]["_id"]): float(s) for r, s in zip(rows[i], scores[i], strict=True) if r >= 0
        }
        for i, query_id in enumerate(query_ids)
    }
    means, _ = score(qrels, run)
    return {
        **means,
        "documents": len(documents),
        "queries": len(query_ids),
        "embed_seconds": round(seconds, 2) if seconds is not None else None,
        "docs_per_s": round(len(texts) / seconds, 2) if seconds else None,
    }


def measure_precision(scale: Scale, inputs: list[str], settings, scifact: Path) -> dict:
    from indexer.embedder import Embedder, resolve_precision

    sample = inputs[: scale.precision_chunks]
    half = len(sample) // 2
    embedders = {
        p: Embedder(settings.model, precision=p, batch_size=settings.embed_batch) for p in ("fp32", "bf16")
    }
    for embedder in embedders.values():
        embedder.embed(sample[:8])  # load and warm
    log(f"precision: fp32 and bf16 embed the same {len(sample)} chunks (ABBA order)")
    seconds = {"fp32": 0.0, "bf16": 0.0}
    parts: dict[str, list] = {"fp32": [], "bf16": []}
    for precision, part in (("fp32", 0), ("bf16", 0), ("bf16", 1), ("fp32", 1)):
        texts = sample[:half] if part == 0 else sample[half:]
        with Phase() as phase:
            parts[precision].append(embed_in_batches(embedders[precision], texts, 256))
        seconds[precision] += phase.seconds
    vectors = {p: np.vstack(v) for p, v in parts.items()}
    cosine = np.sum(vectors["fp32"] * vectors["bf16"], axis=1)
    result = {
        "auto_resolves_to": resolve_precision("auto"),
        "chunks": len(sample),
        "speed": {
            p: {"seconds": round(s, 2), "chunks_per_s": round(len(sample) / s, 2)} for p, s in seconds.items()
        },
        "bf16_speedup": round(seconds["fp32"] / seconds["bf16"], 3),
        "cosine_fp32_bf16": {"mean": round(float(cosine.mean()), 5), "min": round(float(cosine.min()), 5)},
    }
    log(
        f"precision: fp32 {result['speed']['fp32']['chunks_per_s']} chunks/s, bf16 "
        f"{result['speed']['bf16']['chunks_per_s']} chunks/s (x{result['bf16_speedup']}), "
        f"mean cosine {result['cosine_fp32_bf16']['mean']}"
    )
    documents, queries, qrels = scifact_subset(scifact, scale.scifact_docs)
    what = "the whole corpus" if scale.scifact_docs is None else f"a subset of {len(documents)} documents"
    log(f"scifact dense nDCG@10: {len(queries)} test queries over {what}, per precision")
    result["scifact"] = {"subset": scale.scifact_docs is not None}
    for precision in ("fp32", "bf16"):
        result["scifact"][precision] = scifact_quality(embedders[precision], documents, queries, qrels)
        log(f"  scifact {precision}: nDCG@10 {result['scifact'][precision]['ndcg@10']}")
    return result


# -- 3. latency archives and live servers ---------------------------------------------------------


def _shift_year(date: str | None, years: int) -> str | None:
    if not date or years == 0:
        return date
    try:
        return f"{int(date[:4]) + years:04d}{date[4:]}"
    except ValueError:
        return date


def build_size_archive(scale: Scale, size: int, source_dir: Path, settings, jsonl: str) -> tuple[Path, bool]:
    """An archive of about `size` chunks made of copies of the ingested articles, reusing their
    embeddings; kept under bench/work/<scale>/ and reused while its inputs are unchanged."""
    from archive.catalog import Catalog
    from archive.domain import Chunk
    from archive.store import Archive
    from indexer.embedder import shared_embedder

    folder = WORK / scale.name / f"size-{size}"
    marker = folder / "bench-size.json"
    embedder = shared_embedder(settings.model, settings.precision, settings.embed_batch)
    key = {
        "builder": BUILDER_VERSION,
        "size": size,
        "source": jsonl,
        "source_sha256": hashlib.sha256((ROOT / jsonl).read_bytes()).hexdigest(),
        "model": embedder.fingerprint,
        "precision": embedder.precision,
        "chunking": settings.chunking.as_dict(),
        "ann_threshold": scale.ann_threshold,
    }
    if marker.exists() and json.loads(marker.read_text()).get("key") == key:
        log(f"size {size}: reusing {folder.relative_to(ROOT)}")
        return folder, True
    shutil.rmtree(folder, ignore_errors=True)
    log(f"size {size}: building {folder.relative_to(ROOT)} from the ingested archive's rows")
    source = Catalog(source_dir)
    try:
        documents = source.db.execute("SELECT * FROM documents ORDER BY rowid").fetchall()
        by_doc: dict[str, list] = {}
        for row in source.db.execute(
            'SELECT c.doc_id, c.ordinal, c.start, c."end", c.page, c.paragraph, c.text, e.vector '
            "FROM chunks c JOIN embeddings e ON e.chunk_id = c.id ORDER BY c.doc_id, c.ordinal"
        ):
            by_doc.setdefault(row["doc_id"], []).append(row)
    finally:
        source.close()
    dimension = embedder.dimension
    target_settings = replace(settings, data_dir=folder, ann_threshold=scale.ann_threshold)
    with Archive(target_settings, write=True) as archive:
        archive.prepare_for_writing()
        total, copy, batch = 0, 0, []

        def flush() -> None:
            with archive.catalog.transaction() as db:
                for document, chunks, vectors, file_path in batch:
                    archive.catalog.put_document(db, document, chunks, vectors, file_path)
            batch.clear()

        with Phase() as copying:
            while total < size:
                for row in documents:
                    if total >= size:
                        break
                    rows = by_doc.get(row["id"], [])
                    if not rows:
                        continue
                    chunks = [
                        Chunk(r["ordinal"], r["start"], r["end"], r["text"], r["page"], r["paragraph"])
                        for r in rows
                    ]
                    vectors = np.frombuffer(b"".join(r["vector"] for r in rows), dtype=np.float32)
                    batch.append(
                        (
                            _copy_document(row, copy),
                            chunks,
                            vectors.reshape(len(rows), dimension),
                            row["file_path"],
                        )
                    )
                    total += len(chunks)
                    if len(batch) >= 1000:
                        flush()
                copy += 1
            flush()
        log(
            f"size {size}: {total} chunks in the catalog ({copy} pass(es) over the articles, {copying.seconds:.0f} s)"
        )
        with Phase() as rebuilding:
            archive.rebuild()
        kind = archive.vector.kind
        archive.catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log(f"size {size}: indexes built in {rebuilding.seconds:.0f} s (vector index: {kind})")
    marker.write_text(
        json.dumps(
            {
                "key": key,
                "chunks": total,
                "copies": copy,
                "copy_seconds": round(copying.seconds, 1),
                "rebuild_seconds": round(rebuilding.seconds, 1),
            },
            indent=2,
        )
    )
    return folder, False


def _copy_document(row, copy: int):
    from archive.domain import Document

    tags = json.loads(row["tags"]) if row["tags"] else []
    identity, external_id, date = row["identity"], row["external_id"], row["date"]
    if copy:
        identity = f"{identity}#copy-{copy}"
        external_id = f"{external_id}-copy{copy}" if external_id else f"copy{copy}"
        tags = [*tags, f"copy-{copy}"]
        date = _shift_year(date, copy)
    return Document(
        identity=identity,
        text=row["text"],
        format=row["format"],
        sha256=row["sha256"],
        title=row["title"],
        external_id=external_id,
        source=row["source"],
        author=row["author"],
        date=date,
        url=row["url"],
        path=row["path"],
        language=row["language"],
        size=row["size"],
        tags=tags,
        pages=[tuple(p) for p in json.loads(row["pages"])] if row["pages"] else None,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """`archive serve` as a subprocess on a free loopback port; stopped (SIGINT, then kill) on exit."""

    def __init__(self, data_dir: Path, log_file: Path, env: dict | None = None, timeout: float = 600):
        self.data_dir, self.log_file, self.timeout = Path(data_dir), Path(log_file), timeout
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LiveServer:
        import requests

        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_file, "w")  # noqa: SIM115 - closed in __exit__
        command = [sys.executable, "-m", "archive", "serve", "--data", str(self.data_dir)]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT
        )
        deadline = time.monotonic() + self.timeout
        while True:
            if self.process.poll() is not None:
                self._log.close()
                tail = self.log_file.read_text()[-2000:]
                raise RuntimeError(f"the server exited with status {self.process.returncode}:\n{tail}")
            try:
                if requests.get(self.base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"the server did not answer /healthz within {self.timeout:.0f} s")
            time.sleep(0.3)
        self.startup_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self._log.closed:
            self._log.close()

    def rss_mb(self) -> float:
        import psutil

        return round(psutil.Process(self.process.pid).memory_info().rss / 2**20, 1)


def search_over_http(session, base: str, query: str, mode: str) -> tuple[float, dict]:
    started = time.perf_counter()
    response = session.get(f"{base}/api/search", params={"q": query, "mode": mode, "k": 10}, timeout=120)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{mode} search {query!r}: HTTP {response.status_code} {response.text[:300]}")
    return elapsed, response.json()


def measure_latency(scale: Scale, size_dir: Path, queries: list[dict], warmup: list[dict]) -> dict:
    import requests

    env = {"ARCHIVE_ANN_THRESHOLD": str(scale.ann_threshold)}
    result: dict = {"modes": {}, "rss_mb": {}, "startup_seconds": {}}
    for mode in MODES:
        log_file = WORK / scale.name / "logs" / f"serve-{size_dir.name}-{mode}.log"
        with LiveServer(size_dir, log_file, env) as server, requests.Session() as session:
            result["startup_seconds"][mode] = round(server.startup_seconds, 1)
            for query in warmup:
                search_over_http(session, server.base, query["q"], mode)
            client, took, by_kind, empty, errors = [], [], {}, 0, []
            for query in queries:
                try:
                    elapsed, body = search_over_http(session, server.base, query["q"], mode)
                except (RuntimeError, requests.RequestException) as error:
                    errors.append(str(error)[:300])
                    continue
                client.append(elapsed)
                took.append(float(body.get("took_ms") or 0.0))
                by_kind.setdefault(query["kind"], []).append(elapsed)
                empty += not body["results"]
            result["modes"][mode] = {
                "client_ms": percentiles(client),
                "server_took_ms": percentiles(took),
                "by_kind_p50_ms": {k: percentiles(v)["p50"] for k, v in by_kind.items()},
                "no_results": empty,
                "errors": len(errors),
                "error_sample": errors[:3],
            }
            if errors:
                log(f"  {len(errors)} {mode} searches failed, e.g. {errors[0]}")
            result["rss_mb"][mode] = server.rss_mb()
            if mode == MODES[-1]:
                stats = session.get(server.base + "/api/stats", timeout=60).json()
                result["stats"] = {
                    k: stats.get(k)
                    for k in ("documents", "chunks", "vector_index", "precision", "disk_bytes")
                }
        figures = result["modes"][mode]["client_ms"]
        log(
            f"  {size_dir.name} {mode:<8} p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
            f"(server start {result['startup_seconds'][mode]} s, RSS {result['rss_mb'][mode]} MB)"
        )
    return result


def disk_per_1k(stats: dict) -> dict:
    chunks = max(1, stats["chunks"])
    sizes = stats["disk_bytes"]
    per = {name: round(value / chunks * 1000 / 2**20, 3) for name, value in sizes.items()}
    per["total"] = round(sum(sizes.values()) / chunks * 1000 / 2**20, 3)
    return per


# -- 4. HNSW recall against exact search ----------------------------------------------------------


def measure_hnsw(
    scale: Scale, source_dir: Path, largest_dir: Path, query_vectors: np.ndarray, settings
) -> dict:
    """Recall@10 of the HNSW `VectorIndex` against exact search over the same vectors.

    (a) `distinct`: the ingested chunks' real vectors plus normalised mixtures of two random real
        vectors (weights 0.25-0.75) up to the largest size, so every vector is distinct (the
        latency archive repeats the collection, which makes exact ties);
    (b) `served`: the index the largest latency server used, over its own vectors, counting a
        returned chunk as found when its score reaches the exact 10th score (ties are copies).
    """
    import faiss

    import indexer.vector as vector_module
    from archive.catalog import Catalog
    from archive.store import Archive
    from indexer.vector import VectorIndex

    size = scale.sizes[-1]
    source = Catalog(source_dir)
    try:
        parts = list(source.iter_vectors(query_vectors.shape[1]))
    finally:
        source.close()
    real = np.vstack([vectors for _, vectors in parts])
    rng = np.random.default_rng(21578)
    extra = max(0, size - len(real))
    first = rng.integers(0, len(real), extra)
    second = (first + rng.integers(1, len(real), extra)) % len(real)
    weight = rng.uniform(0.25, 0.75, extra)[:, None].astype(np.float32)
    mixed = weight * real[first] + (1 - weight) * real[second]
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    vectors = np.ascontiguousarray(np.vstack([real, mixed]), dtype=np.float32)
    ids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    dimension = vectors.shape[1]
    log(
        f"hnsw: {len(vectors)} distinct vectors ({len(real)} real, {extra} mixtures), {len(query_vectors)} queries"
    )

    exact = faiss.IndexFlatIP(dimension)
    exact.add(vectors)
    _, truth = exact.search(np.ascontiguousarray(query_vectors, dtype=np.float32), 10)
    truth_ids = [set(ids[row[row >= 0]].tolist()) for row in truth]

    with tempfile.TemporaryDirectory(dir=WORK) as scratch:
        hnsw = VectorIndex(Path(scratch) / "hnsw", dimension, create=True, ann_threshold=0)
        with Phase() as build:
            for start in range(0, len(ids), 10_000):
                hnsw.apply(ids[start : start + 10_000], vectors[start : start + 10_000], [], 0, save=False)
        flat = VectorIndex(Path(scratch) / "flat", dimension, create=True, ann_threshold=10**12)
        flat.apply(ids, vectors, [], 0, save=False)
        log(f"hnsw: built in {build.seconds:.1f} s (kind {hnsw.kind}); flat kind {flat.kind}")

        def run(index) -> tuple[float, dict]:
            found, latency = [], []
            for i, vector in enumerate(query_vectors):
                started = time.perf_counter()
                hits = index.search(vector, 10)
                latency.append((time.perf_counter() - started) * 1000)
                found.append(len({h for h, _ in hits} & truth_ids[i]) / 10)
            return float(np.mean(found)), percentiles(latency)

        default_ef = vector_module.HNSW_EF_SEARCH
        flat_recall, flat_latency = run(flat)
        sweep = {}
        try:
            for ef in sorted({*EF_SWEEP, default_ef}):
                vector_module.HNSW_EF_SEARCH = ef
                recall, latency = run(hnsw)
                sweep[ef] = {"recall@10": round(recall, 4), "latency_ms": latency}
                log(f"  hnsw efSearch {ef:>3}: recall@10 {recall:.4f}, p50 {latency['p50']:.2f} ms")
        finally:
            vector_module.HNSW_EF_SEARCH = default_ef
        hnsw_kind = hnsw.kind
    reaching = [ef for ef, figures in sorted(sweep.items()) if figures["recall@10"] >= RECALL_TARGET]
    result = {
        "vectors": len(vectors),
        "real_vectors": len(real),
        "queries": len(query_vectors),
        "kind": hnsw_kind,
        "M": vector_module.HNSW_M,
        "ef_construction": vector_module.HNSW_EF_CONSTRUCTION,
        "ef_search": default_ef,
        "build_seconds": round(build.seconds, 1),
        "recall@10": sweep[default_ef]["recall@10"],
        "hnsw_latency_ms": sweep[default_ef]["latency_ms"],
        "flat_latency_ms": flat_latency,
        "flat_recall@10": round(flat_recall, 4),
        "ef_sweep": {str(ef): figures for ef, figures in sweep.items()},
        "smallest_ef_reaching_target": reaching[0] if reaching else None,
    }

    with Archive(replace(settings, data_dir=largest_dir, ann_threshold=scale.ann_threshold)) as served:
        index = served.vector
        served_ids, served_vectors = [], []
        for chunk_ids, chunk_vectors in served.catalog.iter_vectors(dimension):
            served_ids.append(chunk_ids)
            served_vectors.append(chunk_vectors)
        matrix = np.ascontiguousarray(np.vstack(served_vectors), dtype=np.float32)
        exact = faiss.IndexFlatIP(dimension)
        exact.add(matrix)
        scores, _ = exact.search(np.ascontiguousarray(query_vectors, dtype=np.float32), 10)
        found = []
        for i, vector in enumerate(query_vectors):
            hits = index.search(vector, 10)
            threshold = scores[i][9] - 1e-4
            found.append(min(10, sum(1 for _, s in hits if s >= threshold)) / 10)
        result["served"] = {
            "vectors": len(matrix),
            "kind": index.kind,
            "recall@10_tie_aware": round(float(np.mean(found)), 4),
        }
    log(
        f"hnsw: served index ({result['served']['kind']}, {len(matrix)} vectors) tie-aware recall@10 {result['served']['recall@10_tie_aware']}"
    )
    return result


# -- the run ---------------------------------------------------------------------------------------


def run(scale: Scale, data_root: Path) -> dict:
    from archive.config import Settings
    from indexer.embedder import shared_embedder

    data_root, scifact = need_data(data_root)
    results: dict = {"scale": scale.name, "started_at": dt.datetime.now().isoformat(timespec="seconds")}
    results["machine"] = machine()
    log(f"bench --scale {scale.name} on {results['machine']['cpu']}, {results['machine']['cores']} cores")
    log("reading Reuters-21578")
    jsonl, count = reuters.write_jsonl(data_root)
    records = reuters.read_jsonl(jsonl)
    names = reuters.topic_names(data_root)
    log(f"{count} Reuters articles with a body in {jsonl.relative_to(ROOT)}")

    settings = Settings.from_env(WORK / scale.name / "ingest")
    ingest, inputs = measure_ingest(scale, records, settings)
    results["ingest"] = ingest
    results["precision"] = measure_precision(scale, inputs, settings, scifact)

    base_records = records[: ingest["documents"]]
    pool = reuters.query_set(base_records, scale.queries + scale.warmup + scale.recall_queries, names=names)
    queries, warmup = pool[: scale.queries], pool[scale.queries : scale.queries + scale.warmup]
    results["queries"] = {
        "measured_per_mode": len(queries),
        "warmup_per_server": len(warmup),
        "sample": queries[:12],
    }

    results["sizes"] = {}
    largest = None
    for size in scale.sizes:
        folder, reused = build_size_archive(scale, size, settings.data_dir, settings, ingest["jsonl"])
        log(f"latency at size {size}: {len(queries)} queries per mode, fresh warm server per mode")
        latency = measure_latency(scale, folder, queries, warmup)
        marker = json.loads((folder / "bench-size.json").read_text())
        stats = latency.pop("stats")
        results["sizes"][str(size)] = {
            "chunks": stats["chunks"],
            "documents": stats["documents"],
            "vector_index": stats["vector_index"],
            "archive_reused": reused,
            "copies": marker["copies"],
            "build_seconds": {"catalog": marker["copy_seconds"], "indexes": marker["rebuild_seconds"]},
            **latency,
            "disk_bytes": stats["disk_bytes"],
            "disk_mb_per_1k_chunks": disk_per_1k(stats),
        }
        largest = folder

    embedder = shared_embedder(settings.model, settings.precision, settings.embed_batch)
    query_vectors = embedder.embed([q["q"] for q in pool[: max(scale.recall_queries, 1)]])
    results["hnsw"] = measure_hnsw(scale, settings.data_dir, largest, query_vectors, settings)

    top = results["sizes"][str(scale.sizes[-1])]
    results.update(
        {
            "ingest_ratio": ingest["ratio"],
            "chunks": top["chunks"],
            "latency_ms": {m: {k: top["modes"][m]["client_ms"][k] for k in ("p50", "p95")} for m in MODES},
            "rss_mb": max(top["rss_mb"].values()),
            "hnsw_recall@10": results["hnsw"]["recall@10"],
        }
    )
    results["runtime_seconds"] = round(time.monotonic() - _STARTED, 1)
    return results


def ordered(results: dict) -> dict:
    """The headline keys first (the shape other tools read), then the details."""
    head = ("ingest_ratio", "chunks", "latency_ms", "rss_mb", "hnsw_recall@10", "scale", "runtime_seconds")
    return {
        **{k: results[k] for k in head if k in results},
        **{k: v for k, v in results.items() if k not in head},
    }


# -- reporting -------------------------------------------------------------------------------------


def table(results: dict) -> str:
    ingest, precision, hnsw = results["ingest"], results["precision"], results["hnsw"]
    lines = [
        f"Speed benchmark ({results['scale']} scale) on {results['machine']['cpu']}, "
        f"{results['machine']['cores']} cores",
        "",
        f"{'ingest':<34}{'docs/s':>10}{'chunks/s':>10}{'seconds':>10}",
        f"{'  end to end (' + str(ingest['chunks']) + ' chunks)':<34}{ingest['ingest']['docs_per_s']:>10.1f}"
        f"{ingest['ingest']['chunks_per_s']:>10.1f}{ingest['ingest']['seconds']:>10.1f}",
        f"{'  raw embedding, same chunks':<34}{'':>10}{ingest['raw_embedding']['chunks_per_s']:>10.1f}"
        f"{ingest['raw_embedding']['seconds']:>10.1f}",
        f"  ratio {ingest['ratio']:.3f} (target >= {RATIO_TARGET}); precision {ingest['precision']}",
        "",
        f"{'latency (ms, client, HTTP)':<28}{'size':>9}{'index':>7}"
        + "".join(f"{m + ' p50/p95':>20}" for m in MODES)
        + f"{'RSS MB':>9}",
    ]
    for size, figures in results["sizes"].items():
        cells = "".join(
            f"{figures['modes'][m]['client_ms']['p50']:>11.1f}/{figures['modes'][m]['client_ms']['p95']:<8.1f}"
            for m in MODES
        )
        lines.append(
            f"{'':<28}{figures['chunks']:>9}{figures['vector_index']:>7}{cells}{max(figures['rss_mb'].values()):>9.0f}"
        )
    lines += [
        "",
        f"{'disk MB per 1,000 chunks':<28}{'size':>9}{'catalog':>10}{'keyword':>10}{'vector':>10}{'total':>10}",
    ]
    for figures in results["sizes"].values():
        per = figures["disk_mb_per_1k_chunks"]
        lines.append(
            f"{'':<28}{figures['chunks']:>9}{per['catalog']:>10.2f}{per['keyword_index']:>10.2f}"
            f"{per['vector_index']:>10.2f}{per['total']:>10.2f}"
        )
    lines += [
        "",
        f"HNSW (M={hnsw['M']}, efConstruction={hnsw['ef_construction']}, efSearch={hnsw['ef_search']}) over "
        f"{hnsw['vectors']} vectors: recall@10 {hnsw['recall@10']:.4f} (target >= {RECALL_TARGET}); "
        f"p50 {hnsw['hnsw_latency_ms']['p50']:.2f} ms vs flat {hnsw['flat_latency_ms']['p50']:.2f} ms; "
        f"build {hnsw['build_seconds']} s; served index tie-aware recall@10 {hnsw['served']['recall@10_tie_aware']:.4f}",
        "",
        f"{'precision':<12}{'chunks/s':>10}{'SciFact nDCG@10':>17}{'docs/s':>9}",
    ]
    for p in ("fp32", "bf16"):
        quality = precision["scifact"][p]
        rate = f"{quality['docs_per_s']:.1f}" if quality.get("docs_per_s") else "cached"
        lines.append(
            f"{p:<12}{precision['speed'][p]['chunks_per_s']:>10.1f}{quality['ndcg@10']:>17.4f}{rate:>9}"
        )
    subset = " (SciFact subset)" if precision["scifact"]["subset"] else ""
    lines.append(
        f"  bf16 speed-up x{precision['bf16_speedup']}, mean cosine to fp32 {precision['cosine_fp32_bf16']['mean']}"
        f"{subset}; auto -> {precision['auto_resolves_to']}"
    )
    lines.append(f"\nruntime {results['runtime_seconds'] / 60:.1f} min")
    return "\n".join(lines)


def write_up(results: dict) -> str:
    """docs/SPEED.md, generated from the results (every sentence with a figure is computed)."""
    m, ingest, precision, hnsw = results["machine"], results["ingest"], results["precision"], results["hnsw"]
    scale = results["scale"]
    sizes = results["sizes"]
    largest_key = list(sizes)[-1]
    largest = sizes[largest_key]
    hybrid_p95 = largest["modes"]["hybrid"]["client_ms"]["p95"]
    out = [
        "# Speed",
        "",
        f"Generated by `python -m bench.run --scale {scale}` on {results['started_at']} "
        f"({results['runtime_seconds'] / 60:.1f} minutes). Do not edit by hand: rerun it "
        "(`make bench`, or `make bench-quick` for a small-scale look).",
        "",
        "**Machine:** "
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB; torch {m['torch']} with {m['torch_threads']} "
        f"threads, faiss {m['faiss']}, sentence-transformers {m['sentence_transformers']}, Whoosh "
        f"{m['whoosh']}; CPU bf16 instructions: {'yes' if m['bf16_instructions'] else 'no'}.",
        "",
        "**These figures come from a shared 2-core machine** on which other people run CPU-heavy work at "
        f"the same time (load average {m['load_average_at_start'][0]} when the run started; each phase "
        "below records its own). Absolute rates move from run to run by tens of percent; compare "
        "figures as ratios measured in the same run (ingest against raw embedding, bf16 against fp32, "
        "HNSW against flat, one size against the other), never across runs.",
        "",
        "## Ingest against raw embedding",
        "",
        f"{ingest['documents']} Reuters-21578 articles ({ingest['chunks']} chunks) were ingested in this "
        "process through the real pipeline (`Ingestor(Archive(settings, write=True)).run([jsonl])`: "
        "read, chunk, embed, catalog, keyword and vector index), timed as a whole. Then exactly the "
        "chunk inputs the archive stored (`embedding_input(title, chunk text)` of every chunk row) "
        "were embedded again by the same embedder in batches of the pipeline's size, timed. The model "
        f"was loaded before both ({ingest['model_load_seconds']} s, not counted).",
        "",
        "| | docs/s | chunks/s | seconds | CPU seconds | load avg (start, end) |",
        "|---|---:|---:|---:|---:|---|",
        f"| ingest, end to end | {ingest['ingest']['docs_per_s']} | {ingest['ingest']['chunks_per_s']} | "
        f"{ingest['ingest']['seconds']} | {ingest['ingest']['cpu_seconds']} | {ingest['ingest']['load_average']} |",
        f"| raw embedding, same chunks | | {ingest['raw_embedding']['chunks_per_s']} | "
        f"{ingest['raw_embedding']['seconds']} | {ingest['raw_embedding']['cpu_seconds']} | "
        f"{ingest['raw_embedding']['load_average']} |",
        "",
        f"**Ratio {ingest['ratio']}** (target >= {RATIO_TARGET}: "
        f"{'met' if ingest['ratio'] >= RATIO_TARGET else 'not met'}). Precision {ingest['precision']}. "
        f"Inside the ingest, embedding calls took {ingest['ingest']['embed_seconds_inside']} s of "
        f"{ingest['ingest']['seconds']} s ({ingest['embed_share_of_ingest']:.0%}). Ratio of CPU time "
        f"(raw / ingest): {ingest['ratio_cpu']}; with the model load counted in the ingest: "
        f"{ingest['ratio_with_model_load']}. The raw vectors agree with the stored ones (mean cosine "
        f"{ingest['raw_vs_stored_mean_cosine']}), so both timed the same inputs.",
        "",
        "## Query latency on a warm live server",
        "",
        "Each size is an archive of Reuters chunks; past the ingested articles the collection is repeated "
        "with a copy marker (document identity, external id `-copyN`, tag `copy-N`, date shifted by N "
        "years). The copies were inserted through `Catalog.put_document` with the embeddings of the "
        "originals REUSED (title and text are unchanged, so they are exactly what the pipeline would "
        "compute), then `Archive.rebuild()` built both indexes (one optimised Whoosh segment). Ingest "
        f"speed is measured separately above. `ARCHIVE_ANN_THRESHOLD={_threshold(results)}` for these "
        "archives and their servers.",
        "",
        f"For every size and mode a fresh `archive serve` subprocess (waitress, 8 threads) on a free "
        f"loopback port answered {results['queries']['warmup_per_server']} warm-up queries, then the same "
        f"{results['queries']['measured_per_mode']} queries sequentially over HTTP "
        "(`GET /api/search?q=&mode=&k=10`, 3 passages per document with highlights and citations, as "
        "the API serves them). Latency is measured by the client around each request. A fresh server "
        "per mode keeps the query-embedding cache of one mode from answering another mode's queries. "
        "Queries: 40% 2-4 words from article titles, 40% questions from templates over the articles' "
        "topics, places, companies and organisations, 20% quoted phrases from bodies (half with one more "
        "word). Resident memory (RSS) of the server process is read after its run (the largest of the "
        "three servers is shown).",
        "",
        "| chunks | vector index | keyword p50 / p95 ms | semantic p50 / p95 ms | hybrid p50 / p95 ms | RSS MB |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for figures in sizes.values():
        cells = " | ".join(
            f"{figures['modes'][mode]['client_ms']['p50']} / {figures['modes'][mode]['client_ms']['p95']}"
            for mode in MODES
        )
        out.append(
            f"| {figures['chunks']:,} | {figures['vector_index']} | {cells} | {max(figures['rss_mb'].values())} |"
        )
    out += [
        "",
        "Server-side `took_ms` p50 / p95 (the rest is HTTP, JSON and citation rendering):",
        "",
        "| chunks | keyword | semantic | hybrid |",
        "|---:|---:|---:|---:|",
    ]
    for figures in sizes.values():
        cells = " | ".join(
            f"{figures['modes'][mode]['server_took_ms']['p50']} / {figures['modes'][mode]['server_took_ms']['p95']}"
            for mode in MODES
        )
        out.append(f"| {figures['chunks']:,} | {cells} |")
    out += [
        "",
        "p50 by query kind (ms, client):",
        "",
        "| chunks | mode | "
        + " | ".join(sorted(next(iter(sizes.values()))["modes"]["hybrid"]["by_kind_p50_ms"]))
        + " |",
        "|---:|---|" + "---:|" * len(next(iter(sizes.values()))["modes"]["hybrid"]["by_kind_p50_ms"]),
    ]
    for figures in sizes.values():
        for mode in MODES:
            kinds = figures["modes"][mode]["by_kind_p50_ms"]
            out.append(
                f"| {figures['chunks']:,} | {mode} | "
                + " | ".join(str(kinds[k]) for k in sorted(kinds))
                + " |"
            )
    out += [
        "",
        f"Hybrid p95 at {largest['chunks']:,} chunks: {hybrid_p95} ms (aim <= {HYBRID_P95_TARGET_MS:.0f} ms: "
        f"{'met' if hybrid_p95 <= HYBRID_P95_TARGET_MS else 'not met'}).",
        "",
        "## Index sizes on disk",
        "",
        "MB per 1,000 chunks (catalog = SQLite with document texts, chunk texts and float32 embeddings, "
        "after a WAL checkpoint; keyword = the Whoosh folder; vector = `vectors.faiss`).",
        "",
        "| chunks | catalog | keyword index | vector index | total |",
        "|---:|---:|---:|---:|---:|",
    ]
    for figures in sizes.values():
        per = figures["disk_mb_per_1k_chunks"]
        out.append(
            f"| {figures['chunks']:,} ({figures['vector_index']}) | {per['catalog']} | {per['keyword_index']} | "
            f"{per['vector_index']} | {per['total']} |"
        )
    sweep_rows = [
        f"| {ef} | {figures['recall@10']} | {figures['latency_ms']['p50']} | {figures['latency_ms']['p95']} |"
        for ef, figures in hnsw["ef_sweep"].items()
    ]
    reaching = hnsw["smallest_ef_reaching_target"]
    out += [
        "",
        "## Approximate vector index (HNSW) against exact search",
        "",
        f"`VectorIndex` of kind `{hnsw['kind']}` (M={hnsw['M']}, efConstruction={hnsw['ef_construction']}, "
        f"efSearch={hnsw['ef_search']}) against an exact flat inner-product index over the same "
        f"{hnsw['vectors']:,} vectors, {hnsw['queries']} query embeddings (the latency query set). The "
        "latency archive repeats the collection, so its vectors tie exactly; for a fair test these vectors "
        f"are distinct: the {hnsw['real_vectors']:,} real chunk vectors of the ingest plus normalised "
        "mixtures of two random real vectors (weights 0.25-0.75) up to the size. Build: "
        f"{hnsw['build_seconds']} s.",
        "",
        f"**recall@10 {hnsw['recall@10']}** at efSearch {hnsw['ef_search']} (target >= {RECALL_TARGET}: "
        f"{'met' if hnsw['recall@10'] >= RECALL_TARGET else 'not met'}); search p50 / p95 "
        f"{hnsw['hnsw_latency_ms']['p50']} / {hnsw['hnsw_latency_ms']['p95']} ms against flat "
        f"{hnsw['flat_latency_ms']['p50']} / {hnsw['flat_latency_ms']['p95']} ms (one query per call, as "
        "the server searches).",
        "",
        "| efSearch | recall@10 | p50 ms | p95 ms |",
        "|---:|---:|---:|---:|",
        *sweep_rows,
        "",
        (
            f"The smallest efSearch in the sweep reaching {RECALL_TARGET} is {reaching}."
            if reaching
            else f"No efSearch in the sweep reaches {RECALL_TARGET}."
        ),
        f"The index the largest server used ({hnsw['served']['kind']}, {hnsw['served']['vectors']:,} vectors with "
        f"exact copies) finds {hnsw['served']['recall@10_tie_aware']} of the exact top 10 when a tied copy "
        "counts as found.",
        "",
        "## Embedding precision: fp32 against bf16",
        "",
        f"Both copies of the model embedded the same {precision['chunks']} Reuters chunks (fp32, bf16, bf16, "
        "fp32 over two halves, so a change in the machine's load hits both). Quality: dense retrieval on "
        'SciFact test, each document embedded as title + " " + text, exact FAISS inner product, scored '
        "by `archive.evaluation.score`"
        + (
            f" — on a SUBSET ({precision['scifact']['fp32']['documents']} documents, "
            f"{precision['scifact']['fp32']['queries']} queries) at this scale, so the nDCG is not "
            "comparable with the full-corpus figure."
            if precision["scifact"]["subset"]
            else f" ({precision['scifact']['fp32']['documents']:,} documents, "
            f"{precision['scifact']['fp32']['queries']} queries)."
        ),
        "",
        "| precision | chunks/s (Reuters) | SciFact docs/s | nDCG@10 | Recall@100 | MRR@10 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in ("fp32", "bf16"):
        q = precision["scifact"][p]
        rate = q["docs_per_s"] if q.get("docs_per_s") else "(vectors cached)"
        out.append(
            f"| {p} | {precision['speed'][p]['chunks_per_s']} | {rate} | {q['ndcg@10']} | {q['recall@100']} | {q['mrr@10']} |"
        )
    out += [
        "",
        f"bf16 embeds x{precision['bf16_speedup']} as fast; its vectors have mean cosine "
        f"{precision['cosine_fp32_bf16']['mean']} (min {precision['cosine_fp32_bf16']['min']}) to fp32's. "
        f"`ARCHIVE_PRECISION=auto` resolves to `{precision['auto_resolves_to']}` on this machine.",
        "",
        "## Reproducing",
        "",
        "`make bench` (`python -m bench.run --scale full`, up to about an hour here) or `make bench-quick` "
        "(`--scale quick`, under 5 minutes). Both read the data from `../shared/data` "
        "(`--data-root` to change), write `bench/results.json` and this file, and keep the archives "
        "they build under `bench/work/<scale>/` for the next run. See `bench/README.md`.",
        "",
    ]
    return "\n".join(out)


def _threshold(results: dict) -> str:
    return str(SCALES[results["scale"]].ann_threshold)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Speed benchmark (see bench/README.md).")
    parser.add_argument("--scale", choices=sorted(SCALES), default="quick")
    parser.add_argument("--data-root", type=Path, default=DEFAULT_DATA_ROOT)
    args = parser.parse_args(argv)
    results = ordered(run(SCALES[args.scale], args.data_root))
    RESULTS_FILE.write_text(json.dumps(results, indent=2) + "\n")
    SPEED_DOC.parent.mkdir(parents=True, exist_ok=True)
    SPEED_DOC.write_text(write_up(results))
    print()
    print(table(results))
    print(f"\nwrote {RESULTS_FILE.relative_to(ROOT)} and {SPEED_DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
