r"""Learning-rate schedulers: change a learning rule's ``learning_rate`` from epoch to epoch.

A scheduler has one method, ``update_learning_rule(learning_rule, epoch_number)``, which sets
``learning_rule.learning_rate`` to the rate for that epoch and returns it. The optimiser
(:class:`mlp.optimisers.Optimiser`) calls it before each training epoch, with
``epoch_number`` counting from 0 for the first epoch.

* :class:`ConstantLearningRateScheduler`: :math:`\eta_e = \eta`.
* :class:`ExponentialLearningRateScheduler`: :math:`\eta_e = \eta_0 \exp(-e / \tau)`.
* :class:`StepLearningRateScheduler`: :math:`\eta_e = \eta_0 \gamma^{\lfloor e / s \rfloor}`.
* :class:`CosineAnnealingWithWarmRestarts`: cosine decay from a maximum to a minimum, then a
  restart at the maximum (SGDR).
"""

from __future__ import annotations

import math

from mlp.validation import check_non_negative_int, check_positive_int, check_real, describe


class _Scheduler:
    """Shared ``update_learning_rule``; subclasses implement :meth:`learning_rate_at`."""

    def learning_rate_at(self, epoch_number: int) -> float:
        """The learning rate for ``epoch_number`` (0 for the first epoch)."""
        raise NotImplementedError(f"{type(self).__name__}.learning_rate_at is not implemented")

    def update_learning_rule(self, learning_rule, epoch_number: int) -> float:
        """Set ``learning_rule.learning_rate`` to the rate for ``epoch_number`` and return it.

        Args:
            learning_rule: any object with a ``learning_rate`` attribute (e.g. from
                :mod:`mlp.learning_rules`).
            epoch_number: a non-negative int, 0 for the first epoch.
        """
        if not hasattr(learning_rule, "learning_rate"):
            raise TypeError(
                f"{self!r}: expected a learning rule with a learning_rate attribute, got {describe(learning_rule)}"
            )
        epoch_number = check_non_negative_int(repr(self), "epoch_number", epoch_number)
        learning_rate = self.learning_rate_at(epoch_number)
        learning_rule.learning_rate = learning_rate
        return learning_rate


def _positive(owner: str, name: str, value) -> float:
    return check_real(owner, name, value, low=0.0, low_inclusive=False)


class ConstantLearningRateScheduler(_Scheduler):
    r"""The same learning rate every epoch: :math:`\eta_e = \eta`.

    Args:
        learning_rate: :math:`\eta > 0`.
    """

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = _positive(f"{type(self).__name__}(learning_rate={learning_rate!r})",
                                       "learning_rate", learning_rate)

    def learning_rate_at(self, epoch_number: int) -> float:
        return self.learning_rate

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate!r})"


class ExponentialLearningRateScheduler(_Scheduler):
    r"""Exponential decay: :math:`\eta_e = \eta_0 \exp(-e / \tau)`.

    The rate falls by a factor :math:`e` every :math:`\tau` epochs; equivalently it is
    multiplied by :math:`\gamma = e^{-1/\tau}` each epoch.

    Args:
        init_learning_rate: :math:`\eta_0 > 0`, the rate of epoch 0.
        decay_param: :math:`\tau > 0`, the decay time in epochs.
    """

    def __init__(self, init_learning_rate: float, decay_param: float) -> None:
        owner = f"{type(self).__name__}(init_learning_rate={init_learning_rate!r}, decay_param={decay_param!r})"
        self.init_learning_rate = _positive(owner, "init_learning_rate", init_learning_rate)
        self.decay_param = _positive(owner, "decay_param", decay_param)

    def learning_rate_at(self, epoch_number: int) -> float:
        return self.init_learning_rate * math.exp(-epoch_number / self.decay_param)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(init_learning_rate={self.init_learning_rate!r}, "
                f"decay_param={self.decay_param!r})")


class StepLearningRateScheduler(_Scheduler):
    r"""Step decay: the rate is multiplied by ``gamma`` every ``step_size`` epochs.

    .. math:: \eta_e = \eta_0 \, \gamma^{\lfloor e / s \rfloor}

    Args:
        init_learning_rate: :math:`\eta_0 > 0`, the rate of epochs ``0 .. step_size - 1``.
        step_size: :math:`s`, a positive int.
        gamma: :math:`\gamma > 0`, the factor applied at each step (0.1 by default).
    """

    def __init__(self, init_learning_rate: float, step_size: int, gamma: float = 0.1) -> None:
        owner = (f"{type(self).__name__}(init_learning_rate={init_learning_rate!r}, step_size={step_size!r}, "
                 f"gamma={gamma!r})")
        self.init_learning_rate = _positive(owner, "init_learning_rate", init_learning_rate)
        self.step_size = check_positive_int(owner, "step_size", step_size)
        self.gamma = _positive(owner, "gamma", gamma)

    def learning_rate_at(self, epoch_number: int) -> float:
        return self.init_learning_rate * self.gamma ** (epoch_number // self.step_size)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(init_learning_rate={self.init_learning_rate!r}, "
                f"step_size={self.step_size!r}, gamma={self.gamma!r})")


