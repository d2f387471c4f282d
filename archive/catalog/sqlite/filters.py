"""`Filters` compiled to a SQLite condition on the documents table."""

from __future__ import annotations

from archive.catalog.records import Filters


def where(filters: Filters | None, alias: str = "d") -> tuple[str, list]:
    """(condition, parameters) that keep the documents `filters` allow ("1" for none)."""
    filters = filters or Filters()
    clauses, params = [], []
    for value, condition in (
        (filters.source, "source = ? COLLATE NOCASE"),
        (filters.format, "format = ?"),
        (filters.date_from, "date >= ?"),
        (filters.date_to, "date <= ?"),
    ):
        if value:
            clauses.append(f"{alias}.{condition}")
            params.append(value)
    for tag in filters.tags:
        clauses.append(f"EXISTS (SELECT 1 FROM json_each({alias}.tags) WHERE value = ? COLLATE NOCASE)")
        params.append(tag)
    return (" AND ".join(clauses) or "1"), params
