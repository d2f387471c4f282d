"""The search service: query -> keyword and vector hits (over chunks) -> per-document scores ->
fusion -> documents with their best passages, highlights and citations. The CLI, the web pages
and the API all render what `SearchService.search` returns; none of them ranks on its own.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
from whoosh import query as wq

from archive.catalog import Filters
from archive.chunking import sentence_spans
from archive.citations import cite_passage
from archive.errors import UsageError
from archive.highlight import merge, term_spans
from archive.ranking import RankedDocument, Scores, Tuning, rank
from archive.store import Archive
from indexer.bm25 import weighting as bm25_weighting
from indexer.coverage import words as query_words
from indexer.query import ParsedQuery, QueryParser
from indexer.sentences import BestSentence, best_sentences
from indexer.variants import VariantFinder

MODES = ("keyword", "semantic", "hybrid")
MAX_QUERY_LENGTH = 1000
MAX_K = 100
MAX_OFFSET = 1000
PUBLIC_FIELDS = ("id", "external_id", "title", "source", "author", "date", "url", "path", "format", "tags")


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
        # A lone surrogate (undecodable bytes in a CLI argument) would crash the embedder's tokenizer.
        query = re.sub("[\ud800-\udfff]", "\ufffd", self.query or "").strip()
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
class Hits:
    """Chunk scores from each retriever, for one query."""

    keyword: Scores
    semantic: Scores  # cosine of the chunk's vector
    query_vector: np.ndarray | None
    keyword_bound: float = 0.0
    sentences: dict[int, BestSentence] = field(default_factory=dict)  # each chunk's closest sentence
    term_coverage: Scores = field(default_factory=dict)  # hybrid: idf share of the query's words held

    def semantic_scores(self, tuning: Tuning) -> Scores:
        """The semantic side's chunk scores: the chunk's cosine mixed with its best sentence's."""
        weight = tuning.sentence_weight
        if not weight or not self.sentences:
            return self.semantic
        best = self.sentences
        return {
            chunk: (1 - weight) * score + weight * best[chunk].score if chunk in best else score
            for chunk, score in self.semantic.items()
        }

    def ranked(self, chunk_doc: dict[int, str], mode: str, tuning: Tuning) -> list[RankedDocument]:
        semantic = self.semantic_scores(tuning)
        return rank(self.keyword, semantic, chunk_doc, mode, tuning, self.keyword_bound, self.term_coverage)


