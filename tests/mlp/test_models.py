"""Models: forward propagation through layers, back-propagation to every parameter."""

import numpy as np
import pytest

from mlp.errors import CrossEntropySoftmaxError, SumOfSquaredDiffsError
from mlp.gradcheck import check_model
from mlp.initialisers import ConstantInit
from mlp.layers import (
    AffineLayer,
    ConvolutionalLayer,
    Layer,
    MaxPoolingLayer,
    ReluLayer,
    ReshapeLayer,
    SigmoidLayer,
    StochasticLayer,
    TanhLayer,
)
from mlp.models import MultipleLayerModel, SingleLayerModel
from mlp.penalties import L2Penalty


def affine(input_dim, output_dim, seed, **penalties):
    """An affine layer with N(0, 0.5^2) weights and biases drawn from ``seed``."""
    layer = AffineLayer(input_dim, output_dim, ConstantInit(0.0), ConstantInit(0.0), **penalties)
    rng = np.random.default_rng(seed)
    layer.params = [0.5 * rng.standard_normal((output_dim, input_dim)),
                    0.5 * rng.standard_normal(output_dim)]
    return layer


def one_of_k(labels, num_classes):
    return np.eye(num_classes)[labels]


class RecordingStochasticLayer(StochasticLayer):
    """Identity layer that records the ``stochastic`` flag it was called with."""

    def __init__(self):
        self.flags = []

    def fprop(self, inputs, stochastic=True):
        self.flags.append(stochastic)
        return inputs

    def bprop(self, inputs, outputs, grads_wrt_outputs):
        return grads_wrt_outputs


# Forward propagation ----------------------------------------------------------------------------


