"""Plain baselines beside the archive's own figures: what a well-configured textbook system scores
on the same collection, so anyone can see on their own data whether the archive beats it.

- `bm25`: Lucene BM25 (bm25s, k1 1.2, b 0.75), English stop words, Snowball stemmer (PyStemmer),
  title and text as one field, whole documents;
- `minilm`: the archive's embedding model alone, one vector per whole document (title and text,
  as far as the model reads), cosine to the query's vector;
- `fusion`: their convex fusion, each side min-max normalised over its top 100 per query,
  `alpha` x MiniLM + (1 - alpha) x BM25, one alpha for all queries, chosen on the collection's
  train split when it has one (else `DEFAULT_ALPHA`, an even mix).

Document vectors are kept under `<data>/baselines/`, keyed by the corpus file's sha256 and the
model's fingerprint, so a second run embeds only the queries.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from archive.files import sha256_file

DEPTH = 100
K1, B = 1.2, 0.75
ALPHAS = [round(0.05 * step, 2) for step in range(21)]
DEFAULT_ALPHA = 0.5  # an even mix, for a collection without a train split
Run = dict[str, dict[str, float]]


@dataclass
class Corpus:
    ids: list[str]
    texts: list[str]  # title and text as one field
    path: Path


def load_corpus(path: Path) -> Corpus:
    ids, texts = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                ids.append(str(record["_id"]))
                texts.append(" ".join(part for part in (record.get("title"), record.get("text")) if part))
    return Corpus(ids, texts, Path(path))


class PlainBM25:
    """Lucene BM25 over whole documents, as bm25s does it."""

    def __init__(self, corpus: Corpus):
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        self.ids = corpus.ids
        self.retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
        self.retriever.index(self._tokens(corpus.texts, ids=True), show_progress=False)

    def _tokens(self, texts: list[str], ids: bool):
        return self._bm25s.tokenize(
            texts, stopwords="en", stemmer=self.stemmer, show_progress=False, return_ids=ids
        )

    def run(self, queries: dict[str, str]) -> Run:
        if not queries:
            return {}
        depth = min(DEPTH, len(self.ids))
        docs, scores = self.retriever.retrieve(
            self._tokens(list(queries.values()), ids=False), k=depth, show_progress=False, n_threads=1
        )
        return {
            query_id: {self.ids[d]: float(s) for d, s in zip(row_docs, row_scores, strict=True) if s > 0}
            for query_id, row_docs, row_scores in zip(queries, docs, scores, strict=True)
        }


class PlainMiniLM:
    """The embedding model alone: one vector per whole document."""

    def __init__(self, corpus: Corpus, embedder, cache_dir: Path | None = None):
        self.ids = corpus.ids
        self.embedder = embedder
        self.vectors = self._document_vectors(corpus, cache_dir)

    def _document_vectors(self, corpus: Corpus, cache_dir: Path | None) -> np.ndarray:
        cache = None
        if cache_dir is not None:
            key = f"{sha256_file(corpus.path)[:16]}-{self.embedder.fingerprint}.npy"
            cache = Path(cache_dir) / key
            if cache.is_file():
                vectors = np.load(cache)
                if vectors.shape[0] == len(corpus.ids):
                    return vectors
        vectors = self.embedder.embed(corpus.texts)
        if cache is not None:  # written whole, then renamed: a reader never sees half a file
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_suffix(f".{os.getpid()}.partial.npy")
            np.save(partial, vectors)
            os.replace(partial, cache)
        return vectors

    def run(self, queries: dict[str, str]) -> Run:
        if not queries:
            return {}
        similarity = self.embedder.embed(list(queries.values())) @ self.vectors.T
        depth = min(DEPTH, len(self.ids))
        run = {}
        for query_id, row in zip(queries, similarity, strict=True):
            best = np.argpartition(-row, depth - 1)[:depth]
            run[query_id] = {self.ids[d]: float(row[d]) for d in best}
        return run


def fuse(keyword: Run, semantic: Run, alpha: float) -> Run:
    """Per query: alpha x min-max(semantic) + (1 - alpha) x min-max(keyword), over the union."""
    fused = {}
    for query_id in keyword.keys() | semantic.keys():
        left, right = _minmax(keyword.get(query_id, {})), _minmax(semantic.get(query_id, {}))
        scores = {
            doc: (1 - alpha) * left.get(doc, 0.0) + alpha * right.get(doc, 0.0)
            for doc in left.keys() | right.keys()
        }
        fused[query_id] = dict(sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:DEPTH])
    return fused


def _minmax(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {doc: (score - low) / span if span else 1.0 for doc, score in scores.items()}


def best_alpha(keyword: Run, semantic: Run, ndcg: Callable[[Run], float]) -> float:
    """The alpha with the best nDCG@10 (ties to the smaller alpha)."""
    return max(ALPHAS, key=lambda alpha: (round(ndcg(as_ranks(fuse(keyword, semantic, alpha))), 6), -alpha))


def as_ranks(run: Run) -> Run:
    """Scores replaced by rank-preserving ones (ties ordered by id, as the archive orders them):
    trec_eval would otherwise order tied documents by descending id."""
    ranked = {}
    for query_id, scores in run.items():
        order = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
        ranked[query_id] = {doc: float(len(order) - rank) for rank, (doc, _) in enumerate(order)}
    return ranked


def baseline_figures(folder: Path, split: str, embedder, cache_dir: Path | None = None) -> dict:
    """nDCG@10, Recall@100 and MRR@10 of each baseline on the split, the fusion's alpha chosen on
    the train split when the collection has one (`alpha_from` says which)."""
    from archive.evaluation import load_beir, score

    data = load_beir(folder, split)
    corpus = load_corpus(data.corpus)
    bm25, minilm = PlainBM25(corpus), PlainMiniLM(corpus, embedder, cache_dir)
    alpha, alpha_from = DEFAULT_ALPHA, "default"
    if (Path(folder) / "qrels" / "train.tsv").is_file():
        train = load_beir(folder, "train")
        keyword, semantic = bm25.run(train.queries), minilm.run(train.queries)
        alpha = best_alpha(keyword, semantic, lambda run: score(train.qrels, run)[0]["ndcg@10"])
        alpha_from = "train"
    keyword, semantic = bm25.run(data.queries), minilm.run(data.queries)
    fused = fuse(keyword, semantic, alpha)
    return {
        "bm25": score(data.qrels, as_ranks(keyword))[0],
        "minilm": score(data.qrels, as_ranks(semantic))[0],
        "fusion": {**score(data.qrels, as_ranks(fused))[0], "alpha": alpha, "alpha_from": alpha_from},
    }
