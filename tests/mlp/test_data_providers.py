"""Data providers: batching, shuffling, one-of-K targets, and the built-in data sets."""


import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlp.data_providers import (
    DataProvider,
    DigitsDataProvider,
    OneOfKDataProvider,
    to_one_of_k,
)


def numbered_data(num_examples, input_dim=3):
    """Inputs whose rows say which example they are: row n is [n, n, ...]; targets n."""
    inputs = np.repeat(np.arange(num_examples, dtype=float)[:, None], input_dim, axis=1)
    return inputs, np.arange(num_examples)


def epoch_of(provider):
    return [(inputs.copy(), targets.copy()) for inputs, targets in provider]


# Batching ----------------------------------------------------------------------------------


@given(num_examples=st.integers(1, 60), batch_size=st.integers(1, 25))
def test_an_epoch_visits_every_example_exactly_once(num_examples, batch_size):
    inputs, targets = numbered_data(num_examples)
    provider = DataProvider(inputs, targets, batch_size, rng=1)
    seen = np.concatenate([targets_batch for _, targets_batch in provider])
    assert sorted(seen.tolist()) == list(range(num_examples))


@given(num_examples=st.integers(1, 60), batch_size=st.integers(1, 25))
def test_batches_are_full_except_a_smaller_last_batch_with_the_remainder(num_examples, batch_size):
    provider = DataProvider(*numbered_data(num_examples), batch_size, rng=0)
    sizes = [len(inputs_batch) for inputs_batch, _ in provider]
    full, remainder = divmod(num_examples, batch_size)
    assert sizes == [batch_size] * full + ([remainder] if remainder else [])
    assert provider.num_batches == len(sizes) == len(provider)


def test_inputs_and_targets_stay_paired_after_shuffling():
    inputs, targets = numbered_data(23)
    for inputs_batch, targets_batch in DataProvider(inputs, targets, 5, rng=3):
        np.testing.assert_array_equal(inputs_batch[:, 0], targets_batch)


def test_max_num_batches_limits_the_batches_per_epoch():
    provider = DataProvider(*numbered_data(50), batch_size=10, max_num_batches=3, rng=0)
    assert provider.num_batches == 3
    assert len(epoch_of(provider)) == 3


def test_max_num_batches_larger_than_possible_gives_all_batches():
    provider = DataProvider(*numbered_data(50), batch_size=10, max_num_batches=100, rng=0)
    assert provider.num_batches == 5


def test_without_shuffling_batches_come_in_the_original_order():
    provider = DataProvider(*numbered_data(7), batch_size=3, shuffle_order=False)
    assert [targets.tolist() for _, targets in provider] == [[0, 1, 2], [3, 4, 5], [6]]


def test_next_raises_stop_iteration_at_the_end_of_an_epoch_and_then_starts_again():
    provider = DataProvider(*numbered_data(4), batch_size=2, shuffle_order=False)
    assert provider.next()[1].tolist() == [0, 1]
    assert next(provider)[1].tolist() == [2, 3]
    with pytest.raises(StopIteration):
        next(provider)
    assert next(provider)[1].tolist() == [0, 1]


def test_a_for_loop_after_a_half_finished_epoch_runs_a_whole_epoch():
    provider = DataProvider(*numbered_data(6), batch_size=2, rng=0)
    next(provider)
    assert len(epoch_of(provider)) == 3


def test_the_given_arrays_are_not_modified():
    inputs, targets = numbered_data(20)
    inputs_before, targets_before = inputs.copy(), targets.copy()
    provider = DataProvider(inputs, targets, 3, rng=0)
    epoch_of(provider)
    provider.reset()
    np.testing.assert_array_equal(inputs, inputs_before)
    np.testing.assert_array_equal(targets, targets_before)


# Shuffling and determinism ------------------------------------------------------------------


def test_the_same_seed_gives_the_same_batches():
    first = DataProvider(*numbered_data(30), 4, rng=7)
    second = DataProvider(*numbered_data(30), 4, rng=7)
    for _ in range(2):
        for (_, a), (_, b) in zip(epoch_of(first), epoch_of(second), strict=True):
            np.testing.assert_array_equal(a, b)


