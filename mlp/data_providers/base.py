"""Mini-batch iteration over a data set: :class:`DataProvider` and :class:`OneOfKDataProvider`.

A provider holds ``inputs`` (first axis = examples) and ``targets`` and yields
``(inputs_batch, targets_batch)`` pairs, one epoch at a time::

    provider = DataProvider(inputs, targets, batch_size=100, rng=0)
    for inputs_batch, targets_batch in provider:   # one epoch
        ...

Batches. An epoch has ``ceil(num_examples / batch_size)`` batches: when ``batch_size`` does
not divide the number of examples, the **last batch is smaller** (it holds the
``num_examples % batch_size`` left-over examples), so that one epoch sees every example
exactly once. ``max_num_batches`` (if not ``-1``) cuts an epoch short after that many batches.

Order. With ``shuffle_order=True`` the examples are visited in a new random order each epoch,
drawn from ``rng``; the same ``rng`` seed gives the same sequence of epochs. The arrays
given to the constructor are never modified.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from mlp.validation import as_rng, check_positive_int, describe


def to_one_of_k(labels, num_classes: int, dtype=np.float64) -> np.ndarray:
    """Encode integer class labels as one-of-K (one-hot) rows.

    Args:
        labels: integer array of shape ``(num_examples,)`` with values in ``[0, num_classes)``.
        num_classes: K, the number of classes.
        dtype: floating-point type of the result.

    Returns:
        Array of shape ``(num_examples, num_classes)`` with ``result[n, labels[n]] = 1`` and
        zeros elsewhere.
    """
    owner = "to_one_of_k"
    num_classes = check_positive_int(owner, "num_classes", num_classes)
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind == "f" and np.all(np.isfinite(labels)) and np.all(labels == np.round(labels)):
            labels = labels.astype(np.int64)
        else:
            raise TypeError(f"{owner}: expected integer class labels, got {describe(labels)}")
    if labels.ndim != 1:
        raise ValueError(
            f"{owner}: expected labels of shape (num_examples,), got an array of shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"{owner}: expected labels in [0, {num_classes - 1}], "
            f"got values from {labels.min()} to {labels.max()}"
        )
    one_of_k = np.zeros((labels.shape[0], num_classes), dtype=dtype)
    one_of_k[np.arange(labels.shape[0]), labels] = 1
    return one_of_k


class DataProvider:
    """Iterates over ``(inputs_batch, targets_batch)`` mini-batches of a data set.

    Args:
        inputs: array of shape ``(num_examples, ...)``, e.g. ``(num_examples, input_dim)`` or
            ``(num_examples, channels, height, width)``.
        targets: array of shape ``(num_examples, ...)`` (labels, one-of-K rows, values).
        batch_size: examples per batch (the last batch of an epoch may be smaller).
        max_num_batches: at most this many batches per epoch; ``-1`` for all of them.
        shuffle_order: visit the examples in a fresh random order each epoch.
        rng: ``numpy.random.Generator``, ``RandomState`` or integer seed for the shuffles
            (``None`` means seed 0).

    Attributes:
        inputs, targets: the whole data set, in its original order.
        rng: the random generator used for shuffling.

    >>> provider = DataProvider(np.arange(10.0).reshape(5, 2), np.arange(5), batch_size=2, shuffle_order=False)
    >>> provider.num_batches, [targets_batch.tolist() for _, targets_batch in provider]  # the last batch is smaller
    (3, [[0, 1], [2, 3], [4]])
    """

    def __init__(self, inputs, targets, batch_size: int, max_num_batches: int = -1,
                 shuffle_order: bool = True, rng=None) -> None:
        owner = type(self).__name__
        inputs = np.asarray(inputs)
        targets = np.asarray(targets)
        if inputs.ndim < 1 or inputs.shape[0] == 0:
            raise ValueError(f"{owner}: expected at least one example in inputs, got {describe(inputs)}")
        if targets.ndim < 1 or targets.shape[0] != inputs.shape[0]:
            raise ValueError(
                f"{owner}: expected targets with one entry per example ({inputs.shape[0]}), "
                f"got {describe(targets)}"
            )
        self.inputs = inputs
        self.targets = targets
        self._batch_size = check_positive_int(owner, "batch_size", batch_size)
        self._max_num_batches = self._checked_max_num_batches(max_num_batches)
        self.shuffle_order = bool(shuffle_order)
        self.rng = as_rng(owner, rng)
        self._initial_rng = copy.deepcopy(self.rng)
        self._order = np.arange(inputs.shape[0])
        self._current_batch = 0
        self.new_epoch()

    # Properties ---------------------------------------------------------------------

    @property
    def num_examples(self) -> int:
        """Number of examples in the data set."""
        return int(self.inputs.shape[0])

    @property
    def batch_size(self) -> int:
        """Examples per batch. Setting it restarts the current epoch at its first batch."""
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self._batch_size = check_positive_int(type(self).__name__, "batch_size", value)
        self._current_batch = 0

    @property
    def max_num_batches(self) -> int:
        """Upper limit on batches per epoch (``-1``: no limit). Setting it restarts the epoch."""
        return self._max_num_batches

    @max_num_batches.setter
    def max_num_batches(self, value: int) -> None:
        self._max_num_batches = self._checked_max_num_batches(value)
        self._current_batch = 0

    @property
    def num_batches(self) -> int:
        """Batches per epoch: ``ceil(num_examples / batch_size)``, capped by ``max_num_batches``."""
        possible = math.ceil(self.num_examples / self._batch_size)
        if self._max_num_batches == -1:
            return possible
        return min(possible, self._max_num_batches)

    def __len__(self) -> int:
        return self.num_batches

    # Epochs ---------------------------------------------------------------------------

    def new_epoch(self) -> None:
        """Start a new epoch: back to the first batch, in a fresh order if shuffling."""
        self._current_batch = 0
        if self.shuffle_order:
            self._order = self.rng.permutation(self.num_examples)

    def reset(self) -> None:
        """Return to the state right after construction.

        The original order is restored and the random generator is rewound, so the
        following epochs repeat exactly the batches seen after construction. (``rng`` is
        replaced by a copy of the generator as it was at construction.)
        """
        self.rng = copy.deepcopy(self._initial_rng)
        self._order = np.arange(self.num_examples)
        self.new_epoch()

    # Iteration ------------------------------------------------------------------------

    def __iter__(self) -> DataProvider:
        """The provider is its own iterator; a ``for`` loop always runs one whole epoch.

        If an epoch was left half-way (e.g. after calls to ``next``), a new epoch starts.
        """
        if self._current_batch > 0:
            self.new_epoch()
        return self

    def __next__(self) -> tuple[np.ndarray, np.ndarray]:
        """The next ``(inputs_batch, targets_batch)``; at the end of an epoch a new epoch is
        prepared and ``StopIteration`` is raised."""
        if self._current_batch >= self.num_batches:
            self.new_epoch()
            raise StopIteration
        start = self._current_batch * self._batch_size
        indices = self._order[start:start + self._batch_size]
        self._current_batch += 1
        return self._batch(indices)

    next = __next__  # the name used by older lab code

    def _batch(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The batch of examples at ``indices`` (subclasses may transform targets)."""
        return self.inputs[indices], self.targets[indices]

    # Helpers --------------------------------------------------------------------------

    def _checked_max_num_batches(self, value) -> int:
        owner = type(self).__name__
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value == -1:
            return -1
        try:
            return check_positive_int(owner, "max_num_batches", value)
        except ValueError:
            raise ValueError(
                f"{owner}: expected max_num_batches to be -1 (no limit) or a positive integer, "
                f"got {value}"
            ) from None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(inputs={self._shape_text(self.inputs)}, "
            f"targets={self._shape_text(self.targets)}, batch_size={self._batch_size}, "
            f"max_num_batches={self._max_num_batches}, shuffle_order={self.shuffle_order})"
        )

    @staticmethod
    def _shape_text(array: np.ndarray) -> str:
        return f"<array {array.shape} {array.dtype}>"


