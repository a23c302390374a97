"""Smoke tests of ``python -m benchmarks.layers`` (no timing is ever asserted)."""

import re

import numpy as np
import pytest

from benchmarks import convolution, machine, timing
from benchmarks.conv_implementations import (
    correlate2d_convolution_step,
    cs231n_convolution_step,
    naive_convolution_step,
    ours_convolution_step,
    position_loop_convolution_step,
)
from benchmarks.layers import main
from mlp.layers import ConvolutionalLayer


def test_quick_run_prints_one_row_per_case_and_the_mlp_step(capsys):
    exit_code = main(["--quick"])
    printed = capsys.readouterr().out
    assert exit_code == 0
    assert "Convolution: fprop + bprop + grads_wrt_params" in printed
    assert "naive: Python loops over images and output positions" in printed
    assert "| naive / ours | position loop / ours | CS231n / ours | correlate2d / ours | BLAS share |" in printed
    assert "BLAS kernel: " in printed and "NumPy BLAS threads: " in printed and "PyTorch threads: " in printed
    for case in convolution.QUICK_CASES:
        row = next(line for line in printed.splitlines() if line.startswith(f"| {case.label} "))
        assert re.search(r"\| +yes \([0-9.e+-]+\) \|$", row.rstrip())  # all implementations gave the same numbers
    assert "| SGD step 8x20-16-16-10 " in printed


def test_quick_run_without_torch_marks_torch_columns_as_missing(capsys):
    assert main(["--quick", "--no-torch"]) == 0
    printed = capsys.readouterr().out
    assert "PyTorch not used" in printed
    row = next(line for line in printed.splitlines() if line.startswith(f"| {convolution.QUICK_CASES[0].label} "))
    assert row.count("n/a") == 2  # torch ms and ours/torch


@pytest.mark.parametrize("loop", [naive_convolution_step, position_loop_convolution_step])
def test_both_loop_references_give_the_layers_numbers(loop):
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((2, 3, 7, 6))
    layer = ConvolutionalLayer(3, 4, 7, 6, 3, 2, biases_init=lambda shape: rng.standard_normal(shape),
                               stride=2, padding=1)
    grads = rng.standard_normal((2, 4, 4, 4))
    reference = loop(inputs, layer.kernels, layer.biases, grads, stride=2, padding=1)
    ours = ours_convolution_step(layer, inputs, grads)
    for mine, theirs in zip(ours, reference, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("peer", [cs231n_convolution_step, correlate2d_convolution_step])
@pytest.mark.parametrize(("stride", "padding"), [(1, 0), (2, 1), (3, 2)])
def test_both_peers_give_the_numbers_of_the_naive_loop(peer, stride, padding):
    rng = np.random.default_rng(2)
    inputs, kernels = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    biases = rng.standard_normal(4)
    out_height, out_width = (7 + 2 * padding - 3) // stride + 1, (6 + 2 * padding - 2) // stride + 1
    grads = rng.standard_normal((2, 4, out_height, out_width))
    expected = naive_convolution_step(inputs, kernels, biases, grads, stride=stride, padding=padding)
    for got, want in zip(peer(inputs, kernels, biases, grads, stride=stride, padding=padding), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_quick_profile_prints_the_phases_of_each_case(capsys):
    assert main(["--quick", "--no-torch", "--profile"]) == 0
    printed = capsys.readouterr().out
    assert "Where our time goes" in printed
    for case in convolution.QUICK_CASES:
        assert f"| {case.label} " in printed
    for phase in ("im2col", "col2im", "product: outputs", "product: input gradients", "product: kernel gradients",
                  "other (checks, Python, reshapes)"):
        assert f"| {phase} " in printed


def test_profile_splits_a_pass_into_phases_that_add_up_to_at_most_the_pass():
    total, phases = convolution.profile_convolution(convolution.QUICK_CASES[0], repeats=2)
    assert total > 0 and all(seconds >= 0 for seconds in phases.values())
    assert sum(phases.values()) <= total


def test_peak_memory_of_a_pass_counts_at_least_the_results_and_the_im2col_matrix():
    case = convolution.QUICK_CASES[0]  # 2x1x8x8 -> 2 channels, 3x3 kernel: 6x6 outputs
    inputs, _, grads = convolution._convolution_data(case)
    peak = convolution.peak_memory_of_a_pass(lambda: convolution._convolution_data(case)[1], inputs, grads)
    im2col_bytes = (1 * 3 * 3 + 1) * (2 * 6 * 8) * 4  # rows x (images x rows x padded width) x float32
    results_bytes = (2 * 2 * 6 * 6 + 2 * 1 * 8 * 8) * 4
    assert peak >= im2col_bytes + results_bytes


def test_blas_products_need_the_matrices_of_a_previous_pass():
    case = convolution.QUICK_CASES[1]
    inputs, layer, grads = convolution._convolution_data(case)
    assert convolution.blas_products(layer) is None
    ours_convolution_step(layer, inputs, grads)
    products = convolution.blas_products(layer)
    assert products is not None
    products()


def test_speed_settings_name_the_variables_that_are_set():
    assert machine.speed_settings({"OPENBLAS_CORETYPE": "Haswell", "HOME": "/x"}) == "OPENBLAS_CORETYPE=Haswell"
    assert "a user's defaults" in machine.speed_settings({})


def test_naive_loop_keeps_float32():
    rng = np.random.default_rng(1)
    inputs = rng.standard_normal((2, 1, 5, 5), dtype=np.float32)
    kernels = rng.standard_normal((3, 1, 3, 3), dtype=np.float32)
    grads = rng.standard_normal((2, 3, 3, 3), dtype=np.float32)
    results = naive_convolution_step(inputs, kernels, np.zeros(3, dtype=np.float32), grads)
    assert [result.dtype for result in results] == [np.float32] * 4


def test_blas_kernel_note_warns_only_when_avx512_goes_unused():
    avx512 = frozenset({"avx2", "avx512f"})
    note = machine.blas_kernel_note(avx512, "Haswell")
    assert note is not None and "Haswell" in note and "OPENBLAS_CORETYPE=SkylakeX" in note
    assert machine.blas_kernel_note(avx512, "SkylakeX") is None
    assert machine.blas_kernel_note(frozenset({"avx2"}), "Haswell") is None
    assert machine.blas_kernel_note(avx512, None) is None


def test_time_in_blocks_calls_each_function_warmup_plus_repeats_times():
    calls = {"a": 0, "b": 0}

    def make(name):
        def function():
            calls[name] += 1
        return function

    times = timing.time_in_blocks({"a": make("a"), "b": make("b")}, repeats=7, rounds=3, warmup=2)
    assert set(times) == {"a", "b"}
    assert all(seconds >= 0 for seconds in times.values())
    assert calls == {"a": 7 + 3 * 2, "b": 7 + 3 * 2}


def test_flop_count_of_a_case():
    case = convolution.ConvolutionCase(2, 3, 5, 5, 4, 3, padding=1)
    assert case.output_size == (5, 5)
    assert case.flops == 3 * 2 * (2 * 4 * 3 * 9 * 25)


def test_load_note_names_the_load_average_and_when():
    note = machine.load_note("at the start")
    assert note.startswith("load average at the start: ")
