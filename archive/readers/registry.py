"""Choose the reader for a source by its content first, then by its extension."""

from __future__ import annotations

import re
from collections.abc import Iterator

from archive.domain import Document
from archive.errors import ReadError
from archive.readers.base import Clock, Reader, RecordError, Source, mark_file_provenance, split_tags
from archive.readers.docx import DocxReader
from archive.readers.email import EmailReader
from archive.readers.html import HtmlReader
from archive.readers.jsonl import JsonLinesReader
from archive.readers.markdown import MarkdownReader
from archive.readers.pdf import PdfReaderAdapter
from archive.readers.text import TextReader, binary_kind

_END = object()
_SURROGATES = re.compile("[\ud800-\udfff]")
_LABELS = {"pdf": "PDF", "docx": ".docx", "html": "HTML page", "email": "e-mail", "jsonl": "JSON Lines file"}


class ReaderRegistry:
    def __init__(self) -> None:
        self.text = TextReader()
        # Order matters for sniffing: the most distinctive signatures first.
        self.readers: list[Reader] = [
            PdfReaderAdapter(),
            DocxReader(),
            HtmlReader(),
            EmailReader(read_nested=self.read),
            JsonLinesReader(),
            MarkdownReader(),
            self.text,
        ]

    @property
    def formats(self) -> list[str]:
        return [reader.format for reader in self.readers]

    @property
    def suffixes(self) -> set[str]:
        return {suffix for reader in self.readers for suffix in reader.suffixes}

    def reader_for(self, source: Source) -> Reader:
        head = source.head()
        if not head:
            raise ReadError("empty file (0 bytes)")
        for reader in self.readers:
            if reader.sniff(head):
                return reader
        for reader in self.readers:
            if source.suffix in reader.suffixes:
                return reader
        if kind := binary_kind(head):
            raise ReadError(f"binary content ({kind}), not a supported document format")
        return self.text

    def preflight(self, source: Source) -> Reader:
        """The reader for the source, once its first bytes and its size do not already refuse it."""
        reader = self.reader_for(source)
        if not getattr(reader, "streams", False):
            source.check_size()
        return reader

    def read(self, source: Source) -> Iterator[Document | RecordError]:
        """Documents in the source; ReadError when the file as a whole cannot be read.

        Whatever a reader (or the library under it) raises becomes a ReadError naming the file's
        problem, so one bad file never stops a run. Time is counted only while the reader works,
        not while its consumer holds a yielded document."""
        reader = self.preflight(source)
        source.clock = source.clock or Clock(source.max_seconds, _LABELS.get(reader.format, "file"))
        items = reader.read(source)
        try:
            while (item := self._next(items, reader.format, source.clock)) is not _END:
                yield _storable(item)
        finally:
            items.close()

    @staticmethod
    def _next(items: Iterator, fmt: str, clock: Clock):
        clock.resume()
        try:
            return next(items, _END)
        except ReadError as error:
            error.message = _without_surrogates(error.message)
            raise
        except Exception as error:
            raise _read_error(fmt, error) from error
        finally:
            clock.pause()


def _storable(item: Document | RecordError) -> Document | RecordError:
    """Without lone surrogates (a JSON `"\\udcff"` escape, a misdecoded header), which SQLite and
    the tokenizer refuse: one bad string must not stop the run. Each becomes U+FFFD, so offsets hold."""
    if isinstance(item, RecordError):
        return RecordError(_without_surrogates(item.location), _without_surrogates(item.reason))
    for name, value in vars(item).items():
        if isinstance(value, str):
            setattr(item, name, _without_surrogates(value))
        elif name == "tags":
            item.tags = split_tags([_without_surrogates(str(tag)) for tag in value])
    mark_file_provenance(vars(item), item.provenance)
    return item


def _without_surrogates(text: str) -> str:
    return _SURROGATES.sub("\ufffd", text)


def _read_error(fmt: str, error: Exception) -> ReadError:
    if isinstance(error, RecursionError):
        return ReadError(f"{fmt} too deeply nested to read")
    if isinstance(error, MemoryError):
        return ReadError(f"{fmt} too large to read in memory")
    if isinstance(error, (OSError, ValueError, LookupError, UnicodeError)):
        return ReadError(_without_surrogates(f"unreadable {fmt}: {error}"))
    # A library failing on a malformed file (pypdf, lxml, python-docx...): name it, don't stop.
    return ReadError(_without_surrogates(f"unreadable {fmt}: {type(error).__name__}: {error}"))


_registry: ReaderRegistry | None = None


def registry() -> ReaderRegistry:
    global _registry
    if _registry is None:
        _registry = ReaderRegistry()
    return _registry


def read_source(source: Source) -> Iterator[Document | RecordError]:
    return registry().read(source)
