r"""Learning rules: how parameters move given the gradients of the error.

Every rule is used in three steps::

    rule = AdamLearningRule(learning_rate=1e-3)
    rule.initialise(model.params)            # remembers the arrays, creates its state (zeros)
    rule.update_params(grads_wrt_params)     # one step; the arrays are changed in place

``initialise`` keeps the *same array objects* as the model (no copies), and
``update_params`` changes them in place (``param -= ...``), so the model sees every update.
``grads_wrt_params`` is a list with one gradient per parameter, in the same order and of the
same shapes. ``reset()`` sets the state (velocities, moment estimates, step count) back to
zero, as if the rule had just been initialised. ``learning_rate`` is a public attribute that
schedulers (:mod:`mlp.schedulers`) change between epochs.

State arrays have the dtype of their parameter, so float32 parameters stay float32.

Notation below: :math:`p` a parameter, :math:`g` its gradient, :math:`\eta` the learning rate,
:math:`t` the step number (1 for the first update).
"""

from __future__ import annotations

import numpy as np

from mlp.validation import as_float_array, check_real, describe


class _LearningRule:
    """Shared bookkeeping: parameters, per-parameter state arrays, argument and gradient checks.

    Subclasses list their per-parameter state in ``state_names`` (each becomes a list of
    arrays shaped like the parameters) and implement :meth:`_update_param`.
    """

    #: names of the per-parameter state lists, e.g. ``("velocities",)``
    state_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float, owner: str | None = None) -> None:
        """``owner`` names the rule in constructor error messages (see :func:`_describe_call`)."""
        owner = owner or _describe_call(self, learning_rate=learning_rate)
        self._learning_rate = check_real(owner, "learning_rate", learning_rate, low=0.0, low_inclusive=False)
        self.params: list[np.ndarray] | None = None
        self.step_count = 0

    @property
    def learning_rate(self) -> float:
        """The step size :math:`\\eta`; schedulers set it (any finite value >= 0)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = check_real(repr(self), "learning_rate", value, low=0.0)

    def initialise(self, params) -> None:
        """Remember ``params`` (a list of float arrays, kept by reference) and create zero state.

        Raises:
            TypeError: if a parameter is not a float32/float64 NumPy array (it could not be
                updated in place).
        """
        params = list(params)
        for index, param in enumerate(params):
            if not isinstance(param, np.ndarray) or param.dtype not in (np.float32, np.float64):
                raise TypeError(
                    f"{self!r}: expected params[{index}] to be a float32 or float64 NumPy array "
                    f"(it is updated in place), got {describe(param)}"
                )
        self.params = params
        for name in self.state_names:
            setattr(self, name, [np.zeros_like(param) for param in params])
        self.step_count = 0

    def reset(self) -> None:
        """Set all state (velocities, moment estimates, step count) back to zero."""
        self.step_count = 0
        if self.params is None:
            return
        for name in self.state_names:
            for state in getattr(self, name):
                state.fill(0)

    def update_params(self, grads_wrt_params) -> None:
        """Take one step: update every parameter in place using its gradient.

        Args:
            grads_wrt_params: a list of arrays, one per parameter given to :meth:`initialise`,
                in the same order and of the same shapes.
        """
        grads_wrt_params = self._check_grads(grads_wrt_params)
        self.step_count += 1
        for index, (param, grad) in enumerate(zip(self.params, grads_wrt_params, strict=True)):
            states = [getattr(self, name)[index] for name in self.state_names]
            self._update_param(param, grad, *states)

    def _update_param(self, param: np.ndarray, grad: np.ndarray, *states: np.ndarray) -> None:
        raise NotImplementedError(f"{type(self).__name__}._update_param is not implemented")

    def _check_grads(self, grads_wrt_params) -> list[np.ndarray]:
        """The gradients as arrays of their parameters' dtypes, or a clear error."""
        if self.params is None:
            raise RuntimeError(f"{self!r}: call initialise(params) before update_params(grads_wrt_params)")
        if isinstance(grads_wrt_params, np.ndarray):
            raise TypeError(
                f"{self!r}: expected grads_wrt_params to be a list of {len(self.params)} arrays "
                f"(one per parameter), got {describe(grads_wrt_params)}"
            )
        grads_wrt_params = list(grads_wrt_params)
        if len(grads_wrt_params) != len(self.params):
            raise ValueError(
                f"{self!r}: expected {len(self.params)} gradients (one per parameter given to initialise), "
                f"got {len(grads_wrt_params)}"
            )
        checked = []
        for index, (param, grad) in enumerate(zip(self.params, grads_wrt_params, strict=True)):
            grad = as_float_array(repr(self), f"grads_wrt_params[{index}]", grad)
            if grad.shape != param.shape:
                raise ValueError(
                    f"{self!r}: expected grads_wrt_params[{index}] of shape {param.shape} like params[{index}], "
                    f"got an array of shape {grad.shape}"
                )
            checked.append(grad.astype(param.dtype, copy=False))
        return checked

    def _arguments(self) -> str:
        return f"learning_rate={self.learning_rate!r}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._arguments()})"


