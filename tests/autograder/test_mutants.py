"""The mutant generator of ``selfcheck --mutants``: each kind of change, spliced as a student would write it."""

import pytest

from autograder.notebooks.catalogue import check_catalogue, load_equivalent_mutants
from autograder.notebooks.mutants import KINDS, mutants_of

CELL = '''import numpy as np

def softmax_loss(x, w, labels):
    """A docstring the mutants leave alone."""
    ### BEGIN SOLUTION
    scores = x @ w.T
    scores = scores - np.max(scores, axis=-1, keepdims=True)
    if labels.min() < 0:
        raise ValueError("labels must be >= 0")
    total = -np.sum(scores[labels]) / 2.5
    total += 1
    return total
    ### END SOLUTION
'''


def changed_lines(mutant):
    """The lines of the mutant that differ from the cell's, as (before, after) pairs."""
    pairs = zip(CELL.splitlines(), mutant.source.splitlines(), strict=True)
    return [(before.strip(), after.strip()) for before, after in pairs if before != after]


@pytest.fixture(scope="module")
def mutants():
    return {mutant.description: mutant for mutant in mutants_of(CELL, "softmax_loss")}


@pytest.mark.parametrize("kind, before, after", [
    ("operator", "scores = x @ w.T", "scores = x * w.T"),
    ("operator", "total = -np.sum(scores[labels]) / 2.5", "total = -np.sum(scores[labels]) * 2.5"),
    ("operator", "total = -np.sum(scores[labels]) / 2.5", "total = np.sum(scores[labels]) / 2.5"),
    ("operator", "total += 1", "total -= 1"),
    ("constant", "total = -np.sum(scores[labels]) / 2.5", "total = -np.sum(scores[labels]) / 0.0"),
    ("constant", "total += 1", "total += 0"),
    ("comparison", "if labels.min() < 0:", "if labels.min() <= 0:"),
    ("comparison", "if labels.min() < 0:", "if labels.min() > 0:"),
    ("axis", "scores = scores - np.max(scores, axis=-1, keepdims=True)",
     "scores = scores - np.max(scores, axis=0, keepdims=True)"),
    ("axis", "scores = scores - np.max(scores, axis=-1, keepdims=True)",
     "scores = scores - np.max(scores, keepdims=True)"),
    ("axis", "scores = scores - np.max(scores, axis=-1, keepdims=True)",
     "scores = scores - np.max(scores, axis=-1)"),
    ("transpose", "scores = x @ w.T", "scores = x @ w"),
    ("function", "scores = scores - np.max(scores, axis=-1, keepdims=True)",
     "scores = scores - np.min(scores, axis=-1, keepdims=True)"),
    ("function", "total = -np.sum(scores[labels]) / 2.5", "total = -np.mean(scores[labels]) / 2.5"),
    ("swapped arguments", "scores = x @ w.T", "scores = w.T @ x"),
    ("swapped arguments", "scores = scores - np.max(scores, axis=-1, keepdims=True)",
     "scores = np.max(scores, axis=-1, keepdims=True) - scores"),
    ("dropped statement", "scores = scores - np.max(scores, axis=-1, keepdims=True)", "pass"),
    ("dropped statement", "total += 1", "pass"),
])
def test_each_kind_of_change_makes_the_mutant_a_student_would_write(mutants, kind, before, after):
    made = [changed_lines(mutant) for mutant in mutants.values() if mutant.kind == kind]
    assert [(before, after)] in made


def test_only_the_solution_region_changes_and_raise_messages_docstrings_and_imports_stay(mutants):
    for mutant in mutants.values():
        for before, _ in changed_lines(mutant):
            assert CELL.splitlines().index(next(line for line in CELL.splitlines() if line.strip() == before)) >= 5
            assert "raise" not in before and "import" not in before and "def " not in before


def test_every_mutant_compiles_differs_from_the_answer_and_from_every_other(mutants):
    sources = [mutant.source for mutant in mutants.values()]
    for source in sources:
        compile(source, "<mutant>", "exec")
    assert CELL not in sources
    assert len(set(sources)) == len(sources)
    assert {mutant.kind for mutant in mutants.values()} == set(KINDS)


def test_nothing_inside_an_axis_changes_but_the_axis_itself(mutants):
    axes = [after for mutant in mutants.values() for before, after in changed_lines(mutant) if "np.max(" in before
            and "np.max(" in after and "- np.max" in after]
    assert sorted(axes) == sorted(["scores = scores - np.max(scores, axis=0, keepdims=True)",
                                   "scores = scores - np.max(scores, keepdims=True)",
                                   "scores = scores - np.max(scores, axis=-1)"])


def test_operator_precedence_is_kept_with_parentheses_where_the_splice_needs_them():
    cell = "### BEGIN SOLUTION\ny = a * b**2\n### END SOLUTION\n"
    made = {mutant.source.splitlines()[1] for mutant in mutants_of(cell, "c")}
    assert "y = a * (b * 2)" in made  # "a * b * 2" would be (a * b) * 2, another mutant
    assert "y = a * 2 ** b" in made  # swapped operands of ** bind tighter than *: no parentheses


def test_every_solution_region_of_a_cell_is_mutated_and_the_code_between_them_is_not():
    cell = ("def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n\n\n"
            "def g(x, y=2):\n    ### BEGIN SOLUTION\n    return x * y\n    ### END SOLUTION\n")
    made = sorted(line.strip() for mutant in mutants_of(cell, "c")
                  for line, original in zip(mutant.source.splitlines(), cell.splitlines(), strict=True)
                  if line != original)
    assert made == ["return x + 0", "return x - 1", "return x / y"]


def test_the_arguments_of_symmetric_numpy_functions_are_not_swapped():
    made = [mutant.source for mutant in mutants_of("y = np.maximum(x, 0.0) + np.power(x, 2)\n", "c")
            if mutant.kind == "swapped arguments"]
    assert made == ["y = np.maximum(x, 0.0) + np.power(2, x)\n"]


def test_the_same_change_twice_on_a_line_gets_numbered_descriptions():
    descriptions = [mutant.description for mutant in mutants_of("y = 1 + 1 * x\n", "c") if mutant.kind == "constant"]
    assert descriptions == ["constant: line 1: `1` -> `0`", "constant: line 1: `1` -> `0` #2"]


def test_the_diff_shows_the_one_changed_line(mutants):
    mutant = next(m for m in mutants.values() if changed_lines(m) == [("total += 1", "total -= 1")])
    diff = mutant.diff().splitlines()
    assert [line for line in diff if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))] == \
        ["-    total += 1", "+    total -= 1"]


def test_equivalent_mutants_file_is_read_and_its_mistakes_are_named(tmp_path):
    folder = tmp_path / "01_lesson"
    (folder / "catalogue").mkdir(parents=True)
    path = folder / "catalogue" / "equivalent_mutants.toml"
    path.write_text('[[mutant]]\ncell = "softmax"\nchange = "axis: line 3: `a` -> `b`"\nreason = "2-D inputs"\n')
    assert load_equivalent_mutants(folder) == {("softmax", "axis: line 3: `a` -> `b`"): "2-D inputs"}
    assert check_catalogue(folder) == [f"{path}: 'softmax' is not the grade_id of a solution cell of 01_lesson"]
    path.write_text('[[mutant]]\ncell = "softmax"\nchange = "x"\n')
    with pytest.raises(ValueError, match="mutant 1 needs reason"):
        load_equivalent_mutants(folder)