class SearchService:
    def __init__(self, archive: Archive, tuning: Tuning | None = None):
        self.archive = archive
        self.tuning = tuning or Tuning()
        self._weightings: dict[tuple, object] = {}
        self._parser: QueryParser | None = None
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.variants = VariantFinder()
        self._cache_lock = threading.Lock()

    @property
    def parser(self) -> QueryParser:
        if self._parser is None:
            from indexer.keyword import build_schema

            self._parser = QueryParser(
                build_schema(), title_boost=self.tuning.title_boost, phrase_boost=self.tuning.phrase_boost
            )
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
        hits = self.retrieve(request, parsed, filters)
        candidates = list(hits.keyword.keys() | hits.semantic.keys())
        chunk_doc = self.archive.catalog.chunk_documents(candidates, filters)
        tuning = self.tuning_for(parsed)
        semantic = hits.semantic_scores(tuning)
        ranked = hits.ranked(chunk_doc, request.mode, tuning)
        page = ranked[request.offset : request.offset + request.k]
        # Texts and metadata only for what is shown; a document deleted meanwhile drops out.
        rows = self.archive.catalog.passages([c for doc in page for c, _ in doc.chunks[: request.passages]])
        terms = self._highlight_terms(parsed) if request.highlight else set()
        results = [
            self._result(doc, rows, hits.keyword, semantic, terms, request)
            for doc in page
            if doc.chunks[0][0] in rows
        ]
        if request.highlight:
            self._explain_semantic(results, hits, parsed.text or request.query)
        return _response(request, started, results, len(ranked), notices)

    # -- retrieval -----------------------------------------------------------------------------

    def retrieve(self, request: SearchRequest, parsed: ParsedQuery, filters: Filters) -> Hits:
        """Chunk scores from the keyword index, the vector index, or both."""
        depth = max(self.tuning.candidates, 2 * (request.offset + request.k))
        keyword: dict[int, float] = {}
        semantic: dict[int, float] = {}
        query_vector = None
        bound = 0.0
        query = None
        coverage: dict[int, float] = {}
        scoring = self.weighting(self.tuning_for(parsed))
        if request.mode != "semantic" and parsed.keyword is not None:
            self.archive.manifest.check_analyzer()
            query = self.keyword_query(parsed)
            keyword = dict(self.archive.keyword.search(query, depth, _whoosh_filter(filters), scoring))
            bound = self.archive.keyword.score_bound(query, scoring)
        if request.mode != "keyword":
            query_vector = self._embed_query(parsed.text or request.query)
            if not (request.mode == "hybrid" and parsed.strict):  # operators: rank keyword matches only
                allowed = self.archive.catalog.allowed_chunk_ids(filters) if filters else None
                semantic = dict(self.archive.vector.search(query_vector, depth, allowed))
            if request.mode == "hybrid":  # each side scores what only the other side found
                missing = [chunk for chunk in keyword if chunk not in semantic]
                semantic.update(self.archive.vector.similarity(query_vector, missing))
                if parsed.keyword is not None:
                    only_semantic = [chunk for chunk in semantic if chunk not in keyword]
                    keyword.update(self.archive.keyword.scores_for(query, only_semantic, scoring))
                    coverage = self.archive.keyword.term_coverage(query, list(keyword))
        sentences = {}
        if semantic:
            stored = self.archive.catalog.sentence_vectors(semantic, self.archive.manifest.model["dimension"])
            sentences = best_sentences(query_vector, stored)
        return Hits(keyword, semantic, query_vector, bound, sentences, coverage)

    def tuning_for(self, parsed: ParsedQuery) -> Tuning:
        """The tuning for this query: long questions are ranked with their own (`Tuning.for_query`)."""
        return self.tuning.for_query(len(query_words(parsed.keyword)) if parsed.keyword is not None else 0)

    def weighting(self, tuning: Tuning):
        """The BM25F weighting for the tuning, made once per setting."""
        key = (tuning.bm25_idf, tuning.bm25_b, tuning.bm25_k1)
        if key not in self._weightings:
            self._weightings[key] = bm25_weighting(*key)
        return self._weightings[key]

    def keyword_query(self, parsed: ParsedQuery) -> wq.Query:
        """The parsed query, names widened to the spelling variants the index holds."""
        if not self.tuning.name_variants:
            return parsed.keyword
        index = self.archive.keyword
        with index.reading() as searcher:
            self.variants.refresh(searcher.reader(), (id(index), index.generation()))
        return self.variants.expand(parsed.keyword, parsed.names)

    def _embed_query(self, text: str) -> np.ndarray:
        self.archive.manifest.check_model(self.archive.model_identity())
        with self._cache_lock:
            cached = self._query_cache.get(text)
        if cached is None:  # a page of results, then the next page: embed the query once
            cached = self.archive.embedder.embed([text])[0]
            with self._cache_lock:
                self._query_cache[text] = cached
                while len(self._query_cache) > 1024:
                    self._query_cache.popitem(last=False)
        return cached

    # -- presentation --------------------------------------------------------------------------

    def _highlight_terms(self, parsed: ParsedQuery) -> set[str]:
        if parsed.keyword is None or self.archive.keyword is None:
            return set()
        return {
            term
            for fieldname, term in self.archive.keyword.query_terms(
                _positive_part(self.keyword_query(parsed))
            )
            if fieldname in ("title", "text")
        }

    def _result(
        self, doc: RankedDocument, rows: dict, keyword: Scores, semantic: Scores, terms: set[str], request
    ) -> dict:
        meta = rows[doc.chunks[0][0]]
        document = _public_document(meta)
        passages = []
        for chunk_id, score in doc.chunks[: request.passages]:
            row = rows.get(chunk_id)
            if row is None:
                continue
            passage = {
                "id": chunk_id,
                "text": row["chunk_text"],
                "start": row["start"],
                "end": row["end"],
                "page": row["page"],
                "paragraph": row["paragraph"],
                "highlights": term_spans(row["chunk_text"], terms) if request.highlight else [],
                "scores": {
                    "keyword": _round(keyword.get(chunk_id)),
                    "semantic": _round(semantic.get(chunk_id)),
                    "hybrid": _round(score) if request.mode == "hybrid" else None,
                },
            }
            self._cite(document, passage)
            passages.append(passage)
        return {"document": document, "score": _round(doc.score), "passages": passages}

    def _cite(self, document: dict, passage: dict) -> None:
        passage["citation"] = cite_passage(document, passage, self.archive.settings.base_url)

    def _explain_semantic(self, results: list[dict], hits: Hits, query: str) -> None:
        """Passages the keyword side did not score were found by meaning: each highlights its
        sentence closest to the query, beside any incidental words of the query it contains.

        The sentence comes from the sentence vectors stored at ingest (the same comparison that
        scored the passage). A chunk without them (an archive made by an older version, not yet
        repaired) falls back to a rough measure: mean token embeddings, no model pass.
        """
        if hits.query_vector is None:
            return
        rough_query = None
        for result in results:
            for passage in result["passages"]:
                if passage["id"] in hits.keyword:
                    continue  # matched words explain it
                best = hits.sentences.get(passage["id"])
                if best is not None:
                    span = [best.start, best.end]
                else:
                    spans = sentence_spans(passage["text"])
                    if not spans:
                        continue
                    if rough_query is None:
                        rough_query = self.archive.embedder.static_embed([query])[0]
                    rough = self.archive.embedder.static_embed([passage["text"][a:b] for a, b in spans])
                    span = list(spans[int(np.argmax(rough @ rough_query))])
                passage["highlights"] = merge([*passage["highlights"], span])
                self._cite(result["document"], passage)


def _with_dates(filters: Filters, parsed: ParsedQuery) -> Filters:
    if not (parsed.date_from or parsed.date_to):
        return filters
    return replace(
        filters,
        date_from=parsed.date_from or filters.date_from,
        date_to=parsed.date_to or filters.date_to,
    )


def _whoosh_filter(filters: Filters) -> wq.Query | None:
    if not filters:
        return None
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


def _round(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 6)


def _public_document(meta: dict) -> dict:
    record = {name: meta.get(name) for name in PUBLIC_FIELDS}
    if isinstance(record["tags"], str):
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
