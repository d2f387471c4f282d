"""docs/QUALITY.md from the sweep's results (bench/quality.json) and the relevance floor's
measurement (bench/floor.json, written by `python -m bench.floor`)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import long_questions

FLOOR_RESULTS = Path(__file__).resolve().parent / "floor.json"

REFERENCE = [
    ("plain Whoosh BM25F, whole documents", 0.655),
    ("well-tuned BM25 (Lucene-style), whole documents", 0.679),
    ("all-MiniLM-L6-v2 alone, whole documents", 0.645),
    ("reciprocal rank fusion of the two", 0.715),
    ("normalized convex fusion, weight tuned on train", 0.730),
    ("txtai 9.14 built-in hybrid", 0.652),
]


def _figures_table(figures: dict) -> list[str]:
    lines = ["| mode | nDCG@10 | Recall@100 | MRR@10 |", "|---|---:|---:|---:|"]
    for mode, row in figures.items():
        lines.append(f"| {mode} | {row['ndcg@10']:.4f} | {row['recall@100']:.4f} | {row['mrr@10']:.4f} |")
    return lines


def _term_coverage_section(results: dict) -> list[str]:
    """Best alpha per term-coverage weight, and the chosen weight's row."""
    lines = [
        "",
        "## Term coverage: a third signal in the fusion (train nDCG@10)",
        "",
        "With the fusion chosen above, the fused score of a passage gains w x its term coverage: the",
        "share of the query's distinct words it contains, each weighted by its idf (Robertson-Sparck",
        "Jones: near zero for a word most passages hold), however often it occurs. BM25 saturates",
        "with term frequency and the vector side blurs exact words; coverage says whether the",
        "question's rare words are there at all. Weight x alpha swept on train and chosen by the same",
        "tie rule; below, the best alpha for each weight. Its effect on the test split: `hybrid`",
        "against `hybrid (without term coverage)` in the first table.",
        "",
        "| w (term coverage) | best alpha | nDCG@10 | Recall@100 | MRR@10 | sample@1 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    best: dict[float, dict] = {}
    for row in results.get("term_coverage_sweep", []):
        weight = row["term_coverage"]
        if weight not in best or row["ndcg@10"] > best[weight]["ndcg@10"]:
            best[weight] = row
    for weight, row in best.items():
        lines.append(
            f"| {weight} | {row['alpha']} | {row['ndcg@10']:.4f} | {row['recall@100']:.4f} | "
            f"{row['mrr@10']:.4f} | {row['sample_success@1']:.3f} |"
        )
    return lines


def _floor_section(floor: dict | None) -> list[str]:
    """How the relevance floor was chosen, and what it costs and buys (bench/floor.json)."""
    if not floor:
        return []
    lines = [
        "",
        "## Relevance floor: an honest no match",
        "",
        "Hybrid and semantic search score every document, so without a floor every query, even",
        "`xylophone quasar zebrafish`, lists the whole archive. A document whose score in the mode",
        "(hybrid: the fused score of its best passage; semantic: its best passage's cosine, mixed with",
        "its closest sentence's) is below the mode's floor is not a match: the count says how many",
        'documents match, and the ones below are listed apart as "closest by meaning, weak" (JSON:',
        "`weak_results`, `weak_total`; the ranking itself is unchanged, so `archive eval` scores the",
        "same list). Keyword mode, and hybrid queries with operators, need no floor: every result holds",
        "the words asked for.",
        "",
        "Measured by `python -m bench.floor --corpus-data DIR --scifact-data DIR` (bench/floor.json).",
        "Method: every query runs once without a floor; its ten best documents and their scores are",
        "kept, and each floor on a grid of 0.01 keeps those at or above it. Real queries: recall@10 on",
        f"{floor['dataset']} **{floor['split']}** ({floor['scifact_queries']} queries, qrels) and on the",
        "sample collection's hand-written queries (tests/fixtures/corpus_queries.json over corpus/ plus",
        "the seed article; semantic mode counts the questions and paraphrases, the groups written for",
        f"it). Nonsense: {floor['nonsense_queries']} queries neither archive can answer (random word",
        "triples and questions on absent subjects: tests/fixtures/nonsense_queries.json), run on both",
        "archives; the figure is the share left with no result. The floor chosen is the highest whose",
        f"recall@10 stays within {floor['max_recall_loss']:.0%} (relative) of the recall without it,",
        "on both real query sets.",
        "",
        "| mode | floor | SciFact train R@10 (no floor → floor) | sample R@10 | "
        "nonsense with 0 results: sample archive | SciFact |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for mode, figures in floor["modes"].items():
        base, row = figures["baseline"], figures["chosen"]
        lines.append(
            f"| {mode} | {row['floor']:.2f} | "
            f"{base['scifact_recall@10']:.4f} → {row['scifact_recall@10']:.4f} | "
            f"{base['sample_recall@10']:.4f} → {row['sample_recall@10']:.4f} | "
            f"{row['nonsense_empty_corpus']:.0%} | {row['nonsense_empty_scifact']:.0%} |"
        )
    lines += [
        "",
        "On the sample archive the target is met: 0 results for 98 % of the nonsense queries at no",
        "recall@10 cost. On SciFact fewer come back empty: its 5,183 abstracts are a broad biomedical",
        "collection (19 mention zebrafish) and off-topic questions there still meet passages about",
        "diet, exercise or disease at a fused score near the relevant ones; a floor that empties 90 %",
        "of them there costs 2-3 % of SciFact recall@10 (below). The floors are scores of the current",
        "ranking settings: re-run `bench.floor` after changing `Tuning` or the model.",
        "",
        "The trade-off around the chosen floors:",
        "",
    ]
    lines += ["| mode | floor | SciFact R@10 | sample R@10 | nonsense empty (sample) | (SciFact) |"]
    lines += ["|---|---:|---:|---:|---:|---:|"]
    for mode, figures in floor["modes"].items():
        chosen = figures["chosen"]["floor"]
        for row in figures["sweep"]:
            if abs(row["floor"] - chosen) <= 0.1 + 1e-9 and round(row["floor"] * 100) % 2 == 0:
                lines.append(
                    f"| {mode} | {row['floor']:.2f} | {row['scifact_recall@10']:.4f} | "
                    f"{row['sample_recall@10']:.4f} | {row['nonsense_empty_corpus']:.0%} | "
                    f"{row['nonsense_empty_scifact']:.0%} |"
                )
    return lines


def load_floor() -> dict | None:
    return json.loads(FLOOR_RESULTS.read_text()) if FLOOR_RESULTS.is_file() else None


def render_markdown(results: dict, floor: dict | None = None) -> str:
    chosen = results["chosen"]
    lines = [
        "# Search quality",
        "",
        "Generated by `python -m bench.quality_sweep` (do not edit by hand). Every choice below was made on",
        f"the **train** split of {results['dataset']} ({results['train_queries']} queries); "
        f"the **test** split ({results['test_queries']} queries) is only scored.",
        f"Model: {results['model']['name']} ({results['model'].get('precision')}), chunks of about "
        f"{results['chunking']['target_words']} words with {results['chunking']['overlap_words']} words of "
        f"overlap; the sweep took {results['seconds'] / 60:.0f} minutes.",
        "",
        "## Test split, chosen defaults",
        "",
        *_figures_table(results["test"]),
        "",
        "## Train split, chosen defaults",
        "",
        *_figures_table(results["train"]),
        "",
        "## Chosen defaults (`archive/ranking.py` `Tuning`)",
        "",
        "| setting | value |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in chosen.items()],
        "",
        "## Keyword retrieval: BM25F over chunks (train nDCG@10)",
        "",
        "Title boost first (b=0.75, k1=1.2), then b x k1 with the best boost.",
        "",
        "| title boost | b | k1 | nDCG@10 | Recall@100 | MRR@10 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in results["keyword_sweep"]:
        lines.append(
            f"| {row['title_boost']} | {row['bm25_b']} | {row['bm25_k1']} | {row['ndcg@10']:.4f} | "
            f"{row['recall@100']:.4f} | {row['mrr@10']:.4f} |"
        )
    lines += [
        "",
        "## Semantic retrieval: the passage's vector and its best sentence's (train)",
        "",
        "A chunk's semantic score is (1 - w) x the cosine of its own vector + w x the cosine of its",
        "sentence closest to the query (each sentence, and the document's title as one more, embedded",
        "on its own at ingest). Chosen by the semantic side's own train nDCG@10, before fusion, as the",
        "BM25 settings are chosen by the keyword side's.",
        "",
        "| w (best sentence) | nDCG@10 | Recall@100 | MRR@10 |",
        "|---:|---:|---:|---:|",
    ]
    for row in results.get("sentence_sweep", []):
        lines.append(
            f"| {row['sentence_weight']} | {row['ndcg@10']:.4f} | {row['recall@100']:.4f} | "
            f"{row['mrr@10']:.4f} |"
        )
    lines += [
        "",
        "## From chunks to documents, and fusion (train nDCG@10)",
        "",
        "Either the chunk scores are fused and a document ranks by its best fused chunk (`chunks fused`),",
        "or each retriever first scores documents, by their best chunk (`max`) or the best plus a share of",
        "the second best (`top2`), and those document scores are fused. Best configuration of each kind:",
        "",
        "`sample@1`: share of the sample collection's 65 hand-written queries (news, statements,",
        "paraphrased questions) whose expected document ranks first. Configurations within 0.003 of the",
        "best train nDCG@10 count as tied; among them the best `sample@1` is chosen.",
        "",
        "| aggregation | fusion | normalisation | alpha / k | nDCG@10 | Recall@100 | MRR@10 | sample@1 |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    best_rows: dict[tuple, dict] = {}
    for row in results["fusion_sweep"]:
        key = (row["aggregation"], row["second_weight"], row["fusion"], row["normalization"])
        if key not in best_rows or row["ndcg@10"] > best_rows[key]["ndcg@10"]:
            best_rows[key] = row
    for (aggregation, weight, fusion, norm), row in sorted(
        best_rows.items(), key=lambda kv: -kv[1]["ndcg@10"]
    ):
        knob = f"k={row['rrf_k']}" if fusion == "rrf" else f"alpha={row['alpha']}"
        agg = {"chunk": "none: chunks fused", "max": "max"}.get(aggregation, f"top2 ({weight})")
        lines.append(
            f"| {agg} | {fusion} | {norm if fusion == 'convex' else '-'} | {knob} | "
            f"{row['ndcg@10']:.4f} | {row['recall@100']:.4f} | {row['mrr@10']:.4f} | "
            f"{row.get('sample_success@1', 0):.3f} |"
        )
    chosen_aggregation = "chunk" if chosen["fusion_level"] == "chunk" else chosen["aggregation"]
    lines += [
        "",
        f"Convex fusion ({chosen_aggregation}) with {chosen['normalization']} "
        "normalisation, by semantic weight alpha (0 = keyword only, 1 = semantic only):",
        "",
        "| alpha | nDCG@10 | Recall@100 | sample@1 |",
        "|---:|---:|---:|---:|",
    ]
    for row in results["fusion_sweep"]:
        if (row["aggregation"], row["second_weight"], row["fusion"], row["normalization"]) == (
            chosen_aggregation,
            chosen["second_weight"],
            "convex",
            chosen["normalization"],
        ):
            lines.append(
                f"| {row['alpha']} | {row['ndcg@10']:.4f} | {row['recall@100']:.4f} | "
                f"{row.get('sample_success@1', 0):.3f} |"
            )
    lines += _term_coverage_section(results)
    lines += _floor_section(floor)
    lines += long_questions.section()
    lines += [
        "",
        "## Reference points (measured on this machine on the same test split, whole documents)",
        "",
        "| system | nDCG@10 |",
        "|---|---:|",
        *[f"| {name} | {value:.3f} |" for name, value in REFERENCE],
        "",
    ]
    return "\n".join(lines)
