"""Tests of the lesson 04 explorers: activation shapes and per-layer statistics with depth."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.layers import ELULayer, Layer, LeakyReluLayer, ReluLayer, SigmoidLayer, TanhLayer
from mlp.widgets.activations import (
    SATURATION_THRESHOLD,
    ActivationExplorer,
    InitialisationExplorer,
    activation_curve,
    deep_network_statistics,
    make_activation,
)


class CubeLayer(Layer):
    """A test activation u**3 (derivative 3 u**2), standing in for a student's own layer."""

    def fprop(self, inputs):
        return inputs**3

    def bprop(self, inputs, outputs, grads_wrt_outputs):
        return grads_wrt_outputs * 3 * inputs**2


# make_activation and activation_curve -------------------------------------------------------


@pytest.mark.parametrize("name, layer_class", [("sigmoid", SigmoidLayer), ("tanh", TanhLayer), ("relu", ReluLayer),
                                               ("leaky relu", LeakyReluLayer), ("elu", ELULayer)])
def test_make_activation_builds_the_named_layer(name, layer_class):
    assert isinstance(make_activation(name, alpha=0.3), layer_class)


def test_make_activation_passes_alpha_on():
    assert make_activation("leaky relu", alpha=0.3).alpha == 0.3
    assert make_activation("elu", alpha=1.5).alpha == 1.5


def test_make_activation_prefers_extra_activations_and_rejects_unknown_names():
    mine = CubeLayer()
    assert make_activation("mine", extra_activations={"mine": mine}) is mine
    with pytest.raises(ValueError, match="make_activation: expected an activation in"):
        make_activation("swish")


def test_activation_curve_of_tanh_matches_the_closed_form():
    inputs = np.linspace(-3, 3, 13)
    outputs, derivatives = activation_curve(TanhLayer(), inputs)
    np.testing.assert_allclose(outputs, np.tanh(inputs))
    np.testing.assert_allclose(derivatives, 1 / np.cosh(inputs) ** 2)


@given(st.lists(st.floats(-5, 5).filter(lambda value: abs(value) > 1e-3), min_size=1, max_size=20),
       st.floats(0.05, 2.0))
def test_activation_curve_derivatives_match_finite_differences(points, alpha):
    inputs = np.array(points)
    for name in ("sigmoid", "tanh", "relu", "leaky relu", "elu", "softplus"):
        layer = make_activation(name, alpha)
        _, derivatives = activation_curve(layer, inputs)
        eps = 1e-6
        numerical = (activation_curve(layer, inputs + eps)[0] - activation_curve(layer, inputs - eps)[0]) / (2 * eps)
        np.testing.assert_allclose(derivatives, numerical, rtol=1e-5, atol=1e-7, err_msg=name)


# ActivationExplorer ------------------------------------------------------------------------


def test_activation_explorer_controls_have_sane_ranges():
    explorer = ActivationExplorer()
    assert {"sigmoid", "tanh", "relu", "leaky relu", "elu"} <= set(explorer.controls["activation"].options)
    alpha = explorer.controls["alpha"]
    assert alpha.min == 0.0 and alpha.max >= 1.0 and alpha.min <= alpha.value <= alpha.max
    assert explorer.controls["input_range"].min > 0


def test_sigmoid_saturates_more_than_relu_on_the_same_range():
    explorer = ActivationExplorer()
    sigmoid_fraction = explorer.update(activation="sigmoid", input_range=10.0)["saturated_fraction"]
    relu_fraction = explorer.update(activation="relu")["saturated_fraction"]
    # sigmoid'(u) = y (1 - y) = 0.05 at y = (1 + sqrt(0.8)) / 2, i.e. |u| = log(y / (1 - y)); relu' < 0.05 for u <= 0
    y = (1 + np.sqrt(1 - 4 * SATURATION_THRESHOLD)) / 2
    assert sigmoid_fraction == pytest.approx(1 - 2 * np.log(y / (1 - y)) / 20, abs=0.005)
    assert relu_fraction == pytest.approx(0.5, abs=0.01)


def test_alpha_slider_sets_the_leaky_relu_slope():
    explorer = ActivationExplorer(activation="leaky relu")
    result = explorer.update(alpha=0.3, input_range=4.0)
    negative = result["inputs"] < 0
    np.testing.assert_allclose(result["derivatives"][negative], 0.3)
    np.testing.assert_allclose(result["outputs"][negative], 0.3 * result["inputs"][negative])
    assert result["saturated_fraction"] == 0.0


