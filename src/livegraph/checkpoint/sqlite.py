"""`SqliteSaver`: checkpoints in one SQLite file (standard library `sqlite3`, WAL mode).

Safe for several threads and processes on one file: each thread gets its own connection, writes are
transactions that check the thread's newest checkpoint first (so two runs on one thread_id get a clear
error, never a mixed history), and runs on different thread_ids never interfere.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

from .._errors import CheckpointError
from .base import BaseCheckpointSaver, Checkpoint, moved_on
from .serde import dumps, dumps_state, loads

FORMAT = "livegraph-checkpoints"
VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS livegraph_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS livegraph_checkpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL,
    ns TEXT NOT NULL,
    id TEXT NOT NULL,
    parent_id TEXT,
    step INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,
    pending TEXT NOT NULL,
    metadata TEXT NOT NULL,
    tasks TEXT NOT NULL,
    UNIQUE (thread_id, ns, id)
);
CREATE INDEX IF NOT EXISTS livegraph_by_thread ON livegraph_checkpoints (thread_id, ns, seq);
"""


class SqliteSaver(BaseCheckpointSaver):
    """Stores checkpoints in a SQLite file.

    Args:
        conn: A path (`"checkpoints.db"`, `":memory:"`) or an open `sqlite3.Connection` (LangGraph's form;
            then all threads share that connection under a lock, with its own settings).
        synchronous: SQLite's `PRAGMA synchronous` for the connections it opens. `"NORMAL"` (the default,
            with WAL): every saved checkpoint survives the process being killed; an OS crash or power cut
            may lose the newest few. `"FULL"`: also those, at the cost of a disk sync per superstep.
    """

    def __init__(self, conn: str | os.PathLike[str] | sqlite3.Connection, *, synchronous: str = "NORMAL") -> None:
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"SqliteSaver(synchronous={synchronous!r}): use 'NORMAL' (the default), 'FULL' "
                             "(sync every commit: safe against power cuts, slower) or 'EXTRA'")
        self.synchronous = synchronous.upper()
        self._lock = threading.RLock()
        self._local = threading.local()
        if isinstance(conn, sqlite3.Connection):
            self.path: str | None = None
            self._shared: sqlite3.Connection | None = conn
        else:
            self.path = os.fspath(conn)
            self._shared = (
                sqlite3.connect(self.path, check_same_thread=False) if self.path == ":memory:" else None
            )
        self._setup()

    @classmethod
    @contextlib.contextmanager
    def from_conn_string(cls, conn_string: str) -> Iterator[SqliteSaver]:
        """LangGraph's way: `with SqliteSaver.from_conn_string("file.db") as saver: ...`."""
        saver = cls(conn_string)
        try:
            yield saver
        finally:
            saver.close()

    def _conn(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path or "", timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 30000")
            # In WAL mode, NORMAL syncs at WAL checkpoints, not at every commit: a committed checkpoint
            # survives the process being killed, and only an OS crash or power cut can lose the newest ones.
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn()
            try:
                if conn.in_transaction:
                    conn.commit()
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _setup(self) -> None:
        where = self.path or "the given connection"
        try:
            conn = self._conn()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and "livegraph_meta" not in tables:
                raise CheckpointError(
                    f"{where} is a SQLite database, but not a livegraph checkpoint file (it has tables "
                    f"{', '.join(sorted(tables))}); give SqliteSaver a new file path"
                )
            if self.path not in (None, ":memory:"):
                conn.execute("PRAGMA journal_mode=WAL")
            with self._tx() as tx:
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        tx.execute(stmt)
                row = tx.execute("SELECT value FROM livegraph_meta WHERE key='format'").fetchone()
                if row is None:
                    tx.execute(
                        "INSERT INTO livegraph_meta VALUES ('format', ?), ('version', ?)",
                        (FORMAT, str(VERSION)),
                    )
                elif row[0] != FORMAT:
                    raise CheckpointError(f"{where} is not a livegraph checkpoint file (format {row[0]!r})")
        except sqlite3.DatabaseError as exc:
            raise CheckpointError(
                f"{where} cannot be opened as a livegraph checkpoint file ({exc}); it is corrupt or not "
                "SQLite: give SqliteSaver a new file path"
            ) from exc

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- the saver interface -----------------------------------------------------------------------------
    def _row(self, row: tuple[Any, ...]) -> Checkpoint:
        try:
            return Checkpoint(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                loads(row[6]),
                loads(row[7]),
                loads(row[8]),
                row[5],
                loads(row[9]),
            )
        except ValueError as exc:
            if isinstance(exc, CheckpointError):
                raise
            raise CheckpointError(f"Checkpoint {row[2]!r} of thread `{row[0]}` is corrupt ({exc})") from exc

    _COLS = "thread_id, ns, id, parent_id, step, created_at, state, pending, metadata, tasks"

    def get(self, thread_id: str, ns: str = "", checkpoint_id: str | None = None) -> Checkpoint | None:
        with self._lock:
            conn = self._conn()
            if checkpoint_id is None:
                row = conn.execute(
                    f"SELECT {self._COLS} FROM livegraph_checkpoints WHERE thread_id=? AND ns=? "
                    "ORDER BY seq DESC LIMIT 1",
                    (str(thread_id), ns),
                ).fetchone()
            else:
                row = conn.execute(
                    f"SELECT {self._COLS} FROM livegraph_checkpoints WHERE thread_id=? AND ns=? AND id=?",
                    (str(thread_id), ns, checkpoint_id),
                ).fetchone()
        return self._row(row) if row else None

    def head(self, thread_id: str, ns: str = "") -> str | None:
        with self._lock:
            row = self._conn().execute("SELECT id FROM livegraph_checkpoints WHERE thread_id=? AND ns=? ORDER BY "
                                       "seq DESC LIMIT 1", (str(thread_id), ns)).fetchone()
        return row[0] if row else None

    def list(self, thread_id: str, ns: str = "", *, limit: int | None = None) -> Iterator[Checkpoint]:
        with self._lock:
            rows = (
                self._conn()
                .execute(
                    f"SELECT {self._COLS} FROM livegraph_checkpoints WHERE thread_id=? AND ns=? ORDER BY seq DESC"
                    + (" LIMIT ?" if limit else ""),
                    (str(thread_id), ns, *([limit] if limit else [])),
                )
                .fetchall()
            )
        return iter([self._row(r) for r in rows])

    def put(self, checkpoint: Checkpoint, *, head: str | None) -> None:
        cp = checkpoint
        row = (
            cp.thread_id,
            cp.ns,
            cp.id,
            cp.parent_id,
            cp.step,
            cp.created_at,
            dumps_state(cp.values),
            dumps(cp.pending, "pending tasks"),
            dumps(cp.metadata, "metadata"),
            dumps(cp.tasks, "task results"),
        )
        with self._tx() as tx:
            found = tx.execute(
                "SELECT id FROM livegraph_checkpoints WHERE thread_id=? AND ns=? ORDER BY seq DESC LIMIT 1",
                (cp.thread_id, cp.ns),
            ).fetchone()
            found_id = found[0] if found else None
            if found_id != head:
                raise CheckpointError(moved_on(cp.thread_id, head, found_id))
            tx.execute(f"INSERT INTO livegraph_checkpoints ({self._COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)", row)

    def set_tasks(self, thread_id: str, ns: str, checkpoint_id: str, tasks: dict[str, Any]) -> None:
        text = dumps(tasks, "task results")
        with self._tx() as tx:
            cur = tx.execute(
                "UPDATE livegraph_checkpoints SET tasks=? WHERE thread_id=? AND ns=? AND id=?",
                (text, thread_id, ns, checkpoint_id),
            )
            if cur.rowcount == 0:
                raise CheckpointError(f"Thread `{thread_id}` has no checkpoint {checkpoint_id!r}")

    def delete_thread(self, thread_id: str) -> None:
        with self._tx() as tx:
            tx.execute("DELETE FROM livegraph_checkpoints WHERE thread_id=?", (str(thread_id),))


__all__ = ["SqliteSaver"]
