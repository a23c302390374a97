"""Tests of the lesson 02 explorers: 1-D descent with a step size, and 2-D optimiser paths."""

import ipywidgets
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.learning_rules import AdamLearningRule, GradientDescentLearningRule, MomentumLearningRule
from mlp.widgets.descent import (
    DIVERGENCE_THRESHOLD,
    FUNCTIONS_1D,
    RULES,
    SURFACES_2D,
    OptimiserPathExplorer,
    StepSizeExplorer,
    descent_iterates,
    make_learning_rule,
    optimiser_path,
)


def central_difference(function, x, eps=1e-5):
    return (function(x + eps) - function(x - eps)) / (2 * eps)


# The test functions ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FUNCTIONS_1D))
def test_1d_derivatives_match_finite_differences(name):
    function = FUNCTIONS_1D[name]
    points = np.linspace(*function.plot_range, 13)
    np.testing.assert_allclose(function.derivative(points), central_difference(function.value, points),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(function.second_derivative(points), central_difference(function.derivative, points),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(SURFACES_2D))
def test_2d_gradients_match_finite_differences(name):
    surface = SURFACES_2D[name]
    for point in [np.array([0.3, -0.7]), np.array([-1.2, 0.4]), np.array(surface.start)]:
        x0, y0 = point
        expected = [central_difference(lambda x, y0=y0: surface.value(x, y0), x0),
                    central_difference(lambda y, x0=x0: surface.value(x0, y), y0)]
        np.testing.assert_allclose(surface.gradient(point), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(SURFACES_2D))
def test_2d_minimum_has_zero_gradient(name):
    np.testing.assert_allclose(SURFACES_2D[name].gradient(np.array(SURFACES_2D[name].minimum)), 0.0, atol=1e-12)


# descent_iterates -----------------------------------------------------------------------------


def test_gradient_descent_iterates_by_hand():
    # f'(x) = 4x, eta = 0.1: x_{k+1} = 0.6 x_k
    iterates, diverged = descent_iterates(lambda x: 4.0 * x, 2.5, 0.1, 3)
    np.testing.assert_allclose(iterates, [2.5, 1.5, 0.9, 0.54])
    assert not diverged


@given(curvature=st.floats(0.1, 10.0), step_size=st.floats(0.001, 3.0), start=st.floats(-3.0, 3.0))
def test_on_a_quadratic_each_step_multiplies_by_one_minus_eta_times_curvature(curvature, step_size, start):
    iterates, _ = descent_iterates(lambda x: curvature * x, start, step_size, 8)
    expected = start * (1.0 - step_size * curvature) ** np.arange(len(iterates))
    np.testing.assert_allclose(iterates, expected, rtol=1e-9, atol=1e-12)


@given(curvature=st.floats(0.5, 5.0), factor=st.floats(0.05, 0.95))
def test_quadratic_converges_when_the_step_is_below_two_over_the_curvature(curvature, factor):
    iterates, diverged = descent_iterates(lambda x: curvature * x, 1.0, factor * 2.0 / curvature, 400)
    assert not diverged and abs(iterates[-1]) < abs(iterates[0])


def test_quadratic_diverges_when_the_step_is_too_large():
    iterates, diverged = descent_iterates(lambda x: 4.0 * x, 1.0, 0.6, 200)  # |1 - 0.6 * 4| = 1.4 > 1
    assert diverged
    assert abs(iterates[-1]) > DIVERGENCE_THRESHOLD
    assert len(iterates) < 201


def test_newton_solves_a_quadratic_in_one_step():
    iterates, _ = descent_iterates(lambda x: 4.0 * (x - 1.5), -2.0, 1.0, 3, second_derivative=lambda x: 4.0)
    np.testing.assert_allclose(iterates[1:], 1.5)


def test_newton_converges_quadratically_on_the_exponential():
    function = FUNCTIONS_1D["exponential"]
    iterates, _ = descent_iterates(function.derivative, 1.5, 1.0, 6, function.second_derivative)
    errors = np.abs(iterates - np.log(2.0))
    # quadratic convergence: e_{k+1} <= C e_k^2 with C = f'''/(2 f'') = 1/2 near the minimum
    assert errors[5] < 1e-12
    assert errors[3] <= errors[2] ** 2


def test_newton_overshoots_on_log_cosh_far_from_the_minimum():
    function = FUNCTIONS_1D["log cosh"]
    _, diverged = descent_iterates(function.derivative, 1.5, 1.0, 30, function.second_derivative)
    assert diverged


def test_descent_rejects_a_non_positive_step_size():
    with pytest.raises(ValueError, match="descent_iterates: expected step_size"):
        descent_iterates(np.tanh, 1.0, 0.0, 5)


# optimiser_path -----------------------------------------------------------------------------


@given(learning_rate=st.floats(0.001, 0.07))
def test_gradient_descent_path_on_the_valley_follows_the_closed_form(learning_rate):
    surface = SURFACES_2D["long valley"]
    path, _ = optimiser_path(surface.gradient, surface.start, GradientDescentLearningRule(learning_rate), 10)
    steps = np.arange(11)[:, None]
    expected = np.array(surface.start) * (1.0 - learning_rate * np.array([1.0, 25.0])) ** steps
    np.testing.assert_allclose(path, expected, rtol=1e-9, atol=1e-12)


def test_momentum_path_matches_the_velocity_recursion():
    surface = SURFACES_2D["banana"]
    path, _ = optimiser_path(surface.gradient, surface.start, MomentumLearningRule(0.01, 0.8), 5)
    point, velocity = np.array(surface.start), np.zeros(2)
    for step in range(1, 6):
        velocity = 0.8 * velocity - 0.01 * surface.gradient(point)
        point = point + velocity
        np.testing.assert_allclose(path[step], point)


def test_adam_first_step_has_the_size_of_the_learning_rate_in_every_coordinate():
    surface = SURFACES_2D["long valley"]
    path, _ = optimiser_path(surface.gradient, surface.start, AdamLearningRule(0.05), 1)
    np.testing.assert_allclose(path[1] - path[0], -0.05 * np.sign(surface.gradient(np.array(surface.start))),
                               rtol=1e-6)


def test_optimiser_path_flags_divergence():
    surface = SURFACES_2D["long valley"]
    path, diverged = optimiser_path(surface.gradient, surface.start, GradientDescentLearningRule(0.3), 100)
    assert diverged and np.max(np.abs(path[-1])) > DIVERGENCE_THRESHOLD


def test_optimiser_path_does_not_change_the_start():
    start = np.array([1.0, 1.0])
    optimiser_path(lambda point: point, start, GradientDescentLearningRule(0.1), 5)
    np.testing.assert_array_equal(start, [1.0, 1.0])


@pytest.mark.parametrize("rule, expected_class", [("gradient descent", GradientDescentLearningRule),
                                                  ("momentum", MomentumLearningRule), ("Adam", AdamLearningRule)])
def test_make_learning_rule_builds_the_named_rule(rule, expected_class):
    learning_rule = make_learning_rule(rule, 0.02, 0.5)
    assert type(learning_rule) is expected_class and learning_rule.learning_rate == 0.02


def test_make_learning_rule_rejects_an_unknown_rule():
    with pytest.raises(ValueError, match="make_learning_rule: expected rule in"):
        make_learning_rule("rmsprop", 0.1)


# StepSizeExplorer -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def step_size_explorer():
    return StepSizeExplorer()


def test_step_size_slider_is_logarithmic_and_spans_stable_and_unstable_steps(step_size_explorer):
    control = step_size_explorer.controls["step_size"]
    assert isinstance(control, ipywidgets.FloatLogSlider)
    assert 10**control.min <= 0.01 and 10**control.max >= 1.0  # the quadratic's limit 0.5 is inside
    assert tuple(step_size_explorer.controls["function"].options) == tuple(FUNCTIONS_1D)
    assert isinstance(step_size_explorer.widget, ipywidgets.Widget)


def test_step_size_explorer_returns_the_iterates_of_the_chosen_settings(step_size_explorer):
    result = step_size_explorer.update(function="quadratic", method="gradient descent", step_size=0.1, start=2.0,
                                       num_steps=5)
    np.testing.assert_allclose(result["iterates"], 2.0 * 0.6 ** np.arange(6))


def test_step_size_explorer_draws_the_iterates_on_the_curve(step_size_explorer):
    result = step_size_explorer.update(function="double well", method="gradient descent", step_size=0.05,
                                       start=-1.5, num_steps=10)
    path_line = [line for line in step_size_explorer.figure.axes[0].get_lines() if line.get_label() == "path"][0]
    np.testing.assert_allclose(path_line.get_xdata(), result["iterates"])
    np.testing.assert_allclose(path_line.get_ydata(), FUNCTIONS_1D["double well"].value(result["iterates"]))


def test_changing_the_step_size_changes_the_picture(step_size_explorer):
    step_size_explorer.update(function="quadratic", method="gradient descent", step_size=0.05, start=2.5,
                              num_steps=20)
    before = step_size_explorer.image.value
    step_size_explorer.controls["step_size"].value = 0.45  # what dragging the slider does
    assert step_size_explorer.image.value != before
    assert step_size_explorer.last_result["iterates"][1] == pytest.approx(2.5 * (1 - 0.45 * 4))


def test_step_size_explorer_reports_divergence(step_size_explorer):
    result = step_size_explorer.update(function="quadratic", method="gradient descent", step_size=1.5, start=2.5,
                                       num_steps=60)
    assert result["diverged"]
    assert "Diverged" in step_size_explorer.message.value


def test_newton_divergence_is_blamed_on_the_tiny_second_derivative_not_the_step_size(step_size_explorer):
    # log cosh: f''(x) = 1 / cosh(x)^2 is tiny at x = 1.5, so the classic Newton step (eta = 1) is huge.
    result = step_size_explorer.update(function="log cosh", method="Newton", step_size=1.0, start=1.5, num_steps=30)
    assert result["diverged"]
    message = step_size_explorer.message.value
    assert "Diverged" in message and "second derivative" in message and "tiny" in message and "huge" in message
    assert "step size is too large" not in message
    jumped_from = result["iterates"][-2]  # the iterate whose Newton step threw x out of range
    assert f"{FUNCTIONS_1D['log cosh'].second_derivative(jumped_from):.3g}" in message


def test_gradient_descent_divergence_is_blamed_on_the_step_size(step_size_explorer):
    step_size_explorer.update(function="quadratic", method="gradient descent", step_size=1.5, start=2.5, num_steps=60)
    assert "step size is too large" in step_size_explorer.message.value


def test_step_size_explorer_uses_newton_steps_when_asked(step_size_explorer):
    result = step_size_explorer.update(function="quadratic", method="Newton", step_size=1.0, start=2.5, num_steps=3)
    np.testing.assert_allclose(result["iterates"], [2.5, 0.0, 0.0, 0.0], atol=1e-12)


def test_step_size_explorer_rejects_unknown_choices():
    with pytest.raises(ValueError, match="StepSizeExplorer: expected function in"):
        StepSizeExplorer(function="cubic")
    with pytest.raises(ValueError, match="StepSizeExplorer: expected method in"):
        StepSizeExplorer(method="bisection")


# OptimiserPathExplorer ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def path_explorer():
    return OptimiserPathExplorer()


def test_path_explorer_has_rule_menu_and_sane_sliders(path_explorer):
    assert tuple(path_explorer.controls["rule"].options) == RULES
    assert path_explorer.controls["mom_coeff"].min == 0.0 and path_explorer.controls["mom_coeff"].max < 1.0
    assert isinstance(path_explorer.controls["learning_rate"], ipywidgets.FloatLogSlider)
    assert path_explorer.controls["num_steps"].min >= 1


def test_path_explorer_draws_the_path_of_the_chosen_rule(path_explorer):
    result = path_explorer.update(surface="long valley", rule="momentum", learning_rate=0.02, mom_coeff=0.5,
                                  num_steps=15)
    surface = SURFACES_2D["long valley"]
    expected, _ = optimiser_path(surface.gradient, surface.start, MomentumLearningRule(0.02, 0.5), 15)
    np.testing.assert_allclose(result["path"], expected)
    drawn = [line for line in path_explorer.figure.axes[0].get_lines() if line.get_label() == "momentum"][0]
    np.testing.assert_allclose(drawn.get_xydata(), expected)


def test_momentum_beats_plain_descent_in_the_long_valley(path_explorer):
    plain = path_explorer.update(surface="long valley", rule="gradient descent", learning_rate=0.01, num_steps=60)
    heavy_ball = path_explorer.update(surface="long valley", rule="momentum", learning_rate=0.01, mom_coeff=0.9,
                                      num_steps=60)
    assert heavy_ball["final_value"] < plain["final_value"]


def test_path_explorer_reports_divergence(path_explorer):
    result = path_explorer.update(surface="long valley", rule="gradient descent", learning_rate=0.5, num_steps=100)
    assert result["diverged"] and "Diverged" in path_explorer.message.value


def test_path_explorer_rejects_unknown_choices():
    with pytest.raises(ValueError, match="OptimiserPathExplorer: expected surface in"):
        OptimiserPathExplorer(surface="saddle")
    with pytest.raises(ValueError, match="OptimiserPathExplorer: expected rule in"):
        OptimiserPathExplorer(rule="lbfgs")


def test_explorer_reprs_show_their_settings():
    assert repr(StepSizeExplorer(step_size=0.2)).startswith("StepSizeExplorer(function='quadratic'")
    assert "rule='Adam'" in repr(OptimiserPathExplorer(rule="Adam"))