def test_different_seeds_give_different_orders():
    first = np.concatenate([t for _, t in DataProvider(*numbered_data(30), 30, rng=1)])
    second = np.concatenate([t for _, t in DataProvider(*numbered_data(30), 30, rng=2)])
    assert not np.array_equal(first, second)


def test_each_epoch_has_a_new_order_when_shuffling():
    provider = DataProvider(*numbered_data(30), 30, rng=0)
    first, second = epoch_of(provider)[0][1], epoch_of(provider)[0][1]
    assert sorted(first) == sorted(second)
    assert not np.array_equal(first, second)


def test_reset_repeats_the_epochs_seen_after_construction():
    provider = DataProvider(*numbered_data(30), 7, rng=5)
    before = [epoch_of(provider) for _ in range(2)]
    provider.reset()
    after = [epoch_of(provider) for _ in range(2)]
    for epoch_before, epoch_after in zip(before, after, strict=True):
        for (_, a), (_, b) in zip(epoch_before, epoch_after, strict=True):
            np.testing.assert_array_equal(a, b)


def test_reset_without_shuffling_restores_the_original_order():
    provider = DataProvider(*numbered_data(5), 2, shuffle_order=False)
    next(provider)
    provider.reset()
    assert next(provider)[1].tolist() == [0, 1]


def test_new_epoch_restarts_at_the_first_batch():
    provider = DataProvider(*numbered_data(6), 2, shuffle_order=False)
    next(provider)
    next(provider)
    provider.new_epoch()
    batches = []
    while True:
        try:
            batches.append(next(provider)[1].tolist())
        except StopIteration:
            break
    assert batches == [[0, 1], [2, 3], [4, 5]]


# Validation and properties -------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -3])
def test_batch_size_must_be_positive(bad):
    with pytest.raises(ValueError, match="batch_size"):
        DataProvider(*numbered_data(5), bad)


def test_batch_size_must_be_an_integer():
    with pytest.raises(TypeError, match="batch_size"):
        DataProvider(*numbered_data(5), 2.5)


def test_setting_batch_size_is_validated_and_changes_the_batches():
    provider = DataProvider(*numbered_data(10), 2, shuffle_order=False)
    provider.batch_size = 5
    assert provider.num_batches == 2
    with pytest.raises(ValueError, match="batch_size"):
        provider.batch_size = 0


@pytest.mark.parametrize("bad", [0, -2])
def test_max_num_batches_must_be_minus_one_or_positive(bad):
    with pytest.raises(ValueError, match=r"max_num_batches.*-1"):
        DataProvider(*numbered_data(5), 2, max_num_batches=bad)


def test_setting_max_num_batches_is_validated():
    provider = DataProvider(*numbered_data(10), 2)
    provider.max_num_batches = 1
    assert provider.num_batches == 1
    provider.max_num_batches = -1
    assert provider.num_batches == 5
    with pytest.raises(ValueError, match="max_num_batches"):
        provider.max_num_batches = 0


def test_inputs_and_targets_must_have_the_same_number_of_examples():
    with pytest.raises(ValueError, match=r"one entry per example \(5\)"):
        DataProvider(np.zeros((5, 2)), np.zeros(4), 2)


def test_bad_rng_is_a_type_error():
    with pytest.raises(TypeError, match="rng"):
        DataProvider(*numbered_data(5), 2, rng="seed")


def test_repr_shows_the_constructor_arguments():
    text = repr(DataProvider(np.zeros((5, 2)), np.zeros(5), 2, max_num_batches=3, shuffle_order=False))
    assert text.startswith("DataProvider(")
    for part in ("(5, 2)", "batch_size=2", "max_num_batches=3", "shuffle_order=False"):
        assert part in text


# One-of-K --------------------------------------------------------------------------------------


def test_to_one_of_k_matches_a_hand_written_table():
    expected = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    np.testing.assert_array_equal(to_one_of_k(np.array([2, 0, 1, 2]), 3), expected)


def test_to_one_of_k_rejects_labels_out_of_range():
    with pytest.raises(ValueError, match=r"labels in \[0, 2\]"):
        to_one_of_k(np.array([0, 3]), 3)


