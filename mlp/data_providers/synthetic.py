"""Small synthetic data sets made on the fly from a seed: two moons, and slash images.

Both are generated once in a random order from ``seed`` and split in consecutive blocks:
the first 60 % train, the next 20 % valid, the last 20 % test. The ``seed`` fixes the
data; the ``rng`` argument only fixes the order of the mini-batches.
"""

from __future__ import annotations

import numpy as np

from mlp.data_providers.base import OneOfKDataProvider
from mlp.data_providers.splits import check_which_set, sequential_split
from mlp.validation import check_non_negative_int, check_positive_int, check_real

FORWARD_SLASH, BACK_SLASH = 0, 1


def make_moons_data(num_examples: int = 500, noise: float = 0.2, seed: int = 0):
    """Two interleaved half circles (scikit-learn's ``make_moons``), in random order.

    Returns:
        ``(inputs, labels)``: inputs of shape ``(num_examples, 2)``, labels in {0, 1} of shape
        ``(num_examples,)``.
    """
    from sklearn.datasets import make_moons

    owner = "make_moons_data"
    num_examples = check_positive_int(owner, "num_examples", num_examples)
    noise = check_real(owner, "noise", noise, low=0)
    seed = check_non_negative_int(owner, "seed", seed)
    inputs, labels = make_moons(num_examples, shuffle=True, noise=noise, random_state=seed)
    return inputs, labels.astype(np.int64)


