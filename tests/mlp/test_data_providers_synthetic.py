"""The synthetic data sets: moons and the forward/back-slash images of the first CNN lesson."""


import numpy as np
import pytest

from mlp.data_providers import (
    BACK_SLASH,
    FORWARD_SLASH,
    MoonsDataProvider,
    SlashesDataProvider,
    make_slashes,
)

# Synthetic data sets ----------------------------------------------------------------------------


def test_moons_splits_have_60_20_20_sizes_and_two_classes():
    sizes = {w: MoonsDataProvider(w, num_examples=200).num_examples for w in ("train", "valid", "test")}
    assert sizes == {"train": 120, "valid": 40, "test": 40}
    provider = MoonsDataProvider("train", num_examples=200, batch_size=10)
    inputs_batch, targets_batch = next(provider)
    assert inputs_batch.shape == (10, 2) and targets_batch.shape == (10, 2)
    assert set(np.unique(provider.targets)) == {0, 1}


def test_moons_are_determined_by_the_seed():
    same = MoonsDataProvider("test", seed=3).inputs, MoonsDataProvider("test", seed=3).inputs
    np.testing.assert_array_equal(*same)
    assert not np.array_equal(MoonsDataProvider("test", seed=4).inputs, same[0])


def test_noise_free_slashes_lie_on_the_right_diagonal():
    images, labels = make_slashes(200, image_size=7, noise=0.0, min_length=3, seed=1)
    assert images.shape == (200, 1, 7, 7)
    rows, columns = np.indices((7, 7))
    for image, label in zip(images[:, 0], labels, strict=True):
        lit_rows, lit_columns = rows[image > 0], columns[image > 0]
        assert lit_rows.size >= 3
        if label == BACK_SLASH:
            assert np.unique(lit_columns - lit_rows).size == 1
        else:
            assert label == FORWARD_SLASH
            assert np.unique(lit_columns + lit_rows).size == 1
        # the stroke is unbroken: consecutive rows
        np.testing.assert_array_equal(np.sort(lit_rows), np.arange(lit_rows.min(), lit_rows.max() + 1))


def test_slashes_are_balanced_seeded_and_in_the_unit_interval():
    images, labels = make_slashes(100, seed=2)
    assert np.bincount(labels).tolist() == [50, 50]
    assert images.min() >= 0 and images.max() <= 1
    np.testing.assert_array_equal(make_slashes(100, seed=2)[0], images)


def test_slashes_provider_gives_images_or_vectors_with_one_of_two_targets():
    images = SlashesDataProvider("train", num_examples=100, batch_size=8, image_size=6)
    inputs_batch, targets_batch = next(images)
    assert inputs_batch.shape == (8, 1, 6, 6) and targets_batch.shape == (8, 2)
    vectors = SlashesDataProvider("valid", num_examples=100, flatten=True, image_size=6)
    assert vectors.inputs.shape == (20, 36)


def test_slashes_min_length_cannot_exceed_the_image():
    with pytest.raises(ValueError, match="min_length"):
        make_slashes(10, image_size=4, min_length=5)
