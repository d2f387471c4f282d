"""`archive eval --baselines`: plain BM25, MiniLM alone and their convex fusion, checked against
figures worked out by hand on tiny collections written here, and the command end to end."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from archive.baselines import PlainBM25, PlainMiniLM, best_alpha, fuse, load_corpus
from archive.cli import cli
from archive.evaluation import score
from indexer.embedder import shared_embedder

DOCS = {  # after English stop words and the Snowball stemmer (title and text are one field):
    "g": ("Glaciers", "The glacier retreated."),  # glacier glacier retreat: 3 terms
    "o": ("Orchards", "Apricot orchards flowered."),  # orchard apricot orchard flower: 4
    "f": ("Ferries", "The ferry was cancelled."),  # ferri ferri cancel: 3
}


def write_beir(folder, docs, queries, qrels: dict[str, dict[str, str]]):
    (folder / "qrels").mkdir(parents=True)
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as handle:
        for doc_id, (title, text) in docs.items():
            handle.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
    with open(folder / "queries.jsonl", "w", encoding="utf-8") as handle:
        for query_id, text in queries.items():
            handle.write(json.dumps({"_id": query_id, "text": text}) + "\n")
    for split, pairs in qrels.items():
        rows = "".join(f"{q}\t{d}\t1\n" for q, d in pairs.items())
        (folder / "qrels" / f"{split}.tsv").write_text("query-id\tcorpus-id\tscore\n" + rows)
    return folder


def lucene(tf: float, df: int, length: int, count: int = 3, average: float = 10 / 3) -> float:
    """Lucene's BM25 (k1 1.2, b 0.75), written out."""
    idf = math.log(1 + (count - df + 0.5) / (df + 0.5))
    return idf * tf / (tf + 1.2 * (0.25 + 0.75 * length / average))


def test_plain_bm25_scores_whole_documents_as_lucene_does(tmp_path):
    folder = write_beir(tmp_path / "tiny", DOCS, {}, {})
    bm25 = PlainBM25(load_corpus(folder / "corpus.jsonl"))
    run = bm25.run({"1": "glacier", "2": "The glaciers", "3": "ferries and apricots", "4": "zebra"})
    assert run["1"] == pytest.approx({"g": lucene(2, 1, 3)})  # title and text count as one field
    assert run["2"] == run["1"]  # stop word dropped, plural stemmed
    assert run["3"] == pytest.approx({"f": lucene(2, 1, 3), "o": lucene(1, 1, 4)})
    assert run["4"] == {}  # no word of the query in the corpus: nothing, not zero-scored documents


def test_fusion_min_max_normalises_each_side_then_mixes_by_alpha():
    keyword = {"q": {"a": 3.0, "b": 1.0, "c": 2.0}}
    semantic = {"q": {"b": 0.9, "d": 0.5}}
    fused = fuse(keyword, semantic, 0.25)["q"]
    # keyword a 1, c 0.5, b 0; semantic b 1, d 0
    assert fused == pytest.approx({"a": 0.75, "c": 0.375, "b": 0.25, "d": 0.0})
    assert list(fused) == ["a", "c", "b", "d"]
    assert fuse({"q": {"a": 2.0}}, {}, 0.5) == {"q": {"a": 0.5}}  # one score: normalised to 1


def test_best_alpha_is_the_smallest_that_ranks_best():
    qrels = {"q": {"r": 1}}
    keyword, semantic = {"q": {"a": 2.0, "r": 1.0}}, {"q": {"r": 0.9, "a": 0.1}}
    # fused: r = alpha, a = 1 - alpha; r first only above 0.5 (a tie at 0.5 goes to "a" by id)
    assert best_alpha(keyword, semantic, lambda run: score(qrels, run)[0]["ndcg@10"]) == 0.55


def test_plain_minilm_embeds_whole_documents_once(tmp_path):
    folder = write_beir(tmp_path / "tiny", DOCS, {}, {})
    corpus = load_corpus(folder / "corpus.jsonl")
    embedder = shared_embedder()
    minilm = PlainMiniLM(corpus, embedder, tmp_path / "cache")
    run = minilm.run({"1": "a river of ice melting", "2": "a boat crossing the sea"})
    assert max(run["1"], key=run["1"].get) == "g" and max(run["2"], key=run["2"].get) == "f"
    assert set(run["1"]) == set(DOCS)  # three documents: all of them, with their cosines
    vectors = embedder.embed([f"{title} {text}" for title, text in DOCS.values()])
    assert run["1"]["o"] == pytest.approx(
        float(embedder.embed(["a river of ice melting"])[0] @ vectors[1]), abs=1e-5
    )
    cached = list((tmp_path / "cache").iterdir())
    assert len(cached) == 1 and embedder.fingerprint in cached[0].name
    stamp = cached[0].stat().st_mtime_ns
    again = PlainMiniLM(corpus, embedder, tmp_path / "cache")
    assert again.run({"1": "a river of ice melting"})["1"] == pytest.approx(run["1"])
    assert cached[0].stat().st_mtime_ns == stamp  # read back, not embedded and written again


def test_eval_baselines_end_to_end(tmp_path):
    docs = {
        **DOCS,
        "z": ("Zebras", "A zebra herd crossed the river at dawn."),
        "b": ("Bridges", "Engineers inspected the suspension bridge after the earthquake."),
    }
    queries = {"1": "glacier", "2": "apricot", "3": "ferry", "4": "zebra", "5": "bridge cables"}
    qrels = {"test": {"1": "g", "2": "o", "3": "f", "4": "b"}, "train": {"5": "b"}}
    folder = write_beir(tmp_path / "tiny", docs, queries, qrels)
    data = tmp_path / "data"
    runner = CliRunner()
    args = ["eval", str(folder), "--baselines", "--mode", "keyword", "--data", str(data)]
    result = runner.invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    baselines = json.loads(result.stdout)["baselines"]
    # BM25: queries 1-3 find their document alone; query 4's word is only in "z" (judged wrong)
    assert baselines["bm25"] == {"ndcg@10": 0.75, "recall@100": 0.75, "mrr@10": 0.75}
    assert baselines["minilm"]["recall@100"] == 1.0  # five documents: all come back
    assert baselines["fusion"]["alpha_from"] == "train" and 0.0 <= baselines["fusion"]["alpha"] <= 1.0
    assert baselines["fusion"]["recall@100"] == 1.0
    table = runner.invoke(cli, args, catch_exceptions=False).output
    assert "BM25 (plain)        0.7500      0.7500    0.7500" in table
    assert "MiniLM (plain)" in table and "BM25+MiniLM" in table and "chosen on the train split" in table
    assert list((data / "baselines").iterdir())  # document vectors kept for the next run
