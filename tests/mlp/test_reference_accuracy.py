"""The reference models reach the accuracy the lessons promise, with fixed seeds.

These train real models (the same functions ``python -m mlp.demo`` uses) on the digits
training set and measure accuracy on the held-out test set, which training never sees.
"""

import pytest

from mlp.reference_models import train_reference


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_reference_model_reaches_97_percent_on_the_digits_test_set(name):
    result = train_reference(name, seed=0)
    assert result.accuracies["test"] >= 0.97, (
        f"reference {name} reached only {result.accuracies['test']:.4f} test accuracy "
        f"(train {result.accuracies['train']:.4f}, valid {result.accuracies['valid']:.4f})"
    )


def test_demo_table_has_one_row_per_model_with_its_accuracies():
    from types import SimpleNamespace

    from mlp.demo import format_table

    result = SimpleNamespace(name="mlp", run_time=1.25,
                             accuracies={"train": 1.0, "valid": 0.955, "test": 0.98})
    lines = format_table([result]).splitlines()
    assert lines[0].split() == ["model", "train", "acc", "valid", "acc", "test", "acc", "time", "(s)"]
    assert lines[2].split() == ["mlp", "1.0000", "0.9550", "0.9800", "1.2"]
