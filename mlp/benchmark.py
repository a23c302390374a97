"""How fast is the kit's convolution? ``python -m mlp.benchmark [--quick] [--profile] [--repeats N]``.

For each convolution shape it times one training pass (``fprop``, ``bprop`` and
``grads_wrt_params``, float32) of

* ``ours``: :class:`mlp.layers.ConvolutionalLayer` (im2col over shifted rows + matrix products);
* ``naive``: :func:`naive_convolution_step` below, the convolution a student writes first: Python
  loops over the images and the output positions, with one ``np.dot`` over the window (for all
  output channels at once) at each position, forwards and again backwards;
* ``position loop``: :func:`position_loop_convolution_step`, a much stronger baseline that loops
  over the output positions only, with the whole batch and all channels in three BLAS products
  per position;
* two peers, the ways other NumPy teaching frameworks convolve, written here from their published
  algorithms: ``CS231n``, :func:`cs231n_convolution_step` (im2col by fancy indexing, col2im with
  ``np.add.at``, the fallback of Stanford's CS231n assignments), and ``correlate2d``,
  :func:`correlate2d_convolution_step` (``scipy.signal.correlate2d`` for every image and channel pair,
  the style of the Edinburgh machine-learning labs);
* ``torch``: ``torch.nn.functional.conv2d`` forward and backward (input, weight and bias
  gradients) on the CPU, when PyTorch is installed (it is never needed by the kit itself),

checks that all of them give the same numbers, and prints the ratios together with the share of our
time spent in the three matrix products (timed alone, on the layer's own matrices), the effective
GFLOP/s of our layer next to those of one float32 ``np.matmul`` of the same FLOP count (what NumPy's
BLAS does on well-shaped square matrices on this machine), and the memory one training pass of our
layer needs (its peak, kept work arrays included, from ``tracemalloc``). It then times one SGD
training step of a 784-256-256-10 ReLU network on a batch of 100, ours against PyTorch.
``--profile`` adds, for each shape, where our time goes phase by phase (padding, im2col, the three
products, col2im, the layout copies; see ``ConvolutionalLayer.profiler``).

Timings are medians over repeats after a warm-up (the loop baselines and the peers are slow, so they
get fewer repeats and no warm-up); the implementations are timed in alternating blocks (see
:func:`time_in_blocks`), with freed memory kept for reuse (see :func:`keep_freed_memory`;
``--fresh-memory`` turns that off). Every repeat of ``ours`` does all the work of a training step:
``fprop`` builds its im2col matrix afresh each time, even though the inputs are the same. PyTorch
gets as many threads as NumPy's BLAS uses (from ``threadpoolctl`` when available, else
``os.cpu_count()``). The header names NumPy's BLAS, the CPU kernels it uses and the thread counts,
and the environment variables that change them: they set the speed of the matrix products, and so
of our layer. ``make benchmark`` runs this in a user's conditions, with the ``OPENBLAS_*``,
``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` settings of this workplace unset.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from mlp.layers.convolution import ConvolutionalLayer
from mlp.layers.windows import output_length


@dataclass(frozen=True)
class ConvolutionCase:
    """One convolution shape: inputs ``(batch_size, in_channels, height, width)``, square kernels."""

    batch_size: int
    in_channels: int
    height: int
    width: int
    out_channels: int
    kernel_size: int
    padding: int = 0
    stride: int = 1

    @property
    def label(self) -> str:
        return (f"{self.batch_size}x{self.in_channels}x{self.height}x{self.width} -> {self.out_channels} "
                f"{self.kernel_size}x{self.kernel_size} pad {self.padding} stride {self.stride}")

    @property
    def output_size(self) -> tuple[int, int]:
        return (output_length(self.height, self.kernel_size, self.stride, self.padding),
                output_length(self.width, self.kernel_size, self.stride, self.padding))

    @property
    def flops(self) -> int:
        """Multiply-adds x 2 of the forward pass, the input gradient and the kernel gradient."""
        out_height, out_width = self.output_size
        per_pass = (2 * self.batch_size * self.out_channels * self.in_channels * self.kernel_size ** 2
                    * out_height * out_width)
        return 3 * per_pass


DEFAULT_CASES = (
    ConvolutionCase(64, 1, 28, 28, 16, 5, padding=0),
    ConvolutionCase(64, 16, 14, 14, 32, 3, padding=1),
    ConvolutionCase(128, 3, 32, 32, 32, 3, padding=1),
)
QUICK_CASES = (
    ConvolutionCase(2, 1, 8, 8, 2, 3, padding=0),
    ConvolutionCase(2, 2, 7, 6, 3, 3, padding=1, stride=2),
)
DEFAULT_MLP_SIZES = (100, 784, 256, 256, 10)  # batch size, then layer widths
QUICK_MLP_SIZES = (8, 20, 16, 16, 10)


# Reference implementations ----------------------------------------------------------------

def naive_convolution_step(inputs: np.ndarray, kernels: np.ndarray, biases: np.ndarray,
                           grads_wrt_outputs: np.ndarray, stride: int = 1, padding: int = 0):
    """The textbook convolution: Python loops over images and output positions, one dot per position.

    Forwards, at each ``(image, output row, output column)`` one ``np.dot`` of the kernels (as an
    ``(out_channels, in_channels * kh * kw)`` matrix) with the flattened window gives that position's
    outputs for all output channels. Backwards, the same loops visit every position again: its
    output gradients add the window to the kernel gradients and the kernels to the window's input
    gradients. Only the channels are vectorised. This is the "naive implementation that loops over
    output positions" the performance target compares with.

    Args:
        inputs: ``(batch_size, in_channels, height, width)``; kernels: ``(out_channels, in_channels, kh, kw)``;
        biases: ``(out_channels,)``; grads_wrt_outputs: ``(batch_size, out_channels, out_height, out_width)``.

    Returns:
        ``(outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_biases)``.
    """
    batch_size, in_channels, height, width = inputs.shape
    out_channels, _, kernel_height, kernel_width = kernels.shape
    out_height = output_length(height, kernel_height, stride, padding)
    out_width = output_length(width, kernel_width, stride, padding)
    padded = np.pad(inputs, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kernel_matrix = kernels.reshape(out_channels, -1)
    outputs = np.empty((batch_size, out_channels, out_height, out_width), dtype=np.result_type(inputs, kernels))
    for n in range(batch_size):
        for i in range(out_height):
            for j in range(out_width):
                window = padded[n, :, i * stride:i * stride + kernel_height, j * stride:j * stride + kernel_width]
                outputs[n, :, i, j] = np.dot(kernel_matrix, window.ravel()) + biases
    grads_wrt_padded = np.zeros_like(padded, dtype=outputs.dtype)
    grads_wrt_kernel_matrix = np.zeros_like(kernel_matrix, dtype=outputs.dtype)
    for n in range(batch_size):
        for i in range(out_height):
            for j in range(out_width):
                rows = slice(i * stride, i * stride + kernel_height)
                cols = slice(j * stride, j * stride + kernel_width)
                grads_here = grads_wrt_outputs[n, :, i, j]  # (out_channels,)
                grads_wrt_kernel_matrix += np.outer(grads_here, padded[n, :, rows, cols].ravel())
                grads_wrt_padded[n, :, rows, cols] += np.dot(grads_here, kernel_matrix).reshape(
                    in_channels, kernel_height, kernel_width)
    grads_wrt_inputs = grads_wrt_padded[:, :, padding:padding + height, padding:padding + width]
    return (outputs, grads_wrt_inputs, grads_wrt_kernel_matrix.reshape(kernels.shape),
            grads_wrt_outputs.sum(axis=(0, 2, 3)))


def position_loop_convolution_step(inputs: np.ndarray, kernels: np.ndarray, biases: np.ndarray,
                                   grads_wrt_outputs: np.ndarray, stride: int = 1, padding: int = 0):
    """A stronger baseline: a Python loop over output positions only, batch and channels vectorised.

    At each output position, three BLAS products (``np.tensordot``) over the whole batch give the
    outputs, the kernel-gradient contribution and the input-gradient contribution. Same arguments and
    results as :func:`naive_convolution_step`.
    """
    batch_size, _, height, width = inputs.shape
    out_channels, _, kernel_height, kernel_width = kernels.shape
    out_height = output_length(height, kernel_height, stride, padding)
    out_width = output_length(width, kernel_width, stride, padding)
    padded = np.pad(inputs, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    outputs = np.empty((batch_size, out_channels, out_height, out_width), dtype=inputs.dtype)
    grads_wrt_padded = np.zeros_like(padded)
    grads_wrt_kernels = np.zeros_like(kernels)
    for row in range(out_height):
        for col in range(out_width):
            rows = slice(row * stride, row * stride + kernel_height)
            cols = slice(col * stride, col * stride + kernel_width)
            window = padded[:, :, rows, cols]  # (batch_size, in_channels, kh, kw)
            outputs[:, :, row, col] = np.tensordot(window, kernels, axes=([1, 2, 3], [1, 2, 3])) + biases
            grads_here = grads_wrt_outputs[:, :, row, col]  # (batch_size, out_channels)
            grads_wrt_kernels += np.tensordot(grads_here, window, axes=([0], [0]))
            grads_wrt_padded[:, :, rows, cols] += np.tensordot(grads_here, kernels, axes=([1], [0]))
    grads_wrt_inputs = grads_wrt_padded[:, :, padding:padding + height, padding:padding + width]
    return outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_outputs.sum(axis=(0, 2, 3))


def _cs231n_window_indices(in_channels: int, kernel_height: int, kernel_width: int, out_height: int,
                           out_width: int, stride: int):
    """Index arrays ``(channel, row, col)`` of shape ``(in_channels * kh * kw, out_height * out_width)``.

    Entry ``[(c, di, dj), (i, j)]`` names the padded pixel ``(c, i * stride + di, j * stride + dj)``: the
    window offsets vary down the rows, the output positions along the columns.
    """
    offset_rows = np.tile(np.repeat(np.arange(kernel_height), kernel_width), in_channels)
    offset_cols = np.tile(np.arange(kernel_width), kernel_height * in_channels)
    position_rows = stride * np.repeat(np.arange(out_height), out_width)
    position_cols = stride * np.tile(np.arange(out_width), out_height)
    channels = np.repeat(np.arange(in_channels), kernel_height * kernel_width)[:, None]
    return channels, offset_rows[:, None] + position_rows[None, :], offset_cols[:, None] + position_cols[None, :]


def cs231n_convolution_step(inputs: np.ndarray, kernels: np.ndarray, biases: np.ndarray,
                            grads_wrt_outputs: np.ndarray, stride: int = 1, padding: int = 0):
    """The im2col of Stanford's CS231n assignments (their pure-NumPy fallback), written from its algorithm.

    im2col by fancy indexing: ``padded[:, channels, rows, cols]`` with the index arrays of
    :func:`_cs231n_window_indices` gathers every window, the columns are ordered (position, image);
    outputs, kernel gradients and column gradients are then one matrix product each, and col2im adds
    the column gradients back with ``np.add.at`` (which handles repeated indices, one element at a time).
    Same arguments and results as :func:`naive_convolution_step`.
    """
    batch_size, in_channels, height, width = inputs.shape
    out_channels, _, kernel_height, kernel_width = kernels.shape
    out_height = output_length(height, kernel_height, stride, padding)
    out_width = output_length(width, kernel_width, stride, padding)
    padded = np.pad(inputs, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    channels, rows, cols = _cs231n_window_indices(in_channels, kernel_height, kernel_width, out_height,
                                                  out_width, stride)
    columns = padded[:, channels, rows, cols]  # (batch, C * kh * kw, positions)
    columns = columns.transpose(1, 2, 0).reshape(in_channels * kernel_height * kernel_width, -1)
    kernel_matrix = kernels.reshape(out_channels, -1)
    outputs = (kernel_matrix @ columns + biases[:, None]).reshape(out_channels, out_height, out_width, batch_size)
    outputs = outputs.transpose(3, 0, 1, 2)
    grads_matrix = grads_wrt_outputs.transpose(1, 2, 3, 0).reshape(out_channels, -1)
    grads_wrt_kernels = (grads_matrix @ columns.T).reshape(kernels.shape)
    grads_wrt_columns = (kernel_matrix.T @ grads_matrix).reshape(columns.shape[0], -1, batch_size)
    grads_wrt_padded = np.zeros_like(padded, dtype=grads_wrt_columns.dtype)
    np.add.at(grads_wrt_padded, (slice(None), channels, rows, cols), grads_wrt_columns.transpose(2, 0, 1))
    grads_wrt_inputs = grads_wrt_padded[:, :, padding:padding + height, padding:padding + width]
    return outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_outputs.sum(axis=(0, 2, 3))


def correlate2d_convolution_step(inputs: np.ndarray, kernels: np.ndarray, biases: np.ndarray,
                                 grads_wrt_outputs: np.ndarray, stride: int = 1, padding: int = 0):
    """The Edinburgh labs' style: one ``scipy.signal`` 2-D correlation per image and channel pair.

    For every image ``n``, output channel ``o`` and input channel ``c``: the outputs add
    ``correlate2d(padded[n, c], K[o, c], 'valid')`` (every ``stride``-th entry), the kernel gradients add
    ``correlate2d(padded[n, c], G[n, o], 'valid')`` and the padded input gradients add
    ``convolve2d(G[n, o], K[o, c], 'full')``, with ``G`` the output gradients spread out to stride 1
    (zeros in between). Same arguments and results as :func:`naive_convolution_step`.
    """
    from scipy.signal import convolve2d, correlate2d

    batch_size, in_channels, height, width = inputs.shape
    out_channels, _, kernel_height, kernel_width = kernels.shape
    out_height = output_length(height, kernel_height, stride, padding)
    out_width = output_length(width, kernel_width, stride, padding)
    padded = np.pad(inputs, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dtype = np.result_type(inputs, kernels)
    # output gradients at stride 1 (the window positions every stride-th of which are outputs)
    dense_height, dense_width = padded.shape[2] - kernel_height + 1, padded.shape[3] - kernel_width + 1
    dense_grads = np.zeros((batch_size, out_channels, dense_height, dense_width), dtype=grads_wrt_outputs.dtype)
    dense_grads[:, :, ::stride, ::stride] = grads_wrt_outputs
    outputs = np.empty((batch_size, out_channels, out_height, out_width), dtype=dtype)
    grads_wrt_padded = np.zeros(padded.shape, dtype=dtype)
    grads_wrt_kernels = np.zeros(kernels.shape, dtype=dtype)
    for n in range(batch_size):
        for o in range(out_channels):
            total = np.full((dense_height, dense_width), biases[o], dtype=dtype)
            for c in range(in_channels):
                total += correlate2d(padded[n, c], kernels[o, c], mode="valid")
                grads_wrt_kernels[o, c] += correlate2d(padded[n, c], dense_grads[n, o], mode="valid")
                grads_wrt_padded[n, c] += convolve2d(dense_grads[n, o], kernels[o, c], mode="full")
            outputs[n, o] = total[::stride, ::stride]
    grads_wrt_inputs = grads_wrt_padded[:, :, padding:padding + height, padding:padding + width]
    return outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_outputs.sum(axis=(0, 2, 3))


def ours_convolution_step(layer: ConvolutionalLayer, inputs: np.ndarray, grads_wrt_outputs: np.ndarray):
    """``fprop``, ``bprop`` and ``grads_wrt_params`` of ``layer``, as one training step would call them."""
    outputs = layer.fprop(inputs)
    grads_wrt_inputs = layer.bprop(inputs, outputs, grads_wrt_outputs)
    grads_wrt_kernels, grads_wrt_biases = layer.grads_wrt_params(inputs, grads_wrt_outputs)
    return outputs, grads_wrt_inputs, grads_wrt_kernels, grads_wrt_biases


# Timing -------------------------------------------------------------------------------------

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


def import_torch(num_threads: int):
    """PyTorch set to ``num_threads`` threads, or ``None`` when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(num_threads)
    return torch


