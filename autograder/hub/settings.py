"""Who takes part in a hub course and where its pieces live.

The instructor and the students are local unix users. They are named on the command line
(``--instructor NAME --students a,b,c``) or in a roster file (``--roster FILE``: one name a line,
``instructor NAME`` on one line, ``#`` comments), so a server whose accounts already exist (LDAP,
``adduser`` by hand) uses them as they are.
"""

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course.directory import CourseError

DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
DEFAULT_STATE = Path("/srv/mlp-course-hub")
# What useradd accepts on Debian (NAME_REGEX of adduser), shorter than utmp's 32 characters.
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,30}$")
COURSE_ID_SETTING = re.compile(r"""^\s*c\.CourseDirectory\.course_id\s*=\s*["']([^"']+)["']""", re.MULTILINE)


class HubSetupError(CourseError):
    """A setting that keeps the hub from starting: the message names the setting and the fix."""


@dataclass(frozen=True)
class HubSettings:
    """One hub course.

    instructor: unix user who owns the course directory and runs the Formgrader.
    students: unix users who fetch and submit.
    exchange: nbgrader's exchange root (``c.Exchange.root``), shared by every user.
    state: root-only folder of the hub (database, cookie secret, generated configuration).
    course_dir: the instructor's nbgrader course root (default ``~instructor/course``).
    python: interpreter of the environment every single-user server and kernel runs.
    ip, port: where students connect; hub_port, proxy_api_port: the hub's and the proxy's own
    ports (on ``ip`` too).
    create_users / create_exchange: create what is missing instead of refusing.
    """

    instructor: str
    students: tuple = ()
    exchange: Path = DEFAULT_EXCHANGE
    state: Path = DEFAULT_STATE
    course_dir: Path | None = None
    python: Path = field(default_factory=lambda: Path(sys.executable))
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    proxy_api_port: int = 8001
    create_users: bool = True
    create_exchange: bool = False

    @property
    def users(self):
        """Every user of the course, instructor first."""
        return (self.instructor, *self.students)

    def course_root(self, home_of):
        """The instructor's course root; ``home_of(user)`` gives a user's home folder."""
        return Path(self.course_dir) if self.course_dir else Path(home_of(self.instructor)) / "course"

    def __repr__(self):
        return (f"HubSettings(instructor={self.instructor!r}, students={len(self.students)}, "
                f"exchange={str(self.exchange)!r}, http://{self.ip}:{self.port})")


def check_names(settings):
    """Problems with the user names: invalid, repeated, or the instructor also a student."""
    problems = [f"user name {name!r} is not a valid unix name (lower-case letters, digits, '_' and '-', "
                f"starting with a letter or '_', at most 31 characters): fix --instructor/--students or the roster"
                for name in settings.users if not USER_NAME.match(name)]
    repeated = sorted({name for name in settings.students if settings.students.count(name) > 1})
    if repeated:
        problems.append(f"--students names {', '.join(repeated)} more than once")
    if settings.instructor in settings.students:
        problems.append(f"{settings.instructor!r} is both the instructor and a student: a student must not see "
                        "the course directory; pick another --instructor")
    if not settings.students:
        problems.append("no students: pass --students a,b,c or a --roster file")
    return problems


def read_roster(path):
    """``(instructor or None, [students])`` from a roster file (one name a line, ``instructor NAME``)."""
    path = Path(path)
    if not path.is_file():
        raise HubSetupError(f"--roster {path}: no such file (one student name a line, 'instructor NAME' once)")
    instructor, students = None, []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "instructor" and len(words) == 2:
            instructor = words[1]
        elif len(words) == 1:
            students.append(words[0])
        else:
            raise HubSetupError(f"--roster {path}, line {number}: expected one name or 'instructor NAME', "
                                f"got {line.strip()!r}")
    return instructor, students


def course_id_of(config_file):
    """The ``c.CourseDirectory.course_id`` set in a course's ``nbgrader_config.py``."""
    config_file = Path(config_file)
    found = COURSE_ID_SETTING.search(config_file.read_text()) if config_file.is_file() else None
    if not found:
        raise HubSetupError(f"{config_file}: no c.CourseDirectory.course_id = '...' line; the exchange keeps "
                            "each course under its id, so set one")
    return found.group(1)
