r"""Central-difference gradient checks with reports a student can read.

The central difference

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon}

has an error of order :math:`\epsilon^2`, so with ``eps = 1e-6`` in float64 it agrees with
a correct analytic gradient to about seven significant digits.

Checks run in float64 on copies: a float32 layer is cast up for the check, and nothing the
caller passes in is modified. Each check returns a :class:`GradientCheckReport`, which is
truthy when the check passed, prints as a readable sentence, and has ``raise_if_failed()``.

Layers and models are checked through a random projection: the scalar
:math:`f(x) = \sum_{ij} R_{ij}\,\mathrm{fprop}(x)_{ij}` with a fixed random :math:`R` has
gradient ``bprop(x, y, R)``, which tests every entry of the Jacobian-vector product.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mlp.layers.base import LayerWithParameters, StochasticLayer, StochasticLayerWithParameters


@dataclass
class GradientCheckReport:
    """The outcome of comparing an analytic gradient against finite differences.

    Attributes:
        name: what was checked, e.g. ``"bprop of TanhLayer() w.r.t. inputs"``.
        analytic: the gradient the code under test returned.
        numerical: the central-difference estimate (same shape).
        rtol, atol: an entry passes when ``|analytic - numerical| <= atol + rtol * max(|analytic|, |numerical|)``.
    """

    name: str
    analytic: np.ndarray
    numerical: np.ndarray
    rtol: float = 1e-5
    atol: float = 1e-8

    def __post_init__(self) -> None:
        self.analytic = np.asarray(self.analytic, dtype=np.float64)
        self.numerical = np.asarray(self.numerical, dtype=np.float64)

    @property
    def shape_ok(self) -> bool:
        """Whether the analytic gradient has the shape of the thing it differentiates."""
        return self.analytic.shape == self.numerical.shape

    @property
    def abs_errors(self) -> np.ndarray:
        return np.abs(self.analytic - self.numerical)

    @property
    def relative_errors(self) -> np.ndarray:
        """``|analytic - numerical| / max(|analytic|, |numerical|)`` (0 where both are 0)."""
        scale = np.maximum(np.abs(self.analytic), np.abs(self.numerical))
        return np.divide(self.abs_errors, scale, out=np.zeros_like(scale), where=scale > 0)

    @property
    def max_relative_error(self) -> float:
        if not self.shape_ok:
            return float("inf")
        return float(self.relative_errors.max(initial=0.0))

    @property
    def max_abs_error(self) -> float:
        if not self.shape_ok:
            return float("inf")
        return float(self.abs_errors.max(initial=0.0))

    @property
    def _excess(self) -> np.ndarray:
        scale = np.maximum(np.abs(self.analytic), np.abs(self.numerical))
        return self.abs_errors / (self.atol + self.rtol * scale)

    @property
    def worst_index(self) -> tuple:
        """Index of the entry that is furthest outside the tolerance."""
        if not self.shape_ok or self.analytic.size == 0:
            return ()
        return tuple(int(i) for i in np.unravel_index(np.argmax(self._excess), self.analytic.shape))

    @property
    def num_wrong(self) -> int:
        if not self.shape_ok:
            return int(self.numerical.size)
        return int(np.count_nonzero(self._excess > 1) + np.count_nonzero(~np.isfinite(self.analytic)))

    @property
    def passed(self) -> bool:
        return self.shape_ok and self.num_wrong == 0

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if not self.shape_ok:
            return (
                f"{self.name}: FAILED - the gradient has shape {self.analytic.shape}, "
                f"but it should have the shape {self.numerical.shape} of what it differentiates"
            )
        if self.analytic.size == 0:
            return f"{self.name}: passed (nothing to check, the array is empty)"
        index = self.worst_index
        where = f"index {index}" if index else "the only entry"
        if self.passed:
            return (
                f"{self.name}: passed (max relative error {self.max_relative_error:.2e}, "
                f"max absolute error {self.max_abs_error:.2e})"
            )
        return (
            f"{self.name}: FAILED - {self.num_wrong} of {self.analytic.size} entries are wrong. "
            f"At {where} the finite-difference gradient is {self.numerical[index]:.6g} "
            f"but the code gave {self.analytic[index]:.6g} "
            f"(max relative error {self.max_relative_error:.2e}; tolerance rtol={self.rtol:g}, atol={self.atol:g})"
        )

    def __repr__(self) -> str:
        status = "passed" if self.passed else "FAILED"
        return f"GradientCheckReport({self.name!r}, {status}, max_relative_error={self.max_relative_error:.2e})"

    def raise_if_failed(self) -> GradientCheckReport:
        """Raise ``AssertionError`` with the readable report if the check failed."""
        if not self.passed:
            raise AssertionError(str(self))
        return self


def numerical_gradient(function: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``function`` at ``x`` (float64, shape of ``x``).

    ``function`` receives a float64 array of the shape of ``x``; ``x`` itself is not changed.

    >>> numerical_gradient(lambda x: float(np.sum(x ** 2)), np.array([1.0, -2.0])).round(6)  # 2 x
    array([ 2., -4.])
    """
    point = np.array(x, dtype=np.float64, copy=True)
    gradient = np.zeros_like(point)
    flat_point, flat_gradient = point.reshape(-1), gradient.reshape(-1)
    for i in range(flat_point.size):
        original = flat_point[i]
        flat_point[i] = original + eps
        f_plus = float(function(point))
        flat_point[i] = original - eps
        f_minus = float(function(point))
        flat_point[i] = original
        flat_gradient[i] = (f_plus - f_minus) / (2 * eps)
    return gradient


