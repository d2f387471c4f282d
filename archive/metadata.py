"""Editable metadata: which fields, how a value is checked, and whose value wins.

Every metadata field of a document remembers its origin (`provenance`):

    file     what the reader found in the file's own metadata
    byline   what the reader found in the text (a byline, a dateline)
    filename a title that is only the file's name
    cli      `archive ingest --source/--tag`
    sidecar  `archive ingest --metadata FILE` (one row per file)
    user     an edit (`archive edit`, the document page's form, `PATCH /api/documents/<id>`)

A value set on purpose (cli, sidecar, user) is never replaced by one read from the file again
(a changed file, a reindex, a repair); an edit is replaced only by another edit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from archive.dates import iso_date
from archive.errors import ArchiveError
from archive.tags import split_tags

EDITABLE_FIELDS = ("title", "source", "author", "date", "url", "tags")
ORIGINS = ("file", "byline", "filename", "cli", "sidecar", "user")
# Higher wins; an equal rank replaces (the newer ingest option or edit is the one meant).
_RANK = {"file": 0, "byline": 0, "filename": 0, "cli": 1, "sidecar": 1, "user": 2}
MAX_TEXT = {"title": 1000, "source": 300, "author": 300, "url": 2000}
MAX_TAG = 200
MAX_TAGS = 100


class InvalidMetadata(ArchiveError):
    code = "bad_request"
    status = 400
    exit_code = 2


def validate(changes: Mapping[str, object], where: str = "") -> dict:
    """Checked, normalised values (None clears a field); raises InvalidMetadata naming the field
    and the reason. `where` prefixes the message (a sidecar row)."""
    prefix = f"{where}: " if where else ""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidMetadata(
            f"{prefix}{', '.join(unknown)}: not an editable field (editable: {', '.join(EDITABLE_FIELDS)})"
        )
    clean: dict = {}
    for name, value in changes.items():
        try:
            clean[name] = _checked(name, value)
        except ValueError as error:
            raise InvalidMetadata(f"{prefix}{name}: {error}") from None
    return clean


def _checked(name: str, value: object):
    if name == "tags":
        if value is None:
            return []
        if isinstance(value, str):
            value = split_tags(value)
        if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
            raise ValueError("must be a list of strings")
        tags = split_tags(value)
        if len(tags) > MAX_TAGS:
            raise ValueError(f"{len(tags)} tags, at most {MAX_TAGS}")
        long = next((t for t in tags if len(t) > MAX_TAG), None)
        if long:
            raise ValueError(f"the tag '{long[:40]}…' is longer than {MAX_TAG} characters")
        return tags
    if value is None:
        return "" if name == "title" else None
    if name == "date" and isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError("must be a string (or null to clear it)")
    text = " ".join(value.split())
    if name == "date":
        return _date(text)
    if len(text) > MAX_TEXT[name]:
        raise ValueError(f"{len(text)} characters, at most {MAX_TEXT[name]}")
    if name == "url" and text:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"'{text[:80]}' is not a web address (http:// or https://)")
    return text or ("" if name == "title" else None)


def _date(text: str) -> str | None:
    if not text:
        return None
    parsed = iso_date(text)
    if parsed is None:
        raise ValueError(f"'{text[:40]}' is not a date (use YYYY-MM-DD)")
    return parsed


def wins(new_origin: str, old_origin: str | None) -> bool:
    """Whether a value from `new_origin` replaces one from `old_origin`."""
    return _RANK.get(new_origin, 0) >= _RANK.get(old_origin or "file", 0)


def merge(
    stored: Mapping[str, object],
    old_origins: Mapping[str, str],
    incoming: Mapping[str, object],
    new_origins: Mapping[str, str],
) -> tuple[dict, dict[str, str]]:
    """The values and origins to keep when a document is written again: each field from the
    incoming version unless the stored value's origin outranks it."""
    values, origins = {}, {}
    for name in EDITABLE_FIELDS:
        new_origin = new_origins.get(name, "file")
        old_origin = old_origins.get(name)
        if old_origin is not None and not wins(new_origin, old_origin):
            values[name], origins[name] = stored.get(name), old_origin
        else:
            values[name], origins[name] = incoming.get(name), new_origin
    return values, origins


def origins_of(document, overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """A freshly read document's origins: the reader's (`provenance`, default 'file'), then
    `overrides` for the fields set by ingest options or a sidecar."""
    found = dict(getattr(document, "provenance", None) or {})
    origins = {name: found.get(name, "file") for name in EDITABLE_FIELDS}
    origins.update(overrides or {})
    return origins


def stored_origins(raw: str | None) -> dict[str, str]:
    """A catalog row's provenance column; fields it does not name came from the file."""
    found = json.loads(raw) if raw else {}
    return {name: found.get(name, "file") for name in EDITABLE_FIELDS}


def shown_value(name: str, value: object) -> str | None:
    """A value as the history table stores it (tags as `a; b`)."""
    if name == "tags":
        return "; ".join(value or []) or None
    return str(value) if value else None


@dataclass
class Override:
    """Metadata an ingest sets on the documents of one file: `--source`/`--tag` and the file's
    sidecar row. Tags are added to the document's own; other fields replace them."""

    values: dict = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    tags_origin: str = "cli"

    def __bool__(self) -> bool:
        return bool(self.values or self.tags)

    def set(self, values: Mapping[str, object], origin: str) -> None:
        for name, value in values.items():
            if name == "tags":
                self.tags = split_tags([*self.tags, *value])
                self.tags_origin = origin
            else:
                self.values[name] = value
                self.origins[name] = origin

    def apply(self, document) -> None:
        """Onto a document just read from its file."""
        for name, value in self.values.items():
            setattr(document, name, value)
        if self.tags:
            document.tags = split_tags([*document.tags, *self.tags])

    def stored_values(self, stored_tags: list[str]) -> tuple[dict, dict[str, str]]:
        """(values, origins) for a stored document whose file is unchanged."""
        values, origins = dict(self.values), dict(self.origins)
        if self.tags:
            values["tags"] = split_tags([*stored_tags, *self.tags])
            origins["tags"] = self.tags_origin
        return values, origins

    def field_origins(self) -> dict[str, str]:
        return {**self.origins, **({"tags": self.tags_origin} if self.tags else {})}