def matmul_gflops(flops: int, repeats: int, pause: float = 0.0) -> float:
    """GFLOP/s of one float32 ``np.matmul`` of two square matrices with (about) ``flops`` operations."""
    size = max(2, round((flops / 2) ** (1 / 3)))
    rng = np.random.default_rng(0)
    left = rng.standard_normal((size, size), dtype=np.float32)
    right = rng.standard_normal((size, size), dtype=np.float32)
    seconds = time_in_blocks({"matmul": lambda: np.matmul(left, right)}, repeats, pause=pause)["matmul"]
    return 2 * size ** 3 / seconds / 1e9


# Convolution benchmark -------------------------------------------------------------------

#: The peers and loops timed with few repeats and no warm-up: name -> implementation.
SLOW_IMPLEMENTATIONS = {
    "naive": naive_convolution_step,
    "position_loop": position_loop_convolution_step,
    "cs231n": cs231n_convolution_step,
    "correlate2d": correlate2d_convolution_step,
}


@dataclass
class ConvolutionResult:
    """Median seconds per training pass of each implementation, and how far their numbers are from ours.

    ``others`` and ``differences`` are keyed by the names of :data:`SLOW_IMPLEMENTATIONS`; ``blas`` is the
    time of our three matrix products alone and ``memory_bytes`` the peak memory of one pass of ours.
    """

    case: ConvolutionCase
    ours: float
    others: dict[str, float]
    differences: dict[str, float]
    torch: float | None
    torch_difference: float | None
    blas: float | None
    matmul_gflops: float
    memory_bytes: int

    @property
    def gflops(self) -> float:
        return self.case.flops / self.ours / 1e9

    @property
    def worst_difference(self) -> float:
        """Largest relative difference of ours from the loops, the peers and PyTorch."""
        return max([*self.differences.values(), self.torch_difference or 0.0])

    @property
    def agrees(self) -> bool:
        return self.worst_difference <= AGREEMENT_TOLERANCE


