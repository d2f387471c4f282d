"""PDF: text per page (pypdf), so that passages cite their page."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PdfStreamError

from archive.dates import iso_date
from archive.domain import Document
from archive.errors import ReadError
from archive.readers.base import Source

PAGE_SEPARATOR = "\n\n"


class PdfReaderAdapter:
    format = "pdf"
    suffixes = (".pdf",)

    def sniff(self, head: bytes) -> bool:
        return head[:1024].lstrip().startswith(b"%PDF-")

    def read(self, source: Source) -> Iterator[Document]:
        if not self.sniff(source.head()):
            raise ReadError("not a PDF (no %PDF header): corrupt or mislabelled file")
        logging.getLogger("pypdf").setLevel(logging.ERROR)
        try:
            reader = PdfReader(source.open(), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise ReadError("encrypted PDF: a password is needed to read it")
            page_texts = [(page.extract_text() or "").strip() for page in reader.pages]
            info = reader.metadata or {}
        except FileNotDecryptedError as error:
            raise ReadError("encrypted PDF: a password is needed to read it") from error
        except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, OSError) as error:
            raise ReadError(f"corrupt PDF: {error}") from error
        if not any(page_texts):
            raise ReadError(
                f"PDF has no text layer ({len(page_texts)} page(s) of images?): no text extracted"
            )
        text, pages = _join_pages(page_texts)
        yield source.document(
            text,
            self.format,
            title=_meta(info, "/Title") or source.name.rsplit(".", 1)[0],
            author=_meta(info, "/Author"),
            date=iso_date(_meta(info, "/CreationDate")),
            pages=pages,
        )


def _join_pages(page_texts: list[str]) -> tuple[str, list[tuple[int, int]]]:
    parts, pages, position = [], [], 0
    for page_text in page_texts:
        parts.append(page_text)
        pages.append((position, position + len(page_text)))
        position += len(page_text) + len(PAGE_SEPARATOR)
    return PAGE_SEPARATOR.join(parts), pages


def _meta(info, key: str) -> str | None:
    value = info.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return value or None
