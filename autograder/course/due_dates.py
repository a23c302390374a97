"""Due dates and late penalties: one course file, nbgrader's late-submission plugin, one policy everywhere.

- **Due dates** live in ``course/due_dates.toml`` (:data:`DUE_DATES_FILE`), one per assignment.
  ``build`` writes them into the gradebook as nbgrader's assignment ``duedate`` (an assignment the
  file does not list gets none), so nbgrader computes every submission's ``total_seconds_late``
  from them, extensions included.
- **The policy** is :class:`LatePenalty`, a ``LateSubmissionPlugin`` that nbgrader's
  ``AssignLatePenalties`` calls while autograding (``c.AssignLatePenalties.plugin_class`` in
  ``course/nbgrader_config.py``, where its options are set). Default: 10% of the notebook's points
  per started day late, never more than the notebook's score. ``policy = "none"`` turns penalties
  off; ``"zero"`` is nbgrader's own (a late notebook scores zero).
- nbgrader computes a penalty once, at autograde time, when written answers are not graded yet
  (and it caps the penalty at that partial score). :func:`refresh_late_penalties` computes them
  again from the gradebook as it is now; ``feedback``, ``export`` and ``report`` call it first, so
  the penalty in the feedback, in ``grades.csv`` and in the report is always the configured policy
  applied to the current score and due date.
"""

import math
import sys
from datetime import date, datetime, time, timezone

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Enum, Float

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

from autograder.course.directory import CourseError

DUE_DATES_FILE = "due_dates.toml"
SECONDS_PER_DAY = 24 * 3600


# --- due dates -----------------------------------------------------------------------------------

def due_dates_file(course):
    return course.root / DUE_DATES_FILE