def _describe_call(rule, **arguments) -> str:
    """``"ClassName(name=value, ...)"`` with the arguments as given, for constructor error messages."""
    return f"{type(rule).__name__}(" + ", ".join(f"{name}={value!r}" for name, value in arguments.items()) + ")"


def _check_coefficient(owner: str, name: str, value) -> float:
    """A decay/momentum coefficient in ``[0, 1)``."""
    return check_real(owner, name, value, low=0.0, high=1.0, high_inclusive=False)


def _check_epsilon(owner: str, value) -> float:
    return check_real(owner, "epsilon", value, low=0.0, low_inclusive=False)


class GradientDescentLearningRule(_LearningRule):
    r"""Plain (stochastic) gradient descent: :math:`p \leftarrow p - \eta g`.

    Args:
        learning_rate: :math:`\eta > 0`.

    >>> weights = np.array([1.0, 2.0])
    >>> rule = GradientDescentLearningRule(learning_rate=0.5)
    >>> rule.initialise([weights])
    >>> rule.update_params([np.array([1.0, -2.0])])
    >>> weights  # changed in place: 1 - 0.5 * 1, 2 - 0.5 * (-2)
    array([0.5, 3. ])
    """

    def __init__(self, learning_rate: float = 1e-3) -> None:
        super().__init__(learning_rate)

    def _update_param(self, param, grad):
        param -= self.learning_rate * grad


class MomentumLearningRule(_LearningRule):
    r"""Gradient descent with (heavy-ball) momentum.

    .. math:: v \leftarrow \alpha v - \eta g, \qquad p \leftarrow p + v

    The velocity :math:`v` (initially 0) is a decaying sum of past steps, so directions in which
    the gradient keeps its sign speed up and oscillating directions cancel out. With a constant
    learning rate this is the same as PyTorch's ``SGD(momentum=alpha)``
    (:math:`b \leftarrow \alpha b + g,\ p \leftarrow p - \eta b`, with :math:`v = -\eta b`).

    Args:
        learning_rate: :math:`\eta > 0`.
        mom_coeff: momentum coefficient :math:`\alpha \in [0, 1)`.
    """

    state_names = ("velocities",)

    def __init__(self, learning_rate: float = 1e-3, mom_coeff: float = 0.9) -> None:
        owner = _describe_call(self, learning_rate=learning_rate, mom_coeff=mom_coeff)
        super().__init__(learning_rate, owner)
        self.mom_coeff = _check_coefficient(owner, "mom_coeff", mom_coeff)

    def _update_param(self, param, grad, velocity):
        velocity *= self.mom_coeff
        velocity -= self.learning_rate * grad
        param += velocity

    def _arguments(self) -> str:
        return f"{super()._arguments()}, mom_coeff={self.mom_coeff!r}"


