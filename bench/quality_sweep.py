"""Tune ranking on a BEIR train split, report the test split, write docs/QUALITY.md.

Choices are made on SciFact train. Configurations within TIE_TOLERANCE of the best train nDCG@10
are treated as equal and the one that ranks the sample collection's hand-written queries best is
taken: those are news, statements and paraphrased questions, so the tie-break favours settings that
also hold outside scientific claims.

    python -m bench.quality_sweep [--beir ../shared/data/beir-scifact] [--data bench/work/scifact]

Retrieval runs through the search service's own `retrieve`, ranking through `archive.ranking.rank`,
so the figures are those `archive eval` reports for the same settings. Choices are made on the
train split only; the test split is scored once per configuration reported.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import asdict, replace
from pathlib import Path

from archive.config import Settings
from archive.evaluation import ingest_collection, load_beir, score
from archive.ingest import Ingestor
from archive.ranking import Tuning
from archive.search import Hits, SearchRequest, SearchService
from archive.store import Archive
from bench import corpus_queries

ROOT = Path(__file__).resolve().parents[1]
KEYWORD_GRID = {"title_boost": [0.5, 1.0, 2.0], "bm25_b": [0.3, 0.5, 0.75, 0.9], "bm25_k1": [0.9, 1.2, 1.5]}
AGGREGATIONS = [("chunk", 0.0), ("max", 0.0), ("top2", 0.1), ("top2", 0.25)]  # chunk: fuse chunks
ALPHAS = [round(0.05 * i, 2) for i in range(21)]
RRF_KS = [10, 30, 60]
SENTENCE_WEIGHTS = [0.0, 0.25, 0.5, 0.75, 1.0]
TERM_COVERAGE_WEIGHTS = [0.0, 0.05, 0.1, 0.15, 0.2, 0.3]
NORMALISATIONS = ("minmax", "zscore", "bound", "coverage")
# Whoosh's own BM25F defaults, an even title weight, two signals: where the sweep starts (and "untuned").
BASELINE = Tuning(
    title_boost=1.0,
    bm25_b=0.75,
    bm25_k1=1.2,
    fusion="convex",
    alpha=0.5,
    normalization="minmax",
    fusion_level="document",
    term_coverage_weight=0.0,
)
TIE_TOLERANCE = 0.003  # nDCG@10 differences below this on train are noise (about 1 query in 300)


def collect(service: SearchService, queries: dict[str, str], mode: str) -> dict[str, Hits]:
    """Per query: the chunk scores of each retriever, as the service retrieves them."""
    hits = {}
    for query_id, text in queries.items():
        request = SearchRequest(query=text[:1000], mode=mode, k=100, passages=1, highlight=False)
        hits[query_id] = service.retrieve(request, service.parser.parse(request.query), request.filters)
    return hits


def evaluate(hits: dict[str, Hits], chunk_doc, qrels, mode: str, tuning: Tuning) -> dict[str, float]:
    run = {}
    for query_id, found in hits.items():
        ranked = found.ranked(chunk_doc, mode, tuning)[:100]
        run[query_id] = {doc.doc_id: float(100 - i) for i, doc in enumerate(ranked)}
    return score({q: qrels[q] for q in hits}, run)[0]


def sweep_keyword(archive, train, chunk_doc, qrels, log) -> tuple[Tuning, list]:
    """Coordinate search: title boost first, then b x k1 with the best boost."""
    rows = []
    best, best_score = BASELINE, -1.0

    def trial(tuning):
        nonlocal best, best_score
        figures = evaluate(
            collect(SearchService(archive, tuning), train, "keyword"), chunk_doc, qrels, "keyword", tuning
        )
        rows.append(
            {"title_boost": tuning.title_boost, "bm25_b": tuning.bm25_b, "bm25_k1": tuning.bm25_k1, **figures}
        )
        log(f"keyword {rows[-1]}")
        if figures["ndcg@10"] > best_score:
            best, best_score = tuning, figures["ndcg@10"]

    for boost in KEYWORD_GRID["title_boost"]:
        trial(replace(BASELINE, title_boost=boost))
    boost = best.title_boost
    for b, k1 in itertools.product(KEYWORD_GRID["bm25_b"], KEYWORD_GRID["bm25_k1"]):
        if (b, k1) != (BASELINE.bm25_b, BASELINE.bm25_k1):
            trial(replace(BASELINE, title_boost=boost, bm25_b=b, bm25_k1=k1))
    return best, rows


def sweep_sentences(hits, chunk_doc, qrels, base: Tuning, log) -> tuple[Tuning, list]:
    """The semantic side on its own: how much of a chunk's score comes from its best sentence."""
    rows = []
    for weight in SENTENCE_WEIGHTS:
        figures = evaluate(hits, chunk_doc, qrels, "semantic", replace(base, sentence_weight=weight))
        rows.append({"sentence_weight": weight, **figures})
        log(f"semantic {rows[-1]}")
    best = max(rows, key=lambda row: row["ndcg@10"])
    return replace(base, sentence_weight=best["sentence_weight"]), rows


