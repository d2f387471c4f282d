"""The Archive: one data folder holding the catalog, both indexes and the manifest.

Layout of the data folder:

    catalog.sqlite3         documents, chunks, embeddings (chunks' and sentences'), index outbox
                            and each index's progress, the manifest (model, settings and
                            generation of the indexes, archive/generations.py), files, runs (the
                            truth; it can live elsewhere: ARCHIVE_CATALOG, archive/catalog/)
    indexes/gen-NNNN/       keyword/ (Whoosh), vectors.faiss, *.state.json (the index's own
                            record of its applied seq, read once for archives made before the
                            catalog recorded it)
    write.lock              held by the one process allowed to write (the catalog's writer lock)

Write order (why a kill -9 at any moment leaves an archive that opens and repairs itself):

1. A change to documents is one unit of work of the catalog: documents, chunks, their embeddings, their
   sentences' embeddings and the ids of every added or removed chunk in `index_queue`. Before
   the commit nothing has changed; after it the change is durable, whatever happens next.
2. Each index then applies the queued ids (upsert what the catalog holds, delete the rest),
   commits (Whoosh writes its TOC by rename; FAISS is saved to a temporary file and renamed),
   and only then is the highest applied seq recorded (the index's state file, then the
   catalog's `index_progress`). A kill between the two leaves the progress behind the index:
   the next writer replays those ids, which is idempotent.
3. When both indexes have applied up to seq S, queue entries <= S are deleted.

Every writer catches up on open (`sync`). Readers never wait for this: a search joins its
hits with the catalog, so an index entry whose chunk is gone is never returned, and a chunk
not yet indexed is simply not found until the writer catches up.

A rebuild (`reindex`) writes a new generation folder from the catalog, then records the manifest
naming it in the catalog, then removes the old folder, so readers always see one complete generation.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import numpy as np

from archive import generations
from archive.catalog import Catalog, batches, open_catalog
from archive.chunking import sentence_spans
from archive.config import Settings
from archive.errors import ArchiveError, IndexMismatch
from indexer.embedder import Embedder, shared_embedder
from indexer.keyword import KeywordIndex
from indexer.manifest import Manifest, generation_folder
from indexer.sentences import SentenceVectors
from indexer.vector import VectorIndex

Progress = Callable[[int], None]
# A sentence longer than this many tokens is embedded by its start (a few in a thousand are).
SENTENCE_MAX_TOKENS = 128


def embedding_input(title: str, text: str) -> str:
    """What the embedder sees for a chunk: its document's title gives the passage context."""
    return f"{title}\n{text}" if title else text


def embed_sentences(embedder: Embedder, chunks: list[tuple[str, str]]) -> list[SentenceVectors]:
    """Each (title, chunk text)'s sentences with their embeddings, and its title's embedding;
    everything in one call (a title shared by several chunks is embedded once)."""
    spans = [sentence_spans(text) for _, text in chunks]
    titles = list(dict.fromkeys(title for title, _ in chunks if title.strip()))
    flat = [text[start:end] for (_, text), found in zip(chunks, spans, strict=True) for start, end in found]
    vectors = embedder.embed(flat + titles, max_tokens=SENTENCE_MAX_TOKENS)
    title_vector = dict(zip(titles, vectors[len(flat) :], strict=True))
    blocks, offset = [], 0
    for (title, _), found in zip(chunks, spans, strict=True):
        blocks.append(
            SentenceVectors.of(found, vectors[offset : offset + len(found)], title_vector.get(title))
        )
        offset += len(found)
    return blocks