def check_gradient(function: Callable[[np.ndarray], float], gradient, x: np.ndarray, name: str = "gradient",
                   eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8) -> GradientCheckReport:
    """Compare ``gradient`` (an array, or a callable of ``x``) with finite differences of ``function``."""
    x = np.asarray(x, dtype=np.float64)
    analytic = gradient(x.copy()) if callable(gradient) else gradient
    return GradientCheckReport(name, np.asarray(analytic), numerical_gradient(function, x, eps), rtol, atol)


def _as_float64_layer(layer):
    """A deep copy of ``layer`` whose parameters are float64."""
    layer = copy.deepcopy(layer)
    if isinstance(layer, LayerWithParameters):
        layer.params = [np.asarray(param, dtype=np.float64) for param in layer.params]
    return layer


def _forward(layer, inputs: np.ndarray) -> np.ndarray:
    """Deterministic forward pass used by the checks.

    A stochastic layer (dropout) is deep-copied first, so every call sees the same random
    state and so the same mask; a stochastic layer with parameters (batch norm) runs its
    training-time forward pass.
    """
    if isinstance(layer, StochasticLayer):
        return copy.deepcopy(layer).fprop(inputs, stochastic=True)
    if isinstance(layer, StochasticLayerWithParameters):
        return layer.fprop(inputs, stochastic=True)
    return layer.fprop(inputs)


