"""Term coverage: how much of a query's wording a chunk holds, whatever the term frequencies.

The share of the query's distinct words the chunk contains, each weighted by its Robertson-Sparck
Jones idf, ln(1 + (N - df + 0.5) / (df + 0.5)) (about 0 for a word most chunks hold; Whoosh's own
idf never falls below 1). Hybrid fusion adds it as a third signal (`Tuning.term_coverage_weight`,
chosen in docs/QUALITY.md).

What counts as a word of the query: each text-field term or phrase word outside a NOT, once. A
name widened to its spelling variants (`variants.VariantGroup`) is one word, held when any spelling
is; a word no chunk holds still counts in the total. Wildcards, fuzzy terms and ranges count on
neither side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from indexer.bm25 import rsj_idf
from indexer.variants import VariantGroup

FIELD = "text"


@dataclass(frozen=True)
class Word:
    """One word of the query: its spellings, each a tuple of terms held together (a phrase)."""

    spellings: tuple[tuple[str, ...], ...]


def words(query: wq.Query) -> list[Word]:
    """The query's distinct words, in order."""
    found: dict[tuple[str, ...], Word] = {}
    _collect(query, found)
    return list(found.values())


def _collect(query: wq.Query, found: dict) -> None:
    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.AndNot):
        _collect(query.a, found)
        return
    if isinstance(query, VariantGroup):
        spellings = tuple(s for s in (_spelling(sub) for sub in query.subqueries) if s)
        if spellings:
            found.setdefault(spellings[0], Word(spellings))
        return
    if isinstance(query, wq.Term | wq.Phrase):
        for text in _spelling(query) or ():
            found.setdefault((text,), Word(((text,),)))
        return
    if not query.is_leaf():
        for child in query.children():
            _collect(child, found)


def _spelling(query: wq.Query) -> tuple[str, ...] | None:
    if isinstance(query, wq.Term) and query.fieldname == FIELD and isinstance(query.text, str):
        return (query.text,)
    if isinstance(query, wq.Phrase) and query.fieldname == FIELD:
        return tuple(query.words)
    return None


def term_coverage(searcher, query: wq.Query, postings, docnums: np.ndarray) -> np.ndarray:
    """Each docnum's coverage of the query, 0..1. `postings(reader, field, btext)` gives a term's
    (docnums, frequencies) in one segment, docnums ascending (`bm25.PostingCache.postings`)."""
    held, total = np.zeros(len(docnums)), 0.0
    for word in words(query):
        weight = _weight(searcher, word)
        present = np.zeros(len(docnums), dtype=bool)
        for spelling in word.spellings:
            present |= _holding(searcher, spelling, postings, docnums)
        total += weight
        held += weight * present
    if not total:
        return np.zeros(len(docnums))
    return np.clip(held / total, 0.0, 1.0)


def idf(searcher, text: str) -> float:
    """Robertson-Sparck Jones idf over every chunk the segments hold (deleted ones too, as the
    document frequency counts them until a merge), so it never falls below 0."""
    return rsj_idf(searcher.doc_count_all(), _frequency(searcher, text))


def _weight(searcher, word: Word) -> float:
    """The idf of the first spelling the index holds (the one asked, when it does), else of the
    asked one: a name typed in a spelling no chunk uses weighs what its variant found weighs."""
    for spelling in word.spellings:
        if all(_frequency(searcher, text) for text in spelling):
            return max(idf(searcher, text) for text in spelling)
    return max(idf(searcher, text) for text in word.spellings[0])


def _frequency(searcher, text: str) -> int:
    return searcher.doc_frequency(FIELD, text)


def _holding(searcher, spelling: tuple[str, ...], postings, docnums: np.ndarray) -> np.ndarray:
    """Which of the docnums hold every term of the spelling."""
    field = searcher.schema[FIELD]
    result = np.ones(len(docnums), dtype=bool)
    for text in spelling:
        present = np.zeros(len(docnums), dtype=bool)
        for leaf, offset in searcher.leaf_searchers():
            ids, _ = postings(leaf.reader(), FIELD, field.to_bytes(text))
            if len(ids):
                local = docnums - offset
                where = np.clip(np.searchsorted(ids, local), 0, len(ids) - 1)
                present |= ids[where] == local
        result &= present
    return result
