r"""Models: layers chained together, with back-propagation of gradients to every parameter.

A model maps a batch of inputs to outputs through its layers in order. ``fprop`` returns
the list of all activations, ``[inputs, outputs of layer 0, outputs of layer 1, ...]``,
which ``grads_wrt_params`` then walks backwards (the chain rule):

.. math::
    \frac{\partial E}{\partial a_{i}} = \mathrm{bprop}_i\left(a_{i}, a_{i+1},
    \frac{\partial E}{\partial a_{i+1}}\right)

where :math:`a_0` is the input and :math:`a_{i+1}` the output of layer :math:`i`.
"""

from __future__ import annotations

import numpy as np

from mlp.layers.base import (
    Layer,
    LayerWithParameters,
    StochasticLayer,
    StochasticLayerWithParameters,
)
from mlp.validation import describe


class MultipleLayerModel:
    """A feed-forward model: a list of layers applied in order.

    Args:
        layers: a non-empty list of :class:`~mlp.layers.Layer` objects.

    >>> from mlp.layers import AffineLayer, ReluLayer
    >>> model = MultipleLayerModel([AffineLayer(64, 100), ReluLayer(), AffineLayer(100, 10)])
    >>> [activation.shape for activation in model.fprop(np.zeros((5, 64)))]  # inputs first, then each layer's outputs
    [(5, 64), (5, 100), (5, 100), (5, 10)]
    >>> [param.shape for param in model.params]  # weights and biases of each affine layer, in order
    [(100, 64), (100,), (10, 100), (10,)]
    """

    def __init__(self, layers) -> None:
        owner = type(self).__name__
        if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)):
            raise TypeError(f"{owner}: expected a list of layers, got {describe(layers)}")
        if len(layers) == 0:
            raise ValueError(f"{owner}: expected a non-empty list of layers, got an empty list")
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"{owner}: expected every element of layers to be a Layer, "
                    f"got {describe(layer)} at position {index}"
                )
        self.layers = list(layers)

    # Parameters -------------------------------------------------------------------------

    @property
    def params(self) -> list[np.ndarray]:
        """All parameters of all layers, in layer order (the arrays themselves, not copies)."""
        params = []
        for layer in self.layers:
            if isinstance(layer, LayerWithParameters):
                params += layer.params
        return params

    @params.setter
    def params(self, values) -> None:
        values = list(values)
        expected = len(self.params)
        if len(values) != expected:
            raise ValueError(
                f"{type(self).__name__}: expected a list of {expected} parameter arrays, "
                f"got {len(values)}"
            )
        start = 0
        for layer in self.layers:
            if isinstance(layer, LayerWithParameters):
                count = len(layer.params)
                layer.params = values[start:start + count]
                start += count

    def params_penalty(self) -> float:
        """Sum of the layers' parameter penalties (0 when there are none)."""
        return float(sum(layer.params_penalty() for layer in self.layers
                         if isinstance(layer, LayerWithParameters)))

    # Propagation ------------------------------------------------------------------------

    def fprop(self, inputs: np.ndarray, evaluation: bool = False) -> list[np.ndarray]:
        """Forward propagate ``inputs`` through every layer.

        Args:
            inputs: array of shape ``(batch_size, ...)`` that the first layer expects.
            evaluation: ``True`` runs stochastic layers (dropout, batch norm) in their
                deterministic evaluation mode; ``False`` in training mode.

        Returns:
            ``[inputs, outputs of layer 0, ..., outputs of the last layer]`` (one more
            entry than there are layers).
        """
        activations = [inputs]
        for layer in self.layers:
            if isinstance(layer, (StochasticLayer, StochasticLayerWithParameters)):
                activations.append(layer.fprop(activations[-1], stochastic=not evaluation))
            else:
                activations.append(layer.fprop(activations[-1]))
        return activations

    def grads_wrt_params(self, activations: list[np.ndarray],
                         grads_wrt_outputs: np.ndarray) -> list[np.ndarray]:
        """Gradients of the error with respect to every parameter, in ``params`` order.

        Args:
            activations: the list :meth:`fprop` returned.
            grads_wrt_outputs: gradient of the error with respect to the model outputs
                (``activations[-1]``), same shape as them.

        Returns:
            One array per parameter, each the shape of that parameter.
        """
        if len(activations) != len(self.layers) + 1:
            raise ValueError(
                f"{type(self).__name__}: expected the {len(self.layers) + 1} activations that "
                f"fprop returns (inputs plus one per layer), got {len(activations)}"
            )
        grads_wrt_params = []
        for index in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[index]
            inputs, outputs = activations[index], activations[index + 1]
            if isinstance(layer, LayerWithParameters):
                grads_wrt_params = list(layer.grads_wrt_params(inputs, grads_wrt_outputs)) + grads_wrt_params
            if index > 0:  # the gradient w.r.t. the model inputs is never needed
                grads_wrt_outputs = layer.bprop(inputs, outputs, grads_wrt_outputs)
        return grads_wrt_params

    # Description ------------------------------------------------------------------------

    def summary(self, input_shape: tuple | None = None, max_width: int = 60) -> str:
        """A table of the layers, their output shapes and their number of parameters.

        Args:
            input_shape: shape of one example without the batch axis, e.g. ``(64,)`` or
                ``(1, 8, 8)``. When given, one zero example is propagated (in evaluation
                mode) to find each layer's output shape; otherwise shapes are shown as ``?``.
            max_width: longer layer descriptions are cut to this many characters.
        """
        shapes = ["?"] * len(self.layers)
        if input_shape is not None:
            dtype = self.params[0].dtype if self.params else np.float64
            activations = self.fprop(np.zeros((1, *tuple(input_shape)), dtype=dtype), evaluation=True)
            shapes = ["(batch, " + ", ".join(str(size) for size in activation.shape[1:]) + ")"
                      for activation in activations[1:]]
        rows = []
        for index, (layer, shape) in enumerate(zip(self.layers, shapes, strict=True)):
            count = (sum(int(np.size(param)) for param in layer.params)
                     if isinstance(layer, LayerWithParameters) else 0)
            description = repr(layer)
            if len(description) > max_width:
                description = description[:max_width - 4] + "...)"
            rows.append((str(index), description, shape, f"{count:,}"))
        header = ("#", "layer", "output shape", "parameters")
        widths = [max(len(row[column]) for row in [header, *rows]) for column in range(4)]

        def line(row):
            return "  ".join([row[0].rjust(widths[0]), row[1].ljust(widths[1]),
                              row[2].ljust(widths[2]), row[3].rjust(widths[3])]).rstrip()

        total = sum(int(np.size(param)) for param in self.params)
        rule = "-" * len(line(header))
        return "\n".join([type(self).__name__, rule, line(header), rule, *map(line, rows), rule,
                          f"total parameters: {total:,}"])

    def __repr__(self) -> str:
        listed = "".join(f"\n    {layer!r}," for layer in self.layers)
        return f"{type(self).__name__}([{listed}\n])"


class SingleLayerModel(MultipleLayerModel):
    """A model made of one layer, e.g. an affine layer for linear regression.

    Args:
        layer: a :class:`~mlp.layers.Layer`.
    """

    def __init__(self, layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(f"{type(self).__name__}: expected a Layer, got {describe(layer)}")
        super().__init__([layer])

    @property
    def layer(self) -> Layer:
        """The model's only layer."""
        return self.layers[0]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.layer!r})"
