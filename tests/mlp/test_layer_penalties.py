"""Penalties on layer parameters, the same for every layer with parameters (affine, convolution, batch norm).

With penalties ``P`` on its parameters a layer reports ``params_penalty() = sum_p P(p)`` and adds
``grad P(p)`` to each parameter's gradient. Expected values come from the closed forms,
``L2: 0.5 * c * sum(p ** 2)`` with gradient ``c * p`` and ``L1: c * sum(|p|)`` with gradient
``c * sign(p)``, and from central differences written here.
"""

import numpy as np
import pytest

from mlp.layers import AffineLayer, BatchNormalizationLayer, ConvolutionalLayer
from mlp.penalties import L1Penalty, L2Penalty

L2_CLOSED_FORM = {"value": lambda c, p: 0.5 * c * np.sum(p ** 2), "grad": lambda c, p: c * p}
L1_CLOSED_FORM = {"value": lambda c, p: c * np.sum(np.abs(p)), "grad": lambda c, p: c * np.sign(p)}
PENALTIES = {"L2": (L2Penalty, L2_CLOSED_FORM), "L1": (L1Penalty, L1_CLOSED_FORM)}


def affine(first_penalty=None, second_penalty=None):
    return AffineLayer(4, 3, weights_penalty=first_penalty, biases_penalty=second_penalty), (5, 4)


def convolution(first_penalty=None, second_penalty=None):
    layer = ConvolutionalLayer(2, 3, 5, 4, 3, 2, kernels_penalty=first_penalty, biases_penalty=second_penalty,
                               padding=1)
    return layer, (2, 2, 5, 4)


def batch_norm(first_penalty=None, second_penalty=None):
    return BatchNormalizationLayer(3, gamma_penalty=first_penalty, beta_penalty=second_penalty), (6, 3)


LAYERS = {"affine": affine, "convolution": convolution, "batch_norm": batch_norm}


def with_random_params(layer, rng):
    """Parameters of magnitude in [0.2, 1] with random signs: away from L1's kink at 0."""
    layer.params = [rng.uniform(0.2, 1.0, size=param.shape) * rng.choice([-1.0, 1.0], size=param.shape)
                    for param in layer.params]
    return layer


def central_differences(function, param, eps=1e-6):
    """d function() / d param by (f(p + eps) - f(p - eps)) / (2 eps), one entry at a time, in place."""
    grads = np.zeros_like(param)
    for index in np.ndindex(param.shape):
        original = param[index]
        param[index] = original + eps
        above = function()
        param[index] = original - eps
        below = function()
        param[index] = original
        grads[index] = (above - below) / (2 * eps)
    return grads


@pytest.mark.parametrize("penalty_name", PENALTIES)
@pytest.mark.parametrize("layer_name", LAYERS)
def test_gradients_of_the_penalised_loss_match_finite_differences(layer_name, penalty_name):
    rng = np.random.default_rng(0)
    penalty_class, _ = PENALTIES[penalty_name]
    layer, inputs_shape = LAYERS[layer_name](penalty_class(0.3), penalty_class(0.7))
    with_random_params(layer, rng)
    inputs = rng.standard_normal(inputs_shape)
    projection = rng.standard_normal(layer.fprop(inputs).shape)

    def penalised_loss():  # sum(R * outputs) + penalty, whose gradient wrt outputs is R
        return float(np.sum(projection * layer.fprop(inputs))) + layer.params_penalty()

    analytic = layer.grads_wrt_params(inputs, projection)
    for name, param, grads in zip(layer.param_names, layer.params, analytic, strict=True):
        np.testing.assert_allclose(grads, central_differences(penalised_loss, param), rtol=1e-6, atol=1e-7,
                                   err_msg=f"gradient wrt {name}")


@pytest.mark.parametrize("penalty_name", PENALTIES)
@pytest.mark.parametrize("layer_name", LAYERS)
def test_the_penalty_adds_its_closed_form_value_and_gradient(layer_name, penalty_name):
    rng = np.random.default_rng(1)
    penalty_class, closed_form = PENALTIES[penalty_name]
    plain, inputs_shape = LAYERS[layer_name]()
    with_random_params(plain, rng)
    penalised, _ = LAYERS[layer_name](penalty_class(0.3), penalty_class(0.7))
    penalised.params = [param.copy() for param in plain.params]
    inputs = rng.standard_normal(inputs_shape)
    grads_wrt_outputs = rng.standard_normal(plain.fprop(inputs).shape)
    penalised.fprop(inputs)

    first, second = plain.params
    expected_value = closed_form["value"](0.3, first) + closed_form["value"](0.7, second)
    assert penalised.params_penalty() == pytest.approx(expected_value)
    assert plain.params_penalty() == 0.0
    expected_extra = [closed_form["grad"](0.3, first), closed_form["grad"](0.7, second)]
    for got, without, extra in zip(penalised.grads_wrt_params(inputs, grads_wrt_outputs),
                                   plain.grads_wrt_params(inputs, grads_wrt_outputs), expected_extra, strict=True):
        np.testing.assert_allclose(got - without, extra, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("layer_name", LAYERS)
def test_a_penalty_on_one_parameter_leaves_the_other_alone(layer_name):
    rng = np.random.default_rng(2)
    plain, inputs_shape = LAYERS[layer_name]()
    with_random_params(plain, rng)
    only_second, _ = LAYERS[layer_name](None, L2Penalty(0.5))
    only_second.params = [param.copy() for param in plain.params]
    inputs = rng.standard_normal(inputs_shape)
    grads_wrt_outputs = rng.standard_normal(plain.fprop(inputs).shape)
    only_second.fprop(inputs)
    got_first, got_second = only_second.grads_wrt_params(inputs, grads_wrt_outputs)
    plain_first, plain_second = plain.grads_wrt_params(inputs, grads_wrt_outputs)
    np.testing.assert_array_equal(got_first, plain_first)
    np.testing.assert_allclose(got_second - plain_second, 0.5 * plain.params[1], rtol=1e-10, atol=1e-12)
    assert only_second.params_penalty() == pytest.approx(0.25 * np.sum(plain.params[1] ** 2))


def test_batch_norm_penalties_are_checked_and_shown_like_the_other_layers():
    with pytest.raises(TypeError, match="expected gamma_penalty to be None or a penalty with __call__"):
        BatchNormalizationLayer(3, gamma_penalty=0.1)
    assert repr(BatchNormalizationLayer(3, beta_penalty=L1Penalty(0.01))) == (
        "BatchNormalizationLayer(input_dim=3, epsilon=1e-05, momentum=0.9, beta_penalty=L1Penalty(coefficient=0.01))")
