"""Which words of a passage to quote: the sentence(s) that explain why it was found.

A keyword match quotes the sentence holding most of the highlighted words (with the following
sentences of the same paragraph that hold highlights too, while the quote stays short); a
match by meaning quotes the stored sentence closest to the question. A quote never crosses a
paragraph break, so its location is one paragraph. Spans are offsets inside the passage text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from archive.chunking import sentence_spans
from indexer.analysis import analyze

QUOTE_MAX_WORDS = 50
_WORD = re.compile(r"\S+")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
_SPACE = re.compile(r"\s+")
_CONTEXT_WORDS = 5  # words kept before the first highlight when a long sentence is cut


def keyword_quote(
    text: str, highlights: Sequence[Sequence[int]], quoted: Collection[str] = ()
) -> tuple[int, int] | None:
    """The span to quote for highlighted words (the first sentence when nothing is highlighted),
    never a sentence already `quoted` (one-line texts); None when every sentence was."""
    sentences = sentence_spans(text) or [(0, len(text))]
    held = [_held_words(text, sentence, highlights) for sentence in sentences]
    fresh = [i for i, (a, b) in enumerate(sentences) if one_line(text[a:b]) not in quoted]
    if not fresh:
        return None
    # Most distinct query words; between equals, the fuller sentence (not a headline), then the first.
    best = max(fresh, key=lambda i: (len(held[i]), len(_WORD.findall(text, *sentences[i])), -i))
    start, end = sentences[best]
    for following, words in zip(sentences[best + 1 :], held[best + 1 :], strict=False):
        if not words or _PARAGRAPH_BREAK.search(text, end, following[0]):
            break
        if len(_WORD.findall(text, start, following[1])) > QUOTE_MAX_WORDS:
            break
        end = following[1]
    return shorten(text, (start, end), highlights)


def shorten(text: str, span: Sequence[int], highlights: Sequence[Sequence[int]] = ()) -> tuple[int, int]:
    """`span` cut to QUOTE_MAX_WORDS words at word boundaries, keeping its first highlight in view."""
    start, end = span
    words = list(_WORD.finditer(text, start, end))
    if len(words) <= QUOTE_MAX_WORDS:
        return start, end
    marks = [a for a, _ in highlights if start <= a < end]
    first = next((i for i, w in enumerate(words) if marks and w.end() > marks[0]), 0)
    begin = max(0, min(first - _CONTEXT_WORDS, len(words) - QUOTE_MAX_WORDS))
    return words[begin].start(), words[begin + QUOTE_MAX_WORDS - 1].end()


def is_cut(text: str, span: Sequence[int]) -> tuple[bool, bool]:
    """Whether the quote starts after its sentence's start, and ends before its sentence's end."""
    sentences = sentence_spans(text)
    return (
        not any(a == span[0] for a, _ in sentences),
        not any(b == span[1] for _, b in sentences),
    )


def _held_words(text: str, sentence: tuple[int, int], highlights) -> set[str]:
    """The distinct index terms highlighted in a sentence (`Iran` and `Iran’s` are one)."""
    return {
        term for a, b in highlights if sentence[0] <= a < sentence[1] for term, _, _ in analyze(text[a:b])
    }


def one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
