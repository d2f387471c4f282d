"""The keyword index: Whoosh over chunks, BM25F over title and text, with metadata fields.

Interface (shared shape with the vector index): `apply(rows, deleted_ids, seq)`, `search`,
`count`, `ids`, `close`. Chunk ids are the catalog's; `apply` is idempotent, so replaying
changes after a crash never duplicates an entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import math
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from indexer import bm25, coverage
from indexer.analysis import name_analyzer, text_analyzer
from indexer.faults import crash_point
from indexer.state import IndexState

INDEX_NAME = "chunks"
MAX_REMEMBERED_DOCNUMS = 200_000


def build_schema() -> Schema:
    return Schema(
        chunk_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        title=TEXT(analyzer=text_analyzer(), multitoken_query="phrase"),
        text=TEXT(analyzer=text_analyzer(), multitoken_query="phrase"),
        author=TEXT(analyzer=name_analyzer(), multitoken_query="phrase"),
        source=TEXT(analyzer=name_analyzer(), multitoken_query="phrase"),
        source_key=ID(),
        tags=KEYWORD(lowercase=True, commas=True, scorable=True),
        format=ID(),
        date=DATETIME(),
    )


def _locked(method):
    """Hold the index's lock for the whole call (the shared searcher serves one caller at a time)."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


