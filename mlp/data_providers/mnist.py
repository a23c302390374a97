"""MNIST from files on the local disk (the kit never downloads anything).

Where the files are looked for: the ``data_dir`` argument, else the directory named by the
environment variable ``MLP_DATA_DIR``. Two layouts are understood, tried in this order:

1. ``mnist-train.npz``, ``mnist-valid.npz``, ``mnist-test.npz``, each with an array
   ``inputs`` of shape ``(N, 784)`` or ``(N, 28, 28)`` (uint8 0..255, or floats already in
   [0, 1]) and an integer array ``targets`` of shape ``(N,)``.
2. The original IDX files, gzipped or not: ``train-images-idx3-ubyte[.gz]``,
   ``train-labels-idx1-ubyte[.gz]``, ``t10k-images-idx3-ubyte[.gz]``,
   ``t10k-labels-idx1-ubyte[.gz]``. The last ``num_valid`` (10000) training images form the
   validation set, the others the training set; ``t10k`` is the test set.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from mlp.data_providers.base import OneOfKDataProvider
from mlp.data_providers.splits import check_which_set
from mlp.validation import check_non_negative_int

DATA_DIR_VARIABLE = "MLP_DATA_DIR"
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)
IDX_PREFIX = {"train": "train", "valid": "train", "test": "t10k"}

_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path) -> np.ndarray:
    """Read an IDX file (the format of the original MNIST files), gzipped if it ends in ``.gz``.

    The file starts with two zero bytes, a type code (0x08 = unsigned byte), the number of
    dimensions, then each dimension as a big-endian 32-bit integer, then the data.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        content = file.read()
    if len(content) < 4 or content[0] != 0 or content[1] != 0 or content[2] not in _IDX_DTYPES:
        raise ValueError(f"read_idx: {path} is not an IDX file (its first bytes are {content[:4]!r})")
    dtype, ndim = _IDX_DTYPES[content[2]], content[3]
    header_size = 4 + 4 * ndim
    shape = tuple(int(size) for size in np.frombuffer(content[4:header_size], dtype=">u4"))
    expected_bytes = int(np.prod(shape)) * dtype.itemsize
    if len(content) - header_size != expected_bytes:
        raise ValueError(
            f"read_idx: {path} declares shape {shape} ({expected_bytes} bytes of data), "
            f"but holds {len(content) - header_size} bytes of data"
        )
    return np.frombuffer(content, dtype=dtype, offset=header_size).reshape(shape).astype(dtype.newbyteorder("="))


def _find(directory: Path, name: str) -> Path | None:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _missing_message(directory: Path | None, which_set: str) -> str:
    prefix = IDX_PREFIX[which_set]
    where = (
        f"in the directory {directory}" if directory is not None
        else f"because no directory was given (data_dir=None and {DATA_DIR_VARIABLE} is not set)"
    )
    return (
        f"MNISTDataProvider: cannot find the MNIST {which_set!r} data {where}. "
        f"Put either mnist-{which_set}.npz (arrays 'inputs' of shape (N, 784) and integer "
        f"'targets' of shape (N,)) or the original files {prefix}-images-idx3-ubyte.gz and "
        f"{prefix}-labels-idx1-ubyte.gz (gzipped or not) into one directory, and pass it as "
        f"data_dir=... or set the environment variable {DATA_DIR_VARIABLE} to it, e.g. "
        f"`export {DATA_DIR_VARIABLE}=$HOME/data/mnist`. The kit never downloads data."
    )


