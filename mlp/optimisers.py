"""Training loop: mini-batch gradient descent with monitoring, schedules and early stopping.

One epoch visits every training batch once::

    activations = model.fprop(inputs_batch)                   # training mode
    loss = error(activations[-1], targets_batch) + model.params_penalty()
    grads_wrt_outputs = error.grad(activations[-1], targets_batch)
    learning_rule.update_params(model.grads_wrt_params(activations, grads_wrt_outputs))

(the gradients of penalties are added by the layers that own them). Every
``stats_interval`` epochs, and once before training, the model is evaluated on the training
and validation data in evaluation mode and one row of statistics is recorded.

Example (classic lab code runs unchanged)::

    optimiser = Optimiser(model, error, learning_rule, train_data, valid_data,
                          data_monitors={"acc": accuracy})
    stats, keys, run_time = optimiser.train(num_epochs=20, stats_interval=5)
    stats[:, keys["acc(valid)"]]      # validation accuracy at epochs 0, 5, 10, 15, 20
"""

from __future__ import annotations

import time

import numpy as np

from mlp.layers.base import StochasticLayerWithParameters
from mlp.metrics import accuracy
from mlp.validation import check_positive_int, describe

__all__ = ["Optimiser", "TrainingDivergedError", "accuracy", "in_notebook"]


class TrainingDivergedError(FloatingPointError):
    """Raised when the training loss becomes NaN or infinite (an ``ArithmeticError``)."""


