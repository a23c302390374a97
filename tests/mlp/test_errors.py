"""mlp.errors: values match hand computations, gradients match finite differences, numerics stay finite."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp.errors import (
    BinaryCrossEntropyError,
    BinaryCrossEntropySigmoidError,
    CrossEntropyError,
    CrossEntropySoftmaxError,
    HingeError,
    SumOfSquaredDiffsError,
)
from mlp.gradcheck import check_error

ALL_ERRORS = [
    SumOfSquaredDiffsError(),
    BinaryCrossEntropyError(),
    BinaryCrossEntropySigmoidError(),
    CrossEntropyError(),
    CrossEntropySoftmaxError(),
    HingeError(),
]
CLASS_ERRORS = [CrossEntropyError(), CrossEntropySoftmaxError(), HingeError()]
ELEMENTWISE_ERRORS = [SumOfSquaredDiffsError(), BinaryCrossEntropyError(), BinaryCrossEntropySigmoidError()]
LOGIT_ERRORS = [SumOfSquaredDiffsError(), BinaryCrossEntropySigmoidError(), CrossEntropySoftmaxError(), HingeError()]


def one_of_k(class_indices, num_classes):
    return np.eye(num_classes)[list(class_indices)]


def valid_example(error, dtype=np.float64):
    """Outputs in the error's domain and one-of-K targets, shape (3, 4)."""
    outputs = np.array([[0.1, 0.6, 0.2, 0.1], [0.3, 0.3, 0.3, 0.1], [0.7, 0.1, 0.1, 0.1]], dtype=dtype)
    if isinstance(error, (SumOfSquaredDiffsError, BinaryCrossEntropySigmoidError, CrossEntropySoftmaxError)):
        outputs = (4 * outputs - 1).astype(dtype)
    if isinstance(error, HingeError):
        outputs = (3 * outputs).astype(dtype)
    return outputs, one_of_k([1, 0, 2], 4)


# Values on small hand-computed examples ----------------------------------------------------


def test_sum_of_squared_diffs_is_half_the_squared_distance_averaged_over_the_batch():
    outputs = np.array([[1.0, 2.0], [3.0, 4.0]])
    targets = np.array([[0.0, 2.0], [1.0, 1.0]])
    # example 1: 0.5 * (1 + 0) = 0.5; example 2: 0.5 * (4 + 9) = 6.5; mean 3.5
    assert float(SumOfSquaredDiffsError()(outputs, targets)) == pytest.approx(3.5)
    np.testing.assert_allclose(SumOfSquaredDiffsError().grad(outputs, targets), [[0.5, 0.0], [1.0, 1.5]])


def test_binary_cross_entropy_of_probabilities():
    outputs = np.array([[0.8, 0.4], [0.3, 0.9]])
    targets = np.array([[1.0, 0.0], [0.0, 1.0]])
    expected = -(math.log(0.8) + math.log(0.6) + math.log(0.7) + math.log(0.9)) / 2
    assert float(BinaryCrossEntropyError()(outputs, targets)) == pytest.approx(expected, rel=1e-12)
    # dE/dy = (y - t) / (y (1 - y)) / N: -1/0.8/2, 1/0.6/2, 1/0.7/2, -1/0.9/2
    np.testing.assert_allclose(BinaryCrossEntropyError().grad(outputs, targets),
                               [[-0.625, 1 / 1.2], [1 / 1.4, -1 / 1.8]], rtol=1e-12)


def test_binary_cross_entropy_sigmoid_of_logits():
    outputs = np.array([[0.0], [2.0]])
    targets = np.array([[1.0], [0.0]])
    # -log sigmoid(0) = log 2; -log(1 - sigmoid(2)) = log(1 + e^2)
    expected = (math.log(2.0) + math.log(1.0 + math.exp(2.0))) / 2
    assert float(BinaryCrossEntropySigmoidError()(outputs, targets)) == pytest.approx(expected, rel=1e-12)
    sigmoid_2 = 1 / (1 + math.exp(-2.0))
    np.testing.assert_allclose(BinaryCrossEntropySigmoidError().grad(outputs, targets),
                               [[(0.5 - 1) / 2], [sigmoid_2 / 2]], rtol=1e-12)


def test_cross_entropy_of_probabilities():
    outputs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    targets = one_of_k([0, 2], 3)
    expected = -(math.log(0.7) + math.log(0.8)) / 2
    assert float(CrossEntropyError()(outputs, targets)) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(CrossEntropyError().grad(outputs, targets),
                               [[-1 / 1.4, 0, 0], [0, 0, -1 / 1.6]], rtol=1e-12)


