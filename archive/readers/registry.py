"""Choose the reader for a source by its content first, then by its extension."""

from __future__ import annotations

from collections.abc import Iterator

import filetype

from archive.domain import Document
from archive.errors import ReadError
from archive.readers.base import Reader, RecordError, Source
from archive.readers.docx import DocxReader
from archive.readers.email import EmailReader
from archive.readers.html import HtmlReader
from archive.readers.jsonl import JsonLinesReader
from archive.readers.markdown import MarkdownReader
from archive.readers.pdf import PdfReaderAdapter
from archive.readers.text import TextReader


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
        kind = filetype.guess(head)
        if kind is not None and not kind.mime.startswith("text/"):
            raise ReadError(f"unsupported format ({kind.mime})")
        return self.text

    def read(self, source: Source) -> Iterator[Document | RecordError]:
        """Documents in the source; ReadError when the file as a whole cannot be read."""
        reader = self.reader_for(source)
        try:
            yield from reader.read(source)
        except ReadError:
            raise
        except RecursionError as error:
            raise ReadError(f"{reader.format} too deeply nested to read") from error
        except MemoryError as error:
            raise ReadError(f"{reader.format} too large to read in memory") from error
        except (OSError, ValueError, LookupError, UnicodeError) as error:
            raise ReadError(f"unreadable {reader.format}: {error}") from error


_registry: ReaderRegistry | None = None


def registry() -> ReaderRegistry:
    global _registry
    if _registry is None:
        _registry = ReaderRegistry()
    return _registry


def read_source(source: Source) -> Iterator[Document | RecordError]:
    return registry().read(source)
