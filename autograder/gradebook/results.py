"""The record of one grading attempt, and the file that keeps them (``course/report/grading_results.json``)."""

import json
from dataclasses import asdict, dataclass, field


@dataclass
class GradingResult:
    """What happened to one submission.

    status: "graded", "failed" (recorded with zero and ``reason``) or "skipped" (already graded).
    reason: why it failed, or for a graded one why it was graded only in part (a kernel that died,
        a time limit, files not copied); empty otherwise.
    score / max_score: autograded points (test cells only) and their maximum.
    failed_tests: grade_ids of test cells that did not get full points.
    review: "needs review" flags (suspicious code found in the submission); they never change a score.
    """

    student: str
    assignment: str
    status: str
    reason: str = ""
    score: float = 0.0
    max_score: float = 0.0
    failed_tests: list = field(default_factory=list)
    needs_manual_grade: int = 0
    seconds_late: float = 0.0
    elapsed: float = 0.0
    review: list = field(default_factory=list)

    @property
    def key(self):
        return f"{self.assignment}/{self.student}"

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    @classmethod
    def from_state(cls, student, assignment, state, elapsed=0.0):
        """The summary of an autograde state (see :func:`autograder.gradebook.sync.read_autograde_state`)."""
        tests = [(name, grade) for notebook in state["notebooks"].values()
                 for name, grade in sorted(notebook["grades"].items()) if grade["is_test"]]
        return cls(
            student=student, assignment=assignment, status="graded",
            score=sum(grade["auto_score"] or 0.0 for _, grade in tests),
            max_score=sum(grade["max_score"] for _, grade in tests),
            failed_tests=[name for name, grade in tests if (grade["auto_score"] or 0.0) < grade["max_score"]],
            needs_manual_grade=sum(grade["needs_manual_grade"] for notebook in state["notebooks"].values()
                                   for grade in notebook["grades"].values()),
            seconds_late=state.get("seconds_late") or 0.0, elapsed=elapsed)


def load_results(course):
    """Records kept from earlier runs, keyed ``assignment/student``."""
    if not course.results_file.is_file():
        return {}
    data = json.loads(course.results_file.read_text())
    return {key: GradingResult.from_dict(value) for key, value in data.items()}


def save_results(course, results):
    """Add ``results`` (graded or failed ones) to the kept records."""
    records = load_results(course)
    for result in results:
        if result.status != "skipped":
            records[result.key] = result
    course.results_file.parent.mkdir(parents=True, exist_ok=True)
    course.results_file.write_text(json.dumps({key: records[key].to_dict() for key in sorted(records)}, indent=1))