def _convolution_data(case: ConvolutionCase, seed: int = 0):
    """Float32 inputs, a layer with random kernels and biases, and output gradients for ``case``."""
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((case.batch_size, case.in_channels, case.height, case.width), dtype=np.float32)
    layer = ConvolutionalLayer(
        case.in_channels, case.out_channels, case.height, case.width, case.kernel_size, case.kernel_size,
        kernels_init=lambda shape: rng.uniform(-0.5, 0.5, size=shape).astype(np.float32),
        biases_init=lambda shape: rng.uniform(-0.5, 0.5, size=shape).astype(np.float32),
        stride=case.stride, padding=case.padding)
    grads_wrt_outputs = rng.standard_normal((case.batch_size, case.out_channels, *case.output_size),
                                            dtype=np.float32)
    return inputs, layer, grads_wrt_outputs


def blas_products(layer: ConvolutionalLayer) -> Callable[[], object] | None:
    """The three matrix products of a training pass of ``layer``, on its kept matrices, as one function.

    Call it after a pass (``fprop``, ``bprop``, ``grads_wrt_params``); ``None`` when the layer did not
    keep its matrices (they were larger than ``max_cached_bytes``).
    """
    columns, grads_matrix = layer._workspace.get("columns"), layer._workspace.get("grads_matrix")
    if columns is None or grads_matrix is None:
        return None
    kernels_matrix = layer.kernels.reshape(layer.num_output_channels, -1)
    kernels_and_biases = np.concatenate([kernels_matrix, layer.biases[:, None]], axis=1)

    def products():
        kernels_and_biases @ columns
        kernels_matrix.T @ grads_matrix
        columns @ grads_matrix.T

    return products