def make_slashes(num_examples: int = 600, image_size: int = 8, noise: float = 0.1,
                 min_length: int = 3, seed: int = 0):
    """Images of forward slashes ``/`` (label 0) and back slashes ``\\`` (label 1).

    Each image is dark (0) with one bright diagonal stroke of random length (at least
    ``min_length`` pixels), random position and random brightness in [0.6, 1], plus
    Gaussian pixel noise of standard deviation ``noise``; values are clipped to [0, 1].
    Half the images are of each class, in random order. A back slash runs from top-left to
    bottom-right (pixels with ``column - row = offset``), a forward slash from bottom-left to
    top-right (``column + row = image_size - 1 + offset``).

    Returns:
        ``(images, labels)``: images of shape ``(num_examples, 1, image_size, image_size)``,
        labels in {0, 1} of shape ``(num_examples,)``.
    """
    owner = "make_slashes"
    num_examples = check_positive_int(owner, "num_examples", num_examples)
    image_size = check_positive_int(owner, "image_size", image_size)
    min_length = check_positive_int(owner, "min_length", min_length)
    noise = check_real(owner, "noise", noise, low=0)
    if min_length > image_size:
        raise ValueError(f"{owner}: expected min_length <= image_size ({image_size}), got {min_length}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(num_examples) % 2)
    # the stroke lies on a diagonal shifted by `offset`, which holds image_size - |offset| pixels
    max_offset = image_size - min_length
    offsets = rng.integers(-max_offset, max_offset + 1, size=num_examples)
    diagonal_lengths = image_size - np.abs(offsets)
    lengths = rng.integers(min_length, diagonal_lengths + 1)
    # position of the stroke along its diagonal
    starts = rng.integers(0, diagonal_lengths - lengths + 1)
    brightness = rng.uniform(0.6, 1.0, size=num_examples)
    rows = np.arange(image_size)[None, :, None]
    columns = np.arange(image_size)[None, None, :]
    offsets_, starts_, lengths_ = (values[:, None, None] for values in (offsets, starts, lengths))
    is_back = labels[:, None, None] == BACK_SLASH
    on_diagonal = np.where(is_back, columns - rows == offsets_,
                           columns + rows == image_size - 1 + offsets_)
    # rows covered by the diagonal start at max(0, -offset) (back) or max(0, offset) (forward)
    first_row = np.where(is_back, np.maximum(0, -offsets_), np.maximum(0, offsets_))
    in_stroke = (rows >= first_row + starts_) & (rows < first_row + starts_ + lengths_)
    images = (on_diagonal & in_stroke) * brightness[:, None, None]
    images = images + noise * rng.standard_normal(images.shape)
    return np.clip(images, 0.0, 1.0)[:, None], labels.astype(np.int64)


class MoonsDataProvider(OneOfKDataProvider):
    """Mini-batches of the two-moons data with one-of-2 targets.

    Args:
        which_set: ``'train'`` (60 % of ``num_examples``), ``'valid'`` (20 %) or ``'test'`` (20 %).
        batch_size, max_num_batches, shuffle_order, rng: as for
            :class:`~mlp.data_providers.DataProvider`.
        num_examples: size of the whole data set before the split.
        noise: standard deviation of the Gaussian noise added to the points.
        seed: seed of the data itself.

    ``inputs`` has shape ``(n, 2)``; ``targets`` holds labels in {0, 1} (use
    ``2 * targets - 1`` for the {-1, +1} labels of a perceptron).
    """

    def __init__(self, which_set: str = "train", batch_size: int = 50, max_num_batches: int = -1,
                 shuffle_order: bool = True, rng=None, num_examples: int = 500,
                 noise: float = 0.2, seed: int = 0) -> None:
        self.which_set = check_which_set(type(self).__name__, which_set)
        self.num_examples_total, self.noise, self.seed = num_examples, noise, seed
        inputs, labels = make_moons_data(num_examples, noise, seed)
        indices = sequential_split(num_examples)[which_set]
        super().__init__(inputs[indices], labels[indices], batch_size, max_num_batches,
                         shuffle_order, rng, num_classes=2)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(which_set={self.which_set!r}, batch_size={self.batch_size}, "
            f"max_num_batches={self.max_num_batches}, shuffle_order={self.shuffle_order}, "
            f"num_examples={self.num_examples_total}, noise={self.noise}, seed={self.seed})"
        )


class SlashesDataProvider(OneOfKDataProvider):
    """Mini-batches of slash images (see :func:`make_slashes`) with one-of-2 targets.

    Label 0 is a forward slash ``/``, label 1 a back slash ``\\``. Inputs have shape
    ``(batch_size, 1, image_size, image_size)``; with ``flatten=True``
    ``(batch_size, image_size ** 2)``.

    Args:
        which_set: ``'train'`` (60 % of ``num_examples``), ``'valid'`` (20 %) or ``'test'`` (20 %).
        batch_size, max_num_batches, shuffle_order, rng: as for
            :class:`~mlp.data_providers.DataProvider`.
        num_examples, image_size, noise, min_length, seed: see :func:`make_slashes`.
        flatten: give each image as a vector.
    """

    def __init__(self, which_set: str = "train", batch_size: int = 50, max_num_batches: int = -1,
                 shuffle_order: bool = True, rng=None, num_examples: int = 600,
                 image_size: int = 8, noise: float = 0.1, min_length: int = 3, seed: int = 0,
                 flatten: bool = False) -> None:
        self.which_set = check_which_set(type(self).__name__, which_set)
        self.num_examples_total, self.image_size, self.noise = num_examples, image_size, noise
        self.min_length, self.seed, self.flatten = min_length, seed, bool(flatten)
        images, labels = make_slashes(num_examples, image_size, noise, min_length, seed)
        indices = sequential_split(num_examples)[which_set]
        inputs = images[indices]
        if self.flatten:
            inputs = inputs.reshape(inputs.shape[0], -1)
        super().__init__(inputs, labels[indices], batch_size, max_num_batches, shuffle_order,
                         rng, num_classes=2)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(which_set={self.which_set!r}, batch_size={self.batch_size}, "
            f"max_num_batches={self.max_num_batches}, shuffle_order={self.shuffle_order}, "
            f"num_examples={self.num_examples_total}, image_size={self.image_size}, "
            f"noise={self.noise}, min_length={self.min_length}, seed={self.seed}, "
            f"flatten={self.flatten})"
        )
