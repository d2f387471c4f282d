"""HTML pages: the main text without navigation and boilerplate, with title/author/date/URL.

trafilatura finds the main content and metadata (htmldate supplies the publication date).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import trafilatura
from lxml import etree

from archive.dates import iso_date
from archive.domain import Document
from archive.errors import ReadError
from archive.readers.base import Source
from archive.readers.text import decode_text
from archive.sources import pick_source

MAX_TAGS = 200_000  # trafilatura needs about 1.5 KB of memory and 20 µs per tag
MAX_DEPTH = 256  # libxml2 stops parsing (and the rest of the page is lost) below this depth
_TITLE_OPEN = re.compile(r"<title", re.I)
_TITLE_CLOSE = re.compile(r"</title>", re.I)
_COPYRIGHT = re.compile(
    r"(?:©|&copy;|\(c\))\s*(?:\d{4}\s*)?([A-Z][^<·|.]{1,60}?)(?=\s*(?:[·|<.]|$|all rights))", re.I
)
# Comments before the first tag are skipped without backtracking (`*+`): each `.*?` could also
# stretch over the next comment, 2^n ways to fail on n comments (18 took 0.1 s, 25 about 15 s).
_HTML_START = re.compile(rb"^\s*+(?:<!--.*?-->\s*+)*+<(!doctype\s+html|html|head|body)\b", re.I | re.S)


class HtmlReader:
    format = "html"
    suffixes = (".html", ".htm", ".xhtml")

    def sniff(self, head: bytes) -> bool:
        return bool(_HTML_START.match(head.lstrip(b"\xef\xbb\xbf")))

    def read(self, source: Source) -> Iterator[Document]:
        markup = decode_text(source.read_bytes())
        check_markup(markup)
        try:
            extracted = trafilatura.bare_extraction(
                markup, with_metadata=True, include_comments=False, include_tables=True, favor_recall=True
            )
        except (ValueError, RecursionError, MemoryError) as error:
            raise ReadError(f"HTML could not be parsed ({type(error).__name__})") from error
        if extracted is None or not (extracted.text or "").strip():
            raise ReadError("no main text found in the HTML page")
        # trafilatura separates paragraphs with single new lines; the chunker wants blank lines.
        text = re.sub(r"\n+", "\n\n", extracted.text.strip())
        yield source.document(
            text,
            self.format,
            title=(extracted.title or "").strip() or source.name.rsplit(".", 1)[0],
            author=extracted.author or None,
            date=iso_date(extracted.date) if _date_from_page(extracted) else None,
            url=extracted.url or None,
            source=_source(markup, extracted),
            language=extracted.language or None,
        )


def check_markup(markup: str) -> None:
    """Refuse markup that would exhaust memory or be read only in part, saying why."""
    tags = markup.count("<")
    if tags > MAX_TAGS:
        raise ReadError(f"HTML has {tags:,} tags, over the {MAX_TAGS:,} limit: too large to extract its text")
    parser = etree.HTMLParser(encoding="utf-8", no_network=True)
    try:
        etree.fromstring(markup.encode("utf-8", errors="replace"), parser)
    except etree.LxmlError:
        return  # nothing parseable: trafilatura will say there is no text
    for entry in parser.error_log:
        if entry.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT and "depth" in entry.message:
            raise ReadError(f"HTML nested more than {MAX_DEPTH} levels deep: malformed or hostile, not read")
        if entry.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            raise ReadError(f"HTML exceeds a parser limit: {entry.message.strip()}")


def _title(markup: str) -> str | None:
    """The first <title>'s text, white space collapsed. Found with `find`, not a pattern: `<title>`
    repeated 8,000 times cost 8 s as `<title[^>]*>(.*?)</title>` (each one scanned to the end),
    and a run of 20,000 spaces 8 s in a split on `\\s+[|-]\\s+`."""
    start = _TITLE_OPEN.search(markup)
    opened = markup.find(">", start.end()) if start else -1
    end = _TITLE_CLOSE.search(markup, opened) if opened >= 0 else None
    return " ".join(markup[opened + 1 : end.start()].split()) if end else None


def _source(markup: str, extracted) -> str | None:
    """The publication: the site name trafilatura found, the holder of the page's copyright line or
    a part of its <title>, preferring the one that matches the page's domain (never a headline)."""
    title = _title(markup[:200_000])
    parts = re.split(r" [|—–·-] ", title) if title else []
    holders = _COPYRIGHT.findall(markup[-200_000:])
    return pick_source([extracted.sitename, *reversed(holders), *parts[1:][::-1]], extracted.url)


def _date_from_page(extracted) -> bool:
    """trafilatura falls back to today's date when a page has none; do not cite that."""
    return bool(extracted.date) and extracted.date != getattr(extracted, "filedate", None)
