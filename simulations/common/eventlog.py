"""Append-only event logs in a database, one log per key (an exercise's code, say): the shared state of live features.

Each entry gets the next sequence number of its log, a kind, a JSON payload (stored as text, so a replay reads back
exactly what was written) and the database's time. Entries are never changed or deleted; readers fold them into
whatever view they need and ask only for what came after the last number they saw, so a screen that reconnects
loses nothing. Logs under different keys never see each other.

SQLite in WAL mode is the default (one machine: readers never block the writer); a `postgresql://` URL uses
PostgreSQL through psycopg 3, for screens on several machines. Both take the same calls.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS smtk_events ("
    " log TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, stored DOUBLE PRECISION"
    " NOT NULL, PRIMARY KEY (log, seq))"
)
POSTGRES = ("postgresql://", "postgres://")
SCHEMA_LOCK = 0x736D746B  # "smtk": the advisory lock held while creating the table
BUSY_SECONDS = 30.0


def _patiently(conn: sqlite3.Connection, statement: str) -> None:
    """Run a setup statement, waiting out other connections that are creating the same new database.

    SQLite answers "database is locked" at once, without its busy wait, to a connection switching a new file to WAL
    while another does the same, so the wait is done here.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            conn.execute(statement)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@dataclass(frozen=True)
class Event:
    """One stored entry: its log, number in that log (from 1), kind, payload and the database's time of writing."""

    log: str
    seq: int
    kind: str
    payload: dict[str, Any]
    stored: float


class EventLog:
    """A database of append-only logs: `append` one entry, `read` a log from a number on, `wait` for new entries.

    `target` is a SQLite file path (or `sqlite:///path`) or a PostgreSQL URL. Safe to share between threads; each
    process opens its own.
    """

    def __init__(self, target: str | Path) -> None:
        text = str(target)
        self.postgres = text.startswith(POSTGRES)
        self._lock = threading.RLock()
        if self.postgres:
            import psycopg  # only where PostgreSQL is asked for

            self._conn: Any = psycopg.connect(text, autocommit=True)
            with self._conn.transaction():  # screens starting at once must not race to create the table
                self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                self._conn.execute(SCHEMA)
            self._mark = "%s"
        else:
            path = Path(text.removeprefix("sqlite:///") if text.startswith("sqlite:///") else text)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
            for statement in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", SCHEMA):
                _patiently(self._conn, statement)
            self._mark = "?"

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _writing(self, log: str) -> Iterator[Any]:
        """A transaction that holds the log's write lock, so two writers never take the same number."""
        with self._lock:
            if self.postgres:
                with self._conn.transaction():
                    self._conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (log,))
                    yield self._conn
            else:
                _patiently(self._conn, "BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")

    def append(self, log: str, kind: str, payload: Mapping[str, Any]) -> Event:
        """Add an entry at the end of `log` (created by its first entry); returns it with its number and time."""
        return self.extend(log, [(kind, payload)])[0]

    def extend(self, log: str, entries: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Event]:
        """Add (kind, payload) entries at the end of `log` in one transaction, numbered in order: an import of a
        whole history at once, which entry-by-entry appends would take minutes for."""
        texts = []
        for kind, payload in entries:
            if not log or not kind:
                raise ValueError("an entry needs a log key and a kind")
            texts.append((kind, json.dumps(dict(payload), sort_keys=True, allow_nan=False)))
        m = self._mark
        with self._writing(log) as conn:
            first = conn.execute(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM smtk_events WHERE log = {m}", (log,))
            first = int(first.fetchone()[0])
            stored = self._now(conn)
            rows = [(log, first + i, kind, text, stored) for i, (kind, text) in enumerate(texts)]
            insert = f"INSERT INTO smtk_events (log, seq, kind, payload, stored) VALUES ({m}, {m}, {m}, {m}, {m})"
            if self.postgres:
                with conn.cursor() as cursor:
                    cursor.executemany(insert, rows)
            else:
                conn.executemany(insert, rows)
        return [Event(log, seq, kind, json.loads(text), stored) for log, seq, kind, text, stored in rows]

    def read(self, log: str, after: int = 0) -> list[Event]:
        """The entries of `log` numbered above `after`, in order (all of them by default)."""
        m = self._mark
        with self._lock:
            rows = self._conn.execute(
                f"SELECT seq, kind, payload, stored FROM smtk_events WHERE log = {m} AND seq > {m} ORDER BY seq",
                (log, after),
            ).fetchall()
        return [Event(log, int(s), k, json.loads(p), float(t)) for s, k, p, t in rows]

    def wait(self, log: str, after: int, timeout: float, poll: float = 0.05) -> list[Event]:
        """Entries above `after`, waiting up to `timeout` seconds for the first one to arrive (empty if none)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.read(log, after)
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(min(poll, max(deadline - time.monotonic(), 0.0)))

    def logs(self) -> list[str]:
        """The keys of every log in the database, sorted."""
        with self._lock:
            return [r[0] for r in self._conn.execute("SELECT DISTINCT log FROM smtk_events ORDER BY log").fetchall()]

    def now(self) -> float:
        """The database's time in seconds since the epoch: one clock for every screen that shares the database."""
        with self._lock:
            return self._now(self._conn)

    def _now(self, conn: Any) -> float:
        if self.postgres:
            return float(conn.execute("SELECT EXTRACT(EPOCH FROM clock_timestamp())").fetchone()[0])
        return time.time()