def peak_memory_of_a_pass(layer_factory: Callable[[], ConvolutionalLayer], inputs: np.ndarray,
                          grads_wrt_outputs: np.ndarray) -> int:
    """Peak bytes NumPy allocates during one training pass of a fresh layer (its kept work arrays included).

    Measured with ``tracemalloc``, which sees every NumPy array; the inputs and output gradients, made
    before, are not counted.
    """
    import tracemalloc

    layer = layer_factory()
    tracemalloc.start()
    try:
        results = ours_convolution_step(layer, inputs, grads_wrt_outputs)
        del results
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def benchmark_convolution(case: ConvolutionCase, repeats: int, naive_repeats: int, torch=None,
                          seed: int = 0, pause: float = 0.0) -> ConvolutionResult:
    """Time and cross-check ours, the loops, the peers and (optionally) PyTorch on one shape.

    ``ours`` and PyTorch get ``repeats`` timed calls after a warm-up, and so do our three products alone;
    the loops and peers, which take up to seconds, ``naive_repeats`` calls without warm-up.
    """
    inputs, layer, grads_wrt_outputs = _convolution_data(case, seed)
    loop_arguments = (inputs, layer.kernels, layer.biases, grads_wrt_outputs, case.stride, case.padding)

    ours = ours_convolution_step(layer, inputs, grads_wrt_outputs)
    functions = {"ours": lambda: ours_convolution_step(layer, inputs, grads_wrt_outputs)}
    products = blas_products(layer)
    if products is not None:
        functions["blas"] = products
    torch_difference = None
    if torch is not None:
        functional = torch.nn.functional
        torch_inputs = torch.from_numpy(inputs).requires_grad_(True)
        torch_kernels = torch.from_numpy(layer.kernels.copy()).requires_grad_(True)
        torch_biases = torch.from_numpy(layer.biases.copy()).requires_grad_(True)
        torch_grads = torch.from_numpy(grads_wrt_outputs)

        def torch_step():
            outputs = functional.conv2d(torch_inputs, torch_kernels, torch_biases, stride=case.stride,
                                        padding=case.padding)
            grads = torch.autograd.grad(outputs, (torch_inputs, torch_kernels, torch_biases), torch_grads)
            return (outputs.detach(), *grads)

        torch_difference = relative_difference(ours, [tensor.numpy() for tensor in torch_step()])
        functions["torch"] = torch_step
    times = time_in_blocks(functions, repeats, pause=pause)

    slow_results = {name: step(*loop_arguments) for name, step in SLOW_IMPLEMENTATIONS.items()}  # also warm-up
    slow_times = time_in_blocks({name: lambda step=step: step(*loop_arguments)
                                 for name, step in SLOW_IMPLEMENTATIONS.items()}, naive_repeats, warmup=0, pause=pause)
    memory = peak_memory_of_a_pass(lambda: _convolution_data(case, seed)[1], inputs, grads_wrt_outputs)
    return ConvolutionResult(
        case, times["ours"], slow_times, {name: relative_difference(ours, result)
                                          for name, result in slow_results.items()},
        times.get("torch"), torch_difference, times.get("blas"), matmul_gflops(case.flops, repeats, pause), memory)


