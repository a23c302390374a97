"""Timing and comparing: medians over alternating blocks, relative differences, a BLAS yardstick."""

from __future__ import annotations

import ctypes
import statistics
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np


def time_in_blocks(functions: dict[str, Callable[[], object]], repeats: int, rounds: int = 3,
                   warmup: int = 2, pause: float = 0.0) -> dict[str, float]:
    """Median seconds per call of each function.

    Each function runs in blocks of consecutive calls (``warmup`` untimed, then timed ones), and the
    blocks alternate over ``rounds`` rounds so that a machine getting busier or quieter affects all
    alike. Calls are not interleaved one by one, and each block starts after ``pause`` idle seconds:
    the worker threads of OpenBLAS and OpenMP keep spinning for up to a tenth of a second after their
    work, and on a small machine they would steal the cores of whichever library runs next.
    """
    samples: dict[str, list[float]] = {name: [] for name in functions}
    rounds = max(1, min(rounds, repeats))
    for round_index in range(rounds):
        count = repeats // rounds + (1 if round_index < repeats % rounds else 0)
        for name, function in functions.items():
            time.sleep(pause)
            for _ in range(warmup):
                function()
            for _ in range(count):
                start = time.perf_counter()
                function()
                samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


def relative_difference(ours: Sequence[np.ndarray], reference: Sequence[np.ndarray]) -> float:
    """Largest ``max|ours - reference| / max|reference|`` over the arrays (0 when all agree exactly)."""
    worst = 0.0
    for mine, theirs in zip(ours, reference, strict=True):
        mine, theirs = np.asarray(mine, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
        if mine.shape != theirs.shape:
            return float("inf")
        scale = max(float(np.max(np.abs(theirs), initial=0.0)), np.finfo(np.float64).tiny)
        worst = max(worst, float(np.max(np.abs(mine - theirs), initial=0.0)) / scale)
    return worst


AGREEMENT_TOLERANCE = 1e-4  # float32 sums of a few thousand terms


def keep_freed_memory() -> bool:
    """Ask glibc's ``malloc`` to keep freed memory for reuse instead of handing it back to the system.

    By default large arrays get fresh pages from the operating system on every allocation, and touching
    them for the first time costs page faults: on a virtual machine that can take longer than the
    computation itself (e.g. 10 ms for PyTorch's 17 MB convolution output, which it computes in 1.3 ms).
    Whether it happens depends on the allocator's history, not on the code, so it makes timings
    erratic. With this setting, both libraries reuse memory and are timed on their computation.
    Returns whether the setting took effect (only with glibc, i.e. on most Linux systems).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    trim_threshold, mmap_threshold = -1, -3  # M_TRIM_THRESHOLD, M_MMAP_THRESHOLD from malloc.h
    return bool(mallopt(mmap_threshold, 1 << 30)) and bool(mallopt(trim_threshold, 1 << 30))


def matmul_gflops(flops: int, repeats: int, pause: float = 0.0) -> float:
    """GFLOP/s of one float32 ``np.matmul`` of two square matrices with (about) ``flops`` operations."""
    size = max(2, round((flops / 2) ** (1 / 3)))
    rng = np.random.default_rng(0)
    left = rng.standard_normal((size, size), dtype=np.float32)
    right = rng.standard_normal((size, size), dtype=np.float32)
    seconds = time_in_blocks({"matmul": lambda: np.matmul(left, right)}, repeats, pause=pause)["matmul"]
    return 2 * size ** 3 / seconds / 1e9
