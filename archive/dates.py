"""Dates from metadata strings, normalised to ISO 8601 calendar dates."""

from __future__ import annotations

import datetime as dt

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