def in_notebook() -> bool:
    """Whether the code runs inside a Jupyter kernel (so a widget progress bar can show)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the kit
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _progress_bar_class(notebook: bool | None):
    if notebook is None:
        notebook = in_notebook()
    if notebook:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm


class Optimiser:
    """Trains a model by mini-batch gradient descent and records statistics.

    Args:
        model: a model with ``fprop``, ``grads_wrt_params``, ``params`` and
            ``params_penalty`` (e.g. :class:`~mlp.models.MultipleLayerModel`).
        error: an error with ``__call__(outputs, targets)`` and ``grad(outputs, targets)``.
        learning_rule: a learning rule; it is initialised here with ``model.params``.
        train_dataset: a data provider yielding ``(inputs_batch, targets_batch)``, iterable
            once per epoch.
        valid_dataset: optional data provider for validation statistics.
        data_monitors: ``{name: function(outputs, targets) -> float}``, e.g.
            ``{"acc": accuracy}``; ``error`` is always monitored first.
        schedulers: objects with ``update_learning_rule(learning_rule, epoch_number)``,
            called at the start of every epoch with the number of epochs completed so far
            (0 before the first epoch).
        notebook: use the notebook (widget) progress bar; ``None`` detects a Jupyter kernel.
        progress: show a progress bar; ``False`` for none.
        early_stopping_patience: stop after this many evaluations in a row without an
            improvement of ``monitor``; ``None`` never stops early.
        restore_best: with early stopping, copy the parameters from the best evaluation
            back into the model's parameter arrays when training ends (and the running
            statistics of batch-normalisation layers, which are not parameters).
        monitor: the statistic early stopping watches, e.g. ``"error(valid)"`` or
            ``"acc(valid)"``; statistics named ``error...`` are minimised, others maximised.

    Attributes (after :meth:`train`):
        best_epoch: epoch of the best ``monitor`` value seen (with early stopping).
        stopped_epoch: the last epoch trained.
    """

    def __init__(self, model, error, learning_rule, train_dataset, valid_dataset=None,
                 data_monitors=None, schedulers=(), notebook: bool | None = None,
                 progress: bool = True, early_stopping_patience: int | None = None,
                 restore_best: bool = True, monitor: str = "error(valid)") -> None:
        owner = type(self).__name__
        self.model = model
        self.error = error
        self.learning_rule = learning_rule
        self.train_dataset = train_dataset
        self.valid_dataset = valid_dataset
        data_monitors = dict(data_monitors or {})
        if "error" in data_monitors:
            raise ValueError(
                f"{owner}: the data monitor name 'error' is reserved for the error function, "
                f"choose another name"
            )
        for name, function in data_monitors.items():
            if not callable(function):
                raise TypeError(
                    f"{owner}: expected data monitor {name!r} to be a function "
                    f"(outputs, targets) -> float, got {describe(function)}"
                )
        self.data_monitors = {"error": error, **data_monitors}
        if schedulers is None:
            schedulers = ()
        elif hasattr(schedulers, "update_learning_rule"):
            schedulers = (schedulers,)
        self.schedulers = tuple(schedulers)
        for scheduler in self.schedulers:
            if not hasattr(scheduler, "update_learning_rule"):
                raise TypeError(
                    f"{owner}: expected schedulers with an update_learning_rule method, "
                    f"got {describe(scheduler)}"
                )
        self.notebook = notebook
        self.progress = bool(progress)
        if early_stopping_patience is not None:
            early_stopping_patience = check_positive_int(owner, "early_stopping_patience",
                                                         early_stopping_patience)
            if monitor not in self.stat_names:
                raise ValueError(
                    f"{owner}: early stopping watches monitor={monitor!r}, which is not one of "
                    f"the recorded statistics {self.stat_names}"
                    + ("; pass a valid_dataset or choose a '(train)' statistic"
                       if valid_dataset is None and monitor.endswith("(valid)") else "")
                )
        self.early_stopping_patience = early_stopping_patience
        self.restore_best = bool(restore_best)
        self.monitor = monitor
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self.learning_rule.initialise(self.model.params)

    @property
    def stat_names(self) -> list[str]:
        """Column names of the statistics, e.g. ``['error(train)', 'acc(train)',
        'error(valid)', 'acc(valid)']``."""
        labels = ["train"] + (["valid"] if self.valid_dataset is not None else [])
        return [f"{name}({label})" for label in labels for name in self.data_monitors]

    # One epoch ------------------------------------------------------------------------

    def do_training_epoch(self, epoch: int = 0) -> None:
        """Run one pass of gradient descent over the training batches.

        Raises:
            TrainingDivergedError: if the loss of a batch is NaN or infinite.
        """
        for batch_number, (inputs_batch, targets_batch) in enumerate(self.train_dataset, start=1):
            activations = self.model.fprop(inputs_batch)
            loss = float(self.error(activations[-1], targets_batch)) + self.model.params_penalty()
            if not np.isfinite(loss):
                self._diverged(epoch, loss, f"the training loss of batch {batch_number}")
            grads_wrt_outputs = self.error.grad(activations[-1], targets_batch)
            grads_wrt_params = self.model.grads_wrt_params(activations, grads_wrt_outputs)
            self.learning_rule.update_params(grads_wrt_params)

    def eval_monitors(self, dataset, label: str) -> dict[str, float]:
        """Each data monitor averaged over ``dataset`` (model in evaluation mode).

        Batch values are weighted by batch size, so a smaller last batch counts for its
        share of the examples. Returns ``{"error(train)": ..., "acc(train)": ...}`` for
        ``label="(train)"``.
        """
        totals = dict.fromkeys(self.data_monitors, 0.0)
        num_examples = 0
        for inputs_batch, targets_batch in dataset:
            outputs = self.model.fprop(inputs_batch, evaluation=True)[-1]
            batch_size = len(inputs_batch)
            for name, monitor in self.data_monitors.items():
                totals[name] += float(monitor(outputs, targets_batch)) * batch_size
            num_examples += batch_size
        return {name + label: total / max(num_examples, 1) for name, total in totals.items()}

    def get_epoch_stats(self) -> dict[str, float]:
        """The statistics of the current model on the training (and validation) data."""
        stats = self.eval_monitors(self.train_dataset, "(train)")
        if self.valid_dataset is not None:
            stats.update(self.eval_monitors(self.valid_dataset, "(valid)"))
        return stats

    # Training -------------------------------------------------------------------------

    def train(self, num_epochs: int, stats_interval: int = 5):
        """Train for ``num_epochs`` epochs, recording statistics every ``stats_interval``.

        Returns:
            ``(stats, keys, run_time)``: ``stats`` is an array of shape
            ``(num_evaluations, num_statistics)`` whose row ``r`` holds the statistics
            after epoch ``r * stats_interval`` (row 0: before training; epochs after the
            last multiple of ``stats_interval`` are trained but not recorded); ``keys`` maps
            statistic names to column indices (``keys["acc(valid)"]``); ``run_time`` is
            the wall-clock time of training in seconds. The ``error(...)`` statistics are
            the error of the data alone; the parameter penalty is part of the training loss
            (and its gradient) but not of these numbers, so train and valid compare directly.

        Raises:
            TrainingDivergedError: when the loss becomes NaN or infinite, naming the epoch.
        """
        owner = type(self).__name__
        num_epochs = check_positive_int(owner, "num_epochs", num_epochs)
        stats_interval = check_positive_int(owner, "stats_interval", stats_interval)
        start_time = time.perf_counter()
        keys = {name: column for column, name in enumerate(self.stat_names)}
        rows = [self._evaluate(0, keys)]
        best_value, best_snapshot, evaluations_without_improvement = None, None, 0
        if self.early_stopping_patience is not None:
            best_value, best_snapshot = rows[0][keys[self.monitor]], self._copy_params()
            self.best_epoch = 0
        bar = self._make_progress_bar(num_epochs)
        bar.set_postfix_str(self._postfix(rows[-1], keys))
        self.stopped_epoch = 0
        try:
            for epoch in range(1, num_epochs + 1):
                for scheduler in self.schedulers:
                    scheduler.update_learning_rule(self.learning_rule, epoch - 1)
                self.do_training_epoch(epoch)
                self.stopped_epoch = epoch
                bar.update(1)
                if epoch % stats_interval != 0:
                    continue
                rows.append(self._evaluate(epoch, keys))
                bar.set_postfix_str(self._postfix(rows[-1], keys))
                if self.early_stopping_patience is None:
                    continue
                value = rows[-1][keys[self.monitor]]
                if self._improves(value, best_value):
                    best_value, best_snapshot, self.best_epoch = value, self._copy_params(), epoch
                    evaluations_without_improvement = 0
                else:
                    evaluations_without_improvement += 1
                    if evaluations_without_improvement >= self.early_stopping_patience:
                        break
        finally:
            bar.close()
        if best_snapshot is not None and self.restore_best:
            self._restore(best_snapshot)
        return np.array(rows), keys, time.perf_counter() - start_time

    # Helpers --------------------------------------------------------------------------

    def _evaluate(self, epoch: int, keys: dict[str, int]) -> list[float]:
        stats = self.get_epoch_stats()
        for name, value in stats.items():
            if name.startswith("error") and not np.isfinite(value):
                self._diverged(epoch, value, name)
        return [stats[name] for name in keys]

    def _improves(self, value: float, best_value: float) -> bool:
        if self.monitor.startswith("error"):
            return value < best_value
        return value > best_value

    def _copy_params(self):
        """Copies of the parameters, plus the non-parameter arrays (e.g. batch normalisation's
        running statistics) of layers whose training and evaluation behaviour differ."""
        params = [np.array(param, copy=True) for param in self.model.params]
        states = []
        for layer in getattr(self.model, "layers", []):
            if isinstance(layer, StochasticLayerWithParameters):
                param_ids = {id(param) for param in layer.params}
                states.append((layer, {name: np.array(value, copy=True)
                                       for name, value in vars(layer).items()
                                       if isinstance(value, np.ndarray) and id(value) not in param_ids}))
        return params, states

    def _restore(self, snapshot) -> None:
        """Copy a snapshot back: parameter values into the same arrays, layer state by name."""
        params, states = snapshot
        for param, best in zip(self.model.params, params, strict=True):
            param[...] = best
        for layer, state in states:
            for name, value in state.items():
                setattr(layer, name, value.copy())

    def _diverged(self, epoch: int, value: float, what: str):
        learning_rate = getattr(self.learning_rule, "learning_rate", None)
        rate_text = f" (it is {learning_rate:g})" if isinstance(learning_rate, (int, float)) else ""
        raise TrainingDivergedError(
            f"{type(self).__name__}: training diverged in epoch {epoch}: {what} is {value}. "
            f"Try lowering the learning rate{rate_text}, e.g. by a factor of 10, and check that "
            f"the inputs are scaled (e.g. to [0, 1])."
        )

    def _make_progress_bar(self, num_epochs: int):
        tqdm = _progress_bar_class(self.notebook)
        return tqdm(total=num_epochs, desc="training", unit="epoch", leave=True, disable=not self.progress,
                    bar_format="{desc} {n_fmt}/{total_fmt} epochs |{bar}| {elapsed}<{remaining}"
                               "{postfix}")

    @staticmethod
    def _postfix(row: list[float], keys: dict[str, int]) -> str:
        """The latest statistics, compactly: ``error 0.144/0.259 acc 0.962/0.916 (train/valid)``."""
        by_name: dict[str, list[str]] = {}
        labels: list[str] = []
        for key, column in keys.items():
            name, _, label = key.partition("(")
            by_name.setdefault(name, []).append(f"{row[column]:.3g}")
            if label.rstrip(")") not in labels:
                labels.append(label.rstrip(")"))
        values = " ".join(f"{name} {'/'.join(numbers)}" for name, numbers in by_name.items())
        return f"{values} ({'/'.join(labels)})"

    def __repr__(self) -> str:
        monitors = ", ".join(name for name in self.data_monitors if name != "error")
        return (
            f"{type(self).__name__}(model={type(self.model).__name__}, error={self.error!r}, "
            f"learning_rule={self.learning_rule!r}, train_dataset={self.train_dataset!r}, "
            f"valid_dataset={self.valid_dataset!r}, data_monitors=[{monitors}], "
            f"schedulers={list(self.schedulers)!r}, "
            f"early_stopping_patience={self.early_stopping_patience}, monitor={self.monitor!r})"
        )
