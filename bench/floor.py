"""Choose the relevance floor by measurement, and print what it costs and what it buys.

For each mode with a floor (hybrid, semantic) every query runs once with no floor; its top ten
documents and their scores are kept. A floor f then keeps, per query, the documents scoring >= f:

- real queries: recall@10 with the floor against without it, on SciFact **train** (qrels) and on
  the sample collection's hand-written queries (tests/fixtures/corpus_queries.json, one expected
  document each);
- nonsense and off-topic queries (tests/fixtures/nonsense_queries.json): the share left with no
  result at all, on the sample archive and on SciFact.

The floor chosen per mode is the highest on the grid whose recall@10 loss stays within
`MAX_RECALL_LOSS` (relative) on both real query sets. Writes bench/floor.json; docs/QUALITY.md
gets its section from it (`bench.quality_report`).

    python -m bench.floor --corpus-data DIR --scifact-data DIR [--beir ../shared/data/beir-scifact]

Both data folders are ingested first when needed (the sample corpus from corpus/ plus the seed
article in tests/fixtures/); an ingested SciFact archive is reused as it is.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from archive.config import Settings
from archive.evaluation import load_beir
from archive.ingest import Ingestor
from archive.ranking import Tuning
from archive.search import SearchRequest, SearchService
from archive.store import Archive
from bench import corpus_queries
from bench.quality_report import FLOOR_RESULTS, render_markdown

ROOT = Path(__file__).resolve().parents[1]
NONSENSE = json.loads((ROOT / "tests/fixtures/nonsense_queries.json").read_text())
SEED = ROOT / "corpus/analysis/iran-dossier-qaani-letter.txt"
MODES = ("hybrid", "semantic")
GRID = [round(0.01 * i, 2) for i in range(0, 71)]
# Semantic mode ("Meaning" in the UI) is for questions and paraphrases: its sample recall counts
# the queries written that way; names and quoted phrases are what keyword and hybrid are for.
SAMPLE_GROUPS = {"hybrid": corpus_queries.GROUPS, "semantic": ("semantic", "hybrid")}
MAX_RECALL_LOSS = 0.01  # relative: recall@10 with the floor >= 99 % of recall@10 without
TOP = 10

Top = list[tuple[str, float]]  # (document key, score), best first


def nonsense_queries() -> list[str]:
    return NONSENSE["triples"] + NONSENSE["questions"]


def top_documents(service: SearchService, queries: list[str], mode: str, key: str = "id") -> list[Top]:
    """Each query's ten best documents (their `key`: id, or external_id as in BEIR qrels) and
    scores, with no floor."""
    tops = []
    for text in queries:
        response = service.search(
            SearchRequest(query=text[:1000], mode=mode, k=TOP, passages=1, highlight=False)
        )
        tops.append(
            [
                (r["document"][key] or r["document"]["id"], r["score"])
                for r in response["results"] + response["weak_results"]
            ]
        )
    return tops


def recall(tops: list[Top], relevant: list[set[str]], floor: float) -> float:
    """Mean recall@10 over queries, counting only documents at or above the floor."""
    shares = [
        len({doc for doc, score in top if score >= floor} & wanted) / len(wanted)
        for top, wanted in zip(tops, relevant, strict=True)
    ]
    return sum(shares) / max(1, len(shares))


def empty_share(tops: list[Top], floor: float) -> float:
    """Share of queries with no document at or above the floor."""
    return sum(1 for top in tops if not any(score >= floor for _, score in top)) / max(1, len(tops))


def unfloored(archive: Archive) -> SearchService:
    return SearchService(archive, replace(Tuning(), hybrid_floor=None, semantic_floor=None))


def measure_mode(corpus: SearchService, scifact: SearchService, data, mode: str) -> dict:
    samples = corpus_queries.cases(*SAMPLE_GROUPS[mode])
    sample_tops = top_documents(corpus, [query for _, query, _ in samples], mode)
    sample_relevant = [{expected} for _, _, expected in samples]
    query_ids = list(data.queries)
    sf_tops = top_documents(scifact, [data.queries[q] for q in query_ids], mode, "external_id")
    sf_relevant = [set(data.qrels[q]) for q in query_ids]
    nonsense_corpus = top_documents(corpus, nonsense_queries(), mode)
    nonsense_sf = top_documents(scifact, nonsense_queries(), mode)
    rows = []
    base_sample, base_sf = recall(sample_tops, sample_relevant, -1.0), recall(sf_tops, sf_relevant, -1.0)
    for floor in GRID:
        rows.append(
            {
                "floor": floor,
                "scifact_recall@10": round(recall(sf_tops, sf_relevant, floor), 4),
                "sample_recall@10": round(recall(sample_tops, sample_relevant, floor), 4),
                "nonsense_empty_corpus": round(empty_share(nonsense_corpus, floor), 4),
                "nonsense_empty_scifact": round(empty_share(nonsense_sf, floor), 4),
            }
        )
    allowed = [
        row
        for row in rows
        if row["scifact_recall@10"] >= (1 - MAX_RECALL_LOSS) * base_sf
        and row["sample_recall@10"] >= (1 - MAX_RECALL_LOSS) * base_sample
    ]
    return {
        "sample_groups": list(SAMPLE_GROUPS[mode]),
        "sample_queries": len(samples),
        "baseline": {"scifact_recall@10": round(base_sf, 4), "sample_recall@10": round(base_sample, 4)},
        "chosen": max(allowed, key=lambda row: row["floor"]),
        "sweep": rows,
    }


def open_archive(folder: str, paths: list[str]) -> Archive:
    with Archive(Settings.from_env(folder), write=True) as archive:
        report = Ingestor(archive).run(paths)
    if report.failed:
        raise SystemExit(f"ingest of {paths} into {folder} failed: {report.failed[0]}")
    archive = Archive(Settings.from_env(folder))
    archive.warm_up()
    return archive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus-data", required=True, help="Data folder for corpus/ plus the seed.")
    parser.add_argument("--scifact-data", required=True, help="Data folder for SciFact (ingested if new).")
    parser.add_argument("--beir", default=str(ROOT.parent / "shared/data/beir-scifact"))
    parser.add_argument("--split", default="train")
    parser.add_argument("--out", type=Path, default=FLOOR_RESULTS)
    args = parser.parse_args()
    started = time.monotonic()
    data = load_beir(Path(args.beir), args.split)
    corpus = unfloored(open_archive(args.corpus_data, [str(corpus_queries.CORPUS)]))
    scifact = unfloored(open_archive(args.scifact_data, [str(data.corpus)]))
    results = {
        "dataset": data.name,
        "split": args.split,
        "scifact_queries": len(data.queries),
        "nonsense_queries": len(nonsense_queries()),
        "max_recall_loss": MAX_RECALL_LOSS,
        "modes": {mode: measure_mode(corpus, scifact, data, mode) for mode in MODES},
    }
    results["seconds"] = round(time.monotonic() - started, 1)
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    print_summary(results)
    if Path(args.out) == FLOOR_RESULTS:  # docs/QUALITY.md carries the figures
        sweep = json.loads((ROOT / "bench/quality.json").read_text())
        (ROOT / "docs/QUALITY.md").write_text(render_markdown(sweep, results))


def print_summary(results: dict) -> None:
    print(
        f"{results['scifact_queries']} SciFact {results['split']} queries, "
        f"{results['nonsense_queries']} nonsense queries"
    )
    print(f"{'mode':<10}{'floor':>7}{'SciFact R@10':>16}{'sample R@10':>16}{'nonsense empty':>22}")
    for mode, figures in results["modes"].items():
        base, row = figures["baseline"], figures["chosen"]
        print(
            f"{mode:<10}{row['floor']:>7.2f}"
            f"{base['scifact_recall@10']:>8.4f}>{row['scifact_recall@10']:.4f}"
            f"{base['sample_recall@10']:>8.4f}>{row['sample_recall@10']:.4f}"
            f"{row['nonsense_empty_corpus']:>11.0%} corpus {row['nonsense_empty_scifact']:.0%} SciFact"
        )


if __name__ == "__main__":
    main()
