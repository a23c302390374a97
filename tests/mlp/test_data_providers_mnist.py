"""MNISTDataProvider and read_idx: MNIST from local IDX or npz files, and clear messages without them."""

import gzip
import struct

import numpy as np
import pytest

from mlp.data_providers import (
    MNISTDataProvider,
    load_mnist,
    read_idx,
)

# MNIST from local files --------------------------------------------------------------------------


def write_idx(path, array, gzipped):
    """Write ``array`` (uint8) in the IDX format, independently of the reader under test."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", size) for size in array.shape)
    content = header + array.astype(np.uint8).tobytes()
    if gzipped:
        with gzip.open(str(path) + ".gz", "wb") as file:
            file.write(content)
    else:
        path.write_bytes(content)


def tiny_mnist(num_train=12, num_test=4, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (num_train, 28, 28)), rng.integers(0, 10, num_train),
            rng.integers(0, 256, (num_test, 28, 28)), rng.integers(0, 10, num_test))


@pytest.mark.parametrize("gzipped", [False, True])
def test_read_idx_reads_what_was_written(tmp_path, gzipped):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "x-idx3-ubyte", array, gzipped)
    path = tmp_path / ("x-idx3-ubyte.gz" if gzipped else "x-idx3-ubyte")
    np.testing.assert_array_equal(read_idx(path), array)


def test_read_idx_rejects_other_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"not an idx file")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "bad")


def test_read_idx_rejects_truncated_files(tmp_path):
    write_idx(tmp_path / "x", np.zeros((2, 3), dtype=np.uint8), gzipped=False)
    (tmp_path / "x").write_bytes((tmp_path / "x").read_bytes()[:-1])
    with pytest.raises(ValueError, match="declares shape"):
        read_idx(tmp_path / "x")


@pytest.mark.parametrize("gzipped", [False, True])
def test_mnist_from_idx_files_splits_off_the_last_training_images_as_valid(tmp_path, gzipped):
    train_images, train_labels, test_images, test_labels = tiny_mnist()
    write_idx(tmp_path / "train-images-idx3-ubyte", train_images, gzipped)
    write_idx(tmp_path / "train-labels-idx1-ubyte", train_labels, gzipped)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", test_images, gzipped)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", test_labels, gzipped)
    train = MNISTDataProvider("train", data_dir=tmp_path, num_valid=5, shuffle_order=False)
    valid = MNISTDataProvider("valid", data_dir=tmp_path, num_valid=5, shuffle_order=False)
    test = MNISTDataProvider("test", data_dir=tmp_path, shuffle_order=False)
    np.testing.assert_allclose(train.inputs, train_images[:7].reshape(7, 784) / 255)
    np.testing.assert_array_equal(train.targets, train_labels[:7])
    np.testing.assert_allclose(valid.inputs, train_images[7:].reshape(5, 784) / 255)
    np.testing.assert_array_equal(valid.targets, train_labels[7:])
    np.testing.assert_allclose(test.inputs, test_images.reshape(4, 784) / 255)
    assert next(test)[1].shape == (4, 10)


def test_mnist_from_npz_files_and_the_environment_variable(tmp_path, monkeypatch):
    _, _, images, labels = tiny_mnist(num_test=6)
    np.savez(tmp_path / "mnist-valid.npz", inputs=images.reshape(6, 784).astype(np.uint8),
             targets=labels)
    monkeypatch.setenv("MLP_DATA_DIR", str(tmp_path))
    provider = MNISTDataProvider("valid", flatten=False, shuffle_order=False)
    assert provider.inputs.shape == (6, 1, 28, 28)
    np.testing.assert_allclose(provider.inputs[:, 0], images / 255)
    np.testing.assert_array_equal(provider.targets, labels)


def test_missing_mnist_names_the_files_the_directory_and_the_variable(tmp_path):
    with pytest.raises(FileNotFoundError) as raised:
        MNISTDataProvider("test", data_dir=tmp_path)
    message = str(raised.value)
    for part in (str(tmp_path), "mnist-test.npz", "t10k-images-idx3-ubyte.gz",
                 "t10k-labels-idx1-ubyte.gz", "MLP_DATA_DIR"):
        assert part in message


def test_mnist_without_any_directory_says_how_to_give_one(monkeypatch):
    monkeypatch.delenv("MLP_DATA_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match="MLP_DATA_DIR is not set"):
        load_mnist("train")
