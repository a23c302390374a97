"""Tests of the lesson 01 explorer: perceptron training shown one update at a time."""

import ipywidgets
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.widgets.perceptron import (
    DATASETS,
    PerceptronExplorer,
    make_dataset,
    make_separable_data,
    make_two_moons,
    make_xor_data,
    perceptron_trajectory,
)

seeds = st.integers(0, 10_000)


def predictions(weights, bias, inputs):
    """sign(x . w + b) with sign(0) = +1, written out independently of mlp.perceptron."""
    scores = inputs @ weights + bias
    return np.where(scores >= 0, 1.0, -1.0)


# Data ---------------------------------------------------------------------------------------


@given(seed=seeds)
def test_separable_data_keeps_the_margin_from_the_true_line(seed):
    inputs, targets = make_separable_data(50, margin=0.2, seed=seed)
    # true boundary x2 = 2 x1 - 0.5, i.e. -2 x1 + x2 + 0.5 = 0, +1 above it
    signed_distances = (-2.0 * inputs[:, 0] + inputs[:, 1] + 0.5) / np.sqrt(5.0)
    assert inputs.shape == (50, 2) and targets.shape == (50,)
    assert np.all(np.abs(signed_distances) >= 0.2)
    assert np.array_equal(targets, np.where(signed_distances > 0, 1.0, -1.0))


def test_separable_data_is_fixed_by_its_seed():
    first, second = make_separable_data(seed=4), make_separable_data(seed=4)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    assert not np.array_equal(first[0], make_separable_data(seed=5)[0])


def test_xor_targets_are_the_sign_of_the_product_of_the_corner_coordinates():
    inputs, targets = make_xor_data(400, noise=0.1, seed=1)
    # with noise 0.1 every point stays in its corner's quadrant
    assert np.array_equal(targets, np.sign(inputs[:, 0] * inputs[:, 1]))
    assert np.sum(targets == 1) == 200


def test_two_moons_points_lie_near_their_arcs():
    inputs, targets = make_two_moons(300, noise=0.0, seed=6)
    upper, lower = inputs[targets == -1], inputs[targets == 1]
    # upper arc: unit circle around (0, 0) with y >= 0; lower arc: unit circle around (1, 0.5) with y <= 0.5
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(upper[:, 1] >= 0) and np.all(lower[:, 1] <= 0.5)
    assert len(lower) == 150


def test_two_moons_noise_has_the_requested_spread():
    clean, _ = make_two_moons(4000, noise=0.0, seed=9)
    noisy, _ = make_two_moons(4000, noise=0.2, seed=9)
    assert np.std(noisy - clean) == pytest.approx(0.2, rel=0.05)


@pytest.mark.parametrize("name", DATASETS)
def test_every_named_dataset_has_two_inputs_and_plus_minus_one_targets(name):
    inputs, targets = make_dataset(name, num_examples=30, seed=2)
    assert inputs.shape == (30, 2)
    assert set(np.unique(targets)) == {-1.0, 1.0}


def test_unknown_dataset_name_is_rejected():
    with pytest.raises(ValueError, match="make_dataset: expected name in"):
        make_dataset("spirals")


# The trajectory -----------------------------------------------------------------------------


def test_trajectory_starts_from_zero_parameters():
    inputs, targets = make_separable_data(seed=0)
    steps, _ = perceptron_trajectory(inputs, targets, rng=0)
    assert np.array_equal(steps[0].weights, np.zeros(2)) and steps[0].bias == 0.0
    assert steps[0].example is None and steps[0].epoch == 0


@given(seed=seeds, learning_rate=st.floats(0.1, 3.0))
def test_each_step_is_the_rosenblatt_rule_on_an_example_the_previous_step_got_wrong(seed, learning_rate):
    inputs, targets = make_xor_data(20, seed=seed)
    steps, _ = perceptron_trajectory(inputs, targets, learning_rate, max_epochs=3, rng=seed)
    for before, after in zip(steps[:-1], steps[1:], strict=True):
        x, t = inputs[after.example], targets[after.example]
        assert predictions(before.weights, before.bias, x[None])[0] != t
        np.testing.assert_allclose(after.weights, before.weights + learning_rate * t * x)
        assert after.bias == pytest.approx(before.bias + learning_rate * t)


@given(seed=seeds)
def test_training_on_separable_data_converges_to_zero_training_errors(seed):
    inputs, targets = make_separable_data(40, margin=0.1, seed=seed)
    steps, converged = perceptron_trajectory(inputs, targets, max_epochs=200, rng=seed)
    assert converged
    assert np.array_equal(predictions(steps[-1].weights, steps[-1].bias, inputs), targets)
    assert steps[-1].num_errors == 0


def test_num_errors_counts_misclassified_training_points():
    inputs, targets = make_xor_data(40, seed=3)
    steps, _ = perceptron_trajectory(inputs, targets, max_epochs=2, rng=3)
    for step in steps:
        assert step.num_errors == np.sum(predictions(step.weights, step.bias, inputs) != targets)


def test_xor_never_converges_and_stops_at_max_epochs():
    inputs, targets = make_xor_data(40, seed=0)
    steps, converged = perceptron_trajectory(inputs, targets, max_epochs=5, rng=0)
    assert not converged
    assert steps[-1].epoch == 5
    assert all(step.num_errors > 0 for step in steps)