class CosineAnnealingWithWarmRestarts(_Scheduler):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter, 2017).

    Epochs are grouped into periods. Period :math:`i = 0, 1, 2, \dots` lasts
    :math:`T_i = T_0 \rho^i` epochs; its rate starts at :math:`\eta^{max}_i` and follows half a
    cosine down towards :math:`\eta^{min}`:

    .. math:: \eta_e = \eta^{min} + \frac{1}{2} (\eta^{max}_i - \eta^{min})
       \left(1 + \cos\left(\pi \frac{e - S_i}{T_i}\right)\right)

    where :math:`S_i = T_0 + T_1 + \dots + T_{i-1}` is the first epoch of period :math:`i` and
    :math:`\eta^{max}_i = \max(\eta^{min}, \eta^{max} \delta^i)`. At :math:`e = S_{i+1}` the
    rate jumps back up (a "warm restart").

    Args:
        min_learning_rate: :math:`\eta^{min} \ge 0`.
        max_learning_rate: :math:`\eta^{max} \ge \eta^{min}`, the rate at the start of period 0.
        total_iters_per_period: :math:`T_0`, the length of the first period in epochs (positive int).
        max_learning_rate_discount_factor: :math:`\delta \in (0, 1]`, multiplies the maximum rate
            at each restart (1: every period starts at :math:`\eta^{max}`).
        period_iteration_expansion_factor: :math:`\rho \ge 1`, multiplies the period length at each
            restart (1: all periods last :math:`T_0` epochs). Lengths need not be whole numbers.
    """

    def __init__(self, min_learning_rate: float, max_learning_rate: float, total_iters_per_period: int,
                 max_learning_rate_discount_factor: float = 1.0,
                 period_iteration_expansion_factor: float = 1.0) -> None:
        owner = (f"{type(self).__name__}(min_learning_rate={min_learning_rate!r}, "
                 f"max_learning_rate={max_learning_rate!r}, total_iters_per_period={total_iters_per_period!r}, "
                 f"max_learning_rate_discount_factor={max_learning_rate_discount_factor!r}, "
                 f"period_iteration_expansion_factor={period_iteration_expansion_factor!r})")
        self.min_learning_rate = check_real(owner, "min_learning_rate", min_learning_rate, low=0.0)
        self.max_learning_rate = check_real(owner, "max_learning_rate", max_learning_rate, low=0.0, low_inclusive=False)
        if self.max_learning_rate < self.min_learning_rate:
            raise ValueError(
                f"{owner}: expected min_learning_rate <= max_learning_rate, "
                f"got {self.min_learning_rate} > {self.max_learning_rate}"
            )
        self.total_iters_per_period = check_positive_int(owner, "total_iters_per_period", total_iters_per_period)
        self.max_learning_rate_discount_factor = check_real(
            owner, "max_learning_rate_discount_factor", max_learning_rate_discount_factor,
            low=0.0, low_inclusive=False, high=1.0)
        self.period_iteration_expansion_factor = check_real(
            owner, "period_iteration_expansion_factor", period_iteration_expansion_factor, low=1.0)

    def period_of(self, epoch_number: int) -> tuple[int, float, float]:
        """``(i, S_i, T_i)``: the period containing ``epoch_number``, its first epoch and its length."""
        period, start, length = 0, 0.0, float(self.total_iters_per_period)
        if self.period_iteration_expansion_factor == 1.0:
            period = epoch_number // self.total_iters_per_period
            return period, float(period * self.total_iters_per_period), length
        while epoch_number >= start + length:
            start += length
            length *= self.period_iteration_expansion_factor
            period += 1
        return period, start, length

    def learning_rate_at(self, epoch_number: int) -> float:
        period, start, length = self.period_of(epoch_number)
        period_max = max(self.min_learning_rate,
                         self.max_learning_rate * self.max_learning_rate_discount_factor**period)
        progress = (epoch_number - start) / length
        cosine_factor = 0.5 * (1.0 + math.cos(math.pi * progress))
        return self.min_learning_rate + (period_max - self.min_learning_rate) * cosine_factor

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(min_learning_rate={self.min_learning_rate!r}, "
                f"max_learning_rate={self.max_learning_rate!r}, "
                f"total_iters_per_period={self.total_iters_per_period!r}, "
                f"max_learning_rate_discount_factor={self.max_learning_rate_discount_factor!r}, "
                f"period_iteration_expansion_factor={self.period_iteration_expansion_factor!r})")