def test_one_of_k_provider_yields_one_hot_rows_for_the_batch_labels():
    inputs, labels = numbered_data(12)
    labels = labels % 4
    provider = OneOfKDataProvider(inputs, labels, 5, rng=2, num_classes=4)
    for inputs_batch, targets_batch in provider:
        assert targets_batch.shape == (len(inputs_batch), 4)
        np.testing.assert_array_equal(targets_batch.sum(axis=1), 1)
        np.testing.assert_array_equal(np.argmax(targets_batch, axis=1), inputs_batch[:, 0] % 4)


def test_one_of_k_provider_infers_the_number_of_classes():
    provider = OneOfKDataProvider(np.zeros((3, 1)), np.array([0, 2, 1]), 3)
    assert provider.num_classes == 3


def test_one_of_k_targets_take_the_float_type_of_the_inputs():
    provider = OneOfKDataProvider(np.zeros((4, 2), dtype=np.float32), np.array([0, 1, 1, 0]), 2)
    assert next(provider)[1].dtype == np.float32


def test_one_of_k_provider_needs_integer_labels():
    with pytest.raises(ValueError, match="integer class labels"):
        OneOfKDataProvider(np.zeros((2, 2)), np.array([[1.0, 0.0], [0.0, 1.0]]), 2)


# Digits --------------------------------------------------------------------------------------


def test_digits_split_sizes_are_the_documented_ones():
    sizes = {which: DigitsDataProvider(which).num_examples for which in ("train", "valid", "test")}
    assert sizes == {"train": 1079, "valid": 359, "test": 359}


def test_digits_splits_do_not_overlap_and_cover_the_data_set():
    from sklearn.datasets import load_digits

    all_rows = {tuple(row) for row in load_digits().data / 16.0}
    split_rows = [{tuple(row) for row in DigitsDataProvider(which).inputs}
                  for which in ("train", "valid", "test")]
    # (a few digits images are exact duplicates of each other, so compare as sets of rows)
    assert split_rows[0] | split_rows[1] | split_rows[2] == all_rows
    assert sum(DigitsDataProvider(w).num_examples for w in ("train", "valid", "test")) == 1797


def test_the_digits_read_from_scikit_learns_file_are_exactly_those_of_its_loader():
    from sklearn.datasets import load_digits

    from mlp.data_providers.digits import _load_digits

    digits = load_digits()
    inputs, labels = _load_digits()
    np.testing.assert_array_equal(inputs, digits.data / 16.0)
    np.testing.assert_array_equal(labels, digits.target)
    assert labels.dtype == np.int64


def test_without_scikit_learn_the_digits_error_says_what_to_install(monkeypatch):
    import importlib.util

    from mlp.data_providers import digits

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match=r"expected its file sklearn/datasets/data/digits.csv.gz, "
                                                r"got no scikit-learn installed \(pip install scikit-learn\)"):
        digits._digits_file()


def test_digits_splits_are_stratified():
    for which in ("train", "valid", "test"):
        counts = np.bincount(DigitsDataProvider(which).targets, minlength=10)
        fractions = counts / counts.sum()
        assert np.all(np.abs(fractions - 0.1) < 0.01)


def test_digits_are_fixed_between_constructions():
    first = DigitsDataProvider("valid", rng=1).inputs
    second = DigitsDataProvider("valid", rng=2).inputs
    np.testing.assert_array_equal(first, second)


def test_digits_inputs_are_in_the_unit_interval_with_one_of_ten_targets():
    inputs_batch, targets_batch = next(DigitsDataProvider("train", batch_size=50, rng=0))
    assert inputs_batch.shape == (50, 64)
    assert inputs_batch.min() >= 0 and inputs_batch.max() <= 1
    assert targets_batch.shape == (50, 10)
    np.testing.assert_array_equal(targets_batch.sum(axis=1), 1)


def test_digits_as_images_have_one_channel_and_the_same_pixels():
    flat = DigitsDataProvider("test", flatten=True)
    images = DigitsDataProvider("test", flatten=False)
    assert images.inputs.shape == (359, 1, 8, 8)
    np.testing.assert_array_equal(images.inputs.reshape(359, 64), flat.inputs)


def test_digits_float32():
    assert DigitsDataProvider("test", dtype=np.float32).inputs.dtype == np.float32


def test_digits_unknown_set_is_a_value_error():
    with pytest.raises(ValueError, match="which_set"):
        DigitsDataProvider("training")
