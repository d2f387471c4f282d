"""JSON Lines: one document per line, streamed. BEIR corpora (`_id`, `title`, `text`) work as is.

A malformed line is reported with its number; the other lines are still read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from archive.dates import iso_date
from archive.domain import Document, part_identity
from archive.errors import ReadError
from archive.readers.base import RecordError, Source, size_text
from archive.readers.text import binary_kind

_ID_FIELDS = ("_id", "id", "doc_id", "docid")
_TEXT_FIELDS = ("text", "body", "content")
_DATE_FIELDS = ("date", "published", "published_at", "pubdate")


class JsonLinesReader:
    format = "jsonl"
    suffixes = (".jsonl", ".ndjson")
    streams = True  # read line by line: no whole-file size limit, only one per line

    def sniff(self, head: bytes) -> bool:
        first_line = head.lstrip().split(b"\n", 1)[0].strip()
        if not (first_line.startswith(b"{") and first_line.endswith(b"}")):
            return False
        try:
            record = json.loads(first_line)
        except ValueError:
            return False
        return isinstance(record, dict) and any(f in record for f in _TEXT_FIELDS)

    def read(self, source: Source) -> Iterator[Document | RecordError]:
        head = source.head()
        if b"\x00" in head or binary_kind(head):
            raise ReadError(f"binary content ({binary_kind(head) or 'NUL bytes'}), not JSON Lines")
        with source.open() as handle:
            for number, raw in enumerate(_lines(handle, source.max_bytes), start=1):
                if isinstance(raw, RecordError):
                    yield RecordError(f"line {number}", raw.reason)
                    continue
                if not raw.strip():
                    continue
                try:
                    yield self._record(source, number, raw)
                except ValueError as error:
                    yield RecordError(f"line {number}", str(error))

    def _record(self, source: Source, number: int, raw: bytes) -> Document:
        try:
            record = json.loads(raw.strip())
        except json.JSONDecodeError as error:
            raise ValueError(
                f"malformed JSON ({error.msg.removesuffix(' at')} at column {error.colno})"
            ) from None
        except UnicodeDecodeError:
            raise ValueError("not UTF-8 text") from None
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        text = _first(record, _TEXT_FIELDS)
        if not isinstance(text, str) or not text.strip():
            raise ValueError("no text (expected a non-empty 'text', 'body' or 'content' field)")
        external_id = _first(record, _ID_FIELDS)
        key = f"id={external_id}" if external_id is not None else f"line-{number}"
        title = record.get("title")
        tags = record.get("tags") or []
        return Document(
            identity=part_identity(source.identity, key),
            text=text.replace("\r\n", "\n").strip(),
            format=self.format,
            sha256=hashlib.sha256(raw.strip()).hexdigest(),
            size=len(raw),
            title=str(title).strip() if title else _first_words(text),
            external_id=str(external_id) if external_id is not None else None,
            source=_string(record.get("source")),
            author=_string(record.get("author")),
            date=iso_date(_first(record, _DATE_FIELDS)),
            url=_string(record.get("url")),
            path=source.shown_path,
            language=_string(record.get("language")),
            tags=[str(t) for t in tags] if isinstance(tags, list) else [str(tags)],
            provenance={} if title else {"title": "byline"},  # the text's first words
        )


def _lines(handle, max_line: int) -> Iterator[bytes | RecordError]:
    """Lines of the file; an overlong line is skipped (reported) without holding it in memory."""
    while True:
        line = handle.readline(max_line + 1)
        if not line:
            return
        if len(line) > max_line and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = handle.readline(2**20)
            yield RecordError("", f"line longer than the {size_text(max_line)} limit, skipped")
            continue
        yield line


def _first(record: dict, fields: tuple[str, ...]):
    for name in fields:
        if record.get(name) not in (None, ""):
            return record[name]
    return None


def _string(value) -> str | None:
    return str(value).strip() or None if value not in (None, "") else None


def _first_words(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
