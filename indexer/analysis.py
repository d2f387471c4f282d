"""How text becomes index terms, shared by indexing, querying and highlighting.

Names reach analysts in many spellings. The analyzer folds them onto one form:
- transliteration marks and diacritics: `Qāʾānī`, `Qa'ani`, `Qaani` -> `qaani` (anyascii, then
  letters and digits only; a possessive `'s` is dropped: `Hamas’s` -> `hamas`);
- joined names are split and, in the index, also kept whole: `AnsarAllah`, `Ansar-Allah` ->
  `ansar` + `allah` (+ `ansarallah`); `alQassam`, `al-Qassam` -> `al` + `qassam` (+ `alqassam`);
  the Arabic article `al`/`el` on its own is a stop word, so `Al Qassam` matches `Qassam`;
- English stop words are dropped and words are stemmed (Porter), so questions in natural
  language are not dominated by `what`, `did`, `the`.
At query time the whole form is not added, so `AnsarAllah` asks for the phrase `ansar allah`.
"""

from __future__ import annotations

import re

from anyascii import anyascii
from whoosh.analysis import Filter, RegexTokenizer, StemFilter

ANALYZER_VERSION = 2

# Words, with inner apostrophe-like marks and hyphens; combining accents stay inside the word.
TOKEN_PATTERN = r"[\w\u0300-\u036f]+(?:['\u2019\u02bc\u2018`\u2010\u2011-][\w\u0300-\u036f]+)*"
_POSSESSIVE = re.compile(r"['`]s$", re.IGNORECASE)
_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+|[^\W\d_]+", re.UNICODE)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_ARTICLES = ("al", "ul", "el")
_MARKS = re.compile(r"['`\u2019]")

STOP_WORDS = frozenset(
    """
    a about above after again against al all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each el few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just may me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such tbd than that the their theirs them
    themselves then there these they this those through to too ul under until up us very was we
    were what when where which while who whom why will with would yet you your yours yourself
    yourselves
    """.split()
)


def split_name(text: str) -> list[tuple[str, int, int]]:
    """Parts of one token (on hyphens, marks and case changes) as (lowercase, start, end).

    An Arabic article glued to the end of a part before a capital goes with the next word:
    `JundalAzrun` -> `jund` `al` `azrun`, like `Jund al-Azrun`.
    """
    parts = []
    matches = list(_PART.finditer(text))
    for index, match in enumerate(matches):
        folded = _NOT_ALNUM.sub("", match.group().lower())
        if not folded:
            continue
        start, end = match.start(), match.end()
        following = matches[index + 1].group() if index + 1 < len(matches) else ""
        if following[:1].isupper() and len(folded) >= 5 and folded.endswith(_ARTICLES):
            parts.append((folded[:-2], start, end - 2))
            parts.append((folded[-2:], end - 2, end))
        else:
            parts.append((folded, start, end))
    return parts


def fold(text: str) -> str:
    """A single word folded the way the index folds it (no splitting, no stemming)."""
    ascii_text = _POSSESSIVE.sub("", anyascii(text))
    return _NOT_ALNUM.sub("", ascii_text.lower())


class NameFoldFilter(Filter):
    """Transliteration folding, name splitting and stop words (see the module docstring).

    Stop words are dropped here rather than by a later filter so that positions can skip them
    (`enter the war` matches the phrase `"enter war"`) while a whole-name term shares the position
    of its first part (`X AnsarAllah` still matches the phrase `"X Ansar Allah"`).
    """

    def __init__(self, stoplist: frozenset[str] = frozenset()):
        self.stoplist = stoplist

    def __call__(self, tokens):
        position = -1
        for token in tokens:
            raw = token.text
            ascii_text = raw if raw.isascii() else anyascii(raw)
            ascii_text = _POSSESSIVE.sub("", ascii_text)
            exact_offsets = len(ascii_text) == len(raw) and not _MARKS.search(ascii_text)
            parts = split_name(_MARKS.sub("", ascii_text))
            kept = [part for part in parts if part[0] not in self.stoplist]
            if not kept:
                continue
            start_char = getattr(token, "startchar", 0)
            end_char = getattr(token, "endchar", 0)
            whole = "".join(part[0] for part in parts)
            if len(parts) > 1 and token.mode != "query" and whole not in self.stoplist:
                token.text, token.pos = whole, position + 1
                yield token
            for text, start, end in kept:
                position += 1
                token.text, token.pos = text, position
                if exact_offsets:
                    token.startchar, token.endchar = start_char + start, start_char + end
                yield token
                token.startchar, token.endchar = start_char, end_char


def text_analyzer():
    """Stemmed, stop-worded, folded: for titles and body text."""
    return RegexTokenizer(TOKEN_PATTERN) | NameFoldFilter(STOP_WORDS) | StemFilter(cachesize=200_000)


def name_analyzer():
    """Folded but not stemmed and without stop words: for authors and sources."""
    return RegexTokenizer(TOKEN_PATTERN) | NameFoldFilter()


def analyze(text: str, analyzer=None, mode: str = "index") -> list[tuple[str, int, int]]:
    """(term, startchar, endchar) for every term of `text`."""
    analyzer = analyzer or _DEFAULT
    return [
        (token.text, token.startchar, token.endchar)
        for token in analyzer(text, chars=True, positions=True, mode=mode)
    ]


_DEFAULT = text_analyzer()
