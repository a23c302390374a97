"""Budgets: memory, disk, messages and output that a limit must bind, and broken output.

The grading run limits files to 20 MB each (``GuardedExecute.file_size_bytes``), the kernel's
address space to 4 GiB and output to 2 MB per cell; these cases stay under every per-process
limit and go over the totals: 1 GB in the sandbox's in-memory ``/tmp``, four children of 1 GB
each, 1 GB and 30,000 files in the working folder, 400 MB of widget comm messages, a display
updated to 60 MB. Each prints what it managed. The secure outcome: a budget stops it (the run
goes on and the notebook keeps its points), and a whitespace-only line on stderr in a test cell
stops neither feedback nor grades.csv.

Every hostile cell comes after the last test cell, so it cannot change a score; the files a case
writes to ``/tmp`` are removed by the case itself (without the sandbox that is the machine's).
"""

import os
import re

from autograder.safety.sandbox_support import cgroup_parent

from .cases import ANY_REASON, NOTEBOOK, Case, Expected, answer
from .kit import Outcome, with_cell_after

GIGABYTE_MB = 1024

TMP_FILL = r'''
import os
import shutil

folder = "/tmp/fill-%(token)s"
written = 0
try:
    os.makedirs(folder, exist_ok=True)
    chunk = b"\1" * (1024 ** 2)
    while written < 1024:
        with open(os.path.join(folder, f"part-{written}"), "wb") as handle:
            for _ in range(16):
                handle.write(chunk)
        written += 16
except OSError as error:
    print("tmp_fill refused:", error.strerror)
finally:
    shutil.rmtree(folder, ignore_errors=True)
print(f"tmp_fill: written_mb={written} finished=1")
'''

CHILDREN = r'''
import os
import sys
import time

readers = []
for _ in range(4):
    read_end, write_end = os.pipe()
    if os.fork() == 0:
        os.close(read_end)
        try:
            hog = b"\1" * (1024 ** 3)
            os.write(write_end, b"1")
            time.sleep(3.0)
        except MemoryError:
            os.write(write_end, b"0")
        os._exit(0)
    os.close(write_end)
    readers.append(read_end)
held = 0
for reader in readers:  # printed as it goes: a cell stopped at its timeout still says how far it got
    held += os.read(reader, 1) == b"1"
    print(f"children: holding_1gb={held}", flush=True)
for _ in readers:
    os.wait()
print(f"children: holding_1gb={held} finished=1")
'''


DISK_FILL = r'''
import os

written = 0
try:
    os.makedirs("fill", exist_ok=True)
    chunk = b"\1" * (1024 ** 2)
    while written < 1024:
        with open(os.path.join("fill", f"part-{written}"), "wb") as handle:
            for _ in range(16):
                handle.write(chunk)
        written += 16
except OSError as error:
    print("disk_fill refused:", error.strerror)
print(f"disk_fill: written_mb={written} finished=1")
'''

MANY_FILES = r'''
import os

created = 0
try:
    os.makedirs("many", exist_ok=True)
    for index in range(30_000):
        open(os.path.join("many", str(index)), "w").close()
        created += 1
except OSError as error:
    print("many_files refused:", error.strerror)
print(f"many_files: created={created} finished=1")
'''

COMM_FLOOD = r'''
from ipykernel.comm import Comm

value = "x" * (2 * 1024 ** 2)
for index in range(200):
    Comm(target_name="jupyter.widget", data={"state": {
        "_model_name": "HTMLModel", "_model_module": "@jupyter-widgets/controls", "_model_module_version": "2.0.0",
        "value": value + str(index)}, "buffer_paths": []})
print("comm_flood: sent_mb=400")
'''

DISPLAY_GROWTH_FIRST = '''
from IPython.display import display

handle = display("a small output", display_id=True)
'''
DISPLAY_GROWTH_SECOND = '''
handle.update("y" * 60_000_000)
print("display_growth: updated_mb=60")
'''


def _after_tests(kit, code):
    return {NOTEBOOK: with_cell_after(kit.source, "test_mse", code)}


def tmpfs_tmp_filled(kit):
    return _after_tests(kit, TMP_FILL % {"token": kit.token})


def memory_four_children(kit):
    return _after_tests(kit, CHILDREN)


def disk_one_gigabyte(kit):
    return _after_tests(kit, DISK_FILL)


def disk_thirty_thousand_files(kit):
    return _after_tests(kit, MANY_FILES)


def comm_message_flood(kit):
    return _after_tests(kit, COMM_FLOOD)


def display_update_growth(kit):
    notebook = with_cell_after(kit.source, "test_mse", DISPLAY_GROWTH_SECOND)
    notebook = with_cell_after(notebook, "test_mse", DISPLAY_GROWTH_FIRST)
    return {NOTEBOOK: notebook}