def sweep_fusion(hits, chunk_doc, qrels, base: Tuning, dev, log) -> tuple[Tuning, list]:
    """Every fusion configuration on train; the best one, near-ties broken on the sample collection."""
    rows, tunings = [], []
    for aggregation, weight in AGGREGATIONS:
        configs = [("convex", norm, alpha, 60) for norm in NORMALISATIONS for alpha in ALPHAS]
        configs += [("rrf", "minmax", 0.5, k) for k in RRF_KS]
        for fusion, norm, alpha, rrf_k in configs:
            tuning = replace(
                base,
                aggregation="max" if aggregation == "chunk" else aggregation,
                fusion_level="chunk" if aggregation == "chunk" else "document",
                second_weight=weight,
                fusion=fusion,
                normalization=norm,
                alpha=alpha,
                rrf_k=rrf_k,
            )
            figures = evaluate(hits, chunk_doc, qrels, "hybrid", tuning)
            rows.append(
                {
                    "aggregation": aggregation,
                    "second_weight": weight,
                    "fusion": fusion,
                    "normalization": norm,
                    "alpha": alpha,
                    "rrf_k": rrf_k,
                    **figures,
                    "sample_success@1": dev(tuning),
                }
            )
            tunings.append(tuning)
        log(f"fusion sweep done for {aggregation} {weight}")
    return _choose(tunings, rows), rows


def sweep_term_coverage(hits, chunk_doc, qrels, base: Tuning, dev, log) -> tuple[Tuning, list]:
    """Term coverage as a third signal of the chosen convex fusion: its weight x alpha on train."""
    if base.fusion != "convex":  # reciprocal rank fusion has no score to add it to
        return base, []
    rows, tunings = [], []
    for weight in TERM_COVERAGE_WEIGHTS:
        for alpha in ALPHAS:
            tuning = replace(base, term_coverage_weight=weight, alpha=alpha)
            figures = evaluate(hits, chunk_doc, qrels, "hybrid", tuning)
            rows.append({"term_coverage": weight, "alpha": alpha, **figures, "sample_success@1": dev(tuning)})
            tunings.append(tuning)
        log(f"term coverage {weight}: best train nDCG@10 {max(r['ndcg@10'] for r in rows[-len(ALPHAS) :])}")
    return _choose(tunings, rows), rows


def _choose(tunings: list[Tuning], rows: list[dict]) -> Tuning:
    """The best train nDCG@10; among configurations tied with it, the best on the sample collection."""
    top = max(row["ndcg@10"] for row in rows)
    near = [i for i, row in enumerate(rows) if row["ndcg@10"] >= top - TIE_TOLERANCE]
    return tunings[max(near, key=lambda i: (rows[i]["sample_success@1"], rows[i]["ndcg@10"]))]


