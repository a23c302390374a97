"""The similarity pass on its own: tokens, what counts as the answer, the kit's own answers, speed.

The kit's catalogue answers (``correct_*.py``) were written independently: none may be flagged as
a copy of another or of ``mlp``; neither may the lessons' reference solutions, which every demo
student hands in. End-to-end flags through ``grade``/``report``: ``test_similarity_flags.py``.
"""

import itertools
import random
import re
from pathlib import Path

import pytest

from autograder.notebooks.catalogue import load_catalogue
from autograder.notebooks.cells import grade_id, is_solution_cell, read_notebook
from autograder.safety import similarity

REPOSITORY = Path(__file__).resolve().parents[2]
LESSONS = sorted(path.parent for path in (REPOSITORY / "source_notebooks").glob("*/*.ipynb"))

CELL = '''def train(inputs, targets, learning_rate=1.0):
    """Train.

    Returns the weights.
    """
    ### BEGIN SOLUTION
    weights = np.zeros(inputs.shape[1])
    return weights
    ### END SOLUTION
'''
ANSWER = '''def train(inputs, targets, learning_rate=1.0):
    """Train.

    Returns the weights.
    """
    weights = np.zeros(inputs.shape[1])  # start from zero
    for epoch in range(100):
        for x, target in zip(inputs, targets):
            if np.sign(weights @ x) != target:
                weights = weights + learning_rate * target * x
    return weights
'''
RENAMED = '''def train(inputs, targets, learning_rate=1.0):
    """Train.

    Returns the weights.
    """
    w = np.zeros(inputs.shape[1])
    for e in range(100):
        # my own loop
        for row, t in zip(inputs,
                          targets):
            if np.sign(w @ row) != t: w = w + learning_rate * t * row
    return w
'''


def exercises(lesson):
    found = {}
    for notebook in lesson.glob("*.ipynb"):
        found.update({exercise.cell_id: exercise for exercise in similarity.exercises_of(notebook, lesson.name)})
    return found


def reference_answer(lesson, cell_id):
    """The solution cell as a student who wrote the reference solution hands it in (markers removed)."""
    for notebook in lesson.glob("*.ipynb"):
        for cell in read_notebook(notebook).cells:
            if grade_id(cell) == cell_id:
                return "\n".join(line for line in cell.source.split("\n") if "### " not in line)
    raise KeyError(cell_id)


def test_renamed_variables_new_layout_and_comments_give_the_same_tokens():
    first = similarity.normalised_tokens(
        "def f(a, b):\n    total = max(a, b)  # larger\n    if total: return total + 1\n")
    second = similarity.normalised_tokens(
        "def g(x, y):\n\n    s = max(x,\n            y)\n    if s:\n        return s + 1")
    assert first.texts == second.texts
    assert similarity.kgram_hashes(first, k=5) == similarity.kgram_hashes(second, k=5)


def test_names_the_code_only_uses_are_kept_and_reuse_of_a_variable_counts():
    assert similarity.normalised_tokens("y = np.exp(x)").texts != similarity.normalised_tokens("y = np.tanh(x)").texts
    reused = similarity.normalised_tokens("def f(a, b, c, d):\n    a = a * b + c\n")
    distinct = similarity.normalised_tokens("def f(a, b, c, d):\n    a = b * c + d\n")
    assert reused.texts == distinct.texts  # both read V = V * V + V ...
    assert similarity.kgram_hashes(reused, k=6) != similarity.kgram_hashes(distinct, k=6)  # ... but not alike


def test_imported_names_are_what_they_import():
    aliased = similarity.normalised_tokens("from mlp.perceptron import predict as p\ny = p(w, b, x)")
    plain = similarity.normalised_tokens("y = predict(w, b, x)")
    assert aliased.texts[-len(plain.texts):] == plain.texts


def test_docstrings_and_comments_are_not_code():
    tokens = similarity.normalised_tokens('def f(x):\n    """Doc."""\n    # note\n    return x\n')
    assert '"S"' not in tokens.texts and "#" not in "".join(tokens.texts)


def test_the_answer_leaves_out_what_the_instructor_gave_and_the_stub():
    exercise = similarity.Exercise("a", "n.ipynb", "train", CELL)
    stub = CELL.split("    ### BEGIN")[0] + "    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    assert len(exercise.answer("ben", stub).tokens) == 0
    answer = exercise.answer("ada", ANSWER)
    assert set(answer.tokens.lines) == set(range(6, 12))


