"""The convolution benchmark: the shapes, and timing and cross-checking every implementation on one shape."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from benchmarks.conv_implementations import (
    correlate2d_convolution_step,
    cs231n_convolution_step,
    naive_convolution_step,
    ours_convolution_step,
    position_loop_convolution_step,
)
from benchmarks.timing import AGREEMENT_TOLERANCE, matmul_gflops, relative_difference, time_in_blocks
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
    columns, grads_matrix = layer._workspace.kept("columns"), layer._workspace.kept("grads_matrix")
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