def test_cross_entropy_softmax_of_logits():
    outputs = np.array([[1.0, 2.0, 3.0]])
    targets = one_of_k([2], 3)
    # -log(e^3 / (e + e^2 + e^3)) = log(1 + e^-1 + e^-2)
    expected = math.log(1 + math.exp(-1) + math.exp(-2))
    assert float(CrossEntropySoftmaxError()(outputs, targets)) == pytest.approx(expected, rel=1e-12)
    total = math.exp(1) + math.exp(2) + math.exp(3)
    np.testing.assert_allclose(CrossEntropySoftmaxError().grad(outputs, targets),
                               [[math.exp(1) / total, math.exp(2) / total, math.exp(3) / total - 1]], rtol=1e-12)


def test_cross_entropy_softmax_equals_cross_entropy_of_the_softmax():
    logits = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.0]])
    targets = one_of_k([1, 0], 3)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert float(CrossEntropySoftmaxError()(logits, targets)) == pytest.approx(
        float(CrossEntropyError()(probabilities, targets)), rel=1e-12)


def test_hinge_error_sums_margin_violations_of_the_wrong_classes():
    outputs = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 0.0]])
    targets = one_of_k([0, 1], 3)
    # example 1 (class 0, score 1): max(0, 1 + 2 - 1) + max(0, 1 + 0.5 - 1) = 2 + 0.5
    # example 2 (class 1, score -1): max(0, 1 + 3 + 1) + max(0, 1 + 0 + 1) = 5 + 2
    assert float(HingeError()(outputs, targets)) == pytest.approx((2.5 + 7.0) / 2)
    # every wrong class violates its margin: +1 each, -2 for the correct class, divided by N = 2
    np.testing.assert_allclose(HingeError().grad(outputs, targets), [[-1.0, 0.5, 0.5], [0.5, -1.0, 0.5]])


def test_hinge_error_uses_the_margin_argument():
    outputs = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 0.0]])
    targets = one_of_k([0, 1], 3)
    # margin 0: example 1: max(0, 1) + max(0, -0.5) = 1; example 2: 4 + 1 = 5
    assert float(HingeError(margin=0.0)(outputs, targets)) == pytest.approx(3.0)
    np.testing.assert_allclose(HingeError(margin=0.0).grad(outputs, targets), [[-0.5, 0.5, 0.0], [0.5, -1.0, 0.5]])


def test_hinge_error_is_zero_when_every_margin_is_met():
    outputs = np.array([[5.0, 1.0, 2.0]])
    targets = one_of_k([0], 3)
    assert float(HingeError()(outputs, targets)) == 0.0
    np.testing.assert_array_equal(HingeError().grad(outputs, targets), np.zeros((1, 3)))


def test_hinge_error_uses_the_zero_subgradient_exactly_at_the_margin():
    outputs = np.array([[2.0, 1.0, 0.0]])  # class 1 sits exactly at the margin: 1 + 1 - 2 = 0
    targets = one_of_k([0], 3)
    assert float(HingeError()(outputs, targets)) == 0.0
    np.testing.assert_array_equal(HingeError().grad(outputs, targets), np.zeros((1, 3)))


@pytest.mark.parametrize("error", ALL_ERRORS, ids=repr)
def test_value_is_a_mean_over_the_batch(error):
    outputs, targets = valid_example(error)
    doubled = float(error(np.concatenate([outputs, outputs]), np.concatenate([targets, targets])))
    assert doubled == pytest.approx(float(error(outputs, targets)), rel=1e-12)


# Gradients against finite differences -------------------------------------------------------

batch_sizes = st.integers(1, 4)
# The finite-difference quotient (f(x + h) - f(x - h)) / 2h with h = 1e-6 carries a round-off error of
# about |f| * 1e-16 / 1e-6, i.e. 1e-8 for values of order 100, hence the absolute tolerance.
GRADCHECK_ATOL = 1e-6
output_dims = st.integers(1, 5)


@st.composite
def arrays_of_shape_pair(draw, low, high, target_low, target_high):
    shape = (draw(batch_sizes), draw(output_dims))
    outputs = draw(arrays(np.float64, shape, elements=st.floats(low, high)))
    targets = draw(arrays(np.float64, shape, elements=st.floats(target_low, target_high)))
    return outputs, targets


