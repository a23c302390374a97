r"""Explorers for lesson 03 (backpropagation): a chain-rule graph and a gradient-check plot.

- :class:`ChainRuleExplorer` draws the computational graph of one sigmoid neuron with a squared
  error, :math:`u = w x + b`, :math:`y = \sigma(u)`, :math:`E = \tfrac12 (y - t)^2`, with the
  forward value above every node and its adjoint :math:`\partial E / \partial(\text{node})` below.
- :class:`GradientCheckExplorer` plots the error of forward and central finite differences
  against the step :math:`\epsilon` on log-log axes: truncation error falls with
  :math:`\epsilon`, rounding error grows as :math:`\epsilon` shrinks, so the total has a V shape.

The computations behind the pictures are plain functions (:func:`neuron_forward_backward`,
:func:`finite_difference_errors`) so that they can be tested on their own.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from mlp.numerics import sigmoid
from mlp.validation import check_real
from mlp.widgets.common import Explorer, dropdown, slider

# Chain rule ------------------------------------------------------------------------------


def neuron_forward_backward(x: float, w: float, b: float, t: float) -> tuple[dict, dict]:
    r"""Forward values and adjoints of :math:`E = \tfrac12(\sigma(w x + b) - t)^2`.

    Args:
        x: the input; w: the weight; b: the bias; t: the target (all real numbers).

    Returns:
        ``(values, gradients)``: ``values`` maps ``"x", "w", "b", "t", "u", "y", "E"`` to the
        forward values; ``gradients`` maps ``"x", "w", "b", "u", "y", "E"`` to
        :math:`\partial E/\partial(\text{node})`, computed backwards with the chain rule:
        :math:`\bar y = y - t`, :math:`\bar u = \bar y\, y (1 - y)`, :math:`\bar w = \bar u\, x`,
        :math:`\bar x = \bar u\, w`, :math:`\bar b = \bar u`.
    """
    x, w, b, t = (check_real("neuron_forward_backward", name, value)
                  for name, value in (("x", x), ("w", w), ("b", b), ("t", t)))
    u = w * x + b
    y = float(sigmoid(np.float64(u)))
    error = 0.5 * (y - t) ** 2
    grad_error = 1.0
    grad_y = grad_error * (y - t)
    grad_u = grad_y * y * (1.0 - y)
    values = {"x": x, "w": w, "b": b, "t": t, "u": u, "y": y, "E": error}
    gradients = {"E": grad_error, "y": grad_y, "u": grad_u, "w": grad_u * x, "x": grad_u * w, "b": grad_u}
    return values, gradients


class ChainRuleExplorer(Explorer):
    r"""The graph of a sigmoid neuron with squared error, with forward values and adjoints.

    Controls: ``x`` (input), ``w`` (weight), ``b`` (bias), ``t`` (target). Each node shows its
    value above the box and :math:`\partial E/\partial(\text{node})` below; each arrow is labelled
    with its local derivative. ``update`` returns ``{"values": ..., "gradients": ...}`` as given by
    :func:`neuron_forward_backward`.
    """

    # node name -> (centre x, centre y, label)
    _NODES = {
        "w": (0.0, 2.0, "$w$"),
        "x": (0.0, 1.0, "$x$"),
        "b": (0.0, 0.0, "$b$"),
        "u": (2.4, 1.0, "$u = wx + b$"),
        "y": (4.8, 1.0, r"$y = \sigma(u)$"),
        "t": (4.8, -0.3, "$t$"),
        "E": (7.2, 1.0, r"$E = \frac{1}{2}(y - t)^2$"),
    }

    def __init__(self, x: float = 1.5, w: float = 0.8, b: float = -0.3, t: float = 0.2) -> None:
        super().__init__(
            {
                "x": slider("input x", -3.0, 3.0, value=x, step=0.05),
                "w": slider("weight w", -6.0, 6.0, value=w, step=0.05),
                "b": slider("bias b", -6.0, 6.0, value=b, step=0.05),
                "t": slider("target t", 0.0, 1.0, value=t, step=0.01),
            },
            figsize=(9.0, 4.2),
        )

    def draw(self, figure: Figure, x: float, w: float, b: float, t: float) -> dict:
        values, gradients = neuron_forward_backward(x, w, b, t)
        ax = figure.subplots()
        ax.set_xlim(-0.9, 8.6)
        ax.set_ylim(-1.0, 2.8)
        ax.axis("off")
        local_derivatives = {
            ("w", "u"): rf"$\partial u/\partial w = x = {x:.3g}$",
            ("x", "u"): rf"$\partial u/\partial x = w = {w:.3g}$",
            ("b", "u"): r"$\partial u/\partial b = 1$",
            ("u", "y"): rf"$\sigma'(u) = {values['y'] * (1 - values['y']):.3g}$",
            ("y", "E"): rf"$\partial E/\partial y = {values['y'] - t:.3g}$",
            ("t", "E"): "",
        }
        for (start, end), label in local_derivatives.items():
            x0, y0, _ = self._NODES[start]
            x1, y1, _ = self._NODES[end]
            ax.annotate("", xy=(x1 - 0.75, y1), xytext=(x0 + 0.45, y0),
                        arrowprops={"arrowstyle": "->", "color": "0.4"})
            if label:
                ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.16, label, fontsize=7, color="0.3", ha="center")
        for name, (cx, cy, label) in self._NODES.items():
            width = 0.8 if name in "wxbt" else 1.5
            ax.add_patch(FancyBboxPatch((cx - width / 2, cy - 0.22), width, 0.44,
                                        boxstyle="round,pad=0.05", facecolor="#e8f0fb", edgecolor="#3b6ea8"))
            ax.text(cx, cy, label, ha="center", va="center", fontsize=10)
            ax.text(cx, cy + 0.33, f"{values[name]:.4g}", ha="center", fontsize=9, color="black")
            if name in gradients:
                ax.text(cx, cy - 0.45, rf"$\bar{{{name}}}$ = {gradients[name]:.3g}", ha="center", fontsize=9,
                        color="#b03030")
        ax.set_title("forward values above the boxes (black), adjoints $\\partial E/\\partial\\,$node below (red)",
                     fontsize=10)
        self.say(f"E = {values['E']:.4g}; &part;E/&part;w = {gradients['w']:.4g}, "
                 f"&part;E/&part;b = {gradients['b']:.4g}, &part;E/&part;x = {gradients['x']:.4g}")
        return {"values": values, "gradients": gradients}


# Gradient checking -----------------------------------------------------------------------

#: name -> (function, its derivative, its second derivative), derivatives in float64.
TEST_FUNCTIONS = {
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x)),
                lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    "exp": (np.exp, np.exp, np.exp),
    "sin": (np.sin, np.cos, lambda x: -np.sin(x)),
}


def finite_difference_errors(function_name: str, x: float, eps_values, dtype=np.float64):
    r"""Absolute errors of forward and central differences of a test function at ``x``.

    The function is evaluated in ``dtype`` (float32 shows rounding error much sooner); the
    exact derivative is computed in float64.

    Args:
        function_name: a key of :data:`TEST_FUNCTIONS` (``"sigmoid"``, ``"tanh"``, ``"exp"``, ``"sin"``).
        x: the point.
        eps_values: array of shape (num_steps,) of positive steps.
        dtype: ``np.float32`` or ``np.float64``.

    Returns:
        ``(forward_errors, central_errors)``, each of shape (num_steps,):
        :math:`|(f(x+\epsilon) - f(x))/\epsilon - f'(x)|` and
        :math:`|(f(x+\epsilon) - f(x-\epsilon))/(2\epsilon) - f'(x)|`.
    """
    owner = "finite_difference_errors"
    if function_name not in TEST_FUNCTIONS:
        raise ValueError(f"{owner}: expected function_name in {sorted(TEST_FUNCTIONS)}, got {function_name!r}")
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{owner}: expected dtype float32 or float64, got {dtype}")
    x = check_real(owner, "x", x)
    eps_values = np.asarray(eps_values, dtype=np.float64)
    if eps_values.ndim != 1 or np.any(~(eps_values > 0)):
        raise ValueError(f"{owner}: expected a 1-d array of positive steps, got {eps_values!r}")
    function, derivative, _ = TEST_FUNCTIONS[function_name]
    exact = float(derivative(np.float64(x)))
    point = dtype.type(x)
    steps = eps_values.astype(dtype)
    with np.errstate(all="ignore"):
        f_plus = function(point + steps).astype(np.float64)
        f_minus = function(point - steps).astype(np.float64)
        f_here = np.float64(function(point))
    forward = (f_plus - f_here) / eps_values
    central = (f_plus - f_minus) / (2 * eps_values)
    return np.abs(forward - exact), np.abs(central - exact)


class GradientCheckExplorer(Explorer):
    r"""Error of finite-difference derivatives against the step :math:`\epsilon` (log-log).

    Controls: ``function`` (sigmoid, tanh, exp, sin), ``x`` (the point), ``eps`` (the step,
    log scale) and ``precision`` (``"float64"`` or ``"float32"``). The plot shows the forward and
    central difference errors over a range of steps, with the current step marked.
    ``update`` returns a dict with ``forward_error`` and ``central_error`` at the current step,
    ``best_eps_central`` (the step with the smallest central error on the grid) and the
    ``eps_grid`` with both error curves.
    """

    EPS_GRID = np.logspace(-15, 0, 151)

    def __init__(self, function: str = "sigmoid", x: float = 0.7, eps: float = 1e-3,
                 precision: str = "float64") -> None:
        super().__init__(
            {
                "function": dropdown("function", list(TEST_FUNCTIONS), value=function),
                "x": slider("point x", -3.0, 3.0, value=x, step=0.1),
                "eps": slider("step epsilon", 1e-15, 1.0, value=eps, kind="log", step=0.1),
                "precision": dropdown("precision", ["float64", "float32"], value=precision),
            },
            figsize=(7.0, 4.4),
        )

    def draw(self, figure: Figure, function: str, x: float, eps: float, precision: str) -> dict:
        dtype = np.dtype(precision)
        forward_curve, central_curve = finite_difference_errors(function, x, self.EPS_GRID, dtype)
        forward_now, central_now = (float(error[0]) for error in
                                    finite_difference_errors(function, x, np.array([eps]), dtype))
        ax = figure.subplots()
        floor = 1e-18  # an error of exactly 0 cannot be drawn on a log axis
        ax.loglog(self.EPS_GRID, np.maximum(forward_curve, floor), label="forward difference", color="tab:orange")
        ax.loglog(self.EPS_GRID, np.maximum(central_curve, floor), label="central difference", color="tab:blue")
        ax.axvline(eps, color="0.3", linestyle="--", linewidth=1)
        ax.plot([eps, eps], [max(forward_now, floor), max(central_now, floor)], "o", color="0.2")
        machine_epsilon = float(np.finfo(dtype).eps)
        ax.axvline(machine_epsilon ** (1 / 3), color="tab:blue", linestyle=":", linewidth=1,
                   label=r"$u^{1/3}$ (best central step, roughly)")
        ax.set_ylim(floor * 10, 10)
        ax.set_xlabel(r"step $\epsilon$")
        ax.set_ylabel("absolute error of the derivative")
        ax.set_title(f"d/dx {function}(x) at x = {x:.2f}, {precision}")
        ax.legend(loc="lower left", fontsize=8)
        finite_central = np.where(np.isfinite(central_curve), central_curve, np.inf)
        best_eps = float(self.EPS_GRID[int(np.argmin(finite_central))])
        self.say(f"at &epsilon; = {eps:.1e}: forward error {forward_now:.2e}, central error {central_now:.2e}; "
                 f"machine epsilon of {precision} is {machine_epsilon:.1e}")
        return {"forward_error": forward_now, "central_error": central_now, "best_eps_central": best_eps,
                "eps_grid": self.EPS_GRID.copy(), "forward_errors": forward_curve, "central_errors": central_curve}
