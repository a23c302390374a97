"""mlp.learning_rules: updates match hand computations, happen in place, reset, keep dtype and converge."""

import copy
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp.learning_rules import (
    AdaGradLearningRule,
    AdamLearningRule,
    AdamWLearningRule,
    GradientDescentLearningRule,
    MomentumLearningRule,
    NesterovMomentumLearningRule,
    RMSPropLearningRule,
)


def all_rules():
    """One rule of each kind, with a learning rate at which it minimises the quadratic below."""
    return [
        GradientDescentLearningRule(learning_rate=0.1),
        MomentumLearningRule(learning_rate=0.01, mom_coeff=0.9),
        NesterovMomentumLearningRule(learning_rate=0.01, mom_coeff=0.9),
        AdaGradLearningRule(learning_rate=0.5),
        RMSPropLearningRule(learning_rate=0.01),
        AdamLearningRule(learning_rate=0.05),
        AdamWLearningRule(learning_rate=0.05, weight_decay=0.01),
    ]


def rule_id(rule):
    return type(rule).__name__


def run(rule, initial_values, grads_per_step):
    """Initialise ``rule`` with copies of ``initial_values``, apply the gradients, return the params."""
    params = [np.array(value, dtype=float) for value in initial_values]
    rule.initialise(params)
    for grads in grads_per_step:
        rule.update_params([np.array(grad, dtype=float) for grad in grads])
    return params


# Updates against hand computations ------------------------------------------------------------------


def test_gradient_descent_steps_against_the_gradient():
    # p <- p - 0.1 g: [1, -2] - 0.1 [0.5, 0.5] = [0.95, -2.05]; then - 0.1 [-1, 2] = [1.05, -2.25]
    (param,) = run(GradientDescentLearningRule(0.1), [[1.0, -2.0]], [[[0.5, 0.5]], [[-1.0, 2.0]]])
    np.testing.assert_allclose(param, [1.05, -2.25], rtol=1e-12)


def test_momentum_accumulates_a_velocity():
    rule = MomentumLearningRule(learning_rate=0.1, mom_coeff=0.9)
    # v1 = -0.1, p1 = 0.9; v2 = -0.09 - 0.1 = -0.19, p2 = 0.71; v3 = -0.171 + 0.1 = -0.071, p3 = 0.639
    expected = [0.9, 0.71, 0.639]
    param = np.array([1.0])
    rule.initialise([param])
    for grad, value in zip([1.0, 1.0, -1.0], expected, strict=True):
        rule.update_params([np.array([grad])])
        assert param[0] == pytest.approx(value, rel=1e-12)


def test_nesterov_momentum_uses_the_gradient_plus_the_look_ahead_momentum():
    rule = NesterovMomentumLearningRule(learning_rate=0.1, mom_coeff=0.9)
    # b1 = 1,   p1 = 1 - 0.1 (1 + 0.9)            = 0.81
    # b2 = 1.9, p2 = 0.81 - 0.1 (1 + 0.9 * 1.9)   = 0.539
    # b3 = 0.71, p3 = 0.539 - 0.1 (-1 + 0.9 * 0.71) = 0.5751
    expected = [0.81, 0.539, 0.5751]
    param = np.array([1.0])
    rule.initialise([param])
    for grad, value in zip([1.0, 1.0, -1.0], expected, strict=True):
        rule.update_params([np.array([grad])])
        assert param[0] == pytest.approx(value, rel=1e-12)


def test_nesterov_parameters_are_the_look_ahead_points_of_sutskevers_formulation():
    # Sutskever et al. (2013): v <- mu v - lr grad(theta + mu v); theta <- theta + v.
    # The rule's parameters should be theta + mu v, the points where gradients are taken.
    curvature = np.array([1.0, 5.0, 0.3])
    learning_rate, mom_coeff = 0.05, 0.8
    theta, velocity = np.array([1.0, -2.0, 3.0]), np.zeros(3)
    param = theta.copy()
    rule = NesterovMomentumLearningRule(learning_rate, mom_coeff)
    rule.initialise([param])
    for _ in range(6):
        rule.update_params([curvature * param])
        velocity = mom_coeff * velocity - learning_rate * curvature * (theta + mom_coeff * velocity)
        theta = theta + velocity
        np.testing.assert_allclose(param, theta + mom_coeff * velocity, rtol=1e-12)


