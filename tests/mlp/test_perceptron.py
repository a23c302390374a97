"""The perceptron: sign activation, Rosenblatt's rule, training until no mistakes."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.perceptron import Perceptron, predict, rosenblatt_update, sign


def separable_data(num_examples=60, margin=0.3, seed=0):
    """Points with t * (x1 + x2) >= margin * sqrt(2), i.e. separable by x1 + x2 = 0."""
    rng = np.random.default_rng(seed)
    inputs = rng.uniform(-2, 2, size=(4 * num_examples, 2))
    distance = inputs.sum(axis=1) / np.sqrt(2)
    inputs = inputs[np.abs(distance) >= margin][:num_examples]
    return inputs, np.where(inputs.sum(axis=1) > 0, 1.0, -1.0)


XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([-1.0, 1.0, 1.0, -1.0])


def test_sign_of_zero_is_plus_one():
    np.testing.assert_array_equal(sign(np.array([-2.0, -1e-12, 0.0, 1e-12, 3.0])),
                                  [-1, -1, 1, 1, 1])


def test_predict_matches_hand_computed_values():
    weights, bias = np.array([1.0, -2.0]), 0.5
    inputs = np.array([[1.0, 1.0], [3.0, 0.0], [0.0, 0.25]])
    # scores: 1 - 2 + 0.5 = -0.5, 3 + 0.5 = 3.5, -0.5 + 0.5 = 0 (on the boundary -> +1)
    np.testing.assert_array_equal(predict(weights, bias, inputs), [-1, 1, 1])


def test_predict_accepts_a_single_example():
    assert predict(np.array([1.0, 1.0]), -3.0, np.array([1.0, 1.0])).tolist() == [-1.0]


def test_update_moves_only_for_misclassified_points():
    weights, bias = np.array([1.0, 0.0]), 0.0
    inputs = np.array([[2.0, 1.0], [1.0, 3.0], [-1.0, 2.0]])
    targets = np.array([1.0, -1.0, -1.0])
    # predictions: +1 (right), +1 (wrong), -1 (right): only the second point contributes
    new_weights, new_bias, mistakes = rosenblatt_update(weights, bias, inputs, targets, 0.5)
    np.testing.assert_allclose(new_weights, [1.0 - 0.5 * 1.0, 0.0 - 0.5 * 3.0])
    assert new_bias == pytest.approx(-0.5)
    assert mistakes == 1


def test_update_does_not_modify_the_given_weights():
    weights = np.array([0.0, 0.0])
    rosenblatt_update(weights, 0.0, np.array([[1.0, 1.0]]), np.array([-1.0]))
    np.testing.assert_array_equal(weights, [0.0, 0.0])


def test_correctly_classified_batch_changes_nothing():
    perceptron = Perceptron(2)
    perceptron.weights = np.array([1.0, 1.0])
    mistakes = perceptron.update(np.array([[1.0, 2.0], [-3.0, -1.0]]), np.array([1.0, -1.0]))
    assert mistakes == 0
    np.testing.assert_array_equal(perceptron.weights, [1.0, 1.0])
    assert perceptron.bias == 0.0


@given(st.lists(st.floats(-5, 5), min_size=3, max_size=3))
def test_an_update_on_a_mistake_raises_the_score_of_that_point_in_the_target_direction(x):
    inputs = np.array(x)
    weights, bias = np.array([0.3, -0.2, 0.1]), 0.05
    before = inputs @ weights + bias
    target = -float(sign(before))  # the opposite of the prediction: a mistake
    new_weights, new_bias, mistakes = rosenblatt_update(weights, bias, inputs, target)
    after = inputs @ new_weights + new_bias
    assert mistakes == 1
    # t * score grows by exactly |x|^2 + 1 (learning rate 1)
    assert target * (after - before) == pytest.approx(inputs @ inputs + 1.0)


def test_training_on_separable_data_ends_with_an_epoch_without_mistakes():
    inputs, targets = separable_data()
    perceptron = Perceptron(2, rng=0)
    mistakes = perceptron.train(inputs, targets, max_epochs=100)
    assert mistakes[-1] == 0
    np.testing.assert_array_equal(perceptron.predict(inputs), targets)


def test_total_mistakes_respect_the_convergence_bound():
    # Novikoff: with augmented inputs (x, 1), mistakes <= (R / gamma)^2, where R bounds |(x, 1)|
    # and gamma is the margin of a unit separator; here (1, 1, 0) / sqrt(2).
    inputs, targets = separable_data(margin=0.4, seed=3)
    augmented = np.column_stack([inputs, np.ones(len(inputs))])
    radius = np.max(np.linalg.norm(augmented, axis=1))
    gamma = np.min(targets * (augmented @ np.array([1.0, 1.0, 0.0]) / np.sqrt(2)))
    mistakes = Perceptron(2, rng=1).train(inputs, targets, max_epochs=1000)
    assert mistakes[-1] == 0
    assert sum(mistakes) <= (radius / gamma) ** 2


def test_training_on_xor_never_converges():
    mistakes = Perceptron(2, rng=0).train(XOR_INPUTS, XOR_TARGETS, max_epochs=25)
    assert len(mistakes) == 25
    assert min(mistakes) > 0


def test_training_is_reproducible_with_the_same_rng():
    inputs, targets = separable_data(seed=5)
    first, second = Perceptron(2, rng=4), Perceptron(2, rng=4)
    assert first.train(inputs, targets) == second.train(inputs, targets)
    np.testing.assert_array_equal(first.weights, second.weights)


def test_targets_must_be_plus_or_minus_one():
    with pytest.raises(ValueError, match=r"2 \* labels - 1"):
        Perceptron(2).train(XOR_INPUTS, np.array([0.0, 1.0, 1.0, 0.0]))


def test_inputs_of_the_wrong_width_name_the_perceptron():
    with pytest.raises(ValueError, match=r"Perceptron\(num_inputs=3.*\(batch_size, 3\)"):
        Perceptron(3).predict(np.zeros((2, 2)))


def test_learning_rate_must_be_positive():
    with pytest.raises(ValueError, match="learning_rate"):
        Perceptron(2, learning_rate=0.0)


def test_repr_shows_the_arguments():
    assert repr(Perceptron(4, learning_rate=0.5)) == "Perceptron(num_inputs=4, learning_rate=0.5)"
