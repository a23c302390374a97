r"""Error (loss) functions: how far a model's outputs are from the targets.

Every error has the same two methods:

* ``error(outputs, targets)`` - the error averaged over the batch, a 0-d NumPy float of the
  outputs' dtype;
* ``error.grad(outputs, targets)`` - the gradient of that *mean* with respect to
  ``outputs``, an array of the same shape and dtype as ``outputs``. Because the value is a
  mean over the batch, every gradient carries a factor ``1 / batch_size``.

``outputs`` and ``targets`` are arrays of shape ``(batch_size, output_dim)``. Errors that
treat each output on its own (squared differences, binary cross-entropy) also accept
``(batch_size,)``, read as ``output_dim = 1``. Class targets are one-of-K: each row of
``targets`` has a single 1 at the index of the correct class and 0 elsewhere.

Errors whose name ends in ``Sigmoid``/``Softmax`` take *logits* (unnormalised scores) and fold
the sigmoid/softmax into the loss. That is both simpler (the gradient is
``(prediction - targets) / batch_size``) and numerically stable for any logits.
"""

from __future__ import annotations

import numpy as np

from mlp.numerics import log_softmax, sigmoid, softmax, softplus
from mlp.validation import as_float_array, check_ndim, check_real, check_same_shape


class _Error:
    """Shared argument checks. Subclasses implement ``__call__`` and ``grad``."""

    #: whether ``(batch_size,)`` outputs are accepted (as ``output_dim = 1``)
    accepts_one_dimensional = False
    #: what ``targets`` must hold, checked by :meth:`_check_target_values`
    targets_are_classes = False

    def _check(self, outputs, targets) -> tuple[np.ndarray, np.ndarray]:
        """Return ``outputs`` and ``targets`` as float arrays of the outputs' dtype, or raise."""
        owner = repr(self)
        outputs = as_float_array(owner, "outputs", outputs)
        targets = as_float_array(owner, "targets", targets)
        if self.accepts_one_dimensional and outputs.ndim == 1:
            pass
        elif self.accepts_one_dimensional and outputs.ndim != 2:
            raise ValueError(
                f"{owner}: expected outputs of shape (batch_size, output_dim) or (batch_size,), "
                f"got an array of shape {outputs.shape} ({outputs.ndim} dimensions)"
            )
        else:
            check_ndim(owner, "outputs", outputs, 2, "(batch_size, output_dim)")
        if self.targets_are_classes and targets.ndim == 1 and outputs.ndim == 2:
            raise ValueError(
                f"{owner}: expected one-of-K targets of shape {outputs.shape} like the outputs, "
                f"got targets of shape {targets.shape}; class labels must be one-of-K encoded "
                "(e.g. with OneOfKDataProvider)"
            )
        check_same_shape(owner, "outputs", outputs, "targets", targets)
        if outputs.shape[0] == 0:
            raise ValueError(f"{owner}: expected a batch of at least one example, got outputs of shape {outputs.shape}")
        return outputs, targets.astype(outputs.dtype, copy=False)

    def _check_probabilities(self, outputs: np.ndarray) -> None:
        """Raise if some output lies outside ``[0, 1]`` (beyond rounding); NaN passes so training can report it."""
        slack = 1000 * float(np.finfo(outputs.dtype).eps)
        outside = (outputs < -slack) | (outputs > 1 + slack)
        if np.any(outside):
            index = tuple(int(i) for i in np.argwhere(outside)[0])
            raise ValueError(
                f"{self!r}: expected outputs to be probabilities in [0, 1], got {int(outside.sum())} "
                f"value(s) outside, e.g. {float(outputs[index])!r} at index {index}; if your outputs are logits "
                "(no sigmoid/softmax applied), use the error whose name ends in Sigmoid/Softmax"
            )

    def _check_one_of_k(self, targets: np.ndarray) -> None:
        """Raise unless every row of ``targets`` is a one-of-K vector (a single 1, zeros elsewhere)."""
        row_is_one_of_k = np.all((targets == 0) | (targets == 1), axis=1) & (targets.sum(axis=1) == 1)
        if not np.all(row_is_one_of_k):
            bad_row = int(np.argmin(row_is_one_of_k))
            shown = np.array2string(targets[bad_row], precision=4, threshold=12)
            raise ValueError(
                f"{self!r}: expected one-of-K targets (one 1 per row, 0 elsewhere), got row {bad_row} = {shown}"
            )

    @staticmethod
    def _mean_over_batch(per_entry: np.ndarray, dtype: np.dtype) -> np.floating:
        """Sum of ``per_entry`` divided by the batch size, as a 0-d float of ``dtype``."""
        return np.dtype(dtype).type(np.sum(per_entry) / per_entry.shape[0])

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SumOfSquaredDiffsError(_Error):
    r"""Half the squared Euclidean distance between outputs and targets, averaged over the batch.

    .. math:: E = \frac{1}{N} \sum_{n=1}^{N} \frac{1}{2} \sum_{k} (y^{(n)}_k - t^{(n)}_k)^2,
       \qquad \frac{\partial E}{\partial y^{(n)}_k} = \frac{y^{(n)}_k - t^{(n)}_k}{N}

    outputs, targets: arrays of shape ``(batch_size, output_dim)`` or ``(batch_size,)``.

    >>> error, outputs, targets = SumOfSquaredDiffsError(), np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2))
    >>> float(error(outputs, targets))  # (0.5 * (1 + 4) + 0.5 * (9 + 16)) / 2
    7.5
    >>> error.grad(outputs, targets)  # (outputs - targets) / 2
    array([[0.5, 1. ],
           [1.5, 2. ]])
    """

    accepts_one_dimensional = True

    def __call__(self, outputs, targets) -> np.floating:
        outputs, targets = self._check(outputs, targets)
        return self._mean_over_batch(0.5 * (outputs - targets) ** 2, outputs.dtype)

    def grad(self, outputs, targets) -> np.ndarray:
        outputs, targets = self._check(outputs, targets)
        return (outputs - targets) / outputs.shape[0]