def resolve_data_dir(data_dir=None) -> Path | None:
    """``data_dir`` if given, else ``$MLP_DATA_DIR`` if set, else ``None``."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    from_environment = os.environ.get(DATA_DIR_VARIABLE)
    return Path(from_environment).expanduser() if from_environment else None


def load_mnist(which_set: str, data_dir=None, num_valid: int = 10000):
    """Load one MNIST split as ``(images, labels)`` from npz or IDX files (see module docs).

    Returns:
        ``images`` of shape ``(N, 28, 28)`` (float64 in [0, 1]) and integer ``labels`` of
        shape ``(N,)``.

    Raises:
        FileNotFoundError: with instructions, when neither layout is found.
    """
    check_which_set("load_mnist", which_set)
    num_valid = check_non_negative_int("load_mnist", "num_valid", num_valid)
    directory = resolve_data_dir(data_dir)
    if directory is None:
        raise FileNotFoundError(_missing_message(None, which_set))
    npz_path = directory / f"mnist-{which_set}.npz"
    if npz_path.is_file():
        with np.load(npz_path) as archive:
            if "inputs" not in archive or "targets" not in archive:
                raise ValueError(
                    f"load_mnist: {npz_path} should hold arrays 'inputs' and 'targets', "
                    f"it holds {sorted(archive.keys())}"
                )
            images, labels = archive["inputs"], archive["targets"]
    else:
        prefix = IDX_PREFIX[which_set]
        images_path = _find(directory, f"{prefix}-images-idx3-ubyte")
        labels_path = _find(directory, f"{prefix}-labels-idx1-ubyte")
        if images_path is None or labels_path is None:
            raise FileNotFoundError(_missing_message(directory, which_set))
        images, labels = read_idx(images_path), read_idx(labels_path)
        if which_set != "test":
            if num_valid >= images.shape[0]:
                raise ValueError(
                    f"load_mnist: num_valid={num_valid} leaves no training images out of "
                    f"{images.shape[0]} in {images_path}"
                )
            cut = images.shape[0] - num_valid
            part = slice(cut, None) if which_set == "valid" else slice(None, cut)
            images, labels = images[part], labels[part]
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"load_mnist: {images.shape[0]} images but {labels.shape[0]} labels for {which_set!r}"
        )
    images = np.asarray(images)
    images = images / 255.0 if images.dtype.kind in "iu" else images.astype(np.float64)
    return images.reshape(images.shape[0], *IMAGE_SHAPE), np.asarray(labels).astype(np.int64)


class MNISTDataProvider(OneOfKDataProvider):
    """Mini-batches of MNIST (28x28 digits) with one-of-10 targets, read from local files.

    Args:
        which_set: ``'train'``, ``'valid'`` or ``'test'``.
        batch_size, max_num_batches, shuffle_order, rng: as for
            :class:`~mlp.data_providers.DataProvider`.
        data_dir: directory holding the files; ``None`` uses ``$MLP_DATA_DIR``.
        flatten: ``True`` gives inputs of shape ``(batch_size, 784)``, ``False`` images of
            shape ``(batch_size, 1, 28, 28)``.
        num_valid: with IDX files, how many of the last training images form the validation
            set (10000, the classic 50000/10000 split).
        dtype: floating-point type of the inputs.

    Raises:
        FileNotFoundError: naming the files to provide and where, when they are absent.
    """

    def __init__(self, which_set: str = "train", batch_size: int = 100, max_num_batches: int = -1,
                 shuffle_order: bool = True, rng=None, data_dir=None, flatten: bool = True,
                 num_valid: int = 10000, dtype=np.float64) -> None:
        self.which_set = check_which_set(type(self).__name__, which_set)
        self.flatten = bool(flatten)
        self.data_dir = resolve_data_dir(data_dir)
        images, labels = load_mnist(which_set, self.data_dir, num_valid)
        inputs = images.reshape(images.shape[0], -1) if self.flatten else images[:, None]
        super().__init__(inputs.astype(dtype), labels, batch_size, max_num_batches,
                         shuffle_order, rng, num_classes=NUM_CLASSES)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(which_set={self.which_set!r}, batch_size={self.batch_size}, "
            f"max_num_batches={self.max_num_batches}, shuffle_order={self.shuffle_order}, "
            f"data_dir={str(self.data_dir)!r}, flatten={self.flatten})"
        )
