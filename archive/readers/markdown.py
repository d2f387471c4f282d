"""Markdown, rendered to plain text (markdown-it-py parses it): headings, paragraphs, lists."""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it import MarkdownIt

from archive.dates import iso_date
from archive.domain import Document
from archive.readers.base import Source, require_text, split_tags
from archive.readers.boilerplate import split_footer
from archive.readers.text import decode_text
from archive.readers.textmeta import head_metadata, merge

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_BLOCK_TOKENS = {"paragraph_open", "heading_open", "list_item_open", "blockquote_open"}
_SOURCE_KEYS = ("source", "outlet", "publication", "publisher", "site_name")


class MarkdownReader:
    format = "markdown"
    suffixes = (".md", ".markdown", ".mdown")

    def __init__(self) -> None:
        self._parser = MarkdownIt("commonmark").enable("table")

    def sniff(self, head: bytes) -> bool:
        return False

    def read(self, source: Source) -> Iterator[Document]:
        raw = decode_text(source.read_bytes())
        metadata, body = _front_matter(raw)
        text, first_heading = self._plain_text(body)
        split = split_footer(require_text(text))
        text = require_text(split.body)
        found = head_metadata(text, split.footer)
        found.title = first_heading or found.title
        file_values = {
            "title": metadata.get("title"),
            "author": metadata.get("author"),
            "date": iso_date(metadata.get("date")),
            "source": next((metadata[key] for key in _SOURCE_KEYS if metadata.get(key)), None),
        }
        yield source.document(
            text,
            self.format,
            url=metadata.get("url"),
            tags=split_tags(metadata.get("tags", "").strip("[]")),
            **merge(file_values, found),
        )

    def _plain_text(self, body: str) -> tuple[str, str | None]:
        blocks: list[str] = []
        first_heading = None
        in_heading = False
        for token in self._parser.parse(body):
            if token.type == "heading_open":
                in_heading = True
            elif token.type == "heading_close":
                in_heading = False
            elif token.type == "inline":
                content = "".join(_inline_text(child) for child in token.children or [])
                content = content.strip()
                if content:
                    blocks.append(content)
                    if in_heading and first_heading is None:
                        first_heading = content
            elif token.type in ("fence", "code_block") and token.content.strip():
                blocks.append(token.content.rstrip())
        return "\n\n".join(blocks), first_heading


def _inline_text(token) -> str:
    if token.type in ("text", "code_inline", "html_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    if token.type == "image":
        return token.content
    return ""


def _front_matter(raw: str) -> tuple[dict[str, str], str]:
    match = _FRONT_MATTER.match(raw)
    if not match:
        return {}, raw
    metadata = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            metadata[key.strip().lower()] = value.strip().strip("\"'")
    return metadata, raw[match.end() :]
