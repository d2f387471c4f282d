"""Cut document text into passages: paragraph- and sentence-aware windows with exact offsets.

Every chunk is a slice of the document text (`text[start:end] == chunk.text`). Pages are hard
boundaries (so a PDF citation names one page); inside a page, sentences are packed into windows
of about `target_words`, preferring to end at a paragraph break, with up to `overlap_words` of
trailing sentences repeated at the start of the next window. A sentence is cut only when it
alone exceeds `max_words`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from archive.config import ChunkSettings
from archive.domain import Chunk

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_WORD = re.compile(r"\S+")
# End of a sentence: terminal punctuation, optional closing quotes/brackets, then white space.
# Tried only where a run of punctuation starts, and without giving characters back (`++`): a row
# of 20,000 dots (a table of contents' leaders) cost 15 s when every dot started a new try.
_SENTENCE_END = re.compile(r"(?<![.!?\u2026])[.!?\u2026]++[\"'\u201d\u2019\u00bb)\]]*+\s+")
# A new line that starts a list item or follows a heading also ends a sentence.
_LINE_BREAK = re.compile(r"\n(?=[^\S\n]*(?:[-*\u2022]\s|\d{1,3}[.)]\s|#))|(?<=\n)(?=#)")
_HEADING_LINE = re.compile(r"^#{1,6} .*$", re.MULTILINE)
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "maj",
        "col",
        "lt",
        "capt",
        "cpt",
        "sgt",
        "adm",
        "gov",
        "sen",
        "rep",
        "st",
        "jr",
        "sr",
        "no",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "est",
        "approx",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "ft",
        "rev",
        "hon",
    ]
)


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    words: int
    paragraph: int


def chunk_text(
    text: str,
    settings: ChunkSettings | None = None,
    pages: list[tuple[int, int]] | None = None,
) -> list[Chunk]:
    """Split `text` into chunks; `pages` are (start, end) spans, page i+1 is pages[i]."""
    settings = settings or ChunkSettings()
    regions = pages if pages else [(0, len(text))]
    chunks: list[Chunk] = []
    paragraph_number = 0
    for page_index, (region_start, region_end) in enumerate(regions):
        sentences: list[_Sentence] = []
        for para_start, para_end in _paragraphs(text, region_start, region_end):
            paragraph_number += 1
            for start, end in _sentences(text, para_start, para_end):
                sentences.extend(_cut_long(text, start, end, settings.max_words, paragraph_number))
        page = page_index + 1 if pages else None
        for first, last in _windows(sentences, settings):
            start, end = sentences[first].start, sentences[last].end
            chunks.append(
                Chunk(
                    ordinal=len(chunks),
                    start=start,
                    end=end,
                    text=text[start:end],
                    page=page,
                    paragraph=sentences[first].paragraph,
                )
            )
    return chunks


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence in `text`, paragraph breaks respected."""
    return [
        span
        for para_start, para_end in _paragraphs(text, 0, len(text))
        for span in _sentences(text, para_start, para_end)
    ]


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of every paragraph of `text[start:end]`, white space trimmed: the paragraphs
    chunks are cut from (and that citations and the document view number)."""
    return list(_paragraphs(text, start, len(text) if end is None else end))


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    position = start
    for match in _BLANK_LINE.finditer(text, start, end):
        yield from _trimmed(text, position, match.start())
        position = match.end()
    yield from _trimmed(text, position, end)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield start, end


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans inside one paragraph, white space trimmed."""
    boundaries = [m.end() for m in _SENTENCE_END.finditer(text, start, end) if _ends_sentence(text, m)]
    boundaries += [m.start() for m in _LINE_BREAK.finditer(text, start, end)]
    boundaries += [m.end() for m in _HEADING_LINE.finditer(text, start, end)]
    position = start
    for boundary in sorted(set(b for b in boundaries if start < b < end)):
        yield from _trimmed(text, position, boundary)
        position = boundary
    yield from _trimmed(text, position, end)


def _ends_sentence(text: str, match: re.Match) -> bool:
    following = text[match.end() : match.end() + 1]
    if following and not (following.isupper() or following.isdigit() or following in "\"'\u201c\u2018([#*-"):
        return False
    word_start = text.rfind(" ", 0, match.start()) + 1
    word = text[word_start : match.start()].lstrip("\"'(\u201c\u2018").lower()
    if word in _ABBREVIATIONS:
        return False
    # Initials such as "J." or "U.S." do not end a sentence.
    return not (len(word) == 1 and word.isalpha())


def _cut_long(text: str, start: int, end: int, max_words: int, paragraph: int) -> list[_Sentence]:
    words = list(_WORD.finditer(text, start, end))
    if len(words) <= max_words:
        return [_Sentence(start, end, len(words), paragraph)]
    pieces = []
    for i in range(0, len(words), max_words):
        group = words[i : i + max_words]
        pieces.append(_Sentence(group[0].start(), group[-1].end(), len(group), paragraph))
    return pieces


def _windows(sentences: list[_Sentence], settings: ChunkSettings) -> Iterator[tuple[int, int]]:
    """Inclusive (first, last) sentence indexes of each window."""
    first = 0
    while first < len(sentences):
        last, words = first, sentences[first].words
        while last + 1 < len(sentences):
            following = sentences[last + 1]
            if words + following.words > settings.target_words:
                break
            # Prefer to end a well-filled window at a paragraph break.
            if following.paragraph != sentences[last].paragraph and words >= 0.75 * settings.target_words:
                break
            last += 1
            words += following.words
        yield first, last
        if last + 1 >= len(sentences):
            return
        first = _overlap_start(sentences, first, last, settings.overlap_words)


def _overlap_start(sentences: list[_Sentence], first: int, last: int, overlap_words: int) -> int:
    """Index where the next window starts: after `last`, minus trailing sentences that fit the overlap."""
    start, words = last + 1, 0
    while start - 1 > first and words + sentences[start - 1].words <= overlap_words:
        start -= 1
        words += sentences[start].words
    return start