class BinaryCrossEntropyError(_Error):
    r"""Binary cross-entropy of predicted probabilities, summed over outputs, averaged over the batch.

    .. math:: E = -\frac{1}{N} \sum_{n} \sum_{k} \left[ t_k \log y_k + (1 - t_k) \log (1 - y_k) \right],
       \qquad \frac{\partial E}{\partial y_k} = \frac{1}{N} \frac{y_k - t_k}{y_k (1 - y_k)}

    outputs: probabilities in ``[0, 1]`` (e.g. after a :class:`~mlp.layers.SigmoidLayer`), shape
    ``(batch_size, output_dim)`` or ``(batch_size,)``. targets: 0/1 labels (or probabilities) of the
    same shape.

    Numerics: an output of exactly 0 or 1 would give ``log(0)``. Only to avoid that, outputs are
    clipped to ``[eps, 1 - eps]`` with ``eps`` the machine epsilon of their dtype (about 2.2e-16
    for float64, 1.2e-7 for float32) in both the value and the gradient; everywhere else the
    formulas above are used unchanged. When the model's last layer is a sigmoid,
    :class:`BinaryCrossEntropySigmoidError` on the logits is the better choice.
    """

    accepts_one_dimensional = True

    def _clipped(self, outputs: np.ndarray) -> np.ndarray:
        self._check_probabilities(outputs)
        eps = float(np.finfo(outputs.dtype).eps)
        return np.clip(outputs, eps, 1.0 - eps)

    def __call__(self, outputs, targets) -> np.floating:
        outputs, targets = self._check(outputs, targets)
        probabilities = self._clipped(outputs)
        per_entry = -(targets * np.log(probabilities) + (1.0 - targets) * np.log(1.0 - probabilities))
        return self._mean_over_batch(per_entry, outputs.dtype)

    def grad(self, outputs, targets) -> np.ndarray:
        outputs, targets = self._check(outputs, targets)
        probabilities = self._clipped(outputs)
        return (probabilities - targets) / (probabilities * (1.0 - probabilities)) / outputs.shape[0]


class BinaryCrossEntropySigmoidError(_Error):
    r"""Binary cross-entropy of ``sigmoid(outputs)``, where ``outputs`` are logits.

    With :math:`\sigma` the logistic sigmoid and :math:`\log(1 - \sigma(z)) = \log\sigma(z) - z`,

    .. math:: E = \frac{1}{N} \sum_{n} \sum_{k} \left[ \mathrm{softplus}(z_k) - t_k z_k \right],
       \qquad \frac{\partial E}{\partial z_k} = \frac{\sigma(z_k) - t_k}{N}

    where :math:`\mathrm{softplus}(z) = \log(1 + e^{z})` is computed without overflow, so any
    logits (even ``|z| = 1000``) give a finite error.

    outputs: logits of shape ``(batch_size, output_dim)`` or ``(batch_size,)``; targets: 0/1
    labels (or probabilities) of the same shape.
    """

    accepts_one_dimensional = True

    def __call__(self, outputs, targets) -> np.floating:
        outputs, targets = self._check(outputs, targets)
        return self._mean_over_batch(softplus(outputs) - targets * outputs, outputs.dtype)

    def grad(self, outputs, targets) -> np.ndarray:
        outputs, targets = self._check(outputs, targets)
        return (sigmoid(outputs) - targets) / outputs.shape[0]


