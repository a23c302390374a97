"""How fast is the kit's convolution? ``python -m mlp.benchmark [--quick] [--repeats N]``.

For each convolution shape it times one training pass (``fprop``, ``bprop`` and
``grads_wrt_params``, float32) of

* ``ours``: :class:`mlp.layers.ConvolutionalLayer` (im2col + matrix products);
* ``naive``: :func:`naive_convolution_step` below, the convolution a student writes first: Python
  loops over the images and the output positions, with one ``np.dot`` over the window (for all
  output channels at once) at each position, forwards and again backwards;
* ``position loop``: :func:`position_loop_convolution_step`, a much stronger baseline that loops
  over the output positions only, with the whole batch and all channels in three BLAS products
  per position;
* ``torch``: ``torch.nn.functional.conv2d`` forward and backward (input, weight and bias
  gradients) on the CPU, when PyTorch is installed (it is never needed by the kit itself),

checks that all of them give the same numbers, and prints the ratios together with the
effective GFLOP/s of our layer next to those of one float32 ``np.matmul`` of the same FLOP
count (what NumPy's BLAS does on well-shaped square matrices on this machine). It then times
one SGD training step of a 784-256-256-10 ReLU network on a batch of 100, ours against PyTorch.

Timings are medians over repeats after a warm-up (the two loop baselines are slow, so they get
fewer repeats and no warm-up); the implementations are timed in alternating blocks (see
:func:`time_in_blocks`), with freed memory kept for reuse (see :func:`keep_freed_memory`;
``--fresh-memory`` turns that off). Every repeat of ``ours`` does all the work of a training step:
``fprop`` builds its im2col matrix afresh each time, even though the inputs are the same. PyTorch
gets as many threads as NumPy's BLAS uses (from ``threadpoolctl`` when available, else
``os.cpu_count()``). The header line names NumPy's BLAS and the CPU kernels it uses: they set the
speed of the matrix products, and so of our layer.
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

@dataclass
class ConvolutionResult:
    """Median seconds per training pass of each implementation, and how far their numbers are from ours."""

    case: ConvolutionCase
    ours: float
    naive: float
    position_loop: float
    torch: float | None
    naive_difference: float
    position_loop_difference: float
    torch_difference: float | None
    matmul_gflops: float

    @property
    def gflops(self) -> float:
        return self.case.flops / self.ours / 1e9

    @property
    def worst_difference(self) -> float:
        """Largest relative difference of ours from the two loops and from PyTorch."""
        return max(self.naive_difference, self.position_loop_difference, self.torch_difference or 0.0)

    @property
    def agrees(self) -> bool:
        return self.worst_difference <= AGREEMENT_TOLERANCE


def benchmark_convolution(case: ConvolutionCase, repeats: int, naive_repeats: int, torch=None,
                          seed: int = 0, pause: float = 0.0) -> ConvolutionResult:
    """Time and cross-check ours, the two loops and (optionally) PyTorch on one shape.

    ``ours`` and PyTorch get ``repeats`` timed calls after a warm-up; the loops, which take up to
    seconds, ``naive_repeats`` calls without warm-up.
    """
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal((case.batch_size, case.in_channels, case.height, case.width), dtype=np.float32)
    layer = ConvolutionalLayer(
        case.in_channels, case.out_channels, case.height, case.width, case.kernel_size, case.kernel_size,
        kernels_init=lambda shape: rng.uniform(-0.5, 0.5, size=shape).astype(np.float32),
        biases_init=lambda shape: rng.uniform(-0.5, 0.5, size=shape).astype(np.float32),
        stride=case.stride, padding=case.padding)
    grads_wrt_outputs = rng.standard_normal((case.batch_size, case.out_channels, *case.output_size),
                                            dtype=np.float32)
    loop_arguments = (inputs, layer.kernels, layer.biases, grads_wrt_outputs, case.stride, case.padding)

    ours = ours_convolution_step(layer, inputs, grads_wrt_outputs)
    functions = {"ours": lambda: ours_convolution_step(layer, inputs, grads_wrt_outputs)}
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

    loops = {"naive": naive_convolution_step, "position_loop": position_loop_convolution_step}
    loop_results = {name: loop(*loop_arguments) for name, loop in loops.items()}  # also the untimed first call
    loop_times = time_in_blocks({name: lambda loop=loop: loop(*loop_arguments) for name, loop in loops.items()},
                                naive_repeats, warmup=0, pause=pause)
    return ConvolutionResult(
        case, times["ours"], loop_times["naive"], loop_times["position_loop"], times.get("torch"),
        relative_difference(ours, loop_results["naive"]), relative_difference(ours, loop_results["position_loop"]),
        torch_difference, matmul_gflops(case.flops, repeats, pause))


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
    header = ("case", "ours (ms)", "naive (ms)", "position loop (ms)", "PyTorch (ms)", "ours / PyTorch",
              "naive / ours", "position loop / ours", "ours GFLOP/s", "matmul GFLOP/s", "same numbers")
    rows = [(result.case.label, _ms(result.ours), _ms(result.naive), _ms(result.position_loop), _ms(result.torch),
             _ratio(result.ours, result.torch), _ratio(result.naive, result.ours),
             _ratio(result.position_loop, result.ours), f"{result.gflops:.1f}", f"{result.matmul_gflops:.1f}",
             _agreement(result.agrees, result.worst_difference))
            for result in results]
    return _table(header, rows)


def mlp_table(result: MLPResult) -> str:
    label = f"SGD step {result.sizes[0]}x" + "-".join(str(size) for size in result.sizes[1:])
    if result.ours is None:
        return f"{label}: {result.note}"
    same = ("n/a" if result.difference is None
            else _agreement(result.difference <= AGREEMENT_TOLERANCE, result.difference))
    return _table(("case", "ours (ms)", "PyTorch (ms)", "ours / PyTorch", "same gradients"),
                  [(label, _ms(result.ours), _ms(result.torch), _ratio(result.ours, result.torch), same)])


#: The performance targets the convolution and the MLP step were written to (ratios of median times).
TARGETS = {"conv ours/torch": 1.5, "conv naive/ours": 50.0, "MLP ours/torch": 1.2}


def targets_summary(results: Sequence[ConvolutionResult], mlp_result: MLPResult) -> str:
    """One line per target: which cases meet it."""

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("met" if ok else "MISSED")

    lines = ["Targets:"]
    for result in results:
        versus_torch = None if result.torch is None else result.ours / result.torch <= TARGETS["conv ours/torch"]
        versus_naive = result.naive / result.ours >= TARGETS["conv naive/ours"]
        lines.append(f"  {result.case.label}: ours/torch <= {TARGETS['conv ours/torch']} {verdict(versus_torch)}, "
                     f"naive/ours >= {TARGETS['conv naive/ours']:.0f} {verdict(versus_naive)}")
    mlp_ok = (None if mlp_result.ours is None or mlp_result.torch is None
              else mlp_result.ours / mlp_result.torch <= TARGETS["MLP ours/torch"])
    lines.append(f"  MLP step: ours/torch <= {TARGETS['MLP ours/torch']} {verdict(mlp_ok)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the tables; returns 1 if any implementation disagrees, else 0."""
    parser = argparse.ArgumentParser(prog="python -m mlp.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes and one repeat (a smoke test)")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats of ours and torch (default 30)")
    parser.add_argument("--naive-repeats", type=int, default=None,
                        help="timed repeats of each of the two loops (default 3)")
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
    note = blas_kernel_note(cpu_flags(), blas.architecture)
    if note:
        print(note)
    memory = "freed memory kept for reuse (see keep_freed_memory)" if reuse_memory else "default allocator"
    print(f"float32; medians of {repeats} repeats after warm-up ({naive_repeats} without warm-up for the two "
          f"loops); {memory}\n")

    print("Convolution: fprop + bprop + grads_wrt_params")
    print("  naive: Python loops over images and output positions, one np.dot per position for all output "
          "channels\n  position loop: Python loop over output positions, batch and channels in three BLAS "
          "products each")
    results = [benchmark_convolution(case, repeats, naive_repeats, torch, pause=pause) for case in cases]
    print(convolution_table(results))
    print("\nMLP training step (affine-ReLU-affine-ReLU-affine, softmax cross-entropy, SGD update)")
    mlp_result = benchmark_mlp_step(mlp_sizes, repeats, torch, pause=pause)
    print(mlp_table(mlp_result))

    if not arguments.quick:
        print("\n" + targets_summary(results, mlp_result))

    disagreements = [result.case.label for result in results if not result.agrees]
    if mlp_result.difference is not None and mlp_result.difference > AGREEMENT_TOLERANCE:
        disagreements.append("MLP step")
    if disagreements:
        print(f"\nERROR: results differ between implementations for: {', '.join(disagreements)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
