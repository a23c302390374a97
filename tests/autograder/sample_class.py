"""A small class written straight into an nbgrader gradebook, with scores known by construction.

Built with nbgrader's own ``Gradebook`` API (no grading run), so every expected value of the export and
report tests comes from the table below and the course's late policy (10% of the notebook's points per
started day late, see ``course/nbgrader_config.py``), not from the code under test.

01_alpha (due 2025-03-14 17:00): notebook ``alpha``; tests t1 (2 points), t2 (1); written answer w1 (1).
02_beta  (due 2025-03-21 17:00): notebook ``beta``; test t3 (5 points).

=======  ==============================================  ===========================================
student  01_alpha (max 4)                                02_beta (max 5)
=======  ==============================================  ===========================================
ann      t1 2, t2 1, w1 1 (manual): 4, on time           t3 5, on time: 5
ben      t1 2, t2 0, w1 0.5 (manual): 2.5, 30 h late:    no submission
         2 started days, -20% of 4 = -0.8: 1.7
cat      t1 1, t2 1, w1 not graded yet: 2, on time       t3 2.5, 1 h late: -10% of 5 = -0.5: 2
dan      no submission                                   no submission
=======  ==============================================  ===========================================
"""

from datetime import datetime, timedelta

from autograder.course.directory import open_gradebook

ALPHA_DUE = datetime(2025, 3, 14, 17, 0)
BETA_DUE = datetime(2025, 3, 21, 17, 0)
STUDENTS = {"ann": ("Ann", "Archer"), "ben": ("Ben", "Brown"), "cat": ("Cat", "Cole"), "dan": ("Dan", "Dale")}
# (assignment, student): (submitted at, {cell: (auto score, manual score)})
SUBMISSIONS = {
    ("01_alpha", "ann"): (ALPHA_DUE - timedelta(days=1), {"t1": (2, None), "t2": (1, None), "w1": (None, 1)}),
    ("01_alpha", "ben"): (ALPHA_DUE + timedelta(hours=30), {"t1": (2, None), "t2": (0, None), "w1": (None, 0.5)}),
    ("01_alpha", "cat"): (ALPHA_DUE - timedelta(hours=2), {"t1": (1, None), "t2": (1, None), "w1": (None, None)}),
    ("02_beta", "ann"): (BETA_DUE - timedelta(days=2), {"t3": (5, None)}),
    ("02_beta", "cat"): (BETA_DUE + timedelta(hours=1), {"t3": (2.5, None)}),
}
NOTEBOOK = {"01_alpha": "alpha", "02_beta": "beta"}


def build_sample_class(course):
    """Write the class above into the (new) gradebook of ``course``."""
    with open_gradebook(course) as gradebook:
        gradebook.add_assignment("01_alpha", duedate=ALPHA_DUE)
        gradebook.add_notebook("alpha", "01_alpha")
        gradebook.add_grade_cell("t1", "alpha", "01_alpha", max_score=2, cell_type="code")
        gradebook.add_grade_cell("t2", "alpha", "01_alpha", max_score=1, cell_type="code")
        gradebook.add_grade_cell("w1", "alpha", "01_alpha", max_score=1, cell_type="markdown")
        gradebook.add_solution_cell("w1", "alpha", "01_alpha")
        gradebook.add_assignment("02_beta", duedate=BETA_DUE)
        gradebook.add_notebook("beta", "02_beta")
        gradebook.add_grade_cell("t3", "beta", "02_beta", max_score=5, cell_type="code")
        for student, (first, last) in STUDENTS.items():
            gradebook.add_student(student, first_name=first, last_name=last)
        for (assignment, student), (when, grades) in SUBMISSIONS.items():
            gradebook.add_submission(assignment, student, timestamp=when)
            for cell, (auto, manual) in grades.items():
                grade = gradebook.find_grade(cell, NOTEBOOK[assignment], assignment, student)
                grade.auto_score, grade.manual_score = auto, manual
                grade.needs_manual_grade = auto is None and manual is None  # as after autograding
        gradebook.db.commit()
    return course
