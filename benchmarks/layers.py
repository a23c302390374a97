"""How fast are the kit's layers? ``python -m benchmarks.layers [--quick] [--profile] [--repeats N]``.

For each convolution shape (:mod:`benchmarks.convolution`) it times one training pass (``fprop``,
``bprop`` and ``grads_wrt_params``, float32) of these implementations
(:mod:`benchmarks.conv_implementations`):

* ``ours``: :class:`mlp.layers.ConvolutionalLayer` (im2col over shifted rows + matrix products);
* ``naive``: ``naive_convolution_step``, the convolution a student writes first: Python loops over
  the images and the output positions, with one ``np.dot`` over the window (for all output channels
  at once) at each position, forwards and again backwards;
* ``position loop``: ``position_loop_convolution_step``, a much stronger baseline that loops over
  the output positions only, with the whole batch and all channels in three BLAS products per
  position;
* two peers, the ways other NumPy teaching frameworks convolve, written here from their published
  algorithms: ``CS231n``, ``cs231n_convolution_step`` (im2col by fancy indexing, col2im with
  ``np.add.at``, the fallback of Stanford's CS231n assignments), and ``correlate2d``,
  ``correlate2d_convolution_step`` (``scipy.signal.correlate2d`` for every image and channel pair,
  the style of the Edinburgh machine-learning labs);
* ``torch``: ``torch.nn.functional.conv2d`` forward and backward (input, weight and bias
  gradients) on the CPU, when PyTorch is installed (it is never needed by the kit itself),

checks that all of them give the same numbers, and prints the ratios together with the share of our
time spent in the three matrix products (timed alone, on the layer's own matrices), the effective
GFLOP/s of our layer next to those of one float32 ``np.matmul`` of the same FLOP count (what NumPy's
BLAS does on well-shaped square matrices on this machine), and the memory one training pass of our
layer needs (its peak, kept work arrays included, from ``tracemalloc``). It then times one SGD
training step of a 784-256-256-10 ReLU network on a batch of 100, ours against PyTorch
(:mod:`benchmarks.mlp_step`). ``--profile`` adds, for each shape, where our time goes phase by phase
(padding, im2col, the three products, col2im, the layout copies; see ``ConvolutionalLayer.profiler``).

Timings are medians over repeats after a warm-up (the loop baselines and the peers are slow, so they
get fewer repeats and no warm-up); the implementations are timed in alternating blocks (see
:func:`benchmarks.timing.time_in_blocks`), with freed memory kept for reuse (see
:func:`benchmarks.timing.keep_freed_memory`; ``--fresh-memory`` turns that off). Every repeat of
``ours`` does all the work of a training step: ``fprop`` builds its im2col matrix afresh each time,
even though the inputs are the same. PyTorch gets as many threads as NumPy's BLAS uses (from
``threadpoolctl`` when available, else ``os.cpu_count()``). The header names NumPy's BLAS, the CPU
kernels it uses and the thread counts, and the environment variables that change them
(:mod:`benchmarks.machine`): they set the speed of the matrix products, and so of our layer.
``make benchmark`` runs this in a user's conditions, with the ``OPENBLAS_*``, ``OMP_NUM_THREADS``
and ``MKL_NUM_THREADS`` settings of this workplace unset.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence

import numpy as np

from benchmarks.convolution import DEFAULT_CASES, QUICK_CASES, benchmark_convolution, profile_convolution
from benchmarks.machine import blas_info, blas_kernel_note, cpu_flags, import_torch, load_note, speed_settings
from benchmarks.mlp_step import DEFAULT_MLP_SIZES, QUICK_MLP_SIZES, benchmark_mlp_step
from benchmarks.report import convolution_table, mlp_table, profile_table, targets_summary
from benchmarks.timing import AGREEMENT_TOLERANCE, keep_freed_memory


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the tables; returns 1 if any implementation disagrees, else 0."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.layers", description=__doc__.splitlines()[0])
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
