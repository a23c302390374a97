"""``demo``: the whole pipeline on sample students, from a fresh clone, with no arguments.

build -> four sample students per assignment -> parallel grading (feedback, grades.csv) -> report.

- ``ada_full``: every solution cell answered as in the reference solution (full marks);
- ``ben_blank``: the release handed back untouched;
- ``cleo_partial``: the first half of the answers filled in, submitted two hours late;
- ``dan_bug``: full answers except one, replaced by a wrong implementation from the catalogue.
"""

from datetime import datetime, timedelta, timezone

from autograder.commands.build import build, select_assignments
from autograder.commands.grade import GradeOptions, grade
from autograder.commands.report import collect_report, format_report, plot_report
from autograder.course.directory import open_gradebook
from autograder.notebooks.catalogue import load_catalogue
from autograder.notebooks.cells import find_cell, replace_cell_source, solution_cell_ids
from autograder.notebooks.sample_submissions import answered, release_and_source, write_submission

STUDENTS = ("ada_full", "ben_blank", "cleo_partial", "dan_bug")
DUE = datetime(2025, 3, 14, 17, 0, tzinfo=timezone.utc)


def sample_submissions(course, assignment):
    """``{student: {notebook name: notebook}}`` for the four sample students."""
    notebooks = release_and_source(course, assignment)
    wrong = [entry for entry in load_catalogue(course.source_notebooks / assignment) if entry.kind == "wrong"]
    students = {student: {} for student in STUDENTS}
    for name, (release, source) in notebooks.items():
        cell_ids = solution_cell_ids(source)
        students["ada_full"][name] = answered(release, source)
        students["ben_blank"][name] = answered(release, source, cell_ids=[])
        students["cleo_partial"][name] = answered(release, source, cell_ids=cell_ids[: len(cell_ids) // 2])
        full = answered(release, source)
        bug = next((entry for entry in wrong if entry.cell_id in cell_ids), None)
        if bug is not None:
            students["dan_bug"][name] = replace_cell_source(full, bug.cell_id, bug.source)
        else:  # no catalogue: break the last code answer in an obvious way
            code_ids = [cell_id for cell_id in cell_ids if find_cell(full, cell_id).cell_type == "code"]
            students["dan_bug"][name] = (replace_cell_source(full, code_ids[-1], find_cell(full, code_ids[-1]).source
                                                             + "\nraise RuntimeError('an off-by-one bug')")
                                         if code_ids else full)
    return students


def demo(course, assignments=None, workers=None, progress=None, log=print):
    """Run the demo; returns the report text."""
    assignments = select_assignments(course, assignments)
    log("== build: {}".format(", ".join(assignments)))
    build(course, assignments, workers=workers, log=log)
    with open_gradebook(course) as gradebook:
        for assignment in assignments:
            gradebook.update_or_create_assignment(assignment, duedate=DUE.replace(tzinfo=None))
    for assignment in assignments:
        for student, notebooks in sample_submissions(course, assignment).items():
            late = student == "cleo_partial"
            moment = DUE + (timedelta(hours=2) if late else -timedelta(days=1))
            write_submission(course, student, assignment, notebooks, submitted_at=moment)
    log(f"== grade: {len(STUDENTS) * len(assignments)} submissions")
    results = grade(course, GradeOptions(assignments=assignments, students=STUDENTS, workers=workers, force=True,
                                         progress=progress))
    failed = [result for result in results if result.status == "failed"]
    for result in failed:
        log(f"not graded: {result.student}/{result.assignment}: {result.reason}")
    report = collect_report(course)
    text = format_report(report)
    figure = plot_report(report, course.report_figure)
    log("== report\n" + text)
    log(f"\nfeedback: {course.feedback_dir()}\ngrades:   {course.grades_csv}\nfigure:   {figure}")
    return text
