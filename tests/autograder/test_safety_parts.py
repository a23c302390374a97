"""The parts of grading safety on their own: sandbox command, resource limits, copy caps, input checks, review."""

import subprocess
import sys

import nbformat
import pytest

from autograder.review import review_flags
from autograder.sandbox import ResourceLimits, SandboxPolicy
from autograder.worker import adopt_renamed_notebook, copy_submission, notebook_problem


def test_the_bwrap_command_hides_secrets_and_mounts_back_only_what_the_kernel_needs(tmp_path):
    course, work, home = tmp_path / "course", tmp_path / "course" / "work", tmp_path / "home"
    for folder in (course, work, home):
        folder.mkdir(parents=True, exist_ok=True)
    policy = SandboxPolicy(mode="bwrap", writable=[str(home)], hidden=[str(course)], readable=[])
    arguments = policy.bwrap_arguments(str(work))
    pairs = [(arguments[i], arguments[i + 1]) for i in range(len(arguments) - 1)]
    # only the operating system's folders are mounted, never the whole file system
    assert ("--ro-bind", "/") not in pairs
    assert ("--ro-bind", "/usr") in pairs or ("--symlink", "usr/bin") in pairs
    assert not any(kind in ("--ro-bind", "--bind") and path in ("/work", "/opt", "/home", "/root")
                   for kind, path in pairs)
    assert ("--tmpfs", str(course)) in pairs and ("--tmpfs", "/tmp") in pairs
    assert ("--bind", str(work)) in pairs and ("--bind", str(home)) in pairs
    # a writable folder inside a hidden one is mounted after the folder that hides it
    assert arguments.index(str(course)) < arguments.index(str(work))
    assert arguments[-2:] == ["--chdir", str(work)]
    assert "--unshare-pid" in arguments and "--die-with-parent" in arguments


def test_a_policy_with_sandbox_none_only_adds_the_limits_launcher():
    command = SandboxPolicy(mode="none", limits=ResourceLimits(cpu_seconds=7)).wrap(["python", "-V"], "/")
    assert command[:3] == [sys.executable, "-m", "autograder.sandbox_kernel"]
    assert command[command.index("--cpu-seconds") + 1] == "7"
    assert command[-3:] == ["--", "python", "-V"]


def test_an_unknown_sandbox_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of auto, bwrap, none, got 'docker'"):
        SandboxPolicy(mode="docker")


def test_the_launcher_sets_the_limits_before_running_the_command():
    probe = ("import resource; print(resource.getrlimit(resource.RLIMIT_CPU)[0], "
             "resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_FSIZE)[0])")
    completed = subprocess.run([sys.executable, "-m", "autograder.sandbox_kernel", "--cpu-seconds", "60",
                                "--memory-bytes", str(2 * 1024 ** 3), "--file-size-bytes", "1048576", "--",
                                sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert completed.stdout.split() == ["60", str(2 * 1024 ** 3), "1048576"]


def test_copy_submission_skips_large_files_and_symlinks_with_a_reason(tmp_path):
    source = tmp_path / "submitted"
    source.mkdir()
    (source / "fixture.ipynb").write_text("{}")
    (source / "big.bin").write_bytes(b"0" * 2048)
    (source / "link").symlink_to(source / "fixture.ipynb")
    skipped = copy_submission(source, tmp_path / "copy", max_file_bytes=1024)
    assert sorted((tmp_path / "copy").iterdir()) == [tmp_path / "copy" / "fixture.ipynb"]
    assert skipped == ["big.bin (2048 bytes, more than the limit of 1024 per file)", "link (not a regular file)"]


@pytest.mark.parametrize("content, reason", [
    (b"", "fixture.ipynb is empty"),
    (b'{"cells": [', "fixture.ipynb is not a valid notebook (NotJSONError"),
    (b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, "x": "\xff"}',
     "fixture.ipynb is not UTF-8 text (byte 72: b'\\xff')"),
    (b'{"cells": [], "metadata": {}, "nbformat": 99, "nbformat_minor": 0}', "fixture.ipynb is not a valid notebook"),
])
def test_notebook_problem_names_the_file_and_the_problem(tmp_path, content, reason):
    path = tmp_path / "fixture.ipynb"
    path.write_bytes(content)
    assert notebook_problem(path).startswith(reason)


def test_a_valid_notebook_has_no_problem(tmp_path):
    path = tmp_path / "fixture.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), str(path))
    assert notebook_problem(path) is None


def test_a_single_renamed_notebook_is_adopted_but_not_when_it_is_ambiguous(tmp_path):
    (tmp_path / "fixture-Copy1.ipynb").write_text("{}")
    assert adopt_renamed_notebook(tmp_path, ["fixture.ipynb"]) == (
        "fixture-Copy1.ipynb was graded as fixture.ipynb (the notebook was renamed)")
    assert (tmp_path / "fixture.ipynb").is_file()
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.ipynb").write_text("{}")
    assert adopt_renamed_notebook(tmp_path, ["fixture.ipynb", "other.ipynb"]) is None


def test_review_flags_kernel_tricks_in_student_cells_only():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("get_ipython().set_custom_exc((Exception,), handler)"),
        nbformat.v4.new_code_cell("np.allclose = lambda *a, **k: True"),
        nbformat.v4.new_code_cell("def sigmoid(x):\n    return 1 / (1 + np.exp(-x))"),
    ])
    locked = nbformat.v4.new_code_cell("import sys\nsys.modules")
    locked.metadata["nbgrader"] = {"grade_id": "imports", "locked": True, "grade": False, "solution": False}
    notebook.cells.append(locked)
    flags = review_flags(notebook, "fixture.ipynb")
    assert [flag.split(":")[0] for flag in flags] == ["fixture.ipynb cell 0", "fixture.ipynb cell 1"]
    assert "custom exception handler" in flags[0] and "attributes of NumPy" in flags[1]
