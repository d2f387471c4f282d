"""Retrieval quality on a BEIR-format data set: nDCG@10, Recall@100 and MRR@10 per mode.

The corpus is ingested into the archive given (reused when unchanged), the split's queries are
run through the same search service users get, and pytrec_eval scores the rankings.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytrec_eval

from archive.errors import ArchiveError, UsageError
from archive.search import MODES, SearchRequest, SearchService
from archive.store import Archive

MEASURES = {"ndcg_cut.10", "recall.100", "recip_rank"}
DEPTH = 100


@dataclass
class BeirSet:
    name: str
    corpus: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load_beir(folder: Path, split: str = "test") -> BeirSet:
    folder = Path(folder)
    corpus, queries_file = folder / "corpus.jsonl", folder / "queries.jsonl"
    qrels_file = folder / "qrels" / f"{split}.tsv"
    for needed in (corpus, queries_file, qrels_file):
        if not needed.is_file():
            raise UsageError(
                f"'{folder}' is not a BEIR data set: {needed.name} is missing "
                f"(expected corpus.jsonl, queries.jsonl and qrels/{split}.tsv)"
            )
    qrels: dict[str, dict[str, int]] = {}
    with open(qrels_file, encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {}
    with open(queries_file, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                if str(record["_id"]) in qrels:
                    queries[str(record["_id"])] = record["text"]
    return BeirSet(folder.name, corpus, queries, qrels)


def ingest_collection(archive: Archive, data: BeirSet, progress=None) -> None:
    """Ingest a BEIR corpus into a writable archive (unchanged records are skipped), with every
    vector this version scores by (an archive made by an older version lacks some)."""
    from archive.ingest import Ingestor

    report = Ingestor(archive, progress=progress).run([str(data.corpus)])
    archive.embed_missing()
    if report.failed:
        raise ArchiveError(f"the corpus did not ingest cleanly: {report.failed[0][1]}")


def rankings(
    service: SearchService, queries: dict[str, str], mode: str, progress: Callable[[], None] | None = None
) -> dict[str, dict[str, float]]:
    """Each query's top documents (by external id) with rank-preserving scores."""
    run: dict[str, dict[str, float]] = {}
    for query_id, text in queries.items():
        response = service.search(
            SearchRequest(query=text[:1000], mode=mode, k=DEPTH, passages=1, highlight=False)
        )
        # The whole ranking: matches, then those below the relevance floor (shown apart, same order).
        ranking = response["results"] + response["weak_results"]
        documents = [r["document"]["external_id"] or r["document"]["id"] for r in ranking]
        run[query_id] = {doc: float(DEPTH - rank) for rank, doc in enumerate(documents)}
        if progress:
            progress()
    return run


def score(qrels: dict, run: dict) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """(mean figures, per-query figures) for nDCG@10, Recall@100, MRR@10."""
    top10 = {q: dict(sorted(docs.items(), key=lambda kv: -kv[1])[:10]) for q, docs in run.items()}
    deep = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100"}).evaluate(run)
    shallow = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(top10)
    per_query = {
        q: {
            "ndcg@10": deep[q]["ndcg_cut_10"],
            "recall@100": deep[q]["recall_100"],
            "mrr@10": shallow[q]["recip_rank"],
        }
        for q in deep
    }
    means = {
        name: round(sum(v[name] for v in per_query.values()) / max(1, len(per_query)), 4)
        for name in ("ndcg@10", "recall@100", "mrr@10")
    }
    return means, per_query


def evaluate(
    service: SearchService,
    data: BeirSet,
    split: str,
    modes: Iterable[str],
    progress: Callable[[], None] | None = None,
) -> tuple[dict, dict]:
    """The eval JSON (DESIGN.md shape) and per-query figures per mode."""
    results: dict[str, dict] = {}
    per_query: dict[str, dict] = {}
    for mode in modes:
        if mode not in MODES:
            raise UsageError(f"mode must be one of {', '.join(MODES)} or all, not '{mode}'")
        run = rankings(service, data.queries, mode, progress)
        results[mode], per_query[mode] = score(data.qrels, run)
    summary = {"dataset": data.name, "split": split, "queries": len(data.queries), "modes": results}
    return summary, per_query


BASELINE_LABELS = {"bm25": "BM25 (plain)", "minilm": "MiniLM (plain)", "fusion": "BM25+MiniLM"}


def eval_table(summary: dict) -> str:
    """The eval summary as a table: the archive's modes, then any baselines beside them."""
    lines = [
        f"{summary['dataset']} ({summary['split']}, {summary['queries']} queries)",
        f"{'':<16}{'nDCG@10':>10}{'Recall@100':>12}{'MRR@10':>10}",
    ]
    rows = [(mode, figures) for mode, figures in summary["modes"].items()]
    rows += [(BASELINE_LABELS[name], figures) for name, figures in summary.get("baselines", {}).items()]
    for label, figures in rows:
        lines.append(
            f"{label:<16}{figures['ndcg@10']:>10.4f}{figures['recall@100']:>12.4f}{figures['mrr@10']:>10.4f}"
        )
    fusion = summary.get("baselines", {}).get("fusion")
    if fusion:
        origin = "chosen on the train split" if fusion["alpha_from"] == "train" else "no train split: default"
        lines.append(f"BM25+MiniLM: alpha {fusion['alpha']} ({origin})")
    return "\n".join(lines)