def sample_collection(root: Path, tuning: Tuning, log):
    """A scorer: share of the sample collection's fixture queries whose expected document is first."""
    settings = Settings.from_env(root)
    with Archive(settings, write=True) as archive:
        Ingestor(archive).run([str(corpus_queries.CORPUS)])
        archive.embed_missing()  # an archive made by an older version: its sentence vectors
    archive = Archive(settings)
    service = SearchService(archive, tuning)
    cases = corpus_queries.cases()
    hits = []
    for _, query, expected in cases:
        request = SearchRequest(query=query, mode="hybrid", k=10)
        found = service.retrieve(request, service.parser.parse(query), request.filters)
        chunk_doc = archive.catalog.chunk_documents(list(found.keyword.keys() | found.semantic.keys()))
        hits.append((found, chunk_doc, expected))
    log(f"sample collection: {len(cases)} queries")

    def success(candidate: Tuning) -> float:
        first = 0
        for found, chunk_doc, expected in hits:
            ranked = found.ranked(chunk_doc, "hybrid", candidate)
            first += bool(ranked) and ranked[0].doc_id == expected
        return round(first / len(hits), 4)

    return success


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--beir", default=str(ROOT.parent / "shared/data/beir-scifact"))
    parser.add_argument("--data", default=str(ROOT / "bench/work/scifact"))
    parser.add_argument("--out", default=str(ROOT / "docs/QUALITY.md"))
    parser.add_argument(
        "--reuse-keyword-sweep",
        action="store_true",
        help="Take the BM25 sweep from the last bench/quality.json (it takes ~15 minutes).",
    )
    args = parser.parse_args()
    started = time.time()

    def log(message):
        print(f"[{time.time() - started:7.1f}s] {message}", flush=True)

    settings = Settings.from_env(args.data)
    train, test = load_beir(args.beir, "train"), load_beir(args.beir, "test")
    with Archive(settings, write=True) as archive:
        ingest_collection(archive, train)
    with Archive(settings) as archive:
        passages = archive.catalog.passages(sorted(archive.catalog.chunk_ids()))
        chunk_doc = {chunk_id: row["external_id"] for chunk_id, row in passages.items()}
        if args.reuse_keyword_sweep:
            keyword_rows = json.loads((ROOT / "bench" / "quality.json").read_text())["keyword_sweep"]
            top = max(keyword_rows, key=lambda row: row["ndcg@10"])
            keyword_best = replace(
                BASELINE, title_boost=top["title_boost"], bm25_b=top["bm25_b"], bm25_k1=top["bm25_k1"]
            )
        else:
            keyword_best, keyword_rows = sweep_keyword(archive, train.queries, chunk_doc, train.qrels, log)
        service = SearchService(archive, keyword_best)
        train_hits = collect(service, train.queries, "hybrid")
        semantic_best, sentence_rows = sweep_sentences(train_hits, chunk_doc, train.qrels, keyword_best, log)
        dev = sample_collection(Path(args.data).parent / "sample", semantic_best, log)
        fused_best, fusion_rows = sweep_fusion(train_hits, chunk_doc, train.qrels, semantic_best, dev, log)
        best, coverage_rows = sweep_term_coverage(train_hits, chunk_doc, train.qrels, fused_best, dev, log)
        test_hits = collect(service, test.queries, "hybrid")
        test_keyword = collect(service, test.queries, "keyword")
        test_semantic = collect(service, test.queries, "semantic")
        baseline = BASELINE
        passage_only = replace(best, sentence_weight=0.0)
        final = {
            "keyword": evaluate(test_keyword, chunk_doc, test.qrels, "keyword", best),
            "semantic": evaluate(test_semantic, chunk_doc, test.qrels, "semantic", best),
            "hybrid": evaluate(test_hits, chunk_doc, test.qrels, "hybrid", best),
            "hybrid (rrf, k=60)": evaluate(
                test_hits, chunk_doc, test.qrels, "hybrid", replace(best, fusion="rrf", rrf_k=60)
            ),
            "hybrid (without term coverage)": evaluate(
                test_hits, chunk_doc, test.qrels, "hybrid", fused_best
            ),
            "semantic (passage vector only)": evaluate(
                test_semantic, chunk_doc, test.qrels, "semantic", passage_only
            ),
            "hybrid (passage vector only)": evaluate(
                test_hits, chunk_doc, test.qrels, "hybrid", passage_only
            ),
            "keyword (untuned BM25F)": evaluate(
                collect(SearchService(archive, baseline), test.queries, "keyword"),
                chunk_doc,
                test.qrels,
                "keyword",
                baseline,
            ),
        }
        train_final = {
            "keyword": evaluate(train_hits, chunk_doc, train.qrels, "keyword", best),
            "semantic": evaluate(train_hits, chunk_doc, train.qrels, "semantic", best),
            "hybrid": evaluate(train_hits, chunk_doc, train.qrels, "hybrid", best),
        }
        model = archive.manifest.model
    results = {
        "dataset": train.name,
        "train_queries": len(train.queries),
        "test_queries": len(test.queries),
        "model": model,
        "chunking": settings.chunking.as_dict(),
        "chosen": asdict(best),
        "keyword_sweep": keyword_rows,
        "sentence_sweep": sentence_rows,
        "fusion_sweep": fusion_rows,
        "term_coverage_sweep": coverage_rows,
        "train": train_final,
        "test": final,
        "seconds": round(time.time() - started, 1),
    }
    (ROOT / "bench" / "quality.json").write_text(json.dumps(results, indent=1))
    Path(args.out).write_text(render(results))
    log(f"wrote {args.out}")


def render(results: dict) -> str:
    from bench.quality_report import load_floor, render_markdown

    return render_markdown(results, load_floor())


if __name__ == "__main__":
    main()
