"""Spelling variants of names, found in the index's own vocabulary at query time.

A query term is widened to vocabulary terms that sound the same and are spelt alike:
- a phonetic key (Metaphone over a skeleton: a leading `gh` read as `q`, `y`/`w` between vowels
  dropped, `ou` read as `u`), so `Ghahtan` ~ `Qahtan`, `Ziad` ~ `Ziyad`, `Baroudi` ~ `Barudi`;
- confirmed by the edit distance of the skeletons (phonetic keys collide: Khan / Kane / Keen,
  Baroudi / board): at most one edit, or two for names of seven letters or more
  (`Hezbollah` ~ `Hizbullah`, but not `Tarraf` ~ `tariff`);
- a short name (under five letters on either side) links only through the rules above (equal
  skeletons: `Ziyad` ~ `Ziad`), never by a spare edit: `Sarea` does not match the byline `Sara`
  (short names differ by one letter too often: Sara / Sarea / Saba / Sari);
- run-together and article forms: `alqassam` also asks for `qassam`, `ansarallah` for the phrase
  `ansar allah`, when those are in the vocabulary.
Variants get a lower weight than the term as typed, so exact spellings rank first.
Diacritics, apostrophe-like marks and `al-` joins are already folded by the analyzer.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict

import jellyfish
from rapidfuzz.distance import JaroWinkler, Levenshtein
from whoosh import query as wq

VARIANT_BOOST = 0.5
MAX_VARIANTS = 5
MIN_LENGTH = 4
SHORT_NAME = 5  # below this, no link by edit distance alone
REFRESH_SECONDS = 30.0
_VOWELS = "aeiou"
_BETWEEN_VOWELS = re.compile(r"(?<=[aeiou])[yw](?=[aeiou])")


def skeleton(term: str) -> str:
    """The spelling with common transliteration differences evened out."""
    term = re.sub(r"^gh", "q", term)
    term = term.replace("ou", "u").replace("ee", "i").replace("oo", "u").replace("ph", "f")
    return _BETWEEN_VOWELS.sub("", term)


def phonetic_key(term: str) -> str:
    return jellyfish.metaphone(skeleton(term))


def alike(a: str, b: str) -> bool:
    """True when two terms with the same phonetic key are spelt alike enough to be one name."""
    a, b = skeleton(a), skeleton(b)
    if min(len(a), len(b)) < SHORT_NAME:
        return a == b
    allowed = 2 if min(len(a), len(b)) >= 7 else 1
    return Levenshtein.distance(a, b, score_cutoff=allowed) <= allowed


class VariantFinder:
    """Phonetic index over the keyword index's vocabulary, rebuilt when the index has changed."""

    def __init__(self, fields: tuple[str, ...] = ("text", "title")):
        self.fields = fields
        self._by_key: dict[str, set[str]] = {}
        self._vocabulary: set[str] = set()
        self._generation: object = None
        self._built_at = 0.0
        self._lock = threading.Lock()

    def refresh(self, reader, generation: object) -> None:
        if generation == self._generation:
            return
        if self._generation is not None and time.monotonic() - self._built_at < REFRESH_SECONDS:
            return  # an ingest is committing often; new names are picked up within seconds
        with self._lock:
            vocabulary: set[str] = set()
            for field in self.fields:
                vocabulary.update(
                    term.decode() if isinstance(term, bytes) else term for term in reader.lexicon(field)
                )
            by_key: dict[str, set[str]] = defaultdict(set)
            for term in vocabulary:
                if len(term) >= MIN_LENGTH and term.isalpha():
                    by_key[phonetic_key(term)].add(term)
            self._vocabulary, self._by_key = vocabulary, dict(by_key)
            self._generation, self._built_at = generation, time.monotonic()

    def knows(self, term: str) -> bool:
        return term in self._vocabulary

    def variants(self, term: str) -> list[str]:
        """Vocabulary terms that are spelling variants of `term`, most alike first."""
        if len(term) < MIN_LENGTH or not term.isalpha():
            return []
        candidates = [c for c in self._by_key.get(phonetic_key(term), ()) if c != term and alike(term, c)]
        candidates.sort(key=lambda c: (-JaroWinkler.similarity(skeleton(term), skeleton(c)), c))
        return candidates[:MAX_VARIANTS]

    def splits(self, term: str) -> list[list[str]]:
        """`alqassam` -> [["qassam"]]; `ansarallah` -> [["ansar", "allah"]] (vocabulary permitting)."""
        found = []
        if term.startswith(("al", "el")) and term[2:] in self._vocabulary and len(term) > 5:
            found.append([term[2:]])
        for cut in range(3, len(term) - 2):
            left, right = term[:cut], term[cut:]
            if left in self._vocabulary and right in self._vocabulary and [right] not in found:
                found.append([left, right])
                break
        return found

    def expand(
        self, query: wq.Query, names: set[str], exact: set[str] | frozenset[str] = frozenset()
    ) -> wq.Query:
        """The query with each name term widened to its variants (weighted lower).

        `names` are the terms the user wrote capitalised; a term the index does not hold is
        widened too (it is probably another spelling). Ordinary words are left alone, so that
        `water` never also asks for `waiter`; so are the `exact` terms (a word quoted on its own).
        """
        if not self._by_key:
            return query
        return _rewrite(query, self, names, frozenset(exact))


class VariantGroup(wq.Or):
    """A name as asked OR its spelling variants: matched and scored as Whoosh's `Or`, and read as
    one word of the query by `coverage` (held when any spelling is)."""


def variant_groups(query: wq.Query) -> list[tuple[str, list[str]]]:
    """(term as asked, [its variants]) for each name `expand` widened, in query order, once each
    (a term is searched in several fields)."""
    groups: dict[str, list[str]] = {}
    for group in _groups_in(query):
        asked = group.subqueries[0]
        found = groups.setdefault(asked.text, [])
        for alternative in group.subqueries[1:]:
            words = " ".join(alternative.words) if isinstance(alternative, wq.Phrase) else alternative.text
            if words not in found:
                found.append(words)
    return [(asked, variants) for asked, variants in groups.items() if variants]


def _groups_in(query: wq.Query) -> list[VariantGroup]:
    if isinstance(query, VariantGroup):
        return [query]
    if query.is_leaf():
        return []
    return [group for child in query.children() for group in _groups_in(child)]


def _rewrite(query: wq.Query, finder: VariantFinder, names: set[str], exact: frozenset[str]) -> wq.Query:
    if (
        isinstance(query, wq.Term)
        and query.fieldname in finder.fields
        and isinstance(query.text, str)
        and query.text not in exact
        and (query.text in names or not finder.knows(query.text))
    ):
        alternatives: list[wq.Query] = [
            wq.Term(query.fieldname, variant, boost=query.boost * VARIANT_BOOST)
            for variant in finder.variants(query.text)
        ]
        if not finder.knows(query.text):
            for parts in finder.splits(query.text):
                boost = query.boost * VARIANT_BOOST
                alternatives.append(
                    wq.Term(query.fieldname, parts[0], boost=boost)
                    if len(parts) == 1
                    else wq.Phrase(query.fieldname, parts, boost=boost)
                )
        return VariantGroup([query, *alternatives]) if alternatives else query
    if isinstance(query, wq.Not):
        return query
    if isinstance(query, wq.AndNot):
        return wq.AndNot(_rewrite(query.a, finder, names, exact), query.b)
    if query.is_leaf():
        return query
    return query.apply(lambda child: _rewrite(child, finder, names, exact))