def test_max_updates_caps_the_number_of_recorded_updates():
    inputs, targets = make_xor_data(40, seed=0)
    steps, converged = perceptron_trajectory(inputs, targets, max_epochs=50, max_updates=7, rng=0)
    assert len(steps) == 8 and not converged


def test_trajectory_rejects_zero_one_labels():
    inputs, _ = make_separable_data(seed=0)
    with pytest.raises(ValueError, match=r"perceptron_trajectory: expected targets in \{-1, \+1\}"):
        perceptron_trajectory(inputs, np.zeros(inputs.shape[0]))


def test_trajectory_rejects_targets_of_the_wrong_length():
    inputs, targets = make_separable_data(seed=0)
    with pytest.raises(ValueError, match="perceptron_trajectory: expected targets of shape"):
        perceptron_trajectory(inputs, targets[:-1])


# The explorer -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer():
    return PerceptronExplorer(max_steps=40)


def test_explorer_has_a_dataset_menu_and_a_step_slider(explorer):
    assert isinstance(explorer.controls["step"], ipywidgets.IntSlider)
    assert tuple(explorer.controls["dataset"].options) == DATASETS
    assert isinstance(explorer.widget, ipywidgets.Widget)


def _num_updates(dataset, explorer):
    inputs, targets = make_dataset(dataset, explorer.num_examples, explorer.seed)
    steps, _ = perceptron_trajectory(inputs, targets, rng=explorer.seed, max_updates=explorer.max_steps)
    return len(steps) - 1


def test_step_slider_runs_from_zero_to_the_number_of_updates_of_the_run():
    # A run that converges after a few updates gets a slider of exactly that many steps, not max_steps.
    explorer = PerceptronExplorer(dataset="separable", max_steps=60)
    num_updates = _num_updates("separable", explorer)
    assert 0 < num_updates < 60
    assert (explorer.controls["step"].min, explorer.controls["step"].max) == (0, num_updates)


def test_step_slider_follows_the_data_set_and_is_capped_by_max_steps():
    explorer = PerceptronExplorer(dataset="separable", max_steps=40)
    explorer.controls["dataset"].value = "xor"  # what choosing in the menu does
    assert explorer.controls["step"].max == _num_updates("xor", explorer) == 40  # xor never converges: capped
    explorer.controls["step"].value = 40
    explorer.controls["dataset"].value = "separable"
    assert explorer.controls["step"].max == _num_updates("separable", explorer) < 40
    assert explorer.controls["step"].value == explorer.controls["step"].max
    assert explorer.last_result["step"] == explorer.controls["step"].value


def test_explorer_shows_the_state_after_the_chosen_update(explorer):
    inputs, targets = make_dataset("separable", explorer.num_examples, explorer.seed)
    steps, _ = perceptron_trajectory(inputs, targets, rng=explorer.seed, max_updates=40)
    result = explorer.update(dataset="separable", step=2)
    assert result["step"] == 2
    np.testing.assert_array_equal(result["weights"], steps[2].weights)
    assert result["example"] == steps[2].example


def test_explorer_draws_the_boundary_where_w_dot_x_plus_b_is_zero(explorer):
    result = explorer.update(dataset="separable", step=3)
    axes = explorer.figure.axes[0]
    boundary = [line for line in axes.get_lines() if "boundary" in line.get_label()]
    assert len(boundary) == 1
    points = boundary[0].get_xydata()
    np.testing.assert_allclose(points @ result["weights"] + result["bias"], 0.0, atol=1e-9)


def test_moving_the_step_slider_moves_the_boundary_and_redraws(explorer):
    explorer.update(dataset="separable", step=1)
    first_image, first_weights = explorer.image.value, explorer.last_result["weights"]
    explorer.controls["step"].value = 4  # what dragging the slider does
    assert not np.array_equal(explorer.last_result["weights"], first_weights)
    assert explorer.image.value != first_image


def test_steps_past_the_end_of_training_show_the_final_perceptron(explorer):
    result = explorer.update(dataset="separable", step=40)
    assert result["converged"] and result["num_errors"] == 0
    assert result["step"] == result["num_updates"] < 40
    assert "converged" in explorer.figure.axes[0].get_title()


def test_start_shows_no_boundary_because_w_is_zero(explorer):
    result = explorer.update(dataset="separable", step=0)
    assert result["example"] is None
    assert not [line for line in explorer.figure.axes[0].get_lines() if "boundary" in line.get_label()]


def test_xor_in_the_explorer_never_reaches_zero_errors(explorer):
    result = explorer.update(dataset="xor", step=40)
    assert not result["converged"] and result["num_errors"] > 0
    assert "never separated" in explorer.figure.axes[0].get_title()


def test_explorer_rejects_an_unknown_dataset():
    with pytest.raises(ValueError, match="PerceptronExplorer: expected dataset in"):
        PerceptronExplorer(dataset="circles")


def test_explorer_repr_shows_its_arguments():
    assert repr(PerceptronExplorer(max_steps=10, seed=3)).startswith(
        "PerceptronExplorer(dataset='separable', num_examples=40, learning_rate=1")
