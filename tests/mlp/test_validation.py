"""mlp.validation: errors name the owner, what was expected and what was got."""

import numpy as np
import pytest

from mlp import validation


def test_integer_arrays_become_float64_and_floats_keep_their_dtype():
    assert validation.as_float_array("f", "x", np.arange(3)).dtype == np.float64
    x32 = np.zeros(2, np.float32)
    assert validation.as_float_array("f", "x", x32) is x32


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([1 + 2j]), None])
def test_non_numeric_values_raise_type_error_naming_owner(bad):
    with pytest.raises(TypeError, match="^Layer: expected inputs to be a NumPy array of"):
        validation.as_float_array("Layer", "inputs", bad)


def test_check_shape_message_shows_expected_layout_and_actual_shape():
    expected = r"Affine: expected inputs of shape \(batch_size, 4\), got an array of shape \(2, 5\)"
    with pytest.raises(ValueError, match=expected):
        validation.check_shape("Affine", "inputs", np.zeros((2, 5)), ("batch_size", 4))
    validation.check_shape("Affine", "inputs", np.zeros((7, 4)), ("batch_size", 4))


def test_check_ndim_names_the_number_of_dimensions():
    with pytest.raises(ValueError, match=r"expected inputs with 4 dimensions .*\(2 dimensions\)"):
        validation.check_ndim("Conv", "inputs", np.zeros((2, 3)), 4, "(batch, channels, height, width)")


@pytest.mark.parametrize("value, error", [(0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError)])
def test_positive_int_rejects_non_positive_and_non_integers(value, error):
    with pytest.raises(error, match="expected size to be a positive integer"):
        validation.check_positive_int("Layer", "size", value)


def test_check_real_reports_the_interval():
    with pytest.raises(ValueError, match=r"expected p in \(0, 1\], got 0.0"):
        validation.check_real("Dropout", "p", 0, low=0, high=1, low_inclusive=False)
    assert validation.check_real("Dropout", "p", 1) == 1.0


def test_as_rng_accepts_seeds_and_generators_and_rejects_others():
    assert isinstance(validation.as_rng("f", 3), np.random.Generator)
    generator = np.random.default_rng(1)
    assert validation.as_rng("f", generator) is generator
    first = validation.as_rng("f", None).random()
    assert first == validation.as_rng("f", None).random()  # None is a fixed seed, not global state
    with pytest.raises(TypeError, match="expected rng"):
        validation.as_rng("f", "seed")
