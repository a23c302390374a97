"""The default data set of the kit: scikit-learn's bundled 8x8 handwritten digits.

1797 grey-scale images of the digits 0-9 (about 180 per class), 8x8 pixels, shipped with
scikit-learn, so nothing is downloaded. Pixel values 0..16 are scaled to [0, 1].

The split is fixed: stratified by class with seed 0, 60 % / 20 % / 20 % of each class,
giving **1079 train, 359 valid and 359 test** images. It never changes between runs or
machines, so accuracies can be compared.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import numpy as np

from mlp.data_providers.base import OneOfKDataProvider
from mlp.data_providers.splits import check_which_set, stratified_split

SPLIT_SEED = 0
NUM_CLASSES = 10
IMAGE_SHAPE = (8, 8)


@functools.lru_cache(maxsize=1)
def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 images (rows of 64 values in [0, 1]) and labels, read from scikit-learn's own file.

    The CSV is read directly: importing ``sklearn.datasets`` (for ``load_digits``) takes about a
    second of CPU, in every kernel that loads the data, for the same numbers.
    """
    table = np.loadtxt(_digits_file(), delimiter=",")
    inputs = table[:, :-1] / 16.0
    labels = table[:, -1].astype(np.int64)
    inputs.setflags(write=False)
    labels.setflags(write=False)
    return inputs, labels


def _digits_file() -> Path:
    """Where scikit-learn keeps the digits (found without importing scikit-learn)."""
    spec = importlib.util.find_spec("sklearn")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    for folder in folders:
        path = Path(folder) / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            return path
    raise FileNotFoundError("the digits data set comes with scikit-learn: expected its file "
                            "sklearn/datasets/data/digits.csv.gz, got "
                            + ("no scikit-learn installed" if spec is None else f"none in {folders}")
                            + " (pip install scikit-learn)")


def load_digits_split(which_set: str, flatten: bool = True, dtype=np.float64):
    """The inputs and integer labels of one split of the digits data.

    Returns:
        ``(inputs, labels)``: inputs of shape ``(num_examples, 64)`` (``flatten=True``) or
        ``(num_examples, 1, 8, 8)``, values in [0, 1]; labels of shape ``(num_examples,)``.
    """
    check_which_set("load_digits_split", which_set)
    inputs, labels = _load_digits()
    indices = stratified_split(labels, (0.6, 0.2, 0.2), SPLIT_SEED)[which_set]
    split_inputs = inputs[indices].astype(dtype)
    if not flatten:
        split_inputs = split_inputs.reshape(-1, 1, *IMAGE_SHAPE)
    return split_inputs, labels[indices].copy()


class DigitsDataProvider(OneOfKDataProvider):
    """Mini-batches of the 8x8 digits with one-of-10 targets.

    Args:
        which_set: ``'train'`` (1079 images), ``'valid'`` (359) or ``'test'`` (359).
        batch_size, max_num_batches, shuffle_order, rng: as for
            :class:`~mlp.data_providers.DataProvider`.
        flatten: ``True`` gives inputs of shape ``(batch_size, 64)``; ``False`` gives images
            of shape ``(batch_size, 1, 8, 8)`` (channels first) for convolutional networks.
        dtype: floating-point type of the inputs (and so of the targets).

    The ``targets`` attribute holds the integer labels; batches carry one-of-K targets of
    shape ``(batch_size, 10)``.
    """

    def __init__(self, which_set: str = "train", batch_size: int = 100, max_num_batches: int = -1,
                 shuffle_order: bool = True, rng=None, flatten: bool = True,
                 dtype=np.float64) -> None:
        self.which_set = check_which_set(type(self).__name__, which_set)
        self.flatten = bool(flatten)
        inputs, labels = load_digits_split(which_set, self.flatten, dtype)
        super().__init__(inputs, labels, batch_size, max_num_batches, shuffle_order, rng,
                         num_classes=NUM_CLASSES)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(which_set={self.which_set!r}, batch_size={self.batch_size}, "
            f"max_num_batches={self.max_num_batches}, shuffle_order={self.shuffle_order}, "
            f"flatten={self.flatten}, dtype={np.dtype(self.inputs.dtype).name})"
        )
