"""AffineLayer: outputs = inputs @ weights.T + biases, its gradients, parameters and errors."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.gradcheck import check_gradient, check_layer
from mlp.initialisers import ConstantInit, UniformInit
from mlp.layers import AffineLayer

dims = st.integers(1, 6)
batch_sizes = st.integers(1, 5)
seeds = st.integers(0, 2**31 - 1)


class HalfSquarePenalty:
    """0.5 * coefficient * sum(param ** 2): a penalty written here, independent of mlp.penalties."""

    def __init__(self, coefficient):
        self.coefficient = coefficient

    def __call__(self, param):
        return 0.5 * self.coefficient * float(np.sum(param**2))

    def grad(self, param):
        return self.coefficient * param

    def __repr__(self):
        return f"HalfSquarePenalty({self.coefficient})"


def random_layer(input_dim, output_dim, seed, dtype=np.float64, **penalties):
    rng = np.random.default_rng(seed)
    layer = AffineLayer(input_dim, output_dim, **penalties)
    layer.params = [rng.standard_normal((output_dim, input_dim)).astype(dtype),
                    rng.standard_normal(output_dim).astype(dtype)]
    return layer


# Forward propagation -----------------------------------------------------------------------------


def test_fprop_of_a_hand_computed_example():
    layer = AffineLayer(2, 3)
    layer.params = [np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([0.5, -1.0, 0.0])]
    outputs = layer.fprop(np.array([[1.0, 1.0], [0.0, -1.0]]))
    np.testing.assert_allclose(outputs, [[3.5, 6.0, 11.0], [-1.5, -5.0, -6.0]], rtol=1e-15)


@given(batch_size=batch_sizes, input_dim=dims, output_dim=dims, seed=seeds)
def test_fprop_is_the_weighted_sum_of_inputs_plus_bias(batch_size, input_dim, output_dim, seed):
    layer = random_layer(input_dim, output_dim, seed)
    inputs = np.random.default_rng(seed + 1).standard_normal((batch_size, input_dim))
    # y[n, j] = sum_k W[j, k] x[n, k] + b[j], by broadcasting rather than a matrix product
    expected = (layer.weights[None, :, :] * inputs[:, None, :]).sum(axis=2) + layer.biases[None, :]
    outputs = layer.fprop(inputs)
    assert outputs.shape == (batch_size, output_dim)
    np.testing.assert_allclose(outputs, expected, rtol=1e-10, atol=1e-12)


# Gradients ----------------------------------------------------------------------------------------


@given(batch_size=batch_sizes, input_dim=dims, output_dim=dims, seed=seeds)
def test_bprop_and_param_grads_match_finite_differences(batch_size, input_dim, output_dim, seed):
    layer = random_layer(input_dim, output_dim, seed)
    inputs = np.random.default_rng(seed + 1).standard_normal((batch_size, input_dim))
    reports = check_layer(layer, inputs, seed=seed)
    assert len(reports) == 3  # inputs, weights, biases
    for report in reports:
        report.raise_if_failed()


def test_bprop_of_a_hand_computed_example():
    layer = AffineLayer(2, 3)
    layer.params = [np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.zeros(3)]
    inputs = np.array([[1.0, 1.0]])
    grads = layer.bprop(inputs, layer.fprop(inputs), np.array([[1.0, 0.0, -1.0]]))
    np.testing.assert_allclose(grads, [[1.0 - 5.0, 2.0 - 6.0]], rtol=1e-15)


def test_param_grads_of_a_hand_computed_example():
    layer = AffineLayer(2, 1)
    inputs = np.array([[1.0, 2.0], [3.0, 4.0]])
    grads_wrt_weights, grads_wrt_biases = layer.grads_wrt_params(inputs, np.array([[1.0], [-2.0]]))
    np.testing.assert_allclose(grads_wrt_weights, [[1.0 - 6.0, 2.0 - 8.0]], rtol=1e-15)
    np.testing.assert_allclose(grads_wrt_biases, [-1.0], rtol=1e-15)


@given(batch_size=batch_sizes, input_dim=dims, output_dim=dims, seed=seeds)
def test_penalties_add_their_gradients_to_the_param_grads(batch_size, input_dim, output_dim, seed):
    layer = random_layer(input_dim, output_dim, seed, weights_penalty=HalfSquarePenalty(0.3),
                         biases_penalty=HalfSquarePenalty(0.7))
    rng = np.random.default_rng(seed + 1)
    inputs, projection = rng.standard_normal((batch_size, input_dim)), rng.standard_normal((batch_size, output_dim))
    weights, biases = layer.weights.copy(), layer.biases.copy()

    def error_of_weights(value):
        return float(np.sum((inputs @ value.T + biases) * projection)) + 0.15 * float(np.sum(value**2))

    def error_of_biases(value):
        return float(np.sum((inputs @ weights.T + value) * projection)) + 0.35 * float(np.sum(value**2))

    grads_wrt_weights, grads_wrt_biases = layer.grads_wrt_params(inputs, projection)
    check_gradient(error_of_weights, grads_wrt_weights, weights, "weights").raise_if_failed()
    check_gradient(error_of_biases, grads_wrt_biases, biases, "biases").raise_if_failed()


def test_params_penalty_is_the_sum_of_the_penalties():
    layer = AffineLayer(2, 2, ConstantInit(1.0), ConstantInit(2.0), weights_penalty=HalfSquarePenalty(0.5),
                        biases_penalty=HalfSquarePenalty(1.0))
    assert layer.params_penalty() == pytest.approx(0.5 * 0.5 * 4 + 0.5 * 1.0 * 8)
    weights_only = AffineLayer(2, 2, ConstantInit(1.0), ConstantInit(2.0), weights_penalty=HalfSquarePenalty(0.5))
    assert weights_only.params_penalty() == pytest.approx(1.0)
    assert AffineLayer(2, 2).params_penalty() == 0.0


# float32 -----------------------------------------------------------------------------------------------


@given(batch_size=batch_sizes, input_dim=dims, output_dim=dims, seed=seeds)
def test_float32_inputs_and_params_give_float32_results_close_to_float64(batch_size, input_dim, output_dim, seed):
    layer32 = random_layer(input_dim, output_dim, seed, dtype=np.float32, weights_penalty=HalfSquarePenalty(0.1))
    layer64 = random_layer(input_dim, output_dim, seed, dtype=np.float32, weights_penalty=HalfSquarePenalty(0.1))
    layer64.params = [param.astype(np.float64) for param in layer64.params]
    rng = np.random.default_rng(seed + 1)
    inputs = rng.standard_normal((batch_size, input_dim)).astype(np.float32)
    grads = rng.standard_normal((batch_size, output_dim)).astype(np.float32)
    results32 = [layer32.fprop(inputs), layer32.bprop(inputs, layer32.fprop(inputs), grads),
                 *layer32.grads_wrt_params(inputs, grads)]
    inputs64, grads64 = inputs.astype(np.float64), grads.astype(np.float64)
    results64 = [layer64.fprop(inputs64), layer64.bprop(inputs64, layer64.fprop(inputs64), grads64),
                 *layer64.grads_wrt_params(inputs64, grads64)]
    for got, expected in zip(results32, results64, strict=True):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


# Initialisation and parameters ---------------------------------------------------------------------


def test_default_initialisation_is_small_uniform_weights_and_zero_biases():
    layer = AffineLayer(40, 30)
    assert layer.weights.shape == (30, 40) and layer.biases.shape == (30,)
    assert np.all(np.abs(layer.weights) <= 0.1)
    assert layer.weights.std() > 0.04  # uniform(-0.1, 0.1) has std 0.0577; not all one value
    np.testing.assert_array_equal(layer.biases, np.zeros(30))


def test_default_initialisation_is_deterministic():
    np.testing.assert_array_equal(AffineLayer(5, 4).weights, AffineLayer(5, 4).weights)


def test_initialisers_are_called_with_the_parameter_shapes():
    shapes = []

    def recording_initialiser(shape):
        shapes.append(shape)
        return np.full(shape, 3.0)

    layer = AffineLayer(4, 3, recording_initialiser, recording_initialiser)
    assert shapes == [(3, 4), (3,)]
    np.testing.assert_array_equal(layer.weights, np.full((3, 4), 3.0))


def test_kit_initialisers_can_be_used():
    layer = AffineLayer(4, 3, UniformInit(-0.5, 0.5, rng=1), ConstantInit(0.25))
    assert np.all(np.abs(layer.weights) <= 0.5)
    np.testing.assert_array_equal(layer.biases, np.full(3, 0.25))


def test_params_are_the_layers_own_weights_and_biases():
    layer = AffineLayer(3, 2)
    assert layer.param_names == ["weights", "biases"]
    assert layer.params[0] is layer.weights and layer.params[1] is layer.biases


def test_params_setter_replaces_weights_and_biases():
    layer = AffineLayer(3, 2)
    weights, biases = np.arange(6.0).reshape(2, 3), np.array([1.0, -1.0])
    layer.params = [weights, biases]
    np.testing.assert_array_equal(layer.weights, weights)
    np.testing.assert_array_equal(layer.biases, biases)


def test_params_setter_rejects_the_wrong_number_of_arrays():
    layer = AffineLayer(3, 2)
    with pytest.raises(ValueError, match=re.escape(
            "AffineLayer(input_dim=3, output_dim=2): expected a list of 2 parameter arrays (weights, biases), got 1")):
        layer.params = [np.zeros((2, 3))]


def test_params_setter_rejects_the_wrong_shape():
    layer = AffineLayer(3, 2)
    with pytest.raises(ValueError, match=re.escape(
            "AffineLayer(input_dim=3, output_dim=2): expected weights of shape (2, 3), got an array of shape (3, 2)")):
        layer.params = [np.zeros((3, 2)), np.zeros(2)]


# Bad arguments and inputs -----------------------------------------------------------------------------


def test_inputs_of_the_wrong_width_are_a_value_error_naming_layer_expected_and_got():
    with pytest.raises(ValueError, match=re.escape(
            "AffineLayer(input_dim=4, output_dim=3): expected inputs of shape (batch_size, 4), "
            "got an array of shape (2, 5)")):
        AffineLayer(4, 3).fprop(np.ones((2, 5)))


def test_a_single_1d_example_is_a_value_error_with_a_hint():
    with pytest.raises(ValueError, match=re.escape(
            "AffineLayer(input_dim=4, output_dim=3): expected inputs of shape (batch_size, 4), "
            "got a 1-D array of shape (4,); pass a single example as a batch of one")):
        AffineLayer(4, 3).fprop(np.ones(4))


def test_grads_of_the_wrong_shape_are_a_value_error():
    layer = AffineLayer(4, 3)
    inputs = np.ones((2, 4))
    with pytest.raises(ValueError, match=re.escape(
            "AffineLayer(input_dim=4, output_dim=3): expected grads_wrt_outputs and outputs to have the same shape")):
        layer.bprop(inputs, layer.fprop(inputs), np.ones((2, 4)))
    with pytest.raises(ValueError, match=re.escape(
            "AffineLayer(input_dim=4, output_dim=3): expected grads_wrt_outputs of shape (2, 3), "
            "got an array of shape (2, 4)")):
        layer.grads_wrt_params(inputs, np.ones((2, 4)))


def test_non_numeric_inputs_are_a_type_error():
    with pytest.raises(TypeError, match=re.escape("AffineLayer(input_dim=2, output_dim=1): expected inputs to be")):
        AffineLayer(2, 1).fprop([["a", "b"]])


@pytest.mark.parametrize(("arguments", "error", "message"), [
    ((0, 3), ValueError, "AffineLayer(input_dim=0, output_dim=3): expected input_dim to be a positive integer, got 0"),
    ((4, -1), ValueError, "AffineLayer(input_dim=4, output_dim=-1): expected output_dim to be a positive integer"),
    ((2.5, 3), TypeError, "AffineLayer(input_dim=2.5, output_dim=3): expected input_dim to be a positive integer"),
    ((4, "3"), TypeError, "AffineLayer(input_dim=4, output_dim='3'): expected output_dim to be a positive integer"),
])
def test_dims_must_be_positive_integers(arguments, error, message):
    with pytest.raises(error, match=re.escape(message)):
        AffineLayer(*arguments)


def test_initialisers_must_be_callable():
    with pytest.raises(TypeError, match=re.escape(
            "AffineLayer(input_dim=4, output_dim=3): expected weights_initialiser to be a callable shape -> array")):
        AffineLayer(4, 3, weights_initialiser=np.zeros((3, 4)))


def test_an_initialiser_returning_the_wrong_shape_is_a_value_error():
    with pytest.raises(ValueError, match=re.escape(
            "AffineLayer(input_dim=4, output_dim=3): expected biases_initialiser to return an array of shape (3,), "
            "got an array of shape (4,)")):
        AffineLayer(4, 3, biases_initialiser=lambda shape: np.zeros(4))


def test_penalties_need_a_grad_method():
    with pytest.raises(TypeError, match=re.escape(
            "AffineLayer(input_dim=4, output_dim=3): expected weights_penalty to be None or a penalty")):
        AffineLayer(4, 3, weights_penalty=lambda param: 0.0)


# Description ---------------------------------------------------------------------------------------


def test_repr_shows_the_dimensions():
    assert repr(AffineLayer(4, 3)) == "AffineLayer(input_dim=4, output_dim=3)"


def test_repr_shows_penalties_when_given():
    layer = AffineLayer(4, 3, weights_penalty=HalfSquarePenalty(0.1))
    assert repr(layer) == "AffineLayer(input_dim=4, output_dim=3, weights_penalty=HalfSquarePenalty(0.1))"
