"""mlp.errors.HingeError, binary form: targets in {-1, +1} of shape (batch, 1); and its error messages."""

import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp.errors import HingeError
from mlp.gradcheck import check_error


def column(*values):
    return np.array(values, dtype=np.float64).reshape(-1, 1)


def test_binary_hinge_is_max_of_zero_and_one_minus_t_y_averaged_over_the_batch():
    outputs, targets = column(2.0, 0.5, 0.5, -3.0), column(1.0, 1.0, -1.0, -1.0)
    # per example: max(0, 1 - 2) = 0, 1 - 0.5 = 0.5, 1 + 0.5 = 1.5, max(0, 1 - 3) = 0; mean over N = 4
    assert float(HingeError()(outputs, targets)) == pytest.approx(2.0 / 4)


def test_binary_hinge_gradient_is_minus_t_over_n_where_the_margin_is_violated():
    outputs, targets = column(2.0, 0.5, 0.5, -3.0), column(1.0, 1.0, -1.0, -1.0)
    np.testing.assert_array_equal(HingeError().grad(outputs, targets), column(0.0, -0.25, 0.25, 0.0))


def test_binary_hinge_uses_the_margin_argument():
    outputs, targets = column(0.5, -0.25), column(1.0, -1.0)
    # margin 0: both correct side, error 0; margin 2: 1.5 + 1.75 over 2
    assert float(HingeError(margin=0.0)(outputs, targets)) == 0.0
    assert float(HingeError(margin=2.0)(outputs, targets)) == pytest.approx(3.25 / 2)
    np.testing.assert_array_equal(HingeError(margin=2.0).grad(outputs, targets), column(-0.5, 0.5))


def test_binary_hinge_uses_the_zero_subgradient_exactly_at_the_margin():
    outputs, targets = column(1.0, -1.0), column(1.0, -1.0)
    assert float(HingeError()(outputs, targets)) == 0.0
    np.testing.assert_array_equal(HingeError().grad(outputs, targets), np.zeros((2, 1)))


def test_binary_hinge_of_a_batch_of_one():
    assert float(HingeError()(column(-1.0), column(1.0))) == pytest.approx(2.0)
    np.testing.assert_array_equal(HingeError().grad(column(-1.0), column(1.0)), column(-1.0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_hinge_keeps_the_dtype_of_the_outputs(dtype):
    outputs, targets = column(0.5, 3.0).astype(dtype), column(1.0, -1.0)
    assert HingeError()(outputs, targets).dtype == dtype
    assert HingeError().grad(outputs, targets).dtype == dtype


def test_binary_hinge_leaves_its_arguments_unchanged():
    outputs, targets = column(0.5, 3.0), column(1.0, -1.0)
    before = outputs.copy(), targets.copy()
    HingeError()(outputs, targets)
    HingeError().grad(outputs, targets)
    np.testing.assert_array_equal(outputs, before[0])
    np.testing.assert_array_equal(targets, before[1])


def test_binary_hinge_is_finite_for_huge_outputs():
    outputs, targets = column(1e300, -1e300), column(1.0, 1.0)
    assert np.isfinite(HingeError()(outputs, targets))
    assert np.all(np.isfinite(HingeError().grad(outputs, targets)))


@given(
    arrays(np.float64, st.tuples(st.integers(1, 6), st.just(1)), elements=st.floats(-3, 3)),
    st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    st.randoms(use_true_random=False),
)
def test_binary_hinge_gradient_matches_finite_differences_away_from_kinks(outputs, margin, random):
    targets = np.array([[random.choice([-1.0, 1.0])] for _ in range(outputs.shape[0])])
    assume(np.all(np.abs(margin - targets * outputs) > 1e-4))
    check_error(HingeError(margin=margin), outputs, targets, atol=1e-7).raise_if_failed()


def test_binary_and_multiclass_forms_agree_on_two_classes_scored_zero_and_y():
    # two one-of-K classes with scores (0, y) are the binary problem with t = +1 for class 1:
    # max(0, margin + o_wrong - o_right) = max(0, margin - t y)
    scores = np.array([0.3, -1.2, 2.5])
    signs = np.array([1.0, -1.0, -1.0])
    one_of_k = np.stack([signs < 0, signs > 0], axis=1).astype(float)
    two_class_outputs = np.stack([np.zeros(3), scores], axis=1)
    binary = float(HingeError()(column(*scores), column(*signs)))
    assert float(HingeError()(two_class_outputs, one_of_k)) == pytest.approx(binary)


def test_multiclass_form_still_works_next_to_the_binary_one():
    outputs, targets = np.array([[1.0, 2.0, 0.5]]), np.array([[0.0, 1.0, 0.0]])
    # margins: 1 + 1 - 2 = 0, 1 + 0.5 - 2 = -0.5: no error
    assert float(HingeError()(outputs, targets)) == 0.0


# Error messages ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_target", [0.0, 0.5, 2.0, -2.0])
def test_binary_targets_outside_minus_one_plus_one_are_rejected_with_what_was_got(bad_target):
    with pytest.raises(ValueError, match=r"HingeError.*binary targets in \{-1, \+1\}.*got 1 other value.*row 1"):
        HingeError()(column(0.0, 0.0), column(1.0, bad_target))


def test_zero_one_binary_targets_are_told_how_to_convert():
    with pytest.raises(ValueError, match=r"2 \* t - 1"):
        HingeError().grad(column(0.0, 0.0), column(0.0, 1.0))


@pytest.mark.parametrize(
    ("outputs_shape", "targets_shape"),
    [((3,), (3,)), ((3, 1), (3,)), ((3,), (3, 1)), ((3, 2), (3, 1)), ((3, 1), (3, 2)), ((2, 3, 1), (2, 3, 1))],
)
def test_wrong_shapes_name_both_accepted_forms_and_the_shapes_got(outputs_shape, targets_shape):
    pattern = (r"HingeError\(margin=1\.0\): expected outputs of shape \(batch_size, num_classes\) with one-of-K "
               r"targets.*or outputs of shape \(batch_size, 1\) with targets in \{-1, \+1\}.*got outputs of shape "
               + re.escape(f"{outputs_shape} and targets of shape {targets_shape}"))
    with pytest.raises(ValueError, match=pattern):
        HingeError()(np.zeros(outputs_shape), np.ones(targets_shape))


def test_multiclass_targets_that_are_not_one_of_k_are_still_rejected():
    with pytest.raises(ValueError, match=r"HingeError.*one-of-K.*row 1"):
        HingeError().grad(np.zeros((2, 3)), np.array([[0.0, 1.0, 0.0], [-1.0, 1.0, 1.0]]))


def test_an_empty_batch_is_rejected():
    with pytest.raises(ValueError, match=r"HingeError.*at least one example"):
        HingeError()(np.zeros((0, 1)), np.zeros((0, 1)))
