"""Bad settings are refused before anything starts, with the setting and the fix, and nothing is written."""

import grp
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.hub.server import make_plan
from autograder.hub.settings import HubSettings, HubSetupError
from autograder.hub.users import exists
from tests.hub.conftest import REPOSITORY, free_ports, hub_python


@pytest.fixture
def place():
    with tempfile.TemporaryDirectory(prefix="hub-bad-") as folder:
        yield Path(folder)


def settings_in(place, **changes):
    port, hub_port, api_port = free_ports(3)
    values = dict(instructor="hbad-teach", students=("hbad-s1",), exchange=place / "exchange", state=place / "state",
                  python=hub_python(), port=port, hub_port=hub_port, proxy_api_port=api_port)
    return HubSettings(**{**values, **changes})


def refusal(settings, **options):
    plan = make_plan(settings, REPOSITORY / "course", **options)
    with pytest.raises(HubSetupError) as raised:
        plan.refuse_if_wrong()
    return str(raised.value)


def test_a_missing_exchange_names_the_setting_and_the_fix(place):
    message = refusal(settings_in(place))
    assert "--exchange" in message and "c.Exchange.root" in message
    assert f"chmod 1777 {place / 'exchange'}" in message and "--create-exchange" in message


def test_an_exchange_with_wrong_permissions_is_refused(place):
    (place / "exchange").mkdir(mode=0o755)
    (place / "exchange").chmod(0o755)
    message = refusal(settings_in(place))
    assert "drwxr-xr-x" in message and f"chmod 1777 {place / 'exchange'}" in message


def test_a_missing_proxy_names_the_install_command(place):
    message = refusal(settings_in(place, create_exchange=True), proxy_program=place / "no-proxy")
    assert "npm ci --prefix autograder/hub/proxy" in message


def test_a_user_that_cannot_be_created_is_refused_before_any_is(place):
    taken = next(group.gr_name for group in grp.getgrall() if not exists(group.gr_name))
    message = refusal(settings_in(place, students=("hbad-s1", taken), create_exchange=True))
    assert f"a group named {taken} exists" in message
    message = refusal(settings_in(place, students=("Not A Name",), create_exchange=True))
    assert "'Not A Name' is not a valid unix name" in message and "--students" in message


def test_the_command_refuses_with_every_problem_and_writes_nothing(place):
    result = subprocess.run(
        [sys.executable, "-m", "autograder.commands.hub", "--instructor", "hbad-teach", "--students", "hbad-s1,BAD",
         "--exchange", str(place / "exchange"), "--state", str(place / "state"), "--python", str(hub_python()),
         "--course-dir", str(place / "course")], capture_output=True, text=True, cwd=REPOSITORY, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "nothing was changed" in result.stderr
    assert "'BAD' is not a valid unix name" in result.stderr and "--exchange" in result.stderr
    assert sorted(path.name for path in place.iterdir()) == []
    assert not exists("hbad-teach") and not exists("hbad-s1")
