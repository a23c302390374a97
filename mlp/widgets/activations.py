r"""Explorers for lesson 04 (activation functions): shapes, derivatives and depth.

- :class:`ActivationExplorer` plots an activation function and its derivative side by side,
  with a slider for the ``alpha`` of leaky ReLU and ELU, and marks where the derivative is
  so small that the unit is *saturated*.
- :class:`InitialisationExplorer` pushes a batch of random inputs through a deep stack of
  affine layers and activations and shows, layer by layer, the spread of the activations
  (forward) and of the gradients (backward) for a chosen weight scale
  :math:`\mathrm{std}(W) = \text{gain} / \sqrt{\text{fan-in}}` (gain 1: LeCun / Glorot for equal
  widths, gain :math:`\sqrt2`: He).

Both use the reference layers of :mod:`mlp.layers` (``fprop`` for the values, ``bprop`` with
a gradient of ones for the derivative) and accept extra activations, e.g. a student's own
layer: ``ActivationExplorer(extra_activations={"mine": MyActivationLayer()})``.
The computations behind the pictures are plain functions (:func:`activation_curve`,
:func:`deep_network_statistics`) so that they can be tested on their own.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from mlp.layers import ELULayer, LeakyReluLayer, ReluLayer, SigmoidLayer, SoftplusLayer, TanhLayer
from mlp.layers.base import Layer
from mlp.validation import check_positive_int, check_real
from mlp.widgets.common import Explorer, checkbox, dropdown, slider

#: activations whose layer takes an ``alpha`` argument
ALPHA_ACTIVATIONS = {"leaky relu": LeakyReluLayer, "elu": ELULayer}
#: activations without arguments
PLAIN_ACTIVATIONS = {"sigmoid": SigmoidLayer, "tanh": TanhLayer, "relu": ReluLayer, "softplus": SoftplusLayer}
#: a unit counts as saturated where the derivative's magnitude is below this
SATURATION_THRESHOLD = 0.05


def make_activation(name: str, alpha: float = 0.1, extra_activations: dict | None = None) -> Layer:
    """The activation layer called ``name`` (``alpha`` is used by leaky relu and elu only).

    Args:
        name: one of ``sigmoid, tanh, relu, softplus, leaky relu, elu`` or a key of ``extra_activations``.
        alpha: slope for negative inputs (leaky relu) or the negative saturation value (elu).
        extra_activations: ``{name: layer}`` of further activation layers (e.g. a student's own).
    """
    extra_activations = extra_activations or {}
    if name in extra_activations:
        return extra_activations[name]
    if name in ALPHA_ACTIVATIONS:
        return ALPHA_ACTIVATIONS[name](alpha=alpha)
    if name in PLAIN_ACTIVATIONS:
        return PLAIN_ACTIVATIONS[name]()
    known = sorted([*PLAIN_ACTIVATIONS, *ALPHA_ACTIVATIONS, *extra_activations])
    raise ValueError(f"make_activation: expected an activation in {known}, got {name!r}")


def activation_curve(layer: Layer, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values and derivatives of an elementwise activation layer.

    Args:
        layer: an activation layer (elementwise, so its Jacobian is diagonal).
        inputs: array of shape (num_points,).

    Returns:
        ``(outputs, derivatives)``, each of shape (num_points,): ``layer.fprop`` and the
        diagonal of the Jacobian, obtained as ``layer.bprop`` of a gradient of ones.
    """
    inputs = np.asarray(inputs, dtype=np.float64).reshape(1, -1)
    outputs = layer.fprop(inputs)
    derivatives = layer.bprop(inputs, outputs, np.ones_like(outputs))
    return outputs.reshape(-1), derivatives.reshape(-1)


class ActivationExplorer(Explorer):
    """An activation function and its derivative, with saturated regions shaded.

    Controls: ``activation`` (drop-down), ``alpha`` (used by leaky relu and elu) and
    ``input_range`` (the plot shows inputs in ``[-input_range, input_range]``).
    ``update`` returns ``{"inputs", "outputs", "derivatives", "saturated_fraction"}``, the last
    being the fraction of the plotted inputs where ``|f'(u)| < SATURATION_THRESHOLD``.

    Args:
        activation, alpha, input_range: start values of the controls.
        extra_activations: ``{name: layer}`` added to the drop-down (e.g. your own activation).
    """

    def __init__(self, activation: str = "tanh", alpha: float = 0.1, input_range: float = 5.0,
                 extra_activations: dict | None = None) -> None:
        self.extra_activations = dict(extra_activations or {})
        names = [*PLAIN_ACTIVATIONS, *ALPHA_ACTIVATIONS, *self.extra_activations]
        super().__init__(
            {
                "activation": dropdown("activation", names, value=activation),
                "alpha": slider("alpha (leaky relu, elu)", 0.0, 2.0, value=alpha, step=0.01),
                "input_range": slider("input range", 1.0, 20.0, value=input_range, step=0.5),
            },
            figsize=(9.0, 3.6),
        )

    def draw(self, figure: Figure, activation: str, alpha: float, input_range: float) -> dict:
        layer = make_activation(activation, alpha, self.extra_activations)
        inputs = np.linspace(-input_range, input_range, 801)
        outputs, derivatives = activation_curve(layer, inputs)
        saturated = np.abs(derivatives) < SATURATION_THRESHOLD
        value_ax, derivative_ax = figure.subplots(1, 2)
        value_ax.plot(inputs, outputs, color="tab:blue")
        value_ax.set_title(f"{activation}: $f(u)$")
        derivative_ax.plot(inputs, derivatives, color="tab:red")
        derivative_ax.set_title(f"{activation}: $f'(u)$")
        for ax in (value_ax, derivative_ax):
            ax.axhline(0, color="0.7", linewidth=0.8)
            ax.axvline(0, color="0.7", linewidth=0.8)
            ax.fill_between(inputs, 0, 1, where=saturated, transform=ax.get_xaxis_transform(),
                            color="0.85", label=f"$|f'(u)| < {SATURATION_THRESHOLD}$")
            ax.set_xlabel("$u$")
        derivative_ax.legend(loc="best", fontsize=8)
        figure.tight_layout()
        fraction = float(np.mean(saturated))
        self.say(f"{repr(layer)}: the derivative is below {SATURATION_THRESHOLD} on {100 * fraction:.0f}% "
                 f"of [-{input_range:g}, {input_range:g}]; its largest value there is {derivatives.max():.3g}")
        return {"inputs": inputs, "outputs": outputs, "derivatives": derivatives, "saturated_fraction": fraction}


def deep_network_statistics(activation: Layer, depth: int, gain: float, width: int = 100,
                            batch_size: int = 500, rng=0) -> dict:
    r"""Forward activations and backward gradients through a random deep network.

    The network is ``depth`` blocks of (affine layer without bias, ``activation``), each
    ``width`` units wide, with weights drawn from :math:`\mathcal{N}(0, (\text{gain}/\sqrt{\text{width}})^2)`.
    Standard normal inputs go forwards; a standard normal gradient on the last activations
    goes backwards.

    Args:
        activation: an elementwise activation layer, used after every affine layer.
        depth: number of blocks (positive).
        gain: weight scale factor (positive): 1 keeps the variance of a linear network, √2 suits ReLU.
        width, batch_size: sizes of the layers and of the random batch.
        rng: ``numpy.random.Generator`` or integer seed.

    Returns:
        ``{"activations": [array (batch_size, width) per block], "activation_std": array (depth,),
        "gradient_std": array (depth,)}`` where ``gradient_std[l]`` is the spread of the gradient
        with respect to the inputs of block ``l`` (the pre-activations' inputs).
    """
    owner = "deep_network_statistics"
    depth = check_positive_int(owner, "depth", depth)
    gain = check_real(owner, "gain", gain, low=0.0, low_inclusive=False)
    width = check_positive_int(owner, "width", width)
    batch_size = check_positive_int(owner, "batch_size", batch_size)
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    weights = [rng.normal(0.0, gain / np.sqrt(width), size=(width, width)) for _ in range(depth)]
    hidden = rng.standard_normal((batch_size, width))
    layer_inputs, pre_activations, activations = [], [], []
    with np.errstate(all="ignore"):
        for weight in weights:
            layer_inputs.append(hidden)
            pre_activations.append(hidden @ weight.T)
            hidden = activation.fprop(pre_activations[-1])
            activations.append(hidden)
        gradient = rng.standard_normal((batch_size, width))
        gradient_std = np.zeros(depth)
        for index in reversed(range(depth)):
            gradient = activation.bprop(pre_activations[index], activations[index], gradient)
            gradient = gradient @ weights[index]
            gradient_std[index] = np.std(gradient)
    return {"activations": activations,
            "activation_std": np.array([np.std(values) for values in activations]),
            "gradient_std": gradient_std}


class InitialisationExplorer(Explorer):
    r"""Per-layer histograms of activations in a deep random network, for a chosen weight scale.

    Controls: ``activation``, ``depth`` (number of hidden layers), ``gain`` (weights have standard
    deviation ``gain / sqrt(fan_in)``, log slider) and ``show_gradients`` (add the backward
    pass: spread of the gradients per layer). ``update`` returns the dict of
    :func:`deep_network_statistics`.

    Args:
        activation, depth, gain: start values.
        extra_activations: ``{name: layer}`` added to the drop-down (e.g. your own activation).
        seed: seed of the random weights and inputs (the same for every redraw).
    """

    HISTOGRAM_PANELS = 5

    def __init__(self, activation: str = "tanh", depth: int = 8, gain: float = 1.0,
                 extra_activations: dict | None = None, seed: int = 0) -> None:
        self.extra_activations = dict(extra_activations or {})
        self.seed = seed
        names = [*PLAIN_ACTIVATIONS, *ALPHA_ACTIVATIONS, *self.extra_activations]
        super().__init__(
            {
                "activation": dropdown("activation", names, value=activation),
                "depth": slider("hidden layers", 2, 20, value=depth, kind="int"),
                "gain": slider("gain (std = gain / sqrt(fan_in))", 0.1, 10.0, value=gain, kind="log", step=0.05),
                "show_gradients": checkbox("show gradient spread", value=True),
            },
            figsize=(10.0, 5.0),
        )

    def draw(self, figure: Figure, activation: str, depth: int, gain: float, show_gradients: bool) -> dict:
        layer = make_activation(activation, 0.1, self.extra_activations)
        statistics = deep_network_statistics(layer, depth, gain, rng=self.seed)
        grid = figure.add_gridspec(2, self.HISTOGRAM_PANELS)
        shown = np.unique(np.linspace(0, depth - 1, self.HISTOGRAM_PANELS).round().astype(int))
        for panel, index in enumerate(shown):
            ax = figure.add_subplot(grid[0, panel])
            values = statistics["activations"][index].ravel()
            values = values[np.isfinite(values)]
            ax.hist(values, bins=40, color="tab:blue")
            ax.set_title(f"layer {index + 1}", fontsize=9)
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
        spread_ax = figure.add_subplot(grid[1, :])
        layers = np.arange(1, depth + 1)
        spread_ax.semilogy(layers, statistics["activation_std"], "o-", label="std of activations (forward)")
        if show_gradients:
            spread_ax.semilogy(layers, statistics["gradient_std"], "s-", color="tab:red",
                               label="std of gradients w.r.t. layer inputs (backward)")
        spread_ax.set_xlabel("layer")
        spread_ax.set_xticks(layers)
        spread_ax.legend(fontsize=8)
        figure.suptitle(f"{activation}, {depth} layers of width 100, weights ~ N(0, ({gain:.2g}/sqrt(100))^2)",
                        fontsize=10)
        figure.tight_layout()
        first, last = statistics["activation_std"][0], statistics["activation_std"][-1]
        self.say(f"activation std: layer 1 {first:.3g}, layer {depth} {last:.3g}; gradient std: layer 1 "
                 f"{statistics['gradient_std'][0]:.3g}, layer {depth} {statistics['gradient_std'][-1]:.3g}")
        return statistics
