"""The result of grading one submission, and the file that keeps them (``course/report/grading_results.json``).

One record, one shape, from the worker to the report: the worker makes a :class:`GradingResult`
from its scratch gradebook, it crosses to the parent inside a
:class:`autograder.parallel.jobs.GradeReply`, the parent replaces the scores by the course
gradebook's after merging, this module keeps it, and ``report`` joins it with the gradebook.

The file maps ``assignment/student`` to :meth:`GradingResult.to_dict`. Records written before records
had a ``version`` (the kit's previous format, with the same fields) are read as they are; a record of
another version, or with missing or unknown fields, stops with an error that says to run ``grade`` again.
"""

import json
from dataclasses import MISSING, asdict, dataclass, field, fields

RESULT_VERSION = 2
LEGACY_VERSION = 1  # records without a "version" field: the same fields as version 2
STATUSES = ("graded", "failed", "skipped")


def field_mismatch(record_type, values):
    """How the keys of ``values`` differ from the fields of dataclass ``record_type`` ('' when they fit).

    A field without a default must be there; a key that is no field must not.
    """
    names = [item.name for item in fields(record_type)]
    required = [item.name for item in fields(record_type)
                if item.default is MISSING and item.default_factory is MISSING]
    missing = [name for name in required if name not in values]
    unknown = sorted(set(values) - set(names))
    if not (missing or unknown):
        return ""
    problems = ["missing " + ", ".join(missing) if missing else "", "unknown " + ", ".join(unknown) if unknown else ""]
    return "expected the fields {}; got {}".format(", ".join(names), "; ".join(filter(None, problems)))


class ResultFileError(ValueError):
    """A grading record that this version of the kit cannot read; the message says what to do."""


@dataclass
class GradingResult:
    """What happened to one submission.

    status: "graded", "failed" (recorded with zero and ``reason``) or "skipped" (already graded).
    reason: why it failed, or for a graded one why it was graded only in part (a kernel that died,
        a time limit, files not copied); empty otherwise.
    score / max_score: autograded points (test cells only) and their maximum.
    failed_tests: grade_ids of test cells that did not get full points.
    needs_manual_grade: how many grades nbgrader asks a person to look at.
    seconds_late: how late the submission was (nbgrader's total).
    elapsed: seconds the worker spent on it.
    review: "needs review" flags (suspicious code, similar answers, changed files); never change a score.
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

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"GradingResult: status must be one of {', '.join(STATUSES)}, got {self.status!r}")

    @property
    def key(self):
        return f"{self.assignment}/{self.student}"

    def to_dict(self):
        return dict(asdict(self), version=RESULT_VERSION)

    @classmethod
    def from_dict(cls, data, where="a grading record"):
        """The record of :meth:`to_dict` (or of the previous format, without ``version``); ResultFileError else."""
        if not isinstance(data, dict):
            raise ResultFileError(f"{where}: expected a JSON object, got {type(data).__name__}")
        values = dict(data)
        version = values.pop("version", LEGACY_VERSION)
        if version not in (LEGACY_VERSION, RESULT_VERSION):
            raise ResultFileError(f"{where}: expected a record of version {RESULT_VERSION} (or the previous format "
                                  f"without a version), got version {version!r}")
        mismatch = field_mismatch(cls, values)
        if mismatch:
            raise ResultFileError(f"{where}: {mismatch}")
        try:
            return cls(**values)
        except ValueError as error:
            raise ResultFileError(f"{where}: {error}") from error

    @classmethod
    def from_state(cls, student, assignment, state, elapsed=0.0, reason="", review=()):
        """A graded result from an autograde state (see :func:`autograder.gradebook.sync.read_autograde_state`)."""
        tests = [(name, grade) for notebook in state["notebooks"].values()
                 for name, grade in sorted(notebook["grades"].items()) if grade["is_test"]]
        return cls(
            student=student, assignment=assignment, status="graded", reason=reason,
            score=sum(grade["auto_score"] or 0.0 for _, grade in tests),
            max_score=sum(grade["max_score"] for _, grade in tests),
            failed_tests=[name for name, grade in tests if (grade["auto_score"] or 0.0) < grade["max_score"]],
            needs_manual_grade=sum(grade["needs_manual_grade"] for notebook in state["notebooks"].values()
                                   for grade in notebook["grades"].values()),
            seconds_late=state.get("seconds_late") or 0.0, elapsed=elapsed, review=list(review))


def load_results(course):
    """Records kept from earlier runs, keyed ``assignment/student`` (ResultFileError when unreadable)."""
    path = course.results_file
    if not path.is_file():
        return {}
    advice = f"delete {path} and run `python -m autograder grade --force` again"
    try:
        data = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise ResultFileError(f"{path} is not valid JSON ({error}); {advice}") from error
    if not isinstance(data, dict):
        raise ResultFileError(f"{path}: expected a JSON object of records, got {type(data).__name__}; {advice}")
    try:
        return {key: GradingResult.from_dict(value, where=f"{path}, record {key}") for key, value in data.items()}
    except ResultFileError as error:
        raise ResultFileError(f"{error}; {advice}") from error


def write_results(course, records):
    """Write ``{key: GradingResult}`` as the kept records (replacing the file)."""
    course.results_file.parent.mkdir(parents=True, exist_ok=True)
    course.results_file.write_text(json.dumps({key: records[key].to_dict() for key in sorted(records)}, indent=1))


def save_results(course, results):
    """Add ``results`` (graded or failed ones) to the kept records."""
    records = load_results(course)
    for result in results:
        if result.status != "skipped":
            records[result.key] = result
    write_results(course, records)
