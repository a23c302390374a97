"""Tests of the lesson 03 explorers: the chain-rule graph and the gradient-check plot."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.widgets.backprop import (
    TEST_FUNCTIONS,
    ChainRuleExplorer,
    GradientCheckExplorer,
    finite_difference_errors,
    neuron_forward_backward,
)

reals = st.floats(-4.0, 4.0, allow_nan=False)


def independent_neuron_error(x, w, b, t):
    return 0.5 * (1.0 / (1.0 + np.exp(-(w * x + b))) - t) ** 2


def central_difference(function, point, eps=1e-6):
    return (function(point + eps) - function(point - eps)) / (2 * eps)


# neuron_forward_backward -----------------------------------------------------------------


def test_neuron_forward_values_follow_the_graph():
    values, _ = neuron_forward_backward(x=2.0, w=0.5, b=-1.0, t=1.0)
    assert values["u"] == pytest.approx(0.0)
    assert values["y"] == pytest.approx(0.5)
    assert values["E"] == pytest.approx(0.125)


@given(x=reals, w=reals, b=reals, t=st.floats(0.0, 1.0))
def test_neuron_adjoints_match_finite_differences(x, w, b, t):
    _, gradients = neuron_forward_backward(x, w, b, t)
    assert gradients["w"] == pytest.approx(central_difference(lambda v: independent_neuron_error(x, v, b, t), w),
                                           rel=1e-5, abs=1e-9)
    assert gradients["b"] == pytest.approx(central_difference(lambda v: independent_neuron_error(x, w, v, t), b),
                                           rel=1e-5, abs=1e-9)
    assert gradients["x"] == pytest.approx(central_difference(lambda v: independent_neuron_error(v, w, b, t), x),
                                           rel=1e-5, abs=1e-9)


def test_neuron_adjoint_of_the_error_itself_is_one():
    _, gradients = neuron_forward_backward(1.0, 1.0, 1.0, 0.0)
    assert gradients["E"] == 1.0


def test_neuron_rejects_non_numbers():
    with pytest.raises(TypeError, match="neuron_forward_backward: expected w"):
        neuron_forward_backward(1.0, "big", 0.0, 0.0)


# ChainRuleExplorer -------------------------------------------------------------------------


def test_chain_rule_explorer_has_sliders_with_sane_ranges():
    explorer = ChainRuleExplorer()
    assert set(explorer.controls) == {"x", "w", "b", "t"}
    for control in explorer.controls.values():
        assert control.min < control.value < control.max
    assert explorer.controls["t"].min == 0.0 and explorer.controls["t"].max == 1.0


def test_chain_rule_explorer_update_returns_the_graph_state():
    explorer = ChainRuleExplorer()
    result = explorer.update(x=1.0, w=2.0, b=-2.0, t=0.5)
    assert result["values"]["u"] == pytest.approx(0.0)
    assert result["gradients"]["u"] == pytest.approx(0.0)  # y = t, so the error is flat here
    assert explorer.values["w"] == 2.0


def test_chain_rule_explorer_redraws_the_figure_on_update():
    explorer = ChainRuleExplorer()
    before = bytes(explorer.widget.children[1].value)
    explorer.update(w=-4.0)
    after = bytes(explorer.image.value)
    assert before and after and before != after
    assert "&part;E/&part;w" in explorer.message.value


def test_chain_rule_explorer_shows_saturation_as_a_tiny_gradient():
    explorer = ChainRuleExplorer()
    saturated = explorer.update(x=3.0, w=6.0, b=6.0, t=0.0)["gradients"]["w"]
    active = explorer.update(x=1.0, w=0.0, b=0.0, t=0.0)["gradients"]["w"]
    assert abs(saturated) < 1e-6 < abs(active)


# finite_difference_errors --------------------------------------------------------------------


def test_central_difference_error_of_exp_follows_the_closed_form():
    # (e^h - e^-h) / (2h) - 1 = sinh(h)/h - 1, and (e^h - 1)/h - 1 for the forward difference
    steps = np.array([1e-1, 1e-2, 1e-3])
    forward, central = finite_difference_errors("exp", 0.0, steps)
    np.testing.assert_allclose(central, np.sinh(steps) / steps - 1, rtol=1e-4)
    np.testing.assert_allclose(forward, np.expm1(steps) / steps - 1, rtol=1e-4)


@pytest.mark.parametrize("name", sorted(TEST_FUNCTIONS))
def test_truncation_error_is_quadratic_for_central_and_linear_for_forward(name):
    forward, central = finite_difference_errors(name, 0.3, np.array([1e-2, 1e-3]))
    # ten times smaller step: forward error ~10x smaller, central ~100x smaller
    assert 5 < forward[0] / forward[1] < 20
    assert 50 < central[0] / central[1] < 200


def test_rounding_error_makes_float32_steps_optimal_at_larger_eps():
    grid = GradientCheckExplorer.EPS_GRID
    _, central64 = finite_difference_errors("sin", 0.5, grid, np.float64)
    _, central32 = finite_difference_errors("sin", 0.5, grid, np.float32)
    best64, best32 = grid[np.argmin(central64)], grid[np.argmin(central32)]
    assert 1e-8 <= best64 <= 1e-3
    assert best32 > best64
    assert central32.min() > 100 * central64.min()


def test_tiny_steps_in_float32_lose_the_derivative_entirely():
    # 1 + 1e-12 rounds to 1 in float32, so both differences are 0 and the error is the whole derivative
    forward, central = finite_difference_errors("tanh", 1.0, np.array([1e-12]), np.float32)
    exact = 1 - np.tanh(1.0) ** 2
    assert forward[0] == pytest.approx(exact) and central[0] == pytest.approx(exact)


def test_finite_difference_errors_reject_bad_arguments():
    with pytest.raises(ValueError, match="function_name"):
        finite_difference_errors("cosh", 0.0, np.array([1e-3]))
    with pytest.raises(TypeError, match="float32 or float64"):
        finite_difference_errors("exp", 0.0, np.array([1e-3]), np.float16)
    with pytest.raises(ValueError, match="positive steps"):
        finite_difference_errors("exp", 0.0, np.array([0.0]))


# GradientCheckExplorer ---------------------------------------------------------------------


def test_gradient_check_explorer_controls():
    explorer = GradientCheckExplorer()
    assert set(explorer.controls) == {"function", "x", "eps", "precision"}
    eps = explorer.controls["eps"]
    assert eps.min <= -12 and eps.max >= -1  # a log slider: exponents of ten
    assert set(explorer.controls["function"].options) == set(TEST_FUNCTIONS)
    assert set(explorer.controls["precision"].options) == {"float64", "float32"}


def test_gradient_check_explorer_reports_the_errors_at_the_chosen_step():
    explorer = GradientCheckExplorer()
    result = explorer.update(function="exp", x=0.0, eps=1e-2, precision="float64")
    assert result["central_error"] == pytest.approx(np.sinh(1e-2) / 1e-2 - 1, rel=1e-4)
    assert result["forward_error"] == pytest.approx(np.expm1(1e-2) / 1e-2 - 1, rel=1e-4)
    assert result["forward_errors"].shape == result["eps_grid"].shape


def test_gradient_check_explorer_redraws_when_precision_changes():
    explorer = GradientCheckExplorer()
    first = explorer.update(precision="float64")
    before = bytes(explorer.image.value)
    second = explorer.update(precision="float32")
    assert bytes(explorer.image.value) != before
    assert second["best_eps_central"] > first["best_eps_central"]
    assert "float32" in explorer.message.value


def test_explorers_have_readable_reprs():
    assert repr(GradientCheckExplorer(function="sin")).startswith("GradientCheckExplorer(function='sin'")
    assert "w=0.8" in repr(ChainRuleExplorer())