class NesterovMomentumLearningRule(_LearningRule):
    r"""Nesterov accelerated gradient, in the reformulation PyTorch uses (``nesterov=True``).

    .. math:: b \leftarrow \alpha b + g, \qquad p \leftarrow p - \eta (g + \alpha b)

    Nesterov momentum evaluates the gradient at the "look-ahead" point the momentum is about
    to carry the parameters to. Tracking the look-ahead point itself as the parameter turns
    this into the update above, which needs only the gradient at the current parameters.
    With a constant learning rate the parameters are exactly Sutskever et al.'s (2013)
    :math:`\theta_t + \alpha v_t`.

    Args:
        learning_rate: :math:`\eta > 0`.
        mom_coeff: momentum coefficient :math:`\alpha \in [0, 1)`.
    """

    state_names = ("momentum_buffers",)

    def __init__(self, learning_rate: float = 1e-3, mom_coeff: float = 0.9) -> None:
        owner = _describe_call(self, learning_rate=learning_rate, mom_coeff=mom_coeff)
        super().__init__(learning_rate, owner)
        self.mom_coeff = _check_coefficient(owner, "mom_coeff", mom_coeff)

    def _update_param(self, param, grad, momentum_buffer):
        momentum_buffer *= self.mom_coeff
        momentum_buffer += grad
        param -= self.learning_rate * (grad + self.mom_coeff * momentum_buffer)

    def _arguments(self) -> str:
        return f"{super()._arguments()}, mom_coeff={self.mom_coeff!r}"


class AdaGradLearningRule(_LearningRule):
    r"""AdaGrad (Duchi et al., 2011): a per-parameter step size shrinking with past gradients.

    .. math:: s \leftarrow s + g^2, \qquad p \leftarrow p - \eta \frac{g}{\sqrt{s} + \epsilon}

    Args:
        learning_rate: :math:`\eta > 0`.
        epsilon: :math:`\epsilon > 0`, avoids division by zero.
    """

    state_names = ("sums_of_squared_grads",)

    def __init__(self, learning_rate: float = 1e-2, epsilon: float = 1e-8) -> None:
        owner = _describe_call(self, learning_rate=learning_rate, epsilon=epsilon)
        super().__init__(learning_rate, owner)
        self.epsilon = _check_epsilon(owner, epsilon)

    def _update_param(self, param, grad, sum_of_squared_grads):
        sum_of_squared_grads += grad**2
        param -= self.learning_rate * grad / (np.sqrt(sum_of_squared_grads) + self.epsilon)

    def _arguments(self) -> str:
        return f"{super()._arguments()}, epsilon={self.epsilon!r}"


class RMSPropLearningRule(_LearningRule):
    r"""RMSProp (Tieleman and Hinton, 2012): AdaGrad with a moving average instead of a sum.

    .. math:: s \leftarrow \beta s + (1 - \beta) g^2, \qquad
       p \leftarrow p - \eta \frac{g}{\sqrt{s} + \epsilon}

    Args:
        learning_rate: :math:`\eta > 0`.
        beta: decay rate :math:`\beta \in [0, 1)` of the moving average.
        epsilon: :math:`\epsilon > 0`, avoids division by zero.
    """

    state_names = ("mean_squared_grads",)

    def __init__(self, learning_rate: float = 1e-3, beta: float = 0.9, epsilon: float = 1e-8) -> None:
        owner = _describe_call(self, learning_rate=learning_rate, beta=beta, epsilon=epsilon)
        super().__init__(learning_rate, owner)
        self.beta = _check_coefficient(owner, "beta", beta)
        self.epsilon = _check_epsilon(owner, epsilon)

    def _update_param(self, param, grad, mean_squared_grad):
        mean_squared_grad *= self.beta
        mean_squared_grad += (1.0 - self.beta) * grad**2
        param -= self.learning_rate * grad / (np.sqrt(mean_squared_grad) + self.epsilon)

    def _arguments(self) -> str:
        return (f"{super()._arguments()}, beta={self.beta!r}, "
                f"epsilon={self.epsilon!r}")


