"""Acting as a course's unix users: commands through ``runuser``, passwords, files written as them."""

import subprocess

from autograder.hub import roles
from autograder.hub.users import home_of


def as_user(name, command, role="student", state=None, cwd=None, stdin=None, check=True, timeout=900):
    """Run ``command`` (a list) as unix user ``name`` in their home, with the role's Jupyter configuration.

    The environment is what the hub gives that user's server: their HOME, the hub environment's
    programs first on PATH (then the system's), the kit's thread settings and ``JUPYTER_CONFIG_PATH``
    of the role (the students' folder of that environment's kit). Returns the CompletedProcess (text).
    """
    from tests.hub.conftest import hub_environment

    hub = hub_environment()
    environment = {"HOME": str(home_of(name)), "USER": name, "LOGNAME": name,
                   "PATH": f"{hub.bin}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if state is not None:
        environment.update(roles.user_environment(role, state, hub.student_config))
    assignments = [f"{key}={value}" for key, value in environment.items()]
    result = subprocess.run(["runuser", "-u", name, "--", "env", "-i", *assignments, *map(str, command)],
                            cwd=cwd or home_of(name), input=stdin, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, command))} as {name} failed ({result.returncode}):\n"
                             f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


def write_as(name, path, text):
    """Write ``text`` to ``path`` as user ``name`` (a student saving their notebook)."""
    as_user(name, ["sh", "-c", 'cat > "$0"', path], stdin=text)


def can_read(name, path):
    """Whether user ``name`` can read the file ``path`` (``cat`` as them)."""
    return as_user(name, ["cat", path], check=False).returncode == 0


def can_list(name, folder):
    return as_user(name, ["ls", folder], check=False).returncode == 0


def set_password(name, password):
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
