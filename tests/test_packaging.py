"""The conda environment declares the same dependencies as pyproject.toml."""

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _name_and_bound(requirement: str) -> tuple[str, str]:
    """(name, version bound) of a requirement; an environment marker (``; python_version < '3.11'``) is
    left out, as conda has none (the conda environment installs such a package everywhere)."""
    match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*([^;]*)", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += [r for r in extra if not r.startswith(project["name"])]
    return dict(_name_and_bound(r) for r in requirements)


def _conda_requirements() -> dict[str, str]:
    requirements = {}
    in_dependencies = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_dependencies = True
            continue
        item = re.match(r"^  - ([^ ].*)$", line)
        if in_dependencies and item and item.group(1) not in ("pip", "pip:"):
            name, bound = _name_and_bound(item.group(1))
            requirements[name] = bound
    requirements.pop("python", None)
    return requirements


def test_environment_yml_lists_exactly_the_pyproject_dependencies_with_the_same_bounds():
    assert _conda_requirements() == _pyproject_requirements()


def test_environment_yml_installs_the_kit_itself():
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_python_floor_matches():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"
    assert "python>=3.10" in (ROOT / "environment.yml").read_text()
