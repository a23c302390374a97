"""JupyterLab in a real browser: a scratch course, a JupyterLab server and a headless Chromium.

The suite needs Debian's Chromium (``/usr/bin/chromium``, or the path in ``$CHROMIUM``) and the
``playwright`` Python package (the ``test`` extra). Without Chromium every test here is skipped
with a message saying what to install; ``.ci/run`` installs it so that CI runs the suite.

One course is built per test session (release, source and gradebook of all five lessons); one
JupyterLab server serves it on a free localhost port with a random token and a private Jupyter
configuration, so the user's own settings and extensions cannot change what the tests see.
Screenshots go to ``test-artefacts/browser/``.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder.course.directory import Course
from autograder.course.environment import put_tools_on_path
from tests.browser.lab import shut_down_kernels

REPOSITORY = Path(__file__).resolve().parent.parent.parent
ASSIGNMENTS = sorted(path.name for path in (REPOSITORY / "source_notebooks").iterdir()
                     if path.is_dir() and any(path.glob("*.ipynb")))
ARTEFACTS = REPOSITORY / "test-artefacts" / "browser"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]


def chromium_path():
    """The Chromium executable to drive, or None when there is none."""
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() else None


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    browser_items = [item for item in items if here in Path(str(item.fspath)).parents]
    reason = None
    if chromium_path() is None:
        reason = ("browser tests need Chromium: install Debian's package (`apt-get install chromium`) "
                  "or set CHROMIUM=/path/to/chromium; `.ci/run` installs it")
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            reason = "browser tests need the playwright package: pip install -e '.[test]'"
    for item in browser_items:
        # One JupyterLab server and one browser for the whole suite: keep it on one xdist worker.
        item.add_marker(pytest.mark.xdist_group("browser"))
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def browser_course(tmp_path_factory):
    """A course with all lessons built (source, release, gradebook; no answer key) and released
    to a private nbgrader exchange."""
    from autograder.commands.build import build

    put_tools_on_path()
    root = tmp_path_factory.mktemp("browser-course")
    course = Course.at(root / "course", REPOSITORY / "source_notebooks", root / "solutions")
    course.root.mkdir(parents=True)
    exchange = root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)  # nbgrader wants a world-writable exchange, as on a shared server
    config = (REPOSITORY / "course" / "nbgrader_config.py").read_text()
    course.config_file.write_text(config + f"\nc.Exchange.root = {str(exchange)!r}\n")
    build(course, ASSIGNMENTS, solutions=False, log=None)
    for assignment in ASSIGNMENTS:  # what the instructor does to hand an assignment out
        subprocess.run([sys.executable, "-m", "nbgrader", "release_assignment", assignment, "--quiet"],
                       cwd=course.root, check=True, capture_output=True)
    return course


@pytest.fixture(scope="session")
def lab_server(browser_course, tmp_path_factory):
    """``(base_url, token)`` of a JupyterLab serving the course root; stopped after the session."""
    home = tmp_path_factory.mktemp("jupyter-home")
    settings = home / "lab-settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    # Render every cell, not only those in view, so that the DOM holds the whole notebook.
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    notifications = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notifications.parent.mkdir(parents=True)
    notifications.write_text(json.dumps({"fetchNews": "false"}))  # no "Jupyter news?" pop-up offline
    for folder in ("config", "data", "runtime", "workspaces"):
        (home / folder).mkdir()
    environment = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
                       JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(settings),
                       JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
    port, token = free_port(), secrets.token_hex(16)
    log_file = open(home / "jupyterlab.log", "w")  # noqa: SIM115 (closed at teardown)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ip=127.0.0.1", f"--ServerApp.token={token}", f"--ServerApp.root_dir={browser_course.root}",
         "--LabApp.news_url=", "--LabApp.collaborative=False",
         "--LabApp.expose_app_in_browser=True"],
        cwd=browser_course.root, env=environment, stdout=log_file, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/api/status?token={token}", timeout=2):
                    break
            except OSError as error:
                if server.poll() is not None or time.monotonic() > deadline:
                    log_file.flush()
                    log = (home / "jupyterlab.log").read_text()[-3000:]
                    raise RuntimeError(f"JupyterLab did not start:\n{log}") from error
                time.sleep(0.3)
        yield base_url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log_file.close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """A headless Chromium with a fresh profile (Playwright's persistent context owns --user-data-dir)."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000})
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.set_default_timeout(60_000)
    yield page
    shut_down_kernels(page)
    page.close()


@pytest.fixture(scope="session")
def artefacts():
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS
