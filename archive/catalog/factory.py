"""Which catalog backend an archive uses: the setting `ARCHIVE_CATALOG` (`Settings.catalog`).

Empty (the default): the SQLite file `catalog.sqlite3` in the data folder. `sqlite:///PATH`: the
SQLite file at PATH (absolute; `sqlite:///relative` is taken relative to the working folder).
A backend is one module registered in `BACKENDS` by its URL scheme.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from archive.catalog.interface import Catalog
from archive.errors import UsageError

CATALOG_FILE = "catalog.sqlite3"


def _sqlite(url: str, data_dir: Path, create: bool) -> Catalog:
    from archive.catalog.sqlite import SQLiteCatalog

    path = Path(url[len("sqlite:///") :]) if url else data_dir / CATALOG_FILE
    return SQLiteCatalog(path, lock_dir=data_dir, create=create)


# scheme -> opener(url, data folder, create)
BACKENDS: dict[str, Callable[[str, Path, bool], Catalog]] = {"sqlite": _sqlite}


def scheme_of(url: str) -> str:
    """The backend a catalog setting names ("sqlite" for the default); a clear error otherwise."""
    if not url:
        return "sqlite"
    scheme = urlsplit(url).scheme.lower()
    if scheme not in BACKENDS:
        known = ", ".join(f"{name}://..." for name in sorted(BACKENDS))
        raise UsageError(
            f"ARCHIVE_CATALOG={_redacted(url)!r}: unknown catalog scheme '{scheme or url}' "
            f"(known: {known}; leave it empty for the SQLite file in the data folder)",
        )
    if scheme == "sqlite" and not url.lower().startswith("sqlite:///"):
        raise UsageError(
            f"ARCHIVE_CATALOG={url!r}: a SQLite catalog is named sqlite:///PATH (three slashes, then "
            "the file's path)",
        )
    return scheme


def open_catalog(data_dir: str | Path, url: str = "", *, create: bool = False) -> Catalog:
    """The catalog the setting `url` names for the archive in `data_dir`; with `create`, a new
    empty one when there is none (NotFound otherwise)."""
    return BACKENDS[scheme_of(url)](url, Path(data_dir), create)


def engine_errors() -> tuple[type[Exception], ...]:
    """The errors the catalog engines raise for a resource problem (a full disk, a locked or
    unreadable file), for the shells to report as one line (`archive.errors.resource_error`)."""
    from archive.catalog.sqlite import ENGINE_ERRORS

    return ENGINE_ERRORS


def _redacted(url: str) -> str:
    """The URL without its password, fit for a message."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