class AdamLearningRule(_LearningRule):
    r"""Adam (Kingma and Ba, 2015): momentum and RMSProp with bias correction.

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \\
        \hat m = \frac{m}{1 - \beta_1^t}, \qquad \hat v = \frac{v}{1 - \beta_2^t}, \qquad
        p \leftarrow p - \eta \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    The moment estimates start at zero, so they are biased towards zero early on; dividing by
    :math:`1 - \beta^t` removes that bias. The first step is therefore about
    :math:`-\eta\,\mathrm{sign}(g)` whatever the size of :math:`g`.

    Args:
        learning_rate: :math:`\eta > 0`.
        beta_1, beta_2: decay rates in ``[0, 1)`` of the first and second moment estimates.
        epsilon: :math:`\epsilon > 0`, avoids division by zero.
    """

    state_names = ("first_moments", "second_moments")

    def __init__(self, learning_rate: float = 1e-3, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8) -> None:
        owner = _describe_call(self, learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        super().__init__(learning_rate, owner)
        self._set_moment_coefficients(owner, beta_1, beta_2, epsilon)

    def _set_moment_coefficients(self, owner: str, beta_1, beta_2, epsilon) -> None:
        self.beta_1 = _check_coefficient(owner, "beta_1", beta_1)
        self.beta_2 = _check_coefficient(owner, "beta_2", beta_2)
        self.epsilon = _check_epsilon(owner, epsilon)

    def _update_param(self, param, grad, first_moment, second_moment):
        first_moment *= self.beta_1
        first_moment += (1.0 - self.beta_1) * grad
        second_moment *= self.beta_2
        second_moment += (1.0 - self.beta_2) * grad**2
        first_moment_corrected = first_moment / (1.0 - self.beta_1**self.step_count)
        second_moment_corrected = second_moment / (1.0 - self.beta_2**self.step_count)
        param -= self.learning_rate * first_moment_corrected / (np.sqrt(second_moment_corrected) + self.epsilon)

    def _arguments(self) -> str:
        return (f"{super()._arguments()}, beta_1={self.beta_1!r}, "
                f"beta_2={self.beta_2!r}, epsilon={self.epsilon!r}")


class AdamWLearningRule(AdamLearningRule):
    r"""AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay.

    Each step first shrinks the parameter, then takes the Adam step of :class:`AdamLearningRule`:

    .. math:: p \leftarrow p - \eta \lambda p, \qquad
       p \leftarrow p - \eta \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    Unlike an L2 penalty added to the error, the decay does not pass through Adam's
    per-parameter scaling, so every parameter decays at the same relative rate
    (as in PyTorch's ``AdamW``).

    Args:
        learning_rate: :math:`\eta > 0`.
        beta_1, beta_2, epsilon: as for :class:`AdamLearningRule`.
        weight_decay: :math:`\lambda \ge 0`.
    """

    def __init__(self, learning_rate: float = 1e-3, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, weight_decay: float = 1e-2) -> None:
        owner = _describe_call(self, learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                               weight_decay=weight_decay)
        _LearningRule.__init__(self, learning_rate, owner)
        self._set_moment_coefficients(owner, beta_1, beta_2, epsilon)
        self.weight_decay = check_real(owner, "weight_decay", weight_decay, low=0.0)

    def _update_param(self, param, grad, first_moment, second_moment):
        param -= (self.learning_rate * self.weight_decay) * param
        super()._update_param(param, grad, first_moment, second_moment)

    def _arguments(self) -> str:
        return f"{super()._arguments()}, weight_decay={self.weight_decay!r}"
