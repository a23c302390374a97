"""Where things live: the nbgrader course root, the lesson sources and the answer key.

The defaults follow the repository layout: ``course/`` holds ``nbgrader_config.py`` and the
build products, ``source_notebooks/`` and ``solutions/`` sit beside it.

The course's gradebook database is defined once, here: nbgrader's ``c.CourseDirectory.db_url`` in
the course's ``nbgrader_config.py`` (:attr:`Course.db_url`), nbgrader's default
``sqlite:///<root>/gradebook.db`` when the file does not set it. Every reader and writer of the
course gradebook (the kit and nbgrader alike) uses that URL; scratch courses (a worker's job,
``selfcheck``, the benchmark) get their own SQLite file instead (:func:`write_private_config`).
"""

import contextlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"
GRADEBOOK_FILE = "gradebook.db"  # nbgrader's default SQLite gradebook, in the course root
DB_URL_SETTING = "c.CourseDirectory.db_url"


class CourseError(RuntimeError):
    """The course folder is not in a state that lets the requested step run (with what to do)."""


class GradebookDatabaseError(CourseError):
    """The course's gradebook database (``c.CourseDirectory.db_url``) cannot be used; the message says the fix."""


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
    def db_url(self):
        """nbgrader's ``CourseDirectory.db_url`` of this course (read from its configuration on each use).

        nbgrader's default when the configuration sets none: ``sqlite:///<root>/gradebook.db``. A relative
        SQLite path is taken from the course root, where nbgrader's own commands are run."""
        from nbgrader.coursedir import CourseDirectory

        return anchored_db_url(CourseDirectory(config=load_config(self)).db_url, self.root)

    @property
    def gradebook_file(self):
        """The SQLite file holding the course gradebook; None when it lives on a database server."""
        return sqlite_file(self.db_url)

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
    coursedir.db_url = anchored_db_url(coursedir.db_url, course.root)  # what Course.db_url says
    return NbGraderAPI(coursedir=coursedir, config=config, log_level=log_level)


def course_id(course):
    """The course id from the course's nbgrader_config.py ('' when it sets none)."""
    return str(load_config(course).CourseDirectory.get("course_id", ""))


@contextlib.contextmanager
def open_gradebook(course, url=None):
    """nbgrader's Gradebook of ``course`` (or of the database at ``url``, with the course's id), closed on exit.

    A database that cannot be opened raises :class:`GradebookDatabaseError` naming the setting and the fix."""
    gradebook = connect_gradebook(url or course.db_url, course_id(course), course.config_file)
    try:
        yield gradebook
    finally:
        gradebook.close()


def check_database(course):
    """Open the course's gradebook database once (nbgrader creates its tables in a new one).

    Called before a command writes anything, so a database that cannot be used stops it with one
    message (:class:`GradebookDatabaseError`) before any grading starts."""
    from autograder.course.environment import put_tools_on_path

    put_tools_on_path()  # nbgrader runs `alembic` when it creates the tables of a new database
    with open_gradebook(course):
        pass


# the gradebook database -------------------------------------------------------------------
SQLITE_PREFIX = "sqlite:///"
POSTGRES_DRIVERS = "pip install 'mlp-course-kit[postgres]' (psycopg and psycopg2-binary)"
URL_FORMS = ("write it as postgresql://user:password@host:port/database or sqlite:////absolute/path/gradebook.db, "
             "or remove the line to use nbgrader's default (gradebook.db in the course root)")


def sqlite_url(path):
    """The URL of the SQLite file ``path`` (made absolute), written as nbgrader writes its default."""
    return SQLITE_PREFIX + os.path.abspath(path)


def sqlite_file(url):
    """The file (a Path) of a SQLite ``url``; None for a database server or an in-memory SQLite database."""
    if not url.startswith(SQLITE_PREFIX):
        return None
    path = url[len(SQLITE_PREFIX):].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


