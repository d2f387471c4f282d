"""Why a passage is shown: character spans to highlight inside its text.

Keyword matches highlight the words whose index terms the query matched (so stems and name
variants light up too). A passage found only by meaning highlights its sentence closest to the
question (`SearchService._explain_semantic`, from the stored sentence vectors).
"""

from __future__ import annotations

from functools import lru_cache

from indexer.analysis import analyze


def term_spans(text: str, terms: set[str]) -> list[list[int]]:
    """Spans of the words in `text` whose analysed form is one of `terms`, merged."""
    if not terms:
        return []
    spans = sorted({(start, end) for term, start, end in _analyzed(text) if term in terms})
    return merge(spans)


@lru_cache(maxsize=1024)
def _analyzed(text: str) -> tuple[tuple[str, int, int], ...]:
    """A passage's terms (cached: the same passages come back for related queries)."""
    return tuple(analyze(text))


def merge(spans) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


# Verbs and adverbs a question is phrased with, not what it is about: highlighting them lights
# up unrelated text ("says", "joined"). Only questions drop them; a keyword query keeps its words.
_FILLER_WORDS = """say says said saying tell tells told telling ask asks asked asking join joins
joined joining make makes made making take takes took taken get gets got give gives gave given go
goes went gone come comes came know knew known think thinks thought happen happens happened use
used using want wants wanted seem seems seemed become becomes became put let lets really ever even
now still thing things way much many well one ones actually""".split()
_QUESTION_STARTS = frozenset(
    """who whom whose what when where why how which did does do is are was were has have had can
    could would will should shall may might""".split()
)


@lru_cache(maxsize=1)
def _filler_terms() -> frozenset[str]:
    return frozenset(term for word in _FILLER_WORDS for term, _, _ in analyze(word))


def is_question(text: str) -> bool:
    words = text.strip().split()
    return bool(words) and (text.rstrip().endswith("?") or words[0].lower() in _QUESTION_STARTS)


def content_terms(terms: set[str], query: str) -> set[str]:
    """The terms to highlight: for a question, without the filler it is phrased with."""
    return terms - _filler_terms() if is_question(query) else terms
