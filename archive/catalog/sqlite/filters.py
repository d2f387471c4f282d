"""`Filters` compiled to a SQLite condition on the documents table."""

from __future__ import annotations

from archive.catalog.records import Filters


def where(filters: Filters | None, alias: str = "d") -> tuple[str, list]:
    """(condition, parameters) that keep the documents `filters` allow ("1" for none)."""
    filters = filters or Filters()
    clauses, params = [], []
    if filters.source:
        clauses.append(f"{alias}.source = ? COLLATE NOCASE")
        params.append(filters.source)
    if filters.format:
        clauses.append(f"{alias}.format = ?")
        params.append(filters.format)
    if filters.date_from:
        clauses.append(f"{alias}.date >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append(f"{alias}.date <= ?")
        params.append(filters.date_to)
    for tag in filters.tags:
        clauses.append(f"EXISTS (SELECT 1 FROM json_each({alias}.tags) WHERE value = ? COLLATE NOCASE)")
        params.append(tag)
    return (" AND ".join(clauses) or "1"), params
