"""From chunk hits to ranked documents: aggregation per document, then fusion. Pure functions.

Both retrievers score chunks. A document's score from one retriever comes from its chunks'
scores (`aggregate`); the two document scores are then fused (`fuse`). Passages inside a document
are ordered by their own fused chunk score. Ties are broken by id, so rankings never change from
run to run. `docs/QUALITY.md` shows how the defaults below were chosen (on SciFact train).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from indexer import fusion

Scores = dict[int, float]


@dataclass(frozen=True)
class Tuning:
    fusion: str = "convex"  # convex | rrf
    alpha: float = 0.65  # convex: weight of the semantic side
    # minmax | zscore | bound (keyword / its query's score bound, cosine as is) | coverage (minmax,
    # the keyword side scaled by its best score / the query's score bound)
    normalization: str = "bound"
    rrf_k: int = 60
    fusion_level: str = "chunk"  # document: fuse per-document scores | chunk: fuse chunk scores
    aggregation: str = "max"  # max | top2 (best chunk plus `second_weight` x the second best)
    second_weight: float = 0.0
    candidates: int = 200  # chunks taken from each retriever
    title_boost: float = 0.5
    phrase_boost: float = 0.0  # short queries: weight of the words standing together
    name_variants: bool = True  # widen capitalised (or unknown) terms to their spelling variants
    bm25_b: float = 0.5
    bm25_k1: float = 0.9
    bm25_idf: str = "whoosh"  # whoosh: log(N / (df + 1)) + 1 | rsj: Lucene's (indexer/bm25.py)
    term_coverage_weight: float = 0.2  # convex fusion: weight of a passage's term coverage
    sentence_weight: float = 0.5  # semantic side: share of the chunk's best sentence in its score
    # Relevance floors (docs/QUALITY.md, "Relevance floor"): a document whose score in the mode is
    # below its floor is not a match but "closest by meaning, weak". None: no floor. Keyword mode
    # and hybrid queries with operators need none (every result holds the asked words).
    hybrid_floor: float | None = 0.27
    semantic_floor: float | None = 0.36
    # Long questions (issue 19, docs/QUALITY.md): a query with at least `long_query_words` distinct
    # words (0: none) is ranked with `long_query`'s settings instead
    long_query_words: int = 14
    long_query: tuple[tuple[str, object], ...] = (("bm25_idf", "rsj"),)

    def for_query(self, words: int) -> Tuning:
        """The settings for a query of `words` distinct words."""
        if self.long_query_words and words >= self.long_query_words:
            return replace(self, **dict(self.long_query))
        return self


@dataclass
class RankedDocument:
    doc_id: str
    score: float
    chunks: list[tuple[int, float]]  # (chunk id, fused chunk score), best first


def aggregate(chunk_scores: Scores, chunk_doc: dict[int, str], tuning: Tuning) -> dict[str, float]:
    """A document's score from its chunks' scores."""
    per_doc: dict[str, list[float]] = defaultdict(list)
    for chunk, score in chunk_scores.items():
        if chunk in chunk_doc:
            per_doc[chunk_doc[chunk]].append(score)
    result = {}
    for doc, scores in per_doc.items():
        scores.sort(reverse=True)
        second = scores[1] if len(scores) > 1 and tuning.aggregation == "top2" else 0.0
        result[doc] = scores[0] + tuning.second_weight * second
    return result


def fuse(
    keyword: dict,
    semantic: dict,
    mode: str,
    tuning: Tuning,
    keyword_bound: float = 0.0,
    term_coverage: Scores | None = None,
) -> list[tuple]:
    """Items ranked by the mode's score: one retriever's, or both fused."""
    if mode == "keyword":
        return _sorted(keyword)
    if mode == "semantic":
        return _sorted(semantic)
    if tuning.fusion == "rrf":
        return fusion.rrf([_sorted(keyword), _sorted(semantic)], k=tuning.rrf_k)
    fused = _convex(keyword, semantic, tuning, keyword_bound)
    if not (tuning.term_coverage_weight and term_coverage):
        return fused
    weight = tuning.term_coverage_weight  # a third signal: how much of the query's wording it holds
    return _sorted({item: score + weight * term_coverage.get(item, 0.0) for item, score in fused})


def _convex(keyword: dict, semantic: dict, tuning: Tuning, keyword_bound: float) -> list[tuple]:
    if tuning.normalization == "bound":
        scale = keyword_bound or max(keyword.values(), default=1.0) or 1.0
        keyword = {item: min(1.0, score / scale) for item, score in keyword.items()}
        return fusion.weighted(keyword, semantic, tuning.alpha)
    if tuning.normalization == "coverage":
        # min-max, keyword side scaled by how much of the query its best match holds: a question
        # whose words barely occur anywhere keeps its weak keyword evidence weak
        coverage = min(1.0, max(keyword.values(), default=0.0) / keyword_bound) if keyword_bound else 1.0
        keyword = {item: coverage * score for item, score in fusion.normalise(_sorted(keyword)).items()}
        return fusion.weighted(keyword, fusion.normalise(_sorted(semantic)), tuning.alpha)
    return fusion.convex(_sorted(keyword), _sorted(semantic), tuning.alpha, tuning.normalization)


def rank(
    keyword: Scores,
    semantic: Scores,
    chunk_doc: dict[int, str],
    mode: str,
    tuning: Tuning,
    keyword_bound: float = 0.0,
    term_coverage: Scores | None = None,
) -> list[RankedDocument]:
    """Documents best first, each with its chunks ordered by fused chunk score."""
    chunk_order = fuse(keyword, semantic, mode, tuning, keyword_bound, term_coverage)
    chunks_by_doc: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for chunk, score in chunk_order:
        if chunk in chunk_doc:
            chunks_by_doc[chunk_doc[chunk]].append((chunk, score))
    if tuning.fusion_level == "chunk":  # a document ranks by its best fused chunk
        documents = [(doc, chunks[0][1]) for doc, chunks in chunks_by_doc.items()]
        documents.sort(key=lambda pair: (-pair[1], pair[0]))
    else:  # fuse per-document scores, each aggregated from that retriever's chunk scores
        documents = fuse(
            aggregate(keyword, chunk_doc, tuning),
            aggregate(semantic, chunk_doc, tuning),
            mode,
            tuning,
            keyword_bound,
            aggregate(term_coverage or {}, chunk_doc, replace(tuning, aggregation="max")),
        )
    return [RankedDocument(doc, score, chunks_by_doc[doc]) for doc, score in documents if chunks_by_doc[doc]]


def floor_for(mode: str, tuning: Tuning, strict: bool = False) -> float | None:
    """The score a document needs in `mode` to count as a match (None: every ranked one does)."""
    if mode == "semantic":
        return tuning.semantic_floor
    if mode == "hybrid" and not strict:
        return tuning.hybrid_floor
    return None


def matches(ranked: list[RankedDocument], floor: float | None) -> int:
    """How many of the ranked documents (best first) reach the floor."""
    if floor is None:
        return len(ranked)
    return sum(1 for document in ranked if document.score >= floor)


def _sorted(scores: dict) -> list[tuple]:
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
