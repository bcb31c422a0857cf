"""`SqliteSaver`: checkpoints in one SQLite file (standard library `sqlite3`, WAL mode).

Safe for several threads and processes on one file: each thread gets its own connection, writes are
transactions that check the thread's newest checkpoint first (so two runs on one thread_id get a clear
error, never a mixed history), and runs on different thread_ids never interfere. A step's state is
stored as what changed since the previous checkpoint (`_delta.py`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from .._engine._errors import CheckpointError
from . import _delta
from ._sql import CHECKPOINT_COLUMNS, COLS, FORMAT, VERSION, WRITE_COLUMNS, SqlSaver
from .base import Checkpoint, moved_on
from .serde import dumps, loads, loads_data

# A version 1 file (every checkpoint stores the whole state; no writes table) is migrated on opening (its
# rows stay as they are: all 'full').
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS livegraph_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS livegraph_checkpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,{CHECKPOINT_COLUMNS}
);
CREATE INDEX IF NOT EXISTS livegraph_by_thread ON livegraph_checkpoints (thread_id, ns, seq);
CREATE TABLE IF NOT EXISTS livegraph_writes ({WRITE_COLUMNS}
    PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)
);
"""


class SqliteSaver(SqlSaver):
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
        self._chains = _delta.Chains()
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
                _use_wal(conn)
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
                self._migrate(tx, where)
        except sqlite3.DatabaseError as exc:
            raise CheckpointError(
                f"{where} cannot be opened as a livegraph checkpoint file ({exc}); it is corrupt or not "
                "SQLite: give SqliteSaver a new file path"
            ) from exc

    @staticmethod
    def _migrate(tx: sqlite3.Connection, where: str) -> None:
        version = int(tx.execute("SELECT value FROM livegraph_meta WHERE key='version'").fetchone()[0])
        if version > VERSION:
            raise CheckpointError(
                f"{where} was written by a newer livegraph (checkpoint format version {version}; this one reads "
                f"up to {VERSION}); upgrade livegraph to open it"
            )
        columns = {r[1] for r in tx.execute("PRAGMA table_info(livegraph_checkpoints)")}
        if "kind" not in columns:  # version 1: every row holds the whole state
            tx.execute("ALTER TABLE livegraph_checkpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'full'")
        if version < VERSION:
            tx.execute("UPDATE livegraph_meta SET value=? WHERE key='version'", (str(VERSION),))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- the saver interface -----------------------------------------------------------------------------
    def _state(self, conn: sqlite3.Connection, row: tuple[Any, ...]) -> _delta.Known:
        """The whole state of a stored row as JSON data (walking back through its parents if it is a delta)."""

        def fetch(cp_id: str) -> tuple[str | None, str, Any] | None:
            if cp_id == row[2]:
                found = (row[3], row[10], row[6])
            else:
                found = conn.execute(
                    "SELECT parent_id, kind, state FROM livegraph_checkpoints WHERE thread_id=? AND ns=? AND id=?",
                    (row[0], row[1], cp_id),
                ).fetchone()
            if found is None:
                return None
            try:
                return found[0], found[1], loads_data(found[2])
            except ValueError as exc:
                raise self._corrupt(row, exc) from exc

        return _delta.resolve(row[2], fetch)

    def load(self, thread_id: str, ns: str = "", checkpoint_id: str | None = None) -> Checkpoint | None:
        with self._lock:
            conn = self._conn()
            if checkpoint_id is None:
                row = conn.execute(
                    f"SELECT {COLS} FROM livegraph_checkpoints WHERE thread_id=? AND ns=? "
                    "ORDER BY seq DESC LIMIT 1",
                    (str(thread_id), ns),
                ).fetchone()
            else:
                row = conn.execute(
                    f"SELECT {COLS} FROM livegraph_checkpoints WHERE thread_id=? AND ns=? AND id=?",
                    (str(thread_id), ns, checkpoint_id),
                ).fetchone()
            if row is None:
                return None
            known = self._state(conn, row)
        cp = self._decode(row, known.data)
        self._chains.remember(cp.thread_id, cp.ns, known)
        return cp

    def head(self, thread_id: str, ns: str = "") -> str | None:
        with self._lock:
            row = self._conn().execute("SELECT id FROM livegraph_checkpoints WHERE thread_id=? AND ns=? ORDER BY "
                                       "seq DESC LIMIT 1", (str(thread_id), ns)).fetchone()
        return row[0] if row else None

    def history(self, thread_id: str | None, ns: str | None = "") -> Iterator[Checkpoint]:
        where, args = self._where(thread_id, ns)
        with self._lock:
            rows = self._conn().execute(
                f"SELECT {COLS} FROM livegraph_checkpoints{where} ORDER BY thread_id, ns, seq", args
            ).fetchall()
        return iter(self._decode_all(rows))

    def append(self, checkpoint: Checkpoint, *, head: str | None) -> None:
        cp = checkpoint
        row = tuple(self._encode(cp).values())
        with self._tx() as tx:
            found = tx.execute(
                "SELECT id FROM livegraph_checkpoints WHERE thread_id=? AND ns=? ORDER BY seq DESC LIMIT 1",
                (cp.thread_id, cp.ns),
            ).fetchone()
            found_id = found[0] if found else None
            if found_id != head:
                raise CheckpointError(moved_on(cp.thread_id, head, found_id))
            tx.execute(f"INSERT INTO livegraph_checkpoints ({COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)

    def set_tasks(self, thread_id: str, ns: str, checkpoint_id: str, tasks: dict[str, Any]) -> None:
        text = dumps(tasks, "task results")
        with self._tx() as tx:
            cur = tx.execute(
                "UPDATE livegraph_checkpoints SET tasks=? WHERE thread_id=? AND ns=? AND id=?",
                (text, thread_id, ns, checkpoint_id),
            )
            if cur.rowcount == 0:
                raise CheckpointError(f"Thread `{thread_id}` has no checkpoint {checkpoint_id!r}")

    def add_writes(
        self, thread_id: str, ns: str, checkpoint_id: str, rows: Sequence[tuple[str, int, str, Any, str]]
    ) -> None:
        encoded = self._encode_writes(thread_id, ns, checkpoint_id, rows)
        with self._tx() as tx:
            tx.executemany("INSERT OR REPLACE INTO livegraph_writes VALUES (?,?,?,?,?,?,?,?)", encoded)

    def writes_of(self, thread_id: str, ns: str, checkpoint_id: str) -> list[tuple[str, str, Any]]:
        with self._lock:
            rows = self._conn().execute(
                "SELECT task_id, channel, value FROM livegraph_writes WHERE thread_id=? AND ns=? AND "
                "checkpoint_id=? ORDER BY rowid", (thread_id, ns, checkpoint_id)).fetchall()
        return [(task_id, ch, loads(v)) for task_id, ch, v in rows]

    def delete_thread(self, thread_id: str) -> None:
        with self._tx() as tx:
            tx.execute("DELETE FROM livegraph_checkpoints WHERE thread_id=?", (str(thread_id),))
            tx.execute("DELETE FROM livegraph_writes WHERE thread_id=?", (str(thread_id),))
        self._chains.forget(str(thread_id))



def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the file in WAL mode (it stays so). The switch needs the file to itself and SQLite does not wait
    for that (no busy timeout applies), so savers opening a new file at once retry it for a while."""
    deadline = time.monotonic() + 30.0
    while str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        try:
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)

__all__ = ["SqliteSaver"]
