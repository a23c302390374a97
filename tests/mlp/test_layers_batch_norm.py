"""BatchNormalizationLayer: batch statistics while training, running statistics for evaluation."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp.gradcheck import check_gradient, check_layer
from mlp.layers import BatchNormalizationLayer, StochasticLayerWithParameters

EPSILON = 1e-5


@st.composite
def spread_batches(draw, dtype=np.float64, min_batch_size=1):
    """Batches of shape (min_batch_size..5, 1..6) in which the examples of each feature are at least 1 apart.

    Each feature gets the offsets 0, 3, 6, ... in a random order plus noise in [-1, 1], so the
    batch variance is never tiny and batch normalisation is well conditioned.
    """
    batch_size, input_dim = draw(st.integers(min_batch_size, 5)), draw(st.integers(1, 6))
    noise = draw(arrays(np.float64, (batch_size, input_dim), elements=st.floats(-1, 1)))
    order = np.random.default_rng(draw(st.integers(0, 1000)))
    offsets = order.permuted(np.tile(3.0 * np.arange(batch_size)[:, None], (1, input_dim)), axis=0)
    return (offsets + noise).astype(dtype)


def layer_with_params(input_dim, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    layer = BatchNormalizationLayer(input_dim)
    layer.params = [rng.uniform(0.5, 2.0, input_dim).astype(dtype), rng.standard_normal(input_dim).astype(dtype)]
    return layer


def normalise_by_hand(inputs, mean, var, gamma, beta):
    return gamma * (inputs - mean) / np.sqrt(var + EPSILON) + beta


# Training-mode forward pass ------------------------------------------------------------------------


def test_batch_norm_is_a_stochastic_layer_with_gamma_and_beta():
    layer = BatchNormalizationLayer(3)
    assert isinstance(layer, StochasticLayerWithParameters)
    assert layer.param_names == ["gamma", "beta"]
    np.testing.assert_array_equal(layer.gamma, np.ones(3))
    np.testing.assert_array_equal(layer.beta, np.zeros(3))
    assert layer.params[0] is layer.gamma and layer.params[1] is layer.beta


def test_training_fprop_of_a_hand_computed_example():
    # feature 0: mean 2, biased variance 1; feature 1: mean 0, variance 4
    inputs = np.array([[1.0, -2.0], [3.0, 2.0]])
    outputs = BatchNormalizationLayer(2).fprop(inputs)
    expected = np.array([[-1.0 / np.sqrt(1 + EPSILON), -2.0 / np.sqrt(4 + EPSILON)],
                         [1.0 / np.sqrt(1 + EPSILON), 2.0 / np.sqrt(4 + EPSILON)]])
    np.testing.assert_allclose(outputs, expected, rtol=1e-14)


@given(inputs=spread_batches(min_batch_size=2))
def test_training_outputs_have_zero_mean_and_unit_variance_per_feature(inputs):
    outputs = BatchNormalizationLayer(inputs.shape[1]).fprop(inputs)
    np.testing.assert_allclose(outputs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(outputs.var(axis=0), 1.0, rtol=1e-4)  # var / (var + eps), var >= 1/4


@given(inputs=spread_batches(), seed=st.integers(0, 1000))
def test_training_fprop_scales_by_gamma_and_shifts_by_beta(inputs, seed):
    layer = layer_with_params(inputs.shape[1], seed)
    expected = normalise_by_hand(inputs, inputs.mean(axis=0), inputs.var(axis=0), layer.gamma, layer.beta)
    np.testing.assert_allclose(layer.fprop(inputs), expected, rtol=1e-10, atol=1e-12)


def test_a_batch_of_one_gives_beta():
    layer = BatchNormalizationLayer(3)
    layer.params = [np.array([1.0, 2.0, 3.0]), np.array([0.5, -0.5, 0.0])]
    np.testing.assert_allclose(layer.fprop(np.array([[10.0, -4.0, 7.0]])), [[0.5, -0.5, 0.0]], atol=1e-12)


# Running statistics ---------------------------------------------------------------------------------


def test_training_fprop_updates_the_running_averages_with_momentum():
    rng = np.random.default_rng(0)
    first, second = rng.normal(2.0, 3.0, size=(8, 3)), rng.normal(-1.0, 0.5, size=(8, 3))
    layer = BatchNormalizationLayer(3, momentum=0.8)
    layer.fprop(first)
    np.testing.assert_allclose(layer.running_mean, 0.2 * first.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, 0.8 + 0.2 * first.var(axis=0), rtol=1e-12)
    layer.fprop(second)
    np.testing.assert_allclose(layer.running_mean, 0.8 * 0.2 * first.mean(axis=0) + 0.2 * second.mean(axis=0),
                               rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, 0.8 * (0.8 + 0.2 * first.var(axis=0)) + 0.2 * second.var(axis=0),
                               rtol=1e-12)


def test_running_averages_converge_to_the_statistics_of_the_data():
    rng = np.random.default_rng(1)
    layer = BatchNormalizationLayer(2)
    for _ in range(200):
        layer.fprop(rng.normal([5.0, -3.0], [2.0, 0.5], size=(100, 2)))
    np.testing.assert_allclose(layer.running_mean, [5.0, -3.0], atol=0.15)
    np.testing.assert_allclose(layer.running_var, [4.0, 0.25], rtol=0.1)


# Evaluation-mode forward pass -------------------------------------------------------------------------


def test_evaluation_uses_the_running_statistics_and_leaves_them_unchanged():
    layer = layer_with_params(3, seed=0)
    layer.running_mean, layer.running_var = np.array([1.0, -2.0, 0.5]), np.array([4.0, 0.25, 1.0])
    inputs = np.random.default_rng(2).standard_normal((5, 3))
    outputs = layer.fprop(inputs, stochastic=False)
    expected = normalise_by_hand(inputs, layer.running_mean, layer.running_var, layer.gamma, layer.beta)
    np.testing.assert_allclose(outputs, expected, rtol=1e-12)
    np.testing.assert_array_equal(layer.running_mean, [1.0, -2.0, 0.5])
    np.testing.assert_array_equal(layer.running_var, [4.0, 0.25, 1.0])


def test_evaluation_treats_each_example_on_its_own():
    layer = BatchNormalizationLayer(2)
    layer.fprop(np.random.default_rng(3).standard_normal((10, 2)))
    batch = np.random.default_rng(4).standard_normal((6, 2))
    alone = layer.fprop(batch[:1], stochastic=False)
    np.testing.assert_allclose(layer.fprop(batch, stochastic=False)[:1], alone, rtol=1e-14)


# Gradients -----------------------------------------------------------------------------------------


@given(inputs=spread_batches(), seed=st.integers(0, 1000))
def test_training_bprop_and_param_grads_match_finite_differences(inputs, seed):
    layer = layer_with_params(inputs.shape[1], seed)
    reports = check_layer(layer, inputs, seed=seed)
    assert len(reports) == 3  # inputs, gamma, beta
    for report in reports:
        report.raise_if_failed()


def test_training_gradient_accounts_for_the_batch_statistics():
    # With the mean subtracted, the outputs of a feature always sum to the same value, so the
    # gradient of sum(outputs) is zero; an implementation treating mean and var as constants
    # would give gamma / std instead.
    inputs = np.array([[1.0, 0.0], [2.0, 5.0], [4.0, 1.0]])
    layer = BatchNormalizationLayer(2)
    outputs = layer.fprop(inputs)
    np.testing.assert_allclose(layer.bprop(inputs, outputs, np.ones_like(inputs)), 0.0, atol=1e-12)


@given(inputs=spread_batches(), seed=st.integers(0, 1000))
def test_evaluation_bprop_and_param_grads_match_finite_differences(inputs, seed):
    layer = layer_with_params(inputs.shape[1], seed)
    rng = np.random.default_rng(seed)
    layer.running_mean, layer.running_var = rng.standard_normal(inputs.shape[1]), rng.uniform(0.5, 2, inputs.shape[1])
    projection = rng.standard_normal(inputs.shape)
    gamma, beta = layer.gamma.copy(), layer.beta.copy()

    def error(x, gamma=gamma, beta=beta):
        return float(np.sum(normalise_by_hand(x, layer.running_mean, layer.running_var, gamma, beta) * projection))

    outputs = layer.fprop(inputs, stochastic=False)
    grads_wrt_gamma, grads_wrt_beta = layer.grads_wrt_params(inputs, projection)
    check_gradient(error, layer.bprop(inputs, outputs, projection), inputs, "inputs").raise_if_failed()
    check_gradient(lambda g: error(inputs, gamma=g), grads_wrt_gamma, gamma, "gamma").raise_if_failed()
    check_gradient(lambda b: error(inputs, beta=b), grads_wrt_beta, beta, "beta").raise_if_failed()


# float32 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stochastic", [True, False])
@given(inputs=spread_batches(dtype=np.float32), seed=st.integers(0, 1000))
def test_float32_inputs_and_params_give_float32_results_close_to_float64(inputs, seed, stochastic):
    layer32, layer64 = layer_with_params(inputs.shape[1], seed, np.float32), layer_with_params(inputs.shape[1], seed)
    layer64.params = [param.astype(np.float64) for param in layer32.params]
    grads = np.random.default_rng(seed).standard_normal(inputs.shape).astype(np.float32)
    inputs64, grads64 = inputs.astype(np.float64), grads.astype(np.float64)
    outputs32, outputs64 = layer32.fprop(inputs, stochastic), layer64.fprop(inputs64, stochastic)
    results32 = [outputs32, layer32.bprop(inputs, outputs32, grads), *layer32.grads_wrt_params(inputs, grads)]
    results64 = [outputs64, layer64.bprop(inputs64, outputs64, grads64), *layer64.grads_wrt_params(inputs64, grads64)]
    for got, expected in zip(results32, results64, strict=True):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


# Bad arguments and inputs ---------------------------------------------------------------------------


def test_inputs_of_the_wrong_width_are_a_value_error_naming_the_layer():
    with pytest.raises(ValueError, match=re.escape(
            "BatchNormalizationLayer(input_dim=4, epsilon=1e-05, momentum=0.9): expected inputs of shape "
            "(batch_size, 4), got an array of shape (2, 5)")):
        BatchNormalizationLayer(4).fprop(np.ones((2, 5)))


def test_1d_inputs_are_a_value_error_with_a_hint():
    with pytest.raises(ValueError, match=re.escape("got a 1-D array of shape (4,); pass a single example")):
        BatchNormalizationLayer(4).fprop(np.ones(4))


def test_an_empty_batch_cannot_be_normalised_in_training():
    with pytest.raises(ValueError, match=re.escape("expected at least one example to compute batch statistics")):
        BatchNormalizationLayer(2).fprop(np.ones((0, 2)))


def test_grads_of_the_wrong_shape_are_a_value_error():
    layer = BatchNormalizationLayer(2)
    inputs = np.ones((3, 2))
    with pytest.raises(ValueError, match=re.escape(
            "BatchNormalizationLayer(input_dim=2, epsilon=1e-05, momentum=0.9): expected grads_wrt_outputs of shape "
            "(3, 2), got an array of shape (2, 2)")):
        layer.grads_wrt_params(inputs, np.ones((2, 2)))


@pytest.mark.parametrize(("arguments", "error", "message"), [
    ({"input_dim": 0}, ValueError, "expected input_dim to be a positive integer, got 0"),
    ({"input_dim": 2, "epsilon": 0.0}, ValueError, "expected epsilon in (0.0, inf], got 0.0"),
    ({"input_dim": 2, "momentum": 1.5}, ValueError, "expected momentum in [0.0, 1.0], got 1.5"),
    ({"input_dim": 2, "rng": "seed"}, TypeError, "expected rng to be a numpy.random.Generator"),
])
def test_constructor_arguments_are_checked(arguments, error, message):
    with pytest.raises(error, match=r"BatchNormalizationLayer\(input_dim=.*" + re.escape(message)):
        BatchNormalizationLayer(**arguments)


def test_params_setter_rejects_wrong_count_and_shapes():
    layer = BatchNormalizationLayer(3)
    with pytest.raises(ValueError, match=re.escape("expected a list of 2 parameter arrays (gamma, beta), got 1")):
        layer.params = [np.ones(3)]
    with pytest.raises(ValueError, match=re.escape("expected beta of shape (3,), got an array of shape (2,)")):
        layer.params = [np.ones(3), np.zeros(2)]


def test_batch_norm_repr_shows_the_arguments():
    assert repr(BatchNormalizationLayer(4)) == "BatchNormalizationLayer(input_dim=4, epsilon=1e-05, momentum=0.9)"
    assert repr(BatchNormalizationLayer(2, epsilon=0.001, momentum=0.5)) == (
        "BatchNormalizationLayer(input_dim=2, epsilon=0.001, momentum=0.5)")
