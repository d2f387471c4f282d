"""Vectorised BM25F over Whoosh's postings, for the common query shape: words OR'ed together.

Whoosh scores one posting at a time in Python through a tree of union matchers; a question of
five common words over 100k chunks walks hundreds of thousands of postings that way (about a
second here). This module reads each term's posting list once per segment, keeps it decoded in
numpy arrays (segments never change, so the cache stays valid until a merge drops them), and
scores every matching chunk with array arithmetic: the same BM25F formula, idf, field lengths,
boosts and coordination bonus as Whoosh's `BM25F` and `Or(scale=...)`.

It handles `Term` and `Or` nodes; inside an uncoordinated `Or`, another node (a name's phrase
variant) is scored by Whoosh document by document and added in. A query of any other shape
(AND, NOT, phrases or wildcards at the top) returns None from `score_query`, and the caller lets
Whoosh evaluate it as usual.

It reads three private parts of Whoosh 2.7 (pinned): a segment reader's `_terms` and
`_perdoc`, and the raw block data of its posting matcher. `tests/indexer/test_bm25.py` checks
the scores against Whoosh's own on a real index, so an upgrade that changes them fails loudly.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from indexer.variants import VariantGroup

# Decoded postings kept in memory, across searchers (8 bytes each: int32 docnum, float32 frequency).
CACHE_POSTINGS = 12_000_000
UNIONS = (wq.Or, VariantGroup)  # scored as Whoosh's Or
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


IDFS = ("whoosh", "rsj")


def rsj_idf(count: int, frequency: int) -> float:
    """Robertson-Sparck Jones idf as Lucene computes it, ln(1 + (N - df + 0.5) / (df + 0.5)): about
    0 for a word most chunks hold, never negative."""
    return math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))


class RsjBM25F(BM25F):
    """Whoosh's BM25F with Lucene's idf. Whoosh's own, log(N / (df + 1)) + 1, never falls below 1:
    the framing words of a long question (`evidence`, `studies`, `interested`) then weigh a third
    to a half of its rare words, and documents full of them outrank those holding the subject."""

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        return rsj_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))


def weighting(idf: str, b: float, k1: float) -> BM25F:
    """The BM25F weighting for the tuning's idf (`IDFS`), b and k1."""
    if idf not in IDFS:
        raise ValueError(f"Tuning.bm25_idf must be one of {', '.join(IDFS)}, not '{idf}'")
    return (RsjBM25F if idf == "rsj" else BM25F)(B=b, K1=k1)


class Unsupported(Exception):
    """The query has a node this module does not evaluate; Whoosh does it instead."""


