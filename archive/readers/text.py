"""Plain text in any common encoding (charset-normalizer detects it)."""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Iterator

import filetype
from charset_normalizer import from_bytes

from archive.domain import Document
from archive.errors import ReadError
from archive.readers.base import Source, require_text
from archive.readers.boilerplate import split_footer
from archive.readers.textmeta import head_metadata, merge

_MOSTLY_UTF8 = 0.005  # share of undecodable bytes tolerated before trying other encodings
_MAX_CONTROLS = 0.01  # share of control characters above which "text" is binary content
# C0 controls that plain text does not contain (tab, new lines, form feed and escape are allowed).
_CONTROL_BYTES = bytes(c for c in range(32) if c not in b"\t\n\r\x0c\x1b")
_CONTROL_CHARS = dict.fromkeys(_CONTROL_BYTES)
_TEXT_BYTES = bytes(c for c in range(256) if c not in _CONTROL_BYTES)
_SAMPLE = 65536


def decode_text(data: bytes, what: str = "file") -> str:
    """Text from bytes: UTF-8 when it is (or nearly is), UTF-16 with or without a byte order mark,
    else the encoding charset-normalizer finds; binary content is refused."""
    if not data:
        raise ReadError(f"{what} is empty (0 bytes)")
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    for decode in (_utf16, _utf8, _other_encoding):
        text = decode(data)
        if text is not None:
            break
    if control_share(text[:_SAMPLE]) > _MAX_CONTROLS:
        raise ReadError("binary content (control characters), not a text document")
    return _normalise_newlines(text)


def control_share(text: str) -> float:
    """The share of characters that never appear in plain text (NUL and other C0 controls)."""
    return (len(text) - len(text.translate(_CONTROL_CHARS))) / max(1, len(text))


def _utf16(data: bytes) -> str | None:
    """UTF-16 text: with a byte order mark, or without one when every other byte is near constant
    (0x00 for Latin script, 0x06 for Arabic, 0x04 for Cyrillic) and the others vary."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[2 : len(data) - len(data) % 2].decode(encoding, errors="replace")
    sample = data[:_SAMPLE]
    if len(sample) < 4 or len(sample) - len(sample.translate(None, _CONTROL_BYTES)) < len(sample) // 10:
        return None
    even, odd = _top_share(sample[0::2]), _top_share(sample[1::2])
    if max(even, odd) < 0.5 or min(even, odd) > 0.4:
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data[: len(data) - len(data) % 2].decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if control_share(text[:_SAMPLE]) <= _MAX_CONTROLS else None


def _top_share(data: bytes) -> float:
    return Counter(data).most_common(1)[0][1] / len(data)


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", errors="replace")
    if replaced.count("\ufffd") <= max(1, len(data) * _MOSTLY_UTF8) and _has_multibyte(data):
        return replaced
    return None


def binary_kind(head: bytes) -> str | None:
    """The MIME type of the binary format `head` starts with; None for text, including text that
    merely begins like a signature (`BMW sales` is not a bitmap: it has no control bytes)."""
    head = head[:8192]
    kind = filetype.guess(head)
    if kind is None or kind.mime.startswith("text/") or not head.translate(None, _TEXT_BYTES):
        return None
    return kind.mime


def _other_encoding(data: bytes) -> str:
    if kind := binary_kind(data):
        raise ReadError(f"binary content ({kind}), not a text document")
    encoding = _best_encoding(data[: 4 * 2**20])
    if encoding is None:
        raise ReadError("binary content or unknown text encoding")
    return data.decode(encoding, errors="replace")


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
        split = split_footer(require_text(decode_text(source.read_bytes())))
        text = require_text(split.body)
        metadata = merge({}, head_metadata(text, split.footer))
        if "title" not in metadata:
            metadata["title"] = first_line_title(text, source.name.rsplit(".", 1)[0])
            metadata["provenance"]["title"] = "byline"
        yield source.document(text, self.format, **metadata)
