"""mlp.penalties: L1 and L2 values by hand, gradients by finite differences."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from mlp.gradcheck import check_gradient
from mlp.penalties import L1Penalty, L2Penalty

parameters = arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=4), elements=st.floats(-5, 5))
parameters_away_from_zero = arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=4),
                                   elements=st.one_of(st.floats(-5, -1e-3), st.floats(1e-3, 5)))
coefficients = st.floats(1e-3, 10)
# The finite-difference quotient (f(x + h) - f(x - h)) / 2h with h = 1e-6 carries a round-off error of
# about |f| * 1e-16 / 1e-6, i.e. 1e-8 for values of order 100, hence the absolute tolerance.
GRADCHECK_ATOL = 1e-6


def test_l1_penalty_is_coefficient_times_sum_of_absolute_values():
    parameter = np.array([[1.0, -2.0], [0.0, 0.5]])
    assert L1Penalty(0.1)(parameter) == pytest.approx(0.1 * 3.5)
    np.testing.assert_allclose(L1Penalty(0.1).grad(parameter), [[0.1, -0.1], [0.0, 0.1]])


def test_l2_penalty_is_half_coefficient_times_sum_of_squares():
    parameter = np.array([[1.0, -2.0], [0.0, 0.5]])
    assert L2Penalty(0.1)(parameter) == pytest.approx(0.5 * 0.1 * 5.25)
    np.testing.assert_allclose(L2Penalty(0.1).grad(parameter), [[0.1, -0.2], [0.0, 0.05]])


@given(parameters_away_from_zero, coefficients)
def test_l1_gradient_matches_finite_differences_away_from_zero(parameter, coefficient):
    penalty = L1Penalty(coefficient)
    check_gradient(penalty, penalty.grad, parameter, name=repr(penalty), atol=GRADCHECK_ATOL).raise_if_failed()


@given(parameters, coefficients)
def test_l2_gradient_matches_finite_differences(parameter, coefficient):
    penalty = L2Penalty(coefficient)
    check_gradient(penalty, penalty.grad, parameter, name=repr(penalty), atol=GRADCHECK_ATOL).raise_if_failed()


@pytest.mark.parametrize("penalty", [L1Penalty(0.01), L2Penalty(0.01)], ids=repr)
def test_values_are_floats_and_gradients_keep_shape_and_dtype(penalty):
    parameter = np.array([[1.0, -2.0, 3.0]], dtype=np.float32)
    assert isinstance(penalty(parameter), float)
    grad = penalty.grad(parameter)
    assert grad.shape == parameter.shape
    assert grad.dtype == np.float32


@pytest.mark.parametrize("cls", [L1Penalty, L2Penalty], ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("coefficient", [0.0, -0.1, float("inf")])
def test_coefficient_must_be_positive_and_finite(cls, coefficient):
    with pytest.raises(ValueError, match=rf"{cls.__name__}.*coefficient"):
        cls(coefficient)


def test_non_numeric_parameter_raises_type_error():
    with pytest.raises(TypeError, match=r"L2Penalty\(coefficient=0.1\).*parameter"):
        L2Penalty(0.1)(np.array(["a"]))


def test_reprs_show_the_coefficient():
    assert repr(L1Penalty(0.001)) == "L1Penalty(coefficient=0.001)"
    assert repr(L2Penalty(0.5)) == "L2Penalty(coefficient=0.5)"