class PostingCache:
    """Decoded (docnums, term frequencies) per segment and term, and field lengths per segment."""

    def __init__(self, capacity: int = CACHE_POSTINGS):
        self.capacity = capacity
        self._postings: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lengths: dict[tuple[str, str], np.ndarray] = {}
        self._size = 0
        self._lock = threading.Lock()

    def postings(self, reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        key = (reader.segment().segment_id(), fieldname, btext)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        found = _read_postings(reader, fieldname, btext)
        with self._lock:
            self._postings[key] = found
            self._size += len(found[0])
            while self._size > self.capacity and len(self._postings) > 1:
                _, (ids, _) = self._postings.popitem(last=False)
                self._size -= len(ids)
        return found

    def lengths(self, reader, fieldname: str) -> np.ndarray:
        key = (reader.segment().segment_id(), fieldname)
        found = self._lengths.get(key)
        if found is None:
            column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            count = reader.doc_count_all()
            if column is None:
                codes = np.zeros(count, dtype=np.uint8)
            else:
                codes = np.fromiter((column[i] for i in range(count)), dtype=np.uint8, count=count)
            found = _BYTE_TO_LENGTH[codes]
            with self._lock:
                self._lengths[key] = found
        return found

    def keep_only(self, segment_ids: set[str]) -> None:
        """Forget segments that a merge has removed."""
        with self._lock:
            for key in [k for k in self._postings if k[0] not in segment_ids]:
                self._size -= len(self._postings.pop(key)[0])
            for key in [k for k in self._lengths if k[0] not in segment_ids]:
                del self._lengths[key]


def _read_postings(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    if (fieldname, btext) not in reader:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
    fmt = reader.schema[fieldname].format
    matcher = reader._terms.matcher(fieldname, btext, fmt)  # raw: deletions are applied later
    ids, weights = [], []
    while matcher.is_active():
        matcher._read_data()
        raw_ids = np.asarray(matcher._data[0], dtype=np.int64)
        ids.append(raw_ids if matcher._byteids else np.cumsum(raw_ids))
        matcher._read_weights()
        weights.append(np.asarray(matcher._weights, dtype=np.float32))  # Whoosh keeps float32
        matcher._next_block()
    return np.concatenate(ids).astype(np.int32), np.concatenate(weights)


@dataclass(frozen=True)
class Scored:
    """Every document matching one query: docnums ascending, and their BM25F scores."""

    docnums: np.ndarray
    scores: np.ndarray


class QueryScorer:
    """Scores of one query over every document of one searcher, summed into two dense arrays
    (score and matching term leaves per docnum): memory stays two arrays, whatever the query."""

    def __init__(self, searcher, weighting, cache: PostingCache):
        self.searcher = searcher
        self.weighting = weighting
        self.cache = cache
        self.size = searcher.doc_count_all()
        self.leaves = searcher.leaf_searchers()

    def evaluate(self, query: wq.Query) -> tuple[np.ndarray, np.ndarray]:
        scores, matches = np.zeros(self.size), np.zeros(self.size, dtype=np.int32)
        if not isinstance(query, wq.Term) and type(query) not in UNIONS:
            raise Unsupported(type(query).__name__)
        self.add(query, scores, matches, 1.0)
        return scores, matches

    def add(self, query: wq.Query, scores, matches, weight: float, inside: wq.Or | None = None) -> int:
        """Add `weight` x the node's scores; return how many of its term leaves the index holds."""
        if isinstance(query, wq.Term):
            return self._add_term(query, scores, matches, weight)
        if type(query) in UNIONS:
            return self._add_or(query, scores, matches, weight)
        if inside is not None and not inside.scale:
            return self._add_by_whoosh(query, scores, matches, weight)  # e.g. a name's phrase variant
        raise Unsupported(type(query).__name__)

    def _add_or(self, query: wq.Or, scores, matches, weight: float) -> int:
        weight *= query.boost
        # Whoosh coordinates only a real union (more than one clause, fewer than it preloads)
        if not (query.scale and 1 < len(query.subqueries) < wq.Or.TOO_MANY_CLAUSES):
            return sum(self.add(sub, scores, matches, weight, inside=query) for sub in query.subqueries)
        own, own_matches = np.zeros(self.size), np.zeros(self.size, dtype=np.int32)
        terms = sum(self.add(sub, own, own_matches, 1.0, inside=query) for sub in query.subqueries)
        if terms:
            own = _coordinate(own, own_matches, terms, query.scale)
        scores += weight * own
        matches += own_matches
        return terms

    def _add_term(self, query: wq.Term, scores, matches, weight: float) -> int:
        schema = self.searcher.schema
        field = schema[query.fieldname] if query.fieldname in schema else None  # noqa: SIM401
        if field is None:
            return 0
        try:
            btext = field.to_bytes(query.text)
        except ValueError:
            return 0
        if (query.fieldname, btext) not in self.searcher.reader():
            return 0
        if not field.scorable:
            raise Unsupported(f"unscored field {query.fieldname}")
        idf = self.weighting.idf(self.searcher, query.fieldname, btext)
        avgfl = self.searcher.avg_field_length(query.fieldname) or 1
        b, k1 = self._b(query.fieldname), self.weighting.K1
        for leaf, offset in self.leaves:
            reader = leaf.reader()
            ids, tf = self.cache.postings(reader, query.fieldname, btext)
            if not len(ids):
                continue
            ids, tf = ids.astype(np.int64), tf.astype(np.float64)
            lengths = self.cache.lengths(reader, query.fieldname)[ids]
            term_scores = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / avgfl)))
            deleted = reader.deleted_docs_set
            if deleted:
                keep = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
                ids, term_scores = ids[keep], term_scores[keep]
            scores[ids + offset] += term_scores * (query.boost * weight)  # ids are unique per term
            matches[ids + offset] += 1
        return 1

    def _add_by_whoosh(self, query: wq.Query, scores, matches, weight: float) -> int:
        """A node Whoosh scores itself, document by document (its matchers skip deletions)."""
        for leaf, offset in self.leaves:
            matcher = query.matcher(leaf, leaf.context(weighting=self.weighting))
            while matcher.is_active():
                scores[matcher.id() + offset] += matcher.score() * weight
                matches[matcher.id() + offset] += 1
                matcher.next()
        return 1

    def _b(self, fieldname: str) -> float:
        return self.weighting._field_B.get(fieldname, self.weighting.B)


def _coordinate(scores: np.ndarray, matches: np.ndarray, terms: int, scale: float) -> np.ndarray:
    """Whoosh's coordination bonus (`CoordMatcher`, the SQR function of the V-Twin library)."""
    if terms == scale:
        return np.zeros_like(scores)
    matched = matches > 0
    result = np.zeros_like(scores)
    result[matched] = (scores[matched] + (matches[matched] - 1) / (terms - scale) ** 2) * (terms - 1) / terms
    return result


def score_query(searcher, weighting, query: wq.Query, cache: PostingCache) -> Scored | None:
    """Every document matching `query`, scored, or None when Whoosh must do it."""
    try:
        scores, matches = QueryScorer(searcher, weighting, cache).evaluate(query)
    except Unsupported:
        return None
    docnums = np.flatnonzero(matches)
    return Scored(docnums, scores[docnums])


def query_key(query: wq.Query) -> tuple:
    """What decides the scores of a query (its repr leaves out the coordination scale)."""
    children = tuple(query_key(sub) for sub in query.children())
    return repr(query), getattr(query, "scale", None), children


def top(docnums: np.ndarray, scores: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The `limit` best, by score, ties by docnum (as Whoosh's collector orders them)."""
    if len(docnums) > limit:
        keep = np.argpartition(-scores, limit - 1)[:limit]
        cutoff = scores[keep].min()
        keep = np.flatnonzero(scores >= cutoff)  # every tie at the cut, then the exact order below
        docnums, scores = docnums[keep], scores[keep]
    order = np.lexsort((docnums, -scores))[:limit]
    return docnums[order], scores[order]
