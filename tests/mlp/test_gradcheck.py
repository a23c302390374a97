"""mlp.gradcheck: finite differences agree with closed-form gradients and reports read well."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp.gradcheck import GradientCheckReport, check_gradient, numerical_gradient

finite_floats = st.floats(-3, 3, allow_nan=False, width=64)


@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=finite_floats))
def test_numerical_gradient_of_sum_of_cubes_matches_closed_form(x):
    gradient = numerical_gradient(lambda v: np.sum(v**3), x)
    np.testing.assert_allclose(gradient, 3 * x**2, rtol=1e-6, atol=1e-6)


def test_numerical_gradient_does_not_modify_its_input():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    np.testing.assert_array_equal(x, before)


def test_correct_gradient_passes_and_says_so():
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    report = check_gradient(lambda v: np.sum(np.exp(v)), np.exp, x, name="exp")
    assert report.passed and bool(report)
    assert "exp: passed" in str(report)


def test_wrong_sign_fails_and_report_names_index_and_values():
    x = np.array([[0.5, -1.0, 2.0]])
    report = check_gradient(lambda v: np.sum(v**2), lambda v: -2 * v, x, name="square")
    assert not report.passed
    text = str(report)
    assert "FAILED" in text and "3 of 3 entries are wrong" in text
    assert "index (0, 2)" in text  # largest error at the largest |x|
    assert "4" in text and "-4" in text
    with pytest.raises(AssertionError, match="square: FAILED"):
        report.raise_if_failed()


def test_wrong_shape_is_reported_as_such():
    report = GradientCheckReport("g", np.zeros((3, 2)), np.zeros((2, 3)))
    assert not report.passed
    assert "shape (3, 2)" in str(report) and "(2, 3)" in str(report)


def test_nan_in_analytic_gradient_fails():
    report = GradientCheckReport("g", np.array([1.0, np.nan]), np.array([1.0, 1.0]))
    assert not report.passed


def test_tiny_absolute_differences_near_zero_pass():
    report = GradientCheckReport("g", np.array([1e-12, 0.0]), np.array([0.0, 1e-11]))
    assert report.passed
