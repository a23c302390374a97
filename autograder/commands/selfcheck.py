"""``selfcheck``: prove the tests before students see them.

In a scratch copy of the course (its nbgrader_config.py, a fresh build of the lessons), the
parallel grader grades, per assignment:

1. the source notebooks -- the reference solutions -- as a student: every autograded point;
2. the untouched release: zero autograded points (a test that passes on the stub tests nothing);
3. for each catalogue entry, the source notebooks with that one solution cell replaced:
   a ``wrong_*`` implementation must lose points, a ``correct_*`` one must keep every point.

With ``mutants=True`` (``selfcheck --mutants``) step 3 grades instead every mutant of every answer
cell (:mod:`autograder.notebooks.mutants`), each as one student: a mutant must lose points, except those the
lesson's ``catalogue/equivalent_mutants.toml`` lists as equivalent, which are not graded.

The course itself is never touched.
"""

import random
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.commands.build import build, select_assignments
from autograder.course.directory import Course, write_private_config
from autograder.course.text_tables import format_table
from autograder.notebooks.catalogue import load_catalogue, load_equivalent_mutants, with_entry
from autograder.notebooks.cells import (
    find_cell,
    grade_id,
    notebook_paths,
    read_notebook,
    replace_cell_source,
    solution_cell_ids,
    test_cells,
)
from autograder.notebooks.mutants import mutants_of
from autograder.notebooks.sample_submissions import write_submission


@dataclass
class Check:
    assignment: str
    submission: str
    expectation: str
    score: float
    max_score: float
    ok: bool
    detail: str = ""
    cell_id: str = ""
    diff: str = ""

    def expected_text(self):
        return {"full": "all points", "zero": "zero", "loses": "loses points"}[self.expectation]


@dataclass
class MutationPlan:
    """What ``selfcheck --mutants`` grades and what it skips.

    equivalent: ``[(assignment, cell, change, reason)]``, the listed equivalent mutants found.
    stale: ``[(assignment, cell, change)]``, listed equivalent mutants that no longer exist.
    total: ``{(assignment, cell): number of mutants generated}`` (before sampling).
    """

    equivalent: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    total: dict = field(default_factory=dict)


def _student_id(*parts):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", "-".join(parts))


def selfcheck(course, assignments=None, workers=None, progress=None, log=print, mutants=False, sample=None,
              seed=0, mutation_plan=None):
    """Run the checks; returns the list of :class:`Check` (``all(check.ok)`` when the tests are right).

    mutants: grade the mutants of every answer cell in place of the catalogue.
    sample: with ``mutants``, grade only this many mutants per assignment, drawn with ``seed``.
    mutation_plan: a :class:`MutationPlan` to fill in (equivalent and stale entries, totals).
    """
    from autograder.commands.grade import GradeOptions, grade

    assignments = select_assignments(course, assignments)
    scratch_root = Path(tempfile.mkdtemp(prefix="autograder-selfcheck-"))
    try:
        scratch = Course.at(scratch_root / "course", course.source_notebooks, scratch_root / "solutions")
        scratch.root.mkdir(parents=True)
        write_private_config(course.config_file, scratch)  # never the course's database
        build(scratch, assignments, solutions=False, log=None)
        plan = {}
        mutation_plan = MutationPlan() if mutation_plan is None else mutation_plan
        for assignment in assignments:
            if mutants:
                plan.update(_write_mutant_submissions(scratch, assignment, sample, random.Random(seed),
                                                      mutation_plan))
            else:
                plan.update(_write_submissions(scratch, assignment))
        results = grade(scratch, GradeOptions(assignments=assignments, workers=workers, progress=progress,
                                                feedback=False, export=False))
        checks = []
        order = {key: index for index, key in enumerate(plan)}
        for result in sorted(results, key=lambda r: order[(r.student, r.assignment)]):
            assignment, label, expectation, *mutant = plan[(result.student, result.assignment)]
            if result.status != "graded":
                ok, detail = False, "not graded: " + result.reason
            elif expectation == "full":
                ok = result.score == result.max_score
                detail = "" if ok else "failed: " + ", ".join(result.failed_tests)
            elif expectation == "zero":
                ok = result.score == 0
                detail = "" if ok else "passes on the stub: " + ", ".join(
                    sorted(set(_all_tests(scratch, assignment)) - set(result.failed_tests)))
            else:
                ok = result.score < result.max_score
                detail = "failed: " + ", ".join(result.failed_tests) if ok else "no test caught it"
            check = Check(assignment, label, expectation, result.score, result.max_score, ok, detail)
            if mutant:
                check.cell_id, check.diff = mutant[0].cell_id, mutant[0].diff()
            checks.append(check)
        return checks
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)


def _all_tests(course, assignment):
    return [grade_id(cell) for path in notebook_paths(course.source_dir(assignment))
            for cell in test_cells(read_notebook(path))]


def _notebooks_in(folder):
    return {path.name: read_notebook(path) for path in notebook_paths(folder)}


def _write_solution(scratch, assignment):
    """Write the reference solution as a student; returns the source notebooks and its plan."""
    sources = _notebooks_in(scratch.source_dir(assignment))
    write_submission(scratch, "selfcheck-solution", assignment, sources)
    return sources, {("selfcheck-solution", assignment): (assignment, "reference solution", "full")}