def test_fprop_returns_the_inputs_then_each_layers_outputs():
    first, second = affine(3, 4, seed=0), affine(4, 2, seed=1)
    model = MultipleLayerModel([first, TanhLayer(), second])
    inputs = np.random.default_rng(2).standard_normal((5, 3))
    activations = model.fprop(inputs)
    hidden = inputs @ first.weights.T + first.biases
    expected = [inputs, hidden, np.tanh(hidden), np.tanh(hidden) @ second.weights.T + second.biases]
    assert len(activations) == 4
    for got, want in zip(activations, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    assert activations[0] is inputs


def test_stochastic_layers_run_in_training_mode_unless_evaluating():
    recorder = RecordingStochasticLayer()
    model = MultipleLayerModel([affine(2, 2, seed=0), recorder])
    model.fprop(np.zeros((1, 2)))
    model.fprop(np.zeros((1, 2)), evaluation=True)
    assert recorder.flags == [True, False]


def test_single_layer_model_applies_its_layer():
    layer = affine(3, 2, seed=4)
    inputs = np.random.default_rng(5).standard_normal((6, 3))
    outputs = SingleLayerModel(layer).fprop(inputs)[-1]
    np.testing.assert_allclose(outputs, inputs @ layer.weights.T + layer.biases, rtol=1e-12)


# Gradients -------------------------------------------------------------------------------------


def test_mlp_parameter_gradients_match_finite_differences():
    model = MultipleLayerModel([affine(4, 5, seed=0), SigmoidLayer(), affine(5, 5, seed=1), ReluLayer(),
                                affine(5, 3, seed=2)])
    rng = np.random.default_rng(3)
    inputs, targets = rng.standard_normal((6, 4)), one_of_k(rng.integers(0, 3, 6), 3)
    reports = check_model(model, CrossEntropySoftmaxError(), inputs, targets)
    assert len(reports) == 6
    for report in reports:
        report.raise_if_failed()


def test_single_layer_model_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    model = SingleLayerModel(affine(3, 2, seed=0))
    for report in check_model(model, SumOfSquaredDiffsError(), rng.standard_normal((4, 3)),
                              rng.standard_normal((4, 2))):
        report.raise_if_failed()


def test_cnn_parameter_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    conv = ConvolutionalLayer(1, 2, 6, 6, 3, 3, ConstantInit(0.0), ConstantInit(0.0), padding=1)
    conv.params = [0.5 * rng.standard_normal((2, 1, 3, 3)), 0.1 * rng.standard_normal(2)]
    model = MultipleLayerModel([conv, TanhLayer(), MaxPoolingLayer(2), ReshapeLayer(),
                                affine(2 * 3 * 3, 3, seed=1)])
    inputs, targets = rng.uniform(size=(3, 1, 6, 6)), one_of_k(rng.integers(0, 3, 3), 3)
    for report in check_model(model, CrossEntropySoftmaxError(), inputs, targets):
        report.raise_if_failed()


def test_grads_wrt_params_come_in_params_order_with_matching_shapes():
    model = MultipleLayerModel([affine(4, 3, seed=0), ReluLayer(), affine(3, 2, seed=1)])
    activations = model.fprop(np.ones((2, 4)))
    grads = model.grads_wrt_params(activations, np.ones((2, 2)))
    assert [grad.shape for grad in grads] == [param.shape for param in model.params]


def test_grads_wrt_params_needs_the_activations_from_fprop():
    model = MultipleLayerModel([affine(2, 2, seed=0), ReluLayer()])
    with pytest.raises(ValueError, match="expected the 3 activations"):
        model.grads_wrt_params([np.ones((1, 2))], np.ones((1, 2)))


# Parameters -------------------------------------------------------------------------------------


def test_params_are_the_layers_own_arrays_in_layer_order():
    first, second = affine(3, 4, seed=0), affine(4, 2, seed=1)
    model = MultipleLayerModel([first, ReluLayer(), second])
    assert len(model.params) == 4
    for got, want in zip(model.params, [*first.params, *second.params], strict=True):
        assert got is want


def test_setting_params_distributes_them_over_the_layers():
    first, second = affine(3, 4, seed=0), affine(4, 2, seed=1)
    model = MultipleLayerModel([first, ReluLayer(), second])
    new = [np.full((4, 3), 1.0), np.full(4, 2.0), np.full((2, 4), 3.0), np.full(2, 4.0)]
    model.params = new
    np.testing.assert_array_equal(first.weights, new[0])
    np.testing.assert_array_equal(second.biases, new[3])


def test_setting_the_wrong_number_of_params_is_a_value_error():
    model = MultipleLayerModel([affine(3, 4, seed=0)])
    with pytest.raises(ValueError, match="expected a list of 2 parameter arrays, got 1"):
        model.params = [np.zeros((4, 3))]


def test_params_penalty_is_the_sum_over_layers():
    penalty = L2Penalty(0.1)
    first = affine(3, 4, seed=0, weights_penalty=penalty)
    second = affine(4, 2, seed=1, weights_penalty=penalty, biases_penalty=penalty)
    model = MultipleLayerModel([first, ReluLayer(), second])
    expected = penalty(first.weights) + penalty(second.weights) + penalty(second.biases)
    assert model.params_penalty() == pytest.approx(expected)
    assert MultipleLayerModel([affine(2, 2, seed=0)]).params_penalty() == 0.0


# Construction and description -------------------------------------------------------------------


def test_layers_must_be_a_non_empty_list():
    with pytest.raises(ValueError, match="non-empty"):
        MultipleLayerModel([])


def test_a_single_layer_is_not_a_list_of_layers():
    with pytest.raises(TypeError, match="list of layers"):
        MultipleLayerModel(ReluLayer())


def test_every_element_must_be_a_layer():
    with pytest.raises(TypeError, match="position 1"):
        MultipleLayerModel([ReluLayer(), np.tanh])


def test_single_layer_model_needs_a_layer():
    with pytest.raises(TypeError, match="expected a Layer"):
        SingleLayerModel([ReluLayer()])


def test_repr_lists_the_layers():
    layers = [affine(3, 4, seed=0), ReluLayer()]
    text = repr(MultipleLayerModel(layers))
    assert text.startswith("MultipleLayerModel([")
    assert repr(layers[0]) in text and repr(layers[1]) in text
    assert repr(SingleLayerModel(layers[1])) == f"SingleLayerModel({layers[1]!r})"


def test_summary_gives_output_shapes_and_parameter_counts():
    model = MultipleLayerModel([affine(64, 100, seed=0), ReluLayer(), affine(100, 10, seed=1)])
    text = model.summary(input_shape=(64,))
    lines = text.splitlines()
    first = next(line for line in lines if "AffineLayer" in line and "(batch, 100)" in line)
    assert first.rstrip().endswith("6,500")  # 64 * 100 weights + 100 biases
    assert any("ReluLayer" in line and "(batch, 100)" in line for line in lines)
    assert any("(batch, 10)" in line and line.rstrip().endswith("1,010") for line in lines)
    assert lines[-1] == "total parameters: 7,510"


def test_summary_without_input_shape_shows_unknown_shapes():
    assert "?" in MultipleLayerModel([ReluLayer()]).summary()


def test_models_accept_any_layer_subclass():
    class Double(Layer):
        def fprop(self, inputs):
            return 2 * inputs

        def bprop(self, inputs, outputs, grads_wrt_outputs):
            return 2 * grads_wrt_outputs

    np.testing.assert_array_equal(MultipleLayerModel([Double(), Double()]).fprop(np.ones(2))[-1], [4, 4])


def test_summary_cuts_long_layer_descriptions():
    class Verbose(Layer):
        def fprop(self, inputs):
            return inputs

        def __repr__(self):
            return "Verbose(" + "x" * 100 + ")"

    line = next(line for line in MultipleLayerModel([Verbose()]).summary(max_width=30).splitlines()
                if "Verbose" in line)
    assert "Verbose(" + "x" * 18 + "...)" in line and "x" * 19 not in line
