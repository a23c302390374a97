"""The answers of a class: what of a solution cell is the student's, and every match per exercise.

An exercise is one solution cell (``grade_id``) of a source notebook. The answer is what the
student wrote in that cell: lines that the instructor gave (the source cell outside
``### BEGIN SOLUTION``/``### END SOLUTION``: the ``def`` line, the docstring) and the stub
(``# YOUR CODE HERE``, ``raise NotImplementedError()``) are left out. The k-grams of the lesson's
own reference solution (the source cell's solution regions) are *expected*: they never match, so
students who all write the obvious answer do not match each other or ``mlp``.
"""

import re
from pathlib import Path

from autograder.notebooks.cells import BEGIN_SOLUTION, END_SOLUTION, grade_id, is_solution_cell, read_notebook
from autograder.safety.similarity.fingerprints import Answer, kgram_hashes
from autograder.safety.similarity.matching import class_matches
from autograder.safety.similarity.reference import reference_matches
from autograder.safety.similarity.tokens import normalised_tokens

STUB_LINES = frozenset({"# YOUR CODE HERE", "raise NotImplementedError()", "raise NotImplementedError"})
# a marker line as the lessons write it (``### BEGIN SOLUTION``), any spacing after the hashes
_SOLUTION_MARKER = re.compile(rf"###\s*({re.escape(BEGIN_SOLUTION)}|{re.escape(END_SOLUTION)})\b")


def solution_regions(cell_source):
    """(given line numbers, solution line numbers) of a source cell, 1-based; marker lines are in neither."""
    given, solution, inside = set(), set(), False
    for number, line in enumerate(cell_source.split("\n"), start=1):
        marker = _SOLUTION_MARKER.search(line)
        if marker:
            inside = marker.group(1) == BEGIN_SOLUTION
        elif inside:
            solution.add(number)
        else:
            given.add(number)
    return given, solution


class Exercise:
    """One solution cell of a source notebook: what the instructor gave and the expected answer."""

    def __init__(self, assignment, notebook, cell_id, cell_source):
        self.assignment, self.notebook, self.cell_id = assignment, notebook, cell_id
        given, solution = solution_regions(cell_source)
        lines = cell_source.split("\n")
        self.given_lines = {lines[n - 1].strip() for n in given if lines[n - 1].strip()} | STUB_LINES
        self.expected = frozenset(kgram_hashes(normalised_tokens(cell_source, keep_lines=solution)))

    def answer(self, owner, cell_source):
        """The student's part of ``cell_source`` as an :class:`Answer` (given lines and stub left out)."""
        keep = {number for number, line in enumerate(cell_source.split("\n"), start=1)
                if line.strip() and line.strip() not in self.given_lines}
        tokens = normalised_tokens(cell_source, keep_lines=keep)
        return Answer.of(owner, cell_source, tokens, self.expected, location=f"{self.notebook} {self.cell_id}")


def exercises_of(source_notebook_path, assignment):
    """:class:`Exercise` of every code solution cell of a source notebook."""
    notebook = read_notebook(source_notebook_path)
    return [Exercise(assignment, Path(source_notebook_path).name, grade_id(cell), cell.source)
            for cell in notebook.cells if cell.cell_type == "code" and is_solution_cell(cell) and grade_id(cell)]


def find_matches(exercise, answers, units=None):
    """Class matches and reference matches of the answers to one exercise, best first."""
    matches = class_matches(exercise.assignment, exercise.cell_id, answers)
    matches += reference_matches(exercise.assignment, exercise.cell_id, answers, exercise.expected, units)
    return sorted(matches, key=lambda m: (-m.score, m.students))


def assignment_matches(course, assignment):
    """Every match in the autograded submissions of ``assignment`` (all students, whoever was graded now)."""
    matches = []
    for source_path in sorted(course.source_dir(assignment).glob("*.ipynb")):
        exercises = {exercise.cell_id: exercise for exercise in exercises_of(source_path, assignment)}
        answers = {cell_id: [] for cell_id in exercises}
        autograded = course.autograded_dir()
        for student_dir in sorted(autograded.iterdir()) if autograded.is_dir() else []:
            path = student_dir / assignment / source_path.name
            try:
                notebook = read_notebook(path) if path.is_file() else None
            except Exception:  # noqa: BLE001 -- an unreadable notebook has no answers to compare
                notebook = None
            for cell in notebook.cells if notebook else []:
                exercise = exercises.get(grade_id(cell))
                if exercise and cell.cell_type == "code":
                    answers[exercise.cell_id].append(exercise.answer(student_dir.name, cell.source))
        for cell_id, exercise in exercises.items():
            matches.extend(find_matches(exercise, answers[cell_id]))
    return matches