def whitespace_stderr_in_test(kit):
    code = '''
import sys
import numpy as np


def sigmoid(x):
    sys.stderr.write("   \\n")
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))
'''
    return {NOTEBOOK: answer(kit.source, "sigmoid_answer", code)}


def _bounded(key, limit):
    """The case's cell ran to its end (``finished=1``: refused or done, not cut by a timeout) below ``limit``."""
    def check(outcome: Outcome):
        text = outcome.outputs_text()
        found = re.findall(re.escape(key) + r"=(\d+) finished=1", text)
        assert found, f"the {key} probe did not finish (no budget answered before the cell timeout): {text[-200:]}"
        assert int(found[-1]) < limit, f"{key}={found[-1]}: no budget stopped it (limit {limit})"
    return check


def _ran(key):
    """The case's probe ran (grading went on around it), whatever it managed: where no limit can bind on
    this machine (an inode count on bwrap 0.8, memory over several processes without cgroup v2) the files
    and memory live in the kernel's in-memory folders and go away with it, the cell may run into its
    timeout, and the sandbox's own tests show that nothing reaches the host disk."""
    def check(outcome: Outcome):
        text = outcome.outputs_text()
        assert re.search(re.escape(key) + r"=\d+", text), f"the {key} probe did not run: {text[-200:]}"
    return check


CGROUP_V2 = cgroup_parent()[0] is not None


def check_notebook_size(outcome: Outcome):
    size = outcome.autograded().stat().st_size
    assert size < 10 * 1024 ** 2, f"the autograded notebook holds {size / 1024 ** 2:.0f} MB"
    assert len(outcome.feedback_html()) < 10 * 1024 ** 2


def check_worker_memory(outcome: Outcome):
    peak, baseline = outcome.graded["worker_peak_rss"], outcome.graded["alone_worker_peak_rss"]
    assert peak < baseline + 400 * 1024 ** 2, (
        f"a worker grew to {peak / 1024 ** 2:.0f} MB (honest-only run: {baseline / 1024 ** 2:.0f} MB)")
    check_notebook_size(outcome)


def check_feedback_and_csv(outcome: Outcome):
    assert [page.name for page in outcome.feedback_pages()] == [NOTEBOOK.replace(".ipynb", ".html")]
    assert "Test results" in outcome.feedback_html()
    assert any(outcome.student in line for line in outcome.grades_csv().splitlines()), "no row in grades.csv"


STOPPED_AFTER_THE_TESTS = Expected("graded", 3.0, phrase=ANY_REASON)  # a budget may end the kernel there

CASES = [
    Case("tmpfs_tmp_filled", "writes 1 GB into /tmp (the sandbox's in-memory folder) in files of 16 MB",
         tmpfs_tmp_filled, STOPPED_AFTER_THE_TESTS, takes_kit=True, needs_sandbox=True,
         check=_bounded("written_mb", GIGABYTE_MB)),
    Case("memory_four_children", "four children hold 1 GB each (every one under the 4 GiB address-space limit)",
         memory_four_children, STOPPED_AFTER_THE_TESTS, takes_kit=True,
         # without cgroup v2 nothing here can bound memory across processes (README, "What is not protected"):
         # the case then only shows that grading goes on (the generic tests check that)
         check=_bounded("holding_1gb", 4) if CGROUP_V2 else None),
    Case("disk_one_gigabyte", "writes 1 GB into its working folder in files of 16 MB (under the 20 MB file limit)",
         disk_one_gigabyte, STOPPED_AFTER_THE_TESTS, takes_kit=True, needs_sandbox=True,
         check=_bounded("written_mb", GIGABYTE_MB)),
    Case("disk_thirty_thousand_files", "creates 30,000 files in its working folder (in memory: no inode limit)",
         disk_thirty_thousand_files, STOPPED_AFTER_THE_TESTS, takes_kit=True, needs_sandbox=True,
         check=_ran("created")),
    Case("comm_message_flood", "opens 200 widget comms of 2 MB each (400 MB of messages the worker keeps)",
         comm_message_flood, STOPPED_AFTER_THE_TESTS, takes_kit=True,
         check=check_worker_memory),
    Case("display_update_growth", "update_display_data grows one output to 60 MB (the cap counts only new outputs)",
         display_update_growth, STOPPED_AFTER_THE_TESTS, takes_kit=True,
         check=check_notebook_size),
    Case("whitespace_stderr_in_test", "the sigmoid writes a whitespace-only line to stderr while the test runs",
         whitespace_stderr_in_test, Expected("graded", None), takes_kit=True, check=check_feedback_and_csv),
]

if os.environ.get("AUTOGRADER_ADVERSARIAL_LIGHT"):  # machines with little memory: skip the GB-sized cases
    CASES = [case for case in CASES if case.name not in ("tmpfs_tmp_filled", "memory_four_children")]
