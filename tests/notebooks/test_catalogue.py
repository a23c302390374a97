"""The tests in the lessons tell right answers from wrong ones.

Every catalogue file replaces its solution cell and the notebook runs as the autograder would run
it: a ``wrong_*`` answer must lose points in at least one graded cell, a ``correct_*`` answer must
keep every point. The untouched source notebook must earn full points too. These tests execute
notebooks (a few seconds each); each is independent, so xdist may spread them over workers.

For speed the variants run without turning figures into images (graded cells are scored the same);
the untouched source notebooks run exactly as the autograder runs them.
"""

from __future__ import annotations

import pytest

from autograder.notebooks.cells import notebook_paths
from tests.notebooks.catalogue_runner import list_variants, run_notebook, run_variant, variant_id
from tests.notebooks.lessons import SOURCE_ROOT, lessons

# About 250 notebook runs (4-15 s each): `make test-catalogue`, which .ci/run runs after `make test`.
pytestmark = pytest.mark.catalogue

VARIANTS = list_variants(SOURCE_ROOT)
WRONG = [variant for variant in VARIANTS if variant.kind == "wrong"]
CORRECT = [variant for variant in VARIANTS if variant.kind == "correct"]


@pytest.mark.parametrize("variant", WRONG, ids=[variant_id(variant) for variant in WRONG])
def test_wrong_answer_loses_points(variant):
    result = run_variant(variant, stop_at_first_failure=True, render_figures=False)
    assert result.points < result.max_points, (
        f"{variant_id(variant)} ({variant.description}) kept every point; the tests do not catch this bug.\n"
        f"{result.summary()}")


@pytest.mark.parametrize("variant", CORRECT, ids=[variant_id(variant) for variant in CORRECT])
def test_correct_answer_keeps_every_point(variant):
    result = run_variant(variant, stop_at_first_failure=False, render_figures=False)
    assert result.all_passed and not result.errors_outside_graded_cells, (
        f"{variant_id(variant)} ({variant.description}) should keep full points.\n{result.summary()}")


@pytest.mark.parametrize("assignment", lessons())
def test_source_notebook_earns_full_points(assignment):
    notebooks = notebook_paths(SOURCE_ROOT / assignment)
    assert notebooks, f"{assignment}: no source notebook in {SOURCE_ROOT / assignment}"
    for notebook in notebooks:
        result = run_notebook(notebook)
        assert result.graded, f"{assignment}/{notebook.name}: no graded cells"
        assert result.all_passed and not result.errors_outside_graded_cells, result.summary()