class CrossEntropyError(_Error):
    r"""Multi-class cross-entropy (negative log-likelihood) of predicted class probabilities.

    .. math:: E = -\frac{1}{N} \sum_{n} \sum_{k} t^{(n)}_k \log y^{(n)}_k,
       \qquad \frac{\partial E}{\partial y_k} = -\frac{1}{N} \frac{t_k}{y_k}

    outputs: probabilities of shape ``(batch_size, num_classes)`` (e.g. after a
    :class:`~mlp.layers.SoftmaxLayer`); targets: one-of-K, same shape.

    Numerics: only to avoid ``log(0)`` and division by zero, outputs are clipped below at the
    machine epsilon of their dtype. With a softmax output layer prefer
    :class:`CrossEntropySoftmaxError` on the logits.
    """

    targets_are_classes = True

    def _clipped(self, outputs: np.ndarray) -> np.ndarray:
        self._check_probabilities(outputs)
        return np.maximum(outputs, float(np.finfo(outputs.dtype).eps))

    def __call__(self, outputs, targets) -> np.floating:
        outputs, targets = self._check(outputs, targets)
        return self._mean_over_batch(-targets * np.log(self._clipped(outputs)), outputs.dtype)

    def grad(self, outputs, targets) -> np.ndarray:
        outputs, targets = self._check(outputs, targets)
        return -targets / self._clipped(outputs) / outputs.shape[0]


class CrossEntropySoftmaxError(_Error):
    r"""Multi-class cross-entropy of ``softmax(outputs)``, where ``outputs`` are logits.

    .. math:: E = -\frac{1}{N} \sum_{n} \sum_{k} t^{(n)}_k \log \mathrm{softmax}(z^{(n)})_k,
       \qquad \frac{\partial E}{\partial z_k} = \frac{\mathrm{softmax}(z)_k - t_k}{N}

    The log-softmax :math:`z_k - \log\sum_j e^{z_j}` is computed with the maximum subtracted
    first, so any logits give a finite error. The gradient formula uses that each row of the
    targets sums to 1, which is checked.

    outputs: logits of shape ``(batch_size, num_classes)``; targets: one-of-K (or any rows of
    probabilities that sum to 1), same shape.

    >>> error, logits, targets = CrossEntropySoftmaxError(), np.zeros((1, 4)), np.array([[0.0, 1.0, 0.0, 0.0]])
    >>> round(float(error(logits, targets)), 6)  # equal scores: -log(1/4) = log 4
    1.386294
    >>> error.grad(logits, targets)  # softmax(logits) - targets
    array([[ 0.25, -0.75,  0.25,  0.25]])
    """

    targets_are_classes = True

    def _check(self, outputs, targets) -> tuple[np.ndarray, np.ndarray]:
        outputs, targets = super()._check(outputs, targets)
        row_sums = targets.sum(axis=1)
        if not np.all(np.abs(row_sums - 1.0) <= 1e-4):
            worst = int(np.argmax(np.abs(row_sums - 1.0)))
            raise ValueError(
                f"{self!r}: expected one-of-K targets (each row sums to 1), "
                f"got row {worst} summing to {row_sums[worst]:.6g}"
            )
        return outputs, targets

    def __call__(self, outputs, targets) -> np.floating:
        outputs, targets = self._check(outputs, targets)
        return self._mean_over_batch(-targets * log_softmax(outputs, axis=1), outputs.dtype)

    def grad(self, outputs, targets) -> np.ndarray:
        outputs, targets = self._check(outputs, targets)
        return (softmax(outputs, axis=1) - targets) / outputs.shape[0]


