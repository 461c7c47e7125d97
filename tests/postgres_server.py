"""A real PostgreSQL server for the test session: Debian's binaries, initdb and pg_ctl in a temporary
folder, listening on 127.0.0.1 on a free port. The server refuses to run as root, so under root
(as in CI) it runs as the `postgres` system user (created by Debian's postgresql package).

Tests ask the `postgres_server` fixture for a fresh empty project: `postgres_server.new_database()`
returns a `postgresql://` URL whose connections see only a new, empty schema (search_path), which
is ~100x faster to make than a database; `create_database()` makes a real database.
"""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]


def find_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    on_path = shutil.which("initdb")
    for d in BIN_DIRS + ([Path(on_path).parent] if on_path else []):
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """initdb + pg_ctl start in `root`; `stop()` removes everything."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="suggest-pg-"))
        self.port = _free_port()
        self._names = itertools.count(1)
        self.as_user = None
        if os.geteuid() == 0:  # initdb and postgres refuse root
            import pwd

            try:
                pwd.getpwnam("postgres")
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            self.as_user = "postgres"
            shutil.chown(self.root, user="postgres")
        data = self.root / "data"
        self._run([self.bin / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                   "--locale=C"])
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run([self.bin / "pg_ctl", "-D", data, "-o", options, "-l", self.root / "server.log", "-w", "start"])
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"

    def _run(self, cmd: list) -> None:
        cmd = [str(c) for c in cmd]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stdout}\n{out.stderr}")

    def create_database(self, prefix: str = "db") -> str:
        """Create an empty database; returns its URL."""
        import psycopg

        name = f"{prefix}{next(self._names)}"
        with psycopg.connect(f"{self.url}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"

    def new_database(self) -> str:
        """An empty project: a new schema in the shared test database; returns a URL that uses it."""
        import psycopg

        if not hasattr(self, "_shared"):
            self._shared = self.create_database("suggest_tests")
        name = f"p{next(self._names)}"
        with psycopg.connect(self._shared, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return f"{self._shared}?options=-csearch_path%3D{name}"

    def stop(self) -> None:
        try:
            self._run([self.bin / "pg_ctl", "-D", self.root / "data", "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the whole test session (skips when the binaries are missing)."""
    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries not found (apt-get install -y postgresql; .ci/run does this)")
    server = PostgresServer(bin_dir)
    yield server
    server.stop()
