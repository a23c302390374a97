"""End to end: ``grade`` and ``report`` flag copied answers and answers pasted from ``mlp`` for review.

A class of lesson 1 (built from the kit's own sources) graded through ``python -m autograder grade``:
the demo's four sample students, students with honest alternative answers from the catalogue,
two copied answers (one verbatim, one with renamed variables and new layout) and one answer
pasted from ``mlp.perceptron.rosenblatt_update``. The copies and the paste are flagged with their
lines; nobody else is; no score changes.
"""

import ast
import json
import re
import shutil

import pytest

from autograder.commands.cli import main
from autograder.commands.demo import sample_submissions
from autograder.gradebook.results import load_results
from autograder.notebooks.catalogue import load_catalogue
from autograder.notebooks.cells import replace_cell_source
from autograder.notebooks.sample_submissions import answered, release_and_source, write_submission

from .conftest import REPOSITORY, new_course

ASSIGNMENT = "01_perceptron"
NOTEBOOK = "perceptron.ipynb"

PASTED_FROM_MLP = '''def perceptron_update(weights, bias, x, target, learning_rate=1.0):
    from mlp.perceptron import _as_batch, _as_targets, predict
    from mlp.validation import as_float_array, check_real

    owner = "rosenblatt_update"
    weights = as_float_array(owner, "weights", weights)
    inputs = _as_batch(owner, x, weights.shape[0])
    targets = _as_targets(owner, target, inputs.shape[0])
    learning_rate = check_real(owner, "learning_rate", learning_rate, low=0, low_inclusive=False)
    mistakes = predict(weights, bias, inputs) != targets
    step = learning_rate * targets * mistakes
    return weights + step @ inputs, float(bias + step.sum()), bool(mistakes.sum())
'''


