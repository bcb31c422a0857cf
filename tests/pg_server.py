"""A real PostgreSQL server for the tests: started once per session from Debian's `postgresql` package
(`make test` installs it as root when missing), in a temporary data directory, on a loopback port, and
stopped at the end.

`initdb` and `postgres` refuse to run as root, so as root the server runs as `nobody`. Where no server
binaries exist, the tests that need one are skipped with a message saying how to install them.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = "install PostgreSQL (`sudo apt-get install -y postgresql`; `make test` does it as root)"


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (`$LIVEGRAPH_PG_BIN` first), or None."""
    explicit = os.environ.get("LIVEGRAPH_PG_BIN")
    if explicit:
        return Path(explicit)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("postgres")
    return Path(on_path).parent if on_path else None


@dataclass
class Server:
    """A running server: `url` for psycopg (database `postgres`, user `postgres`, no password)."""

    bin: Path
    data: Path
    port: int
    process: subprocess.Popen[bytes]
    user: str | None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self, how: int = signal.SIGINT) -> None:
        """Stop it (SIGINT: a fast shutdown that ends the connections)."""
        if self.process.poll() is None:
            self.process.send_signal(how)
            self.process.wait(timeout=30)

    def start(self) -> None:
        """(Re)start on the same port and data directory; returns once it accepts connections."""
        log = open(self.data.parent / "server.log", "ab")  # noqa: SIM115 - the server writes it until it stops
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-h", "127.0.0.1",
             "-k", str(self.data.parent), "-c", "fsync=off", "-c", "max_connections=100"],
            stdout=log, stderr=subprocess.STDOUT, user=self.user, start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {(self.data.parent / 'server.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
                ready = subprocess.run([str(self.bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                       capture_output=True)
                if ready.returncode == 0:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("postgres did not start within 30 s")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> Server:
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip(f"No PostgreSQL server binaries on this machine: {INSTALL_HINT}")
    user = "nobody" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="livegraph-pg-"))
    data = root / "data"
    if user is not None:
        shutil.chown(root, user)
    subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, capture_output=True, user=user, cwd=root)
    server = Server(bin_dir, data, _free_port(), None, user)  # type: ignore[arg-type]
    server.start()
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'livegraph[postgres]'")
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.data.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: Server) -> str:
    return postgres_server.url


@pytest.fixture(scope="session")
def postgres_db(postgres_url: str) -> str:
    """The URL of a database of the tests' own on the session's server."""
    return fresh_database(postgres_url, "livegraph_tests")


def fresh_database(url: str, name: str) -> str:
    """A new empty database on the server at `url` (dropped first if it exists); returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"
