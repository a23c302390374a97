"""What sets the speed on this machine: NumPy's BLAS, its CPU kernels and threads, PyTorch, the load."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class BlasInfo:
    """NumPy's BLAS as ``threadpoolctl`` reports it."""

    description: str
    num_threads: int
    architecture: str | None = None  # the CPU kernels OpenBLAS picked, e.g. "Haswell" or "SkylakeX"


def blas_info() -> BlasInfo:
    """A short description of NumPy's BLAS, its number of threads and the CPU kernels it uses."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return BlasInfo("BLAS unknown (threadpoolctl not installed)", os.cpu_count() or 1)
    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    numpy_pools = [pool for pool in pools if "numpy" in pool.get("filepath", "")] or pools
    if not numpy_pools:
        return BlasInfo("BLAS unknown", os.cpu_count() or 1)
    pool = numpy_pools[0]
    architecture = pool.get("architecture")
    description = f"{pool.get('internal_api', '?')} {pool.get('version', '')} ({architecture or '?'} kernels)"
    return BlasInfo(description, int(pool.get("num_threads", os.cpu_count() or 1)), architecture)


#: OpenBLAS kernel families that use AVX-512.
OPENBLAS_AVX512_KERNELS = frozenset({"skylakex", "cooperlake", "sapphirerapids"})


def cpu_flags() -> frozenset[str]:
    """The instruction-set flags of the CPU from ``/proc/cpuinfo`` (empty where that file does not exist)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def blas_kernel_note(flags: frozenset[str], architecture: str | None) -> str | None:
    """A warning when the CPU has AVX-512 but OpenBLAS runs narrower kernels, else ``None``.

    OpenBLAS picks its kernels from the CPU model it recognises; on CPUs newer than the build it may
    fall back to AVX2 kernels (e.g. ``Haswell``) although the CPU has AVX-512, which PyTorch's oneDNN
    does use. That halves the speed of NumPy's matrix products, so the reader of a ratio should know.
    """
    if architecture is None or "avx512f" not in flags or architecture.lower() in OPENBLAS_AVX512_KERNELS:
        return None
    return (f"note: this CPU has AVX-512 but NumPy's OpenBLAS runs its {architecture} kernels (PyTorch uses "
            f"AVX-512); OPENBLAS_CORETYPE=SkylakeX selects OpenBLAS's AVX-512 kernels")


def import_torch(num_threads: int):
    """PyTorch set to ``num_threads`` threads, or ``None`` when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(num_threads)
    return torch


#: Environment variables that change how fast NumPy's BLAS and PyTorch run (printed in the header).
SPEED_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                   "MKL_NUM_THREADS")


def speed_settings(environment=None) -> str:
    """The :data:`SPEED_VARIABLES` that are set, e.g. ``OPENBLAS_CORETYPE=Haswell``, or a note that none is."""
    environment = os.environ if environment is None else environment
    settings = [f"{name}={environment[name]}" for name in SPEED_VARIABLES if name in environment]
    return ", ".join(settings) if settings else f"none of {', '.join(SPEED_VARIABLES)} set (a user's defaults)"


def load_note(when: str) -> str:
    """The machine's load average ``when``, with a warning when other work competes for the cores.

    Two-thread BLAS products stall whenever one of their threads is descheduled, so on a busy machine
    the timings (and the ratios to PyTorch) say little.
    """
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return f"load average {when}: unknown"
    busy = load > 0.5 * (os.cpu_count() or 1)
    return (f"load average {when}: {load:.2f} on {os.cpu_count()} CPUs"
            + ("  (BUSY: other processes compete for the cores, timings are unreliable)" if busy else ""))
