r"""Explorer for lesson 01: the perceptron's decision boundary moving, one update at a time.

The perceptron predicts :math:`\hat y = \operatorname{sign}(w \cdot x + b)` (with
:math:`\operatorname{sign}(0) = +1`) and, whenever it gets an example :math:`(x_n, t_n)` wrong,
moves its parameters by :math:`w \leftarrow w + \eta\, t_n x_n`, :math:`b \leftarrow b + \eta\, t_n`.

- :func:`make_separable_data`, :func:`make_xor_data` and :func:`make_two_moons` make small 2-D
  data sets from a seed (targets in {-1, +1}); :func:`make_dataset` picks one of them by name.
- :func:`perceptron_trajectory` runs online perceptron training and records the parameters
  after every update, so that each step can be looked at on its own.
- :class:`PerceptronExplorer` shows those steps: a slider walks through the updates, the
  boundary :math:`w \cdot x + b = 0` moves, and the example that caused the update is ringed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from mlp.perceptron import predict, rosenblatt_update
from mlp.validation import (
    as_float_array,
    as_rng,
    check_non_negative_int,
    check_positive_int,
    check_real,
    check_shape,
)
from mlp.widgets.common import Explorer, dropdown, slider

DATASETS = ("separable", "xor", "moons")
POSITIVE_COLOUR, NEGATIVE_COLOUR = "#d62728", "#1f77b4"


# Data ---------------------------------------------------------------------------------------


def make_separable_data(num_examples: int = 40, margin: float = 0.1, seed: int = 0):
    r"""Points in the square :math:`[-2, 2]^2` labelled by a fixed line, with a gap around it.

    The true boundary is :math:`x_2 = 2 x_1 - 0.5`; points above it are +1, points below
    are -1, and no point lies closer to it than ``margin``, so the perceptron converges.

    Returns:
        ``(inputs, targets)``: inputs of shape ``(num_examples, 2)``, targets in {-1.0, +1.0}
        of shape ``(num_examples,)``.
    """
    owner = "make_separable_data"
    num_examples = check_positive_int(owner, "num_examples", num_examples)
    margin = check_real(owner, "margin", margin, low=0.0, high=1.0)
    seed = check_non_negative_int(owner, "seed", seed)
    rng = np.random.default_rng(seed)
    normal = np.array([-2.0, 1.0]) / np.hypot(2.0, 1.0)
    offset = 0.5 / np.hypot(2.0, 1.0)
    kept = np.empty((0, 2))
    while kept.shape[0] < num_examples:
        candidates = rng.uniform(-2.0, 2.0, size=(4 * num_examples, 2))
        distances = candidates @ normal + offset
        kept = np.concatenate([kept, candidates[np.abs(distances) >= margin]])
    inputs = kept[:num_examples]
    targets = np.where(inputs @ normal + offset > 0, 1.0, -1.0)
    return inputs, targets


def make_xor_data(num_examples: int = 40, noise: float = 0.25, seed: int = 0):
    """Noisy copies of the four XOR corners: (±1, ±1) is +1 when both signs agree, else -1.

    Returns:
        ``(inputs, targets)``: inputs of shape ``(num_examples, 2)``, targets in {-1.0, +1.0}.
    """
    owner = "make_xor_data"
    num_examples = check_positive_int(owner, "num_examples", num_examples)
    noise = check_real(owner, "noise", noise, low=0.0)
    seed = check_non_negative_int(owner, "seed", seed)
    rng = np.random.default_rng(seed)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    chosen = rng.permutation(np.arange(num_examples) % 4)
    inputs = corners[chosen] + noise * rng.standard_normal((num_examples, 2))
    targets = np.where(corners[chosen, 0] * corners[chosen, 1] > 0, 1.0, -1.0)
    return inputs, targets


def make_two_moons(num_examples: int = 200, noise: float = 0.15, seed: int = 0):
    r"""Two interleaving half circles, made with NumPy alone (quick to import, unlike scikit-learn).

    The upper moon is the arc :math:`(\cos\theta, \sin\theta)` and the lower one the arc
    :math:`(1 - \cos\theta, \tfrac12 - \sin\theta)`, :math:`\theta` uniform in :math:`[0, \pi]`,
    plus Gaussian noise of standard deviation ``noise``. Half the points (rounded down) are on
    the lower moon, in random order.

    Returns:
        ``(inputs, targets)``: inputs of shape ``(num_examples, 2)``; targets -1.0 for the upper
        moon and +1.0 for the lower one.
    """
    owner = "make_two_moons"
    num_examples = check_positive_int(owner, "num_examples", num_examples)
    noise = check_real(owner, "noise", noise, low=0.0)
    seed = check_non_negative_int(owner, "seed", seed)
    rng = np.random.default_rng(seed)
    lower = rng.permutation(np.arange(num_examples) < num_examples // 2)
    angles = rng.uniform(0.0, np.pi, size=num_examples)
    upper_points = np.column_stack([np.cos(angles), np.sin(angles)])
    lower_points = np.column_stack([1.0 - np.cos(angles), 0.5 - np.sin(angles)])
    inputs = np.where(lower[:, None], lower_points, upper_points) + noise * rng.standard_normal((num_examples, 2))
    return inputs, np.where(lower, 1.0, -1.0)


def make_dataset(name: str, num_examples: int = 40, seed: int = 0):
    """``(inputs, targets)`` of the named 2-D data set, targets in {-1, +1}.

    Args:
        name: ``"separable"`` (:func:`make_separable_data`), ``"xor"`` (:func:`make_xor_data`)
            or ``"moons"`` (:func:`make_two_moons`, noise 0.15).
    """
    if name == "separable":
        return make_separable_data(num_examples, seed=seed)
    if name == "xor":
        return make_xor_data(num_examples, seed=seed)
    if name == "moons":
        return make_two_moons(num_examples, seed=seed)
    raise ValueError(f"make_dataset: expected name in {DATASETS}, got {name!r}")


# Training, step by step ---------------------------------------------------------------------


@dataclass(frozen=True)
class PerceptronStep:
    """The perceptron after one update.

    Attributes:
        weights: array of shape ``(2,)`` after the update (shape ``(num_inputs,)`` in general).
        bias: the bias after the update.
        epoch: the epoch (from 1) in which the update happened; 0 for the starting point.
        example: index of the misclassified example that caused the update; None at the start.
        num_errors: how many training examples these parameters misclassify.
    """

    weights: np.ndarray
    bias: float
    epoch: int
    example: int | None
    num_errors: int


def perceptron_trajectory(inputs, targets, learning_rate: float = 1.0, max_epochs: int = 20,
                          max_updates: int = 1000, rng=None) -> tuple[list[PerceptronStep], bool]:
    """Online perceptron training from zero parameters, keeping every update.

    Each epoch visits the examples in an order shuffled by ``rng``; a misclassified example
    triggers the Rosenblatt update (:func:`mlp.perceptron.rosenblatt_update`). Training stops
    after an epoch without mistakes, after ``max_epochs`` epochs, or after ``max_updates``
    updates, whichever comes first.

    Args:
        inputs: array of shape ``(num_examples, num_inputs)``.
        targets: array of shape ``(num_examples,)`` with entries -1 or +1.
        learning_rate: :math:`\\eta > 0`.
        max_epochs, max_updates: limits (the data may not be separable).
        rng: generator or seed for the visiting order (``None``: seed 0).

    Returns:
        ``(steps, converged)``: ``steps[0]`` is the starting point (zeros) and ``steps[k]`` the
        perceptron after the ``k``-th update; ``converged`` is True if an epoch made no mistake.
    """
    owner = "perceptron_trajectory"
    inputs = as_float_array(owner, "inputs", inputs)
    if inputs.ndim != 2:
        raise ValueError(f"{owner}: expected inputs of shape (num_examples, num_inputs), "
                         f"got an array of shape {inputs.shape}")
    targets = as_float_array(owner, "targets", targets)
    check_shape(owner, "targets", targets, (inputs.shape[0],))
    if not np.all(np.abs(targets) == 1):
        raise ValueError(f"{owner}: expected targets in {{-1, +1}}, got the values {np.unique(targets)[:10]}")
    learning_rate = check_real(owner, "learning_rate", learning_rate, low=0.0, low_inclusive=False)
    max_epochs = check_positive_int(owner, "max_epochs", max_epochs)
    max_updates = check_non_negative_int(owner, "max_updates", max_updates)
    rng = as_rng(owner, rng)

    def count_errors(weights, bias):
        return int(np.sum(predict(weights, bias, inputs) != targets))

    weights, bias = np.zeros(inputs.shape[1]), 0.0
    steps = [PerceptronStep(weights, bias, 0, None, count_errors(weights, bias))]
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for index in rng.permutation(inputs.shape[0]):
            new_weights, new_bias, mistake = rosenblatt_update(weights, bias, inputs[index], targets[index],
                                                               learning_rate)
            if mistake:
                if len(steps) > max_updates:
                    return steps, False
                mistakes += 1
                weights, bias = new_weights, new_bias
                steps.append(PerceptronStep(weights, bias, epoch, int(index), count_errors(weights, bias)))
        if mistakes == 0:
            return steps, True
    return steps, False


# The explorer -------------------------------------------------------------------------------


class PerceptronExplorer(Explorer):
    """Step through perceptron training on a 2-D data set and watch the boundary move.

    Controls: ``dataset`` (``"separable"``, ``"xor"`` or ``"moons"``) and ``step`` (0 is the
    start, ``k`` the perceptron after its ``k``-th update). The ``step`` slider runs from 0 to the
    number of updates that training on the chosen data set made (at most ``max_steps``), and
    follows the data set when it changes; a larger step given to :meth:`update` shows the final
    perceptron. The plot shades the half-plane predicted +1, draws the boundary
    :math:`w \\cdot x + b = 0` and the weight vector :math:`w` (which points into the +1 side),
    and rings the example that caused the update just made.

    ``update`` returns a dict with ``weights``, ``bias``, ``step`` (the step shown),
    ``num_updates`` (how many updates training made), ``num_errors`` (training examples the shown
    perceptron gets wrong), ``example`` (index of the example that caused the update) and
    ``converged``.

    Args:
        dataset: the data set shown first.
        num_examples: points per data set.
        learning_rate: :math:`\\eta` of the update rule.
        max_epochs: epochs before training gives up on data that are not separable.
        max_steps: the most updates recorded, and so the largest value the ``step`` slider can take.
        seed: seed of the data sets and of the visiting order.
    """

    def __init__(self, dataset: str = "separable", num_examples: int = 40, learning_rate: float = 1.0,
                 max_epochs: int = 20, max_steps: int = 60, seed: int = 0) -> None:
        owner = type(self).__name__
        if dataset not in DATASETS:
            raise ValueError(f"{owner}: expected dataset in {DATASETS}, got {dataset!r}")
        self.num_examples = check_positive_int(owner, "num_examples", num_examples)
        self.learning_rate = check_real(owner, "learning_rate", learning_rate, low=0.0, low_inclusive=False)
        self.max_epochs = check_positive_int(owner, "max_epochs", max_epochs)
        self.max_steps = check_positive_int(owner, "max_steps", max_steps)
        self.seed = check_non_negative_int(owner, "seed", seed)
        self._runs: dict[str, tuple] = {}
        super().__init__(
            {
                "dataset": dropdown("data set", DATASETS, value=dataset),
                "step": slider("update step", 0, self.max_steps, value=0, kind="int"),
            },
            figsize=(5.5, 5.0),
        )
        self._fit_step_slider(dataset)
        self.controls["dataset"].observe(lambda change: self._fit_step_slider(change["new"]), names="value")

    def _fit_step_slider(self, dataset: str) -> None:
        """Make the ``step`` slider run from 0 to the number of updates that training on ``dataset`` made."""
        num_updates = len(self.run(dataset)[2]) - 1
        updating, self._updating = self._updating, True  # a value clamped by the new range must not redraw
        try:
            self.controls["step"].max = num_updates
        finally:
            self._updating = updating

    def run(self, dataset: str) -> tuple[np.ndarray, np.ndarray, list[PerceptronStep], bool]:
        """``(inputs, targets, steps, converged)`` for ``dataset`` (computed once, then cached)."""
        if dataset not in self._runs:
            inputs, targets = make_dataset(dataset, self.num_examples, self.seed)
            steps, converged = perceptron_trajectory(inputs, targets, self.learning_rate, self.max_epochs,
                                                     max_updates=self.max_steps, rng=self.seed)
            self._runs[dataset] = (inputs, targets, steps, converged)
        return self._runs[dataset]

    def draw(self, figure: Figure, dataset: str, step: int) -> dict:
        inputs, targets, steps, converged = self.run(dataset)
        num_updates = len(steps) - 1
        shown = min(int(step), num_updates)
        state = steps[shown]
        ax = figure.subplots()
        low, high = inputs.min(axis=0) - 0.5, inputs.max(axis=0) + 0.5
        grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], 120), np.linspace(low[1], high[1], 120))
        grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
        predicted = predict(state.weights, state.bias, grid).reshape(grid_x.shape)
        ax.contourf(grid_x, grid_y, predicted, levels=[-2, 0, 2], colors=[NEGATIVE_COLOUR, POSITIVE_COLOUR],
                    alpha=0.15)
        for label, colour, marker in ((1.0, POSITIVE_COLOUR, "o"), (-1.0, NEGATIVE_COLOUR, "s")):
            chosen = targets == label
            ax.scatter(inputs[chosen, 0], inputs[chosen, 1], c=colour, marker=marker, s=28, edgecolors="k",
                       linewidths=0.4, label=f"target {label:+g}")
        boundary = self._boundary_points(state.weights, state.bias, low, high)
        if boundary is not None:
            ax.plot(boundary[:, 0], boundary[:, 1], "k-", linewidth=2, label="boundary $w\\cdot x + b = 0$")
            foot = -state.bias * state.weights / np.dot(state.weights, state.weights)
            direction = state.weights / np.linalg.norm(state.weights)
            ax.annotate("", xy=foot + 0.8 * direction, xytext=foot,
                        arrowprops={"arrowstyle": "->", "linewidth": 1.5, "color": "k"})
            ax.text(*(foot + 0.9 * direction), "$w$", fontsize=12)
        if state.example is not None:
            ax.scatter(*inputs[state.example], s=220, facecolors="none", edgecolors="k", linewidths=2,
                       label="caused this update")
        ax.set_xlim(low[0], high[0])
        ax.set_ylim(low[1], high[1])
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.legend(loc="lower right", fontsize="x-small")
        ax.set_title(self._title(state, shown, num_updates, converged))
        weights_text = ", ".join(f"{value:.3g}" for value in state.weights)
        self.say(f"w = ({weights_text}), b = {state.bias:.3g}; {state.num_errors} of {len(targets)} "
                 f"training points misclassified.")
        return {"weights": state.weights, "bias": state.bias, "step": shown, "num_updates": num_updates,
                "num_errors": state.num_errors, "example": state.example, "converged": converged}

    @staticmethod
    def _boundary_points(weights, bias, low, high) -> np.ndarray | None:
        """Two points of the line ``w . x + b = 0`` spanning the plotted box (None if w = 0)."""
        if not np.any(weights):
            return None
        if abs(weights[1]) >= abs(weights[0]):
            x1 = np.array([low[0], high[0]])
            return np.column_stack([x1, -(bias + weights[0] * x1) / weights[1]])
        x2 = np.array([low[1], high[1]])
        return np.column_stack([-(bias + weights[1] * x2) / weights[0], x2])

    @staticmethod
    def _title(state: PerceptronStep, shown: int, num_updates: int, converged: bool) -> str:
        if shown == 0:
            return "start: w = 0, b = 0 (everything predicted +1)"
        text = f"update {shown} of {num_updates} (epoch {state.epoch})"
        if shown == num_updates:
            text += ": converged" if converged else ": gave up, never separated"
        return text

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(dataset={self.values['dataset']!r}, num_examples={self.num_examples}, "
                f"learning_rate={self.learning_rate:g}, max_epochs={self.max_epochs}, "
                f"max_steps={self.max_steps}, seed={self.seed})")
