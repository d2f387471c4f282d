"""The search service: query -> keyword and vector hits (over chunks) -> fusion -> documents
with their best passages, highlights and citations. The CLI, the web pages and the API all
render what `SearchService.search` returns; none of them ranks or fuses on its own.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
from whoosh import query as wq

from archive.catalog import Filters
from archive.chunking import sentence_spans
from archive.citations import best_quote, citation, passage_link
from archive.errors import UsageError
from archive.highlight import merge, term_spans
from archive.store import Archive
from indexer import fusion
from indexer.query import ParsedQuery, QueryParser

MODES = ("keyword", "semantic", "hybrid")
MAX_QUERY_LENGTH = 1000
MAX_K = 100
MAX_OFFSET = 1000


@dataclass(frozen=True)
class Tuning:
    """Ranking settings; `docs/QUALITY.md` shows how the defaults were chosen."""

    fusion: str = "rrf"  # rrf | convex
    rrf_k: int = 60
    alpha: float = 0.5  # convex: weight of the semantic side
    normalization: str = "minmax"
    candidates: int = 100  # chunks taken from each retriever
    title_boost: float = 2.0
    bm25_b: float = 0.75
    bm25_k1: float = 1.2
    sentence_budget: int = 48  # sentences embedded per query to explain semantic-only passages


@dataclass(frozen=True)
class SearchRequest:
    query: str
    mode: str = "hybrid"
    k: int = 10
    offset: int = 0
    filters: Filters = field(default_factory=Filters)
    passages: int = 3  # best passages shown per document
    highlight: bool = True

    def validate(self) -> SearchRequest:
        query = (self.query or "").strip()
        if not query:
            raise UsageError("the query is empty: give words, a phrase or a question", code="empty_query")
        if len(query) > MAX_QUERY_LENGTH:
            raise UsageError(
                f"the query is {len(query)} characters long; the limit is {MAX_QUERY_LENGTH}",
                code="query_too_long",
            )
        if self.mode not in MODES:
            raise UsageError(f"mode must be one of {', '.join(MODES)}, not '{self.mode}'", code="bad_mode")
        if not 1 <= self.k <= MAX_K:
            raise UsageError(f"k must be between 1 and {MAX_K}, not {self.k}", code="bad_k")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise UsageError(f"offset must be between 0 and {MAX_OFFSET}", code="bad_offset")
        if not 1 <= self.passages <= 10:
            raise UsageError("passages must be between 1 and 10", code="bad_passages")
        return replace(self, query=query)


@dataclass
class _Candidates:
    keyword: list[tuple[int, float]]
    semantic: list[tuple[int, float]]
    fused: list[tuple[int, float]]
    query_vector: np.ndarray | None


class SearchService:
    def __init__(self, archive: Archive, tuning: Tuning | None = None):
        self.archive = archive
        self.tuning = tuning or Tuning()
        self._parser: QueryParser | None = None
        self._sentence_cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    @property
    def parser(self) -> QueryParser:
        if self._parser is None:
            from indexer.keyword import build_schema

            self._parser = QueryParser(build_schema(), title_boost=self.tuning.title_boost)
        return self._parser

    # -- the one entry point -------------------------------------------------------------------

    def search(self, request: SearchRequest) -> dict:
        started = time.perf_counter()
        request = request.validate()
        self.archive.refresh()
        parsed = self.parser.parse(request.query)
        filters = _with_dates(request.filters, parsed)
        notices = list(parsed.notices)
        if self.archive.manifest is None:
            notices.append("The archive has no index yet: ingest documents first.")
            return _response(request, started, [], 0, notices)
        if request.mode != "semantic" and parsed.keyword is None:
            notices.append("No searchable words for the keyword index (only common words or syntax).")
        candidates = self._candidates(request, parsed, filters)
        rows = self.archive.catalog.passages([item for item, _ in candidates.fused], filters)
        documents = _group(candidates, rows, request.passages, request.mode == "hybrid")
        page = documents[request.offset : request.offset + request.k]
        terms = self._highlight_terms(parsed) if request.highlight else set()
        results = [self._result(doc, terms, candidates.query_vector, request) for doc in page]
        if request.highlight:
            self._explain_semantic(results, candidates.query_vector)
        return _response(request, started, results, len(documents), notices)

    # -- retrieval and fusion ------------------------------------------------------------------

    def _candidates(self, request: SearchRequest, parsed: ParsedQuery, filters: Filters) -> _Candidates:
        depth = max(self.tuning.candidates, (request.offset + request.k) * request.passages * 4)
        keyword: list[tuple[int, float]] = []
        semantic: list[tuple[int, float]] = []
        query_vector = None
        if request.mode != "semantic" and parsed.keyword is not None:
            self.archive.manifest.check_analyzer()
            keyword = self.archive.keyword.search(parsed.keyword, depth, _whoosh_filter(filters))
        if request.mode != "keyword":
            query_vector = self._embed_query(parsed.text or request.query)
            allowed = self.archive.catalog.allowed_chunk_ids(filters) if filters else None
            if request.mode == "hybrid" and parsed.strict:  # operators: rank keyword matches only
                allowed = np.array([item for item, _ in keyword], dtype=np.int64)
            semantic = self.archive.vector.search(query_vector, depth, allowed)
        if request.mode == "keyword":
            fused = keyword
        elif request.mode == "semantic":
            fused = semantic
        elif self.tuning.fusion == "convex":
            fused = fusion.convex(keyword, semantic, self.tuning.alpha, self.tuning.normalization)
        else:
            fused = fusion.rrf([keyword, semantic], k=self.tuning.rrf_k)
        return _Candidates(keyword, semantic, fused, query_vector)

    def _embed_query(self, text: str) -> np.ndarray:
        embedder = self.archive.embedder
        self.archive.manifest.check_model(embedder.identity())
        return embedder.embed([text])[0]

    # -- presentation --------------------------------------------------------------------------

    def _highlight_terms(self, parsed: ParsedQuery) -> set[str]:
        if parsed.keyword is None or self.archive.keyword is None:
            return set()
        positive = _positive_part(parsed.keyword)
        return {
            term
            for fieldname, term in self.archive.keyword.query_terms(positive)
            if fieldname in ("title", "text")
        }

    def _result(self, doc: dict, terms: set[str], query_vector, request: SearchRequest) -> dict:
        meta = doc["meta"]
        passages = []
        for chunk in doc["chunks"]:
            text = chunk["chunk_text"]
            spans = term_spans(text, terms) if request.highlight else []
            passages.append(
                {
                    "id": chunk["chunk_id"],
                    "text": text,
                    "start": chunk["start"],
                    "end": chunk["end"],
                    "page": chunk["page"],
                    "paragraph": chunk["paragraph"],
                    "highlights": spans,
                    "scores": chunk["scores"],
                    "citation": None,
                }
            )
        for passage in passages:
            self._cite(meta, passage)
        return {"document": _public_document(meta), "score": doc["score"], "passages": passages}

    def _cite(self, meta: dict, passage: dict) -> None:
        text = passage["text"]
        quote_start, quote_end = best_quote(text, passage["highlights"], sentence_spans(text))
        link = passage_link(self.archive.settings.base_url, meta["id"], passage["start"], passage["end"])
        passage["citation"] = citation(meta, passage, text[quote_start:quote_end], link)

    def _explain_semantic(self, results: list[dict], query_vector: np.ndarray | None) -> None:
        """Passages with no matched word highlight the sentence closest to the query."""
        if query_vector is None:
            return
        budget = self.tuning.sentence_budget
        for result in results:
            for passage in result["passages"]:
                if passage["highlights"]:
                    continue
                sentences = sentence_spans(passage["text"])
                if not sentences:
                    continue
                vectors = self._sentence_vectors(passage["id"], passage["text"], sentences, budget)
                if vectors is None:
                    continue
                budget -= len(sentences)
                best = int(np.argmax(vectors @ query_vector))
                passage["highlights"] = merge([sentences[best]])
                self._cite(result["document"], passage)

    def _sentence_vectors(self, chunk_id: int, text: str, sentences, budget: int):
        with self._cache_lock:
            cached = self._sentence_cache.get(chunk_id)
            if cached is not None:
                self._sentence_cache.move_to_end(chunk_id)
                return cached
        if len(sentences) > budget:
            return None
        vectors = self.archive.embedder.embed([text[s:e] for s, e in sentences])
        with self._cache_lock:
            self._sentence_cache[chunk_id] = vectors
            while len(self._sentence_cache) > 5000:
                self._sentence_cache.popitem(last=False)
        return vectors


def _with_dates(filters: Filters, parsed: ParsedQuery) -> Filters:
    if not (parsed.date_from or parsed.date_to):
        return filters
    return replace(
        filters, date_from=parsed.date_from or filters.date_from, date_to=parsed.date_to or filters.date_to
    )


def _whoosh_filter(filters: Filters) -> wq.Query | None:
    if not filters:
        return None
    import datetime as dt

    clauses: list[wq.Query] = []
    if filters.source:
        clauses.append(wq.Term("source_key", filters.source.lower()))
    if filters.format:
        clauses.append(wq.Term("format", filters.format))
    clauses += [wq.Term("tags", tag.lower()) for tag in filters.tags]
    if filters.date_from or filters.date_to:
        low = dt.datetime.fromisoformat(filters.date_from) if filters.date_from else None
        high = (
            dt.datetime.fromisoformat(filters.date_to) + dt.timedelta(days=1, microseconds=-1)
            if filters.date_to
            else None
        )
        clauses.append(wq.DateRange("date", low, high))
    return wq.And(clauses) if len(clauses) > 1 else clauses[0]


def _positive_part(query: wq.Query) -> wq.Query:
    if isinstance(query, wq.AndNot):
        return _positive_part(query.a)
    if isinstance(query, wq.Not):
        return wq.NullQuery
    return query.apply(_positive_part) if not query.is_leaf() else query


def _group(candidates: _Candidates, rows: dict[int, dict], per_document: int, hybrid: bool) -> list[dict]:
    """Documents in the order of their best chunk, each with its best `per_document` chunks."""
    keyword = dict(candidates.keyword)
    semantic = dict(candidates.semantic)
    documents: dict[str, dict] = {}
    for item, score in candidates.fused:
        row = rows.get(item)
        if row is None:  # gone from the catalog (deleted, or filtered out): never shown
            continue
        doc = documents.get(row["id"])
        if doc is None:
            doc = documents[row["id"]] = {"meta": row, "score": _round(score), "chunks": []}
        if len(doc["chunks"]) < per_document:
            row = dict(row)
            row["scores"] = {
                "keyword": _round(keyword.get(item)),
                "semantic": _round(semantic.get(item)),
                "hybrid": _round(score) if hybrid else None,
            }
            doc["chunks"].append(row)
    return list(documents.values())


def _round(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 6)


PUBLIC_FIELDS = ("id", "external_id", "title", "source", "author", "date", "url", "path", "format", "tags")


def _public_document(meta: dict) -> dict:
    record = {name: meta.get(name) for name in PUBLIC_FIELDS}
    if isinstance(record["tags"], str):
        import json

        record["tags"] = json.loads(record["tags"])
    return record


def _response(request: SearchRequest, started: float, results: list, total: int, notices: list) -> dict:
    return {
        "query": request.query,
        "mode": request.mode,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
        "total": total,
        "offset": request.offset,
        "k": request.k,
        "notices": notices,
        "results": results,
    }
