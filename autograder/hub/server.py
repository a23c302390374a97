"""The hub course from settings to a running server: a plan (every check), the set-up, the process.

:func:`make_plan` only reads: it collects every problem (root, names, environment, proxy, users,
course directory, exchange, ports) so that a refusal lists them all, before anything is written.
:func:`set_up` then creates what is missing (users, exchange, course directory, configuration)
and :class:`HubProcess` runs ``jupyterhub`` until it is stopped.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from autograder.hub import exchange, hub_config, roles, users
from autograder.hub.environment import PythonEnvironment, check_environment
from autograder.hub.proxy import PROXY_PROGRAM, check_proxy
from autograder.hub.settings import HubSetupError, check_names, course_id_of

COURSE_FILES = ("nbgrader_config.py", "due_dates.toml")  # what a new course directory starts with
COURSE_MODE = 0o700
# The kit's lessons (solutions, hidden tests) beside the --course template, copied at every start into
# the instructor's course directory: the kit's home keeps them root-only (see kit_home.PRIVATE).
LESSONS = "source_notebooks"


@dataclass
class Plan:
    """What :func:`set_up` will do, and every problem that forbids it."""

    settings: object
    template: Path
    environment: PythonEnvironment | None = None
    lessons: Path | None = None
    course_root: Path | None = None
    course_id: str | None = None
    problems: list = field(default_factory=list)

    def refuse_if_wrong(self):
        if self.problems:
            raise HubSetupError("the hub was not started; nothing was changed:\n- " + "\n- ".join(self.problems))


def make_plan(settings, template, proxy_program=PROXY_PROGRAM):
    """Check everything ``set_up(settings)`` needs; ``template`` is the kit's course (its config files)."""
    plan = Plan(settings=settings, template=Path(template))
    if (plan.template.parent / LESSONS).is_dir():
        plan.lessons = plan.template.parent / LESSONS
    problems = plan.problems
    if os.geteuid() != 0:
        problems.append("the hub starts each user's server as that user, which needs root: run it as root (sudo)")
    problems += check_names(settings)
    try:
        plan.environment = PythonEnvironment.of(settings.python)
        problems += check_environment(plan.environment)
    except HubSetupError as error:
        problems.append(str(error))
    problems += check_proxy(proxy_program)
    problems += users.check_users(settings.users, settings.create_users)
    problems += _check_course(plan)
    instructor_uid = users.ids_of(settings.instructor)[0] if users.exists(settings.instructor) else None
    if plan.course_id:
        problems += exchange.check_exchange(settings.exchange, plan.course_id, instructor_uid, settings.create_exchange)
    problems += _check_ports(settings)
    return plan


def _check_course(plan):
    settings = plan.settings
    plan.course_root = settings.course_root(users.home_of)
    root = plan.course_root
    source = root if (root / "nbgrader_config.py").is_file() else plan.template
    try:
        plan.course_id = course_id_of(source / "nbgrader_config.py")
    except HubSetupError as error:
        return [str(error) + f" (--course {plan.template} or --course-dir {root})"]
    if not root.exists():
        return []
    problems = []
    info = root.stat()
    if users.exists(settings.instructor) and info.st_uid != users.ids_of(settings.instructor)[0]:
        problems.append(f"course directory {root} (--course-dir) is not owned by the instructor "
                        f"{settings.instructor!r}: `chown -R {settings.instructor}: {root}`")
    if info.st_mode & 0o077:
        problems.append(f"course directory {root} (--course-dir) can be read by others, and it holds the hidden "
                        f"tests and the gradebook: `chmod 700 {root}`")
    return problems


def _check_ports(settings):
    problems = []
    for option, port in (("--port", settings.port), ("--hub-port", settings.hub_port),
                         ("--proxy-api-port", settings.proxy_api_port)):
        with socket.socket() as probe:
            try:
                probe.bind((settings.ip, port))
            except OSError as error:
                problems.append(f"{settings.ip}:{port} ({option}) is not free ({error.strerror}): "
                                f"pick another {option}")
    if len({settings.port, settings.hub_port, settings.proxy_api_port}) < 3:
        problems.append("--port, --hub-port and --proxy-api-port must be three different ports")
    return problems


