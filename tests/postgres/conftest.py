"""The course gradebook on a real PostgreSQL server (nbgrader's ``c.CourseDirectory.db_url``).

A session fixture starts one throwaway server (:mod:`.server`); each test module gets its own
database. Marked ``postgres``: ``make test-postgres`` runs them (``.ci/run`` calls it after
``make test``). Skipped, with the package to install, when Debian's ``postgresql`` or the Python
driver is missing.
"""

import uuid
from pathlib import Path

import pytest

from .server import missing_driver, postgres_binaries, start_server, stop_server


def pytest_collection_modifyitems(config, items):
    """Every test here is marked ``postgres``: ``make test`` leaves them to ``make test-postgres``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server():
    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed: apt-get install postgresql (initdb, pg_ctl, postgres "
                    "under /usr/lib/postgresql/*/bin)")
    driver = missing_driver()
    if driver:
        pytest.skip(f"the PostgreSQL driver {driver!r} is not installed: pip install 'mlp-course-kit[postgres]'")
    server = start_server(binaries)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def postgres_database(postgres_server):
    """The URL of a new, empty database on the server, dropped after the module."""
    name = "gradebook_" + uuid.uuid4().hex[:12]
    postgres_server.create_database(name)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)
