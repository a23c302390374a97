"""ReshapeLayer (same values, new shape) and DropoutLayer (inverted dropout)."""

import copy
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp.gradcheck import check_gradient, check_layer
from mlp.layers import DropoutLayer, ReshapeLayer, StochasticLayer

batch_and_dim = st.tuples(st.integers(1, 5), st.integers(1, 6))
values = st.floats(-3, 3, allow_nan=False, allow_subnormal=False)

# Reshape -----------------------------------------------------------------------------------------


def test_default_flattens_each_example():
    inputs = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    outputs = ReshapeLayer().fprop(inputs)
    assert outputs.shape == (2, 60)
    # row-major order: example 1 starts with the value 60
    np.testing.assert_array_equal(outputs[1, :3], [60.0, 61.0, 62.0])


def test_output_shape_excludes_the_batch_axis():
    inputs = np.arange(3 * 784, dtype=np.float64).reshape(3, 784)
    outputs = ReshapeLayer((1, 28, 28)).fprop(inputs)
    assert outputs.shape == (3, 1, 28, 28)
    assert outputs[2, 0, 1, 0] == 2 * 784 + 28


def test_output_shape_may_hold_one_minus_one():
    assert ReshapeLayer((2, -1)).fprop(np.ones((4, 12))).shape == (4, 2, 6)


@given(shape=st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3)),
       seed=st.integers(0, 1000))
def test_flatten_then_bprop_matches_finite_differences(shape, seed):
    inputs = np.random.default_rng(seed).standard_normal(shape)
    for report in check_layer(ReshapeLayer(), inputs, seed=seed):
        report.raise_if_failed()


@given(inputs=arrays(np.float64, batch_and_dim, elements=values), seed=st.integers(0, 1000))
def test_unflatten_bprop_matches_finite_differences(inputs, seed):
    layer = ReshapeLayer((1, -1, 1))
    assert layer.fprop(inputs).shape == (inputs.shape[0], 1, inputs.shape[1], 1)
    for report in check_layer(layer, inputs, seed=seed):
        report.raise_if_failed()