def check_layer(layer, inputs: np.ndarray, seed: int = 0, eps: float = 1e-6, rtol: float = 1e-5,
                atol: float = 1e-8) -> list[GradientCheckReport]:
    """Check ``bprop`` (and ``grads_wrt_params`` for layers with parameters) of ``layer``.

    Args:
        layer: any layer; it is copied and cast to float64, never modified.
        inputs: array of the shape the layer expects, e.g. ``(batch_size, input_dim)``.
        seed: seed of the random projection ``R``.

    Returns:
        One report for the inputs, then one per parameter in ``params`` order.

    >>> from mlp.layers import AffineLayer
    >>> reports = check_layer(AffineLayer(3, 2), np.random.default_rng(0).standard_normal((4, 3)))
    >>> [bool(report) for report in reports]  # inputs, weights, biases
    [True, True, True]
    """
    layer = _as_float64_layer(layer)
    inputs = np.array(inputs, dtype=np.float64)
    outputs = _forward(layer, inputs)
    projection = np.random.default_rng(seed).standard_normal(outputs.shape)

    def objective_of_inputs(x):
        return float(np.sum(_forward(layer, x) * projection))

    # bprop receives the outputs of the same (deterministic) forward pass
    if isinstance(layer, StochasticLayer):
        # a copy with the same random state as _forward's copies draws the same mask
        bprop_layer = copy.deepcopy(layer)
        analytic = bprop_layer.bprop(inputs, bprop_layer.fprop(inputs, stochastic=True), projection)
    else:
        analytic = layer.bprop(inputs, _forward(layer, inputs), projection)
    reports = [GradientCheckReport(f"bprop of {layer!r} w.r.t. inputs", analytic,
                                   numerical_gradient(objective_of_inputs, inputs, eps), rtol, atol)]
    if isinstance(layer, LayerWithParameters):
        original = [param.copy() for param in layer.params]
        analytic_params = layer.grads_wrt_params(inputs, projection)
        names = getattr(layer, "param_names", None) or [f"params[{i}]" for i in range(len(original))]
        for index, name in enumerate(names):

            def objective_of_param(value, index=index):
                layer.params = [value if i == index else p for i, p in enumerate(original)]
                try:
                    return float(np.sum(_forward(layer, inputs) * projection))
                finally:
                    layer.params = original

            reports.append(GradientCheckReport(
                f"grads_wrt_params of {layer!r} w.r.t. {name}", analytic_params[index],
                numerical_gradient(objective_of_param, original[index], eps), rtol, atol))
    return reports


def check_error(error, outputs: np.ndarray, targets: np.ndarray, eps: float = 1e-6, rtol: float = 1e-5,
                atol: float = 1e-8) -> GradientCheckReport:
    """Check ``error.grad(outputs, targets)`` against finite differences of ``error(outputs, targets)``."""
    outputs = np.array(outputs, dtype=np.float64)
    targets = np.array(targets, dtype=np.float64)
    return GradientCheckReport(
        f"grad of {error!r} w.r.t. outputs", error.grad(outputs.copy(), targets),
        numerical_gradient(lambda o: error(o, targets), outputs, eps), rtol, atol)


def check_model(model, error, inputs: np.ndarray, targets: np.ndarray, eps: float = 1e-6, rtol: float = 1e-5,
                atol: float = 1e-8) -> list[GradientCheckReport]:
    """Check ``model.grads_wrt_params`` for the scalar ``error(model output, targets)``.

    The model is deep-copied and cast to float64 first. Stochastic layers run in evaluation
    mode so that every forward pass is the same function.
    """
    model = copy.deepcopy(model)
    model.params = [np.asarray(param, dtype=np.float64) for param in model.params]
    inputs = np.array(inputs, dtype=np.float64)
    targets = np.array(targets, dtype=np.float64)
    activations = model.fprop(inputs, evaluation=True)
    analytic = model.grads_wrt_params(activations, error.grad(activations[-1], targets))
    original = [param.copy() for param in model.params]
    reports = []
    for index in range(len(original)):

        def objective(value, index=index):
            model.params = [value if i == index else p for i, p in enumerate(original)]
            try:
                return float(error(model.fprop(inputs, evaluation=True)[-1], targets))
            finally:
                model.params = original

        reports.append(GradientCheckReport(
            f"grads_wrt_params of {type(model).__name__} w.r.t. params[{index}] (shape {original[index].shape})",
            analytic[index], numerical_gradient(objective, original[index], eps), rtol, atol))
    return reports


def summarise(reports: list[GradientCheckReport]) -> str:
    """One line per report, for printing in a notebook."""
    return "\n".join(str(report) for report in reports)