class _Rename(ast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        node.id = self.mapping.get(node.id, node.id)
        return node


def renamed_and_reformatted(source):
    """``source`` with its local variables renamed (the signature kept: tests call with keywords), laid
    out by ``ast.unparse`` and commented."""
    tree = ast.parse(source)
    function = tree.body[-1]
    local = sorted({node.id for node in ast.walk(function) if isinstance(node, ast.Name)
                    and isinstance(node.ctx, ast.Store)})
    tree = _Rename({name: f"my_{index}" for index, name in enumerate(local)}).visit(tree)
    lines = ast.unparse(tree).split("\n")
    return "\n".join(line + ("  # worked this out myself" if index % 3 == 1 else "")
                     for index, line in enumerate(lines))


def catalogue_answer(cell_id, slug):
    entries = load_catalogue(REPOSITORY / "source_notebooks" / ASSIGNMENT)
    return next(entry.source for entry in entries if entry.cell_id == cell_id and entry.name.endswith(slug))


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The class, graded and reported through the CLI: (course, grade output, report output)."""
    from autograder.commands.build import build

    sources = tmp_path_factory.mktemp("sources")
    shutil.copytree(REPOSITORY / "source_notebooks" / ASSIGNMENT, sources / ASSIGNMENT)
    course = new_course(tmp_path_factory.mktemp("similarity"), sources=sources)
    build(course, [ASSIGNMENT], solutions=False, log=None)
    release, source = release_and_source(course, ASSIGNMENT)[NOTEBOOK]
    reference = answered(release, source)
    original_loop = catalogue_answer("train_perceptron", "correct_augmented_while_loop")
    original_update = catalogue_answer("perceptron_update", "correct_compares_sides")
    honest = {  # independent alternatives from the catalogue, one student each
        "ivy_epoch_counter": ("train_perceptron", catalogue_answer("train_perceptron", "correct_epoch_counter")),
        "jon_error_signal": ("perceptron_update", catalogue_answer("perceptron_update", "correct_error_signal")),
        "kim_einsum": ("perceptron_predict", catalogue_answer("perceptron_predict", "correct_einsum_arithmetic")),
    }
    students = {student: notebooks[NOTEBOOK] for student, notebooks in sample_submissions(course, ASSIGNMENT).items()}
    eve = replace_cell_source(reference, "train_perceptron", original_loop)
    students["eve_original"] = replace_cell_source(eve, "perceptron_update", original_update)
    students["fay_renamed_copy"] = replace_cell_source(reference, "train_perceptron",
                                                       renamed_and_reformatted(original_loop))
    students["gus_verbatim_copy"] = replace_cell_source(reference, "perceptron_update", original_update)
    students["hal_pasted_mlp"] = replace_cell_source(reference, "perceptron_update", PASTED_FROM_MLP)
    for student, (cell_id, answer) in honest.items():
        students[student] = replace_cell_source(reference, cell_id, answer)
    for student, notebook in students.items():
        write_submission(course, student, ASSIGNMENT, {NOTEBOOK: notebook})
    arguments = ["--course", str(course.root), "--source-notebooks", str(sources)]
    assert main(["grade", ASSIGNMENT, *arguments, "--no-progress", "--no-feedback", "--workers", "4"]) == 0
    return course, sorted(students)


@pytest.fixture
def report_text(graded_class, capsys):
    course, _ = graded_class
    capsys.readouterr()
    assert main(["report", "--course", str(course.root), "--no-figure"]) == 0
    return capsys.readouterr().out


def similarity_lines(course):
    return {key.split("/")[1]: [line for line in record.review if line.startswith("similar answer: ")]
            for key, record in load_results(course).items()}


def test_the_copied_answers_are_flagged_on_both_sides_with_their_lines(graded_class):
    course, _ = graded_class
    flags = similarity_lines(course)
    [fay] = flags["fay_renamed_copy"]
    assert fay.startswith("similar answer: train_perceptron lines ")
    assert "match eve_original's answer" in fay
    [gus] = flags["gus_verbatim_copy"]
    assert gus.startswith("similar answer: perceptron_update lines ") and "match eve_original's answer" in gus
    assert sorted(line.split(" match ")[1].split(" (")[0] for line in flags["eve_original"]) == [
        "fay_renamed_copy's answer", "gus_verbatim_copy's answer"]


def test_the_answer_pasted_from_mlp_is_flagged_with_the_reference_function_and_its_lines(graded_class):
    course, _ = graded_class
    [hal] = similarity_lines(course)["hal_pasted_mlp"]
    assert re.match(r"similar answer: perceptron_update lines [\d, -]+ match the reference "
                    r"mlp/perceptron.py rosenblatt_update \(lines [\d, -]+\): \d+% of this answer", hal), hal


def test_no_honest_answer_is_flagged(graded_class):
    course, _ = graded_class
    flags = similarity_lines(course)
    for student in ("ada_full", "ben_blank", "cleo_partial", "dan_bug", "ivy_epoch_counter", "jon_error_signal",
                    "kim_einsum"):
        assert flags[student] == [], student


def test_scores_are_not_changed_by_the_flags(graded_class):
    course, _ = graded_class
    records = load_results(course)
    ada = records[f"{ASSIGNMENT}/ada_full"]
    for student in ("eve_original", "fay_renamed_copy", "gus_verbatim_copy"):
        assert records[f"{ASSIGNMENT}/{student}"].score == ada.score == ada.max_score, student


def test_the_report_shows_each_pair_with_scores_and_the_matching_lines(graded_class, report_text):
    assert "Similar answers: 3 pair(s) NEED REVIEW" in report_text
    table = re.sub(r" +", " ", report_text)
    assert re.search(r"01_perceptron train_perceptron eve_original fay_renamed_copy \d+% / \d+% \d+", table)
    assert re.search(r"01_perceptron perceptron_update eve_original gus_verbatim_copy 100% / 100% \d+", table)
    assert re.search(r"01_perceptron perceptron_update hal_pasted_mlp mlp/perceptron.py rosenblatt_update "
                     r"\d+% / \d+% \d+", table)
    # the matching lines themselves, quoted from the student's cell and from mlp's source
    assert re.search(r"\| +my_\d+ = np\.column_stack\(\[inputs, np\.ones\(len\(inputs\)\)\]\)", report_text)
    assert "|     step = learning_rate * targets * mistakes" in report_text
    assert "augmented_inputs = np.column_stack([inputs, np.ones(len(inputs))])" in report_text


def test_the_pairs_are_kept_in_the_report_folder(graded_class):
    course, _ = graded_class
    kept = json.loads((course.report_dir / "similarity.json").read_text())
    pairs = sorted((match["exercise"], *match["students"]) for match in kept[ASSIGNMENT])
    assert pairs == [("perceptron_update", "eve_original", "gus_verbatim_copy"),
                     ("perceptron_update", "hal_pasted_mlp", "mlp/perceptron.py rosenblatt_update"),
                     ("train_perceptron", "eve_original", "fay_renamed_copy")]


def test_grading_one_student_again_keeps_the_class_wide_flags(graded_class, capsys):
    course, _ = graded_class
    before = similarity_lines(course)
    assert main(["grade", ASSIGNMENT, "--course", str(course.root), "--students", "fay_renamed_copy", "--force",
                 "--no-progress", "--no-feedback", "--no-export", "--workers", "1"]) == 0
    output = capsys.readouterr().out
    assert "needs review: 01_perceptron/fay_renamed_copy: similar answer: train_perceptron" in output
    assert similarity_lines(course) == before