def anchored_db_url(url, root):
    """``url`` with a relative SQLite path taken from the course ``root``; any other URL unchanged."""
    path = sqlite_file(url)
    if path is None or path.is_absolute():
        return url
    return sqlite_url(Path(root) / path) + ("?" + url.split("?", 1)[1] if "?" in url else "")


def displayed_db_url(url):
    """``url`` with its password replaced by ``***``: the only form of a URL put in a message or a log."""
    shown = re.sub(r"^([a-z0-9+._-]+://[^/:@]*:)[^@/]*@", r"\1***@", url, flags=re.IGNORECASE)
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", shown)


def connect_gradebook(url, identifier, config_file):
    """nbgrader's ``Gradebook(url, identifier)``; :class:`GradebookDatabaseError` when it cannot be opened."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return Gradebook(url, identifier)
    except (ImportError, SQLAlchemyError) as error:
        problem, fix = database_diagnosis(url, error)
        raise GradebookDatabaseError(
            f"cannot use the course gradebook database {displayed_db_url(url)}: {_without_password(problem, url)}. "
            f"It is set by {DB_URL_SETTING} in {config_file} (when unset, nbgrader's SQLite file "
            f"{GRADEBOOK_FILE} in the course root). Fix: {fix}") from error


def database_diagnosis(url, error):
    """``(what is wrong, what to do)`` for ``error`` raised while opening the database at ``url``."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    if isinstance(error, ImportError):
        driver = getattr(error, "name", None) or str(error)
        fix = POSTGRES_DRIVERS if url.startswith("postgres") else f"install the Python package providing {driver}"
        return f"its database driver {driver!r} is not installed", fix
    if isinstance(error, NoSuchModuleError):
        return f"{url.split(':', 1)[0]!r} is not a kind of database SQLAlchemy knows", URL_FORMS
    if isinstance(error, ArgumentError):
        return "this is not a database URL", URL_FORMS
    if isinstance(error, OperationalError):
        return _server_diagnosis(url, _first_line(getattr(error, "orig", None) or error))
    return f"{type(error).__name__}: {_first_line(error)}", URL_FORMS


def _server_diagnosis(url, text):
    if sqlite_file(url) is not None:
        return (f"SQLite cannot open {sqlite_file(url)} ({text})",
                "make its folder exist and writable by the grader, or point the setting at another file")
    if "authentication failed" in text or "password" in text.lower():
        return (f"the server refused the user name or password ({text})",
                "put the right user and password into the URL")
    if "does not exist" in text:
        return f"the database server answered: {text}", "create the database (createdb) or fix its name in the URL"
    return (f"the database server cannot be reached ({text})",
            "start the server, or fix the host and port in the URL")


def _first_line(error):
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _without_password(text, url):
    """``text`` with the URL's password (if any) replaced by ``***``."""
    match = re.match(r"^[a-z0-9+._-]+://[^/:@]*:([^@/]*)@", url, flags=re.IGNORECASE)
    return text.replace(match.group(1), "***") if match and match.group(1) else text


def write_private_config(config_file, course):
    """Copy the course configuration ``config_file`` into the scratch ``course``, with a gradebook of its own.

    A scratch course (a worker's job, ``selfcheck``, the benchmark) must never reach the course's
    database, whatever ``c.CourseDirectory.db_url`` says: the copy ends with a line setting ``db_url``
    to the SQLite file ``gradebook.db`` in the scratch root, which the kit and plain nbgrader then use."""
    text = Path(config_file).read_text()
    course.config_file.write_text(
        text + "\n\n# a scratch course: its own SQLite gradebook, never the course's database\n"
        f"get_config().CourseDirectory.db_url = {sqlite_url(course.root / GRADEBOOK_FILE)!r}\n")
    return course.config_file


def quiet_nbgrader(level=logging.WARNING):
    """Keep nbgrader's INFO chatter out of the terminal (results are reported by the pipeline)."""
    for name in ("traitlets", "NbGraderAPI", "nbgrader", "sqlalchemy", "alembic"):
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
