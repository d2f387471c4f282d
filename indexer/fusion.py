"""Fusing ranked lists from the keyword and vector retrievers. Pure functions.

Ties are broken by id so that results never change from run to run.
"""

from __future__ import annotations

from collections.abc import Sequence

Ranking = Sequence[tuple[int, float]]


def rrf(
    rankings: Sequence[Ranking], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: score = sum of weight / (k + rank)."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, (item, _) in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return _sorted(fused)


def normalise(ranking: Ranking, method: str = "minmax") -> dict[int, float]:
    """Scores mapped onto a common scale: min-max to [0, 1], or z-scores."""
    if not ranking:
        return {}
    scores = [score for _, score in ranking]
    if method == "minmax":
        low, high = min(scores), max(scores)
        spread = high - low
        return {item: (score - low) / spread if spread else 1.0 for item, score in ranking}
    if method == "zscore":
        mean = sum(scores) / len(scores)
        deviation = (sum((s - mean) ** 2 for s in scores) / len(scores)) ** 0.5
        return {item: (score - mean) / deviation if deviation else 0.0 for item, score in ranking}
    raise ValueError(f"unknown normalisation '{method}'")


def convex(
    keyword: Ranking, semantic: Ranking, alpha: float = 0.5, method: str = "minmax"
) -> list[tuple[int, float]]:
    """alpha * semantic + (1 - alpha) * keyword, each normalised; missing scores count as the floor."""
    keyword_scores = normalise(keyword, method)
    semantic_scores = normalise(semantic, method)
    floor_k = min(keyword_scores.values(), default=0.0) if method == "zscore" else 0.0
    floor_s = min(semantic_scores.values(), default=0.0) if method == "zscore" else 0.0
    fused = {}
    for item in keyword_scores.keys() | semantic_scores.keys():
        fused[item] = alpha * semantic_scores.get(item, floor_s) + (1 - alpha) * keyword_scores.get(
            item, floor_k
        )
    return _sorted(fused)


def weighted(keyword: dict[int, float], semantic: dict[int, float], alpha: float) -> list[tuple[int, float]]:
    """alpha * semantic + (1 - alpha) * keyword on scores already on a common scale; missing = 0."""
    fused = {
        item: alpha * max(0.0, semantic.get(item, 0.0)) + (1 - alpha) * keyword.get(item, 0.0)
        for item in keyword.keys() | semantic.keys()
    }
    return _sorted(fused)


def _sorted(scores: dict[int, float]) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))
