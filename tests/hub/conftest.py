"""A real course on a real JupyterHub: throwaway unix users, a private exchange, the hub on free ports.

Everything here is marked ``hub`` (``make test-hub``; ``make test`` leaves it out) and needs root
(users are created with ``useradd``, servers are started as them), the proxy
(``npm ci --prefix autograder/hub/proxy``) and an environment other users can run: ``$HUB_PYTHON``,
else the kit's home ``$HUB_HOME/venv/bin/python`` (``/opt/nn-course-kit``; ``make test-hub`` makes
or refreshes it from this checkout, :mod:`autograder.hub.kit_home`), else this interpreter. Without
one of them every test here is skipped with what is missing. The hub's course is built from the
lessons of that environment's kit, which must hold this checkout's files, else the tests fail
(``make hub-env``): what is tested is what the instructor would grade with.

The users are ``<prefix>-teach`` and ``<prefix>-s1`` ... with a random prefix; they, their homes,
the exchange and the hub's state are removed at the end. They log in through PAM, JupyterHub's
default authenticator, with passwords set by ``chpasswd`` for the session: no test-only authenticator.
"""

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.hub import kit_home, proxy
from autograder.hub.environment import PythonEnvironment, check_environment
from autograder.hub.server import LESSONS
from autograder.hub.settings import HubSettings

REPOSITORY = Path(__file__).resolve().parents[2]
STUDENT_COUNT = 5  # s1 right after a wrong first try, s2 wrong, s3 late, s4 never, s5 in the browser
PASSWORD = "Course-" + secrets.token_hex(8)


def hub_python():
    chosen = os.environ.get("HUB_PYTHON")
    if chosen:
        return Path(chosen)
    shared = kit_home.python_of(os.environ.get("HUB_HOME") or kit_home.DEFAULT_HOME)
    return shared if shared.is_file() else Path(sys.executable)


_ENVIRONMENT = []


def hub_environment():
    """The :class:`PythonEnvironment` of :func:`hub_python` (probed once)."""
    if not _ENVIRONMENT:
        _ENVIRONMENT.append(PythonEnvironment.of(hub_python()))
    return _ENVIRONMENT[0]


def kit():
    """The kit the hub's users run (its home's copy): its course template and lessons."""
    return hub_environment().kit


def stale_kit():
    """Why the environment's kit is not this checkout (None when it holds the same files)."""
    if kit() == REPOSITORY:
        return None
    changed = kit_home.differences(REPOSITORY, kit())
    if changed:
        return (f"the hub's kit {kit()} is not this checkout ({len(changed)} file(s) differ: "
                f"{', '.join(changed[:5])}): run `make hub-env` (as root) or set HUB_PYTHON")
    return None


def missing_for_hub():
    """Why the hub tests cannot run here (None when they can)."""
    if os.geteuid() != 0:
        return "the hub tests create unix users and start servers as them: run them as root (make test-hub)"
    if shutil.which("useradd") is None or shutil.which("runuser") is None:
        return "the hub tests need useradd and runuser (Debian package passwd / util-linux)"
    problems = proxy.check_proxy()
    if problems:
        return problems[0]
    try:
        problems = check_environment(hub_environment())
    except Exception as error:  # noqa: BLE001 (any failure to run it is the reason to skip)
        problems = [str(error)]
    return problems[0] + " (or set HUB_PYTHON)" if problems else None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = None
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.hub)
            reason = reason or missing_for_hub() or ""
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for probe in sockets:
        probe.bind(("127.0.0.1", 0))
    ports = [probe.getsockname()[1] for probe in sockets]
    for probe in sockets:
        probe.close()
    return ports


class RunningHub:
    """The session's hub: its settings, plan, URL, the users' passwords and what was measured."""

    def __init__(self, settings, plan, process, start_seconds):
        self.settings, self.plan, self.process = settings, plan, process
        self.url, self.start_seconds = process.url, start_seconds
        self.password = PASSWORD
        self.measured = {"hub start (s)": round(start_seconds, 1)}

    @property
    def state(self):
        return self.settings.state

    @property
    def course_root(self):
        return self.plan.course_root

    def student(self, number):
        return self.settings.students[number - 1]


@pytest.fixture(scope="session")
def hub():
    from autograder.hub.server import HubProcess, make_plan, set_up
    from autograder.hub.users import remove_users
    from tests.hub.accounts import set_password

    prefix = "h" + secrets.token_hex(3)
    base = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    base.chmod(0o755)  # the exchange inside must be reachable by every user
    port, hub_port, api_port = free_ports(3)
    settings = HubSettings(instructor=f"{prefix}-teach",
                           students=tuple(f"{prefix}-s{n}" for n in range(1, STUDENT_COUNT + 1)),
                           exchange=base / "exchange", state=base / "state", python=hub_python(),
                           port=port, hub_port=hub_port, proxy_api_port=api_port, create_exchange=True)
    stale = stale_kit()
    if stale:
        pytest.fail(stale)
    plan = make_plan(settings, kit() / "course")
    process = None
    try:
        plan.refuse_if_wrong()
        config = set_up(plan)
        assert kit_home.differences(REPOSITORY, plan.course_root, under=LESSONS) == [], \
            "the instructor's lessons are not this checkout's"
        for name in settings.users:
            set_password(name, PASSWORD)
        process = HubProcess(plan, config)
        running = RunningHub(settings, plan, process, process.start())
        yield running
        print("\nmeasured: " + ", ".join(f"{key} {value}" for key, value in running.measured.items()))
    finally:
        if process is not None:
            process.stop()
        wait_for_no_processes(settings.users)
        remove_users(settings.users)
        shutil.rmtree(base, ignore_errors=True)


def wait_for_no_processes(names, timeout=60):
    """Wait until the hub has stopped every server of ``names`` (userdel refuses users with processes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [name for name in names
                if subprocess.run(["pgrep", "-u", name], capture_output=True).returncode == 0]
        if not busy:
            return
        time.sleep(1)


ASSIGNMENT = "01_perceptron"


def lessons(hub):
    """The lessons the instructor builds and grades with: the kit's, copied into their course directory."""
    return hub.course_root / LESSONS


@pytest.fixture(scope="session")
def released(hub):
    """The instructor built lesson 1 in their course directory and released it to the exchange."""
    from tests.hub.accounts import as_user

    python = str(hub.settings.python)
    started = time.monotonic()
    as_user(hub.settings.instructor, [python, "-m", "autograder", "build", ASSIGNMENT, "--course", hub.course_root,
                                      "--source-notebooks", lessons(hub), "--no-solutions"],
            role="instructor", state=hub.state)
    as_user(hub.settings.instructor, [hub.plan.environment.program("nbgrader"), "release_assignment", ASSIGNMENT],
            role="instructor", state=hub.state, cwd=hub.course_root)
    hub.measured["build + release (s)"] = round(time.monotonic() - started, 1)
    return hub


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium (Debian's, as in tests/browser/); each user gets their own context (cookies)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the browser parts need the playwright package: pip install -e '.[test]'")
    from tests.browser.conftest import CHROMIUM_FLAGS, chromium_path

    if chromium_path() is None:
        pytest.skip("the browser parts need Chromium: apt-get install chromium (or set CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artefacts():
    from tests.browser.conftest import ARTEFACTS

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


@pytest.fixture(scope="session")
def round_trip(released, chromium, artefacts):
    """The course after its round trip (:mod:`tests.hub.round_trip`): graded, feedback fetched."""
    from tests.hub.round_trip import run_round_trip

    return run_round_trip(released, chromium, artefacts)
