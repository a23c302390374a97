"""Submission intake: what of a submitted folder is copied for grading, and which notebooks can be graded.

The submission under ``course/submitted`` is only ever read. Regular files are copied into the
job's scratch course within :class:`SubmissionLimits`; every file left out is named with the reason
(it goes into the grading result). A notebook the student renamed is graded under the expected
name when it is the only candidate; unreadable or invalid notebooks are named with their problem.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_FILE_BYTES = 100 * 1024 ** 2
DEFAULT_MAX_TOTAL_BYTES = 500 * 1024 ** 2
DEFAULT_MAX_FILES = 2000


@dataclass(frozen=True)
class SubmissionLimits:
    """What of one submission is copied for grading.

    max_file_bytes: larger files are not copied (``grade --max-file-mb``, default 100 MiB).
    max_total_bytes: files that would bring the copy above this are not copied (default 500 MiB).
    max_files: files past this count are not copied (default 2000).
    """

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES
    max_files: int = DEFAULT_MAX_FILES

    def __post_init__(self):
        for name in ("max_file_bytes", "max_total_bytes", "max_files"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"SubmissionLimits: {name} must be a whole number >= 1, got {value!r}")


def copy_submission(source, destination, limits=SubmissionLimits()):
    """Copy the regular files of a submission; returns what was skipped, one reason each.

    Symlinks and special files are skipped, and so are files larger than ``limits.max_file_bytes``,
    files past ``limits.max_files`` and files that would bring the copy above ``limits.max_total_bytes``.
    The source folder is only read.
    """
    max_file_bytes, max_total_bytes, max_files = limits.max_file_bytes, limits.max_total_bytes, limits.max_files
    destination.mkdir(parents=True, exist_ok=True)
    skipped = []
    copied_files = copied_bytes = 0
    for root, dirs, files in os.walk(source, followlinks=False):
        relative = Path(root).relative_to(source)
        dirs.sort()
        for name in list(dirs):
            if os.path.islink(os.path.join(root, name)) or name in (".ipynb_checkpoints", "__pycache__"):
                dirs.remove(name)
        for name in sorted(files):
            path = Path(root) / name
            shown = str(relative / name)
            if path.is_symlink() or not path.is_file():
                skipped.append(f"{shown} (not a regular file)")
                continue
            size = path.stat().st_size
            if size > max_file_bytes:
                skipped.append(f"{shown} ({size} bytes, more than the limit of {max_file_bytes} per file)")
                continue
            if copied_files >= max_files or copied_bytes + size > max_total_bytes:
                skipped.append(f"{shown} (the submission is over its limit of {max_files} files / "
                               f"{max_total_bytes} bytes)")
                continue
            target = destination / relative / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            copied_files += 1
            copied_bytes += size
    return skipped


def notebook_problem(path):
    """Why the file at ``path`` cannot be graded as a notebook, or None when it can."""
    import nbformat

    data = path.read_bytes()
    if not data.strip():
        return f"{path.name} is empty"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"{path.name} is not UTF-8 text (byte {error.start}: {data[error.start:error.start + 1]!r})"
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # noqa: BLE001 -- every failure to read becomes a reason
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"{path.name} is not a valid notebook ({type(error).__name__}: {message[:200]})"
    return None


def adopt_renamed_notebook(folder, expected):
    """When exactly one expected notebook is missing and exactly one other notebook is present, give it
    the expected name (a student who renamed ``fixture.ipynb`` to ``fixture-Copy1.ipynb``). Returns a note."""
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    missing = [name for name in expected if name not in present]
    extra = [name for name in present if name not in expected]
    if len(missing) == 1 and len(extra) == 1:
        (folder / extra[0]).rename(folder / missing[0])
        return f"{extra[0]} was graded as {missing[0]} (the notebook was renamed)"
    return None


def unreadable_notebooks(folder, expected):
    """Reasons why notebooks of the submission cannot be graded (unreadable or invalid files)."""
    reasons = []
    present = sorted(p.name for p in folder.glob("*.ipynb"))
    if not set(expected) & set(present):
        reasons.append("the submission holds none of the assignment's notebooks (expected {}, found {})".format(
            ", ".join(expected), ", ".join(present) or "no notebook"))
    for name in sorted(set(expected) & set(present)):
        problem = notebook_problem(folder / name)
        if problem:
            reasons.append(problem)
    return reasons
