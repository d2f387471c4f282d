"""The line patterns `textmeta` reads: what one line of a text's head says about the document.

Each pattern gives a `Found` with a rank: when two lines give the same field, the lower rank
wins (an explicit `Published:` date over a date in a masthead, a byline over a signature line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.dates import DATE_PHRASE, DAY_MONTH, dates_in, parse_date_phrase
from archive.sources import clean_source, is_name

EXPLICIT, MASTHEAD, LOOSE = 0, 1, 2  # ranks
MAX_DATE_LINE_WORDS = 12

_BYLINE = re.compile(r"^(?:written\s+)?by\s+(?P<rest>\S.*)$", re.IGNORECASE)
_AUTHOR_LABELS = (
    r"authors?|by|byline|written\s+by|reporter|correspondent|host|presenter|lead\s+researcher|"
    r"researcher|field\s+coordinator|prepared\s+by"
)
_DATE_LABELS = r"published|publication\s+date|date|dated|released|issued|posted|first\s+published"
_LABELLED = re.compile(
    rf"^(?:(?P<author>{_AUTHOR_LABELS})|(?P<date>{_DATE_LABELS}))\s*:\s*(?P<value>\S.*)$", re.IGNORECASE
)
LABEL = re.compile(r"^[\w .'-]{1,25}:\s")
# Separators between the parts of a byline or publication line, and where a name ends.
# _PARTS and _NAME_END start where no space precedes them: a leftmost match never starts inside a
# run of spaces anyway, and without the lookbehind a long run costs quadratic time. _AND splits
# text whose spaces are already collapsed.
_PARTS = re.compile(r"(?<!\s)\s*(?:\||·|•|\s[—–]\s|\s-\s)\s*")
_NAME_END = re.compile(r"(?<!\s)\s*(?:,|\||·|•|\s[—–-]\s|\(|\son\s+\d)")
_AND = re.compile(r"\s*(?:,\s*and|\band\b|&)\s+")
_PUBLISHED_PART = re.compile(r"^(?:published|released|posted|issued|updated)\b", re.IGNORECASE)
# `VALMORRA, March 3 (Basin Wire) —` at the start of the first paragraph
_DATELINE = re.compile(
    r"^(?P<city>[A-Z][A-Za-z'’. -]{1,40}),\s+(?P<date>[^()]{3,30}?)\s*\((?P<agency>[^()]{2,40})\)\s*[-—–:]"
)
_SIGNATURE = re.compile(r"^(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}),\s+[A-Z][\w'’ -]{1,30}$")


@dataclass(frozen=True)
class Found:
    values: dict[str, str | None]
    rank: int = LOOSE


def read_line(line: str, index: int) -> Found | None:
    """What the line gives (author, date, source), or None when it is not a metadata line."""
    line = line.strip().strip("*_").strip()
    for pattern in (_masthead, _byline, _labelled_parts, _publication_line, _qualified_source, _date_line):
        found = pattern(line, index)
        if found is not None:
            return found
    return None


def title_candidate(line: str) -> bool:
    """A line that may be the headline (not a label, a masthead, a table row or a stage note)."""
    return not (is_masthead(line) or "|" in line or LABEL.match(line) or line.startswith(("[", "(")))


def is_masthead(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    if not letters or len(line.split("|")[0].split()) > 8:
        return False
    return sum(c.isupper() for c in letters) / len(letters) > 0.5


def _masthead(line: str, index: int) -> Found | None:
    if index != 0 or not is_masthead(line):
        return None
    return Found({"source": clean_source(line.split("|")[0]), "date": _first_date(line)}, MASTHEAD)


def _byline(line: str, index: int) -> Found | None:
    match = _BYLINE.match(line)
    if not match:
        return None
    rest = match.group("rest")
    author = author_name(rest)
    if author is None:
        return None
    values = {"author": author, "date": _first_date(rest)}
    publication = _publication_line(rest, index)  # `By NAME | PUBLICATION | DATE`
    if publication is not None and publication.values.get("source"):
        values["source"] = publication.values["source"]
    return Found(values, EXPLICIT)


def _labelled(line: str, index: int) -> Found | None:
    match = _LABELLED.match(line)
    if not match:
        return None
    value = match.group("value")
    if match.group("author"):
        author = author_name(value)
        return Found({"author": author}, EXPLICIT) if author else None
    date = _first_date(value)
    return Found({"date": date}, EXPLICIT) if date else None


def _labelled_parts(line: str, index: int) -> Found | None:
    """`Prepared by: Marine Security Desk | Date: 16 January 2026`: each labelled part counts."""
    values: dict[str, str | None] = {}
    for part in line.split(" | "):
        found = _labelled(part.strip(), index)
        if found is not None:
            values = {**found.values, **values}
    return Found(values, EXPLICIT) if values else None


def _publication_line(line: str, index: int) -> Found | None:
    """`NAME | PUBLICATION | DATE`, `Section | Date`, `Podcast | Recorded D | Released D`."""
    if "|" not in line or len(line.split()) > 3 * MAX_DATE_LINE_WORDS:
        return None
    parts = [part.strip() for part in line.split("|") if part.strip()]
    dated = [part for part in parts if DATE_PHRASE.search(part)]
    names = [part for part in parts if not DATE_PHRASE.search(part)]
    if not dated:
        return None
    published = [part for part in dated if _PUBLISHED_PART.match(part)]
    values: dict[str, str | None] = {"date": _first_date((published or dated)[-1])}
    if len(names) >= 2 and is_name(names[0]) and clean_source(names[1]):
        values.update(author=names[0], source=clean_source(names[1]))
    return Found(values, MASTHEAD)


def _qualified_source(line: str, index: int) -> Found | None:
    """`Azrun Monitor · Verify desk`, `Basin Rights Watch — Report summary` below the headline."""
    parts = _PARTS.split(line, maxsplit=1)
    if index == 0 or len(parts) != 2 or len(line.split()) > 10 or len(parts[1].split()) > 5:
        return None
    source = clean_source(parts[0])
    if source is None or DATE_PHRASE.search(line):
        return None
    return Found({"source": source}, LOOSE)


def _date_line(line: str, index: int) -> Found | None:
    """A short line holding a date: `Marsa Halim, 3 February 2025`, `News | 3 September 2025`."""
    if len(line.split()) > MAX_DATE_LINE_WORDS:
        return None
    date = _first_date(line)
    return Found({"date": date}, LOOSE) if date else None


def dateline(paragraph: str, known_date: str | None) -> Found:
    """`CITY, Month D (Agency) —` opening the first paragraph: the agency, and the date when its
    year is written or known from another date in the head."""
    match = _DATELINE.match(paragraph)
    if not match:
        return Found({})
    phrase = match.group("date")
    date = _first_date(phrase)
    if date is None and known_date is None and DAY_MONTH.fullmatch(phrase.strip()):
        return Found({"source": clean_source(match.group("agency"))}, LOOSE)
    if date is None and known_date and DAY_MONTH.fullmatch(phrase.strip()):
        date = parse_date_phrase(f"{phrase} {known_date[:4]}")
    return Found({"source": clean_source(match.group("agency")), "date": date}, LOOSE)


def signature(lines: list[str], title_index: int) -> Found:
    """`Tomas Ferreira, Ras Numan` right below the headline: an unmarked byline."""
    following = lines[title_index + 1 : title_index + 2]
    match = _SIGNATURE.match(following[0]) if following else None
    author = author_name(match.group("name")) if match else None
    return Found({"author": author}, LOOSE + 1) if author else Found({})


def author_name(text: str) -> str | None:
    """The name(s) opening a byline, several joined with `; `; None when it is not a name."""
    head = _NAME_END.split(text.strip(), maxsplit=1)[0].strip(" .*_")
    names = [name.strip() for name in _AND.split(" ".join(head.split())) if name.strip()]
    if not names or not all(is_name(name.replace(".", "")) and len(name.split()) <= 5 for name in names):
        return None
    return "; ".join(names)


def _first_date(text: str) -> str | None:
    found = dates_in(text)
    return found[0] if found else None
