"""A throwaway PostgreSQL server for the tests: Debian's binaries, a temporary data folder, password auth.

PostgreSQL refuses to run as root, so when the tests run as root the data folder belongs to
``nobody`` and the server is started with ``runuser -u nobody``. It listens on 127.0.0.1 on a free
port (and on a unix socket in its own folder) and asks every client for a password (scram-sha-256).
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "kit"
PASSWORD = "s3cret-Pg-pw-9481"  # a string that appears nowhere else, so a leak is easy to find
SERVER_USER = "nobody"


def postgres_binaries():
    """The newest ``/usr/lib/postgresql/<version>/bin`` holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda path: [int(part) if part.isdigit() else 0 for part in Path(path).parts[-3].split(".")])
    for postgres in reversed(found):
        folder = Path(postgres).parent
        if all(os.access(folder / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def missing_driver():
    """The Python module SQLAlchemy needs for a ``postgresql://`` URL when it is not installed, else None."""
    from sqlalchemy import create_engine

    try:
        create_engine("postgresql://nobody@127.0.0.1/none").dispose()
    except ImportError as error:
        return error.name or str(error)
    return None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server: ``url(database)`` is what goes into ``c.CourseDirectory.db_url``."""

    folder: Path
    binaries: Path
    port: int

    def url(self, database, password=PASSWORD, port=None):
        return f"postgresql://{USER}:{password}@127.0.0.1:{port or self.port}/{database}"

    def create_database(self, name):
        self._admin(f'CREATE DATABASE "{name}"')

    def drop_database(self, name):
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement):
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()


def _as_server_user(command):
    return ["runuser", "-u", SERVER_USER, "--"] + command if os.geteuid() == 0 else command


def start_server(binaries):
    """initdb + pg_ctl start in a new temporary folder; returns the :class:`PostgresServer`."""
    folder = Path(tempfile.mkdtemp(prefix="kit-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER)
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(password_file, SERVER_USER)
    subprocess.run(_as_server_user([str(binaries / "initdb"), "-D", str(folder / "data"), "-U", USER,
                                    f"--pwfile={password_file}", "-A", "scram-sha-256", "-N", "-E", "UTF8"]),
                   check=True, capture_output=True, cwd=folder)
    password_file.unlink()
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off -c max_connections=50"
    subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"),
                                    "-o", options, "-w", "-t", "30", "start"]),
                   check=True, capture_output=True, cwd=folder)
    return PostgresServer(folder=folder, binaries=binaries, port=port)


def stop_server(server):
    subprocess.run(_as_server_user([str(server.binaries / "pg_ctl"), "-D", str(server.folder / "data"),
                                    "-m", "immediate", "-w", "stop"]), capture_output=True, cwd=server.folder)
    shutil.rmtree(server.folder, ignore_errors=True)
