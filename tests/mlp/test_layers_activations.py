"""Activation layers: closed-form values, finite-difference gradients, float32, stability, errors."""

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp.gradcheck import check_layer
from mlp.layers import (
    ELULayer,
    LeakyReluLayer,
    ReluLayer,
    SELULayer,
    SigmoidLayer,
    SoftmaxLayer,
    SoftplusLayer,
    SoftsignLayer,
    TanhLayer,
)

SELU_SCALE = 1.0507009873554805
SELU_SCALE_TIMES_ALPHA = 1.7580993408473766  # 1.0507009873554805 * 1.6732632423543772

batch_and_dim = st.tuples(st.integers(1, 5), st.integers(1, 6))
any_values = st.floats(-3, 3, allow_nan=False, allow_subnormal=False)
# Values at least 0.01 away from 0, where ReLU-like functions have a kink that central
# differences (step 1e-6) would straddle.
off_kink_values = st.one_of(st.floats(-3, -0.01), st.floats(0.01, 3))

# Layers whose function is smooth enough at 0 for finite differences anywhere.
SMOOTH_LAYERS = [SigmoidLayer(), TanhLayer(), SoftplusLayer(), SoftsignLayer(), ELULayer(alpha=1.0), SoftmaxLayer()]
KINKED_LAYERS = [ReluLayer(), LeakyReluLayer(alpha=0.1), ELULayer(alpha=0.5), SELULayer()]
ELEMENTWISE_LAYERS = [layer for layer in SMOOTH_LAYERS + KINKED_LAYERS if not isinstance(layer, SoftmaxLayer)]
ALL_LAYERS = SMOOTH_LAYERS + KINKED_LAYERS


def assert_gradients_pass(reports):
    for report in reports:
        report.raise_if_failed()


# Gradients against finite differences ------------------------------------------------------------


@pytest.mark.parametrize("layer", SMOOTH_LAYERS, ids=repr)
@given(inputs=arrays(np.float64, batch_and_dim, elements=any_values), seed=st.integers(0, 1000))
def test_bprop_of_smooth_activation_matches_finite_differences(layer, inputs, seed):
    assert_gradients_pass(check_layer(layer, inputs, seed=seed))


@pytest.mark.parametrize("layer", KINKED_LAYERS, ids=repr)
@given(inputs=arrays(np.float64, batch_and_dim, elements=off_kink_values), seed=st.integers(0, 1000))
def test_bprop_of_kinked_activation_matches_finite_differences_away_from_the_kink(layer, inputs, seed):
    assert_gradients_pass(check_layer(layer, inputs, seed=seed))


@pytest.mark.parametrize("layer", ELEMENTWISE_LAYERS, ids=repr)
def test_elementwise_activation_works_on_image_shaped_inputs(layer):
    rng = np.random.default_rng(0)
    inputs = rng.uniform(0.05, 2, size=(2, 3, 4, 4)) * rng.choice([-1.0, 1.0], size=(2, 3, 4, 4))
    outputs = layer.fprop(inputs)
    assert outputs.shape == inputs.shape
    np.testing.assert_allclose(outputs.reshape(2, -1), layer.fprop(inputs.reshape(2, -1)), rtol=1e-15)
    assert_gradients_pass(check_layer(layer, inputs))


def test_softmax_over_the_last_axis_of_3d_inputs_matches_finite_differences():
    inputs = np.random.default_rng(1).standard_normal((2, 3, 4))
    assert_gradients_pass(check_layer(SoftmaxLayer(), inputs))


# float32 stays float32 ------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", ALL_LAYERS, ids=repr)
@given(inputs=arrays(np.float32, batch_and_dim, elements=st.floats(-3, 3, width=32)), seed=st.integers(0, 1000))
def test_float32_inputs_give_float32_outputs_and_grads_close_to_float64(layer, inputs, seed):
    grads = np.random.default_rng(seed).standard_normal(inputs.shape).astype(np.float32)
    outputs = layer.fprop(inputs)
    grads_wrt_inputs = layer.bprop(inputs, outputs, grads)
    assert outputs.dtype == np.float32
    assert grads_wrt_inputs.dtype == np.float32
    inputs64, grads64 = inputs.astype(np.float64), grads.astype(np.float64)
    outputs64 = layer.fprop(inputs64)
    np.testing.assert_allclose(outputs, outputs64, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grads_wrt_inputs, layer.bprop(inputs64, outputs64, grads64), rtol=1e-4, atol=1e-5)


# Values against closed forms ------------------------------------------------------------------------

