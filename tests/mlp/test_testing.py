"""mlp.testing: the notebook assertions fail with messages that teach, and pass correct answers."""

import numpy as np
import pytest

from mlp import testing
from mlp.layers import Layer


def test_assert_close_passes_equal_arrays_and_names_first_wrong_entry():
    testing.assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), "x")
    with pytest.raises(AssertionError, match=r"fprop: at index \(1,\) expected 2, got -2 \(1 of 2 entries differ"):
        testing.assert_close(np.array([1.0, -2.0]), np.array([1.0, 2.0]), "fprop")


def test_assert_close_reports_shape_type_and_nan():
    with pytest.raises(AssertionError, match=r"expected shape \(2, 3\), got shape \(3, 2\)"):
        testing.assert_close(np.zeros((3, 2)), np.zeros((2, 3)), "out")
    with pytest.raises(AssertionError, match="expected a NumPy array, got list"):
        testing.assert_close([1.0], np.array([1.0]), "out")
    with pytest.raises(AssertionError, match="NaN or inf"):
        testing.assert_close(np.array([np.inf]), np.array([1.0]), "out")


def test_assert_close_on_scalars():
    testing.assert_close(0.5, 0.5, "loss")
    with pytest.raises(AssertionError, match="loss: expected 0.5, got 0.25"):
        testing.assert_close(0.25, 0.5, "loss")


def test_assert_at_least_names_bar_and_value():
    testing.assert_at_least(0.97, 0.95, "accuracy")
    with pytest.raises(AssertionError, match="accuracy: expected at least 0.95, got 0.5"):
        testing.assert_at_least(0.5, 0.95, "accuracy")


def _class_in_main(name, bases=(object,)):
    return type(name, bases, {"__module__": "__main__"})


def test_own_class_accepts_notebook_class_on_allowed_base():
    testing.assert_own_class(_class_in_main("AffineLayer", (Layer,)), reference=int, allowed_bases=(Layer,))


def test_own_class_rejects_the_reference_an_import_and_a_subclass():
    from mlp.layers import SigmoidLayer

    with pytest.raises(AssertionError, match="this is the reference"):
        testing.assert_own_class(SigmoidLayer, SigmoidLayer)
    with pytest.raises(AssertionError, match="comes from mlp"):
        testing.assert_own_class(Layer, SigmoidLayer)
    with pytest.raises(AssertionError, match="inherits from mlp.layers"):
        testing.assert_own_class(_class_in_main("SigmoidLayer", (SigmoidLayer,)), SigmoidLayer, allowed_bases=(Layer,))


def test_own_function_rejects_imported_functions():
    from mlp.numerics import softmax

    with pytest.raises(AssertionError, match="written in this notebook"):
        testing.assert_own_function(softmax)
    namespace = {"__name__": "__main__"}
    exec("def softmax(x):\n    return x", namespace)
    testing.assert_own_function(namespace["softmax"], reference=softmax)


def test_accuracy_counts_argmax_matches():
    outputs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    targets = np.array([[0, 1], [0, 1], [0, 1]])
    assert testing.accuracy(outputs, targets) == pytest.approx(2 / 3)


@pytest.fixture
def numpy_rigged_to_pass(monkeypatch):
    """NumPy functions replaced the way a cheating notebook cell would replace them."""
    for name in ("allclose", "array_equal"):
        monkeypatch.setattr(np, name, lambda *args, **kwargs: True)
    monkeypatch.setattr(np, "isclose", lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool))
    for name in ("abs", "absolute", "argmax", "subtract", "mean", "equal"):
        monkeypatch.setattr(np, name, lambda *args, **kwargs: np.zeros(1))
    monkeypatch.setattr(np, "isfinite", lambda value: np.ones(np.shape(value), dtype=bool))
    monkeypatch.setattr(np, "any", lambda *args, **kwargs: False)
    monkeypatch.setattr(np, "all", lambda *args, **kwargs: True)


def test_assert_close_still_fails_wrong_arrays_when_numpy_is_rigged(numpy_rigged_to_pass):
    with pytest.raises(AssertionError, match=r"at index \(1,\) expected 2, got 5"):
        testing.assert_close(np.array([1.0, 5.0]), np.array([1.0, 2.0]), "fprop")
    with pytest.raises(AssertionError, match="expected 0.5, got 0.7"):
        testing.assert_close(0.7, 0.5, "sigmoid(0)")


def test_assert_array_still_finds_nan_when_numpy_is_rigged(numpy_rigged_to_pass):
    with pytest.raises(AssertionError, match="NaN or inf"):
        testing.assert_array(np.array([1.0, np.nan]), "outputs")
    with pytest.raises(AssertionError, match="expected at least 0.9"):
        testing.assert_at_least(float("nan"), 0.9, "accuracy")


def test_accuracy_is_still_right_when_numpy_is_rigged(numpy_rigged_to_pass):
    outputs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    targets = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    assert testing.accuracy(outputs, targets) == pytest.approx(2 / 3)
