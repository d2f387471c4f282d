"""Dates from metadata strings, normalised to ISO 8601 calendar dates."""

from __future__ import annotations

import datetime as dt
import functools
import re

from dateutil import parser as date_parser

# The longest way of writing one date, with room: `Tuesday, 14 March 2025 12:00:00 +0100 (CET)`.
MAX_DATE_LENGTH = 100


def iso_date(value: object) -> str | None:
    """`YYYY-MM-DD` for a date, datetime or a date-like string; None when it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if len(text) > MAX_DATE_LENGTH:  # not a date; dateutil would spend about 8 ms per KB on it
        return None
    if text.startswith("D:"):  # PDF dates: D:20250314120000+01'00'
        text = text[2:10]
    try:
        parsed = date_parser.parse(text, default=dt.datetime(1, 1, 1), fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.year < 1000:
        return None
    return parsed.date().isoformat()


# Dates written out in text: `27 January 2026`, `Tuesday 24 February 2026`, `Sept. 3rd, 2025`,
# `March 3, 2026`, `2026-03-03`. The pattern finds the phrase; dateparser reads it, in the
# languages named (never guessed line by line).
LANGUAGES = ("en",)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE_PHRASE = re.compile(
    rf"\b(?:{_DAY}\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+{_DAY},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b"
)
DAY_MONTH = re.compile(rf"\b(?:{_DAY}\s+{_MONTH}|{_MONTH}\s+{_DAY})(?![\w,]*\s*\d{{4}})\b")
_SETTINGS = {"REQUIRE_PARTS": ["day", "month", "year"], "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"}


def dates_in(text: str, languages: tuple[str, ...] = LANGUAGES) -> list[str]:
    """Every full date (day, month and year) written in `text`, as ISO dates, in order."""
    found = []
    for match in DATE_PHRASE.finditer(text):
        value = parse_date_phrase(match.group(0), languages)
        if value:
            found.append(value)
    return found


@functools.lru_cache(maxsize=4096)  # mastheads and datelines repeat across a collection
def parse_date_phrase(phrase: str, languages: tuple[str, ...] = LANGUAGES) -> str | None:
    """`YYYY-MM-DD` for one date phrase with day, month and year; None otherwise."""
    import dateparser  # imported on first use: it loads its language data (~0.2 s)

    parsed = dateparser.parse(phrase.replace(",", " "), languages=list(languages), settings=_SETTINGS)
    return parsed.date().isoformat() if parsed and parsed.year >= 1000 else None
