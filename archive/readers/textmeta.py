"""Title, author, date and source written in a text: masthead, headline, byline, dateline.

Plain text (and the body of Markdown and e-mail) has no metadata fields, but news copy, reports
and statements follow conventions, each read by one pattern in `archive.readers.textlines`:

- a masthead: `THE MESHAN COURIER | NATIONAL | 14 January 2025`, `LE COURRIER DE VALMORRA — English
  Edition` (first line, in capitals: the source);
- a byline: `By Nadia Haddad-Rowe, Correspondent`, `By Priya Raman · 27 January 2026`,
  `By Jane Analyst · Senior Fellow · 12 December 2023`;
- a labelled line: `Published: 24 September 2025`, `Host: Dalia Mansour`, `Lead researcher: ...`;
- a publication line: `Strata Risk Intelligence | Azrun Dossier | 8 April 2026` (NAME |
  PUBLICATION | DATE), `Azrun Monitor · Verify desk` (a publication and its desk or series);
- a dateline: `Marsa Halim, 3 February 2025`, or at the start of the first paragraph
  `VALMORRA, March 3 (Basin Wire) —` (the year then comes from another date in the head);
- the headline: the longest line of the head (the lines before the first paragraph of body text)
  that is none of the above, preferring lines that do not end with a full stop.

Lines at the end (a footer of web leftovers, see `boilerplate`) are read too, for what the head
lacks: analysis sites often put the publication line there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from archive.readers import textlines
from archive.readers.textlines import Found
from archive.sources import title_case

HEAD_LINES = 15
_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass
class TextMetadata:
    title: str | None = None
    author: str | None = None
    date: str | None = None
    source: str | None = None
    # the field values found, with the rank of the pattern that found each (lower wins)
    _ranks: dict[str, int] = field(default_factory=dict, repr=False)

    def offer(self, found: Found) -> None:
        for name, value in found.values.items():
            if value and found.rank < self._ranks.get(name, 99):
                setattr(self, name, value)
                self._ranks[name] = found.rank

    def fields(self) -> dict[str, str]:
        """The fields found, by name (for a reader's metadata and its provenance)."""
        names = ("title", "author", "date", "source")
        return {name: getattr(self, name) for name in names if getattr(self, name)}

    def explicit(self, name: str) -> bool:
        """True when the field comes from an explicit byline or label (`By ...`, `Published: ...`)."""
        return self._ranks.get(name) == textlines.EXPLICIT


def merge(file_values: dict[str, str | None], text: TextMetadata, text_wins: Iterable[str] = ()) -> dict:
    """Reader metadata from the file's own fields and what its text says, with `provenance`:
    a file field stays ("file") unless it is empty or named in `text_wins` and explicit in the
    text; the text fills the rest ("byline")."""
    values = {name: value for name, value in file_values.items() if value}
    provenance = dict.fromkeys(values, "file")
    for name, value in text.fields().items():
        if name not in values or (name in text_wins and text.explicit(name)):
            values[name] = value
            provenance[name] = "byline"
    return {**values, "provenance": provenance}


def head_metadata(text: str, footer: Iterable[str] = ()) -> TextMetadata:
    lines, first_paragraph = _head(text)
    found = TextMetadata()
    candidates: list[str] = []
    for index, line in enumerate(lines):
        result = textlines.read_line(line, index)
        if result is None:
            if textlines.title_candidate(line):
                candidates.append(line)
            continue
        found.offer(result)
    if candidates:
        title = max(
            candidates,
            key=lambda line: (not line.endswith("."), min(len(line.split()), 30), -lines.index(line)),
        )
        found.title = title_case(title) if not any(c.islower() for c in title) else title
        found.offer(textlines.signature(lines, lines.index(title)))
    if first_paragraph:
        found.offer(textlines.dateline(first_paragraph, found.date))
    _read_footer(found, footer)
    return found


def _read_footer(found: TextMetadata, footer: Iterable[str]) -> None:
    """Fill what the head did not give from the footer's lines (never the title)."""
    tail = TextMetadata()
    for line in footer:
        result = textlines.read_line(line, index=1)
        if result is not None:
            tail.offer(result)
    for name, value in tail.fields().items():
        if not getattr(found, name):
            found.offer(Found({name: value}, tail._ranks[name]))


def _head(text: str) -> tuple[list[str], str | None]:
    """Non-empty lines before the body (up to the first block of lines that reads as a paragraph,
    wrapped or not), and the start of that paragraph."""
    head: list[str] = []
    for block in _blocks(text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if _is_paragraph(lines):
            return head[:HEAD_LINES], lines[0]
        head.extend(lines)
        if len(head) >= HEAD_LINES:
            return head[:HEAD_LINES], None
    return head, None


def _blocks(text: str) -> Iterator[str]:
    """Blocks between blank lines, one at a time (a 100 MB text is not split whole for its head)."""
    position = 0
    for match in _BLANK_LINES.finditer(text):
        yield text[position : match.start()]
        position = match.end()
    yield text[position:]


def _is_paragraph(lines: list[str]) -> bool:
    if sum(bool(textlines.LABEL.match(line.strip("*_ "))) for line in lines) * 2 >= len(lines) > 1:
        return False  # `Date: ...`, `Chair: ...`, `Status: ...`: a block of fields, not prose
    counts = [len(line.split()) for line in lines]
    prose = sum(counts) > 40 or (sum(counts) > 20 and lines[-1][-1] in '.!?"\u201d')
    wrapped = len(lines) == 1 or min(counts[:-1]) >= 6  # a letterhead has short lines
    return prose and wrapped
