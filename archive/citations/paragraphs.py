"""Paragraph and page numbers of a document: the one numbering that citations and the document
view both use, so a reader can find a cited paragraph by counting the numbers in the margin.

Paragraphs are the blank-line separated blocks chunking cuts from. A document with pages (PDF)
numbers its paragraphs from 1 on each page ("p. 3, para. 2"); a page is a hard boundary, so a
paragraph running over a page break counts on both pages. Other documents number them from 1.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from archive.chunking import paragraph_spans


@dataclass(frozen=True)
class Paragraph:
    number: int  # from 1 in the document, or in its page when the document has pages
    page: int | None
    start: int  # offsets in the document text
    end: int

    @property
    def location(self) -> str:
        return location(self.page, self.number)


def paragraphs(text: str, pages: Sequence[Sequence[int]] | None = None) -> list[Paragraph]:
    """The numbered paragraphs of a document's text; `pages` are (start, end) spans."""
    found: list[Paragraph] = []
    regions = pages or [(0, len(text))]
    for index, (region_start, region_end) in enumerate(regions):
        page = index + 1 if pages else None
        first = 0 if pages else len(found)
        for number, (start, end) in enumerate(paragraph_spans(text, region_start, region_end), first + 1):
            found.append(Paragraph(number, page, start, end))
    return found


def of_document(document: Mapping) -> list[Paragraph]:
    """The numbered paragraphs of a stored document (its `text` and, for a PDF, `pages`)."""
    return paragraphs(document["text"], document.get("pages"))


def locate(numbered: Sequence[Paragraph], offset: int) -> Paragraph | None:
    """The paragraph holding `offset`; in the white space between two, the next one."""
    index = bisect_right([p.start for p in numbered], offset) - 1
    if index >= 0 and offset < numbered[index].end:
        return numbered[index]
    return numbered[index + 1] if index + 1 < len(numbered) else None


def location(page: int | None, paragraph: int | None) -> str:
    """`p. 3, para. 2`, `para. 9`, `p. 3` or empty."""
    parts = ([f"p. {page}"] if page else []) + ([f"para. {paragraph}"] if paragraph else [])
    return ", ".join(parts)