def test_a_copy_with_renamed_variables_and_new_layout_is_flagged_with_its_lines():
    exercise = similarity.Exercise("a", "n.ipynb", "train", CELL)
    matches = similarity.class_matches("a", "train", [exercise.answer("ada", ANSWER), exercise.answer("bob", RENAMED)])
    [match] = matches
    assert match.students == ["ada", "bob"] and match.score >= similarity.MIN_SIMILARITY
    # the loop and the return after it; not line 6, the reference solution's line, nor bob's comment (line 8)
    assert match.lines == [[[7, 11]], [[7, 7], [9, 12]]]


def test_the_reference_solution_is_not_evidence():
    exercise = similarity.Exercise("a", "n.ipynb", "train", CELL)
    reference = reference_like = CELL.replace("    ### BEGIN SOLUTION\n", "").replace("    ### END SOLUTION\n", "")
    answers = [exercise.answer("ada", reference), exercise.answer("bob", reference_like)]
    assert similarity.class_matches("a", "train", answers) == []


def test_short_answers_are_never_flagged():
    exercise = similarity.Exercise("a", "n.ipynb", "f", 'def f(x):\n    ### BEGIN SOLUTION\n    return x\n'
                                   '    ### END SOLUTION\n')
    answer = 'def f(x):\n    return np.tanh(x) * 2.0 + np.exp(-x)\n'
    assert similarity.class_matches("a", "f", [exercise.answer("ada", answer), exercise.answer("bob", answer)]) == []


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_no_pair_of_the_catalogues_correct_answers_or_the_reference_is_flagged(lesson):
    found = exercises(lesson)
    by_cell = {}
    for entry in load_catalogue(lesson):
        if entry.kind == "correct":
            by_cell.setdefault(entry.cell_id, []).append(entry)
    assert by_cell, lesson
    for cell_id, entries in by_cell.items():
        exercise = found[cell_id]
        answers = [exercise.answer(entry.name, entry.source) for entry in entries]
        answers.append(exercise.answer("reference", reference_answer(lesson, cell_id)))
        assert similarity.find_matches(exercise, answers) == [], cell_id
        for first, second in itertools.combinations(answers, 2):
            assert similarity.compare(first, second) is None, (first.owner, second.owner)


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_students_who_all_hand_in_the_reference_solution_are_not_flagged(lesson):
    for cell_id, exercise in exercises(lesson).items():
        answers = [exercise.answer(student, reference_answer(lesson, cell_id)) for student in ("ada", "cleo", "dan")]
        assert similarity.find_matches(exercise, answers) == [], cell_id


def disguised(source, rng):
    """``source`` with every bound name renamed at random (a class where everybody copies one of a few answers)."""
    names = similarity.bound_names(source) or set()
    mapping = {name: f"{name[:1]}{rng.randrange(10**6)}" for name in names}
    return re.sub(r"\b[A-Za-z_]\w*\b", lambda word: mapping.get(word.group(0), word.group(0)), source)


def test_a_class_of_300_is_compared_on_every_exercise_and_copies_are_flagged():
    lesson = REPOSITORY / "source_notebooks" / "03_backprop"
    found = exercises(lesson)
    notebook = read_notebook(next(lesson.glob("*.ipynb")))
    code_answers = {grade_id(cell) for cell in notebook.cells if is_solution_cell(cell) and cell.cell_type == "code"}
    assert set(found) == code_answers  # one exercise per code answer cell of the lesson
    rng = random.Random(0)
    variants = {cell_id: [reference_answer(lesson, cell_id)] for cell_id in found}
    for entry in load_catalogue(lesson):
        variants[entry.cell_id].append(entry.source)
    similarity.reference_units()  # parsed once per process, as in grading
    flagged = 0
    for cell_id, exercise in found.items():
        answers = [exercise.answer(f"s{student:03d}", disguised(rng.choice(variants[cell_id]), rng))
                   for student in range(300)]
        flagged += len(similarity.find_matches(exercise, answers))
    assert flagged > 0  # the class copies a few answers: many pairs, the worst case for the pass
