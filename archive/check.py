"""`archive check`: do the catalog and both indexes agree? `--repair` makes them agree again.

Every chunk of the catalog must be in the keyword index and the vector index exactly once, and
nothing else may be; every chunk needs its embedding and its sentences' embeddings; the manifest
must match the configured model and analyzer. Repair works from the catalog and reuses stored
embeddings (nothing already embedded is embedded again).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from archive import originals_audit
from archive.errors import ArchiveError
from archive.originals import OriginalStore
from archive.store import Archive

SAMPLE = 10  # ids shown per finding


@dataclass
class IndexFindings:
    indexed: int = 0
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.duplicates)

    def as_dict(self) -> dict:
        return {
            "indexed": self.indexed,
            "missing": len(self.missing),
            "extra": len(self.extra),
            "duplicates": len(self.duplicates),
            "sample": {
                "missing": self.missing[:SAMPLE],
                "extra": self.extra[:SAMPLE],
                "duplicates": self.duplicates[:SAMPLE],
            },
        }


def compare(catalog_ids: set[int], index_ids) -> IndexFindings:
    counts = Counter(int(i) for i in index_ids)
    return IndexFindings(
        indexed=sum(counts.values()),
        missing=sorted(catalog_ids - counts.keys()),
        extra=sorted(counts.keys() - catalog_ids),
        duplicates=sorted(i for i, n in counts.items() if n > 1),
    )


def check(archive: Archive) -> dict:
    """The findings; `ok` is True when catalog, indexes and manifest agree."""
    findings: list[str] = []
    manifest = archive.manifest
    if manifest is None or archive.keyword is None:
        findings.append("no index generation: the manifest is missing (run `archive check --repair`)")
        return _report(archive, findings, IndexFindings(), IndexFindings(), 0)
    try:
        manifest.check_model(archive.model_identity())
        manifest.check_analyzer()
    except ArchiveError as error:
        findings.append(error.message)
    catalog_ids = archive.catalog.chunk_ids()
    keyword = compare(catalog_ids, archive.keyword.ids())
    vector = compare(catalog_ids, archive.vector.ids().tolist())
    missing = archive.catalog.missing_vectors()
    unembedded, without_sentences = missing["embeddings"], missing["sentence_vectors"]
    for name, found in (("keyword", keyword), ("vector", vector)):
        for kind in ("missing", "extra", "duplicates"):
            ids = getattr(found, kind)
            if ids:
                findings.append(f"{name} index: {len(ids)} chunk(s) {_WORDS[kind]} (e.g. {ids[:SAMPLE]})")
    if unembedded:
        findings.append(f"catalog: {unembedded} chunk(s) without an embedding")
    if without_sentences:
        findings.append(
            f"catalog: {without_sentences} chunk(s) without sentence vectors (an archive made by an "
            "older version: `archive check --repair` embeds them; search works meanwhile)"
        )
    pending = archive.catalog.counts()["pending_index_updates"]
    if pending:
        findings.append(f"{pending} queued index update(s) not yet applied")
    return _report(archive, findings, keyword, vector, unembedded, without_sentences)


_WORDS = {
    "missing": "in the catalog but not indexed",
    "extra": "indexed but not in the catalog",
    "duplicates": "indexed more than once",
}


def _report(
    archive: Archive,
    findings,
    keyword: IndexFindings,
    vector: IndexFindings,
    unembedded: int,
    without_sentences: int = 0,
) -> dict:
    counts = archive.catalog.counts()
    stored = originals_audit.audit(archive.catalog, OriginalStore(archive.data_dir))
    findings = [*findings, *stored.findings()]
    return {
        "ok": not findings,
        "documents": counts["documents"],
        "chunks": counts["chunks"],
        "keyword": keyword.as_dict(),
        "vector": vector.as_dict(),
        "embeddings_missing": unembedded,
        "sentence_vectors_missing": without_sentences,
        "pending_index_updates": counts["pending_index_updates"],
        "generation": archive.manifest.generation if archive.manifest else None,
        "originals": stored.as_dict(),
        "findings": findings,
    }


def check_and_repair(archive: Archive, *, fix: bool = False) -> dict:
    """`archive check [--repair]` (needs the write lock): the catch-up every writer does on open,
    then the findings; with `fix`, a repair when something disagrees and the findings after it."""
    if archive.manifest is not None:
        archive.recover()
    originals_audit.recover(archive.catalog, OriginalStore(archive.data_dir))
    report = check(archive)
    if fix and not report["ok"]:
        repaired = repair(archive)
        report = {**check(archive), "repaired": repaired}
    return report


def repair(archive: Archive) -> dict:
    """Make both indexes hold exactly the catalog's chunks; returns what was done."""
    assert archive.writable
    stored = originals_audit.repair(archive.catalog, OriginalStore(archive.data_dir), archive.data_dir)
    identity = archive.model_identity()
    manifest = archive.manifest
    if manifest is None or archive.keyword is None or _mismatched(archive, identity):
        archive.rebuild()
        return {"rebuilt": True, "generation": archive.manifest.generation, "originals": stored}
    embedded = archive.embed_missing()
    catalog_ids = archive.catalog.chunk_ids()
    keyword = compare(catalog_ids, archive.keyword.ids())
    vector = compare(catalog_ids, archive.vector.ids().tolist())
    seq = archive.catalog.last_seq()
    if not keyword.ok:
        rows = archive.catalog.index_rows(set(keyword.missing) | set(keyword.duplicates))
        archive.keyword.apply(rows, keyword.extra, seq)
    if not vector.ok:
        ids, vectors = archive.catalog.vectors(
            set(vector.missing) | set(vector.duplicates), manifest.model["dimension"]
        )
        archive.vector.apply(ids, vectors, vector.extra, seq)
        if vector.duplicates:
            archive.vector.compact(seq)
    archive.sync()
    return {
        "rebuilt": False,
        "originals": stored,
        "embedded": embedded,
        "keyword": {
            "added": len(keyword.missing),
            "removed": len(keyword.extra),
            "deduplicated": len(keyword.duplicates),
        },
        "vector": {
            "added": len(vector.missing),
            "removed": len(vector.extra),
            "deduplicated": len(vector.duplicates),
        },
    }


def _mismatched(archive: Archive, identity: dict) -> bool:
    try:
        archive.manifest.check_model(identity)
        archive.manifest.check_analyzer()
    except ArchiveError:
        return True
    return False
