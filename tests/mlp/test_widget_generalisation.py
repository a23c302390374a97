"""Tests of the lesson 06 explorer: an L2 penalty and dropout against the train/valid curves (no browser)."""

import numpy as np
import pytest

from mlp.layers import DropoutLayer
from mlp.widgets.generalisation import (
    STATISTICS,
    TRAINING_SET_SIZES,
    RegularisationExplorer,
    build_small_network,
    train_small_network,
)

SMALL = {"num_train": 100, "hidden_dim": 20, "num_epochs": 4}


def test_train_small_network_records_every_epoch_and_epoch_zero():
    curves = train_small_network(**SMALL)
    for name in STATISTICS:
        assert curves[name].shape == (SMALL["num_epochs"] + 1,)
        assert np.all(np.isfinite(curves[name]))
    assert curves["weights"].shape == (SMALL["hidden_dim"], 64)
    # before training the 10 classes are about equally likely: the error is near ln 10
    assert abs(curves["error(train)"][0] - np.log(10)) < 0.6
    assert curves["error(train)"][-1] < curves["error(train)"][0]


def test_the_same_seed_gives_the_same_run():
    first, second = train_small_network(**SMALL, seed=3), train_small_network(**SMALL, seed=3)
    np.testing.assert_array_equal(first["error(valid)"], second["error(valid)"])


def test_a_stronger_penalty_gives_smaller_weights():
    plain = train_small_network(**SMALL, l2_coefficient=0.0)
    penalised = train_small_network(**SMALL, l2_coefficient=0.1)
    assert np.linalg.norm(penalised["weights"]) < 0.9 * np.linalg.norm(plain["weights"])


def test_dropout_layer_appears_only_below_a_keep_probability_of_one():
    rng = np.random.default_rng(0)
    assert not any(isinstance(layer, DropoutLayer) for layer in build_small_network(10, 0.0, 1.0, rng).layers)
    assert any(isinstance(layer, DropoutLayer) for layer in build_small_network(10, 0.0, 0.5, rng).layers)


@pytest.mark.parametrize("argument, value", [("num_train", 0), ("l2_coefficient", -1.0), ("incl_prob", 0.0),
                                             ("incl_prob", 1.5)])
def test_bad_arguments_are_rejected_with_a_message(argument, value):
    with pytest.raises((ValueError, TypeError), match=argument):
        train_small_network(**{**SMALL, argument: value})


def test_explorer_controls_have_sane_ranges():
    explorer = RegularisationExplorer(num_epochs=3, hidden_dim=10)
    assert explorer.controls["l2_coefficient"].value > 0
    assert 0 < explorer.controls["incl_prob"].min < explorer.controls["incl_prob"].max == 1.0
    assert tuple(explorer.controls["num_train"].options) == TRAINING_SET_SIZES


def test_explorer_update_compares_with_the_plain_network_and_reports_the_gap():
    explorer = RegularisationExplorer(num_epochs=3, hidden_dim=10)
    result = explorer.update(use_l2=True, l2_coefficient=0.01, incl_prob=0.5, num_train=100)
    for key in ("regularised", "plain"):
        assert result[key]["error(valid)"].shape == (4,)
    expected_gap = result["regularised"]["error(valid)"][-1] - result["regularised"]["error(train)"][-1]
    assert result["gap"] == pytest.approx(expected_gap)
    assert "valid − train error" in explorer.message.value
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert explorer.last_result is result


def test_explorer_without_l2_and_dropout_is_the_plain_network_and_runs_are_cached():
    explorer = RegularisationExplorer(num_epochs=3, hidden_dim=10)
    result = explorer.update(use_l2=False, incl_prob=1.0, num_train=100)
    assert result["regularised"] is result["plain"]
    assert result["gap"] == pytest.approx(result["plain_gap"])
    again = explorer.update(use_l2=True, l2_coefficient=0.01)
    assert again["plain"] is result["plain"]  # the plain run is computed once


def test_the_widget_shows_controls_figure_and_message():
    explorer = RegularisationExplorer(num_epochs=2, hidden_dim=5)
    widget = explorer.widget
    assert explorer.image in widget.children and explorer.message in widget.children
