r"""Explorer for lesson 06 (generalisation): a penalty and dropout against the train/valid curves.

- :func:`train_small_network` trains a one-hidden-layer ReLU network on the first
  ``num_train`` training digits with Adam, optionally with an L2 penalty
  :math:`\frac{\lambda}{2}\sum w^2` on both weight matrices and inverted dropout on the hidden
  units, and records the training and validation error and accuracy before training and after
  every epoch (evaluation mode, error without the penalty, so that the two compare directly).
- :class:`RegularisationExplorer` shows those curves next to the ones of the same network
  without regularisation (same seed, same data), and the histogram of the first layer's weights,
  so that the gap between the curves and the shrinking of the weights can be seen move together.

Runs are small (8x8 digits, a few hundred examples, tens of epochs: well under a second each)
and cached, so moving a slider back to a value seen before redraws at once.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from mlp.data_providers import DigitsDataProvider, OneOfKDataProvider
from mlp.errors import CrossEntropySoftmaxError
from mlp.initialisers import ConstantInit, GlorotUniformInit, HeNormalInit
from mlp.layers import AffineLayer, DropoutLayer, ReluLayer
from mlp.learning_rules import AdamLearningRule
from mlp.metrics import accuracy
from mlp.models import MultipleLayerModel
from mlp.penalties import L2Penalty
from mlp.validation import check_positive_int, check_real
from mlp.widgets.common import Explorer, checkbox, dropdown, slider

#: the training-set sizes offered by the explorer (1079 is the whole digits training set)
TRAINING_SET_SIZES = (100, 300, 1079)
STATISTICS = ("error(train)", "error(valid)", "acc(train)", "acc(valid)")


def build_small_network(hidden_dim: int, l2_coefficient: float, incl_prob: float, rng) -> MultipleLayerModel:
    """``Affine(64, hidden_dim) -> ReLU [-> Dropout(incl_prob)] -> Affine(hidden_dim, 10)``.

    Args:
        hidden_dim: width of the hidden layer.
        l2_coefficient: :math:`\\lambda \\ge 0` of an L2 penalty on both weight matrices (0: none).
        incl_prob: probability of keeping a hidden unit (1: no dropout layer).
        rng: ``numpy.random.Generator`` for the initial weights and the dropout masks.
    """
    penalty = L2Penalty(l2_coefficient) if l2_coefficient > 0 else None
    layers = [AffineLayer(64, hidden_dim, HeNormalInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty),
              ReluLayer()]
    if incl_prob < 1:
        layers.append(DropoutLayer(rng=rng, incl_prob=incl_prob))
    layers.append(AffineLayer(hidden_dim, 10, GlorotUniformInit(rng=rng), ConstantInit(0.0), weights_penalty=penalty))
    return MultipleLayerModel(layers)


def evaluate(model, inputs: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """``(mean cross-entropy, accuracy)`` of ``model`` in evaluation mode (no penalty included)."""
    outputs = model.fprop(inputs, evaluation=True)[-1]
    return float(CrossEntropySoftmaxError()(outputs, targets)), float(accuracy(outputs, targets))


def train_small_network(num_train: int = 300, hidden_dim: int = 100, l2_coefficient: float = 0.0,
                        incl_prob: float = 1.0, num_epochs: int = 30, learning_rate: float = 3e-3,
                        batch_size: int = 25, seed: int = 0) -> dict:
    """Train :func:`build_small_network` on the first ``num_train`` training digits with Adam.

    Returns:
        ``{"error(train)", "error(valid)", "acc(train)", "acc(valid)"}``: arrays of shape
        ``(num_epochs + 1,)`` (entry 0 before training), plus ``"weights"``: the first layer's
        final weights, shape ``(hidden_dim, 64)``, and ``"model"``: the trained model.
    """
    owner = "train_small_network"
    num_train = check_positive_int(owner, "num_train", num_train)
    num_epochs = check_positive_int(owner, "num_epochs", num_epochs)
    l2_coefficient = check_real(owner, "l2_coefficient", l2_coefficient, low=0.0)
    incl_prob = check_real(owner, "incl_prob", incl_prob, low=0.0, high=1.0, low_inclusive=False)
    full_train = DigitsDataProvider("train", shuffle_order=False)
    valid = DigitsDataProvider("valid", shuffle_order=False)
    train = OneOfKDataProvider(full_train.inputs[:num_train], full_train.targets[:num_train], batch_size=batch_size,
                               rng=seed, num_classes=10)
    model = build_small_network(hidden_dim, l2_coefficient, incl_prob, np.random.default_rng(seed))
    error = CrossEntropySoftmaxError()
    learning_rule = AdamLearningRule(learning_rate=learning_rate)
    learning_rule.initialise(model.params)
    history = {name: [] for name in STATISTICS}

    def record():
        for label, data in (("train", train), ("valid", valid)):
            error_value, accuracy_value = evaluate(model, data.inputs, data.one_of_k_targets)
            history[f"error({label})"].append(error_value)
            history[f"acc({label})"].append(accuracy_value)

    record()
    for _ in range(num_epochs):
        for inputs, targets in train:
            activations = model.fprop(inputs)
            learning_rule.update_params(model.grads_wrt_params(activations, error.grad(activations[-1], targets)))
        record()
    result = {name: np.array(values) for name, values in history.items()}
    result["weights"] = model.layers[0].weights.copy()
    result["model"] = model
    return result


class RegularisationExplorer(Explorer):
    """Train/valid error curves with an L2 penalty and/or dropout, against the plain network.

    Controls: ``use_l2`` (tick box), ``l2_coefficient`` (log slider), ``incl_prob`` (probability
    of keeping a hidden unit; 1 means no dropout) and ``num_train`` (training-set size).
    ``update`` returns ``{"regularised": curves, "plain": curves, "gap", "plain_gap"}`` where the
    curves are :func:`train_small_network` results and a gap is the final validation error minus
    the final training error.

    Args:
        num_epochs, hidden_dim, seed: the runs' settings (fixed while exploring).
        use_l2, l2_coefficient, incl_prob, num_train: start values of the controls.
    """

    def __init__(self, num_epochs: int = 15, hidden_dim: int = 100, seed: int = 0, use_l2: bool = True,
                 l2_coefficient: float = 3e-3, incl_prob: float = 1.0, num_train: int = 300) -> None:
        self.num_epochs = check_positive_int(type(self).__name__, "num_epochs", num_epochs)
        self.hidden_dim = check_positive_int(type(self).__name__, "hidden_dim", hidden_dim)
        self.seed = int(seed)
        self._cache: dict[tuple, dict] = {}
        super().__init__(
            {
                "use_l2": checkbox("L2 penalty", value=use_l2),
                "l2_coefficient": slider("L2 coefficient λ", 1e-4, 1e-1, value=l2_coefficient, kind="log"),
                "incl_prob": slider("dropout: keep probability p (1 = off)", 0.2, 1.0, value=incl_prob, step=0.05),
                "num_train": dropdown("training examples", list(TRAINING_SET_SIZES), value=num_train),
            },
            figsize=(10.0, 3.8),
        )

    def curves(self, l2_coefficient: float, incl_prob: float, num_train: int) -> dict:
        """The (cached) :func:`train_small_network` run for these settings."""
        key = (round(float(l2_coefficient), 12), round(float(incl_prob), 6), int(num_train))
        if key not in self._cache:
            self._cache[key] = train_small_network(num_train=key[2], hidden_dim=self.hidden_dim,
                                                   l2_coefficient=key[0], incl_prob=key[1],
                                                   num_epochs=self.num_epochs, seed=self.seed)
        return self._cache[key]

    def draw(self, figure: Figure, use_l2: bool, l2_coefficient: float, incl_prob: float, num_train: int) -> dict:
        coefficient = float(l2_coefficient) if use_l2 else 0.0
        regularised = self.curves(coefficient, incl_prob, num_train)
        plain = self.curves(0.0, 1.0, num_train)
        curve_ax, weight_ax = figure.subplots(1, 2)
        epochs = np.arange(self.num_epochs + 1)
        for curves, style, name in ((plain, "--", "plain"), (regularised, "-", "regularised")):
            curve_ax.plot(epochs, curves["error(train)"], style, color="tab:blue", label=f"train ({name})")
            curve_ax.plot(epochs, curves["error(valid)"], style, color="tab:orange", label=f"valid ({name})")
        curve_ax.set_yscale("log")
        curve_ax.set_xlabel("epoch")
        curve_ax.set_ylabel("cross-entropy")
        curve_ax.legend(fontsize=7)
        limit = float(np.abs(plain["weights"]).max())
        bins = np.linspace(-limit, limit, 61)
        weight_ax.hist(plain["weights"].ravel(), bins=bins, color="0.6", alpha=0.7, label="plain")
        weight_ax.hist(regularised["weights"].ravel(), bins=bins, color="tab:green", alpha=0.6, label="regularised")
        weight_ax.set_xlabel("first-layer weight")
        weight_ax.set_title("weights after training", fontsize=9)
        weight_ax.legend(fontsize=7)
        figure.tight_layout()
        gap = float(regularised["error(valid)"][-1] - regularised["error(train)"][-1])
        plain_gap = float(plain["error(valid)"][-1] - plain["error(train)"][-1])
        settings = f"λ = {coefficient:.3g}, p = {incl_prob:.2f}, {num_train} training examples"
        self.say(f"{settings}: final valid − train error {gap:.3f} (plain network: {plain_gap:.3f}); "
                 f"valid accuracy {regularised['acc(valid)'][-1]:.3f} (plain: {plain['acc(valid)'][-1]:.3f}); "
                 f"weight norm {np.linalg.norm(regularised['weights']):.2f} "
                 f"(plain: {np.linalg.norm(plain['weights']):.2f})")
        return {"regularised": regularised, "plain": plain, "gap": gap, "plain_gap": plain_gap}
