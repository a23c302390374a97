"""What every adversarial case is made of: :class:`Case`, :class:`Expected` and the notebook edits.

The cases themselves are in ``cases_kernel`` (tricks played inside the kernel, resources),
``cases_tamper`` (broken files, tampered cells), ``cases_escape``, ``cases_forge``, ``cases_leak``
and ``cases_budget``. Each case is a generator: it takes the instructor's source notebook
(reference answers) and the release, and returns the files of the submission folder (``{name: notebook | bytes}``). The
fixture has two test cells, ``test_sigmoid`` (2 points) and ``test_mse`` (1 point), so:

- a cheat built on :data:`WRONG_SIGMOID` (passes the visible test, fails the hidden one) must end
  with exactly 1 point -- the mean squared error is right, the sigmoid is not;
- a correct submission that also does something hostile must keep all 3 points;
- a submission that kills its kernel keeps the points of the tests before that cell.
"""

from dataclasses import dataclass

import nbformat

from autograder.notebooks.cells import find_cell, grade_id, replace_cell_source

NOTEBOOK = "fixture.ipynb"

WRONG_SIGMOID = '''
import numpy as np


def sigmoid(x):
    """A clipped linear ramp: right at 0 and at the extremes, wrong in between."""
    return np.clip(0.5 + np.asarray(x, dtype=float) / 4.0, 0.0, 1.0)
'''


ANY_REASON = "(any reason)"


@dataclass
class Expected:
    """The outcome a case must end with.

    status: "graded" or "failed" (recorded with zero and a reason).
    score: autograded points out of ``max_score`` (None: not checked -- the case checks something else).
    phrase: text the result's reason must contain ("graded with reason"); None: the reason is empty;
        ``ANY_REASON``: not checked (a budget may stop the kernel after the last test, with a reason).
    output: text that must appear in the autograded notebook's outputs (None: not checked).
    max_score: the assignment's autograded points (3 for the fixture, 6 for the two-notebook ``01_pair``).
    """

    status: str
    score: float
    phrase: str = None
    output: str = None
    max_score: float = 3.0


@dataclass
class Case:
    """One hostile submission.

    make: ``make(source, release)`` -> files, or with ``takes_kit`` ``make(kit)`` (see :mod:`.kit`).
    check: ``check(outcome)`` raising AssertionError, for what :class:`Expected` cannot say
        (nothing leaked, nothing written, a budget that bound); see :class:`.kit.Outcome`.
    escapes: the case tries to write outside its job (its marker files are searched for after grading).
    """

    name: str
    what: str
    make: object
    expected: Expected
    needs_sandbox: bool = False
    takes_kit: bool = False
    check: object = None
    escapes: bool = False
    assignment: str = "00_fixture"

    def __repr__(self):
        return f"Case({self.name!r})"


def copy_notebook(notebook):
    return nbformat.from_dict(nbformat.from_dict(notebook))


def answer(notebook, cell_id, source):
    return replace_cell_source(notebook, cell_id, source)


def append(notebook, cell_id, code):
    return replace_cell_source(notebook, cell_id, find_cell(notebook, cell_id).source + "\n" + code.strip("\n"))


def wrong_with(source, code):
    """The reference submission with the wrong sigmoid followed by ``code`` in the sigmoid answer cell."""
    return {NOTEBOOK: answer(source, "sigmoid_answer", WRONG_SIGMOID + "\n" + code.strip("\n"))}


def correct_with(source, cell_id, code):
    """The reference submission with ``code`` appended to answer cell ``cell_id``."""
    return {NOTEBOOK: append(source, cell_id, code)}


def insert_after(notebook, cell_id, cells):
    notebook = copy_notebook(notebook)
    index = next(i for i, cell in enumerate(notebook.cells) if grade_id(cell) == cell_id)
    notebook.cells[index + 1:index + 1] = cells
    return notebook


def edit_metadata(notebook, cell_id, **changes):
    notebook = copy_notebook(notebook)
    find_cell(notebook, cell_id).metadata["nbgrader"].update(changes)
    return notebook


def without_cells(notebook, *cell_ids):
    notebook = copy_notebook(notebook)
    notebook.cells = [cell for cell in notebook.cells if grade_id(cell) not in cell_ids]
    return notebook