def test_adagrad_divides_by_the_root_of_the_summed_squared_gradients():
    (param,) = run(AdaGradLearningRule(learning_rate=0.1), [[1.0]], [[[2.0]], [[1.0]]])
    # s1 = 4: p1 = 1 - 0.1 * 2 / 2 = 0.9; s2 = 5: p2 = 0.9 - 0.1 / sqrt(5)
    assert param[0] == pytest.approx(0.9 - 0.1 / math.sqrt(5), rel=1e-7)


def test_rmsprop_divides_by_the_root_of_a_moving_average_of_squared_gradients():
    (param,) = run(RMSPropLearningRule(learning_rate=0.01, beta=0.9), [[1.0]], [[[2.0]], [[1.0]]])
    # s1 = 0.1 * 4 = 0.4; s2 = 0.9 * 0.4 + 0.1 * 1 = 0.46
    expected = 1.0 - 0.01 * 2 / math.sqrt(0.4) - 0.01 * 1 / math.sqrt(0.46)
    assert param[0] == pytest.approx(expected, rel=1e-7)


@given(
    arrays(np.float64, 5, elements=st.floats(-10, 10)),
    arrays(np.float64, 5, elements=st.floats(1e-3, 1e3)),
    arrays(np.bool_, 5),
    st.floats(1e-4, 1.0),
)
def test_adam_first_step_is_minus_learning_rate_times_sign_of_gradient(start, magnitudes, negative, learning_rate):
    grad = np.where(negative, -magnitudes, magnitudes)
    (param,) = run(AdamLearningRule(learning_rate=learning_rate), [start], [[grad]])
    # m_hat = g and v_hat = g^2 after bias correction, so the step is -lr g / (|g| + eps)
    np.testing.assert_allclose(param - start, -learning_rate * np.sign(grad), rtol=1e-4, atol=1e-12)


def test_adam_second_step_uses_bias_corrected_moments():
    rule = AdamLearningRule(learning_rate=0.1, beta_1=0.9, beta_2=0.999)
    (param,) = run(rule, [[0.0]], [[[1.0]], [[-1.0]]])
    # m2 = 0.9 * 0.1 - 0.1 = -0.01, m_hat = -0.01 / (1 - 0.81) = -1/19
    # v2 = 0.999 * 0.001 + 0.001 = 0.001999 = 1 - 0.999^2, so v_hat = 1
    assert param[0] == pytest.approx(-0.1 + 0.1 / 19, rel=1e-6)


def test_adamw_decays_the_parameter_before_the_adam_step():
    rule = AdamWLearningRule(learning_rate=0.1, weight_decay=0.1)
    param = np.array([2.0])
    rule.initialise([param])
    rule.update_params([np.array([1.0])])
    # decay: 2 (1 - 0.1 * 0.1) = 1.98; Adam step: -0.1
    assert param[0] == pytest.approx(1.88, rel=1e-7)
    rule.update_params([np.array([1.0])])
    # decay: 1.88 * 0.99 = 1.8612; Adam step with m_hat = 0.19 / 0.19 = 1 and v_hat = 1: -0.1
    assert param[0] == pytest.approx(1.7612, rel=1e-7)


def test_adamw_without_weight_decay_is_adam():
    grads = [[np.array([0.3, -2.0])], [np.array([1.0, 0.5])], [np.array([-0.2, 0.1])]]
    adam = run(AdamLearningRule(learning_rate=0.01), [[1.0, 2.0]], grads)
    adamw = run(AdamWLearningRule(learning_rate=0.01, weight_decay=0.0), [[1.0, 2.0]], grads)
    np.testing.assert_allclose(adamw[0], adam[0], rtol=1e-14)


def test_changing_learning_rate_changes_the_next_step():
    rule = GradientDescentLearningRule(learning_rate=0.1)
    param = np.array([1.0])
    rule.initialise([param])
    rule.learning_rate = 0.5
    rule.update_params([np.array([1.0])])
    assert param[0] == pytest.approx(0.5)


