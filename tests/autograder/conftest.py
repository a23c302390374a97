"""Shared helpers of the autograder tests: a scratch course built from the fixture lesson.

The fixture lesson (``fixtures/source_notebooks/00_fixture``) has two autograded exercises
(test cells worth 2 and 1 points, each with hidden tests whose variables are named
``hidden_canary_*``), one manually graded written answer (1 point) and a catalogue.
"""

import shutil
from pathlib import Path

import pytest

from autograder.course.directory import Course
from autograder.course.environment import put_tools_on_path

HERE = Path(__file__).resolve().parent
FIXTURE_SOURCES = HERE / "fixtures" / "source_notebooks"
REPOSITORY = HERE.parent.parent
COURSE_CONFIG = REPOSITORY / "course" / "nbgrader_config.py"
ASSIGNMENT = "00_fixture"
NOTEBOOK = "fixture.ipynb"
AUTOGRADED_MAX = 3.0  # test_sigmoid (2) + test_mse (1)


def new_course(root, sources=FIXTURE_SOURCES):
    """An unbuilt course at ``root/course`` with the kit's nbgrader_config.py and its own sources copy."""
    put_tools_on_path()
    root = Path(root)
    shutil.copytree(sources, root / "source_notebooks")
    course = Course.at(root / "course", root / "source_notebooks", root / "solutions")
    course.root.mkdir(parents=True)
    shutil.copyfile(COURSE_CONFIG, course.config_file)
    return course


@pytest.fixture
def course(tmp_path):
    return new_course(tmp_path)


@pytest.fixture(scope="module")
def built_course(tmp_path_factory):
    """A course with the fixture assignment built (release and gradebook, no answer key)."""
    from autograder.commands.build import build

    course = new_course(tmp_path_factory.mktemp("built"))
    build(course, solutions=False, log=None)
    return course


def copy_course(course, root):
    """A copy of a course folder (config, gradebook, source, release, submissions) under ``root``."""
    shutil.copytree(course.root, Path(root) / "course")
    return Course.at(Path(root) / "course", course.source_notebooks, Path(root) / "solutions")
