"""The manifest: which model, settings and generation the indexes on disk were built with.

Written last (atomically) when a generation is complete, so it always names a whole set of
indexes. A mismatch with the configured model is reported, never silently rebuilt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

from indexer.analysis import ANALYZER_VERSION
from indexer.errors import IndexMismatch
from indexer.state import read_json, write_json_atomic

MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1


@dataclass
class Manifest:
    generation: int
    model: dict  # name, fingerprint, dimension, precision
    chunking: dict
    analyzer: int = ANALYZER_VERSION
    format: int = FORMAT_VERSION
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @classmethod
    def load(cls, data_dir: Path) -> Manifest | None:
        data = read_json(Path(data_dir) / MANIFEST_FILE)
        if data is None:
            return None
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})

    def save(self, data_dir: Path) -> None:
        write_json_atomic(Path(data_dir) / MANIFEST_FILE, asdict(self))

    def folder(self, data_dir: Path) -> Path:
        return generation_folder(data_dir, self.generation)

    def check_model(self, identity: dict) -> None:
        """Refuse to query vectors made by another model (or of another dimension)."""
        built = (self.model.get("name"), self.model.get("fingerprint"), self.model.get("dimension"))
        wanted = (identity["name"], identity["fingerprint"], identity["dimension"])
        if built != wanted:
            raise IndexMismatch(
                f"the vector index was built with model '{built[0]}' (weights {built[1]}, dimension "
                f"{built[2]}) but the configured model is '{wanted[0]}' (weights {wanted[1]}, "
                f"dimension {wanted[2]}): run `archive reindex` to rebuild it"
            )

    def check_analyzer(self) -> None:
        if self.analyzer != ANALYZER_VERSION:
            raise IndexMismatch(
                f"the keyword index was built with analyzer version {self.analyzer}, this program "
                f"uses version {ANALYZER_VERSION}: run `archive reindex` to rebuild it"
            )


def generation_folder(data_dir: Path, generation: int) -> Path:
    return Path(data_dir) / "indexes" / f"gen-{generation:04d}"
