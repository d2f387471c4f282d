"""The SQLite catalog backend: the only package of the archive that imports sqlite3 or holds SQL."""

import sqlite3

from archive.catalog.sqlite.catalog import SQLiteCatalog

ENGINE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,)

__all__ = ["ENGINE_ERRORS", "SQLiteCatalog"]
