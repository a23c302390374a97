"""Broken files and tampered cells: a submission that is not a notebook, or whose cells were edited.

Broken input: not JSON, empty, not UTF-8, another nbformat, missing, renamed, with extra files.
Tampering: test cells deleted, emptied, duplicated, reordered, re-flagged or invented, points
changed, another kernel asked for. See :mod:`.cases` for what a case is.
"""

import json

import nbformat

from autograder.notebooks.cells import find_cell, grade_id

from .cases import (
    NOTEBOOK,
    WRONG_SIGMOID,
    Case,
    Expected,
    answer,
    copy_notebook,
    edit_metadata,
    insert_after,
    without_cells,
)


def _json(notebook):
    return nbformat.writes(notebook).encode()


# --- broken input ------------------------------------------------------------------------------------
def huge_file_in_submission(source, release):
    return {NOTEBOOK: source, "data.bin": b"\0" * (3 * 1024 ** 2)}


def invalid_json(source, release):
    return {NOTEBOOK: b'{"cells": [ this is not json'}


def empty_file(source, release):
    return {NOTEBOOK: b""}


def not_utf8(source, release):
    return {NOTEBOOK: _json(source).replace(b"Logistic sigmoid", b"Logistic \xff\xfe sigmoid")}


def bogus_nbformat_version(source, release):
    data = json.loads(_json(source))
    data["nbformat"] = 99
    return {NOTEBOOK: json.dumps(data).encode()}


def nbformat_version_3(source, release):
    return {NOTEBOOK: nbformat.writes(nbformat.convert(copy_notebook(source), 3), version=3).encode()}


def missing_notebook(source, release):
    return {"README.txt": b"I forgot to attach my notebook"}


def renamed_notebook(source, release):
    return {"fixture-Copy1.ipynb": source}


def extra_notebook(source, release):
    hostile = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nos._exit(1)")])
    return {NOTEBOOK: source, "scratch.ipynb": hostile}


# --- tampering ------------------------------------------------------------------------------------------
def test_cells_deleted(source, release):
    return {NOTEBOOK: without_cells(answer(source, "sigmoid_answer", WRONG_SIGMOID), "test_sigmoid", "test_mse")}


def test_cell_emptied_and_unlocked(source, release):
    notebook = answer(answer(source, "sigmoid_answer", WRONG_SIGMOID), "test_sigmoid", "pass")
    return {NOTEBOOK: edit_metadata(notebook, "test_sigmoid", locked=False)}


def test_cell_duplicated(source, release):
    copy = copy_notebook(find_cell(release, "test_sigmoid"))  # the student only has the release's version
    notebook = copy_notebook(source)
    notebook.cells.insert(0, copy)
    return {NOTEBOOK: notebook}


def test_cells_reordered(source, release):
    notebook = copy_notebook(source)
    ids = [grade_id(cell) for cell in notebook.cells]
    test = notebook.cells.pop(ids.index("test_mse"))
    notebook.cells.insert(ids.index("mse_answer"), test)
    return {NOTEBOOK: notebook}


def points_changed(source, release):
    return {NOTEBOOK: edit_metadata(edit_metadata(source, "test_sigmoid", points=100), "test_mse", points=50)}


def test_cell_turned_into_solution(source, release):
    notebook = answer(answer(source, "sigmoid_answer", WRONG_SIGMOID), "test_sigmoid", "pass")
    return {NOTEBOOK: edit_metadata(notebook, "test_sigmoid", solution=True, locked=False)}


def test_cell_turned_into_markdown(source, release):
    notebook = copy_notebook(answer(source, "sigmoid_answer", WRONG_SIGMOID))
    cell = find_cell(notebook, "test_sigmoid")
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    return {NOTEBOOK: notebook}


def invented_test_cell(source, release):
    bonus = nbformat.v4.new_code_cell("pass")
    bonus.metadata["nbgrader"] = {"schema_version": 3, "grade": True, "solution": False, "locked": True,
                                  "grade_id": "bonus", "points": 50}
    return {NOTEBOOK: insert_after(source, "test_mse", [bonus])}


def kernelspec_changed(source, release):
    notebook = copy_notebook(source)
    notebook.metadata["kernelspec"] = {"name": "evil-kernel", "display_name": "Evil", "language": "ruby"}
    return {NOTEBOOK: notebook}




CASES = [
    Case("huge_file_in_submission", "a 3 MB data file next to the notebook (limit 1 MB)", huge_file_in_submission,
         Expected("graded", 3.0, phrase="files not graded: data.bin")),
    Case("invalid_json", "the notebook file is not JSON", invalid_json,
         Expected("failed", 0.0, phrase="fixture.ipynb is not a valid notebook")),
    Case("empty_file", "the notebook file is empty", empty_file,
         Expected("failed", 0.0, phrase="fixture.ipynb is empty")),
    Case("not_utf8", "the notebook holds bytes that are not UTF-8", not_utf8,
         Expected("failed", 0.0, phrase="fixture.ipynb is not UTF-8 text")),
    Case("bogus_nbformat_version", "nbformat 99", bogus_nbformat_version,
         Expected("failed", 0.0, phrase="fixture.ipynb is not a valid notebook")),
    Case("nbformat_version_3", "the correct notebook saved as nbformat 3", nbformat_version_3,
         Expected("graded", 3.0)),
    Case("missing_notebook", "no notebook, only a text file", missing_notebook,
         Expected("failed", 0.0, phrase="holds none of the assignment's notebooks")),
    Case("renamed_notebook", "the correct notebook saved as fixture-Copy1.ipynb", renamed_notebook,
         Expected("graded", 3.0, phrase="fixture-Copy1.ipynb was graded as fixture.ipynb")),
    Case("extra_notebook", "a correct notebook plus a hostile extra notebook", extra_notebook,
         Expected("graded", 3.0)),
    Case("test_cells_deleted", "both test cells deleted, wrong sigmoid", test_cells_deleted,
         Expected("graded", 1.0)),
    Case("test_cell_emptied_and_unlocked", "test_sigmoid emptied and unlocked, wrong sigmoid",
         test_cell_emptied_and_unlocked, Expected("graded", 1.0)),
    Case("test_cell_duplicated", "a copy of test_sigmoid at the top of a correct notebook", test_cell_duplicated,
         Expected("graded", 3.0)),
    Case("test_cells_reordered", "test_mse moved above the answer it tests", test_cells_reordered,
         Expected("graded", 2.0)),
    Case("points_changed", "test cells claim 100 and 50 points", points_changed, Expected("graded", 3.0)),
    Case("test_cell_turned_into_solution", "test_sigmoid marked as a solution cell and emptied, wrong sigmoid",
         test_cell_turned_into_solution, Expected("graded", 1.0)),
    Case("test_cell_turned_into_markdown", "test_sigmoid turned into a markdown cell, wrong sigmoid",
         test_cell_turned_into_markdown, Expected("graded", 1.0)),
    Case("invented_test_cell", "an extra 'test' cell worth 50 points that always passes", invented_test_cell,
         Expected("graded", 3.0)),
    Case("kernelspec_changed", "the notebook asks for another kernel", kernelspec_changed, Expected("graded", 3.0)),
]
