"""Speed measurements of the kit, run from the repository root; not part of the installed packages.

``python -m benchmarks.layers`` times the convolution and an MLP training step against PyTorch and
NumPy peers (see ``benchmarks/README.md``). Modules: :mod:`benchmarks.layers` (the command),
:mod:`benchmarks.convolution` and :mod:`benchmarks.mlp_step` (what is timed),
:mod:`benchmarks.conv_implementations` (the convolutions compared), :mod:`benchmarks.timing`,
:mod:`benchmarks.machine` (what sets the speed here) and :mod:`benchmarks.report` (the tables).
"""
