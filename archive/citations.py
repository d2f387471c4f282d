"""Citations an analyst can paste: exact quote, title, source, author, date, location, link."""

from __future__ import annotations

import re
from urllib.parse import quote as url_quote

_SPACE = re.compile(r"\s+")
QUOTE_MAX_WORDS = 60


def location(page: int | None, paragraph: int | None) -> str:
    if page:
        return f"p. {page}"
    if paragraph:
        return f"para. {paragraph}"
    return ""


def passage_link(base_url: str, doc_id: str, start: int, end: int) -> str:
    """A link that opens the document scrolled to this passage, highlighted.

    It names the passage by its character span in the document text, so it stays valid as long
    as the document does (rebuilding the indexes does not change it).
    """
    return f"{base_url.rstrip('/')}/documents/{url_quote(doc_id)}?at={start}-{end}#passage"


def one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def best_quote(text: str, spans: list[list[int]], sentences: list[tuple[int, int]]) -> tuple[int, int]:
    """The span to quote: the sentences holding the first highlights, at most QUOTE_MAX_WORDS."""
    if not sentences:
        return 0, len(text)
    chosen = [s for s in sentences if any(s[0] <= a < s[1] for a, _ in spans)] or sentences[:1]
    start, end = chosen[0]
    for _, sentence_end in chosen[1:]:
        if len(text[start:sentence_end].split()) > QUOTE_MAX_WORDS:
            break
        end = sentence_end
    if len(text[start:end].split()) > QUOTE_MAX_WORDS:  # one very long sentence: cut at a word
        words = list(re.finditer(r"\S+", text[start:end]))
        end = start + words[QUOTE_MAX_WORDS - 1].end()
    return start, end


def citation(document: dict, passage: dict, quote: str, link: str) -> dict:
    """`“quote” — Title, Source, Author, Date, p. 3. <link>`, in plain text and Markdown."""
    where = location(passage.get("page"), passage.get("paragraph"))
    details = [
        part for part in (document.get("source"), document.get("author"), document.get("date"), where) if part
    ]
    title = document.get("title") or ""
    quote = one_line(quote)
    reference = ", ".join([title, *details] if title else details)
    markdown_reference = ", ".join(
        ([f"*{_markdown_escape(title)}*"] if title else []) + [_markdown_escape(d) for d in details]
    )
    return {
        "title": document.get("title"),
        "source": document.get("source"),
        "author": document.get("author"),
        "date": document.get("date"),
        "url": document.get("url") or document.get("path"),
        "location": where,
        "quote": quote,
        "link": link,
        "text": f"\u201c{quote}\u201d \u2014 {reference}. <{link}>",
        "markdown": f"> \u201c{_markdown_escape(quote)}\u201d\n>\n> \u2014 {markdown_reference}. "
        f"[Link]({link})",
    }


def cite_passage(document: dict, passage: dict, base_url: str) -> dict:
    """The citation of a passage (text, start, end, page, paragraph, highlights) of a document."""
    from archive.chunking import sentence_spans

    text = passage["text"]
    quote_start, quote_end = best_quote(text, passage.get("highlights") or [], sentence_spans(text))
    link = passage_link(base_url, document["id"], passage["start"], passage["end"])
    return citation(document, passage, text[quote_start:quote_end], link)


def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|])", r"\\\1", text)
