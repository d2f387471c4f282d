"""Settings, read once from the environment (and CLI flags) into a frozen object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_MODEL = "all-MiniLM-L6-v2"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_flag(name: str, default: bool) -> bool:
    value = (os.environ.get(name) or "").strip().lower()
    if not value:
        return default
    return value not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class ChunkSettings:
    """How documents are cut into passages (recorded in the manifest)."""

    target_words: int = 200
    overlap_words: int = 30
    max_words: int = 260  # a single sentence longer than this is cut

    def as_dict(self) -> dict:
        return {
            "target_words": self.target_words,
            "overlap_words": self.overlap_words,
            "max_words": self.max_words,
        }


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    model: str = DEFAULT_MODEL
    precision: str = "auto"  # auto | fp32 | bf16
    chunking: ChunkSettings = field(default_factory=ChunkSettings)
    max_file_bytes: int = 100 * 1024 * 1024
    read_seconds: float = 120.0  # reading one file takes longer: a hostile file, given up
    embed_batch: int = 32
    # An ingest commits at least this often (a kill loses at most about this much work).
    commit_seconds: float = 30.0
    base_url: str = "http://127.0.0.1:8080"
    # Above this many vectors the FAISS index switches from exact to HNSW.
    ann_threshold: int = 200_000
    # Keep a copy of each ingested file in the data folder (served as the original); without it
    # the file at its path is served only while its sha256 is unchanged.
    copy_originals: bool = True
    # Which catalog backend (archive.catalog.factory): empty for the SQLite file in the data folder.
    catalog: str = ""

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike | None = None, **overrides) -> Settings:
        base = cls(
            data_dir=Path(data_dir or os.environ.get("ARCHIVE_DATA") or "data"),
            model=os.environ.get("ARCHIVE_MODEL") or DEFAULT_MODEL,
            precision=os.environ.get("ARCHIVE_PRECISION") or "auto",
            max_file_bytes=_env_int("ARCHIVE_MAX_FILE_BYTES", cls.max_file_bytes),
            read_seconds=float(os.environ.get("ARCHIVE_READ_SECONDS") or cls.read_seconds),
            embed_batch=_env_int("ARCHIVE_EMBED_BATCH", cls.embed_batch),
            commit_seconds=float(os.environ.get("ARCHIVE_COMMIT_SECONDS") or cls.commit_seconds),
            base_url=os.environ.get("ARCHIVE_BASE_URL") or cls.base_url,
            ann_threshold=_env_int("ARCHIVE_ANN_THRESHOLD", cls.ann_threshold),
            copy_originals=_env_flag("ARCHIVE_COPY_ORIGINALS", cls.copy_originals),
            catalog=(os.environ.get("ARCHIVE_CATALOG") or "").strip(),
            chunking=ChunkSettings(
                target_words=_env_int("ARCHIVE_CHUNK_WORDS", ChunkSettings.target_words),
                overlap_words=_env_int("ARCHIVE_CHUNK_OVERLAP", ChunkSettings.overlap_words),
                max_words=max(
                    _env_int("ARCHIVE_CHUNK_WORDS", ChunkSettings.target_words) + 60, ChunkSettings.max_words
                ),
            ),
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})
