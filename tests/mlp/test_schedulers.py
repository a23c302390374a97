"""mlp.schedulers: learning rates at given epochs match the closed forms, and the rule is updated."""

import math

import numpy as np
import pytest

from mlp.learning_rules import GradientDescentLearningRule, MomentumLearningRule
from mlp.schedulers import (
    ConstantLearningRateScheduler,
    CosineAnnealingWithWarmRestarts,
    ExponentialLearningRateScheduler,
    StepLearningRateScheduler,
)


def rates(scheduler, epochs):
    rule = GradientDescentLearningRule(learning_rate=1.0)
    return [scheduler.update_learning_rule(rule, epoch) for epoch in epochs]


def test_constant_scheduler_sets_the_same_rate_every_epoch():
    assert rates(ConstantLearningRateScheduler(0.05), [0, 1, 7, 100]) == [0.05] * 4


def test_exponential_scheduler_decays_by_a_factor_e_every_decay_param_epochs():
    got = rates(ExponentialLearningRateScheduler(init_learning_rate=0.1, decay_param=10), [0, 5, 10, 20])
    np.testing.assert_allclose(got, [0.1, 0.1 * math.exp(-0.5), 0.1 / math.e, 0.1 / math.e**2], rtol=1e-12)


def test_step_scheduler_multiplies_by_gamma_every_step_size_epochs():
    scheduler = StepLearningRateScheduler(init_learning_rate=1.0, step_size=3, gamma=0.5)
    np.testing.assert_allclose(rates(scheduler, range(8)), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25], rtol=1e-12)


def test_step_scheduler_default_gamma_is_one_tenth():
    np.testing.assert_allclose(rates(StepLearningRateScheduler(0.1, step_size=2), [0, 2, 4]), [0.1, 0.01, 0.001])


def test_cosine_annealing_follows_half_a_cosine_then_restarts():
    scheduler = CosineAnnealingWithWarmRestarts(min_learning_rate=0.0, max_learning_rate=1.0, total_iters_per_period=4)
    half_root_2 = math.sqrt(2) / 2
    expected = [1.0, (1 + half_root_2) / 2, 0.5, (1 - half_root_2) / 2]
    np.testing.assert_allclose(rates(scheduler, range(12)), expected * 3, rtol=1e-12, atol=1e-15)


def test_cosine_annealing_anneals_towards_the_minimum_rate():
    scheduler = CosineAnnealingWithWarmRestarts(min_learning_rate=0.1, max_learning_rate=1.0, total_iters_per_period=4)
    # halfway through a period: 0.1 + 0.9 * (1 + cos(pi / 2)) / 2 = 0.55
    np.testing.assert_allclose(rates(scheduler, [0, 2, 6]), [1.0, 0.55, 0.55], rtol=1e-12)
    assert min(rates(scheduler, range(40))) >= 0.1


def test_cosine_annealing_discounts_the_maximum_at_each_restart():
    scheduler = CosineAnnealingWithWarmRestarts(0.0, 1.0, total_iters_per_period=4,
                                                max_learning_rate_discount_factor=0.5)
    np.testing.assert_allclose(rates(scheduler, [0, 4, 6, 8, 10]), [1.0, 0.5, 0.25, 0.25, 0.125], rtol=1e-12)


def test_cosine_annealing_expands_the_periods():
    scheduler = CosineAnnealingWithWarmRestarts(0.0, 1.0, total_iters_per_period=4,
                                                period_iteration_expansion_factor=2.0)
    # periods: epochs 0-3 (length 4), 4-11 (length 8), 12-27 (length 16)
    got = rates(scheduler, [3, 4, 8, 11, 12, 20])
    expected = [(1 - math.sqrt(2) / 2) / 2, 1.0, 0.5, (1 + math.cos(math.pi * 7 / 8)) / 2, 1.0, 0.5]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_cosine_annealing_with_fractional_period_lengths():
    scheduler = CosineAnnealingWithWarmRestarts(0.0, 1.0, total_iters_per_period=2,
                                                period_iteration_expansion_factor=1.5)
    # periods start at epochs 0, 2, 5 (lengths 2, 3, 4.5); epoch 4 is 2/3 of the way through period 1
    np.testing.assert_allclose(rates(scheduler, [2, 4, 5]), [1.0, (1 + math.cos(2 * math.pi / 3)) / 2, 1.0],
                               rtol=1e-12)