class OneOfKDataProvider(DataProvider):
    """A :class:`DataProvider` for classification that yields one-of-K target rows.

    ``targets`` are integer class labels of shape ``(num_examples,)`` (kept as labels in the
    ``targets`` attribute); each batch's targets are returned as an array of shape
    ``(batch_size, num_classes)`` with a single 1 per row, in the floating-point type of the
    inputs (float64 if the inputs are not floating point).

    Args:
        num_classes: K; ``None`` means ``max(targets) + 1``.
        other arguments: as for :class:`DataProvider`.
    """

    def __init__(self, inputs, targets, batch_size: int, max_num_batches: int = -1,
                 shuffle_order: bool = True, rng=None, num_classes: int | None = None) -> None:
        owner = type(self).__name__
        labels = np.asarray(targets)
        if labels.ndim != 1 or labels.dtype.kind not in "iu":
            raise ValueError(
                f"{owner}: expected integer class labels of shape (num_examples,), got {describe(labels)}"
            )
        if num_classes is None:
            num_classes = int(labels.max()) + 1 if labels.size else 1
        self.num_classes = check_positive_int(owner, "num_classes", num_classes)
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(
                f"{owner}: expected labels in [0, {self.num_classes - 1}], "
                f"got values from {labels.min()} to {labels.max()}"
            )
        super().__init__(inputs, labels, batch_size, max_num_batches, shuffle_order, rng)

    @property
    def one_of_k_targets(self) -> np.ndarray:
        """All targets as one-of-K rows, shape ``(num_examples, num_classes)``, original order."""
        return to_one_of_k(self.targets, self.num_classes, self._target_dtype)

    @property
    def _target_dtype(self):
        return self.inputs.dtype if self.inputs.dtype.kind == "f" else np.float64

    def _batch(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.inputs[indices], to_one_of_k(self.targets[indices], self.num_classes,
                                                 self._target_dtype)

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", num_classes={self.num_classes})"
