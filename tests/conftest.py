"""Shared fixtures: the real model, real indexes and a real SQLite file in temporary folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archive.config import Settings
from archive.ingest import Ingestor
from archive.store import Archive

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"


def ingest(settings: Settings, *paths, **options):
    """Ingest in this process (the embedding model is loaded once per test session)."""
    with Archive(settings, write=True) as archive:
        return Ingestor(archive, **options).run([str(p) for p in paths])


def lock_holder(data_dir: Path) -> int | None:
    """The pid that the archive's write lock names (None when nobody wrote one)."""
    try:
        return json.loads((Path(data_dir) / "write.lock").read_text() or "{}").get("pid")
    except (FileNotFoundError, ValueError):
        return None


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory) -> Settings:
    """An archive of the sample collection, built once per session; tests must not change it."""
    data = tmp_path_factory.mktemp("corpus-archive")
    settings = Settings.from_env(data)
    report = ingest(settings, CORPUS)
    assert report.failed == [], report.failed
    return settings


@pytest.fixture(scope="session")
def corpus_archive(corpus_settings):
    with Archive(corpus_settings) as archive:
        yield archive


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    """A private copy of corpus/ that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings.from_env(tmp_path / "data")


SEED = CORPUS / "analysis" / "iran-dossier-qaani-letter.txt"  # the seed article, undated
SAREA_TEXT = """Houthi spokesman claims strike on tanker

Yahya Sarea, the spokesman of the Houthi armed forces, said in a televised statement that a drone
had struck a tanker in the Red Sea. Sarea gave no evidence for the claim.
"""


@pytest.fixture(scope="session")
def seeded_settings(tmp_path_factory) -> Settings:
    """The sample collection (the seed article among it) and a statement naming Yahya Sarea
    (the wire feed's bylines name Sara Lind): built once per session; tests must not change it."""
    data = tmp_path_factory.mktemp("seeded-archive")
    extra = tmp_path_factory.mktemp("seeded-extra")
    sarea = extra / "2024-01-12-houthi-spokesman-tanker-claim.txt"
    sarea.write_text(SAREA_TEXT, encoding="utf-8")
    settings = Settings.from_env(data)
    report = ingest(settings, CORPUS, sarea)
    assert report.failed == [], report.failed
    return settings
