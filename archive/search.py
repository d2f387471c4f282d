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
from archive.citations import cite_passage, keyword_quote, shorten
from archive.citations.paragraphs import Paragraph, of_document
from archive.errors import NotFound, UsageError
from archive.highlight import content_terms, merge, term_spans
from archive.notices import Notice, notice, page_notices, spelling_notices
from archive.ranking import RankedDocument, Scores, Tuning, floor_for, matches, rank
from archive.repeats import trim_repeats
from archive.store import Archive
from indexer.bm25 import weighting as bm25_weighting
from indexer.coverage import words as query_words
from indexer.query import ParsedQuery, QueryParser
from indexer.sentences import BestSentence, best_sentences
from indexer.variants import VariantFinder, variant_groups

MODES = ("keyword", "semantic", "hybrid")
MAX_QUERY_LENGTH = 1000
MAX_K = 100
MAX_OFFSET = 1000
NO_KEYWORDS = "No searchable words for the keyword index (only common words or syntax)."
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
    exact: bool = False  # no spelling variants: every word as typed

    def validate(self) -> SearchRequest:
        # A lone surrogate (undecodable bytes in a CLI argument) would crash the embedder's tokenizer.
        query = re.sub("[\ud800-\udfff]", "\ufffd", self.query or "").strip()
        if not query:
            raise UsageError("the query is empty: give words, a phrase or a question", code="empty_query")
        if len(query) > MAX_QUERY_LENGTH:
            raise UsageError(
                f"the query is {len(query):,} characters long; the limit is {MAX_QUERY_LENGTH:,}: "
                "shorten it (nothing was searched)",
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
    tuning: Tuning | None = None  # the settings the query was scored with (long questions have their own)
    expanded: wq.Query | None = None  # the keyword query as searched, names widened to their variants

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
        self._paragraphs: OrderedDict[tuple[str, str], list[Paragraph]] = OrderedDict()

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
        notices = [notice("query", text) for text in parsed.notices]
        if self.archive.manifest is None:
            notices.append(notice("empty_archive", "The archive has no index yet: ingest documents first."))
            return _response(request, started, [], 0, notices)
        if request.mode != "semantic" and parsed.keyword is None:
            notices.append(notice("no_keywords", NO_KEYWORDS))
        hits, ranked = self._ranked(request, parsed, filters)
        floor = floor_for(request.mode, self.tuning, parsed.strict)
        matched = matches(ranked, floor)
        page = ranked[request.offset : request.offset + request.k]
        # Texts and metadata only for what is shown; a document deleted meanwhile drops out.
        rows = self.archive.catalog.passages([c for doc in page for c, _ in doc.chunks[: request.passages]])
        expanded = hits.expanded
        terms = self._highlight_terms(expanded, parsed.text) if request.highlight else set()
        semantic = hits.semantic_scores(hits.tuning)
        shown = [doc for doc in page if doc.chunks[0][0] in rows]
        results = [self._result(doc, rows, hits.keyword, semantic, terms, request) for doc in shown]
        if request.highlight and hits.query_vector is not None:
            for result in results:
                self._explain_passages(result["passages"], hits, parsed.text or request.query)
        for result, doc in zip(results, shown, strict=True):
            self._finish(result, rows[doc.chunks[0][0]].get("sha256"), request.query)
        if expanded is not None and hits.keyword:
            notices += spelling_notices(variant_groups(expanded), request.query, results)
        if filters.date_from or filters.date_to:
            notices += self._undated_notice(request, parsed, filters, floor)
        weak = len(ranked) - matched
        notices += page_notices(request.offset, request.k, matched, weak)
        strong = sum(1 for doc in page[: max(0, matched - request.offset)] if doc.chunks[0][0] in rows)
        response = _response(request, started, results[:strong], matched, notices)
        return {**response, "floor": floor, "weak_total": weak, "weak_results": results[strong:]}

    def _ranked(
        self, request: SearchRequest, parsed: ParsedQuery, filters: Filters
    ) -> tuple[Hits, list[RankedDocument]]:
        hits = self.retrieve(request, parsed, filters)
        candidates = list(hits.keyword.keys() | hits.semantic.keys())
        chunk_doc = self.archive.catalog.chunk_documents(candidates, filters)
        return hits, hits.ranked(chunk_doc, request.mode, hits.tuning)

    def _undated_notice(
        self, request: SearchRequest, parsed: ParsedQuery, filters: Filters, floor: float | None
    ) -> list[Notice]:
        """How many undated documents would match but a date filter leaves out (a document
        without a date is neither before nor after any day)."""
        _, ranked = self._ranked(request, parsed, replace(filters, date_from=None, date_to=None))
        firsts = [doc.chunks[0][0] for doc in ranked[: matches(ranked, floor)]]
        rows = self.archive.catalog.passages(firsts)
        undated = sum(1 for chunk in firsts if chunk in rows and not rows[chunk]["date"])
        if not undated:
            return []
        plural = "s" if undated != 1 else ""
        return [
            notice(
                "undated_left_out",
                f"{undated} undated document{plural} not shown: the date filter leaves out documents "
                "without a date.",
                count=undated,
            )
        ]

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
        tuning = self.tuning_for(parsed)
        scoring = self.weighting(tuning)
        if request.mode != "semantic" and parsed.keyword is not None:
            self.archive.manifest.check_analyzer()
            query = self.keyword_query(parsed, request.exact)
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
        return Hits(keyword, semantic, query_vector, bound, sentences, coverage, tuning, query)

    def tuning_for(self, parsed: ParsedQuery) -> Tuning:
        """The tuning for this query: long questions are ranked with their own (`Tuning.for_query`)."""
        return self.tuning.for_query(len(query_words(parsed.keyword)) if parsed.keyword is not None else 0)

    def weighting(self, tuning: Tuning):
        """The BM25F weighting for the tuning, made once per setting."""
        key = (tuning.bm25_idf, tuning.bm25_b, tuning.bm25_k1)
        if key not in self._weightings:
            self._weightings[key] = bm25_weighting(*key)
        return self._weightings[key]

    def keyword_query(self, parsed: ParsedQuery, exact: bool = False) -> wq.Query:
        """The parsed query, names widened to the spelling variants the index holds (not when
        `exact`, nor a word the user quoted on its own)."""
        if exact or not self.tuning.name_variants:
            return parsed.keyword
        index = self.archive.keyword
        with index.reading() as searcher:
            self.variants.refresh(searcher.reader(), (id(index), index.generation()))
        return self.variants.expand(parsed.keyword, parsed.names, parsed.exact)

    def _expanded(self, parsed: ParsedQuery, exact: bool) -> wq.Query | None:
        if parsed.keyword is None or self.archive.keyword is None:
            return None
        return self.keyword_query(parsed, exact)

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

    def highlight_terms(self, query: str) -> set[str]:
        """The index terms a query's words (and their spelling variants) highlight: the
        document view marks them when a result links to it with the query."""
        try:
            request = SearchRequest(query=query).validate()
        except UsageError:
            return set()
        self.archive.refresh()
        if self.archive.manifest is None:
            return set()
        parsed = self.parser.parse(request.query)
        return self._highlight_terms(self._expanded(parsed, exact=False), parsed.text)

    def _highlight_terms(self, expanded: wq.Query | None, text: str) -> set[str]:
        if expanded is None:
            return set()
        terms = {
            term
            for fieldname, term in self.archive.keyword.query_terms(_positive_part(expanded))
            if fieldname in ("title", "text")
        }
        return content_terms(terms, text)

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
            highlights = term_spans(row["chunk_text"], terms) if request.highlight else []
            passage = {
                "id": chunk_id,
                "text": row["chunk_text"],
                "start": row["start"],
                "end": row["end"],
                "page": row["page"],
                "paragraph": row["paragraph"],
                "highlights": highlights,
                "quote_span": list(keyword_quote(row["chunk_text"], highlights) or (0, 0)),
                "scores": {
                    "keyword": _round(keyword.get(chunk_id)),
                    "semantic": _round(semantic.get(chunk_id)),
                    "hybrid": _round(score) if request.mode == "hybrid" else None,
                },
            }
            passages.append(passage)
        return {"document": document, "score": _round(doc.score), "passages": passages}

    def _finish(self, result: dict, sha256: str | None, query: str) -> None:
        """Repeated sentences out, then a citation per passage (page and paragraph of its quote)."""
        document = result["document"]
        numbered = self._numbered_paragraphs(document["id"], sha256)
        result["passages"] = trim_repeats(result["passages"])
        for passage in result["passages"]:
            passage["citation"] = cite_passage(
                document, passage, self.archive.settings.base_url, numbered, query
            )

    def _numbered_paragraphs(self, doc_id: str, sha256: str | None) -> list[Paragraph]:
        """The document's numbered paragraphs (cached per content: a re-ingest changes the hash)."""
        key = (doc_id, sha256 or "")
        with self._cache_lock:
            cached = self._paragraphs.get(key)
        if cached is None:
            try:
                stored = self.archive.catalog.document(doc_id)
            except NotFound:  # deleted since its passages were read: they keep the chunk's numbers
                return []
            cached = of_document(stored)
            with self._cache_lock:
                self._paragraphs[key] = cached
                while len(self._paragraphs) > 256:
                    self._paragraphs.popitem(last=False)
        return cached

    def _explain_passages(self, passages: list[dict], hits: Hits, query: str) -> None:
        """Passages the keyword side did not score were found by meaning: each highlights its
        sentence closest to the query, beside any incidental words of the query it contains, and
        quotes that sentence.

        The sentence comes from the sentence vectors stored at ingest (the same comparison that
        scored the passage). A chunk without them (an archive made by an older version, not yet
        repaired) falls back to a rough measure: mean token embeddings, no model pass.
        """
        rough_query = None
        for passage in passages:
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
            passage["quote_span"] = list(shorten(passage["text"], span))


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
        "exact": request.exact,
        "notices": notices,
        "results": results,
        "floor": None,  # relevance floor applied (search() sets it and the weak results)
        "weak_total": 0,
        "weak_results": [],
    }
