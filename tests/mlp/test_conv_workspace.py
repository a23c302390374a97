"""ConvolutionalLayer's work arrays, image blocks and profiler hook: they change no result."""

import copy

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mlp.gradcheck import check_layer
from mlp.layers.workspace import unaliased_length
from tests.mlp.conv_cases import conv_setups, make_layer, naive_cross_correlation


@given(st.integers(1, 5000))
def test_unaliased_length_is_the_smallest_odd_multiple_of_16_not_below_the_length(length):
    padded = unaliased_length(length)
    assert padded >= length and padded % 16 == 0 and (padded // 16) % 2 == 1
    assert not any(candidate % 16 == 0 and (candidate // 16) % 2 == 1 for candidate in range(length, padded))


@given(conv_setups(max_size=5))
def test_gradients_match_finite_differences_one_image_per_block(setup):
    layer, inputs = setup
    layer.max_block_bytes = 1  # bprop then goes image by image
    for report in check_layer(layer, inputs, seed=2):
        report.raise_if_failed()


@given(conv_setups())
def test_results_without_kept_work_arrays_match_a_naive_loop(setup):
    layer, inputs = setup
    layer.max_cached_bytes = 0  # every work array is made afresh on every call
    expected = naive_cross_correlation(inputs, layer.kernels, layer.biases, layer.stride, layer.padding)
    for _ in range(2):
        np.testing.assert_allclose(layer.fprop(inputs), expected, rtol=1e-12, atol=1e-12)
    assert len(layer._workspace) == 0


def test_gradients_of_a_bigger_batch_after_a_smaller_one_match_finite_differences():
    rng = np.random.default_rng(13)
    layer = make_layer(padding=1, kernels_init=lambda shape: rng.standard_normal(shape),
                       biases_init=lambda shape: rng.standard_normal(shape))
    # two images per block (12 im2col rows x 5 * 8 positions x 8 bytes each): the last block of three is short
    layer.max_block_bytes = 2 * 12 * (5 * 8) * 8
    layer.fprop(rng.standard_normal((1, 2, 5, 6)))
    for report in check_layer(layer, rng.standard_normal((3, 2, 5, 6)), seed=3):
        report.raise_if_failed()


class RecordingProfiler:
    """Remembers the names of the phases it was asked to time."""

    def __init__(self):
        self.names = []

    def phase(self, name):
        from contextlib import nullcontext
        self.names.append(name)
        return nullcontext()


def test_a_profiler_sees_every_phase_and_changes_no_result():
    rng = np.random.default_rng(14)
    inputs, grads = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((2, 3, 5, 7))
    plain, profiled = make_layer(padding=1), make_layer(padding=1)
    profiled.profiler = RecordingProfiler()
    for layer in (plain, profiled):
        outputs = layer.fprop(inputs)
        layer.results = [outputs, layer.bprop(inputs, outputs, grads), *layer.grads_wrt_params(inputs, grads)]
    for got, want in zip(profiled.results, plain.results, strict=True):
        np.testing.assert_array_equal(got, want)
    assert {"pad (channel-major copy)", "im2col", "product: outputs", "product: input gradients", "col2im",
            "product: kernel gradients", "output gradients to channel-major",
            "compare inputs with the kept copy"} <= set(profiled.profiler.names)
    assert copy.deepcopy(profiled).profiler is None