def test_activation_explorer_redraws_and_reports_on_update():
    explorer = ActivationExplorer(activation="tanh")
    before = bytes(explorer.widget.children[1].value)
    explorer.update(activation="elu", alpha=1.5)
    assert bytes(explorer.image.value) != before
    assert "ELULayer(alpha=1.5)" in explorer.message.value
    assert str(SATURATION_THRESHOLD) in explorer.message.value


def test_activation_explorer_shows_an_extra_activation():
    explorer = ActivationExplorer(extra_activations={"cube": CubeLayer()})
    result = explorer.update(activation="cube", input_range=2.0)
    np.testing.assert_allclose(result["derivatives"], 3 * result["inputs"] ** 2)


# deep_network_statistics --------------------------------------------------------------------


def test_linear_network_keeps_the_spread_with_gain_one_and_shrinks_it_with_gain_half():
    # For f(u) = u the std is multiplied by about `gain` per layer (Var(u) = n_in Var(W) Var(x)).
    identity = LeakyReluLayer(alpha=1.0)
    steady = deep_network_statistics(identity, depth=6, gain=1.0, rng=1)["activation_std"]
    shrinking = deep_network_statistics(identity, depth=6, gain=0.5, rng=1)["activation_std"]
    assert 0.7 < steady[-1] / steady[0] < 1.4
    np.testing.assert_allclose(shrinking[1:] / shrinking[:-1], 0.5, rtol=0.15)


def test_he_gain_keeps_relu_activations_steady_and_gain_one_halves_their_second_moment():
    he = deep_network_statistics(ReluLayer(), depth=10, gain=np.sqrt(2.0), rng=2)["activation_std"]
    glorot = deep_network_statistics(ReluLayer(), depth=10, gain=1.0, rng=2)["activation_std"]
    assert 0.5 < he[-1] / he[0] < 2.0
    # the second moment halves per layer, so the std shrinks by about sqrt(2) per layer
    assert glorot[-1] / glorot[0] == pytest.approx(2 ** (-9 / 2), rel=0.5)


def test_large_gain_saturates_tanh_units():
    statistics = deep_network_statistics(TanhLayer(), depth=8, gain=5.0, rng=3)
    last = statistics["activations"][-1]
    assert np.mean(np.abs(last) > 0.95) > 0.5


def test_sigmoid_gradients_vanish_towards_the_first_layer():
    gradient_std = deep_network_statistics(SigmoidLayer(), depth=8, gain=1.0, rng=4)["gradient_std"]
    assert gradient_std[0] < 1e-3 * gradient_std[-1]


def test_deep_network_statistics_shapes_and_determinism():
    first = deep_network_statistics(TanhLayer(), depth=3, gain=1.0, width=20, batch_size=7, rng=5)
    second = deep_network_statistics(TanhLayer(), depth=3, gain=1.0, width=20, batch_size=7, rng=5)
    assert [values.shape for values in first["activations"]] == [(7, 20)] * 3
    assert first["activation_std"].shape == first["gradient_std"].shape == (3,)
    np.testing.assert_array_equal(first["gradient_std"], second["gradient_std"])


def test_deep_network_statistics_rejects_bad_arguments():
    with pytest.raises(ValueError, match="depth"):
        deep_network_statistics(TanhLayer(), depth=0, gain=1.0)
    with pytest.raises(ValueError, match="gain"):
        deep_network_statistics(TanhLayer(), depth=2, gain=0.0)


# InitialisationExplorer ---------------------------------------------------------------------


def test_initialisation_explorer_controls_have_sane_ranges():
    explorer = InitialisationExplorer()
    depth, gain = explorer.controls["depth"], explorer.controls["gain"]
    assert 2 <= depth.min < depth.value < depth.max <= 50
    assert gain.min < np.log10(np.sqrt(2.0)) < gain.max  # a log slider: exponents of ten
    assert explorer.controls["show_gradients"].value is True


def test_initialisation_explorer_update_changes_depth_and_figure():
    explorer = InitialisationExplorer(activation="relu", depth=4)
    before = bytes(explorer.widget.children[1].value)
    result = explorer.update(depth=12, gain=np.sqrt(2.0))
    assert result["activation_std"].shape == (12,)
    assert bytes(explorer.image.value) != before
    assert "layer 12" in explorer.message.value


def test_initialisation_explorer_accepts_an_extra_activation():
    explorer = InitialisationExplorer(extra_activations={"cube": CubeLayer()})
    assert "cube" in explorer.controls["activation"].options
    result = explorer.update(activation="cube", depth=3, gain=0.5)
    assert np.all(np.isfinite(result["activation_std"]))


def test_explorers_have_readable_reprs():
    assert repr(ActivationExplorer(activation="relu")).startswith("ActivationExplorer(activation='relu'")
    assert "depth=8" in repr(InitialisationExplorer())
