"""nbgrader's exchange: one shared folder, with the permissions nbgrader's own exchange sets.

nbgrader (``exchange/default/release_assignment.py``) wants the root writable by everyone
(``rwxrwxrwx``) and creates, as the instructor, ``<root>/<course_id>/`` (0755) with ``outbound/``
(0755: everyone reads the release), ``inbound/`` (2733: everyone may drop a submission, nobody but
the instructor may list it; each submission's folder name ends in a random string) and
``feedback/`` (0711: a student fetches a file only by a name derived from their own submission's
secret). Two additions close holes a hostile student could use on a shared root:

- the root also gets the sticky bit (``1777``, like ``/tmp``): nobody renames or deletes what
  another user made there (nbgrader compares only the ``0777`` bits, so it accepts this);
- the course folder is created now, owned by the instructor, so no student can create it first
  and serve a release of their own.
"""

import os
import stat
from pathlib import Path

ROOT_MODE = 0o1777
COURSE_MODE = 0o755


def course_folder(root, course_id):
    return Path(root) / course_id


def check_exchange(root, course_id, instructor_uid, create):
    """Problems with the exchange at ``root`` (nothing is changed here)."""
    root = Path(root)
    if not root.exists():
        if create:
            return [] if _creatable(root) else [
                f"exchange root {root} (--exchange, c.Exchange.root) is missing and its parent is not writable "
                f"here: run as root, or create it with `mkdir -p {root} && chmod 1777 {root}`"]
        return [f"exchange root {root} (--exchange, c.Exchange.root) does not exist: create it with "
                f"`mkdir -p {root} && chmod 1777 {root}`, or pass --create-exchange"]
    if not root.is_dir():
        return [f"exchange root {root} (--exchange) is not a folder: pick another --exchange"]
    problems = []
    mode = root.stat().st_mode
    if mode & 0o777 != 0o777 or not mode & stat.S_ISVTX:
        problems.append(f"exchange root {root} (--exchange) has mode {stat.filemode(mode)} ({oct(mode & 0o7777)}); "
                        f"nbgrader needs every user to write there and the sticky bit keeps students from "
                        f"moving each other's folders: `chmod 1777 {root}`")
    course = course_folder(root, course_id)
    if course.exists():
        info = course.stat()
        if instructor_uid is not None and info.st_uid != instructor_uid:
            problems.append(f"exchange course folder {course} is owned by uid {info.st_uid}, not by the instructor "
                            f"(uid {instructor_uid}): anyone could have made it; check it, remove it "
                            f"(`rm -r {course}`) and run again")
        if info.st_mode & 0o022:
            problems.append(f"exchange course folder {course} has mode {stat.filemode(info.st_mode)}: others can "
                            f"write into it; `chmod 755 {course}`")
    return problems


def _creatable(root):
    parent = next((folder for folder in Path(root).parents if folder.exists()), Path("/"))
    return os.access(parent, os.W_OK | os.X_OK)


def create_exchange(root, course_id, instructor_uid, instructor_gid):
    """Make the root (1777) and the instructor's course folder (0755) when they are missing."""
    root = Path(root)
    if not root.exists():
        root.mkdir(parents=True)
        root.chmod(ROOT_MODE)  # mkdir's mode is cut by the umask
    course = course_folder(root, course_id)
    if not course.exists():
        course.mkdir()
        os.chown(course, instructor_uid, instructor_gid)
        course.chmod(COURSE_MODE)
    return course