def _write_submissions(scratch, assignment):
    """Write the solution, release and catalogue submissions; returns ``{(student, assignment): plan}``."""
    sources, plan = _write_solution(scratch, assignment)
    releases = _notebooks_in(scratch.release_dir(assignment))
    write_submission(scratch, "selfcheck-release", assignment, releases)
    plan[("selfcheck-release", assignment)] = (assignment, "untouched release", "zero")
    for entry in load_catalogue(scratch.source_notebooks / assignment):
        student = _student_id("selfcheck", entry.cell_id, entry.kind, entry.slug)
        write_submission(scratch, student, assignment, with_entry(sources, entry))
        expectation = "loses" if entry.kind == "wrong" else "full"
        label = f"{entry.name} ({entry.description})" if entry.description else entry.name
        plan[(student, assignment)] = (assignment, label, expectation)
    return plan


def _write_mutant_submissions(scratch, assignment, sample, rng, mutation_plan):
    """Write the solution and one submission per mutant (all, or ``sample`` of them drawn with ``rng``)."""
    sources, plan = _write_solution(scratch, assignment)
    equivalent = load_equivalent_mutants(scratch.source_notebooks / assignment)
    found, candidates = set(), []
    for name, notebook in sources.items():
        for cell_id in solution_cell_ids(notebook):
            cell = find_cell(notebook, cell_id)
            if cell.cell_type != "code":
                continue
            cell_mutants = mutants_of(cell.source, cell_id)
            mutation_plan.total[(assignment, cell_id)] = len(cell_mutants)
            for mutant in cell_mutants:
                key = (cell_id, mutant.description)
                if key in equivalent:
                    found.add(key)
                    mutation_plan.equivalent.append((assignment, cell_id, mutant.description, equivalent[key]))
                else:
                    candidates.append((name, mutant))
    mutation_plan.stale += [(assignment, cell, change) for cell, change in sorted(set(equivalent) - found)]
    if sample is not None and sample < len(candidates):
        candidates = [candidates[i] for i in sorted(rng.sample(range(len(candidates)), sample))]
    for number, (name, mutant) in enumerate(candidates, 1):
        notebooks = dict(sources)
        notebooks[name] = replace_cell_source(sources[name], mutant.cell_id, mutant.source)
        student = _student_id("mutant", mutant.cell_id, str(number))
        write_submission(scratch, student, assignment, notebooks)
        plan[(student, assignment)] = (assignment, f"{mutant.cell_id}: {mutant.description}", "loses", mutant)
    return plan


def format_mutation_score(checks, mutation_plan):
    """Per exercise caught / graded and equivalent mutants, then every survivor with its diff."""
    graded = {}
    for check in checks:
        if check.cell_id:
            caught, total = graded.get((check.assignment, check.cell_id), (0, 0))
            graded[(check.assignment, check.cell_id)] = (caught + check.ok, total + 1)
    equivalent = {}
    for assignment, cell, _, _ in mutation_plan.equivalent:
        equivalent[(assignment, cell)] = equivalent.get((assignment, cell), 0) + 1
    rows = []
    for key in mutation_plan.total:
        caught, total = graded.get(key, (0, 0))
        rows.append([key[0], key[1], f"{caught} / {total}", str(equivalent.get(key, 0)), str(mutation_plan.total[key]),
                     f"{100 * caught / total:.0f}%" if total else "-"])
    lines = [format_table(["assignment", "exercise", "caught / graded", "equivalent", "mutants", "score"], rows)]
    all_caught = sum(caught for caught, _ in graded.values())
    all_graded = sum(total for _, total in graded.values())
    lines.append(f"\n{all_caught} of {all_graded} non-equivalent mutants caught"
                 + (f" ({100 * all_caught / all_graded:.1f}%)" if all_graded else "")
                 + f"; {len(mutation_plan.equivalent)} listed as equivalent")
    solution = [check for check in checks if not check.cell_id and not check.ok]
    for check in solution:
        lines.append(f"\nthe reference solution of {check.assignment} does not get every point ({check.detail}): "
                     f"the mutant results of that assignment mean nothing")
    for check in checks:
        if check.cell_id and not check.ok:
            lines.append(f"\nSURVIVOR {check.assignment} {check.submission} ({check.detail})\n{check.diff.rstrip()}")
    for assignment, cell, change in mutation_plan.stale:
        lines.append(f"\nstale entry in {assignment}/catalogue/equivalent_mutants.toml: {cell}: {change} "
                     f"(no such mutant any more; remove it)")
    return "\n".join(lines)


def format_checks(checks):
    rows = [[check.assignment, check.submission[:70], check.expected_text(),
             f"{check.score:g} / {check.max_score:g}", "ok" if check.ok else "MISS", check.detail[:80]]
            for check in checks]
    misses = sum(not check.ok for check in checks)
    summary = f"{len(checks)} checks, {misses} missed"
    return format_table(["assignment", "submission", "expected", "autograded", "result", "detail"], rows) + \
        "\n\n" + summary
