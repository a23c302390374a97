"""Specification of MaxPoolingLayer and AvgPoolingLayer."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.gradcheck import check_layer
from mlp.layers import AvgPoolingLayer, Layer, LayerWithParameters, MaxPoolingLayer


def naive_pool(inputs, pool_size, stride, reduce):
    """Apply ``reduce`` to every window, one output entry at a time."""
    batch, channels, height, width = inputs.shape
    out_height, out_width = (height - pool_size) // stride + 1, (width - pool_size) // stride + 1
    outputs = np.zeros((batch, channels, out_height, out_width))
    for n in range(batch):
        for c in range(channels):
            for i in range(out_height):
                for j in range(out_width):
                    window = inputs[n, c, i * stride:i * stride + pool_size, j * stride:j * stride + pool_size]
                    outputs[n, c, i, j] = reduce(window)
    return outputs


@st.composite
def pooling_setups(draw, max_size=7):
    """(pool_size, stride, inputs) with distinct input values, so that every window has one maximum."""
    pool_size = draw(st.integers(1, 3))
    stride = draw(st.sampled_from([None, 1, 2, 3]))
    height, width = draw(st.integers(pool_size, max_size)), draw(st.integers(pool_size, max_size))
    batch, channels = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**16))
    values = np.random.default_rng(seed).permutation(batch * channels * height * width)
    # distinct and at least 0.1 apart: finite differences with eps=1e-6 never swap a maximum
    return pool_size, stride, (values / 10.0 - 3.0).reshape(batch, channels, height, width)


# Forward pass ----------------------------------------------------------------------------------

def test_max_pooling_of_a_4x4_image_by_hand():
    image = np.array([[1, 2, 5, 0],
                      [3, 4, 1, 1],
                      [0, -1, 2, 7],
                      [-3, -2, 8, 6]], dtype=np.float64)[None, None]
    np.testing.assert_array_equal(MaxPoolingLayer(2).fprop(image), [[[[4, 5], [0, 8]]]])


def test_avg_pooling_of_a_4x4_image_by_hand():
    image = np.array([[1, 2, 5, 0],
                      [3, 4, 1, 1],
                      [0, -1, 2, 7],
                      [-3, -2, 8, 6]], dtype=np.float64)[None, None]
    np.testing.assert_allclose(AvgPoolingLayer(2).fprop(image), [[[[2.5, 1.75], [-1.5, 5.75]]]])


def test_rows_and_columns_past_the_last_whole_window_are_ignored():
    image = np.arange(25.0).reshape(1, 1, 5, 5)
    np.testing.assert_array_equal(MaxPoolingLayer(2).fprop(image), [[[[6, 8], [16, 18]]]])


@given(pooling_setups(), st.sampled_from([np.float32, np.float64]))
def test_max_pooling_matches_a_naive_loop(setup, dtype):
    pool_size, stride, inputs = setup
    layer = MaxPoolingLayer(pool_size, stride)
    outputs = layer.fprop(inputs.astype(dtype))
    assert outputs.dtype == dtype
    np.testing.assert_array_equal(outputs, naive_pool(inputs.astype(dtype), pool_size, layer.stride, np.max))


@given(pooling_setups(), st.sampled_from([np.float32, np.float64]))
def test_avg_pooling_matches_a_naive_loop(setup, dtype):
    pool_size, stride, inputs = setup
    layer = AvgPoolingLayer(pool_size, stride)
    outputs = layer.fprop(inputs.astype(dtype))
    assert outputs.dtype == dtype
    expected = naive_pool(inputs.astype(dtype).astype(np.float64), pool_size, layer.stride, np.mean)
    np.testing.assert_allclose(outputs, expected, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)


def test_stride_defaults_to_the_pool_size():
    assert MaxPoolingLayer(3).stride == 3
    assert AvgPoolingLayer(2, stride=1).stride == 1
    assert MaxPoolingLayer().pool_size == 2


# Gradients ---------------------------------------------------------------------------------------

@given(pooling_setups(max_size=6))
def test_max_pooling_gradients_match_finite_differences(setup):
    pool_size, stride, inputs = setup
    for report in check_layer(MaxPoolingLayer(pool_size, stride), inputs, seed=2):
        report.raise_if_failed()


@given(pooling_setups(max_size=6))
def test_avg_pooling_gradients_match_finite_differences(setup):
    pool_size, stride, inputs = setup
    for report in check_layer(AvgPoolingLayer(pool_size, stride), inputs, seed=3):
        report.raise_if_failed()


def test_max_pooling_sends_the_gradient_to_the_maximum_only():
    image = np.array([[1.0, 2.0], [4.0, 3.0]])[None, None]
    layer = MaxPoolingLayer(2)
    grads = layer.bprop(image, layer.fprop(image), np.array([[[[5.0]]]]))
    np.testing.assert_array_equal(grads, [[[[0.0, 0.0], [5.0, 0.0]]]])


def test_max_pooling_ties_send_the_gradient_to_the_first_maximum_like_pytorch():
    image = np.array([[7.0, 7.0], [7.0, 1.0]])[None, None]
    layer = MaxPoolingLayer(2)
    grads = layer.bprop(image, layer.fprop(image), np.array([[[[1.0]]]]))
    np.testing.assert_array_equal(grads, [[[[1.0, 0.0], [0.0, 0.0]]]])


def test_overlapping_windows_add_up_their_gradients():
    # 2x2 windows with stride 1 over [[1, 5, 2], [0, 3, 4]]: both windows have their maximum at 5
    image = np.array([[1.0, 5.0, 2.0], [0.0, 3.0, 4.0]])[None, None]
    layer = MaxPoolingLayer(2, stride=1)
    grads = layer.bprop(image, layer.fprop(image), np.array([[[[10.0, 100.0]]]]))
    np.testing.assert_array_equal(grads, [[[[0.0, 110.0, 0.0], [0.0, 0.0, 0.0]]]])


def test_avg_pooling_spreads_the_gradient_evenly_and_overlaps_add_up():
    image = np.zeros((1, 1, 2, 3))
    layer = AvgPoolingLayer(2, stride=1)
    grads = layer.bprop(image, layer.fprop(image), np.array([[[[4.0, 8.0]]]]))
    np.testing.assert_allclose(grads, [[[[1.0, 3.0, 2.0], [1.0, 3.0, 2.0]]]])


@pytest.mark.parametrize("layer_class", [MaxPoolingLayer, AvgPoolingLayer])
def test_float32_stays_float32(layer_class):
    layer = layer_class(2, 1)
    inputs = np.random.default_rng(0).permutation(2 * 3 * 5 * 4).reshape(2, 3, 5, 4).astype(np.float32)
    outputs = layer.fprop(inputs)
    grads = layer.bprop(inputs, outputs, np.ones_like(outputs))
    assert outputs.dtype == np.float32 and grads.dtype == np.float32


@pytest.mark.parametrize("layer_class", [MaxPoolingLayer, AvgPoolingLayer])
def test_pooling_layers_have_no_parameters(layer_class):
    layer = layer_class()
    assert isinstance(layer, Layer) and not isinstance(layer, LayerWithParameters)


# Construction and bad input -------------------------------------------------------------------

def test_repr_shows_pool_size_and_stride():
    assert repr(MaxPoolingLayer(3, stride=2)) == "MaxPoolingLayer(pool_size=3, stride=2)"
    assert repr(AvgPoolingLayer()) == "AvgPoolingLayer(pool_size=2, stride=2)"


@pytest.mark.parametrize("layer_class", [MaxPoolingLayer, AvgPoolingLayer])
@pytest.mark.parametrize(("arguments", "error", "message"), [
    ({"pool_size": 0}, ValueError, "pool_size to be a positive integer, got 0"),
    ({"pool_size": 2.0}, TypeError, "pool_size to be a positive integer"),
    ({"stride": 0}, ValueError, "stride to be a positive integer, got 0"),
    ({"stride": "1"}, TypeError, "stride to be a positive integer"),
])
def test_bad_arguments_are_rejected(layer_class, arguments, error, message):
    with pytest.raises(error, match=f"{layer_class.__name__}: expected {message}"):
        layer_class(**arguments)


@pytest.mark.parametrize("layer_class", [MaxPoolingLayer, AvgPoolingLayer])
def test_inputs_without_four_dimensions_are_rejected(layer_class):
    with pytest.raises(ValueError, match=rf"{layer_class.__name__}\(pool_size=2, stride=2\): expected inputs with "
                                         r"4 dimensions \(batch_size, channels, height, width\), "
                                         r"got an array of shape \(3, 4, 4\)"):
        layer_class().fprop(np.zeros((3, 4, 4)))


@pytest.mark.parametrize("layer_class", [MaxPoolingLayer, AvgPoolingLayer])
def test_inputs_smaller_than_the_window_are_rejected(layer_class):
    with pytest.raises(ValueError, match=r"height and width at least pool_size=3, "
                                         r"got an array of shape \(1, 1, 2, 5\)"):
        layer_class(3).fprop(np.zeros((1, 1, 2, 5)))


@pytest.mark.parametrize("layer_class", [MaxPoolingLayer, AvgPoolingLayer])
def test_grads_wrt_outputs_of_the_wrong_shape_are_rejected(layer_class):
    layer = layer_class(2)
    inputs = np.zeros((1, 2, 4, 4))
    with pytest.raises(ValueError, match=r"expected grads_wrt_outputs of shape \(1, 2, 2, 2\), "
                                         r"got an array of shape \(1, 2, 3, 3\)"):
        layer.bprop(inputs, np.zeros((1, 2, 3, 3)), np.zeros((1, 2, 3, 3)))