def set_up(plan, proxy_program=PROXY_PROGRAM):
    """Create what the plan found missing and write the configuration; the path of jupyterhub_config.py."""
    plan.refuse_if_wrong()
    settings = plan.settings
    if settings.create_users:
        users.create_users(settings.users)
    uid, gid = users.ids_of(settings.instructor)
    # the root only when --create-exchange (else the plan refused a missing one); the course folder
    # always, so that it is the instructor's before any student could make it
    exchange.create_exchange(settings.exchange, plan.course_id, uid, gid)
    _make_course_directory(plan.course_root, plan.template, uid, gid)
    if plan.lessons is not None:
        share_lessons(plan.lessons, plan.course_root / LESSONS, uid, gid)
    Path(settings.state).mkdir(parents=True, exist_ok=True)
    Path(settings.state).chmod(0o755)
    roles.write_role_configs(settings.state, settings.exchange, plan.course_id, plan.course_root)
    folder = hub_config.hub_folder(settings.state)
    folder.mkdir(exist_ok=True)
    folder.chmod(0o700)
    return hub_config.write_config(settings, plan.environment, plan.course_id, proxy_program)


def _make_course_directory(root, template, uid, gid):
    if root.exists():
        return
    root.mkdir(parents=True)
    for name in COURSE_FILES:
        if (template / name).is_file():
            shutil.copy(template / name, root / name)
    for path in [root, *root.iterdir()]:
        os.chown(path, uid, gid)
    root.chmod(COURSE_MODE)


def share_lessons(lessons, target, uid, gid):
    """Replace ``target`` with a copy of the kit's ``lessons``, owned by the instructor (uid, gid).

    The copy is made beside ``target`` and renamed over it, so a build never sees half of it.
    """
    fresh = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    for leftover in (fresh, old):
        _remove(leftover)
    shutil.copytree(lessons, fresh, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for folder, _folders, files in os.walk(fresh):
        os.lchown(folder, uid, gid)
        os.chmod(folder, 0o700)
        for name in files:
            os.lchown(os.path.join(folder, name), uid, gid)
    if target.exists() or target.is_symlink():
        os.replace(target, old)
    os.replace(fresh, target)
    _remove(old)


def _remove(path):
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


class HubProcess:
    """``jupyterhub -f <config>`` as a child process, its output in ``<state>/hub/jupyterhub.log``."""

    def __init__(self, plan, config):
        self.plan, self.config = plan, Path(config)
        self.log_path = self.config.parent / "jupyterhub.log"
        self.process = None
        settings = plan.settings
        self.url = f"http://{settings.ip}:{settings.port}"

    def __repr__(self):
        return f"HubProcess({self.url}, pid={self.process.pid if self.process else None})"

    def start(self, timeout=120):
        """Start the hub and wait until its API answers; the seconds it took."""
        started = time.monotonic()
        environment = dict(os.environ, PATH=f"{self.plan.environment.bin}:{os.environ.get('PATH', os.defpath)}")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([str(self.plan.environment.program("jupyterhub")), "-f", str(self.config)],
                                            cwd=self.config.parent, env=environment, stdout=log,
                                            stderr=subprocess.STDOUT)
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api", timeout=3) as response:
                    json.load(response)
                return time.monotonic() - started
            except OSError:
                if self.process.poll() is not None or time.monotonic() - started > timeout:
                    self.stop()
                    raise HubSetupError(f"JupyterHub did not start; the end of {self.log_path}:\n"
                                        + self.log_path.read_text()[-3000:]) from None
                time.sleep(0.5)

    def stop(self, timeout=60):
        """Stop the hub (it stops the users' servers and the proxy first)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def wait(self):
        return self.process.wait()
