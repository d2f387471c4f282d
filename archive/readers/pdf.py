"""PDF: text per page (pypdf), so that passages cite their page."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

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
        page_texts, info = _extract(source)
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


def _extract(source: Source) -> tuple[list[str], dict]:
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # the reason for a bad file is in the report
    try:
        reader = PdfReader(source.open(), strict=False)
        _decrypt(reader)
        return _page_texts(reader, source), reader.metadata or {}
    except FileNotDecryptedError as error:
        raise ReadError("encrypted PDF: a password is needed to read it") from error
    except DependencyError as error:
        raise ReadError(
            f"encrypted PDF: decrypting it needs a library that is not installed ({error})"
        ) from error
    except LimitReachedError as error:
        raise ReadError(f"PDF refused: it exceeds a safety limit of the PDF library ({error})") from error
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise ReadError(f"corrupt PDF: {error}") from error


def _decrypt(reader: PdfReader) -> None:
    """Many PDFs are encrypted only against editing, with an empty password to open them."""
    if reader.is_encrypted and not reader.decrypt(""):
        raise FileNotDecryptedError("a password is needed")


def _page_texts(reader: PdfReader, source: Source) -> list[str]:
    """Text per page, within the file's time budget: a few KB of PDF can hold pages that take
    minutes each (content streams repeated page after page), so the budget is also checked
    before every drawing operator."""
    texts = []
    for page in reader.pages:
        source.check_time()
        visitor = source.clock.check if source.clock else None
        texts.append((page.extract_text(visitor_operand_before=visitor) or "").strip())
    return texts


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
