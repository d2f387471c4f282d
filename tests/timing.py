"""Timing adversarial inputs: CPU time of this thread (time waiting for a core on a busy machine
does not count), the fastest of a few runs (a super-linear pattern is slow on every run; noise
only ever adds time)."""

from __future__ import annotations

import time
from collections.abc import Callable

from hypothesis import strategies as st


def fastest_ms(call: Callable[[], object], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.thread_time()
        call()
        best = min(best, time.thread_time() - started)
    return best * 1000


def repeated(pieces: list[str], length: int) -> st.SearchStrategy[str]:
    """`length` characters: a few pieces, then a unit of pieces repeated to fill, then a tail
    (the shape that makes a backtracking pattern try every split of the repeated part)."""
    some = st.lists(st.sampled_from(pieces), max_size=3).map("".join)
    unit = st.lists(st.sampled_from(pieces), min_size=1, max_size=4).map("".join)

    def fill(parts: tuple[str, str, str]) -> str:
        head, body, tail = parts
        body = body * (length // len(body) + 1)
        return (head + body)[: length - len(tail)] + tail

    return st.tuples(some, unit, some).map(fill)