def test_bprop_returns_the_gradients_in_the_shape_of_the_inputs():
    inputs = np.zeros((2, 3, 2))
    layer = ReshapeLayer()
    grads = np.arange(12.0).reshape(2, 6)
    np.testing.assert_array_equal(layer.bprop(inputs, layer.fprop(inputs), grads), grads.reshape(2, 3, 2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reshape_keeps_the_dtype(dtype):
    inputs = np.ones((2, 3, 4), dtype=dtype)
    layer = ReshapeLayer()
    outputs = layer.fprop(inputs)
    assert outputs.dtype == dtype
    assert layer.bprop(inputs, outputs, np.ones_like(outputs)).dtype == dtype


def test_inputs_that_do_not_fit_the_output_shape_are_a_value_error():
    with pytest.raises(ValueError, match=re.escape(
            "ReshapeLayer(output_shape=(1, 28, 28)): expected inputs whose examples can be reshaped to "
            "(batch_size, 1, 28, 28), got an array of shape (2, 100) (100 values per example)")):
        ReshapeLayer((1, 28, 28)).fprop(np.ones((2, 100)))
    with pytest.raises(ValueError, match=re.escape("ReshapeLayer(output_shape=(3, -1)): expected inputs whose")):
        ReshapeLayer((3, -1)).fprop(np.ones((2, 10)))


@pytest.mark.parametrize(("output_shape", "error"), [
    ((0, 4), ValueError), ((-1, -1), ValueError), ((2, -3), ValueError), ((2.0, 3), TypeError), ("28x28", TypeError),
])
def test_output_shape_must_be_positive_ints_with_at_most_one_minus_one(output_shape, error):
    with pytest.raises(error, match=re.escape(f"ReshapeLayer(output_shape={output_shape!r}): expected output_shape")):
        ReshapeLayer(output_shape)


def test_reshape_repr_shows_the_output_shape():
    assert repr(ReshapeLayer()) == "ReshapeLayer(output_shape=None)"
    assert repr(ReshapeLayer((1, 28, 28))) == "ReshapeLayer(output_shape=(1, 28, 28))"
    assert repr(ReshapeLayer([4, -1])) == "ReshapeLayer(output_shape=(4, -1))"


# Dropout -----------------------------------------------------------------------------------------


def test_dropout_is_a_stochastic_layer():
    assert isinstance(DropoutLayer(), StochasticLayer)


@given(inputs=arrays(np.float64, batch_and_dim, elements=values))
def test_evaluation_mode_is_the_identity(inputs):
    layer = DropoutLayer(rng=0, incl_prob=0.3)
    outputs = layer.fprop(inputs, stochastic=False)
    np.testing.assert_array_equal(outputs, inputs)
    grads = np.full_like(inputs, 2.0)
    np.testing.assert_array_equal(layer.bprop(inputs, outputs, grads), grads)


def test_training_keeps_each_unit_with_probability_incl_prob():
    for incl_prob in [0.2, 0.5, 0.9]:
        outputs = DropoutLayer(rng=1, incl_prob=incl_prob).fprop(np.ones((200, 500)))
        kept = outputs != 0
        assert abs(kept.mean() - incl_prob) < 0.01  # 100,000 Bernoulli draws: std of the mean <= 0.0016


def test_kept_units_are_scaled_by_one_over_incl_prob():
    inputs = np.random.default_rng(0).uniform(1, 2, size=(50, 40))
    outputs = DropoutLayer(rng=2, incl_prob=0.25).fprop(inputs)
    kept = outputs != 0
    np.testing.assert_allclose(outputs[kept], inputs[kept] * 4, rtol=1e-15)


def test_training_preserves_the_expectation():
    inputs = np.random.default_rng(0).uniform(-1, 1, size=(1, 20))
    layer = DropoutLayer(rng=3, incl_prob=0.4)
    average = np.mean([layer.fprop(inputs)[0] for _ in range(20000)], axis=0)
    # each entry's sample mean has std |x| * sqrt((1 - p) / p) / sqrt(20000) <= 0.0087
    np.testing.assert_allclose(average, inputs[0], atol=0.04)


def test_incl_prob_one_keeps_everything():
    inputs = np.random.default_rng(0).standard_normal((5, 7))
    np.testing.assert_array_equal(DropoutLayer(rng=0, incl_prob=1.0).fprop(inputs), inputs)


def test_the_same_seed_gives_the_same_masks():
    inputs = np.ones((10, 10))
    first, second = DropoutLayer(rng=7), DropoutLayer(rng=7)
    for _ in range(3):
        np.testing.assert_array_equal(first.fprop(inputs), second.fprop(inputs))


def test_a_generator_can_be_passed_and_successive_masks_differ():
    layer = DropoutLayer(rng=np.random.default_rng(5))
    inputs = np.ones((10, 10))
    assert not np.array_equal(layer.fprop(inputs), layer.fprop(inputs))


def test_bprop_uses_the_mask_of_the_last_fprop():
    layer = DropoutLayer(rng=4, incl_prob=0.5)
    inputs = np.ones((6, 8))
    layer.fprop(inputs)  # an earlier mask, which bprop must not use
    outputs = layer.fprop(inputs)
    grads = np.random.default_rng(0).standard_normal((6, 8))
    # with all-ones inputs the outputs are mask / incl_prob
    np.testing.assert_allclose(layer.bprop(inputs, outputs, grads), grads * outputs, rtol=1e-15)


@given(inputs=arrays(np.float64, batch_and_dim, elements=values), seed=st.integers(0, 1000),
       incl_prob=st.sampled_from([0.3, 0.5, 0.8, 1.0]))
def test_dropout_bprop_matches_finite_differences_for_a_fixed_mask(inputs, seed, incl_prob):
    layer = DropoutLayer(rng=seed, incl_prob=incl_prob)
    projection = np.random.default_rng(seed + 1).standard_normal(inputs.shape)
    before_fprop = copy.deepcopy(layer)

    def error(x):  # a fresh copy of the layer as it was before fprop draws the same mask every time
        return float(np.sum(copy.deepcopy(before_fprop).fprop(x) * projection))

    outputs = layer.fprop(inputs)
    check_gradient(error, layer.bprop(inputs, outputs, projection), inputs, "dropout bprop").raise_if_failed()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dropout_keeps_the_dtype(dtype):
    inputs = np.ones((4, 5), dtype=dtype)
    layer = DropoutLayer(rng=0, incl_prob=0.3)
    for stochastic in [True, False]:
        outputs = layer.fprop(inputs, stochastic=stochastic)
        assert outputs.dtype == dtype
        assert layer.bprop(inputs, outputs, np.ones_like(outputs)).dtype == dtype


def test_bprop_before_any_fprop_is_a_value_error():
    with pytest.raises(ValueError, match=re.escape(
            "DropoutLayer(rng=0, incl_prob=0.5): bprop needs the dropout mask of the preceding fprop")):
        DropoutLayer(rng=0).bprop(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2)))


def test_bprop_with_grads_of_another_shape_than_the_mask_is_a_value_error():
    layer = DropoutLayer(rng=0)
    layer.fprop(np.ones((2, 3)))
    with pytest.raises(ValueError, match=re.escape(
            "DropoutLayer(rng=0, incl_prob=0.5): expected grads_wrt_outputs of the shape (2, 3) of the last fprop")):
        layer.bprop(np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 3)))


@pytest.mark.parametrize(("incl_prob", "error"), [(0.0, ValueError), (1.5, ValueError), (-0.1, ValueError),
                                                  ("half", TypeError)])
def test_incl_prob_must_be_in_zero_one(incl_prob, error):
    with pytest.raises(error, match=re.escape(f"DropoutLayer(rng=None, incl_prob={incl_prob!r}): expected incl_prob")):
        DropoutLayer(incl_prob=incl_prob)


def test_rng_must_be_a_generator_or_seed():
    with pytest.raises(TypeError, match=re.escape("DropoutLayer(rng='seed', incl_prob=0.5): expected rng to be")):
        DropoutLayer(rng="seed")


def test_dropout_repr_shows_the_arguments():
    assert repr(DropoutLayer()) == "DropoutLayer(rng=None, incl_prob=0.5)"
    assert repr(DropoutLayer(rng=3, incl_prob=0.8)) == "DropoutLayer(rng=3, incl_prob=0.8)"
