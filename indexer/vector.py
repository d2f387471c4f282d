"""The vector index: FAISS inner product over L2-normalised embeddings, keyed by chunk id.

Exact (flat) search; ids through `IndexIDMap2` so deletes work. The file is replaced atomically
on save, and readers in other processes reload it when the state file changes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

import faiss
import numpy as np

from indexer.state import IndexState

INDEX_FILE = "vectors.faiss"


class VectorIndex:
    def __init__(self, folder: Path, dimension: int, *, create: bool = False):
        self.folder = Path(folder)
        self.path = self.folder / INDEX_FILE
        self.dimension = dimension
        self.state = IndexState(self.folder / "vectors.state.json")
        self._lock = threading.RLock()
        self._stamp = -1
        if self.path.exists():
            self._load()
        elif create:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._index = self._empty()
            self._stamp = self.state.stamp()
        else:
            raise FileNotFoundError(f"no vector index at {self.path}")

    def _empty(self) -> faiss.Index:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))

    def _load(self) -> None:
        stamp = self.state.stamp()
        index = faiss.read_index(str(self.path))
        if index.d != self.dimension:
            raise ValueError(f"vector index has dimension {index.d}, expected {self.dimension}")
        self._index, self._stamp = index, stamp

    def reload_if_changed(self) -> None:
        """Pick up a save made by another process (an ingest running beside a server)."""
        if self.state.stamp() != self._stamp:
            with self._lock:
                if self.state.stamp() != self._stamp and self.path.exists():
                    self._load()

    # -- writing -------------------------------------------------------------------------------

    def apply(self, ids: np.ndarray, vectors: np.ndarray, deleted_ids: Iterable[int], seq: int) -> None:
        """Make the index hold exactly these vectors for `ids` and nothing for `deleted_ids`."""
        touched = np.unique(
            np.concatenate([np.asarray(ids, dtype=np.int64), np.fromiter(deleted_ids, dtype=np.int64)])
        )
        with self._lock:
            if len(touched):
                self._index.remove_ids(faiss.IDSelectorBatch(touched))
            if len(ids):
                self._index.add_with_ids(
                    np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64)
                )
            self.save()
            self.state.mark_applied(seq, count=int(self._index.ntotal))
            self._stamp = self.state.stamp()

    def save(self) -> None:
        temporary = self.path.with_name(f".{INDEX_FILE}.{os.getpid()}.tmp")
        faiss.write_index(self._index, str(temporary))
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    # -- reading -------------------------------------------------------------------------------

    def search(
        self, vector: np.ndarray, limit: int, allowed_ids: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        with self._lock:
            if self._index.ntotal == 0 or limit <= 0:
                return []
            params = None
            if allowed_ids is not None:
                if len(allowed_ids) == 0:
                    return []
                params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed_ids))
            query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
            scores, ids = self._index.search(query, min(limit, self._index.ntotal), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def similarity(self, vector: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Exact scores of the query against chosen ids (those the index holds)."""
        if not ids:
            return {}
        with self._lock:
            try:
                present, vectors = list(ids), self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))
            except RuntimeError:  # some ids not indexed yet (an ingest is catching up)
                present, rows = [], []
                for chunk_id in ids:
                    try:
                        rows.append(self._index.reconstruct(int(chunk_id)))
                        present.append(chunk_id)
                    except RuntimeError:
                        continue
                if not present:
                    return {}
                vectors = np.vstack(rows)
        scores = vectors @ np.asarray(vector, dtype=np.float32).reshape(-1)
        return {int(i): float(s) for i, s in zip(present, scores, strict=True)}

    def count(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        with self._lock:
            return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def close(self) -> None:
        pass