@pytest.mark.parametrize(
    "scheduler",
    [ConstantLearningRateScheduler(0.3), ExponentialLearningRateScheduler(0.3, 2.0),
     StepLearningRateScheduler(0.3, 1), CosineAnnealingWithWarmRestarts(0.0, 0.3, 5)],
    ids=lambda scheduler: type(scheduler).__name__,
)
def test_update_sets_the_rules_learning_rate_and_the_next_step_uses_it(scheduler):
    rule = MomentumLearningRule(learning_rate=1.0, mom_coeff=0.0)
    param = np.array([1.0])
    rule.initialise([param])
    returned = scheduler.update_learning_rule(rule, 1)
    assert rule.learning_rate == returned
    assert returned < 1.0
    rule.update_params([np.array([1.0])])
    assert param[0] == pytest.approx(1.0 - returned)


def test_negative_or_non_integer_epochs_are_rejected():
    scheduler = ConstantLearningRateScheduler(0.1)
    rule = GradientDescentLearningRule()
    with pytest.raises(ValueError, match=r"ConstantLearningRateScheduler.*epoch_number"):
        scheduler.update_learning_rule(rule, -1)
    with pytest.raises(TypeError, match="epoch_number"):
        scheduler.update_learning_rule(rule, 1.5)


def test_objects_without_a_learning_rate_are_rejected():
    with pytest.raises(TypeError, match=r"StepLearningRateScheduler.*learning_rate attribute"):
        StepLearningRateScheduler(0.1, 2).update_learning_rule(object(), 0)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ConstantLearningRateScheduler(0.0), "learning_rate"),
        (lambda: ExponentialLearningRateScheduler(0.1, 0.0), "decay_param"),
        (lambda: ExponentialLearningRateScheduler(-0.1, 1.0), "init_learning_rate"),
        (lambda: StepLearningRateScheduler(0.1, 0), "step_size"),
        (lambda: StepLearningRateScheduler(0.1, 2, gamma=0.0), "gamma"),
        (lambda: CosineAnnealingWithWarmRestarts(0.5, 0.1, 10), "min_learning_rate <= max_learning_rate"),
        (lambda: CosineAnnealingWithWarmRestarts(-0.1, 0.1, 10), "min_learning_rate"),
        (lambda: CosineAnnealingWithWarmRestarts(0.0, 0.1, 0), "total_iters_per_period"),
        (lambda: CosineAnnealingWithWarmRestarts(0.0, 0.1, 10, max_learning_rate_discount_factor=1.5),
         "max_learning_rate_discount_factor"),
        (lambda: CosineAnnealingWithWarmRestarts(0.0, 0.1, 10, period_iteration_expansion_factor=0.5),
         "period_iteration_expansion_factor"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_reprs_show_the_constructor_arguments():
    assert repr(ConstantLearningRateScheduler(0.1)) == "ConstantLearningRateScheduler(learning_rate=0.1)"
    assert repr(StepLearningRateScheduler(0.1, 5)) == (
        "StepLearningRateScheduler(init_learning_rate=0.1, step_size=5, gamma=0.1)"
    )
    assert repr(ExponentialLearningRateScheduler(0.1, 10)) == (
        "ExponentialLearningRateScheduler(init_learning_rate=0.1, decay_param=10.0)"
    )
    assert repr(CosineAnnealingWithWarmRestarts(0.0, 0.1, 10)) == (
        "CosineAnnealingWithWarmRestarts(min_learning_rate=0.0, max_learning_rate=0.1, total_iters_per_period=10, "
        "max_learning_rate_discount_factor=1.0, period_iteration_expansion_factor=1.0)"
    )
