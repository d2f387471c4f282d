"""`archive check` for the original store: copies documents need but lack, copies no document
uses, files that are no copy; `--repair` fixes what it can, and every writer removes what an ingest
killed between copying and committing left behind (see `archive/originals.py`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from archive.catalog import Catalog
from archive.originals import ORIGINALS_FOLDER, TEMPORARY_PREFIX, OriginalStore, file_at


@dataclass
class Audit:
    """The store against the catalog: copies documents need but lack, copies nobody needs."""

    stored: int
    missing: list[str]
    orphans: list[str]
    strays: list[Path]

    def findings(self) -> list[str]:
        found = []
        if self.missing:
            found.append(
                f"originals: {_copies(len(self.missing))} missing from {ORIGINALS_FOLDER}/ "
                f"(e.g. {self.missing[:3]}); `archive check --repair` copies them back from their "
                "files when those are unchanged"
            )
        if self.orphans:
            unused = _copies(len(self.orphans))
            found.append(f"originals: {unused} no document uses (e.g. {self.orphans[:3]})")
        if self.strays:
            found.append(
                f"originals: {len(self.strays)} file(s) that are no copy (unfinished by an interrupted "
                f"ingest, or put there by hand), e.g. {[p.name for p in self.strays[:3]]}"
            )
        return found

    def as_dict(self) -> dict:
        return {
            "stored": self.stored,
            "missing": len(self.missing),
            "orphans": len(self.orphans),
            "strays": len(self.strays),
        }


def _copies(count: int) -> str:
    return f"{count} {'copy' if count == 1 else 'copies'}"


def audit(catalog: Catalog, store: OriginalStore) -> Audit:
    kept = {sha for sha, _ in store.kept()}
    needed = catalog.originals_in_use()
    return Audit(len(kept), sorted(needed - kept), sorted(kept - needed), store.strays())


def repair(catalog: Catalog, store: OriginalStore, data_dir: Path) -> dict:
    """Remove orphans and unfinished copies; copy missing ones back from their unchanged files, or
    else serve those documents from their path (hash-checked) from now on. Needs the write lock."""
    found = audit(catalog, store)
    for sha in found.orphans:
        store.remove(sha)
    for path in found.strays:
        path.unlink(missing_ok=True)
    restored = [sha for sha in found.missing if _restore(catalog, store, data_dir, sha)]
    lost = sorted(set(found.missing) - set(restored))
    if lost:
        with catalog.writing() as w:
            w.drop_copies(lost)
    return {
        "orphans_removed": len(found.orphans) + len(found.strays),
        "restored": len(restored),
        "unrecoverable": len(lost),
    }


def _restore(catalog: Catalog, store: OriginalStore, data_dir: Path, sha: str) -> bool:
    for file_path in catalog.paths_of_original(sha):
        path = file_at(file_path, data_dir)
        if path is None:
            continue
        try:
            store.put(Path(os.fsdecode(path)), sha)
            return True
        except OSError:
            continue
    return False


def recover(catalog: Catalog, store: OriginalStore) -> int:
    """A writer's catch-up on open (needs the write lock): an ingest killed between copying and
    committing left copies no document refers to, and maybe an unfinished one; its run is still
    marked running. Removes them and marks the run killed; returns the files removed."""
    if not catalog.has_running_run():
        return 0
    found = audit(catalog, store)
    unfinished = [path for path in found.strays if path.name.startswith(TEMPORARY_PREFIX)]
    for sha in found.orphans:
        store.remove(sha)
    for path in unfinished:
        path.unlink(missing_ok=True)
    with catalog.writing() as w:
        w.end_running_runs("killed")
    return len(found.orphans) + len(unfinished)