class HingeError(_Error):
    r"""Hinge error, averaged over the batch: multi-class (Weston and Watkins) or binary.

    **Multi-class** (targets one-of-K, shape ``(batch_size, num_classes)``). For an example with
    correct class :math:`y` and scores :math:`o`,

    .. math:: E^{(n)} = \sum_{j \neq y} \max(0,\ \Delta + o_j - o_y)

    with margin :math:`\Delta`: every wrong class whose score comes within :math:`\Delta` of the
    correct one adds to the error. The (sub)gradient of the batch mean is, with
    :math:`a_j = [\Delta + o_j - o_y > 0]` for :math:`j \neq y`,

    .. math:: \frac{\partial E}{\partial o_j} = \frac{a_j}{N}\ (j \neq y), \qquad
       \frac{\partial E}{\partial o_y} = -\frac{1}{N} \sum_{j \neq y} a_j

    **Binary** (outputs and targets of shape ``(batch_size, 1)``, targets in :math:`\{-1, +1\}`),
    the loss of a linear support vector machine:

    .. math:: E^{(n)} = \max(0,\ \Delta - t y), \qquad
       \frac{\partial E}{\partial y} = -\frac{t\, [\Delta - t y > 0]}{N}

    One column always means the binary form (a one-of-K target with a single class says nothing).
    At a kink, where the bracket is exactly 0, the subgradient 0 is used in both forms.

    Args:
        margin: :math:`\Delta \ge 0`, the required gap between the correct score and the others
            (binary: between :math:`t y` and 0); 1 by default.

    >>> error = HingeError()
    >>> outputs, targets = np.array([[2.0], [0.5], [0.5]]), np.array([[1.0], [1.0], [-1.0]])
    >>> float(error(outputs, targets))  # (max(0, 1 - 2) + max(0, 1 - 0.5) + max(0, 1 + 0.5)) / 3
    0.6666666666666666
    >>> error.grad(outputs, targets)  # -t [1 - t y > 0] / 3
    array([[ 0.        ],
           [-0.33333333],
           [ 0.33333333]])
    """

    targets_are_classes = True
    _expected_forms = (
        "outputs of shape (batch_size, num_classes) with one-of-K targets of the same shape, "
        "or outputs of shape (batch_size, 1) with targets in {-1, +1} of the same shape"
    )

    def __init__(self, margin: float = 1.0) -> None:
        self.margin = check_real(f"{type(self).__name__}(margin={margin!r})", "margin", margin, low=0.0)

    def _check(self, outputs, targets) -> tuple[np.ndarray, np.ndarray]:
        owner = repr(self)
        shapes = [np.shape(outputs), np.shape(targets)]
        if len(shapes[0]) != 2 or shapes[0] != shapes[1]:
            raise ValueError(
                f"{owner}: expected {self._expected_forms}; got outputs of shape {shapes[0]} "
                f"and targets of shape {shapes[1]}"
            )
        outputs, targets = super()._check(outputs, targets)
        if outputs.shape[1] == 1:
            self._check_signs(targets)
        else:
            self._check_one_of_k(targets)
        return outputs, targets

    def _check_signs(self, targets: np.ndarray) -> None:
        """Raise unless every binary target is -1 or +1."""
        is_sign = (targets == -1) | (targets == 1)
        if not np.all(is_sign):
            bad_row = int(np.argmin(is_sign[:, 0]))
            raise ValueError(
                f"{self!r}: expected binary targets in {{-1, +1}} for outputs of shape (batch_size, 1), "
                f"got {int((~is_sign).sum())} other value(s), e.g. {float(targets[bad_row, 0])!r} in row {bad_row}; "
                "0/1 labels become -1/+1 with 2 * t - 1"
            )

    def _margins(self, outputs, targets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Checked ``outputs``, ``targets`` and the brackets of the hinge (0 in the correct class's column)."""
        outputs, targets = self._check(outputs, targets)
        if outputs.shape[1] == 1:
            return outputs, targets, self.margin - targets * outputs
        correct_scores = np.sum(outputs * targets, axis=1, keepdims=True)
        margins = (self.margin + outputs - correct_scores) * (1.0 - targets)
        return outputs, targets, margins

    def __call__(self, outputs, targets) -> np.floating:
        outputs, _, margins = self._margins(outputs, targets)
        return self._mean_over_batch(np.maximum(margins, 0.0), outputs.dtype)

    def grad(self, outputs, targets) -> np.ndarray:
        outputs, targets, margins = self._margins(outputs, targets)
        if outputs.shape[1] == 1:
            return np.where(margins > 0, -targets, 0.0).astype(outputs.dtype, copy=False) / outputs.shape[0]
        active = (margins > 0).astype(outputs.dtype)
        num_active = active.sum(axis=1, keepdims=True)
        return (active - targets * num_active) / outputs.shape[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(margin={self.margin!r})"
