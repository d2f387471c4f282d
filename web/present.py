"""Turning service dicts into what templates loop over, without any markup: text is cut into
plain segments (marked or not) and Jinja escapes every one. Nothing here is ever `|safe`.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePath
from urllib.parse import urlsplit

from archive.citations import paragraphs
from archive.highlight import term_spans
from archive.render import snippet
from archive.search import MAX_OFFSET

SNIPPET_WORDS = 55
_AT = re.compile(r"^(\d{1,12})-(\d{1,12})$")


def segments(text: str, spans) -> list[tuple[str, bool]]:
    """`text` cut at the highlight spans: [(piece, is_highlight), ...] covering all of it."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(spans or []):
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def passage_snippet(passage: dict, words: int = SNIPPET_WORDS) -> list[tuple[str, bool]]:
    """About `words` words of a passage around its first highlight, as segments."""
    text, spans = snippet(passage["text"], passage["highlights"], words, passage.get("quote_span"))
    return segments(text, spans)


def web_url(url: str | None) -> str | None:
    """The URL when it is safe to render as a link (http or https with a host), else None."""
    if not url:
        return None
    candidate = url.strip()
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return candidate
    return None


def title_of(document: dict) -> str:
    if document.get("title"):
        return document["title"]
    if document.get("path"):
        return PurePath(document["path"]).name
    return document.get("id", "")


def basename(path: str | None) -> str:
    return PurePath(path).name if path else ""


def why_matched(scores: dict) -> list[str]:
    """Which retriever found a passage, in words."""
    reasons = []
    if scores.get("keyword") is not None:
        reasons.append("matching words")
    if scores.get("semantic") is not None:
        reasons.append("similar meaning")
    return reasons


# -- pagination ----------------------------------------------------------------------------------


def pagination(total: int, page: int, size: int, max_offset: int | None = MAX_OFFSET) -> dict:
    last = max(1, math.ceil(total / size))
    if max_offset is not None:
        last = min(last, max_offset // size + 1)
    return {
        "page": page,
        "last": last,
        "prev": page - 1 if page > 1 else None,
        "next": page + 1 if page < last else None,
        "first_shown": min(total, (page - 1) * size + 1),
        "last_shown": min(total, page * size),
    }


# -- the document view ---------------------------------------------------------------------------


def parse_at(raw: str | None, length: int) -> tuple[int, int] | None:
    """`?at=start-end` as offsets inside the text, or None when absent or not inside it."""
    match = _AT.match(raw or "")
    if not match:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    return (start, end) if 0 <= start < end <= length else None


@dataclass
class Segment:
    text: str
    marked: bool = False  # inside the `at` span (the cited quote)
    passage: bool = False  # the first marked segment: carries id="passage"
    term: bool = False  # a word of the query
    anchors: list[int] = field(default_factory=list)  # chunk ids starting here


@dataclass
class ParagraphView:
    number: int  # as citations count them (`archive.citations.paragraphs`)
    page: int | None
    first_on_page: bool
    segments: list[Segment]

    @property
    def anchor(self) -> str:
        return f"p{self.page}-para-{self.number}" if self.page else f"para-{self.number}"


def document_layout(
    text: str,
    chunks: list[dict],
    pages: list | None,
    at: tuple[int, int] | None,
    terms: set[str] | None = None,
) -> list[ParagraphView]:
    """The numbered paragraphs of a document cut into segments: chunk anchors where they fall
    (one in the white space between paragraphs moves to the next), the `at` span marked (split
    across paragraphs when it spans several) and the words of `terms` marked."""
    numbered = paragraphs(text, pages)
    starts = sorted({chunk["start"]: None for chunk in chunks})
    anchors: dict[int, list[int]] = defaultdict(list)
    for chunk in chunks:
        anchors[chunk["start"]].append(chunk["id"])
    layout: list[ParagraphView] = []
    owner_start, passage_placed = 0, False
    for paragraph in numbered:
        start, end = paragraph.start, paragraph.end
        owned: dict[int, list[int]] = defaultdict(list)
        for offset in starts[bisect_left(starts, owner_start) : bisect_left(starts, end)]:
            owned[max(offset, start)] += anchors[offset]
        owner_start = end
        words = [[a + start, b + start] for a, b in term_spans(text[start:end], terms or set())]
        cuts = {start, end, *owned, *(x for span in words for x in span)}
        if at:
            cuts |= {min(max(at[0], start), end), min(max(at[1], start), end)}
        bounds = sorted(cuts)
        segments = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            marked = bool(at) and at[0] <= a and b <= at[1]
            term = any(x <= a and b <= y for x, y in words)
            segments.append(Segment(text[a:b], marked, marked and not passage_placed, term, owned.get(a, [])))
            passage_placed = passage_placed or marked
        first = not layout or layout[-1].page != paragraph.page
        layout.append(ParagraphView(paragraph.number, paragraph.page, bool(pages) and first, segments))
    return layout