@st.composite
def class_problems(draw, low, high):
    batch_size, num_classes = draw(batch_sizes), draw(st.integers(2, 5))
    outputs = draw(arrays(np.float64, (batch_size, num_classes), elements=st.floats(low, high)))
    classes = draw(st.lists(st.integers(0, num_classes - 1), min_size=batch_size, max_size=batch_size))
    return outputs, one_of_k(classes, num_classes)


@given(arrays_of_shape_pair(-5, 5, -5, 5))
def test_sum_of_squared_diffs_gradient_matches_finite_differences(pair):
    check_error(SumOfSquaredDiffsError(), *pair, atol=GRADCHECK_ATOL).raise_if_failed()


@given(arrays_of_shape_pair(0.05, 0.95, 0, 1))
def test_binary_cross_entropy_gradient_matches_finite_differences(pair):
    check_error(BinaryCrossEntropyError(), *pair, atol=GRADCHECK_ATOL).raise_if_failed()


@given(arrays_of_shape_pair(-10, 10, 0, 1))
def test_binary_cross_entropy_sigmoid_gradient_matches_finite_differences(pair):
    check_error(BinaryCrossEntropySigmoidError(), *pair, atol=GRADCHECK_ATOL).raise_if_failed()


@given(class_problems(0.05, 0.95))
def test_cross_entropy_gradient_matches_finite_differences(problem):
    check_error(CrossEntropyError(), *problem, atol=GRADCHECK_ATOL).raise_if_failed()


@given(class_problems(-10, 10))
def test_cross_entropy_softmax_gradient_matches_finite_differences(problem):
    check_error(CrossEntropySoftmaxError(), *problem, atol=GRADCHECK_ATOL).raise_if_failed()


@given(class_problems(-3, 3), st.sampled_from([0.0, 0.5, 1.0]))
def test_hinge_gradient_matches_finite_differences_away_from_kinks(problem, margin):
    outputs, targets = problem
    correct_scores = (outputs * targets).sum(axis=1, keepdims=True)
    distance_to_kink = np.abs(margin + outputs - correct_scores)[targets == 0]
    assume(np.all(distance_to_kink > 1e-4))
    check_error(HingeError(margin=margin), outputs, targets, atol=GRADCHECK_ATOL).raise_if_failed()


