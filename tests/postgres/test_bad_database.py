"""A ``db_url`` the kit cannot use stops each command before anything is written, with one clear message.

The message names the setting (``c.CourseDirectory.db_url`` in the course's nbgrader_config.py) and
the fix, never the password; no scratch run is started and the course is left as it was.
"""

import importlib.util

import pytest

from autograder.course.directory import anchored_db_url, displayed_db_url

from ..autograder.conftest import copy_course, new_course
from ..autograder.helpers import tree_digest
from .course_on_postgres import submit_class, use_database
from .server import PASSWORD, free_port

pytestmark = [pytest.mark.xdist_group("postgres"), pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from autograder.commands.build import build

    course = new_course(tmp_path_factory.mktemp("built"))
    build(course, solutions=False, log=None)
    submit_class(course)
    return course


def _refused(course, tmp_path, command, expected, monkeypatch, capsys):
    """Run ``python -m autograder COMMAND`` (in this process) on ``course``; check the refusal and that
    nothing was started or written."""
    import tempfile

    from autograder.commands.cli import main

    before = tree_digest(course.root)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where a run folder would be made
    code = main([command[0], "--course", str(course.root), "--source-notebooks", str(course.source_notebooks),
                 *command[1:]])
    captured = capsys.readouterr()
    message = captured.err
    assert code == 2, captured.out + captured.err
    assert "c.CourseDirectory.db_url" in message and str(course.config_file) in message, message
    assert expected in message, message
    assert "Fix:" in message and PASSWORD not in message + captured.out
    assert list(scratch.iterdir()) == []  # no run folder, no scratch course
    assert tree_digest(course.root) == before  # nothing written in the course
    assert not course.autograded_dir().exists()
    return message


BAD_URLS = {
    "unknown scheme": (lambda server, db: f"nosuchdb://kit:{PASSWORD}@127.0.0.1/{db}", "is not a kind of database"),
    "missing driver": (lambda server, db: server.url(db).replace("postgresql://", "postgresql+pg8000://"),
                       "driver 'pg8000' is not installed"),
    "wrong password": (lambda server, db: server.url(db, password="not-the-password"),
                       "refused the user name or password"),
    "unreachable": (lambda server, db: server.url(db, port=free_port()), "cannot be reached"),
    "no such database": (lambda server, db: server.url("no_such_database"), "create the database"),
}


@pytest.mark.parametrize("case", sorted(BAD_URLS))
def test_grade_refuses_a_database_it_cannot_use_before_grading(case, built, tmp_path, postgres_server,
                                                              postgres_database, monkeypatch, capsys):
    if case == "missing driver" and importlib.util.find_spec("pg8000"):
        pytest.skip("pg8000 is installed here")
    make_url, expected = BAD_URLS[case]
    course = copy_course(built, tmp_path / "copy")
    use_database(course, make_url(postgres_server, postgres_database.rsplit("/", 1)[1]))
    _refused(course, tmp_path, ["grade", "--no-progress"], expected, monkeypatch, capsys)


@pytest.mark.parametrize("command", [["build", "--no-solutions"], ["feedback"], ["export"], ["report", "--no-figure"]])
def test_every_command_refuses_a_wrong_password(command, built, tmp_path, postgres_server, postgres_database,
                                                monkeypatch, capsys):
    course = copy_course(built, tmp_path / "copy")
    use_database(course, postgres_server.url(postgres_database.rsplit("/", 1)[1], password="not-the-password"))
    _refused(course, tmp_path, command, "refused the user name or password", monkeypatch, capsys)


def test_messages_show_a_url_without_its_password():
    assert displayed_db_url("postgresql://kit:pw@db.example:5432/grades") == "postgresql://kit:***@db.example:5432/grades"
    assert displayed_db_url("postgresql://db/grades?user=kit&password=pw") == "postgresql://db/grades?user=kit&password=***"
    assert displayed_db_url("sqlite:////srv/course/gradebook.db") == "sqlite:////srv/course/gradebook.db"


def test_a_relative_sqlite_path_is_taken_from_the_course_root(tmp_path):
    assert anchored_db_url("sqlite:///grades/gradebook.db", tmp_path) == f"sqlite:///{tmp_path}/grades/gradebook.db"
    assert anchored_db_url("sqlite:////abs/gradebook.db", tmp_path) == "sqlite:////abs/gradebook.db"
    assert anchored_db_url("postgresql://kit@db/grades", tmp_path) == "postgresql://kit@db/grades"
