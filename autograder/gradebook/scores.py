"""The score of a submission as the kit's exports give it, and the class an export plugin is asked for.

One definition for ``grades.csv`` (nbgrader's ``CsvExportPlugin``), the Canvas CSV and the per-exercise
CSV: the gradebook's total (autograded tests plus manual grades) minus the late penalty, never below 0,
which is what nbgrader's own CSV export writes in its ``score`` column.
"""

from dataclasses import dataclass, field


def final_score(submission):
    """Points of a submission (nbgrader ``SubmittedAssignment``) after its late penalty, at least 0."""
    return max(0.0, float(submission.score or 0.0) - float(submission.late_submission_penalty or 0.0))


def format_points(value):
    """Points as a CSV cell: at most two decimals (as Canvas shows points), no trailing zeros: 4, 1.7, 2.25."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass
class ClassScores:
    """What an export needs of the gradebook, read once.

    assignments: ``[(name, max_score)]`` sorted by name; students: ``[nbgrader Student]`` sorted by id;
    submissions: ``{(assignment name, student id): nbgrader SubmittedAssignment}`` (absent: no submission).
    """

    assignments: list = field(default_factory=list)
    students: list = field(default_factory=list)
    submissions: dict = field(default_factory=dict)

    def score(self, assignment, student_id):
        """The :func:`final_score` of a submission, None when the student submitted nothing for it."""
        submission = self.submissions.get((assignment, student_id))
        return None if submission is None else final_score(submission)

    def __repr__(self):
        return (f"ClassScores({len(self.assignments)} assignment(s), {len(self.students)} student(s), "
                f"{len(self.submissions)} submission(s))")


def read_class(gradebook, assignments=(), students=()):
    """The :class:`ClassScores` of ``gradebook``, limited to the given assignment names and student ids
    when they are not empty (an export plugin's ``assignment`` and ``student`` traits)."""
    wanted_assignments = {str(name) for name in assignments}
    wanted_students = {str(student) for student in students}
    scores = ClassScores()
    scores.students = sorted((student for student in gradebook.students
                              if not wanted_students or student.id in wanted_students), key=lambda s: s.id)
    known = {student.id for student in scores.students}
    for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
        if wanted_assignments and assignment.name not in wanted_assignments:
            continue
        scores.assignments.append((assignment.name, float(assignment.max_score or 0.0)))
        for submission in assignment.submissions:
            if submission.student.id in known:
                scores.submissions[(assignment.name, submission.student.id)] = submission
    return scores


def sortable_name(student):
    """"Last, First" as Canvas's gradebook shows a student; the id when the gradebook has no name."""
    parts = [part for part in (student.last_name, student.first_name) if part]
    return ", ".join(parts) or student.id