# In place, reset, dtype ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", all_rules(), ids=rule_id)
def test_updates_the_same_arrays_in_place(rule):
    weights, biases = np.ones((2, 3)), np.zeros(2)
    params = [weights, biases]
    rule.initialise(params)
    rule.update_params([np.full((2, 3), 0.5), np.full(2, -0.5)])
    assert rule.params[0] is weights and rule.params[1] is biases
    assert params[0] is weights and params[1] is biases
    assert np.all(weights < 1.0) and np.all(biases > 0.0)


@pytest.mark.parametrize("rule", all_rules(), ids=rule_id)
def test_reset_makes_the_rule_behave_as_if_new(rule):
    grads = [[np.array([0.5, -1.0])], [np.array([0.2, 0.3])], [np.array([-1.0, 2.0])]]
    fresh = run(copy.deepcopy(rule), [[1.0, -1.0]], grads)[0]
    param = np.array([1.0, -1.0])
    rule.initialise([param])
    for grad in grads:
        rule.update_params(grad)
    rule.reset()
    param[...] = [1.0, -1.0]
    for grad in grads:
        rule.update_params(grad)
    np.testing.assert_allclose(param, fresh, rtol=1e-14)


def test_reset_before_initialise_is_harmless():
    rule = AdamLearningRule()
    rule.reset()
    assert rule.step_count == 0


@pytest.mark.parametrize("rule", all_rules(), ids=rule_id)
def test_float32_params_and_state_stay_float32(rule):
    twin = copy.deepcopy(rule)
    param32 = np.array([[1.0, -2.0, 0.5]], dtype=np.float32)
    rule.initialise([param32])
    grads = [np.array([[0.3, -0.1, 0.7]]), np.array([[0.2, 0.4, -0.5]])]  # float64 gradients
    for grad in grads:
        rule.update_params([grad])
    assert param32.dtype == np.float32
    assert rule.params[0] is param32
    for name in rule.state_names:
        assert all(state.dtype == np.float32 for state in getattr(rule, name))
    param64 = run(twin, [[[1.0, -2.0, 0.5]]], [[grad] for grad in grads])[0]
    np.testing.assert_allclose(param32, param64, rtol=1e-5)


# Convergence ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", all_rules(), ids=rule_id)
def test_minimises_an_ill_conditioned_quadratic(rule):
    # f(x) = 0.5 (x_1^2 + 10 x_2^2), minimum at 0, gradient (x_1, 10 x_2)
    curvature = np.array([1.0, 10.0])
    x = np.array([1.0, 1.0])
    rule.initialise([x])
    for _ in range(300):
        rule.update_params([curvature * x])
    # RMSProp's steps stay about learning_rate long, so it hovers within about half a step of 0
    tolerance = rule.learning_rate if isinstance(rule, RMSPropLearningRule) else 1e-3
    assert np.max(np.abs(x)) < tolerance


# Bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", all_rules(), ids=rule_id)
def test_update_before_initialise_says_to_initialise(rule):
    with pytest.raises(RuntimeError, match=rf"{type(rule).__name__}.*initialise\(params\)"):
        rule.update_params([np.zeros(2)])