class KeywordIndex:
    def __init__(self, folder: Path, *, create: bool = False, scoring: dict | None = None):
        self.folder = Path(folder)
        self.state = IndexState(self.folder.parent / "keyword.state.json")
        if whoosh_index.exists_in(self.folder, indexname=INDEX_NAME):
            self._index = whoosh_index.open_dir(self.folder, indexname=INDEX_NAME)
        elif create:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._index = whoosh_index.create_in(self.folder, build_schema(), indexname=INDEX_NAME)
        else:
            raise FileNotFoundError(f"no keyword index in {self.folder}")
        self.schema = self._index.schema
        self.scoring = BM25F(**(scoring or {"B": 0.75, "K1": 1.2}))
        self._lock = threading.RLock()
        self._searcher = None
        self._last_scores = None
        self._docnums: dict[int, int] = {}  # chunk id -> docnum in the current searcher
        self._postings = bm25.PostingCache()

    # -- writing -------------------------------------------------------------------------------

    def apply(self, rows: Sequence, deleted_ids: Iterable[int], seq: int, *, procs: int = 1) -> None:
        """Make the index hold exactly `rows` for their ids and nothing for `deleted_ids`."""
        touched = [str(row["id"]) for row in rows] + [str(i) for i in deleted_ids]
        if touched:
            writer = self._index.writer(limitmb=256, procs=procs, multisegment=procs > 1)
            try:
                with writer.searcher() as searcher:
                    for chunk_id in touched:
                        writer.delete_by_term("chunk_id", chunk_id, searcher=searcher)
                for row in rows:
                    writer.add_document(**index_fields(row))
            except BaseException:
                writer.cancel()
                raise
            _crash_point_inside_commit(writer)
            writer.commit(mergetype=merge_tiers)
            crash_point("keyword-applied")
        self.state.mark_applied(seq)

    def build(self, row_batches: Iterable[Sequence], seq: int) -> None:
        """Fill an empty index in one writer (a rebuild): no deletes, one commit, merged."""
        writer = self._index.writer(limitmb=512, procs=1)
        try:
            for rows in row_batches:
                for row in rows:
                    writer.add_document(**index_fields(row))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=True)
        self.state.mark_applied(seq)

    # -- reading -------------------------------------------------------------------------------

    def searcher(self):
        """The shared searcher, refreshed when another writer has committed.

        One searcher serves every thread, one caller at a time (`reading`, and the methods below
        hold the lock): Whoosh is pure Python, so threads would take turns on the GIL anyway, and a
        searcher per thread costs about 200 MB at 100k chunks (its term tables and mapped files).
        """
        with self._lock:
            searcher = self._searcher
            if searcher is None or not searcher.up_to_date():
                # A fresh searcher, not `refresh()`: that reuses segment readers and misses documents
                # deleted from old segments since (they would come back as duplicates).
                if searcher is not None:
                    searcher.close()
                searcher = self._searcher = self._index.searcher(weighting=self.scoring)
                self._last_scores = None
                self._docnums = {}
                self._postings.keep_only(_segment_ids(searcher))
            return searcher

    @contextlib.contextmanager
    def reading(self):
        """The searcher, for a caller that reads through it directly (holding the lock)."""
        with self._lock:
            yield self.searcher()

    @_locked
    def search(
        self, query: wq.Query, limit: int, filter_query: wq.Query | None = None, weighting=None
    ) -> list[tuple[int, float]]:
        searcher = self.searcher()
        found = self._all_scores(searcher, query, weighting or self.scoring)
        if found is not None:
            docnums, scores = found.docnums, found.scores
            if filter_query is not None:
                allowed = np.fromiter(searcher.docs_for_query(filter_query), dtype=np.int64)
                keep = np.isin(docnums, allowed)
                docnums, scores = docnums[keep], scores[keep]
            docnums, scores = bm25.top(docnums, scores, limit)
            chunk_ids = [int(searcher.stored_fields(int(docnum))["chunk_id"]) for docnum in docnums]
            self._docnums.update(zip(chunk_ids, docnums.tolist(), strict=True))
            return [(chunk_id, float(score)) for chunk_id, score in zip(chunk_ids, scores, strict=True)]
        if weighting is not None:  # same reader, other scoring parameters
            searcher = Searcher(searcher.reader(), weighting=weighting, closereader=False)
        try:
            results = searcher.search(query, limit=limit, filter=filter_query, terms=False)
        except IndexError:  # a Whoosh bug in block-quality skipping under AND NOT; search without it
            results = searcher.search(query, limit=limit, filter=filter_query, terms=False, optimize=False)
        return [(int(hit["chunk_id"]), float(hit.score)) for hit in results]

    @_locked
    def scores_for(self, query: wq.Query, chunk_ids: list[int], weighting=None) -> dict[int, float]:
        """BM25 scores of chosen chunks (those that match the query at all)."""
        if not chunk_ids:
            return {}
        searcher = self.searcher()
        wanted = self._docnums_of(searcher, chunk_ids)
        found = self._all_scores(searcher, query, weighting or self.scoring)
        if found is not None:
            return _pick(found.docnums, found.scores, wanted)
        if weighting is not None:
            searcher = Searcher(searcher.reader(), weighting=weighting, closereader=False)
        # Skip straight to each wanted document instead of evaluating the query everywhere.
        matcher = query.matcher(searcher, searcher.context())
        scores = {}
        for docnum in sorted(wanted):
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                scores[wanted[docnum]] = float(matcher.score())
        return scores

    @_locked
    def term_coverage(self, query: wq.Query, chunk_ids: list[int]) -> dict[int, float]:
        """Each chunk's term coverage of the query (`indexer.coverage`), for those holding any of
        its words."""
        searcher = self.searcher()
        wanted = self._docnums_of(searcher, chunk_ids)
        if not wanted:
            return {}
        docnums = np.fromiter(wanted, dtype=np.int64, count=len(wanted))
        shares = coverage.term_coverage(searcher, query, self._postings.postings, docnums)
        return {wanted[int(d)]: float(share) for d, share in zip(docnums, shares, strict=True) if share > 0}

    def _docnums_of(self, searcher, chunk_ids: list[int]) -> dict[int, int]:
        """{docnum: chunk id} for the chunks the index holds (docnums of `search` results are
        remembered for the current searcher: no lookup for them)."""
        wanted = {}
        for chunk_id in chunk_ids:
            docnum = self._docnums.get(chunk_id)
            if docnum is None:
                docnum = searcher.document_number(chunk_id=str(chunk_id))
                if docnum is not None:
                    self._docnums[chunk_id] = docnum
            if docnum is not None:
                wanted[docnum] = chunk_id
        if len(self._docnums) > MAX_REMEMBERED_DOCNUMS:
            self._docnums.clear()
        return wanted

    def _all_scores(self, searcher, query: wq.Query, weighting) -> bm25.Scored | None:
        """Every matching document's score, vectorised (None: Whoosh must evaluate this query).
        The last result is kept: `scores_for` asks again for the same query."""
        if type(weighting) not in (BM25F, bm25.RsjBM25F):
            return None
        key = (
            bm25.query_key(query),
            type(weighting),
            weighting.B,
            weighting.K1,
            tuple(sorted(weighting._field_B.items())),
        )
        if self._last_scores is not None and self._last_scores[0] == key:
            return self._last_scores[1]
        found = bm25.score_query(searcher, weighting, query, self._postings)
        self._last_scores = (key, found)
        return found

    @_locked
    def score_bound(self, query: wq.Query, weighting: BM25F) -> float:
        """About the best BM25 score a chunk could reach for this query: every distinct text term
        present with saturating frequency, sum of idf x (k1 + 1) x boost (the weighting's idf and
        k1). Scores divided by it say how much of the query a chunk holds, comparably from one
        query to the next."""
        searcher = self.searcher()
        bound, seen = 0.0, set()
        if searcher.doc_count_all() == 0:  # Whoosh's idf takes the log of zero documents
            return bound
        for leaf in query.leaves():
            if isinstance(leaf, wq.Term) and leaf.fieldname == "text" and leaf.text not in seen:
                seen.add(leaf.text)
                bound += weighting.idf(searcher, "text", leaf.text) * (weighting.K1 + 1) * leaf.boost
        return bound

    @_locked
    def query_terms(self, query: wq.Query) -> set[tuple[str, str]]:
        """(field, term) pairs the query looks for, wildcards and fuzzy terms expanded.

        (Whoosh's own `existing_terms` skips every field after the first one it meets.)
        """
        reader = self.searcher().reader()
        terms = set()
        for leaf in query.leaves():
            for field, term in leaf.expanded_terms(reader, phrases=True):
                terms.add((field, term.decode("utf-8") if isinstance(term, bytes) else term))
        return terms

    @_locked
    def generation(self) -> int:
        """Changes with every commit (readers use it to rebuild caches over the vocabulary)."""
        return self.searcher().reader().generation()

    @_locked
    def count(self) -> int:
        return self.searcher().doc_count()

    @_locked
    def ids(self) -> list[int]:
        """Every chunk id in the index (duplicates included, for consistency checks)."""
        reader = self.searcher().reader()
        return [int(fields["chunk_id"]) for _, fields in reader.iter_docs()]

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._index.close()


