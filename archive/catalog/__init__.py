"""The catalog: the archive's source of truth, behind one interface (`archive.catalog.interface`).

`open_catalog` picks the backend from the setting `ARCHIVE_CATALOG` (`archive.catalog.factory`);
records and `Filters` are the same for every backend (`archive.catalog.records`).
"""

from archive.catalog.factory import CATALOG_FILE, engine_errors, open_catalog
from archive.catalog.interface import Catalog, CatalogWriter, WriterLock
from archive.catalog.records import Filters, batches, now

__all__ = [
    "CATALOG_FILE",
    "Catalog",
    "CatalogWriter",
    "Filters",
    "WriterLock",
    "batches",
    "engine_errors",
    "now",
    "open_catalog",
]
