"""The claims of lesson 06's figures and text, computed with ``mlp`` directly (fixed seeds, not the notebook).

Each test recomputes one statement the lesson makes about its figures with the reference package and the
notebook's settings, so that a change to ``mlp`` or to the settings that breaks a claim is noticed here.
"""

from __future__ import annotations

import numpy as np
import pytest

from mlp.data_providers import DigitsDataProvider, OneOfKDataProvider
from mlp.errors import CrossEntropySoftmaxError
from mlp.initialisers import ConstantInit, GlorotUniformInit, HeNormalInit
from mlp.layers import AffineLayer, ReluLayer
from mlp.learning_rules import AdamLearningRule, GradientDescentLearningRule
from mlp.metrics import accuracy
from mlp.models import MultipleLayerModel
from mlp.optimisers import Optimiser
from mlp.penalties import L1Penalty, L2Penalty
from mlp.widgets.generalisation import train_small_network

SEED = 60_606  # the notebook's seed
FULL_TRAIN = DigitsDataProvider("train", shuffle_order=False)
VALID = DigitsDataProvider("valid", shuffle_order=False)


def first_training_examples(num_train, batch_size=25, seed=SEED):
    return OneOfKDataProvider(FULL_TRAIN.inputs[:num_train], FULL_TRAIN.targets[:num_train], batch_size=batch_size,
                              rng=seed, num_classes=10)


def small_network(hidden_dim, rng, penalty=None):
    return MultipleLayerModel([
        AffineLayer(64, hidden_dim, HeNormalInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty),
        ReluLayer(),
        AffineLayer(hidden_dim, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty),
    ])


def error_and_accuracy(model, data):
    outputs = model.fprop(data.inputs, evaluation=True)[-1]
    return CrossEntropySoftmaxError()(outputs, data.one_of_k_targets), accuracy(outputs, data.one_of_k_targets)


def train_final_recipe(model, seed=SEED):
    """Section 8's recipe: 300 digits, batches of 25, Adam 3e-3, 40 epochs; returns (gap, valid accuracy)."""
    train = first_training_examples(300, seed=seed)
    rule = AdamLearningRule(learning_rate=3e-3)
    rule.initialise(model.params)
    error = CrossEntropySoftmaxError()
    for _ in range(40):
        for inputs, targets in train:
            activations = model.fprop(inputs)
            rule.update_params(model.grads_wrt_params(activations, error.grad(activations[-1], targets)))
    train_error, _ = error_and_accuracy(model, train)
    valid_error, valid_accuracy = error_and_accuracy(model, VALID)
    return valid_error - train_error, valid_accuracy


def test_the_initial_loss_is_near_ln_10():
    error, _ = error_and_accuracy(small_network(100, np.random.default_rng(SEED)), FULL_TRAIN)
    assert abs(error - np.log(10)) < 0.5


def test_a_network_overfits_twenty_examples():
    model = small_network(100, np.random.default_rng(SEED))
    tiny = first_training_examples(20, batch_size=20)
    optimiser = Optimiser(model, CrossEntropySoftmaxError(), AdamLearningRule(learning_rate=1e-2), tiny, progress=False)
    optimiser.train(100, stats_interval=100)
    error, tiny_accuracy = error_and_accuracy(model, tiny)
    assert tiny_accuracy == 1.0 and error < 0.01


def test_more_training_data_closes_the_gap():
    gaps = []
    for num_train in (50, 1079):
        curves = train_small_network(num_train=num_train, num_epochs=12, seed=SEED)
        gaps.append(curves["error(valid)"][-1] - curves["error(train)"][-1])
    assert gaps[1] < 0.5 * gaps[0]


@pytest.mark.parametrize("settings", [{"l2_coefficient": 1e-2}, {"incl_prob": 0.5}], ids=["L2", "dropout"])
def test_the_explorer_regularised_gap_is_smaller_than_the_plain_one(settings):
    plain = train_small_network(num_epochs=15, seed=SEED)
    regularised = train_small_network(num_epochs=15, seed=SEED, **settings)
    gap = regularised["error(valid)"][-1] - regularised["error(train)"][-1]
    assert gap < plain["error(valid)"][-1] - plain["error(train)"][-1]


def test_l2_shrinks_the_weights_and_closes_the_gap_in_section_3():
    results = {}
    for name, penalty in [("plain", None), ("l2", L2Penalty(0.01))]:
        model = small_network(100, np.random.default_rng(SEED), penalty)
        train = first_training_examples(300)
        rule = AdamLearningRule(learning_rate=3e-3)
        rule.initialise(model.params)
        error = CrossEntropySoftmaxError()
        for _ in range(20):
            for inputs, targets in train:
                activations = model.fprop(inputs)
                rule.update_params(model.grads_wrt_params(activations, error.grad(activations[-1], targets)))
        train_error, _ = error_and_accuracy(model, train)
        valid_error, _ = error_and_accuracy(model, VALID)
        results[name] = (np.linalg.norm(model.layers[0].weights), valid_error - train_error)
    assert results["l2"][0] < 0.6 * results["plain"][0]
    assert results["l2"][1] < results["plain"][1]


def test_l1_zeroes_more_weights_than_l2():
    small_weights = {}
    for name, penalty in [("l1", L1Penalty(1e-3)), ("l2", L2Penalty(3e-3))]:
        model = small_network(200, np.random.default_rng(SEED), penalty)
        train_final_recipe(model)
        small_weights[name] = np.mean(np.abs(model.layers[0].weights) < 1e-2)
    assert small_weights["l1"] > small_weights["l2"]


def test_early_stopping_restores_the_best_validation_error():
    model = small_network(256, np.random.default_rng(SEED))
    optimiser = Optimiser(model, CrossEntropySoftmaxError(), GradientDescentLearningRule(learning_rate=0.5),
                          first_training_examples(150), VALID, progress=False, early_stopping_patience=5)
    stats, keys, _ = optimiser.train(60, stats_interval=1)
    valid_errors = stats[:, keys["error(valid)"]]
    assert 0 < optimiser.best_epoch < optimiser.stopped_epoch  # it stopped early, after improving
    assert valid_errors[optimiser.best_epoch] == valid_errors.min()
    assert error_and_accuracy(model, VALID)[0] == pytest.approx(valid_errors.min(), rel=1e-12)


def test_the_final_exercise_bars_separate_plain_from_regularised():
    plain_gap, _ = train_final_recipe(small_network(200, np.random.default_rng(SEED)))
    l2_gap, l2_accuracy = train_final_recipe(small_network(200, np.random.default_rng(SEED), L2Penalty(3e-3)))
    assert plain_gap > 0.35 + 0.03
    assert l2_gap < 0.35 - 0.02 and l2_accuracy >= 0.87 + 0.005


def test_adam_and_momentum_beat_gradient_descent_in_section_7():
    from mlp.learning_rules import MomentumLearningRule

    final_errors = {}
    for name, rule in [("gd", GradientDescentLearningRule(learning_rate=0.1)),
                       ("momentum", MomentumLearningRule(learning_rate=0.02, mom_coeff=0.9)),
                       ("adam", AdamLearningRule(learning_rate=5e-3))]:
        optimiser = Optimiser(small_network(100, np.random.default_rng(SEED)), CrossEntropySoftmaxError(), rule,
                              DigitsDataProvider("train", batch_size=50, rng=SEED), VALID, progress=False)
        stats, keys, _ = optimiser.train(10, stats_interval=10)
        final_errors[name] = stats[-1, keys["error(train)"]]
    assert final_errors["adam"] < final_errors["momentum"] < final_errors["gd"]
