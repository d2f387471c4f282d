"""The real embedding model, shared by a server's threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from indexer.embedder import shared_embedder

TEXTS = [
    "The dam's reservoir fell to a third of its capacity.",
    "Talks on the river treaty resumed in Geneva after a month of silence and three postponed meetings.",
    "Desalination",
    "Fishermen in the delta say the salt line has moved twenty kilometres upstream since the spring.",
]


def test_embed_and_static_embed_from_many_threads_agree_with_one_thread():
    # The fast tokenizer keeps padding state; a rough embedding tokenized beside a model pass once
    # made the batch ragged ("expected sequence of length 74 at dim 1 (got 65)"), a 500 under load.
    embedder = shared_embedder()
    exact, rough = embedder.embed(TEXTS), embedder.static_embed(TEXTS)
    short = embedder.embed(TEXTS, max_tokens=8)

    def work(n: int):
        if n % 3 == 0:
            return "rough", embedder.static_embed(TEXTS)
        if n % 3 == 1:
            return "short", embedder.embed(TEXTS, max_tokens=8)
        return "exact", embedder.embed(TEXTS)

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(work, range(300)))
    expected = {"exact": exact, "rough": rough, "short": short}
    for kind, vectors in outcomes:
        np.testing.assert_allclose(vectors, expected[kind], atol=2e-2)
    assert embedder.max_tokens == 256  # a short pass leaves the model's limit as it was
    assert not np.allclose(short[1], exact[1], atol=1e-3)  # and it did read less of a long text
