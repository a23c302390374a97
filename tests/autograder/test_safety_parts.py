"""The parts of grading safety on their own: copy caps, input checks, review (the sandbox: test_sandbox*.py)."""

import nbformat
import pytest

from autograder.parallel.intake import SubmissionLimits, adopt_renamed_notebook, copy_submission, notebook_problem
from autograder.safety.suspicious_code import review_flags


def test_copy_submission_skips_large_files_and_symlinks_with_a_reason(tmp_path):
    source = tmp_path / "submitted"
    source.mkdir()
    (source / "fixture.ipynb").write_text("{}")
    (source / "big.bin").write_bytes(b"0" * 2048)
    (source / "link").symlink_to(source / "fixture.ipynb")
    skipped = copy_submission(source, tmp_path / "copy", SubmissionLimits(max_file_bytes=1024))
    assert sorted((tmp_path / "copy").iterdir()) == [tmp_path / "copy" / "fixture.ipynb"]
    assert skipped == ["big.bin (2048 bytes, more than the limit of 1024 per file)", "link (not a regular file)"]


@pytest.mark.parametrize("content, reason", [
    (b"", "fixture.ipynb is empty"),
    (b'{"cells": [', "fixture.ipynb is not a valid notebook (NotJSONError"),
    (b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, "x": "\xff"}',
     "fixture.ipynb is not UTF-8 text (byte 72: b'\\xff')"),
    (b'{"cells": [], "metadata": {}, "nbformat": 99, "nbformat_minor": 0}', "fixture.ipynb is not a valid notebook"),
])
def test_notebook_problem_names_the_file_and_the_problem(tmp_path, content, reason):
    path = tmp_path / "fixture.ipynb"
    path.write_bytes(content)
    assert notebook_problem(path).startswith(reason)


def test_a_valid_notebook_has_no_problem(tmp_path):
    path = tmp_path / "fixture.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), str(path))
    assert notebook_problem(path) is None


def test_a_single_renamed_notebook_is_adopted_but_not_when_it_is_ambiguous(tmp_path):
    (tmp_path / "fixture-Copy1.ipynb").write_text("{}")
    assert adopt_renamed_notebook(tmp_path, ["fixture.ipynb"]) == (
        "fixture-Copy1.ipynb was graded as fixture.ipynb (the notebook was renamed)")
    assert (tmp_path / "fixture.ipynb").is_file()
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.ipynb").write_text("{}")
    assert adopt_renamed_notebook(tmp_path, ["fixture.ipynb", "other.ipynb"]) is None


def test_review_flags_kernel_tricks_in_student_cells_only():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("get_ipython().set_custom_exc((Exception,), handler)"),
        nbformat.v4.new_code_cell("np.allclose = lambda *a, **k: True"),
        nbformat.v4.new_code_cell("def sigmoid(x):\n    return 1 / (1 + np.exp(-x))"),
    ])
    locked = nbformat.v4.new_code_cell("import sys\nsys.modules")
    locked.metadata["nbgrader"] = {"grade_id": "imports", "locked": True, "grade": False, "solution": False}
    notebook.cells.append(locked)
    flags = review_flags(notebook, "fixture.ipynb")
    assert [flag.split(":")[0] for flag in flags] == ["fixture.ipynb cell 0", "fixture.ipynb cell 1"]
    assert "custom exception handler" in flags[0] and "attributes of NumPy" in flags[1]
