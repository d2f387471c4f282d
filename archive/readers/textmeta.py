"""Title, author, date and source from the head of a plain-text article.

Plain text has no metadata fields, but news copy and statements follow conventions: a masthead
(`THE MESHAN COURIER | NATIONAL | 14 January 2025`), a headline, a byline (`By Nadia Haddad`),
a dateline (`Marsa Halim, 3 February 2025`). The headline is the longest line of the head (the
lines before the first paragraph of body text) that is not a masthead, byline, dateline or label,
preferring lines that do not end with a full stop (headlines rarely do).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.dates import iso_date

HEAD_LINES = 15
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(
    rf"\b(\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b"
)
_BYLINE = re.compile(r"^by\s+([^,|]+)", re.IGNORECASE)
_LABEL = re.compile(r"^[\w .'-]{1,25}:\s")
_BLANK_LINES = re.compile(r"\n\s*\n")
_SMALL_WORDS = {"of", "the", "and", "de", "la", "le", "for", "in", "on", "al", "a", "an", "du", "des"}


@dataclass
class TextMetadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    source: str | None = None


def head_metadata(text: str) -> TextMetadata:
    lines = _head(text)
    found = TextMetadata()
    candidates = []
    for index, line in enumerate(lines):
        byline = _BYLINE.match(line)
        date = _DATE.search(line)
        if date and len(line.split()) <= 12:
            found.date = found.date or iso_date(date.group(1))
        if index == 0 and _is_masthead(line):
            found.source = _title_case(line.split("|")[0].strip(" —-"))
        elif byline:
            found.author = found.author or byline.group(1).strip()
        elif date and len(line.split()) <= 12:
            continue
        elif not (_is_masthead(line) or "|" in line or _LABEL.match(line) or line.startswith(("[", "("))):
            candidates.append(line)
    if candidates:
        title = max(
            candidates,
            key=lambda line: (not line.endswith("."), min(len(line.split()), 30), -lines.index(line)),
        )
        found.title = _title_case(title) if not any(c.islower() for c in title) else title
    return found


def _head(text: str) -> list[str]:
    """Non-empty lines before the body: up to the first block of lines that reads as a paragraph
    (over 40 words, or over 20 ending like a sentence, in lines of prose length), wrapped or not."""
    head: list[str] = []
    for block in _blocks(text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if _is_paragraph(lines):
            break
        head.extend(lines)
        if len(head) >= HEAD_LINES:
            return head[:HEAD_LINES]
    return head


def _blocks(text: str):
    """Blocks between blank lines, one at a time (a 100 MB text is not split whole for its head)."""
    position = 0
    for match in _BLANK_LINES.finditer(text):
        yield text[position : match.start()]
        position = match.end()
    yield text[position:]


def _is_paragraph(lines: list[str]) -> bool:
    counts = [len(line.split()) for line in lines]
    prose = sum(counts) > 40 or (sum(counts) > 20 and lines[-1][-1] in '.!?"\u201d')
    wrapped = len(lines) == 1 or min(counts[:-1]) >= 6  # a letterhead has short lines
    return prose and wrapped


def _is_masthead(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    if not letters or len(line.split("|")[0].split()) > 8:
        return False
    return sum(c.isupper() for c in letters) / len(letters) > 0.5


def _title_case(text: str) -> str:
    """`THE MESHAN COURIER` -> `The Meshan Courier`; words already in mixed case stay as they are."""
    words = []
    for index, word in enumerate(text.split()):
        if word.isupper() and len(word) > 1:
            word = word.lower() if index and word.lower() in _SMALL_WORDS else word.capitalize()
        words.append(word)
    return " ".join(words)