def test_wrong_number_of_gradients_is_rejected():
    rule = MomentumLearningRule()
    rule.initialise([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match=r"MomentumLearningRule.*expected 2 gradients.*got 1"):
        rule.update_params([np.zeros((2, 3))])


def test_gradient_of_the_wrong_shape_is_rejected():
    rule = AdamLearningRule()
    rule.initialise([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match=r"AdamLearningRule.*grads_wrt_params\[1\] of shape \(2,\).*\(3,\)"):
        rule.update_params([np.zeros((2, 3)), np.zeros(3)])


def test_a_single_array_instead_of_a_list_of_gradients_is_rejected():
    rule = GradientDescentLearningRule()
    rule.initialise([np.zeros(2)])
    with pytest.raises(TypeError, match="list of 1 arrays"):
        rule.update_params(np.zeros(2))


@pytest.mark.parametrize("bad_param", [[1.0, 2.0], np.array([1, 2])], ids=["list", "int array"])
def test_params_that_cannot_be_updated_in_place_are_rejected(bad_param):
    with pytest.raises(TypeError, match=r"RMSPropLearningRule.*params\[1\].*float32 or float64"):
        RMSPropLearningRule().initialise([np.zeros(2), bad_param])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: GradientDescentLearningRule(learning_rate=0.0), "learning_rate"),
        (lambda: GradientDescentLearningRule(learning_rate=-0.1), "learning_rate"),
        (lambda: MomentumLearningRule(mom_coeff=1.0), "mom_coeff"),
        (lambda: NesterovMomentumLearningRule(mom_coeff=-0.1), "mom_coeff"),
        (lambda: AdaGradLearningRule(epsilon=0.0), "epsilon"),
        (lambda: RMSPropLearningRule(beta=1.5), "beta"),
        (lambda: AdamLearningRule(beta_1=1.0), "beta_1"),
        (lambda: AdamLearningRule(beta_2=-0.5), "beta_2"),
        (lambda: AdamWLearningRule(weight_decay=-1e-2), "weight_decay"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_a_negative_learning_rate_cannot_be_set_later():
    rule = GradientDescentLearningRule()
    with pytest.raises(ValueError, match="learning_rate"):
        rule.learning_rate = -1.0


def test_reprs_show_the_constructor_arguments():
    assert repr(GradientDescentLearningRule(0.1)) == "GradientDescentLearningRule(learning_rate=0.1)"
    assert repr(MomentumLearningRule(0.1, 0.5)) == "MomentumLearningRule(learning_rate=0.1, mom_coeff=0.5)"
    assert repr(AdamWLearningRule()) == (
        "AdamWLearningRule(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-08, weight_decay=0.01)"
    )
    assert repr(RMSPropLearningRule()) == "RMSPropLearningRule(learning_rate=0.001, beta=0.9, epsilon=1e-08)"


# Against PyTorch (an extra, independent reference; skipped only when torch is not installed) ----------


def _torch_optimiser(rule, torch_params):
    torch = pytest.importorskip("torch")
    optim = torch.optim
    if isinstance(rule, GradientDescentLearningRule):
        return optim.SGD(torch_params, lr=rule.learning_rate)
    if isinstance(rule, NesterovMomentumLearningRule):
        return optim.SGD(torch_params, lr=rule.learning_rate, momentum=rule.mom_coeff, nesterov=True)
    if isinstance(rule, MomentumLearningRule):
        return optim.SGD(torch_params, lr=rule.learning_rate, momentum=rule.mom_coeff)
    if isinstance(rule, AdaGradLearningRule):
        return optim.Adagrad(torch_params, lr=rule.learning_rate, eps=rule.epsilon)
    if isinstance(rule, RMSPropLearningRule):
        return optim.RMSprop(torch_params, lr=rule.learning_rate, alpha=rule.beta, eps=rule.epsilon)
    if isinstance(rule, AdamWLearningRule):
        return optim.AdamW(torch_params, lr=rule.learning_rate, betas=(rule.beta_1, rule.beta_2), eps=rule.epsilon,
                           weight_decay=rule.weight_decay)
    return optim.Adam(torch_params, lr=rule.learning_rate, betas=(rule.beta_1, rule.beta_2), eps=rule.epsilon)


@pytest.mark.parametrize("rule", all_rules(), ids=rule_id)
def test_matches_torch_optim_over_several_steps(rule):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    torch_params = [torch.tensor(param.copy(), dtype=torch.float64, requires_grad=True) for param in params]
    optimiser = _torch_optimiser(rule, torch_params)
    rule.initialise(params)
    for _ in range(5):
        grads = [rng.standard_normal(param.shape) for param in params]
        rule.update_params(grads)
        for torch_param, grad in zip(torch_params, grads, strict=True):
            torch_param.grad = torch.tensor(grad, dtype=torch.float64)
        optimiser.step()
    for param, torch_param in zip(params, torch_params, strict=True):
        np.testing.assert_allclose(param, torch_param.detach().numpy(), rtol=1e-10, atol=1e-12)
