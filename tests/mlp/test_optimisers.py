"""The training loop: statistics, schedules, early stopping, divergence, progress bar."""

import numpy as np
import pytest

from mlp.data_providers import DataProvider, OneOfKDataProvider
from mlp.errors import CrossEntropySoftmaxError
from mlp.initialisers import ConstantInit
from mlp.layers import AffineLayer, BatchNormalizationLayer
from mlp.learning_rules import AdamLearningRule, GradientDescentLearningRule
from mlp.models import MultipleLayerModel, SingleLayerModel
from mlp.optimisers import Optimiser, TrainingDivergedError, accuracy


class HalfMeanSquaredError:
    """E = 1/(2N) sum_n |y_n - t_n|^2, written here so that expected values are independent."""

    def __call__(self, outputs, targets):
        return 0.5 * np.mean(np.sum((outputs - targets) ** 2, axis=1))

    def grad(self, outputs, targets):
        return (outputs - targets) / outputs.shape[0]

    def __repr__(self):
        return "HalfMeanSquaredError()"


class PlainGradientDescent:
    """p <- p - learning_rate * grad, written here so that expected values are independent."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.initialised_with = None

    def initialise(self, params):
        self.params = params
        self.initialised_with = list(params)

    def reset(self):
        pass

    def update_params(self, grads_wrt_params):
        for param, grad in zip(self.params, grads_wrt_params, strict=True):
            param -= self.learning_rate * grad


class RecordingScheduler:
    """Records each call and sets the learning rate to ``rates[epoch_number]``."""

    def __init__(self, rates):
        self.rates = rates
        self.calls = []

    def update_learning_rule(self, learning_rule, epoch_number):
        self.calls.append(epoch_number)
        learning_rule.learning_rate = self.rates[epoch_number]


def linear_model(input_dim=2, output_dim=1):
    return SingleLayerModel(AffineLayer(input_dim, output_dim, ConstantInit(0.0), ConstantInit(0.0)))


def regression_data(num_examples, slope, seed=0):
    """Inputs x in R^2 and targets slope * (x1 + x2) (one output)."""
    inputs = np.random.default_rng(seed).uniform(-1, 1, size=(num_examples, 2))
    return inputs, slope * inputs.sum(axis=1, keepdims=True)


def classification_data(num_examples=40, seed=0):
    """Two well separated blobs with integer labels."""
    rng = np.random.default_rng(seed)
    labels = np.arange(num_examples) % 2
    inputs = rng.normal(size=(num_examples, 2)) * 0.3 + np.where(labels[:, None] == 1, 1.5, -1.5)
    return inputs, labels


def quiet(*args, **kwargs):
    return Optimiser(*args, progress=False, **kwargs)


# Statistics ----------------------------------------------------------------------------------------


def test_stats_have_a_row_per_evaluation_and_a_column_per_statistic():
    inputs, labels = classification_data()
    train = OneOfKDataProvider(inputs[:30], labels[:30], 10, rng=0)
    valid = OneOfKDataProvider(inputs[30:], labels[30:], 10, rng=0)
    model = linear_model(2, 2)
    optimiser = quiet(model, CrossEntropySoftmaxError(), AdamLearningRule(0.01), train, valid,
                      data_monitors={"acc": accuracy})
    stats, keys, run_time = optimiser.train(num_epochs=10, stats_interval=5)
    assert stats.shape == (3, 4)  # epochs 0, 5, 10
    assert keys == {"error(train)": 0, "acc(train)": 1, "error(valid)": 2, "acc(valid)": 3}
    assert run_time >= 0


def test_stats_without_validation_data_only_cover_training():
    model = linear_model()
    optimiser = quiet(model, HalfMeanSquaredError(), PlainGradientDescent(0.1),
                      DataProvider(*regression_data(8, 1.0), 4, rng=0))
    stats, keys, _ = optimiser.train(num_epochs=3, stats_interval=1)
    assert keys == {"error(train)": 0}
    assert stats.shape == (4, 1)


def test_first_row_is_the_untrained_model_averaged_over_examples_not_batches():
    inputs, targets = regression_data(10, 2.0)
    model = linear_model()
    model.params = [np.array([[0.3, -0.2]]), np.array([0.1])]
    outputs = inputs @ np.array([0.3, -0.2]) + 0.1
    expected = 0.5 * np.mean((outputs - targets[:, 0]) ** 2)
    # batches of 4, 4 and 2: a plain mean of batch errors would weight the last two examples double
    optimiser = quiet(model, HalfMeanSquaredError(), PlainGradientDescent(0.0),
                      DataProvider(inputs, targets, 4, rng=0))
    stats, keys, _ = optimiser.train(num_epochs=1, stats_interval=1)
    assert stats[0, keys["error(train)"]] == pytest.approx(expected, rel=1e-12)


def test_one_epoch_of_full_batch_descent_is_one_gradient_step():
    inputs, targets = regression_data(6, 1.0)
    model = linear_model()
    learning_rate = 0.3
    optimiser = quiet(model, HalfMeanSquaredError(), PlainGradientDescent(learning_rate),
                      DataProvider(inputs, targets, 6, rng=0))
    optimiser.train(num_epochs=1, stats_interval=1)
    # from zero parameters the residuals are -targets: dE/dw = -X^T t / N, dE/db = -mean(t)
    expected_weights = learning_rate * (inputs.T @ targets).T / 6
    expected_bias = learning_rate * targets.mean(axis=0)
    weights, biases = model.params
    np.testing.assert_allclose(weights, expected_weights, rtol=1e-12)
    np.testing.assert_allclose(biases, expected_bias, rtol=1e-12)


def test_training_reduces_the_error():
    model = linear_model()
    optimiser = quiet(model, HalfMeanSquaredError(), GradientDescentLearningRule(0.5),
                      DataProvider(*regression_data(20, 1.5), 5, rng=0))
    stats, keys, _ = optimiser.train(num_epochs=30, stats_interval=10)
    errors = stats[:, keys["error(train)"]]
    assert np.all(np.diff(errors) < 0)
    assert errors[-1] < 1e-3 * errors[0]


def test_classic_positional_call_runs():
    inputs, labels = classification_data()
    train = OneOfKDataProvider(inputs, labels, 10, rng=1)
    valid = OneOfKDataProvider(inputs, labels, 10, rng=2)
    stats, keys, _ = Optimiser(linear_model(2, 2), CrossEntropySoftmaxError(),
                               GradientDescentLearningRule(0.1), train, valid, {"acc": accuracy},
                               progress=False).train(num_epochs=20, stats_interval=10)
    assert stats[-1, keys["acc(valid)"]] == 1.0


def test_the_learning_rule_is_initialised_with_the_models_own_parameter_arrays():
    model = linear_model()
    rule = PlainGradientDescent(0.1)
    quiet(model, HalfMeanSquaredError(), rule, DataProvider(*regression_data(4, 1.0), 2))
    assert all(given is own for given, own in zip(rule.initialised_with, model.params, strict=True))


def test_error_is_a_reserved_monitor_name():
    with pytest.raises(ValueError, match="'error' is reserved"):
        quiet(linear_model(), HalfMeanSquaredError(), PlainGradientDescent(0.1),
              DataProvider(*regression_data(4, 1.0), 2), data_monitors={"error": accuracy})


def test_training_is_reproducible():
    def run():
        inputs, labels = classification_data()
        model = linear_model(2, 2)
        train = OneOfKDataProvider(inputs, labels, 7, rng=3)
        return quiet(model, CrossEntropySoftmaxError(), AdamLearningRule(0.05), train,
                     data_monitors={"acc": accuracy}).train(4, 2)[0], model.params

    (stats_a, params_a), (stats_b, params_b) = run(), run()
    np.testing.assert_array_equal(stats_a, stats_b)
    for a, b in zip(params_a, params_b, strict=True):
        np.testing.assert_array_equal(a, b)


# Schedulers ---------------------------------------------------------------------------------------


def test_schedulers_are_called_at_the_start_of_every_epoch_with_its_number():
    scheduler = RecordingScheduler(rates=[0.1] * 7)
    optimiser = quiet(linear_model(), HalfMeanSquaredError(), PlainGradientDescent(0.1),
                      DataProvider(*regression_data(8, 1.0), 4, rng=0), schedulers=[scheduler])
    optimiser.train(num_epochs=7, stats_interval=3)
    assert scheduler.calls == [0, 1, 2, 3, 4, 5, 6]


def test_the_learning_rate_a_scheduler_sets_is_the_one_used():
    data = regression_data(8, 1.0)

    def train(rates, num_epochs):
        model = linear_model()
        quiet(model, HalfMeanSquaredError(), PlainGradientDescent(0.1), DataProvider(*data, 4, rng=0),
              schedulers=[RecordingScheduler(rates)]).train(num_epochs, stats_interval=1)
        return model.params

    # a zero learning rate from epoch 2 on freezes the parameters reached after two epochs
    after_two = train([0.2, 0.2], 2)
    frozen = train([0.2, 0.2, 0.0, 0.0, 0.0], 5)
    for a, b in zip(after_two, frozen, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(train([0.2] * 5, 5)[0], after_two[0])


# Early stopping -----------------------------------------------------------------------------------


def early_stopping_setup(patience=2, restore_best=True, monitor="error(valid)"):
    """Training pulls the slope towards 1; validation targets have slope 0.5.

    From zero parameters the validation error falls, then rises once the slope passes 0.5.
    """
    train = DataProvider(*regression_data(16, 1.0, seed=0), 16, rng=0)
    valid = DataProvider(*regression_data(16, 0.5, seed=1), 16, rng=0)
    model = linear_model()
    optimiser = quiet(model, HalfMeanSquaredError(), PlainGradientDescent(0.2), train, valid,
                      early_stopping_patience=patience, restore_best=restore_best, monitor=monitor)
    return model, optimiser


def test_early_stopping_stops_after_patience_evaluations_without_improvement():
    model, optimiser = early_stopping_setup(patience=2)
    stats, keys, _ = optimiser.train(num_epochs=200, stats_interval=1)
    valid_errors = stats[:, keys["error(valid)"]]
    best = int(np.argmin(valid_errors))
    assert 0 < best < len(valid_errors) - 1
    assert len(valid_errors) == best + 2 + 1  # the best row, then two rows without improvement
    assert optimiser.best_epoch == best
    assert optimiser.stopped_epoch == best + 2


def test_early_stopping_restores_the_best_parameters_into_the_same_arrays():
    model, optimiser = early_stopping_setup(patience=3)
    arrays = model.params
    optimiser.train(num_epochs=200, stats_interval=1)
    best_epoch = optimiser.best_epoch
    # an independent run stopped at the best epoch reaches the same parameters
    reference_model, reference = early_stopping_setup(patience=None)
    reference.train(num_epochs=best_epoch, stats_interval=1)
    for param, array, expected in zip(model.params, arrays, reference_model.params, strict=True):
        assert param is array
        np.testing.assert_allclose(param, expected, rtol=1e-12)


def test_early_stopping_also_restores_batch_normalisation_running_statistics():
    def setup(patience):
        train = DataProvider(*regression_data(16, 1.0, seed=0), 8, rng=0)
        valid = DataProvider(*regression_data(16, 0.5, seed=1), 16, rng=0)
        batch_norm = BatchNormalizationLayer(2)
        model = MultipleLayerModel([batch_norm, AffineLayer(2, 1, ConstantInit(0.0), ConstantInit(0.0))])
        optimiser = quiet(model, HalfMeanSquaredError(), PlainGradientDescent(0.05), train, valid,
                          early_stopping_patience=patience)
        return batch_norm, optimiser

    batch_norm, optimiser = setup(patience=2)
    optimiser.train(num_epochs=200, stats_interval=1)
    assert 0 < optimiser.best_epoch < optimiser.stopped_epoch
    reference_batch_norm, reference = setup(patience=None)
    reference.train(num_epochs=optimiser.best_epoch, stats_interval=1)
    np.testing.assert_allclose(batch_norm.running_mean, reference_batch_norm.running_mean, rtol=1e-12)
    np.testing.assert_allclose(batch_norm.running_var, reference_batch_norm.running_var, rtol=1e-12)
    np.testing.assert_allclose(batch_norm.gamma, reference_batch_norm.gamma, rtol=1e-12)


def test_without_restore_best_the_last_parameters_stay():
    model, optimiser = early_stopping_setup(patience=2, restore_best=False)
    optimiser.train(num_epochs=200, stats_interval=1)
    reference_model, reference = early_stopping_setup(patience=None)
    reference.train(num_epochs=optimiser.stopped_epoch, stats_interval=1)
    for param, expected in zip(model.params, reference_model.params, strict=True):
        np.testing.assert_allclose(param, expected, rtol=1e-12)


def test_a_plateau_counts_as_no_improvement():
    # a zero learning rate never changes the model, so the validation error stays the same
    data = regression_data(8, 1.0)
    optimiser = quiet(linear_model(), HalfMeanSquaredError(), PlainGradientDescent(0.0),
                      DataProvider(*data, 4), DataProvider(*data, 4), early_stopping_patience=2)
    stats, _, _ = optimiser.train(num_epochs=50, stats_interval=1)
    assert len(stats) == 3 and optimiser.best_epoch == 0 and optimiser.stopped_epoch == 2


def test_early_stopping_on_an_accuracy_keeps_the_highest_value():
    class Flip:
        """A monitor that is 1 at the first evaluation, then 0: the best epoch must be 0."""

        def __init__(self):
            self.count = 0

        def __call__(self, outputs, targets):
            self.count += 1
            return 1.0 if self.count <= 2 else 0.0  # evaluation 0 sees train and valid

    model = linear_model()
    initial = [param.copy() for param in model.params]
    optimiser = quiet(model, HalfMeanSquaredError(), PlainGradientDescent(0.2),
                      DataProvider(*regression_data(8, 1.0), 8), DataProvider(*regression_data(8, 1.0), 8),
                      data_monitors={"acc": Flip()}, early_stopping_patience=1, monitor="acc(valid)")
    stats, keys, _ = optimiser.train(num_epochs=10, stats_interval=1)
    assert optimiser.best_epoch == 0 and len(stats) == 2
    for param, start in zip(model.params, initial, strict=True):
        np.testing.assert_array_equal(param, start)


def test_early_stopping_needs_a_monitor_that_is_recorded():
    with pytest.raises(ValueError, match="pass a valid_dataset"):
        quiet(linear_model(), HalfMeanSquaredError(), PlainGradientDescent(0.1),
              DataProvider(*regression_data(4, 1.0), 2), early_stopping_patience=2)


# Divergence -------------------------------------------------------------------------------------


class PoisonAfter(PlainGradientDescent):
    """Gradient descent that writes NaN into the weights at its ``count``-th update."""

    def __init__(self, count):
        super().__init__(learning_rate=0.01)
        self.count = count
        self.updates = 0

    def update_params(self, grads_wrt_params):
        super().update_params(grads_wrt_params)
        self.updates += 1
        if self.updates == self.count:
            self.params[0][...] = np.nan


def test_a_nan_loss_stops_training_naming_the_epoch_and_the_learning_rate():
    # two batches per epoch; the 5th update ends epoch 3's first batch, so its second batch is NaN
    optimiser = quiet(linear_model(), HalfMeanSquaredError(), PoisonAfter(count=5),
                      DataProvider(*regression_data(8, 1.0), 4, rng=0))
    with pytest.raises(TrainingDivergedError, match=r"epoch 3\b.*batch 2 is nan.*learning rate"):
        optimiser.train(num_epochs=10, stats_interval=1)


def test_a_diverging_learning_rate_raises_an_arithmetic_error():
    optimiser = quiet(linear_model(), HalfMeanSquaredError(), GradientDescentLearningRule(1e3),
                      DataProvider(*regression_data(8, 1.0), 4, rng=0))
    with np.errstate(all="ignore"), pytest.raises(ArithmeticError, match="Try lowering the learning rate"):
        optimiser.train(num_epochs=200, stats_interval=1)


def test_the_training_loss_includes_the_parameter_penalty():
    class InfinitePenaltyModel(MultipleLayerModel):
        def params_penalty(self):
            return float("inf")

    model = InfinitePenaltyModel([AffineLayer(2, 1, ConstantInit(0.0), ConstantInit(0.0))])
    optimiser = quiet(model, HalfMeanSquaredError(), PlainGradientDescent(0.1),
                      DataProvider(*regression_data(4, 1.0), 4))
    with pytest.raises(TrainingDivergedError, match="epoch 1.* is inf"):
        optimiser.train(num_epochs=1, stats_interval=1)


# Progress bar ------------------------------------------------------------------------------------


def test_progress_false_prints_nothing(capsys):
    quiet(linear_model(), HalfMeanSquaredError(), PlainGradientDescent(0.1),
          DataProvider(*regression_data(4, 1.0), 2)).train(num_epochs=3, stats_interval=1)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_terminal_progress_bar_counts_epochs_and_shows_the_latest_stats(capsys):
    stats, keys, _ = Optimiser(linear_model(), HalfMeanSquaredError(), PlainGradientDescent(0.1),
                               DataProvider(*regression_data(4, 1.0), 2),
                               notebook=False).train(3, stats_interval=1)
    err = capsys.readouterr().err
    assert "3/3 epochs" in err
    assert err.rstrip().endswith(f"error {stats[-1, keys['error(train)']]:.3g} (train)")


def test_progress_bar_postfix_pairs_train_and_valid_values():
    keys = {"error(train)": 0, "acc(train)": 1, "error(valid)": 2, "acc(valid)": 3}
    assert Optimiser._postfix([0.5, 0.75, 0.625, 0.875], keys) == "error 0.5/0.625 acc 0.75/0.875 (train/valid)"


def test_repr_names_the_parts():
    optimiser = quiet(linear_model(), HalfMeanSquaredError(), PlainGradientDescent(0.1),
                      DataProvider(*regression_data(4, 1.0), 2), data_monitors={"acc": accuracy})
    text = repr(optimiser)
    assert text.startswith("Optimiser(model=SingleLayerModel")
    assert "HalfMeanSquaredError()" in text and "data_monitors=[acc]" in text
