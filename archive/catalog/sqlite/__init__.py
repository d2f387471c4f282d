"""The SQLite catalog backend: the only package of the archive that imports sqlite3 or holds SQL."""

from archive.catalog.sqlite.catalog import SQLiteCatalog

__all__ = ["SQLiteCatalog"]