class Archive:
    def __init__(self, settings: Settings, *, write: bool = False, wait: bool = False):
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.catalog: Catalog = open_catalog(self.data_dir, settings.catalog, create=write)
        self.lock = self.catalog.writer_lock()
        try:
            if write:
                self.lock.acquire(wait=wait)
                generations.migrate(self.catalog, self.data_dir)
            self.manifest = generations.current(self.catalog, self.data_dir)
            self._manifest_stamp = generations.stamp(self.catalog)
            self.keyword: KeywordIndex | None = None
            self.vector: VectorIndex | None = None
            if self.manifest is not None:
                self._open_indexes()
        except BaseException:
            self.lock.release()
            self.catalog.close()
            raise

    # -- life cycle ----------------------------------------------------------------------------

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.keyword is not None:
            self.keyword.close()
        self.catalog.close()
        self.lock.release()

    @property
    def writable(self) -> bool:
        return self.lock.held

    @cached_property
    def embedder(self) -> Embedder:
        return shared_embedder(self.settings.model, self.settings.precision, self.settings.embed_batch)

    def model_identity(self) -> dict:
        """The configured model's name, weights fingerprint and dimension.

        Loading the model takes seconds; when the manifest was built with the same weights, its
        measured dimension is reused, so commands that embed nothing never load the model.
        """
        embedder = self.embedder
        built = self.manifest.model if self.manifest else {}
        if (built.get("name"), built.get("fingerprint")) == (embedder.name, embedder.fingerprint):
            return {
                "name": embedder.name,
                "fingerprint": embedder.fingerprint,
                "dimension": built["dimension"],
            }
        return embedder.identity()

    def warm_up(self) -> None:
        """Load the embedding model now (seconds), so that the first search does not pay for it."""
        if self.manifest is not None:
            self.embedder.embed(["warm up"])

    def index_counts(self) -> dict:
        """What each index holds: the vector index's kind, and the entries in each."""
        return {
            "vector_index": self.vector.kind if self.vector else None,
            "keyword_indexed": self.keyword.count() if self.keyword else 0,
            "vector_indexed": self.vector.count() if self.vector else 0,
        }

    def _open_indexes(self) -> None:
        folder = self.manifest.folder(self.data_dir)
        try:
            self.keyword = KeywordIndex(folder / "keyword")
            self.vector = VectorIndex(
                folder, self.manifest.model["dimension"], ann_threshold=self.settings.ann_threshold
            )
        except (FileNotFoundError, OSError, ValueError) as error:
            raise ArchiveError(
                f"the indexes in {folder} are missing or unreadable ({error}); "
                "run `archive reindex` to rebuild them from the catalog",
                code="index_unreadable",
            ) from error

    def refresh(self) -> None:
        """Readers: follow a new generation or a vector save made by another process."""
        stamp = generations.stamp(self.catalog)
        if stamp != self._manifest_stamp:
            manifest = generations.current(self.catalog, self.data_dir)
            if manifest is not None and (
                self.manifest is None or manifest.generation != self.manifest.generation
            ):
                old = self.keyword
                self.manifest = manifest
                self._open_indexes()
                if old is not None:
                    old.close()
            self._manifest_stamp = stamp
        if self.vector is not None:
            self.vector.reload_if_changed()

    # -- writing -------------------------------------------------------------------------------

    def prepare_for_writing(self) -> None:
        """Writers: check the model, create the first generation, catch up on queued changes."""
        assert self.writable, "prepare_for_writing needs the write lock"
        identity = self.model_identity()
        stored = self.catalog.get_meta("embedding_model")
        if stored is None:
            with self.catalog.writing() as w:
                w.set_meta("embedding_model", json.dumps(identity))
        elif not _same_model(stored, identity):
            raise ArchiveError(
                f"the archive's embeddings were made with another model ({stored}); run "
                "`archive reindex` to re-embed everything with the configured model first",
                code="index_mismatch",
            )
        if self.manifest is None:
            self.rebuild()
        else:
            self.manifest.check_model(identity)
            self.manifest.check_analyzer()
            self.sync()

    def recover(self) -> bool:
        """Writers' catch-up on open (queued index updates after a crash); False when it cannot run
        because the indexes need a rebuild (a model or analyzer change), which `check` reports."""
        try:
            self.prepare_for_writing()
        except IndexMismatch:
            return False
        return True

    def sync(self) -> int:
        """Bring both indexes up to the catalog's queue; returns how many chunk ids were applied."""
        assert self.writable and self.keyword is not None and self.vector is not None
        keyword_seq, vector_seq = self.applied_seq("keyword"), self.applied_seq("vector")
        outbox = self.catalog.outbox_since(min(keyword_seq, vector_seq))
        top, touched = outbox.top, set(outbox.chunk_ids)
        if touched:
            rows = self.catalog.index_rows(touched)
            present = {row.id for row in rows}
            deleted = touched - present
            if keyword_seq < top:
                self.keyword.apply(rows, deleted, top)
            if vector_seq < top:
                ids, vectors = self._vectors_for(present)
                self.vector.apply(ids, vectors, deleted | (present - set(ids.tolist())), top)
        else:
            for index in (self.keyword, self.vector):
                if index.state.applied_seq < top:
                    index.state.mark_applied(top)
        self._record_progress(top)
        self.catalog.trim_outbox(top)
        return len(touched)

    def applied_seq(self, name: str) -> int:
        """How far index `name` (keyword or vector) has applied the outbox: the catalog's record,
        or for an archive made before the catalog kept it, the index's own state file."""
        index = self.keyword if name == "keyword" else self.vector
        recorded = self.catalog.index_progress(name, self.manifest.generation)
        return index.state.applied_seq if recorded is None else recorded

    def _record_progress(self, seq: int) -> None:
        """Both indexes committed everything up to `seq` (called only after they did)."""
        with self.catalog.writing() as w:
            for name in ("keyword", "vector"):
                w.set_index_progress(name, self.manifest.generation, seq)

    def _vectors_for(self, chunk_ids: set[int]) -> tuple[np.ndarray, np.ndarray]:
        dimension = self.manifest.model["dimension"]
        ids, vectors = self.catalog.vectors(chunk_ids, dimension)
        missing = chunk_ids - set(ids.tolist())
        if missing:  # only after a repair: embed what the catalog lacks
            self.embed_missing()
            ids, vectors = self.catalog.vectors(chunk_ids, dimension)
        return ids, vectors

    def embed_missing(self, progress: Progress | None = None) -> int:
        """Embed the chunks (and the chunks' sentences) the catalog holds no vectors for: after a
        repair, a model change, or in an archive made before sentence vectors existed."""
        rows = self.catalog.chunks_without_embedding()
        for batch in batches(rows, 256):
            vectors = self.embedder.embed([embedding_input(r.title, r.text) for r in batch])
            with self.catalog.writing() as w:
                w.put_vectors([r.id for r in batch], vectors)
            if progress:
                progress(len(batch))
        bare = self.catalog.chunks_without_sentence_vectors()
        for batch in batches(bare, 256):
            sentences = embed_sentences(self.embedder, [(r.title, r.text) for r in batch])
            with self.catalog.writing() as w:
                w.put_sentence_vectors([r.id for r in batch], sentences)
        return len(rows) + len(bare)

    def rebuild(self, progress: Progress | None = None) -> Manifest:
        """Build a new generation of both indexes from the catalog, then switch to it."""
        assert self.writable
        identity = self.embedder.identity()
        stored = self.catalog.get_meta("embedding_model")
        if stored is not None and not _same_model(stored, identity):
            self._reembed_all(identity, progress)
        self.embed_missing(progress)
        generation = (self.manifest.generation if self.manifest else 0) + 1
        folder = generation_folder(self.data_dir, generation)
        if folder.exists():
            shutil.rmtree(folder)  # left by a rebuild that was interrupted
        snapshot = self.catalog.last_seq()
        keyword = KeywordIndex(folder / "keyword", create=True)
        keyword.build(self.catalog.iter_index_rows(batch_size=5000), snapshot)
        vector = VectorIndex(
            folder, identity["dimension"], create=True, ann_threshold=self.settings.ann_threshold
        )
        for ids, vectors in self.catalog.iter_vectors(identity["dimension"]):
            vector.apply(ids, vectors, [], 0, save=False)
        vector.apply(np.zeros(0, dtype=np.int64), np.zeros((0, identity["dimension"])), [], snapshot)
        manifest = Manifest(
            generation=generation,
            model={**identity, "precision": self.embedder.precision},
            chunking=self.settings.chunking.as_dict(),
        )
        generations.switch(self.catalog, manifest)  # readers now open the new generation
        old_keyword, old_manifest = self.keyword, self.manifest
        self.manifest, self.keyword, self.vector = manifest, keyword, vector
        self._manifest_stamp = generations.stamp(self.catalog)
        if old_keyword is not None:
            old_keyword.close()
        if old_manifest is not None:
            shutil.rmtree(old_manifest.folder(self.data_dir), ignore_errors=True)
        self._record_progress(snapshot)
        self.catalog.trim_outbox(snapshot)
        return manifest

    def _reembed_all(self, identity: dict, progress: Progress | None) -> None:
        with self.catalog.writing() as w:
            w.clear_vectors()
            w.set_meta("embedding_model", json.dumps(identity))
        self.embed_missing(progress)


def _same_model(stored_json: str, identity: dict) -> bool:
    stored = json.loads(stored_json)
    return (stored.get("name"), stored.get("fingerprint"), stored.get("dimension")) == (
        identity["name"],
        identity["fingerprint"],
        identity["dimension"],
    )