def read_due_dates(course):
    """``{assignment: due date}`` from ``course/due_dates.toml``, as naive UTC datetimes (nbgrader's form).

    A missing file means no due dates. A date with an offset is converted to UTC; one without is
    read in the file's ``timezone`` (default UTC); a bare date means the end of that day.
    Raises :class:`CourseError` naming the file and the entry for anything it cannot read.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    path = due_dates_file(course)
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CourseError(f"{path}: not valid TOML ({error})") from error
    zone_name = data.get("timezone", "UTC")
    try:
        zone = ZoneInfo(str(zone_name))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise CourseError(f"{path}: timezone = {zone_name!r} is not a time zone name such as "
                          "\"UTC\" or \"Europe/London\"") from error
    table = data.get("due", {})
    if not isinstance(table, dict):
        raise CourseError(f"{path}: [due] must be a table of `assignment = date` lines")
    due = {}
    for assignment, value in table.items():
        due[assignment] = _as_utc(value, zone, f"{path}: due date of {assignment}")
    return due


def _as_utc(value, zone, where):
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as error:
            raise CourseError(f"{where}: {value!r} is not a date such as 2025-10-06T17:00:00") from error
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(23, 59, 59))
    if not isinstance(value, datetime):
        raise CourseError(f"{where}: {value!r} is not a date such as 2025-10-06T17:00:00")
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def check_due_dates(course, assignments):
    """Problems of the due-dates file for ``assignments`` (the course's assignments): unknown names."""
    due = read_due_dates(course)
    unknown = sorted(set(due) - set(assignments))
    if unknown:
        return ["{}: due date for {}, which is not an assignment (assignments: {})".format(
            due_dates_file(course), ", ".join(unknown), ", ".join(assignments) or "none")]
    return []


def write_due_dates(course, assignments):
    """Set each assignment's due date in the course gradebook from the file (None when it lists none).

    Returns ``{assignment: due date or None}``.
    """
    from autograder.course.directory import open_gradebook

    due = read_due_dates(course)
    written = {}
    with open_gradebook(course) as gradebook:
        for assignment in assignments:
            gradebook.update_or_create_assignment(assignment, duedate=due.get(assignment))
            written[assignment] = due.get(assignment)
    return written


# --- the policy ----------------------------------------------------------------------------------

class LatePenalty(LateSubmissionPlugin):
    """The kit's late policy, as nbgrader's late-submission plugin (``AssignLatePenalties.plugin_class``).

    policy: "per_day" (default): ``percent_per_day`` of the notebook's points for every started
        day past the due date (after ``grace_minutes``), at most ``max_percent``; "none": no
        penalty; "zero": a late notebook scores zero.
    Like every nbgrader late penalty, it is never more than the notebook's score.
    """

    policy = Enum(("per_day", "none", "zero"), default_value="per_day",
                  help="per_day, none or zero (see the class docstring)").tag(config=True)
    percent_per_day = Float(10.0, help="percent of the notebook's points lost per started day late").tag(config=True)
    max_percent = Float(100.0, help="the largest penalty, in percent of the notebook's points").tag(config=True)
    grace_minutes = Float(0.0, help="minutes after the due date that do not count as late").tag(config=True)

    def days_late(self, seconds_late):
        """Started days late after the grace period (0 when not late)."""
        seconds = float(seconds_late or 0.0) - 60.0 * self.grace_minutes
        return 0 if seconds <= 0 else math.ceil(seconds / SECONDS_PER_DAY)

    def penalty(self, score, max_score, seconds_late):
        """Points taken from a notebook with ``score`` out of ``max_score``, ``seconds_late`` late (None: not late)."""
        score = float(score or 0.0)
        if float(seconds_late or 0.0) <= 0 or self.policy == "none":
            return None
        if self.policy == "zero":
            return score
        days = self.days_late(seconds_late)
        if days == 0:
            return None
        percent = min(self.max_percent, self.percent_per_day * days)
        return round(min(score, float(max_score or 0.0) * percent / 100.0), 6)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        # nbgrader gives the plugin no maximum; its caller (AssignLatePenalties) holds the gradebook
        parent = self.parent
        max_score = score
        try:
            max_score = parent.gradebook.find_notebook(parent.notebook_id, parent.assignment_id).max_score
        except Exception:  # noqa: BLE001 -- called outside AssignLatePenalties: a percentage of the score
            pass
        return self.penalty(score, max_score, total_seconds_late)

    def describe(self):
        """The policy in one sentence, for the feedback and the report."""
        if self.policy == "none":
            return "no late penalty"
        if self.policy == "zero":
            return "a late notebook scores zero"
        grace = f" after {self.grace_minutes:g} minutes' grace" if self.grace_minutes else ""
        return (f"{self.percent_per_day:g}% of the notebook's points per started day late{grace}, "
                f"at most {self.max_percent:g}%")

    def __repr__(self):
        return (f"LatePenalty(policy={self.policy!r}, percent_per_day={self.percent_per_day:g}, "
                f"max_percent={self.max_percent:g}, grace_minutes={self.grace_minutes:g})")


def configured_plugin(config):
    """The late-submission plugin the course configuration names (nbgrader's default when it names none)."""
    from traitlets.utils.importstring import import_item

    plugin_class = config.AssignLatePenalties.get("plugin_class", LateSubmissionPlugin)
    if isinstance(plugin_class, str):
        plugin_class = import_item(plugin_class)
    return plugin_class(config=config)


def describe_policy(plugin):
    if hasattr(plugin, "describe"):
        return plugin.describe()
    return {"none": "no late penalty", "zero": "a late notebook scores zero"}.get(
        getattr(plugin, "penalty_method", ""), type(plugin).__name__)


def notebook_penalty(plugin, student, score, max_score, seconds_late):
    """What ``plugin`` takes from one notebook, bounded as nbgrader bounds it (0 .. score); None when not late."""
    if float(seconds_late or 0.0) <= 0:
        return None
    if isinstance(plugin, LatePenalty):
        penalty = plugin.penalty(score, max_score, seconds_late)
    else:
        penalty = plugin.late_submission_penalty(student, score, seconds_late)
    if penalty is None:
        return None
    return min(max(float(penalty), 0.0), float(score or 0.0))


def refresh_late_penalties(course, gradebook=None):
    """Compute every late penalty again with the configured policy and the gradebook's current scores.

    Returns the number of notebooks whose penalty changed.
    """
    import warnings

    from autograder.course.directory import load_config, open_gradebook

    plugin = configured_plugin(load_config(course))
    if gradebook is None:
        with open_gradebook(course) as opened:
            return refresh_late_penalties(course, opened)
    changed = 0
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not in session.*")
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                seconds_late = submission.total_seconds_late
                for notebook in submission.notebooks:
                    penalty = notebook_penalty(plugin, submission.student.id, notebook.score,
                                               notebook.max_score, seconds_late)
                    if penalty != notebook.late_submission_penalty:
                        notebook.late_submission_penalty = penalty
                        changed += 1
    gradebook.db.commit()
    return changed


# --- timestamps ----------------------------------------------------------------------------------

def hours_late(seconds_late):
    """``"no"`` or ``"2.5 h"``."""
    return "no" if not seconds_late or seconds_late <= 0 else f"{seconds_late / 3600:.1f} h"
