"""The benchmark's tables (Markdown) and the summary of the performance targets."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.convolution import SLOW_IMPLEMENTATIONS, ConvolutionCase, ConvolutionResult
from benchmarks.mlp_step import MLPResult
from benchmarks.timing import AGREEMENT_TOLERANCE


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
