"""Plain text in any common encoding (charset-normalizer detects it)."""

from __future__ import annotations

from collections.abc import Iterator

import filetype
from charset_normalizer import from_bytes

from archive.domain import Document
from archive.errors import ReadError
from archive.readers.base import Source, require_text
from archive.readers.textmeta import head_metadata

_MOSTLY_UTF8 = 0.005  # share of undecodable bytes tolerated before trying other encodings


def decode_text(data: bytes, what: str = "file") -> str:
    """Text from bytes: UTF-8 when it is (or nearly is), else the encoding charset-normalizer finds."""
    if not data:
        raise ReadError(f"{what} is empty (0 bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return _normalise_newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    looks_utf16 = data.count(b"\x00") > len(data) // 8
    if not looks_utf16:
        replaced = data.decode("utf-8", errors="replace")
        if replaced.count("\ufffd") <= max(1, len(data) * _MOSTLY_UTF8) and _has_multibyte(data):
            return _normalise_newlines(replaced)
    kind = filetype.guess(data[:8192])
    if kind is not None and not kind.mime.startswith("text/"):
        raise ReadError(f"binary content ({kind.mime}), not a text document")
    encoding = _best_encoding(data[: 4 * 2**20])
    if encoding is None:
        raise ReadError("binary content or unknown text encoding")
    text = data.decode(encoding, errors="replace")
    if "\x00" in text:
        raise ReadError("binary content (NUL bytes), not a text document")
    return _normalise_newlines(text)


def _best_encoding(data: bytes) -> str | None:
    """charset-normalizer's choice; among equally good candidates, the most common (cp1252)."""
    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        tied = (match.chaos, match.coherence) == (best.chaos, best.coherence)
        if tied and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return best.encoding


def _has_multibyte(data: bytes) -> bool:
    return any(0xC2 <= b <= 0xF4 for b in data[:65536])


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= 200 else fallback
    return fallback


class TextReader:
    format = "text"
    suffixes = (".txt", ".text", ".log", ".csv", ".tsv")

    def sniff(self, head: bytes) -> bool:
        return False  # plain text is what is left when nothing else matches

    def read(self, source: Source) -> Iterator[Document]:
        text = require_text(decode_text(source.read_bytes()))
        stem = source.name.rsplit(".", 1)[0]
        head = head_metadata(text)
        yield source.document(
            text,
            self.format,
            title=head.title or first_line_title(text, stem),
            author=head.author,
            date=head.date,
            source=head.source,
        )
