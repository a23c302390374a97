"""The four time limits of grading, in one object, and which of them binds when.

- ``cell``: seconds one cell may run (``ExecutePreprocessor.timeout`` in ``course/nbgrader_config.py``,
  300 s). A cell past it is interrupted and fails; the notebook goes on when the kernel still answers.
- ``notebook``: seconds for all cells of one notebook together (``GuardedExecute.notebook_timeout``,
  900 s; 0 or None: no limit). Each cell gets ``min(cell, what is left of notebook)``; when nothing
  is left the remaining cells are not run and their tests score zero; earlier tests keep their points.
- ``judge_channel``: seconds the judge waits for the student kernel to answer before a test cell
  (``GuardedExecute.judge_channel_timeout``, 30 s).
- ``job``: the hard wall clock of a whole submission (every notebook, kernel start-ups and nbgrader's
  own work), enforced by the worker pool (:mod:`autograder.parallel.pool`) by killing the worker's
  whole process tree, kernels included; the submission is then recorded as not graded
  (``grade --timeout``, 1800 s). It should be the notebook limit times the number of notebooks plus a
  start-up margin, so that it only binds when the kernel or nbgrader hangs outside a cell.

The tightest limit binds: a cell is stopped by ``cell`` unless the notebook's time runs out first;
a submission is killed by ``job`` only when ``notebook`` (or ``cell``) did not stop it before.
``None`` for ``cell``, ``notebook`` or ``judge_channel`` means "the course configuration's value".
"""

import math
from dataclasses import dataclass

DEFAULT_CELL_SECONDS = 300
DEFAULT_NOTEBOOK_SECONDS = 900
DEFAULT_JUDGE_CHANNEL_SECONDS = 30
DEFAULT_JOB_SECONDS = 1800.0


def _check_seconds(name, value, allow_none=True):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"TimeLimits: {name} must be a number of seconds > 0"
                         f"{' or None' if allow_none else ''}, got {value!r}")


@dataclass(frozen=True)
class TimeLimits:
    """Time limits of grading, in seconds (see the module docstring for which binds when)."""

    cell: float = None
    notebook: float = None
    judge_channel: float = None
    job: float = DEFAULT_JOB_SECONDS

    def __post_init__(self):
        for name in ("cell", "notebook", "judge_channel"):
            _check_seconds(name, getattr(self, name))
        _check_seconds("job", self.job, allow_none=False)

    @classmethod
    def from_config(cls, config, job=DEFAULT_JOB_SECONDS):
        """The limits a course configuration (a traitlets ``Config``) sets, with the kit's defaults."""
        notebook = config.GuardedExecute.get("notebook_timeout", DEFAULT_NOTEBOOK_SECONDS)
        return cls(cell=config.ExecutePreprocessor.get("timeout", DEFAULT_CELL_SECONDS) or DEFAULT_CELL_SECONDS,
                   notebook=notebook or None,
                   judge_channel=config.GuardedExecute.get("judge_channel_timeout", DEFAULT_JUDGE_CHANNEL_SECONDS),
                   job=job)

    def config_overrides(self):
        """nbgrader configuration for the limits that are set (whole seconds, at least 1)."""
        overrides = {}
        if self.cell is not None:
            overrides.setdefault("ExecutePreprocessor", {})["timeout"] = _whole_seconds(self.cell)
        if self.notebook is not None:
            overrides.setdefault("GuardedExecute", {})["notebook_timeout"] = _whole_seconds(self.notebook)
        if self.judge_channel is not None:
            overrides.setdefault("GuardedExecute", {})["judge_channel_timeout"] = _whole_seconds(self.judge_channel)
        return overrides

    def cell_budget(self, elapsed_in_notebook):
        """``(seconds, cut_by_notebook)`` for the next cell after ``elapsed_in_notebook`` seconds.

        seconds: whole seconds the cell may run (at least 1): the cell limit, or what is left of the
            notebook's when that is less. cut_by_notebook: whether the notebook limit is the one binding.
        """
        cell = self.cell or math.inf
        left = self.notebook_seconds_left(elapsed_in_notebook)
        return max(1, int(math.ceil(min(cell, left)))), left < cell

    def notebook_seconds_left(self, elapsed_in_notebook):
        """Seconds left of the notebook limit (``inf`` without one; <= 0 when it has run out)."""
        return math.inf if not self.notebook else self.notebook - elapsed_in_notebook


def _whole_seconds(seconds):
    return max(1, int(math.ceil(seconds)))
