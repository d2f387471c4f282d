"""The keyword index: Whoosh over chunks, BM25F over title and text, with metadata fields.

Interface (shared shape with the vector index): `apply(rows, deleted_ids, seq)`, `search`,
`count`, `ids`, `close`. Chunk ids are the catalog's; `apply` is idempotent, so replaying
changes after a crash never duplicates an entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.scoring import BM25F

from indexer.analysis import name_analyzer, text_analyzer
from indexer.state import IndexState

INDEX_NAME = "chunks"


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
        self._local = threading.local()

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
            writer.commit()
        self.state.mark_applied(seq)

    def optimize(self) -> None:
        self._index.optimize()

    # -- reading -------------------------------------------------------------------------------

    def searcher(self):
        """This thread's searcher, refreshed when another writer has committed."""
        searcher = getattr(self._local, "searcher", None)
        searcher = self._index.searcher(weighting=self.scoring) if searcher is None else searcher.refresh()
        self._local.searcher = searcher
        return searcher

    def search(
        self, query: wq.Query, limit: int, filter_query: wq.Query | None = None
    ) -> list[tuple[int, float]]:
        searcher = self.searcher()
        results = searcher.search(query, limit=limit, filter=filter_query, terms=False)
        return [(int(hit["chunk_id"]), float(hit.score)) for hit in results]

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

    def count(self) -> int:
        return self.searcher().doc_count()

    def ids(self) -> list[int]:
        """Every chunk id in the index (duplicates included, for consistency checks)."""
        reader = self.searcher().reader()
        return [int(fields["chunk_id"]) for _, fields in reader.iter_docs()]

    def doc_frequency(self, field: str, term: str) -> int:
        return self.searcher().reader().doc_frequency(field, term)

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self._local = threading.local()
        self._index.close()


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