# Numerical stability --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_softmax_is_exact_and_silent_at_huge_logits(dtype):
    logits = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]], dtype=dtype)
    targets = one_of_k([1, 1], 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = CrossEntropySoftmaxError()(logits, targets)
        grad = CrossEntropySoftmaxError().grad(logits, targets)
    # example 1 costs -log softmax = 2000 (to float precision), example 2 costs 0
    assert float(value) == pytest.approx(1000.0)
    np.testing.assert_allclose(grad, [[0.5, -0.5], [0.0, 0.0]], atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_sigmoid_is_exact_and_silent_at_huge_logits(dtype):
    logits = np.array([[1000.0, -1000.0]], dtype=dtype)
    targets = np.array([[0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = BinaryCrossEntropySigmoidError()(logits, targets)
        grad = BinaryCrossEntropySigmoidError().grad(logits, targets)
    # -log(1 - sigmoid(1000)) = 1000, -log(1 - sigmoid(-1000)) = 0
    assert float(value) == pytest.approx(1000.0)
    np.testing.assert_allclose(grad, [[1.0, 0.0]], atol=1e-7)


@pytest.mark.parametrize("error", LOGIT_ERRORS, ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_errors_of_logits_are_finite_at_plus_minus_1000(error, dtype):
    outputs = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]], dtype=dtype)
    targets = one_of_k([1, 2], 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = error(outputs, targets)
        grad = error.grad(outputs, targets)
    assert np.isfinite(value)
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("error", [BinaryCrossEntropyError(), CrossEntropyError()], ids=repr)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_errors_of_probabilities_stay_finite_at_exactly_0_and_1(error, dtype):
    outputs = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        right = error(outputs, one_of_k([0, 1], 2))
        wrong = error(outputs, one_of_k([1, 0], 2))
        grad = error.grad(outputs, one_of_k([1, 0], 2))
    # a confident right answer costs (almost) nothing; a confident wrong one costs -log(eps) per entry
    assert 0.0 <= float(right) < 1e-5
    assert np.isfinite(wrong) and float(wrong) >= -math.log(np.finfo(dtype).eps) - 1e-3
    assert np.all(np.isfinite(grad))


# dtype -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("error", ALL_ERRORS, ids=repr)
def test_float32_outputs_give_float32_value_and_gradient(error):
    outputs, targets = valid_example(error, dtype=np.float32)  # targets stay float64
    value = error(outputs, targets)
    grad = error.grad(outputs, targets)
    assert np.asarray(value).dtype == np.float32
    assert grad.dtype == np.float32
    outputs64 = outputs.astype(np.float64)
    assert float(value) == pytest.approx(float(error(outputs64, targets)), rel=1e-5)
    np.testing.assert_allclose(grad, error.grad(outputs64, targets), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("error", ALL_ERRORS, ids=repr)
def test_gradient_has_the_shape_of_the_outputs(error):
    outputs, targets = valid_example(error)
    assert error.grad(outputs, targets).shape == outputs.shape


# Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("error", ALL_ERRORS, ids=repr)
def test_mismatched_shapes_raise_a_message_naming_the_error_and_both_shapes(error):
    outputs, _ = valid_example(error)
    targets = one_of_k([0, 1, 2], 5)
    with pytest.raises(ValueError, match=rf"{type(error).__name__}.*\(3, 4\).*\(3, 5\)"):
        error(outputs, targets)
    with pytest.raises(ValueError, match=type(error).__name__):
        error.grad(outputs, targets)


@pytest.mark.parametrize("error", ALL_ERRORS, ids=repr)
def test_three_dimensional_outputs_are_rejected(error):
    outputs = np.full((2, 3, 4), 0.25)
    with pytest.raises(ValueError, match=rf"{type(error).__name__}.*batch_size.*\(2, 3, 4\)"):
        error(outputs, outputs)


@pytest.mark.parametrize("error", ELEMENTWISE_ERRORS, ids=repr)
def test_elementwise_errors_read_one_dimensional_outputs_as_a_single_column(error):
    outputs = np.array([0.2, 0.7, 0.4])
    targets = np.array([0.0, 1.0, 1.0])
    assert float(error(outputs, targets)) == pytest.approx(float(error(outputs[:, None], targets[:, None])))
    np.testing.assert_allclose(error.grad(outputs, targets), error.grad(outputs[:, None], targets[:, None])[:, 0])


@pytest.mark.parametrize("error", CLASS_ERRORS, ids=repr)
def test_class_errors_ask_for_one_of_k_targets_when_given_labels(error):
    outputs, _ = valid_example(error)
    with pytest.raises(ValueError, match="one-of-K"):
        error(outputs, np.array([1, 0, 2]))


@pytest.mark.parametrize("error", [BinaryCrossEntropyError(), CrossEntropyError()], ids=repr)
def test_errors_of_probabilities_reject_values_outside_0_1_and_suggest_the_logit_version(error):
    with pytest.raises(ValueError, match=rf"{type(error).__name__}.*probabilities.*2 value.*-0\.5.*(Sigmoid|Softmax)"):
        error(np.array([[-0.5, 1.5]]), np.array([[1.0, 0.0]]))


def test_cross_entropy_softmax_rejects_targets_whose_rows_do_not_sum_to_one():
    with pytest.raises(ValueError, match=r"CrossEntropySoftmaxError.*row 1 summing to 2"):
        CrossEntropySoftmaxError().grad(np.zeros((2, 3)), np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0]]))


def test_hinge_error_rejects_targets_that_are_not_one_of_k():
    with pytest.raises(ValueError, match=r"HingeError.*one-of-K.*row 0"):
        HingeError()(np.zeros((1, 3)), np.array([[0.5, 0.5, 0.0]]))


def test_hinge_error_rejects_a_negative_margin():
    with pytest.raises(ValueError, match="margin"):
        HingeError(margin=-1.0)


def test_non_numeric_outputs_raise_type_error():
    with pytest.raises(TypeError, match="SumOfSquaredDiffsError"):
        SumOfSquaredDiffsError()(np.array([["a", "b"]]), np.zeros((1, 2)))


def test_empty_batch_is_rejected():
    with pytest.raises(ValueError, match="at least one example"):
        SumOfSquaredDiffsError()(np.zeros((0, 2)), np.zeros((0, 2)))


def test_reprs_show_the_constructor_arguments():
    assert repr(SumOfSquaredDiffsError()) == "SumOfSquaredDiffsError()"
    assert repr(CrossEntropySoftmaxError()) == "CrossEntropySoftmaxError()"
    assert repr(HingeError(margin=0.5)) == "HingeError(margin=0.5)"