# (layer, inputs, expected outputs, expected derivative f'(x)), computed by hand.
POINT_VALUES = [
    (SigmoidLayer(), [0.0, math.log(3), -math.log(3)], [0.5, 0.75, 0.25], [0.25, 0.1875, 0.1875]),
    (TanhLayer(), [0.0, math.log(2), -math.log(2)], [0.0, 0.6, -0.6], [1.0, 0.64, 0.64]),
    (ReluLayer(), [-2.0, -0.5, 0.5, 2.0], [0.0, 0.0, 0.5, 2.0], [0.0, 0.0, 1.0, 1.0]),
    (LeakyReluLayer(alpha=0.1), [-2.0, -0.5, 0.5, 2.0], [-0.2, -0.05, 0.5, 2.0], [0.1, 0.1, 1.0, 1.0]),
    (LeakyReluLayer(), [-3.0, 4.0], [-0.03, 4.0], [0.01, 1.0]),
    (ELULayer(alpha=2.0), [-math.log(2), -math.log(4), 3.0], [-1.0, -1.5, 3.0], [1.0, 0.5, 1.0]),
    (ELULayer(), [-math.log(2), 0.5], [-0.5, 0.5], [0.5, 1.0]),
    (SELULayer(), [1.0, -1.0, -math.log(2)],
     [SELU_SCALE, -1.1113307378125628, -0.5 * SELU_SCALE_TIMES_ALPHA],
     [SELU_SCALE, SELU_SCALE_TIMES_ALPHA / math.e, 0.5 * SELU_SCALE_TIMES_ALPHA]),
    (SoftplusLayer(), [0.0, math.log(3), -math.log(3)], [math.log(2), math.log(4), math.log(4 / 3)],
     [0.5, 0.75, 0.25]),
    (SoftsignLayer(), [0.0, 1.0, -3.0], [0.0, 0.5, -0.75], [1.0, 0.25, 0.0625]),
]


@pytest.mark.parametrize(("layer", "inputs", "expected", "derivative"), POINT_VALUES,
                         ids=[repr(row[0]) for row in POINT_VALUES])
def test_fprop_matches_hand_computed_values(layer, inputs, expected, derivative):
    np.testing.assert_allclose(layer.fprop(np.array([inputs])), np.array([expected]), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("layer", "inputs", "expected", "derivative"), POINT_VALUES,
                         ids=[repr(row[0]) for row in POINT_VALUES])
def test_bprop_of_ones_is_the_hand_computed_derivative(layer, inputs, expected, derivative):
    inputs = np.array([inputs])
    outputs = layer.fprop(inputs)
    grads = layer.bprop(inputs, outputs, np.ones_like(inputs))
    np.testing.assert_allclose(grads, np.array([derivative]), rtol=1e-12, atol=1e-15)


def test_bprop_multiplies_the_incoming_gradient_by_the_derivative():
    inputs = np.array([[-1.0, 2.0]])
    layer = ReluLayer()
    grads = layer.bprop(inputs, layer.fprop(inputs), np.array([[5.0, -7.0]]))
    np.testing.assert_array_equal(grads, [[0.0, -7.0]])


def test_softmax_of_a_hand_computed_row():
    inputs = np.array([[0.0, math.log(2), math.log(5)]])
    np.testing.assert_allclose(SoftmaxLayer().fprop(inputs), [[1 / 8, 2 / 8, 5 / 8]], rtol=1e-12)


