"""Where things live: the nbgrader course root, the lesson sources and the answer key.

The defaults follow the repository layout: ``course/`` holds ``nbgrader_config.py`` and the
build products, ``source_notebooks/`` and ``solutions/`` sit beside it.
"""

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"


class CourseError(RuntimeError):
    """The course folder is not in a state that lets the requested step run (with what to do)."""


@dataclass(frozen=True)
class Course:
    """Paths of one course.

    root: the nbgrader course root (holds nbgrader_config.py, source/, release/, submitted/, ...).
    source_notebooks: the lesson sources, one folder per assignment.
    solutions: where the answer key is written.
    """

    root: Path
    source_notebooks: Path
    solutions: Path

    @classmethod
    def at(cls, root="course", source_notebooks=None, solutions=None):
        """The course rooted at ``root``; lesson sources and answer key default to its siblings."""
        root = Path(root).resolve()
        source_notebooks = Path(source_notebooks).resolve() if source_notebooks else root.parent / "source_notebooks"
        solutions = Path(solutions).resolve() if solutions else root.parent / "solutions"
        return cls(root=root, source_notebooks=source_notebooks, solutions=solutions)

    # nbgrader's folders -------------------------------------------------------------------
    @property
    def config_file(self):
        return self.root / CONFIG_FILE

    @property
    def gradebook_file(self):
        return self.root / "gradebook.db"

    @property
    def db_url(self):
        return f"sqlite:///{self.gradebook_file}"

    def source_dir(self, assignment=None):
        return self.root / "source" if assignment is None else self.root / "source" / assignment

    def release_dir(self, assignment=None):
        return self.root / "release" if assignment is None else self.root / "release" / assignment

    def submitted_dir(self, student=None, assignment=None):
        return _nested(self.root / "submitted", student, assignment)

    def autograded_dir(self, student=None, assignment=None):
        return _nested(self.root / "autograded", student, assignment)

    def feedback_dir(self, student=None, assignment=None):
        return _nested(self.root / "feedback", student, assignment)

    @property
    def grades_csv(self):
        return self.root / "grades.csv"

    @property
    def report_dir(self):
        return self.root / "report"

    @property
    def report_figure(self):
        """The score-distribution / pass-rate figure, saved next to the CSV."""
        return self.root / "grades.png"

    @property
    def results_file(self):
        """One record per graded submission (status, reason, scores), kept across runs."""
        return self.report_dir / "grading_results.json"

    def log_file(self, assignment, student):
        return self.report_dir / "logs" / assignment / f"{student}.log"

    # discovery ---------------------------------------------------------------------------
    def lesson_assignments(self):
        """Assignments in ``source_notebooks/``: folders that hold at least one notebook."""
        if not self.source_notebooks.is_dir():
            return []
        return sorted(p.name for p in self.source_notebooks.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))

    def built_assignments(self):
        """Assignments that have a generated release."""
        if not self.release_dir().is_dir():
            return []
        return sorted(p.name for p in self.release_dir().iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def submissions(self, assignments=None, students=None):
        """(student, assignment) pairs present under ``submitted/``, sorted, optionally filtered."""
        found = []
        if not self.submitted_dir().is_dir():
            return found
        for student_dir in sorted(self.submitted_dir().iterdir()):
            if not student_dir.is_dir() or (students and student_dir.name not in students):
                continue
            for assignment_dir in sorted(student_dir.iterdir()):
                if assignment_dir.is_dir() and (not assignments or assignment_dir.name in assignments):
                    found.append((student_dir.name, assignment_dir.name))
        return found

    def require_config(self):
        if not self.config_file.is_file():
            raise CourseError(f"{self.config_file} is missing: the course root must hold nbgrader's configuration "
                              "(see course/nbgrader_config.py in the repository)")


def _nested(base, student, assignment):
    if student is None:
        return base
    return base / student if assignment is None else base / student / assignment


def load_config(course, **overrides):
    """nbgrader's configuration for ``course``: its nbgrader_config.py, with the root set.

    overrides: ``{"Section": {"trait": value}}`` applied on top (e.g. a per-cell timeout).
    """
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    course.require_config()
    config = PyFileConfigLoader(course.config_file.name, path=str(course.root)).load_config()
    config.CourseDirectory.root = str(course.root)
    config.merge(Config(overrides))
    return config


def make_api(course, config=None, log_level=logging.WARNING):
    """An ``nbgrader.apps.NbGraderAPI`` for ``course`` (config loaded from the course if not given)."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_config(course) if config is None else config
    quiet_nbgrader(log_level)
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(course.root)
    return NbGraderAPI(coursedir=coursedir, config=config, log_level=log_level)


def course_id(course):
    """The course id from the course's nbgrader_config.py ('' when it sets none)."""
    return str(load_config(course).CourseDirectory.get("course_id", ""))


@contextlib.contextmanager
def open_gradebook(course, url=None):
    """nbgrader's Gradebook of ``course`` (or of the database at ``url``, with the course's id), closed on exit."""
    from nbgrader.api import Gradebook

    gradebook = Gradebook(url or course.db_url, course_id(course))
    try:
        yield gradebook
    finally:
        gradebook.close()


def quiet_nbgrader(level=logging.WARNING):
    """Keep nbgrader's INFO chatter out of the terminal (results are reported by the pipeline)."""
    for name in ("traitlets", "NbGraderAPI", "nbgrader", "sqlalchemy", "alembic"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
