r"""Explorers for lesson 02: gradient descent, the step size, Newton's method, momentum and Adam.

- :class:`StepSizeExplorer` runs gradient descent :math:`x \leftarrow x - \eta f'(x)` (or
  Newton's method :math:`x \leftarrow x - \eta f'(x) / f''(x)`) on a function of one variable
  and draws the iterates on the curve, next to the size of the derivative at each step.
- :class:`OptimiserPathExplorer` draws the path of gradient descent, momentum or Adam (the
  learning rules of :mod:`mlp.learning_rules`) over the contours of a function of two variables.

The computations behind the pictures are plain functions (:func:`descent_iterates`,
:func:`optimiser_path`) that the tests call directly; the test functions live in
:data:`FUNCTIONS_1D` and :data:`SURFACES_2D`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from mlp.learning_rules import AdamLearningRule, GradientDescentLearningRule, MomentumLearningRule
from mlp.validation import as_float_array, check_non_negative_int, check_positive_int, check_real
from mlp.widgets.common import Explorer, dropdown, slider

#: iterates beyond this size count as diverged
DIVERGENCE_THRESHOLD = 1e6


# Functions of one variable -------------------------------------------------------------------


@dataclass(frozen=True)
class Function1D:
    """A function of one variable with its first two derivatives and a range to plot it on."""

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    second_derivative: Callable[[np.ndarray], np.ndarray]
    plot_range: tuple[float, float]
    latex: str


FUNCTIONS_1D = {
    "quadratic": Function1D(
        "quadratic", lambda x: 2.0 * x**2, lambda x: 4.0 * x, lambda x: 4.0 + 0.0 * x, (-3.0, 3.0),
        r"$f(x) = 2x^2$ (stable for $\eta < 0.5$)"),
    "double well": Function1D(
        "double well", lambda x: x**4 / 4 - x**2 / 2 + 0.2 * x, lambda x: x**3 - x + 0.2,
        lambda x: 3.0 * x**2 - 1.0, (-2.0, 2.0), r"$f(x) = x^4/4 - x^2/2 + 0.2x$"),
    "log cosh": Function1D(
        "log cosh", lambda x: np.logaddexp(x, -x) - np.log(2.0), np.tanh, lambda x: 1.0 / np.cosh(x) ** 2,
        (-3.0, 3.0), r"$f(x) = \log\cosh x$"),
    "exponential": Function1D(
        "exponential", lambda x: np.exp(x) - 2.0 * x, lambda x: np.exp(x) - 2.0, np.exp, (-2.0, 2.5),
        r"$f(x) = e^x - 2x$"),
}

METHODS = ("gradient descent", "Newton")


def descent_iterates(derivative, start: float, step_size: float, num_steps: int,
                     second_derivative=None) -> tuple[np.ndarray, bool]:
    r"""Iterates of gradient descent, or of Newton's method, in one dimension.

    Gradient descent: :math:`x_{k+1} = x_k - \eta\, f'(x_k)`. With ``second_derivative`` given,
    Newton's method: :math:`x_{k+1} = x_k - \eta\, f'(x_k) / f''(x_k)` (``step_size`` 1 is the
    classic Newton step).

    Args:
        derivative: :math:`f'` as a function of a number.
        start: :math:`x_0`.
        step_size: :math:`\eta > 0`.
        num_steps: the number of steps to take.
        second_derivative: :math:`f''`, to take Newton steps instead.

    Returns:
        ``(iterates, diverged)``: the array :math:`x_0, x_1, \dots` (shorter than
        ``num_steps + 1`` if the iteration diverged: an iterate beyond
        :data:`DIVERGENCE_THRESHOLD` or not finite, which is kept as the last entry) and whether
        it diverged.
    """
    owner = "descent_iterates"
    start = check_real(owner, "start", start)
    step_size = check_real(owner, "step_size", step_size, low=0.0, low_inclusive=False)
    num_steps = check_non_negative_int(owner, "num_steps", num_steps)
    iterates = [start]
    x = start
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(num_steps):
            step = float(derivative(x))
            if second_derivative is not None:
                step = step / float(second_derivative(x))
            x = x - step_size * step
            iterates.append(x)
            if not np.isfinite(x) or abs(x) > DIVERGENCE_THRESHOLD:
                return np.array(iterates), True
    return np.array(iterates), False


class StepSizeExplorer(Explorer):
    r"""Gradient descent (or Newton's method) on a function of one variable, step by step.

    Controls: ``function`` (a key of :data:`FUNCTIONS_1D`), ``method`` (``"gradient descent"``
    or ``"Newton"``), ``step_size`` :math:`\eta` (log scale), ``start`` :math:`x_0` and
    ``num_steps``. Left: the curve with the iterates joined in order. Right: :math:`|f'(x_k)|`
    against :math:`k` on a log scale (a straight falling line is linear convergence; a line
    that bends down ever faster is Newton's quadratic convergence).

    ``update`` returns ``{"iterates": array, "diverged": bool}``.
    """

    def __init__(self, function: str = "quadratic", method: str = "gradient descent", step_size: float = 0.1,
                 start: float = 2.5, num_steps: int = 20) -> None:
        owner = type(self).__name__
        if function not in FUNCTIONS_1D:
            raise ValueError(f"{owner}: expected function in {tuple(FUNCTIONS_1D)}, got {function!r}")
        if method not in METHODS:
            raise ValueError(f"{owner}: expected method in {METHODS}, got {method!r}")
        super().__init__(
            {
                "function": dropdown("function", tuple(FUNCTIONS_1D), value=function),
                "method": dropdown("method", METHODS, value=method),
                "step_size": slider("step size η", 0.001, 3.0, value=step_size, kind="log", step=0.05),
                "start": slider("start x₀", -3.0, 3.0, value=start, step=0.05),
                "num_steps": slider("steps", 1, 60, value=num_steps, kind="int"),
            },
            figsize=(10.0, 4.0),
        )

    def draw(self, figure: Figure, function: str, method: str, step_size: float, start: float,
             num_steps: int) -> dict:
        chosen = FUNCTIONS_1D[function]
        second_derivative = chosen.second_derivative if method == "Newton" else None
        iterates, diverged = descent_iterates(chosen.derivative, start, step_size, num_steps, second_derivative)
        curve_ax, gradient_ax = figure.subplots(1, 2)
        low, high = chosen.plot_range
        x = np.linspace(low, high, 400)
        curve_ax.plot(x, chosen.value(x), "k-", linewidth=1.5)
        shown = iterates[np.abs(iterates) <= 1e3]
        with np.errstate(over="ignore", invalid="ignore"):
            values = chosen.value(shown)
        curve_ax.plot(shown, values, "-", color="tab:orange", linewidth=0.8, alpha=0.8, label="path")
        curve_ax.scatter(shown, values, c=np.arange(len(shown)), cmap="viridis", s=30, zorder=3,
                         edgecolors="k", linewidths=0.3, label="iterates (dark: early)")
        curve_ax.set_xlim(low, high)
        top = float(np.max(chosen.value(x)))
        bottom = float(np.min(chosen.value(x)))
        curve_ax.set_ylim(bottom - 0.05 * (top - bottom), top)
        curve_ax.set_xlabel("$x$")
        curve_ax.set_title(chosen.latex, fontsize=10)
        curve_ax.legend(loc="upper center", fontsize="x-small")
        with np.errstate(over="ignore", invalid="ignore"):
            gradient_sizes = np.abs(chosen.derivative(iterates))
        finite = np.isfinite(gradient_sizes)
        gradient_ax.semilogy(np.arange(len(iterates))[finite], np.maximum(gradient_sizes[finite], 1e-300), "o-",
                             markersize=3)
        gradient_ax.set_xlabel("step $k$")
        gradient_ax.set_ylabel("$|f'(x_k)|$")
        gradient_ax.set_title(f"{method}, $\\eta$ = {step_size:.3g}", fontsize=10)
        gradient_ax.grid(alpha=0.3)
        figure.tight_layout()
        final = iterates[-1]
        if diverged:
            self.say(f"<b>Diverged</b> after {len(iterates) - 1} steps: "
                     + self._divergence_reason(chosen, method, step_size, iterates))
        else:
            text = f"x<sub>{len(iterates) - 1}</sub> = {final:.6g}, f'(x) = {float(chosen.derivative(final)):.3g}"
            if len(iterates) > 1 and abs(chosen.derivative(final)) > abs(chosen.derivative(iterates[0])):
                text += " &mdash; the steps are growing: this is diverging"
            self.say(text)
        return {"iterates": iterates, "diverged": diverged}

    @staticmethod
    def _divergence_reason(chosen, method: str, step_size: float, iterates: np.ndarray) -> str:
        """Why the iterates ran away, as the message under the figure says it."""
        if method != "Newton":
            return "the step size is too large for the curvature here (it must stay below 2 / f''(x))."
        if step_size >= 2.0:
            return "with &eta; &ge; 2 even a Newton step overshoots further than it started."
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            visited = iterates[:-1]
            second = np.array([float(chosen.second_derivative(x)) for x in visited])
            steps = np.abs(np.array([float(chosen.derivative(x)) for x in visited]) / second)
        worst = int(np.nanargmax(np.where(np.isfinite(steps), steps, np.inf)))
        sign = "negative, so the Newton step points uphill" if second[worst] < 0 else "tiny"
        return (f"at x = {visited[worst]:.3g} the second derivative f''(x) = {second[worst]:.3g} is {sign}, "
                f"and the Newton step f'(x) / f''(x) = {steps[worst]:.3g} is huge: x is thrown far from the minimum. "
                "Newton's method needs f'' clearly positive; start closer to the minimum.")

    def __repr__(self) -> str:
        values = self.values
        return (f"{type(self).__name__}(function={values['function']!r}, method={values['method']!r}, "
                f"step_size={values['step_size']:.3g}, start={values['start']:.3g}, "
                f"num_steps={values['num_steps']})")


# Functions of two variables ------------------------------------------------------------------


@dataclass(frozen=True)
class Surface2D:
    """A function of two variables, its gradient, a starting point, a plotting box and its minimum."""

    name: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, float]
    box: tuple[float, float, float, float]
    minimum: tuple[float, float]
    latex: str


def _rosenbrock_value(x, y):
    return (1.0 - x) ** 2 + 10.0 * (y - x**2) ** 2


def _rosenbrock_gradient(point):
    x, y = point
    return np.array([-2.0 * (1.0 - x) - 40.0 * x * (y - x**2), 20.0 * (y - x**2)])


SURFACES_2D = {
    "long valley": Surface2D(
        "long valley", lambda x, y: 0.5 * (x**2 + 25.0 * y**2), lambda point: np.array([point[0], 25.0 * point[1]]),
        (-4.0, 1.0), (-4.5, 4.5, -1.6, 1.6), (0.0, 0.0), r"$f = \frac{1}{2}(x^2 + 25 y^2)$"),
    "round bowl": Surface2D(
        "round bowl", lambda x, y: 0.5 * (x**2 + y**2), lambda point: np.array([point[0], point[1]]),
        (-4.0, 1.0), (-4.5, 4.5, -1.6, 1.6), (0.0, 0.0), r"$f = \frac{1}{2}(x^2 + y^2)$"),
    "banana": Surface2D(
        "banana", _rosenbrock_value, _rosenbrock_gradient, (-1.5, 2.0), (-2.0, 2.0, -1.0, 3.0), (1.0, 1.0),
        r"$f = (1 - x)^2 + 10 (y - x^2)^2$"),
}

RULES = ("gradient descent", "momentum", "Adam")


def make_learning_rule(rule: str, learning_rate: float, mom_coeff: float = 0.9):
    """The :mod:`mlp.learning_rules` object named ``rule`` (one of :data:`RULES`)."""
    if rule == "gradient descent":
        return GradientDescentLearningRule(learning_rate)
    if rule == "momentum":
        return MomentumLearningRule(learning_rate, mom_coeff)
    if rule == "Adam":
        return AdamLearningRule(learning_rate)
    raise ValueError(f"make_learning_rule: expected rule in {RULES}, got {rule!r}")


def optimiser_path(gradient, start, learning_rule, num_steps: int) -> tuple[np.ndarray, bool]:
    """The points visited by ``learning_rule`` minimising a function from ``start``.

    Args:
        gradient: function mapping a point (array of shape ``(dim,)``) to the gradient there.
        start: array of shape ``(dim,)``.
        learning_rule: an :mod:`mlp.learning_rules` rule; it is initialised here.
        num_steps: the number of updates.

    Returns:
        ``(path, diverged)``: ``path`` has shape ``(num_points, dim)`` starting with ``start``
        (fewer than ``num_steps + 1`` points if the path diverged, the offending point last).
    """
    owner = "optimiser_path"
    point = as_float_array(owner, "start", start).astype(np.float64).copy()
    if point.ndim != 1:
        raise ValueError(f"{owner}: expected start of shape (dim,), got an array of shape {point.shape}")
    num_steps = check_non_negative_int(owner, "num_steps", num_steps)
    learning_rule.initialise([point])
    path = [point.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(num_steps):
            learning_rule.update_params([gradient(point)])
            path.append(point.copy())
            if not np.all(np.isfinite(point)) or np.max(np.abs(point)) > DIVERGENCE_THRESHOLD:
                return np.array(path), True
    return np.array(path), False


class OptimiserPathExplorer(Explorer):
    r"""The path of gradient descent, momentum or Adam over the contours of a 2-D function.

    Controls: ``surface`` (a key of :data:`SURFACES_2D`), ``rule`` (one of :data:`RULES`),
    ``learning_rate`` (log scale), ``mom_coeff`` (momentum only) and ``num_steps``.
    ``update`` returns ``{"path": array of shape (num_points, 2), "diverged": bool,
    "final_value": f at the last point}``.
    """

    def __init__(self, surface: str = "long valley", rule: str = "gradient descent", learning_rate: float = 0.07,
                 mom_coeff: float = 0.9, num_steps: int = 40) -> None:
        owner = type(self).__name__
        if surface not in SURFACES_2D:
            raise ValueError(f"{owner}: expected surface in {tuple(SURFACES_2D)}, got {surface!r}")
        if rule not in RULES:
            raise ValueError(f"{owner}: expected rule in {RULES}, got {rule!r}")
        check_positive_int(owner, "num_steps", num_steps)
        super().__init__(
            {
                "surface": dropdown("function", tuple(SURFACES_2D), value=surface),
                "rule": dropdown("learning rule", RULES, value=rule),
                "learning_rate": slider("learning rate η", 0.001, 1.0, value=learning_rate, kind="log", step=0.05),
                "mom_coeff": slider("momentum α", 0.0, 0.99, value=mom_coeff, step=0.01),
                "num_steps": slider("steps", 1, 200, value=num_steps, kind="int"),
            },
            figsize=(6.5, 4.5),
        )

    def draw(self, figure: Figure, surface: str, rule: str, learning_rate: float, mom_coeff: float,
             num_steps: int) -> dict:
        chosen = SURFACES_2D[surface]
        path, diverged = optimiser_path(chosen.gradient, chosen.start,
                                        make_learning_rule(rule, learning_rate, mom_coeff), num_steps)
        ax = figure.subplots()
        x_low, x_high, y_low, y_high = chosen.box
        grid_x, grid_y = np.meshgrid(np.linspace(x_low, x_high, 200), np.linspace(y_low, y_high, 200))
        values = chosen.value(grid_x, grid_y)
        levels = np.quantile(values, np.linspace(0.0, 0.9, 15) ** 2)
        ax.contour(grid_x, grid_y, values, levels=np.unique(levels), cmap="Greys", linewidths=0.7)
        ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", markersize=3, linewidth=1, label=rule)
        ax.plot(*chosen.minimum, "*", color="gold", markersize=14, markeredgecolor="k", label="minimum")
        ax.set_xlim(x_low, x_high)
        ax.set_ylim(y_low, y_high)
        ax.set_xlabel("$x$")
        ax.set_ylabel("$y$")
        ax.legend(loc="upper right", fontsize="small")
        ax.set_title(chosen.latex, fontsize=10)
        with np.errstate(over="ignore", invalid="ignore"):
            final_value = float(chosen.value(*path[-1]))
        if diverged:
            self.say(f"<b>Diverged</b> after {len(path) - 1} steps.")
        else:
            self.say(f"after {len(path) - 1} steps: f = {final_value:.3g} at ({path[-1, 0]:.3g}, {path[-1, 1]:.3g})")
        return {"path": path, "diverged": diverged, "final_value": final_value}

    def __repr__(self) -> str:
        values = self.values
        return (f"{type(self).__name__}(surface={values['surface']!r}, rule={values['rule']!r}, "
                f"learning_rate={values['learning_rate']:.3g}, mom_coeff={values['mom_coeff']:.3g}, "
                f"num_steps={values['num_steps']})")