@given(inputs=arrays(np.float64, batch_and_dim, elements=st.floats(-20, 20)))
def test_softmax_rows_are_exp_over_sum_of_exp(inputs):
    outputs = SoftmaxLayer().fprop(inputs)
    expected = np.exp(inputs) / np.exp(inputs).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(outputs, expected, rtol=1e-12)
    np.testing.assert_allclose(outputs.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(outputs > 0)


def test_softmax_bprop_is_the_full_jacobian_times_the_gradient():
    rng = np.random.default_rng(3)
    inputs, grads = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    layer = SoftmaxLayer()
    outputs = layer.fprop(inputs)
    # Jacobian of each row: diag(y) - y y^T, built explicitly here.
    jacobians = np.stack([np.diag(row) - np.outer(row, row) for row in outputs])
    expected = np.einsum("nkj,nk->nj", jacobians, grads)
    np.testing.assert_allclose(layer.bprop(inputs, outputs, grads), expected, rtol=1e-12, atol=1e-15)


@given(inputs=arrays(np.float64, batch_and_dim, elements=any_values))
def test_sigmoid_is_one_over_one_plus_exp_minus_x(inputs):
    np.testing.assert_allclose(SigmoidLayer().fprop(inputs), 1 / (1 + np.exp(-inputs)), rtol=1e-12)


@given(inputs=arrays(np.float64, batch_and_dim, elements=any_values))
def test_softplus_is_log_of_one_plus_exp(inputs):
    np.testing.assert_allclose(SoftplusLayer().fprop(inputs), np.log(1 + np.exp(inputs)), rtol=1e-12)


@given(inputs=arrays(np.float64, batch_and_dim, elements=any_values))
def test_elu_with_alpha_one_is_the_exponential_below_zero_and_identity_above(inputs):
    expected = np.array([x if x > 0 else math.exp(x) - 1 for x in inputs.ravel()]).reshape(inputs.shape)
    np.testing.assert_allclose(ELULayer().fprop(inputs), expected, rtol=1e-12, atol=1e-15)


# Stability at |x| = 1000 ----------------------------------------------------------------------------

BIG = 1000.0
# (layer, f(-1000), f(1000), f'(-1000), f'(1000))
LIMITS = [
    (SigmoidLayer(), 0.0, 1.0, 0.0, 0.0),
    (TanhLayer(), -1.0, 1.0, 0.0, 0.0),
    (ReluLayer(), 0.0, BIG, 0.0, 1.0),
    (LeakyReluLayer(alpha=0.1), -0.1 * BIG, BIG, 0.1, 1.0),
    (ELULayer(alpha=2.0), -2.0, BIG, 0.0, 1.0),
    (SELULayer(), -SELU_SCALE_TIMES_ALPHA, SELU_SCALE * BIG, 0.0, SELU_SCALE),
    (SoftplusLayer(), 0.0, BIG, 0.0, 1.0),
    (SoftsignLayer(), -BIG / (BIG + 1), BIG / (BIG + 1), 1 / (BIG + 1) ** 2, 1 / (BIG + 1) ** 2),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("layer", "low", "high", "slope_low", "slope_high"), LIMITS,
                         ids=[repr(row[0]) for row in LIMITS])
def test_elementwise_activation_is_stable_at_plus_and_minus_1000(layer, low, high, slope_low, slope_high, dtype):
    inputs = np.array([[-BIG, BIG], [BIG, -BIG]], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        outputs = layer.fprop(inputs)
        grads = layer.bprop(inputs, outputs, np.ones_like(inputs))
    tolerance = {"rtol": 1e-6, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-6}
    np.testing.assert_allclose(outputs, [[low, high], [high, low]], **tolerance)
    np.testing.assert_allclose(grads, [[slope_low, slope_high], [slope_high, slope_low]], **tolerance)
    assert outputs.dtype == dtype and grads.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_at_plus_and_minus_1000(dtype):
    inputs = np.array([[-BIG, BIG, 0.0], [BIG, BIG, -BIG]], dtype=dtype)
    layer = SoftmaxLayer()
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        outputs = layer.fprop(inputs)
        grads = layer.bprop(inputs, outputs, np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], dtype=dtype))
    np.testing.assert_allclose(outputs, [[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], atol=1e-7)
    # d/dx of a one-hot softmax is zero; for [0.5, 0.5, 0]: y * (g - y.g) = [0.5 * -0.5, 0.5 * 0.5, 0]
    np.testing.assert_allclose(grads, [[0.0, 0.0, 0.0], [-0.25, 0.25, 0.0]], atol=1e-7)
    assert outputs.dtype == dtype and grads.dtype == dtype


# Bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", ALL_LAYERS, ids=repr)
def test_non_numeric_inputs_are_a_type_error_naming_the_layer(layer):
    expected = f"{layer!r}: expected inputs to be a NumPy array of real numbers"
    with pytest.raises(TypeError, match=re.escape(expected)):
        layer.fprop(np.array([["a", "b"]]))


@pytest.mark.parametrize("layer", ALL_LAYERS, ids=repr)
def test_grads_of_the_wrong_shape_are_a_value_error_naming_the_layer(layer):
    inputs = np.ones((2, 3))
    outputs = layer.fprop(inputs)
    expected = (f"{layer!r}: expected grads_wrt_outputs and outputs to have the same shape, "
                "got grads_wrt_outputs of shape (3, 2) and outputs of shape (2, 3)")
    with pytest.raises(ValueError, match=re.escape(expected)):
        layer.bprop(inputs, outputs, np.ones((3, 2)))


def test_softmax_needs_a_batch_axis_and_a_class_axis():
    with pytest.raises(ValueError, match=r"SoftmaxLayer\(\): expected inputs with at least 2 dimensions "
                                         r"\(batch_size, num_classes\), got an array of shape \(3,\)"):
        SoftmaxLayer().fprop(np.ones(3))


@pytest.mark.parametrize("layer_class", [LeakyReluLayer, ELULayer])
def test_alpha_must_be_a_finite_real_number(layer_class):
    with pytest.raises(TypeError, match=rf"{layer_class.__name__}\(alpha='big'\): expected alpha to be a real number"):
        layer_class(alpha="big")
    with pytest.raises(ValueError, match=rf"{layer_class.__name__}\(alpha=inf\): expected alpha to be a finite"):
        layer_class(alpha=math.inf)


# Description ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("layer", "text"), [
    (SigmoidLayer(), "SigmoidLayer()"),
    (TanhLayer(), "TanhLayer()"),
    (ReluLayer(), "ReluLayer()"),
    (LeakyReluLayer(), "LeakyReluLayer(alpha=0.01)"),
    (LeakyReluLayer(alpha=0.2), "LeakyReluLayer(alpha=0.2)"),
    (ELULayer(), "ELULayer(alpha=1.0)"),
    (ELULayer(alpha=0.5), "ELULayer(alpha=0.5)"),
    (SELULayer(), "SELULayer()"),
    (SoftplusLayer(), "SoftplusLayer()"),
    (SoftsignLayer(), "SoftsignLayer()"),
    (SoftmaxLayer(), "SoftmaxLayer()"),
])
def test_repr_shows_the_constructor_arguments(layer, text):
    assert repr(layer) == text
