"""Speed benchmark: ingest against raw embedding, query latency on a live server, the approximate
vector index's recall, index sizes on disk, and fp32 against bf16 embedding.

    python -m bench.run --scale quick|full [--data-root ../shared/data]

Prints a table, writes `bench/results.json` and the write-up `docs/SPEED.md`. Every figure is
measured in this run; archives built along the way are kept under `bench/work/<scale>/` and reused
by the next run when their inputs are unchanged (the timings are always taken again).

1. Ingest: N Reuters-21578 articles (JSON Lines made by `bench.reuters`) go through the real
   pipeline in this process (`Ingestor(Archive(settings, write=True)).run([jsonl])`), timed as a
   whole. Then exactly the inputs the archive embedded (`embedding_input(title, chunk text)` for
   every chunk row, in chunk-id order, and each chunk's sentences, `embed_sentences`) are embedded
   again with the same embedder in batches of the pipeline's size, timed.
   Ratio = (chunks / ingest seconds) / (chunks / raw seconds).
2. Precision: fp32 and bf16 copies of the model embed the same chunks (ABBA order, so a change in
   the machine's load during the measurement hits both), and dense retrieval on SciFact test
   (title + " " + text of every document, exact FAISS inner product) is scored with each.
3. Latency: archives of about `sizes` chunks are built from the ingested archive's catalog rows,
   repeating the collection with a copy marker and REUSING the stored embeddings, sentence vectors
   included (what copy c of a document embeds to is what the original embeds to, since the
   embedded title and text are the same), through `Catalog.put_document` and `Archive.rebuild`.
   For each size and mode a fresh `archive serve` subprocess on a free loopback port is warmed
   up, then the same fixed query set runs over HTTP sequentially; the client measures each
   request. A fresh server per mode keeps one mode's query-embedding cache from serving another
   mode's queries.
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
BUILDER_VERSION = 2  # bump when the way size archives are built changes
EF_SWEEP = (16, 32, 64, 128, 256, 512)
RECALL_TARGET = 0.99
RATIO_TARGET = 0.85
HYBRID_P95_TARGET_MS = 100.0


@dataclass(frozen=True)
class Scale:
    name: str
    ingest_chunks: int  # about this many chunks are ingested (whole articles)
    ingest_rounds: int  # alternations of ingest and raw embedding
    sizes: tuple[int, ...]  # chunk counts of the latency archives
    ann_threshold: int  # ARCHIVE_ANN_THRESHOLD for the latency archives and servers
    queries: int  # measured queries per mode (the same texts in each mode)
    warmup: int  # warm-up queries per server (other texts)
    recall_queries: int
    precision_chunks: int
    scifact_docs: int | None  # None: the whole SciFact corpus
    breakdown_queries: int  # in-process queries per mode and way (where the time goes)


SCALES = {
    "quick": Scale("quick", 500, 1, (5_000,), 4_000, 24, 3, 200, 128, 200, 10),
    "full": Scale("full", 10_000, 4, (10_000, 100_000), 50_000, 200, 20, 500, 1_000, None, 40),
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
    """Ingest against raw embedding of the same chunks, in rounds: each round ingests its part of the
    articles (one `Ingestor.run`, timed whole), then embeds the chunk inputs that run stored (timed).
    Alternating the two spreads a change in the shared machine's load over both sides."""
    from archive.ingest import EMBED_BATCH_CHUNKS, Ingestor
    from archive.store import Archive, embed_sentences, embedding_input
    from indexer.embedder import shared_embedder

    chosen, expected = pick_records(records, scale.ingest_chunks, settings.chunking)
    whole = reuters.write_subset(chosen, WORK / scale.name / f"reuters-{len(chosen)}.jsonl")
    step = -(-len(chosen) // scale.ingest_rounds)
    parts = [
        reuters.write_subset(
            chosen[i : i + step], WORK / scale.name / f"reuters-{len(chosen)}-part{n + 1}.jsonl"
        )
        for n, i in enumerate(range(0, len(chosen), step))
    ]
    shutil.rmtree(settings.data_dir, ignore_errors=True)

    log(f"loading the embedding model ({settings.model}, precision {settings.precision})")
    with Phase() as load:
        embedder = shared_embedder(settings.model, settings.precision, settings.embed_batch)
        embedder.embed(["warm up"])
        embedder.fingerprint  # noqa: B018 - hashing the weights is part of opening an archive
    # A batch of other articles first, so neither side pays first-call costs.
    unused = records[len(chosen) :][:32] or records[:32]
    embedder.embed([embedding_input(r["title"], r["text"]) for r in unused])
    log(f"model loaded in {load.seconds:.1f} s and warmed up; precision {embedder.precision}")

    log(f"ingest: {len(chosen)} Reuters articles (~{expected} chunks) in {len(parts)} round(s)")
    rounds, inputs, agreement = [], [], []
    documents = 0
    progress = ChunkProgress(expected)
    with Archive(settings, write=True) as archive:
        last_id = 0
        for number, part in enumerate(parts, start=1):
            with Phase() as ingest:
                report = Ingestor(archive, progress=progress).run([str(part)])
            if report.failed:
                raise SystemExit(f"the ingest failed: {report.failed[:3]}")
            documents += report.documents
            rows = archive.catalog.chunk_texts_after(last_id)
            last_id = rows[-1].id if rows else last_id
            texts = [embedding_input(row.title, row.text) for row in rows]
            with Phase() as raw:
                vectors = embed_in_batches(archive.embedder, texts, EMBED_BATCH_CHUNKS)
                for start in range(0, len(rows), EMBED_BATCH_CHUNKS):
                    embed_sentences(
                        archive.embedder,
                        [(r.title, r.text) for r in rows[start : start + EMBED_BATCH_CHUNKS]],
                    )
            row_ids = [row.id for row in rows]
            ids, stored = archive.catalog.vectors(row_ids, vectors.shape[1])
            agreement += np.sum(stored * vectors[np.searchsorted(row_ids, ids)], axis=1).tolist()
            inputs += texts
            rounds.append(
                {
                    "documents": report.documents,
                    "chunks": len(texts),
                    "ingest": ingest.as_dict(),
                    "embed_seconds_inside": round(report.embed_seconds, 2),
                    "raw": raw.as_dict(),
                    "ratio": round(raw.seconds / ingest.seconds, 3),
                }
            )
            log(
                f"  round {number}/{len(parts)}: {len(texts)} chunks, ingest {ingest.seconds:.1f} s "
                f"(embedding inside {report.embed_seconds:.1f} s), raw {raw.seconds:.1f} s, "
                f"ratio {rounds[-1]['ratio']:.3f}"
            )
    chunks = len(inputs)
    ingest_seconds = sum(r["ingest"]["seconds"] for r in rounds)
    raw_seconds = sum(r["raw"]["seconds"] for r in rounds)
    ingest_cpu = sum(r["ingest"]["cpu_seconds"] for r in rounds)
    raw_cpu = sum(r["raw"]["cpu_seconds"] for r in rounds)
    embed_inside = sum(r["embed_seconds_inside"] for r in rounds)
    result = {
        "documents": documents,
        "chunks": chunks,
        "rounds": len(rounds),
        "precision": embedder.precision,
        "model_load_seconds": round(load.seconds, 2),
        "ingest": {
            "seconds": round(ingest_seconds, 2),
            "cpu_seconds": round(ingest_cpu, 1),
            "docs_per_s": round(documents / ingest_seconds, 2),
            "chunks_per_s": round(chunks / ingest_seconds, 2),
            "embed_seconds_inside": round(embed_inside, 2),
        },
        "raw_embedding": {
            "seconds": round(raw_seconds, 2),
            "cpu_seconds": round(raw_cpu, 1),
            "chunks_per_s": round(chunks / raw_seconds, 2),
        },
        "ratio": round(raw_seconds / ingest_seconds, 3),
        "ratio_cpu": round(raw_cpu / ingest_cpu, 3) if ingest_cpu else None,
        "ratio_with_model_load": round(raw_seconds / (ingest_seconds + load.seconds), 3),
        "embed_share_of_ingest": round(embed_inside / ingest_seconds, 3),
        "raw_vs_stored_mean_cosine": round(float(np.mean(agreement)), 5),
        "per_round": rounds,
        "jsonl": str(whole.relative_to(ROOT)),
    }
    log(
        f"ingest {result['ingest']['chunks_per_s']:.1f} chunks/s vs raw "
        f"{result['raw_embedding']['chunks_per_s']:.1f} chunks/s: ratio {result['ratio']:.3f} "
        f"(embedding inside the ingest took {embed_inside:.1f} of {ingest_seconds:.1f} s)"
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
    from archive.catalog import open_catalog
    from archive.domain import Chunk
    from archive.store import Archive
    from indexer.embedder import shared_embedder
    from indexer.sentences import SentenceVectors

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
    source = open_catalog(source_dir)
    try:
        documents = list(source.all_documents())
        by_doc: dict[str, list] = {}
        for row in source.stored_chunks():
            by_doc.setdefault(row.doc_id, []).append(row)
    finally:
        source.close()
    dimension = embedder.dimension
    target_settings = replace(settings, data_dir=folder, ann_threshold=scale.ann_threshold)
    with Archive(target_settings, write=True) as archive:
        archive.prepare_for_writing()
        total, copy, batch = 0, 0, []

        def flush() -> None:
            with archive.catalog.writing() as w:
                for document, chunks, vectors, sentences, file_path in batch:
                    w.put_document(document, chunks, vectors, sentences, file_path)
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
                            [
                                SentenceVectors.from_blobs(
                                    r["spans"], r["sentence_vectors"], r["title_vector"], dimension
                                )
                                for r in rows
                            ],
                            row["file_path"],
                        )
                    )
                    total += len(chunks)
                    if len(batch) >= 1000:
                        flush()
                copy += 1
            flush()
        log(
            f"size {size}: {total} chunks in the catalog ({copy} pass(es) over the articles, "
            f"{copying.seconds:.0f} s)"
        )
        with Phase() as rebuilding:
            archive.rebuild()
        kind = archive.vector.kind
        archive.catalog.compact()
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

    tags = list(row["tags"] or [])
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
        pages=[tuple(p) for p in row["pages"]] if row["pages"] else None,
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
    from archive.catalog import open_catalog
    from archive.store import Archive
    from indexer.vector import VectorIndex

    size = scale.sizes[-1]
    source = open_catalog(source_dir)
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
        f"hnsw: {len(vectors)} distinct vectors ({len(real)} real, {extra} mixtures), "
        f"{len(query_vectors)} queries"
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

        def recall_of(index) -> float:
            found = [
                len({h for h, _ in index.search(v, 10)} & truth_ids[i]) / 10
                for i, v in enumerate(query_vectors)
            ]
            return float(np.mean(found))

        def latencies(threads: int) -> tuple[dict, dict]:
            """Flat and HNSW timed query by query, alternating, so both see the same machine load."""
            faiss.omp_set_num_threads(threads)
            timed: dict[str, list[float]] = {"flat": [], "hnsw": []}
            for vector in query_vectors:
                for name, index in (("flat", flat), ("hnsw", hnsw)):
                    started = time.perf_counter()
                    index.search(vector, 10)
                    timed[name].append((time.perf_counter() - started) * 1000)
            return percentiles(timed["flat"]), percentiles(timed["hnsw"])

        default_ef, default_threads = vector_module.HNSW_EF_SEARCH, faiss.omp_get_max_threads()
        sweep, timing = {}, {}
        try:
            flat_recall = recall_of(flat)
            for threads in sorted({default_threads, 1}, reverse=True):
                flat_ms, hnsw_ms = latencies(threads)
                timing[str(threads)] = {"flat_ms": flat_ms, "hnsw_ms": hnsw_ms}
                log(
                    f"  {threads} OpenMP thread(s): flat p50 {flat_ms['p50']:.2f} ms "
                    f"p95 {flat_ms['p95']:.2f}, "
                    f"hnsw p50 {hnsw_ms['p50']:.2f} ms p95 {hnsw_ms['p95']:.2f}"
                )
            faiss.omp_set_num_threads(1)
            for ef in sorted({*EF_SWEEP, default_ef}):
                vector_module.HNSW_EF_SEARCH = ef
                recall = recall_of(hnsw)
                _, hnsw_ms = latencies(1) if ef != default_ef else (None, timing["1"]["hnsw_ms"])
                sweep[ef] = {"recall@10": round(recall, 4), "latency_ms_1_thread": hnsw_ms}
                log(
                    f"  hnsw efSearch {ef:>3}: recall@10 {recall:.4f}, p50 {hnsw_ms['p50']:.2f} ms (1 thread)"
                )
        finally:
            vector_module.HNSW_EF_SEARCH = default_ef
            faiss.omp_set_num_threads(default_threads)
        hnsw_kind = hnsw.kind
    reaching = [ef for ef, figures in sorted(sweep.items()) if figures["recall@10"] >= RECALL_TARGET]
    configured = timing[str(default_threads)]
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
        "flat_recall@10": round(flat_recall, 4),
        "openmp_threads": default_threads,
        "hnsw_latency_ms": configured["hnsw_ms"],
        "flat_latency_ms": configured["flat_ms"],
        "latency_by_openmp_threads": timing,
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
    served = result["served"]
    log(
        f"hnsw: served index ({served['kind']}, {len(matrix)} vectors): "
        f"tie-aware recall@10 {served['recall@10_tie_aware']}"
    )
    return result


