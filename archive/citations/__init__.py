"""Citations an analyst can paste: the exact quote, title, source, author, date, the page and
paragraph of the quote, the original URL, a link to the quote in the archive and the access
date; as plain text and Markdown here, and as CSL-JSON, RIS and BibTeX in `export`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import PurePath
from urllib.parse import quote as url_quote
from urllib.parse import urlencode

from archive.citations.paragraphs import Paragraph, locate, location, paragraphs
from archive.citations.quote import QUOTE_MAX_WORDS, is_cut, keyword_quote, one_line, shorten

__all__ = [
    "QUOTE_MAX_WORDS",
    "Paragraph",
    "cite_passage",
    "citation",
    "document_link",
    "keyword_quote",
    "location",
    "one_line",
    "paragraphs",
    "passage_link",
    "shorten",
]

_ELLIPSIS = "\u2026"


def document_link(base_url: str, doc_id: str) -> str:
    return f"{base_url.rstrip('/')}/documents/{url_quote(doc_id, safe='')}"


def passage_link(base_url: str, doc_id: str, start: int, end: int, query: str | None = None) -> str:
    """A link that opens the document at this span of its text, highlighted (with the query's
    words highlighted too when `query` is given).

    It names the span by character offsets in the document text, so it stays valid as long as
    the document does (rebuilding the indexes does not change it).
    """
    arguments = {"at": f"{start}-{end}", **({"q": query} if query else {})}
    return f"{document_link(base_url, doc_id)}?{urlencode(arguments)}#passage"


def cite_passage(
    document: dict,
    passage: dict,
    base_url: str,
    numbered: Sequence[Paragraph] = (),
    query: str | None = None,
) -> dict:
    """The citation of a passage (text, start, end, page, paragraph, optional `quote_span` and
    highlights) of a document whose numbered paragraphs are `numbered`.

    Sets the passage's `quote_span` (when absent), `page` and `paragraph` to those of the quote.
    """
    text = passage["text"]
    span = passage.get("quote_span") or keyword_quote(text, passage.get("highlights") or []) or (0, len(text))
    passage["quote_span"] = list(span)
    start, end = passage["start"] + span[0], passage["start"] + span[1]
    where = locate(numbered, start)
    if where is not None:
        passage["page"], passage["paragraph"] = where.page, where.number
    link = passage_link(base_url, document["id"], start, end, query)
    cut = is_cut(text, span)
    return citation(document, passage, text[span[0] : span[1]], link, cut)


def citation(
    document: dict,
    passage: dict,
    quote: str,
    link: str,
    cut: tuple[bool, bool] = (False, False),
    accessed: dt.date | None = None,
) -> dict:
    """The citation's fields, and `text` and `markdown` renderings of them."""
    accessed_on = (accessed or dt.date.today()).isoformat()
    quote = one_line(quote)
    shown = (_ELLIPSIS if cut[0] else "") + quote + (_ELLIPSIS if cut[1] else "")
    fields = {
        "title": document.get("title"),
        "source": document.get("source"),
        "author": document.get("author"),
        "date": document.get("date"),
        "url": document.get("url") or None,
        "file": PurePath(document["path"]).name if document.get("path") else None,
        "location": location(passage.get("page"), passage.get("paragraph")),
        "page": passage.get("page"),
        "paragraph": passage.get("paragraph"),
        "quote": quote,
        "link": link,
        "accessed": accessed_on,
    }
    return {**fields, "text": _plain(fields, shown), "markdown": _markdown(fields, shown)}


def _heading(fields: dict) -> str:
    return fields["title"] or fields["file"] or ""


def _details(fields: dict) -> list[str]:
    return [str(fields[name]) for name in ("source", "author", "date", "location") if fields[name]]


def _plain(fields: dict, quote: str) -> str:
    reference = ". ".join(part for part in (_heading(fields), ", ".join(_details(fields))) if part)
    original = f" <{fields['url']}>." if fields["url"] else ""
    return (
        f"\u201c{quote}\u201d \u2014 {reference}.{original} "
        f"Archived copy: <{fields['link']}> (accessed {fields['accessed']})."
    )


def _markdown(fields: dict, quote: str) -> str:
    heading = f"*{_markdown_escape(_heading(fields))}*" if _heading(fields) else ""
    details = ", ".join(_markdown_escape(part) for part in _details(fields))
    reference = ". ".join(part for part in (heading, details) if part)
    original = f" [Original]({_markdown_url(fields['url'])})." if fields["url"] else ""
    return (
        f"> \u201c{_markdown_escape(quote)}\u201d\n>\n> \u2014 {reference}.{original} "
        f"[Archived copy]({_markdown_url(fields['link'])}) (accessed {fields['accessed']})."
    )


def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", one_line(text))


def _markdown_url(url: str) -> str:
    """A URL safe inside Markdown's `(...)`: no spaces, brackets or angle brackets."""
    return re.sub(r"[\s()<>\[\]]", lambda m: f"%{ord(m.group()):02X}", url)
