"""mlp.numerics: stable formulas equal the textbook ones where those are safe, and stay finite."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlp import numerics

moderate = arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=st.floats(-20, 20))


@given(moderate)
def test_sigmoid_matches_textbook_formula(x):
    np.testing.assert_allclose(numerics.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)


@given(moderate)
def test_softplus_matches_textbook_formula(x):
    np.testing.assert_allclose(numerics.softplus(x), np.log(1 + np.exp(x)), rtol=1e-10, atol=1e-12)


@given(moderate)
def test_softmax_matches_textbook_formula_and_log_softmax_is_its_log(x):
    expected = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(numerics.softmax(x), expected, rtol=1e-10)
    np.testing.assert_allclose(numerics.log_softmax(x), np.log(expected), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_give_exact_limits_without_warnings(dtype):
    x = np.array([[-1000.0, 0.0, 1000.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(numerics.sigmoid(x), [[0.0, 0.5, 1.0]])
        np.testing.assert_allclose(numerics.softplus(x), [[0.0, np.log(2), 1000.0]], rtol=1e-6)
        np.testing.assert_allclose(numerics.log_sigmoid(x), [[-1000.0, -np.log(2), 0.0]], rtol=1e-6)
        np.testing.assert_allclose(numerics.softmax(x), [[0.0, 0.0, 1.0]])
        np.testing.assert_allclose(numerics.log_softmax(x), [[-2000.0, -1000.0, 0.0]], rtol=1e-6)


@pytest.mark.parametrize("function", ["sigmoid", "softplus", "log_sigmoid", "softmax", "log_softmax"])
def test_float32_stays_float32(function):
    x = np.linspace(-3, 3, 6, dtype=np.float32).reshape(2, 3)
    assert getattr(numerics, function)(x).dtype == np.float32
