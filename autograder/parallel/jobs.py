"""The messages between the parent and a worker process: typed jobs and the replies they get.

One JSON object per line, ``{"version": MESSAGE_VERSION, "kind": ..., <every field>}``: the parent
writes a job on the worker's stdin, the worker answers one line ``RESULT_MARKER + reply`` on its stdout.

- :class:`GradeJob` (``"grade"``) -> :class:`GradeReply`: autograde one submission in a scratch course
  (made by :mod:`autograder.commands.grade`, run by :mod:`autograder.parallel.scratch_grading`);
- :class:`SolutionJob` (``"solution"``) -> :class:`SolutionReply`: execute one source notebook for the
  answer key (made by :mod:`autograder.commands.build`, run by :mod:`autograder.parallel.answer_key`).

Every field is set by the message's producer; reading a message checks its version, its kind and
its fields, and a mismatch raises :class:`MessageError` naming what was expected and what was got.
"""

import json
from dataclasses import dataclass, field, fields
from typing import ClassVar

from autograder.gradebook.results import GradingResult, field_mismatch

MESSAGE_VERSION = 1
RESULT_MARKER = "@@autograder-result@@ "


class MessageError(ValueError):
    """A line between parent and worker that is not the message it should be."""


class Message:
    """Serialisation shared by every message type: ``to_json`` / ``from_json`` with checks."""

    kind: ClassVar[str] = ""

    def to_data(self):
        return {item.name: getattr(self, item.name) for item in fields(self)}

    def to_json(self):
        return json.dumps({"version": MESSAGE_VERSION, "kind": self.kind, **self.to_data()})

    @classmethod
    def from_data(cls, values):
        return cls(**values)

    @classmethod
    def from_json(cls, text):
        """The message of type ``cls`` in ``text``; MessageError when it is anything else."""
        return read_message(text, (cls,))

    @classmethod
    def check_fields(cls, values):
        mismatch = field_mismatch(cls, values)
        if mismatch:
            raise MessageError(f"{cls.kind} message: {mismatch}")


def read_message(text, expected):
    """The message in one line ``text``, which must be of one of the ``expected`` types (MessageError else)."""
    kinds = {message_type.kind: message_type for message_type in expected}
    wanted = " or ".join(repr(kind) for kind in kinds)
    try:
        data = json.loads(text)
    except ValueError as error:
        raise MessageError(f"expected a JSON message of kind {wanted}, got text that is not JSON ({error}): "
                           f"{text[:120]!r}") from error
    if not isinstance(data, dict):
        raise MessageError(f"expected a JSON object of kind {wanted}, got {type(data).__name__}")
    version = data.pop("version", None)
    if version != MESSAGE_VERSION:
        raise MessageError(f"expected message version {MESSAGE_VERSION}, got {version!r} "
                           "(parent and worker come from different versions of the kit?)")
    kind = data.pop("kind", None)
    if kind not in kinds:
        raise MessageError(f"expected a message of kind {wanted}, got kind {kind!r}")
    message_type = kinds[kind]
    message_type.check_fields(data)
    return message_type.from_data(data)


@dataclass(frozen=True)
class GradeReply(Message):
    """What a worker sends back for a :class:`GradeJob`.

    result: the grading result, scores from the scratch gradebook (the parent replaces them by the
        course gradebook's after merging).
    state: the fields autograde wrote in the scratch gradebook
        (:func:`autograder.gradebook.sync.read_autograde_state`), None unless ``result.status == "graded"``.
    autograded_dir: the scratch folder of the executed notebooks ("" unless graded).
    log: what the worker and nbgrader logged (written to ``course/report/logs/``).
    """

    kind: ClassVar[str] = "grade_reply"
    result: GradingResult
    state: dict = None
    autograded_dir: str = ""
    log: str = ""

    def to_data(self):
        return dict(super().to_data(), result=self.result.to_dict())

    @classmethod
    def from_data(cls, values):
        try:
            result = GradingResult.from_dict(values["result"], where="grade_reply message, field result")
        except ValueError as error:
            raise MessageError(str(error)) from error
        return cls(**dict(values, result=result))


@dataclass(frozen=True)
class SolutionReply(Message):
    """What a worker sends back for a :class:`SolutionJob`: the errors found (none: the key was written)."""

    kind: ClassVar[str] = "solution_reply"
    notebook: str
    errors: list = field(default_factory=list)
    elapsed: float = 0.0


@dataclass(frozen=True)
class GradeJob(Message):
    """Autograde one submission in a private scratch course (see :mod:`autograder.parallel.scratch_grading`).

    submission_dir: ``course/submitted/<student>/<assignment>`` (only read).
    source_dir, config_file, template_db: the assignment's source, the course configuration and the
        assignment's template gradebook (:func:`autograder.gradebook.sync.make_template`).
    notebooks: the assignment's notebook file names.
    snapshot: the student's record in the course gradebook (:func:`autograder.gradebook.sync.student_snapshot`).
    config_overrides: nbgrader configuration on top of the course's (time limits, hidden folders, ...).
    scratch: the job's private folder (inside the run folder, hidden from kernels).
    max_file_bytes, max_total_bytes, max_files: what of the submission is copied for grading
        (:class:`autograder.parallel.intake.SubmissionLimits`).
    """

    kind: ClassVar[str] = "grade"
    student: str
    assignment: str
    course_id: str
    submission_dir: str
    source_dir: str
    config_file: str
    template_db: str
    notebooks: list
    snapshot: dict
    config_overrides: dict
    scratch: str
    max_file_bytes: int
    max_total_bytes: int
    max_files: int

    def failed_reply(self, reason, log="", elapsed=0.0):
        """The reply of a job that could not be graded (the worker died, a time limit, an internal error)."""
        result = GradingResult(self.student, self.assignment, "failed", reason=reason, elapsed=elapsed)
        return GradeReply(result=result, log=log)


@dataclass(frozen=True)
class SolutionJob(Message):
    """Execute one source notebook for the answer key (see :mod:`autograder.parallel.answer_key`).

    notebook: the source notebook; assignment_dir: its folder (data files, without the catalogue);
    destination: where the executed notebook is written; cell_timeout: seconds per cell.
    """

    kind: ClassVar[str] = "solution"
    notebook: str
    assignment_dir: str
    destination: str
    scratch: str
    cell_timeout: float

    def failed_reply(self, reason, log="", elapsed=0.0):
        return SolutionReply(notebook=self.notebook, errors=[reason], elapsed=elapsed)


JOB_TYPES = (GradeJob, SolutionJob)
REPLY_TYPES = {GradeJob: GradeReply, SolutionJob: SolutionReply}
