"""`archive eval`: metrics checked against figures worked out by hand, and the command end to end
on a tiny BEIR set built here (real model, real indexes)."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from archive.cli import cli
from archive.evaluation import score

DOCS = {
    "a": ("Glaciers", "The glacier above the valley retreated forty metres last summer."),
    "b": ("Orchards", "Apricot orchards in the lowlands flowered early this spring."),
    "c": ("Ferries", "The night ferry across the strait was cancelled after a storm."),
    "d": ("Zebras", "A zebra herd crossed the river at dawn, watched by rangers."),
    "e": ("Bridges", "Engineers inspected the suspension bridge cables after the earthquake."),
    "f": ("Markets", "Spice traders reopened the covered market after the holiday."),
}
QUERIES = {"1": "glacier", "2": "apricot", "3": "ferry", "4": "zebra"}
QRELS = {"1": "a", "2": "b", "3": "c", "4": "e"}  # query 4's word is only in "d": judged wrong


def test_metrics_match_figures_worked_out_by_hand():
    qrels = {"q1": {"d1": 1, "d2": 1}, "q2": {"d5": 2}, "q3": {"d6": 1}, "q4": {"d7": 1}}
    run = {
        "q1": {"d3": 4.0, "d1": 3.0, "d4": 2.0, "d2": 1.0},  # relevant at ranks 2 and 4
        "q2": {"d5": 1.0},  # the one relevant document first
        "q3": {"d1": 1.0},  # nothing relevant found
        "q4": {f"x{i}": 100.0 - i for i in range(10)} | {"d7": 50.0},  # relevant at rank 11
    }
    means, per_query = score(qrels, run)
    ndcg_q1 = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))  # 0.6509
    assert per_query["q1"] == pytest.approx({"ndcg@10": ndcg_q1, "recall@100": 1.0, "mrr@10": 0.5})
    assert per_query["q2"] == pytest.approx({"ndcg@10": 1.0, "recall@100": 1.0, "mrr@10": 1.0})
    assert per_query["q3"] == pytest.approx({"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0})
    assert per_query["q4"] == pytest.approx({"ndcg@10": 0.0, "recall@100": 1.0, "mrr@10": 0.0})
    assert means == {
        "ndcg@10": round((ndcg_q1 + 1.0) / 4, 4),
        "recall@100": 0.75,
        "mrr@10": round(1.5 / 4, 4),
    }


@pytest.fixture()
def tiny_beir(tmp_path):
    folder = tmp_path / "tiny-beir"
    (folder / "qrels").mkdir(parents=True)
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as handle:
        for doc_id, (title, text) in DOCS.items():
            handle.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
    with open(folder / "queries.jsonl", "w", encoding="utf-8") as handle:
        for query_id, text in {**QUERIES, "9": "a query with no judgement"}.items():
            handle.write(json.dumps({"_id": query_id, "text": text}) + "\n")
    rows = [f"{q}\t{d}\t1" for q, d in QRELS.items()]
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "\n".join(rows) + "\n")
    return folder


def test_eval_command_on_a_tiny_beir_set(tiny_beir, tmp_path):
    runner = CliRunner()
    per_query_file = tmp_path / "per-query.json"
    data = tmp_path / "data"
    args = ["eval", str(tiny_beir), "--json", "--per-query", str(per_query_file), "--data", str(data)]
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["dataset"] == "tiny-beir" and summary["split"] == "test" and summary["queries"] == 4
    assert set(summary["modes"]) == {"keyword", "semantic", "hybrid"}
    # keyword: queries 1-3 find their one document first and nothing else; query 4 finds only "d"
    assert summary["modes"]["keyword"] == {"ndcg@10": 0.75, "recall@100": 0.75, "mrr@10": 0.75}
    for mode in ("semantic", "hybrid"):  # six documents: every one of them comes back
        figures = summary["modes"][mode]
        assert figures["recall@100"] == 1.0
        assert 0.75 <= figures["mrr@10"] <= 1.0 and 0 < figures["ndcg@10"] <= 1.0
    written = json.loads(per_query_file.read_text())
    assert written["queries"] == QUERIES
    assert written["figures"]["keyword"]["4"] == {"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
    assert written["figures"]["keyword"]["1"] == {"ndcg@10": 1.0, "recall@100": 1.0, "mrr@10": 1.0}
    # a second run reuses the ingested corpus and gives the same figures
    only = runner.invoke(cli, ["eval", str(tiny_beir), "--json", "--mode", "keyword", "--data", str(data)])
    assert json.loads(only.stdout)["modes"] == {"keyword": summary["modes"]["keyword"]}


def test_eval_names_what_a_folder_lacks(tmp_path):
    (tmp_path / "not-beir").mkdir()
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "not-beir"), "--data", str(tmp_path / "data")])
    assert result.exit_code == 2
    assert "not a BEIR data set" in result.output and "corpus.jsonl" in result.output