# -- 5. where a query's time goes (in process) -----------------------------------------------------


def measure_breakdown(scale: Scale, folder: Path, queries: list[dict], settings) -> dict:
    """The search service on the largest archive in this process, three ways: as configured (torch
    and faiss on every core); with one thread each; with one thread and no highlighting (no term
    spans, no closest sentence located in the passage text). The queries are split in two halves run in
    the order A B C, then C B A (a block per way, so a way keeps its thread count; a drift in the
    machine's load falls on all three). Each way has its own SearchService: no cache is shared."""
    import faiss
    import torch

    from archive.search import SearchRequest, SearchService
    from archive.store import Archive

    sample = queries[: scale.breakdown_queries]
    threads = torch.get_num_threads()
    ways = {
        "as configured": (threads, True),
        "1 thread": (1, True),
        "1 thread, no highlighting": (1, False),
    }
    faiss_threads = faiss.omp_get_max_threads()
    halves = (sample[: len(sample) // 2], sample[len(sample) // 2 :])
    schedule = [(way, halves[0]) for way in ways] + [(way, halves[1]) for way in reversed(ways)]
    result: dict = {"queries": len(sample), "threads_as_configured": threads, "modes": {}}
    log(f"breakdown: {len(sample)} queries in process on {folder.name}, {len(ways)} ways")
    with Archive(replace(settings, data_dir=folder, ann_threshold=scale.ann_threshold)) as archive:
        try:
            for mode in ("semantic", "hybrid"):
                services = {way: SearchService(archive) for way in ways}
                timed: dict[str, list[float]] = {way: [] for way in ways}
                for way, block in schedule:
                    count, highlight = ways[way]
                    torch.set_num_threads(count)
                    faiss.omp_set_num_threads(count)
                    services[way].search(
                        SearchRequest(query="warm up " + way, mode=mode, highlight=highlight)
                    )
                    for query in block:
                        request = SearchRequest(query=query["q"], mode=mode, highlight=highlight)
                        started = time.perf_counter()
                        services[way].search(request)
                        timed[way].append((time.perf_counter() - started) * 1000)
                result["modes"][mode] = {way: percentiles(values) for way, values in timed.items()}
                log(
                    f"  {mode}: "
                    + "; ".join(
                        f"{way} p50 {p['p50']:.0f} p95 {p['p95']:.0f} ms"
                        for way, p in result["modes"][mode].items()
                    )
                )
        finally:
            torch.set_num_threads(threads)
            faiss.omp_set_num_threads(faiss_threads)
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
    results["breakdown"] = measure_breakdown(scale, largest, queries, settings)

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


def text_table(headers: list[str], rows: list[list]) -> list[str]:
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]


def md_table(headers: list[str], rows: list[list], align: str | None = None) -> list[str]:
    align = align or "l" + "r" * (len(headers) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    return [f"| {' | '.join(str(c) for c in row)} |" for row in [headers, rule, *rows]]


def _p(figures: dict, digits: int = 1) -> str:
    return f"{figures['p50']:.{digits}f} / {figures['p95']:.{digits}f}"


def summary_rows(results: dict) -> list[list]:
    ingest, precision, hnsw = results["ingest"], results["precision"], results["hnsw"]
    rows = [
        [
            "ingest, end to end",
            f"{ingest['ingest']['docs_per_s']} docs/s, {ingest['ingest']['chunks_per_s']} chunks/s",
        ],
        ["raw embedding, same chunks", f"{ingest['raw_embedding']['chunks_per_s']} chunks/s"],
        ["ingest ratio", f"{ingest['ratio']} (target >= {RATIO_TARGET})"],
    ]
    for figures in results["sizes"].values():
        label = f"{figures['chunks']:,} chunks ({figures['vector_index']})"
        for mode in MODES:
            rows.append([f"{label} {mode} p50 / p95 ms", _p(figures["modes"][mode]["client_ms"])])
        rows.append([f"{label} server RSS MB", max(figures["rss_mb"].values())])
        per = figures["disk_mb_per_1k_chunks"]
        rows.append(
            [
                f"{label} MB per 1k chunks",
                f"catalog {per['catalog']}, keyword {per['keyword_index']}, vector {per['vector_index']}",
            ]
        )
    rows += [
        [
            f"HNSW recall@10 at {hnsw['vectors']:,} (efSearch {hnsw['ef_search']})",
            f"{hnsw['recall@10']} (target >= {RECALL_TARGET}; smallest efSearch reaching it: "
            f"{hnsw['smallest_ef_reaching_target']})",
        ],
        [
            "HNSW / flat search p50 ms",
            " ; ".join(
                f"{t} thread(s): {f['hnsw_ms']['p50']} / {f['flat_ms']['p50']}"
                for t, f in hnsw["latency_by_openmp_threads"].items()
            ),
        ],
    ]
    for p in ("fp32", "bf16"):
        rows.append(
            [
                f"{p} embedding",
                f"{precision['speed'][p]['chunks_per_s']} chunks/s, SciFact nDCG@10 "
                f"{precision['scifact'][p]['ndcg@10']}"
                + (" (subset)" if precision["scifact"]["subset"] else ""),
            ]
        )
    return rows


def table(results: dict) -> str:
    machine_info = results["machine"]
    lines = [
        f"Speed benchmark, {results['scale']} scale, on {machine_info['cpu']}, {machine_info['cores']} cores "
        f"(shared machine: compare ratios within one run)",
        "",
        *text_table(["figure", "value"], summary_rows(results)),
        "",
        f"runtime {results['runtime_seconds'] / 60:.1f} min",
    ]
    return "\n".join(lines)


def findings(results: dict) -> list[str]:
    """Plain statements derived from the figures (conditions, not prose written for one run)."""
    ingest, hnsw, breakdown = results["ingest"], results["hnsw"], results["breakdown"]
    largest = list(results["sizes"].values())[-1]
    out = []
    out.append(
        f"Ingest ratio {ingest['ratio']} by wall clock "
        f"({'meets' if ingest['ratio'] >= RATIO_TARGET else 'misses'} "
        f"the {RATIO_TARGET} target); by CPU time {ingest['ratio_cpu']}. Embedding calls took "
        f"{ingest['ingest']['embed_seconds_inside']} s of the ingest's {ingest['ingest']['seconds']} s "
        f"({ingest['embed_share_of_ingest']:.0%}); embedding the same chunks alone took "
        f"{ingest['raw_embedding']['seconds']} s."
    )
    hybrid = largest["modes"]["hybrid"]["client_ms"]
    out.append(
        f"Hybrid p95 at {largest['chunks']:,} chunks: {hybrid['p95']} ms "
        f"({'within' if hybrid['p95'] <= HYBRID_P95_TARGET_MS else 'over'} the "
        f"{HYBRID_P95_TARGET_MS:.0f} ms aim)."
    )
    for mode, ways in breakdown["modes"].items():
        configured, single, bare = (
            ways[w]["p50"] for w in ("as configured", "1 thread", "1 thread, no highlighting")
        )
        out.append(
            f"In process, {mode} p50: {configured:.0f} ms as configured "
            f"({breakdown['threads_as_configured']} threads), {single:.0f} ms with one torch/faiss thread, "
            f"{bare:.0f} ms with one thread and no "
            "highlighting (no term spans or closest sentence located in the passages)."
        )
    timing = hnsw["latency_by_openmp_threads"]
    if len(timing) > 1:
        many, one = timing[str(hnsw["openmp_threads"])], timing["1"]
        out.append(
            f"Single-query FAISS search, p95: flat {many['flat_ms']['p95']} ms / "
            f"HNSW {many['hnsw_ms']['p95']} ms "
            f"with {hnsw['openmp_threads']} OpenMP threads, against {one['flat_ms']['p95']} / "
            f"{one['hnsw_ms']['p95']} ms with one."
        )
    out.append(
        f"HNSW recall@10 {hnsw['recall@10']} at efSearch {hnsw['ef_search']} over {hnsw['vectors']:,} "
        "distinct "
        f"vectors ({'meets' if hnsw['recall@10'] >= RECALL_TARGET else 'misses'} {RECALL_TARGET}); the "
        "smallest "
        f"swept efSearch reaching {RECALL_TARGET} is {hnsw['smallest_ef_reaching_target']}."
    )
    return out


def write_up(results: dict) -> str:
    """docs/SPEED.md, generated from the results."""
    m, ingest, precision, hnsw = results["machine"], results["ingest"], results["precision"], results["hnsw"]
    sizes, breakdown, scale = results["sizes"], results["breakdown"], results["scale"]
    out = [
        "# Speed",
        "",
        f"Generated by `python -m bench.run --scale {scale}` on {results['started_at']} "
        f"({results['runtime_seconds'] / 60:.1f} minutes); do not edit by hand, rerun it (`make bench`; "
        "`make bench-quick` for a small-scale look). Raw figures: `bench/results.json`.",
        "",
        f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM; Python {m['python']}, torch "
        f"{m['torch']} ({m['torch_threads']} threads), sentence-transformers {m['sentence_transformers']}, "
        "faiss "
        f"{m['faiss']}, Whoosh {m['whoosh']}; bf16 instructions: "
        f"{'yes' if m['bf16_instructions'] else 'no'}. "
        f"Model all-MiniLM-L6-v2, embedding precision `{ingest['precision']}` (`ARCHIVE_PRECISION=auto`).",
        "",
        "**Read these as ratios.** The figures come from a shared 2-core machine on which other people run "
        f"CPU-heavy work at the same time (load average {m['load_average_at_start'][0]} when this run "
        "started; "
        "phases record their own). Absolute rates move between runs by tens of percent; compare figures "
        "measured in the same run (ingest against raw embedding, bf16 against fp32, HNSW against flat, one "
        "size against the other), and not across runs.",
        "",
        "## Summary",
        "",
        *md_table(["figure", "value"], summary_rows(results), "ll"),
        "",
        *[f"- {line}" for line in findings(results)],
        "",
        "## Ingest against raw embedding of the same chunks",
        "",
        f"{ingest['documents']:,} Reuters-21578 articles ({ingest['chunks']:,} chunks) went through the real "
        "pipeline in the benchmark's process: `Ingestor(Archive(settings, write=True)).run([jsonl])` reads, "
        "chunks, embeds, writes the catalog and updates both indexes, and each run is timed whole. After "
        "each run, exactly the inputs it embedded (`embedding_input(title, chunk text)` of the new chunk "
        "rows, in id order, and each chunk's sentences through `embed_sentences`) were embedded again by "
        "the same embedder in batches of the pipeline's size, "
        f"timed. The articles were split into {ingest['rounds']} round(s) of ingest then raw embedding, so a "
        "change in the machine's load falls on both sides. The model was loaded "
        f"({ingest['model_load_seconds']} "
        "s) and warmed up on other articles first. The raw vectors match the stored ones (mean cosine "
        f"{ingest['raw_vs_stored_mean_cosine']}).",
        "",
        *md_table(
            ["", "docs/s", "chunks/s", "seconds", "CPU seconds"],
            [
                [
                    "ingest, end to end",
                    ingest["ingest"]["docs_per_s"],
                    ingest["ingest"]["chunks_per_s"],
                    ingest["ingest"]["seconds"],
                    ingest["ingest"]["cpu_seconds"],
                ],
                [
                    "raw embedding, same chunks",
                    "",
                    ingest["raw_embedding"]["chunks_per_s"],
                    ingest["raw_embedding"]["seconds"],
                    ingest["raw_embedding"]["cpu_seconds"],
                ],
            ],
        ),
        "",
        f"**Ratio {ingest['ratio']}** (target >= {RATIO_TARGET}). Embedding calls took "
        f"{ingest['ingest']['embed_seconds_inside']} s of the ingest's {ingest['ingest']['seconds']} s "
        f"({ingest['embed_share_of_ingest']:.0%}). CPU-time ratio (raw / ingest) {ingest['ratio_cpu']}; "
        f"counting the model load in the ingest: {ingest['ratio_with_model_load']}.",
        "",
        *md_table(
            ["round", "chunks", "ingest s", "embedding inside s", "raw s", "ratio", "load avg (ingest)"],
            [
                [
                    i + 1,
                    r["chunks"],
                    r["ingest"]["seconds"],
                    r["embed_seconds_inside"],
                    r["raw"]["seconds"],
                    r["ratio"],
                    r["ingest"]["load_average"],
                ]
                for i, r in enumerate(ingest["per_round"])
            ],
        ),
        "",
        "## Query latency on a warm live server",
        "",
        "Each size is an archive of Reuters chunks. Past the ingested articles the collection repeats with "
        "a copy marker (document identity `#copy-N`, external id `-copyN`, tag `copy-N`, date shifted by N "
        "years); the copies were written through `Catalog.put_document` REUSING the originals' stored "
        "embeddings (title and text are unchanged, so they are what the pipeline would compute), then "
        "`Archive.rebuild()` built both indexes (one optimised Whoosh segment; a long-running archive fed "
        "by many ingests has more segments). Ingest speed is measured above, not here. Archives and "
        f"servers ran with `ARCHIVE_ANN_THRESHOLD={SCALES[scale].ann_threshold}`.",
        "",
        "For every size and mode a fresh `archive serve` subprocess (waitress, 8 threads) on a free loopback "
        f"port answered {results['queries']['warmup_per_server']} warm-up queries, then the same "
        f"{results['queries']['measured_per_mode']} queries one after the other over HTTP "
        "(`GET /api/search?q=...&mode=...&k=10`: 3 passages per document with highlights and citations), "
        "timed by the client. A fresh server per mode keeps one mode's query-embedding and sentence caches "
        "from answering another mode's queries. Queries: 40% 2-4 words from article titles, 40% questions "
        "from templates over the articles' topics, places, companies and organisations, 20% quoted phrases "
        "from bodies (half with one more word). RSS: the server process's resident memory after its run "
        "(the largest of its three servers).",
        "",
        *md_table(
            [
                "chunks",
                "vector index",
                "keyword p50 / p95 ms",
                "semantic p50 / p95 ms",
                "hybrid p50 / p95 ms",
                "RSS MB",
            ],
            [
                [
                    f"{f['chunks']:,}",
                    f["vector_index"],
                    *[_p(f["modes"][mode]["client_ms"]) for mode in MODES],
                    max(f["rss_mb"].values()),
                ]
                for f in sizes.values()
            ],
            "rlrrrr",
        ),
        "",
        "The server's own `took_ms` (p50 / p95; the rest is HTTP and JSON):",
        "",
        *md_table(
            ["chunks", *MODES],
            [
                [f"{f['chunks']:,}", *[_p(f["modes"][mode]["server_took_ms"]) for mode in MODES]]
                for f in sizes.values()
            ],
        ),
        "",
        "p50 by query kind (ms, client):",
        "",
        *md_table(
            ["chunks", "mode", "keyword words", "question", "quoted phrase"],
            [
                [
                    f"{f['chunks']:,}",
                    mode,
                    *[
                        f["modes"][mode]["by_kind_p50_ms"].get(k, "")
                        for k in ("keyword", "question", "phrase")
                    ],
                ]
                for f in sizes.values()
                for mode in MODES
            ],
            "rlrrr",
        ),
        "",
        f"**Where the time goes.** The search service on the largest archive in the benchmark's process, "
        f"{breakdown['queries']} of the same queries, three ways (in blocks A B C then C B A over two "
        "halves of the queries): as configured "
        f"(torch and faiss on {breakdown['threads_as_configured']} threads), with one thread each, and with "
        "one thread and highlighting off altogether (no term spans, no closest sentence located in the "
        "passages). Each way has its own SearchService, so no cache is shared (p50 / p95 ms):",
        "",
        *md_table(
            ["mode", *next(iter(breakdown["modes"].values())).keys()],
            [[mode, *[_p(w) for w in ways.values()]] for mode, ways in breakdown["modes"].items()],
        ),
        "",
        "## Index sizes on disk",
        "",
        "MB per 1,000 chunks: catalog = SQLite with document texts, chunk texts and float32 embeddings "
        "(after "
        "a WAL checkpoint); keyword = the Whoosh folder; vector = `vectors.faiss`.",
        "",
        *md_table(
            ["chunks", "vector index", "catalog", "keyword index", "vector index", "total"],
            [
                [
                    f"{f['chunks']:,}",
                    f["vector_index"],
                    *[
                        f["disk_mb_per_1k_chunks"][k]
                        for k in ("catalog", "keyword_index", "vector_index", "total")
                    ],
                ]
                for f in sizes.values()
            ],
            "rlrrrr",
        ),
        "",
        "## Approximate vector index (HNSW) against exact search",
        "",
        f"`VectorIndex` of kind `{hnsw['kind']}` (M={hnsw['M']}, efConstruction={hnsw['ef_construction']}, "
        f"efSearch={hnsw['ef_search']}) against an exact flat inner-product index over the same "
        f"{hnsw['vectors']:,} vectors with {hnsw['queries']} query embeddings (latency-set queries). The "
        "latency archive repeats the collection, so its vectors tie exactly; these are distinct: the "
        f"{hnsw['real_vectors']:,} real chunk vectors of the ingest plus normalised mixtures of two random "
        f"real vectors (weights 0.25-0.75) up to the size. Graph build: {hnsw['build_seconds']} s.",
        "",
        f"**recall@10 {hnsw['recall@10']}** at the configured efSearch {hnsw['ef_search']} (target >= "
        f"{RECALL_TARGET}). Search latency, one query per call as the server searches, flat and HNSW timed "
        "in turn per query:",
        "",
        *md_table(
            ["OpenMP threads", "flat p50 / p95 ms", "HNSW p50 / p95 ms"],
            [
                [t, _p(f["flat_ms"], 2), _p(f["hnsw_ms"], 2)]
                for t, f in hnsw["latency_by_openmp_threads"].items()
            ],
        ),
        "",
        *md_table(
            ["efSearch", "recall@10", "p50 / p95 ms (1 thread)"],
            [[ef, f["recall@10"], _p(f["latency_ms_1_thread"], 2)] for ef, f in hnsw["ef_sweep"].items()],
        ),
        "",
        (
            f"The smallest efSearch in the sweep reaching {RECALL_TARGET}: "
            f"{hnsw['smallest_ef_reaching_target']}."
            if hnsw["smallest_ef_reaching_target"]
            else f"No efSearch in the sweep reaches {RECALL_TARGET}."
        )
        + f" The index the largest server used ({hnsw['served']['kind']}, {hnsw['served']['vectors']:,} "
        "vectors "
        f"with exact copies) returns {hnsw['served']['recall@10_tie_aware']} of the exact top 10 when any "
        "tied "
        "copy counts as found (HNSW reaches exact duplicates poorly).",
        "",
        "## Embedding precision: fp32 against bf16",
        "",
        f"Both precisions embedded the same {precision['chunks']} Reuters chunks, in the order fp32, bf16, "
        "bf16, "
        "fp32 over two halves (a change in the machine's load hits both). Quality: dense retrieval on "
        "SciFact "
        'test, every document embedded as title + " " + text, exact FAISS inner product, top 100, scored by '
        "`archive.evaluation.score`"
        + (
            f" on a SUBSET at this scale ({precision['scifact']['fp32']['documents']} documents, "
            f"{precision['scifact']['fp32']['queries']} queries: not comparable with full-corpus figures)."
            if precision["scifact"]["subset"]
            else f" ({precision['scifact']['fp32']['documents']:,} documents, "
            f"{precision['scifact']['fp32']['queries']} queries)."
        ),
        "",
        *md_table(
            [
                "precision",
                "Reuters chunks/s (balanced)",
                "SciFact docs/s (in turn)",
                "nDCG@10",
                "Recall@100",
                "MRR@10",
            ],
            [
                [
                    p,
                    precision["speed"][p]["chunks_per_s"],
                    precision["scifact"][p]["docs_per_s"] or "(vectors cached)",
                    precision["scifact"][p]["ndcg@10"],
                    precision["scifact"][p]["recall@100"],
                    precision["scifact"][p]["mrr@10"],
                ]
                for p in ("fp32", "bf16")
            ],
        ),
        "",
        f"bf16 embeds x{precision['bf16_speedup']} as fast as fp32 here; its vectors have mean cosine "
        f"{precision['cosine_fp32_bf16']['mean']} (min {precision['cosine_fp32_bf16']['min']}) to fp32's. "
        f"`ARCHIVE_PRECISION=auto` resolves to `{precision['auto_resolves_to']}` on this machine.",
        "",
        "## Reproducing",
        "",
        "`make bench` (`python -m bench.run --scale full`, up to about an hour here) or `make bench-quick` "
        "(`--scale quick`, a few minutes). Both read `../shared/data` (`--data-root` to change), write "
        "`bench/results.json` and this file, and keep the archives they build under `bench/work/<scale>/` "
        "for the next run (timings are always taken again). See `bench/README.md`.",
        "",
    ]
    return "\n".join(out)


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
