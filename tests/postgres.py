"""A throwaway PostgreSQL server from Debian's package, in a temporary folder on a unix socket, for one test session.

Debian's `postgresql` package puts initdb and postgres in /usr/lib/postgresql/<version>/bin (not on PATH); `make
test` installs it as root. Without it the PostgreSQL tests skip with the reason, and fail under CI=true. The server
refuses to run as root, so as root it runs as Debian's `postgres` user. It stops when the fixture ends (SIGTERM,
then SIGKILL), and with the test process however that ends (its parent-death signal).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graders.serving.lifetime import preexec


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin folder, or a skip (a failure under CI=true) with the reason."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    reason = "PostgreSQL is not installed (Debian's package 'postgresql'; `make test` installs it as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def _wait_ready(socket_dir: Path, server: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited with {server.returncode}: {log.read_text()[-2000:]}")
        if (socket_dir / ".s.PGSQL.5432").exists():
            try:
                import psycopg

                psycopg.connect(f"host={socket_dir} dbname=postgres user={_user()}", connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                pass
        time.sleep(0.1)
    raise RuntimeError(f"postgres did not accept connections within {timeout:g} s: {log.read_text()[-2000:]}")


def _user() -> str:
    return "postgres" if os.geteuid() == 0 else os.environ.get("USER") or str(os.geteuid())


def run_postgres() -> Iterator[str]:
    """Start a server and yield its URL (a database on a unix socket); stop it and remove its folder afterwards."""
    bin_dir = postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="smtk-pg-"))
    as_user = {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}
    if as_user:
        shutil.chown(root, "postgres", "postgres")
    data, log = root / "data", root / "server.log"
    server = None
    try:
        subprocess.run(
            [bin_dir / "initdb", "-D", data, "-A", "trust", "-U", _user(), "--no-sync", "-E", "UTF8"],
            check=True,
            capture_output=True,
            **as_user,
        )
        with open(log, "wb") as out:
            server = subprocess.Popen(
                [
                    bin_dir / "postgres",
                    "-D",
                    data,
                    "-k",
                    root,
                    "-c",
                    "listen_addresses=",
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=100",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=preexec(),
                **as_user,
            )
        _wait_ready(root, server, log)
        yield f"postgresql://{_user()}@/postgres?host={root}"
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """A new, empty database called `name` on the server at `url` (its `postgres` database); returns its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return url.replace("/postgres?", f"/{name}?")
