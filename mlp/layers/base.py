r"""Base classes of all layers: the fprop/bprop contract.

A layer maps ``inputs`` to ``outputs`` (``fprop``) and, given the gradient of a scalar
error with respect to its outputs, returns the gradient with respect to its inputs
(``bprop``). Layers with parameters also return the gradients with respect to those
parameters (``grads_wrt_params``), in the order of their ``params`` list.

Penalties live here once, for every layer with parameters: a parameter ``p`` named in the
layer's ``param_names`` is penalised by the attribute ``<name>_penalty`` (``None`` for none), e.g.
``weights_penalty``. With penalties :math:`P` the layer's share of the training loss is
:math:`E + \sum_p P(p)` and so :math:`\partial/\partial p` gains :math:`\nabla P(p)`:
:meth:`LayerWithParameters.params_penalty` returns the sum and
:meth:`LayerWithParameters._add_penalty_grads` adds the gradients.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mlp.validation import as_float_array, check_same_shape, describe


class Layer:
    """A parameter-free layer.

    Subclasses implement :meth:`fprop` and :meth:`bprop`.
    """

    def fprop(self, inputs: np.ndarray) -> np.ndarray:
        """Forward propagate ``inputs`` (batch first) through the layer, returning outputs."""
        raise NotImplementedError(f"{type(self).__name__}.fprop is not implemented")

    def bprop(self, inputs: np.ndarray, outputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> np.ndarray:
        """Back propagate gradients through the layer.

        Args:
            inputs: the array given to :meth:`fprop`.
            outputs: the array :meth:`fprop` returned for ``inputs``.
            grads_wrt_outputs: gradient of a scalar error with respect to ``outputs``
                (same shape as ``outputs``).

        Returns:
            The gradient of the error with respect to ``inputs`` (same shape as ``inputs``).
        """
        raise NotImplementedError(f"{type(self).__name__}.bprop is not implemented")

    # Helpers shared by subclasses -------------------------------------------------------

    def _float_inputs(self, inputs, name: str = "inputs") -> np.ndarray:
        """``inputs`` as a float32/float64 array, or a ``TypeError`` naming this layer."""
        return as_float_array(repr(self), name, inputs)

    def _check_grads_wrt_outputs(self, outputs: np.ndarray, grads_wrt_outputs) -> np.ndarray:
        """``grads_wrt_outputs`` as a float array with the shape of ``outputs``."""
        grads_wrt_outputs = as_float_array(repr(self), "grads_wrt_outputs", grads_wrt_outputs)
        check_same_shape(repr(self), "grads_wrt_outputs", grads_wrt_outputs, "outputs", np.asarray(outputs))
        return grads_wrt_outputs

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LayerWithParameters(Layer):
    """A layer with trainable parameters (weights, biases, kernels, ...).

    Subclasses implement :meth:`grads_wrt_params` and the ``params`` property (a list of
    arrays, in a fixed order, with a setter that takes a list in the same order).
    """

    def grads_wrt_params(self, inputs: np.ndarray, grads_wrt_outputs: np.ndarray) -> list[np.ndarray]:
        """Gradients of the error with respect to each parameter, in ``params`` order.

        Args:
            inputs: the array given to :meth:`fprop`.
            grads_wrt_outputs: gradient of the error with respect to the layer's outputs.

        Returns:
            A list with one array per parameter, each the shape of that parameter.
        """
        raise NotImplementedError(f"{type(self).__name__}.grads_wrt_params is not implemented")

    #: Names of the parameter attributes, in ``params`` order (e.g. ``["weights", "biases"]``).
    param_names: Sequence[str] = ()

    # Penalties ------------------------------------------------------------------------------

    def _set_penalties(self, owner: str, **penalties) -> None:
        """Store each ``<name>_penalty=value`` as an attribute, after checking it is ``None`` or a penalty.

        A penalty is an object with ``__call__(param) -> float`` and ``grad(param) -> array``, e.g.
        ``L2Penalty(1e-4)``; anything else raises a ``TypeError`` naming ``owner``.
        """
        for name, penalty in penalties.items():
            if penalty is not None and not (callable(penalty) and callable(getattr(penalty, "grad", None))):
                raise TypeError(
                    f"{owner}: expected {name} to be None or a penalty with __call__(param) and grad(param) "
                    f"(e.g. L2Penalty(1e-4)), got {describe(penalty)}"
                )
            setattr(self, name, penalty)

    def _penalties(self) -> dict:
        """``{parameter name: penalty}`` for the parameters that have a penalty, in ``params`` order."""
        penalties = {name: getattr(self, f"{name}_penalty", None) for name in self.param_names}
        return {name: penalty for name, penalty in penalties.items() if penalty is not None}

    def params_penalty(self) -> float:
        """The total penalty (e.g. L2 weight decay) on this layer's parameters; 0 without one."""
        return sum((float(penalty(getattr(self, name))) for name, penalty in self._penalties().items()), 0.0)

    def _add_penalty_grads(self, grads_wrt_params: list[np.ndarray]) -> list[np.ndarray]:
        """``grads_wrt_params`` (in ``params`` order) plus each penalty's gradient, in its parameter's dtype.

        The dtype is kept so that a float32 layer gets float32 gradients even from a penalty that
        computes in float64.
        """
        penalties = self._penalties()
        grads_with_penalties = []
        for name, grads in zip(self.param_names, grads_wrt_params, strict=True):
            if name in penalties:
                param = getattr(self, name)
                grads = grads + np.asarray(penalties[name].grad(param)).astype(param.dtype, copy=False)
            grads_with_penalties.append(grads)
        return grads_with_penalties

    def _penalty_arguments(self) -> str:
        """The penalties for a ``__repr__``: ``", weights_penalty=L2Penalty(coefficient=0.1)"``, or ``""``."""
        return "".join(f", {name}_penalty={penalty!r}" for name, penalty in self._penalties().items())

    @property
    def params(self) -> list[np.ndarray]:
        """The layer's parameters, as a list of arrays in a fixed order."""
        raise NotImplementedError(f"{type(self).__name__}.params is not implemented")

    @params.setter
    def params(self, values: list[np.ndarray]) -> None:
        raise NotImplementedError(f"{type(self).__name__}.params setter is not implemented")

    def _set_params(self, names: list[str], values) -> None:
        """Assign ``values`` to the attributes ``names``, checking count and shapes."""
        values = list(values)
        if len(values) != len(names):
            raise ValueError(
                f"{self!r}: expected a list of {len(names)} parameter arrays ({', '.join(names)}), "
                f"got {len(values)}"
            )
        for name, value in zip(names, values, strict=True):
            current = getattr(self, name)
            value = as_float_array(repr(self), name, value)
            if value.shape != current.shape:
                raise ValueError(
                    f"{self!r}: expected {name} of shape {current.shape}, got an array of shape {value.shape}"
                )
            setattr(self, name, value)


class StochasticLayer(Layer):
    """A layer whose forward pass is random while training (e.g. dropout).

    ``fprop(inputs, stochastic=True)`` samples; ``stochastic=False`` gives the
    deterministic (evaluation) output.
    """

    def fprop(self, inputs: np.ndarray, stochastic: bool = True) -> np.ndarray:  # noqa: D401
        """Forward propagate ``inputs``; random when ``stochastic`` is true."""
        raise NotImplementedError(f"{type(self).__name__}.fprop is not implemented")


class StochasticLayerWithParameters(LayerWithParameters):
    """A layer with parameters whose training-time forward pass differs from evaluation
    (e.g. batch normalisation: batch statistics while training, running averages after).
    """

    def fprop(self, inputs: np.ndarray, stochastic: bool = True) -> np.ndarray:
        """Forward propagate ``inputs``; training behaviour when ``stochastic`` is true."""
        raise NotImplementedError(f"{type(self).__name__}.fprop is not implemented")