MERGE_FACTOR = 4


def merge_tiers(writer, segments: list) -> list:
    """Whoosh merge policy: every MERGE_FACTOR segments of about the same size become one.

    Each commit writes a small segment; Whoosh's default policy leaves same-sized ones alone, so a
    bulk ingest piled up a segment per commit, each with its own copy of the vocabulary (SciFact:
    11 segments, 4.5 MB per 1,000 chunks). Merging by size tier keeps at most 4 segments per tier,
    and a chunk is rewritten about log4(N) times over the index's life. Merges happen inside the
    commit, so they are as crash-safe as the commit itself, and they purge deleted chunks.
    """
    from whoosh.reading import SegmentReader

    tiers: dict[int, list] = {}
    for segment in segments:
        size = max(segment.doc_count_all(), 1)
        tiers.setdefault(int(math.log(size, MERGE_FACTOR)), []).append(segment)
    kept = []
    for group in tiers.values():
        if len(group) < MERGE_FACTOR:
            kept.extend(group)
            continue
        for segment in group:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
    return kept


def _segment_ids(searcher) -> set[str]:
    """The ids of the searcher's segments (an index with no documents has an empty reader and no
    segment at all)."""
    segments = (leaf.reader().segment() for leaf, _ in searcher.leaf_searchers())
    return {segment.segment_id() for segment in segments if segment is not None}


def _pick(docnums: np.ndarray, values: np.ndarray, wanted: dict[int, int]) -> dict[int, float]:
    """{chunk id: value} for the wanted docnums present in `docnums` (sorted)."""
    targets = np.fromiter(wanted, dtype=np.int64, count=len(wanted))
    where = np.clip(np.searchsorted(docnums, targets), 0, max(len(docnums) - 1, 0))
    hit = (docnums[where] == targets) if len(docnums) else np.zeros(len(targets), dtype=bool)
    return {wanted[int(t)]: float(values[w]) for t, w, h in zip(targets, where, hit, strict=True) if h}


def _crash_point_inside_commit(writer) -> None:
    """Tests: the `keyword-commit` crash point sits after the segment is written, before the TOC."""
    if hasattr(writer, "_commit_toc"):
        write_toc = writer._commit_toc

        def commit_toc(segments):
            crash_point("keyword-commit")
            return write_toc(segments)

        writer._commit_toc = commit_toc


def index_fields(row) -> dict:
    tags = row["tags"]
    if isinstance(tags, str):
        tags = json.loads(tags)
    fields = {
        "chunk_id": str(row["id"]),
        "doc_id": row["doc_id"],
        "title": row["title"] or "",
        "text": row["text"],
        "author": row["author"] or "",
        "source": row["source"] or "",
        "source_key": (row["source"] or "").lower(),
        "tags": ",".join(t.lower() for t in tags),
        "format": row["format"],
    }
    if row["date"]:
        with contextlib.suppress(ValueError):
            fields["date"] = dt.datetime.fromisoformat(row["date"])
    return fields
