"""Which folders a grading kernel must not see: decided here, once, for the course and the run.

The sandbox (:mod:`autograder.safety.sandbox`) replaces each of them by an empty read-only folder
(besides its own defaults: ``/home``, ``/root``, ``/tmp``). Two callers, one rule:

- ``grade`` (the parent) knows the course and the run: :func:`hidden_folders` with ``course`` and
  ``run_dir`` gives the course root, the lesson sources, the answer key, the run folder (every scratch
  course of every job is inside it) and the repository; the job carries that list to the worker,
  which puts it into ``GuardedExecute.hidden_paths``;
- ``GuardedExecute`` knows the gradebook of the notebook it executes: it calls :func:`hidden_folders`
  with its configured folders and ``gradebook_url``, which adds the folder of a SQLite gradebook (the
  course root of plain ``nbgrader autograde``, the scratch course in a worker).

A gradebook on a database server (``postgresql://...``) adds no folder. Its URL may hold a password:
only the grader's processes read it (workers grade into their scratch course's own SQLite file), and
no kernel's environment or resources receive it.
"""

from autograder.course.directory import sqlite_file
from autograder.course.environment import repository_root


def hidden_folders(course=None, run_dir=None, gradebook_url=None, configured=()):
    """Folders (strings, in a stable order, without duplicates) a grading kernel must not see.

    course: an :class:`autograder.course.directory.Course` (its root, lesson sources and answer key).
    run_dir: the folder of this grading run (scratch courses, templates, worker logs).
    gradebook_url: nbgrader's ``db_url``; a SQLite gradebook's folder is hidden, a server adds nothing.
    configured: folders named in the configuration (``GuardedExecute.hidden_paths``).
    """
    folders = list(configured)
    if course is not None:
        folders += [course.root, course.source_notebooks, course.solutions]
    if run_dir is not None:
        folders.append(run_dir)
    if course is not None or run_dir is not None:
        folders.append(repository_root())
    database_file = sqlite_file(gradebook_url) if gradebook_url else None
    if database_file is not None:
        folders.append(database_file.absolute().parent)
    unique = []
    for folder in map(str, folders):
        if folder not in unique:
            unique.append(folder)
    return unique