class PhaseProfiler:
    """Adds up the time spent in each named phase; ``ConvolutionalLayer.profiler`` takes one."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def profile_convolution(case: ConvolutionCase, repeats: int, seed: int = 0) -> tuple[float, dict[str, float]]:
    """Where one training pass of ours spends its time: ``(seconds per pass, {phase: seconds per pass})``.

    The fastest of three rounds of ``repeats`` profiled passes (after a warm-up), so that a busy moment
    of the machine does not distort the split. What the phases leave out (argument checks, Python,
    reshapes) is reported by :func:`profile_table` as "other".
    """
    inputs, layer, grads_wrt_outputs = _convolution_data(case, seed)
    for _ in range(2):
        ours_convolution_step(layer, inputs, grads_wrt_outputs)
    best = None
    for _ in range(3):
        layer.profiler = PhaseProfiler()
        start = time.perf_counter()
        for _ in range(repeats):
            ours_convolution_step(layer, inputs, grads_wrt_outputs)
        total = (time.perf_counter() - start) / repeats
        if best is None or total < best[0]:
            best = (total, {name: seconds / repeats for name, seconds in layer.profiler.seconds.items()})
    layer.profiler = None
    return best


# MLP training step --------------------------------------------------------------------------

@dataclass
class MLPResult:
    sizes: tuple
    ours: float | None
    torch: float | None
    difference: float | None
    note: str = ""


def _mlp_data(sizes: Sequence[int], seed: int = 0):
    rng = np.random.default_rng(seed)
    batch_size, widths = sizes[0], sizes[1:]
    inputs = rng.standard_normal((batch_size, widths[0]), dtype=np.float32)
    labels = rng.integers(0, widths[-1], size=batch_size)
    targets = np.eye(widths[-1], dtype=np.float32)[labels]
    weights = [rng.uniform(-1, 1, size=(fan_out, fan_in)).astype(np.float32) / np.float32(np.sqrt(fan_in))
               for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True)]
    biases = [np.zeros(fan_out, dtype=np.float32) for fan_out in widths[1:]]
    return inputs, labels, targets, weights, biases


def benchmark_mlp_step(sizes: Sequence[int], repeats: int, torch=None, learning_rate: float = 0.01,
                       pause: float = 0.0) -> MLPResult:
    """Time one SGD step (forward, softmax cross-entropy, backward, update) of an affine-ReLU network."""
    inputs, labels, targets, weights, biases = _mlp_data(sizes)
    try:
        from mlp.errors import CrossEntropySoftmaxError
        from mlp.layers import AffineLayer, ReluLayer
        from mlp.learning_rules import GradientDescentLearningRule
        from mlp.models import MultipleLayerModel

        layers = []
        for index, (weight, bias) in enumerate(zip(weights, biases, strict=True)):
            if index:
                layers.append(ReluLayer())
            layers.append(AffineLayer(weight.shape[1], weight.shape[0], lambda shape, w=weight: w.copy(),
                                      lambda shape, b=bias: b.copy()))
        model = MultipleLayerModel(layers)
        error = CrossEntropySoftmaxError()
        learning_rule = GradientDescentLearningRule(learning_rate=learning_rate)
        learning_rule.initialise(model.params)
    except (ImportError, NotImplementedError) as missing:
        return MLPResult(tuple(sizes), None, None, None, f"skipped: the kit's MLP pieces are missing ({missing})")

    def ours_step():
        activations = model.fprop(inputs)
        error(activations[-1], targets)
        learning_rule.update_params(model.grads_wrt_params(activations, error.grad(activations[-1], targets)))

    functions = {"ours": ours_step}
    difference = None
    if torch is not None:
        network_layers = []
        for index, (weight, bias) in enumerate(zip(weights, biases, strict=True)):
            if index:
                network_layers.append(torch.nn.ReLU())
            linear = torch.nn.Linear(weight.shape[1], weight.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(weight))
                linear.bias.copy_(torch.from_numpy(bias))
            network_layers.append(linear)
        network = torch.nn.Sequential(*network_layers)
        optimiser = torch.optim.SGD(network.parameters(), lr=learning_rate)
        torch_inputs, torch_labels = torch.from_numpy(inputs), torch.from_numpy(labels)

        def torch_step():
            optimiser.zero_grad()
            loss = torch.nn.functional.cross_entropy(network(torch_inputs), torch_labels)
            loss.backward()
            optimiser.step()

        # from the same start, both must compute the same gradients (and so make the same SGD update)
        activations = model.fprop(inputs)
        ours_grads = model.grads_wrt_params(activations, error.grad(activations[-1], targets))
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(network(torch_inputs), torch_labels).backward()
        difference = relative_difference(ours_grads, [parameter.grad.numpy() for parameter in network.parameters()])
        functions["torch"] = torch_step
    times = time_in_blocks(functions, repeats, pause=pause)
    return MLPResult(tuple(sizes), times["ours"], times.get("torch"), difference)


# Report -------------------------------------------------------------------------------------

def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1e3:.2f}"


def _ratio(numerator: float | None, denominator: float | None) -> str:
    return "n/a" if numerator is None or denominator is None else f"{numerator / denominator:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(row[column])) for row in [header, *rows]) for column in range(len(header))]

    def line(row):
        cells = [str(cell).ljust(width) if column == 0 else str(cell).rjust(width)
                 for column, (cell, width) in enumerate(zip(row, widths, strict=True))]
        return "| " + " | ".join(cells) + " |"

    rule = "|" + "|".join(("-" * (width + 2) if column == 0 else "-" * (width + 1) + ":")
                          for column, width in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *map(line, rows)])


def _agreement(agrees: bool, difference: float) -> str:
    return f"{'yes' if agrees else 'NO'} ({difference:.0e})"


def convolution_table(results: Sequence[ConvolutionResult]) -> str:
    header = ("case", "ours (ms)", "PyTorch (ms)", "ours / PyTorch", "naive / ours", "position loop / ours",
              "CS231n / ours", "correlate2d / ours", "BLAS share", "ours GFLOP/s", "matmul GFLOP/s",
              "memory (MB)", "same numbers")
    rows = [(result.case.label, _ms(result.ours), _ms(result.torch), _ratio(result.ours, result.torch),
             *(_ratio(result.others[name], result.ours) for name in SLOW_IMPLEMENTATIONS),
             "n/a" if result.blas is None else f"{result.blas / result.ours:.0%}", f"{result.gflops:.1f}",
             f"{result.matmul_gflops:.1f}", f"{result.memory_bytes / 2**20:.1f}",
             _agreement(result.agrees, result.worst_difference))
            for result in results]
    return _table(header, rows)


def profile_table(case: ConvolutionCase, total: float, phases: dict[str, float]) -> str:
    """One row per phase of :func:`profile_convolution`, slowest first, with its share of the pass."""
    rows = [(name, _ms(seconds), f"{seconds / total:.0%}")
            for name, seconds in sorted(phases.items(), key=lambda item: -item[1])]
    other = total - sum(phases.values())
    rows += [("other (checks, Python, reshapes)", _ms(other), f"{other / total:.0%}"),
             ("total", _ms(total), "100%")]
    return _table((case.label, "ms per pass", "share"), rows)


def mlp_table(result: MLPResult) -> str:
    label = f"SGD step {result.sizes[0]}x" + "-".join(str(size) for size in result.sizes[1:])
    if result.ours is None:
        return f"{label}: {result.note}"
    same = ("n/a" if result.difference is None
            else _agreement(result.difference <= AGREEMENT_TOLERANCE, result.difference))
    return _table(("case", "ours (ms)", "PyTorch (ms)", "ours / PyTorch", "same gradients"),
                  [(label, _ms(result.ours), _ms(result.torch), _ratio(result.ours, result.torch), same)])


#: The performance targets the convolution and the MLP step were written to (ratios of median times).
TARGETS = {"conv ours/torch": 1.5, "conv naive/ours": 50.0, "conv peer/ours": 5.0, "MLP ours/torch": 1.2}

#: The peers the ``conv peer/ours`` target applies to, with their names in the summary.
PEERS = {"cs231n": "CS231n", "correlate2d": "correlate2d"}


def targets_summary(results: Sequence[ConvolutionResult], mlp_result: MLPResult) -> str:
    """One line per target: which cases meet it."""

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "MISSED")

    lines = ["Targets:"]
    for result in results:
        versus_torch = None if result.torch is None else result.ours / result.torch <= TARGETS["conv ours/torch"]
        versus_naive = result.others["naive"] / result.ours >= TARGETS["conv naive/ours"]
        versus_peers = ", ".join(
            f"{label}/ours >= {TARGETS['conv peer/ours']:.0f} "
            f"{verdict(result.others[name] / result.ours >= TARGETS['conv peer/ours'])}"
            for name, label in PEERS.items())
        lines.append(f"  {result.case.label}: ours/torch <= {TARGETS['conv ours/torch']} {verdict(versus_torch)}, "
                     f"naive/ours >= {TARGETS['conv naive/ours']:.0f} {verdict(versus_naive)}, {versus_peers}")
    mlp_ok = (None if mlp_result.ours is None or mlp_result.torch is None
              else mlp_result.ours / mlp_result.torch <= TARGETS["MLP ours/torch"])
    lines.append(f"  MLP step: ours/torch <= {TARGETS['MLP ours/torch']} {verdict(mlp_ok)}")
    return "\n".join(lines)


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the tables; returns 1 if any implementation disagrees, else 0."""
    parser = argparse.ArgumentParser(prog="python -m mlp.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes and one repeat (a smoke test)")
    parser.add_argument("--profile", action="store_true",
                        help="also print where our convolution's time goes, phase by phase")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats of ours and torch (default 30)")
    parser.add_argument("--naive-repeats", type=int, default=None,
                        help="timed repeats of each loop baseline and peer (default 3)")
    parser.add_argument("--no-torch", action="store_true", help="do not compare with PyTorch")
    parser.add_argument("--fresh-memory", action="store_true",
                        help="leave the allocator alone (timings then include page faults on fresh memory)")
    arguments = parser.parse_args(argv)
    repeats = arguments.repeats or (1 if arguments.quick else 30)
    naive_repeats = arguments.naive_repeats or (1 if arguments.quick else 3)
    pause = 0.0 if arguments.quick else 0.3  # let the other library's worker threads go to sleep
    cases = QUICK_CASES if arguments.quick else DEFAULT_CASES
    mlp_sizes = QUICK_MLP_SIZES if arguments.quick else DEFAULT_MLP_SIZES

    # a smoke test (--quick) runs inside other processes, e.g. pytest: leave their allocator alone
    reuse_memory = not arguments.quick and not arguments.fresh_memory and keep_freed_memory()
    blas = blas_info()
    torch = None if arguments.no_torch else import_torch(blas.num_threads)
    torch_text = "not used" if torch is None else f"{torch.__version__}, {torch.get_num_threads()} threads"
    print(f"NumPy {np.__version__} with {blas.description}, {blas.num_threads} threads; PyTorch {torch_text}; "
          f"Python {platform.python_version()} on {os.cpu_count()} CPUs")
    print(f"BLAS kernel: {blas.architecture or 'unknown'}; NumPy BLAS threads: {blas.num_threads}; "
          f"PyTorch threads: {'n/a' if torch is None else torch.get_num_threads()}; "
          f"environment: {speed_settings()}")
    note = blas_kernel_note(cpu_flags(), blas.architecture)
    if note:
        print(note)
    print(load_note("at the start"))
    memory = "freed memory kept for reuse (see keep_freed_memory)" if reuse_memory else "default allocator"
    print(f"float32; medians of {repeats} repeats after warm-up ({naive_repeats} without warm-up for the loops "
          f"and peers); {memory}\n")

    print("Convolution: fprop + bprop + grads_wrt_params")
    print("  naive: Python loops over images and output positions, one np.dot per position for all output "
          "channels\n  position loop: Python loop over output positions, batch and channels in three BLAS "
          "products each\n  CS231n: im2col by fancy indexing, col2im with np.add.at\n"
          "  correlate2d: scipy.signal.correlate2d per image and channel pair\n"
          "  BLAS share: our three matrix products timed alone, as a share of ours; memory: peak of one pass "
          "of ours")
    results = [benchmark_convolution(case, repeats, naive_repeats, torch, pause=pause) for case in cases]
    print(convolution_table(results))
    if arguments.profile:
        print("\nWhere our time goes (fastest of 3 profiled rounds; phases as named in ConvolutionalLayer)")
        for case in cases:
            print(profile_table(case, *profile_convolution(case, repeats)) + "\n")
    print("\nMLP training step (affine-ReLU-affine-ReLU-affine, softmax cross-entropy, SGD update)")
    mlp_result = benchmark_mlp_step(mlp_sizes, repeats, torch, pause=pause)
    print(mlp_table(mlp_result))

    if not arguments.quick:
        print("\n" + targets_summary(results, mlp_result))
        print(load_note("at the end"))

    disagreements = [result.case.label for result in results if not result.agrees]
    if mlp_result.difference is not None and mlp_result.difference > AGREEMENT_TOLERANCE:
        disagreements.append("MLP step")
    if disagreements:
        print(f"\nERROR: results differ between implementations for: {', '.join(disagreements)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
