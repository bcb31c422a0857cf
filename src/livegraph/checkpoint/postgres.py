"""`PostgresSaver` and `AsyncPostgresSaver`: checkpoints in a PostgreSQL database, for many processes.

The same format as the SQLite saver (JSON plus registered types, never pickle; a step stored as what
changed since its parent) in three tables (`livegraph_meta`, `livegraph_checkpoints`, `livegraph_writes`).
Many processes and kernels may share one database: each thread's newest checkpoint id is kept in
`livegraph_heads`, and a checkpoint is added by one statement that moves the head only if it is still the
one the run started from. A second run advancing the same thread at the same time gets a clear error and
writes nothing; a run killed mid-step leaves the thread at its last checkpoint, with no lock held, so
another process resumes it. psycopg 3 is imported when a saver is made (`pip install 'livegraph[postgres]'`).
"""

from __future__ import annotations

import builtins
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from .._engine._errors import CheckpointError
from . import _delta
from ._sql import CHECKPOINT_COLUMNS, COLS, FORMAT, VERSION, WRITE_COLUMNS, SqlSaver
from .base import Checkpoint, CheckpointTuple, moved_on
from .serde import dumps, loads, loads_data

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS livegraph_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS livegraph_checkpoints (seq BIGSERIAL PRIMARY KEY,{CHECKPOINT_COLUMNS})",
    "CREATE INDEX IF NOT EXISTS livegraph_by_thread ON livegraph_checkpoints (thread_id, ns, seq)",
    """CREATE TABLE IF NOT EXISTS livegraph_heads (
        thread_id TEXT NOT NULL,
        ns TEXT NOT NULL,
        head TEXT NOT NULL,
        PRIMARY KEY (thread_id, ns)
    )""",
    f"""CREATE TABLE IF NOT EXISTS livegraph_writes ({WRITE_COLUMNS}
        seq BIGSERIAL,
        PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)
    )""",
]
_LOCK_KEY = 0x6C697665  # pg_advisory_xact_lock key: one setup() at a time per database

# Adds a checkpoint only if the thread's head is still `expected` (NULL: a new thread), in one statement:
# two processes advancing one thread cannot both succeed.
_APPEND_NEW = f"""
WITH moved AS (
    INSERT INTO livegraph_heads (thread_id, ns, head) VALUES (%(thread_id)s, %(ns)s, %(id)s)
    ON CONFLICT (thread_id, ns) DO NOTHING RETURNING 1
)
INSERT INTO livegraph_checkpoints ({COLS})
SELECT %(thread_id)s, %(ns)s, %(id)s, %(parent_id)s, %(step)s, %(created_at)s, %(state)s, %(pending)s,
       %(metadata)s, %(tasks)s, %(kind)s FROM moved
"""
_APPEND_NEXT = f"""
WITH moved AS (
    UPDATE livegraph_heads SET head = %(id)s
    WHERE thread_id = %(thread_id)s AND ns = %(ns)s AND head = %(expected)s RETURNING 1
)
INSERT INTO livegraph_checkpoints ({COLS})
SELECT %(thread_id)s, %(ns)s, %(id)s, %(parent_id)s, %(step)s, %(created_at)s, %(state)s, %(pending)s,
       %(metadata)s, %(tasks)s, %(kind)s FROM moved
"""


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "livegraph.checkpoint.postgres needs psycopg 3: pip install 'livegraph[postgres]'"
        ) from exc
    return psycopg


class PostgresSaver(SqlSaver):
    """Stores checkpoints in PostgreSQL; LangGraph's constructor and `from_conn_string`.

    Args:
        conn: A psycopg 3 `Connection` (made with `autocommit=True`, as LangGraph asks; any row factory) or
            a `psycopg_pool.ConnectionPool` (its connections with `autocommit=True`). One connection serves
            one call at a time; a pool serves many threads at once. `from_conn_string` opens (and, after a
            dropped connection, reopens) its own.

    Call `setup()` once per database (it creates the tables, or migrates older ones); the first use also
    runs it when the tables are missing.
    """

    _MARK = "%s"
    _DAMAGED = "the database was changed by hand?"

    def __init__(self, conn: Any, *, _conninfo: str | None = None) -> None:
        self._psycopg = _psycopg()
        if not hasattr(conn, "getconn") and not conn.autocommit:
            raise ValueError(
                "PostgresSaver needs a connection in autocommit mode (as LangGraph's does): "
                "`psycopg.connect(url, autocommit=True)`, or use `PostgresSaver.from_conn_string(url)`"
            )
        self._rows = self._psycopg.rows.tuple_row  # whatever row factory the caller's connection has
        self.conn = conn
        self._conninfo = _conninfo
        self._lock = threading.RLock()
        self._chains = _delta.Chains()
        self._ready = False

    @classmethod
    @contextlib.contextmanager
    def from_conn_string(cls, conn_string: str) -> Iterator[PostgresSaver]:
        """`with PostgresSaver.from_conn_string("postgresql://...") as saver: ...`; closes the connection
        after."""
        psycopg = _psycopg()
        conn = psycopg.connect(conn_string, autocommit=True)
        saver = cls(conn, _conninfo=conn_string)
        try:
            yield saver
        finally:
            saver.conn.close()

    # -- connections ---------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A cursor on an autocommit connection (one call at a time on a single connection; a pool's
        connections in parallel); a lost connection becomes a `CheckpointError` that says nothing of the call
        happened (and the next call reconnects when the saver opened the connection, or has a pool)."""
        psycopg = self._psycopg
        pooled = hasattr(self.conn, "getconn")
        with self._lock:
            if not self._ready:
                self._ready = True
                try:
                    self._setup()
                except BaseException:
                    self._ready = False
                    raise
        try:
            if pooled:
                with self.conn.connection() as conn, conn.cursor(row_factory=self._rows) as cur:
                    yield cur
            else:
                with self._lock:
                    if self.conn.closed and self._conninfo is not None:
                        self.conn = psycopg.connect(self._conninfo, autocommit=True)
                    with self.conn.cursor(row_factory=self._rows) as cur:
                        yield cur
        except psycopg.OperationalError as exc:
            if not pooled and self._conninfo is not None:
                with contextlib.suppress(Exception):
                    self.conn.close()
            raise CheckpointError(
                f"Lost the connection to PostgreSQL ({type(exc).__name__}: {str(exc).strip()}); what this "
                "call was saving or reading did not happen. The thread keeps its last saved checkpoint: "
                "run again (`graph.invoke(None, config)`) to resume from it"
                + ("" if self._conninfo is not None or pooled
                   else " with a new connection (a saver made by `PostgresSaver.from_conn_string` or given "
                   "a ConnectionPool reconnects by itself)")
            ) from exc

    def setup(self) -> None:
        """Create the tables (or migrate older ones to this version). Safe to call from many processes."""
        with self._lock:
            self._ready = True
            self._setup()

    def _setup(self) -> None:
        conn_cm: Any = self.conn.connection() if hasattr(self.conn, "getconn") else contextlib.nullcontext(
            self.conn)
        with conn_cm as conn, conn.transaction(), conn.cursor(row_factory=self._rows) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            for stmt in _SCHEMA:
                cur.execute(stmt)
            cur.execute("SELECT value FROM livegraph_meta WHERE key='format'")
            row = cur.fetchone()
            if row is None:
                cur.execute("INSERT INTO livegraph_meta VALUES ('format', %s), ('version', %s)",
                            (FORMAT, str(VERSION)))
                return
            cur.execute("SELECT value FROM livegraph_meta WHERE key='version'")
            version = int(cur.fetchone()[0])
            if version > VERSION:
                raise CheckpointError(
                    f"The database holds checkpoints of a newer livegraph (format version {version}; this one "
                    f"reads up to {VERSION}); upgrade livegraph to use it"
                )
            if version < VERSION:
                cur.execute("UPDATE livegraph_meta SET value=%s WHERE key='version'", (str(VERSION),))

    # -- the engine's interface ----------------------------------------------------------------------------
    def load(self, thread_id: str, ns: str = "", checkpoint_id: str | None = None) -> Checkpoint | None:
        with self._cursor() as cur:
            if checkpoint_id is None:
                cur.execute(f"SELECT {COLS} FROM livegraph_checkpoints WHERE thread_id=%s AND ns=%s "
                            "ORDER BY seq DESC LIMIT 1", (str(thread_id), ns))
            else:
                cur.execute(f"SELECT {COLS} FROM livegraph_checkpoints WHERE thread_id=%s AND ns=%s AND id=%s",
                            (str(thread_id), ns, checkpoint_id))
            row = cur.fetchone()
            if row is None:
                return None

            def fetch(cp_id: str) -> tuple[str | None, str, Any] | None:
                if cp_id == row[2]:
                    return row[3], row[10], loads_data(row[6])
                cur.execute("SELECT parent_id, kind, state FROM livegraph_checkpoints WHERE thread_id=%s "
                            "AND ns=%s AND id=%s", (row[0], row[1], cp_id))
                found = cur.fetchone()
                return None if found is None else (found[0], found[1], loads_data(found[2]))

            known = _delta.resolve(row[2], fetch)
        cp = self._decode(row, known.data)
        self._chains.remember(cp.thread_id, cp.ns, known)
        return cp

    def head(self, thread_id: str, ns: str = "") -> str | None:
        with self._cursor() as cur:
            cur.execute("SELECT head FROM livegraph_heads WHERE thread_id=%s AND ns=%s", (str(thread_id), ns))
            row = cur.fetchone()
        return row[0] if row else None

    def history(self, thread_id: str | None, ns: str | None = "") -> Iterator[Checkpoint]:
        where, args = self._where(thread_id, ns)
        with self._cursor() as cur:
            cur.execute(f"SELECT {COLS} FROM livegraph_checkpoints{where} ORDER BY thread_id, ns, seq", args)
            rows = cur.fetchall()
        return iter(self._decode_all(rows))

    def append(self, checkpoint: Checkpoint, *, head: str | None) -> None:
        cp = checkpoint
        params = {**self._encode(cp), "expected": head}
        with self._cursor() as cur:
            cur.execute(_APPEND_NEW if head is None else _APPEND_NEXT, params)
            if cur.rowcount == 1:
                return
            cur.execute("SELECT head FROM livegraph_heads WHERE thread_id=%s AND ns=%s", (cp.thread_id, cp.ns))
            found = cur.fetchone()
        self._chains.forget(cp.thread_id)
        raise CheckpointError(moved_on(cp.thread_id, head, found[0] if found else None))

    def set_tasks(self, thread_id: str, ns: str, checkpoint_id: str, tasks: dict[str, Any]) -> None:
        text = dumps(tasks, "task results")
        with self._cursor() as cur:
            cur.execute("UPDATE livegraph_checkpoints SET tasks=%s WHERE thread_id=%s AND ns=%s AND id=%s",
                        (text, thread_id, ns, checkpoint_id))
            if cur.rowcount == 0:
                raise CheckpointError(f"Thread `{thread_id}` has no checkpoint {checkpoint_id!r}")

    def add_writes(
        self, thread_id: str, ns: str, checkpoint_id: str, rows: Sequence[tuple[str, int, str, Any, str]]
    ) -> None:
        encoded = self._encode_writes(thread_id, ns, checkpoint_id, rows)
        with self._cursor() as cur:
            cur.executemany(
                "INSERT INTO livegraph_writes (thread_id, ns, checkpoint_id, task_id, idx, channel, value, "
                "task_path) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (thread_id, ns, checkpoint_id, task_id, "
                "idx) DO UPDATE SET channel=EXCLUDED.channel, value=EXCLUDED.value, task_path=EXCLUDED.task_path",
                encoded,
            )

    def writes_of(self, thread_id: str, ns: str, checkpoint_id: str) -> builtins.list[tuple[str, str, Any]]:
        with self._cursor() as cur:
            cur.execute("SELECT task_id, channel, value FROM livegraph_writes WHERE thread_id=%s AND ns=%s AND "
                        "checkpoint_id=%s ORDER BY seq", (thread_id, ns, checkpoint_id))
            rows = cur.fetchall()
        return [(task_id, ch, loads(v)) for task_id, ch, v in rows]

    def delete_thread(self, thread_id: str) -> None:
        with self._cursor() as cur:
            for table in ("livegraph_checkpoints", "livegraph_heads", "livegraph_writes"):
                cur.execute(f"DELETE FROM {table} WHERE thread_id=%s", (str(thread_id),))
        self._chains.forget(str(thread_id))


class AsyncPostgresSaver(PostgresSaver):
    """`PostgresSaver` for async code: LangGraph's `async with AsyncPostgresSaver.from_conn_string(...)`,
    `await saver.setup()`, and the `a`-methods (`aget_tuple`, `alist`, `aput`, ...) run on an
    `AsyncConnection` without blocking the event loop.

    A graph's own steps are saved over a second, synchronous connection to the same database that the saver
    opens from the async one's connection parameters (livegraph's engine saves a step in one short
    statement, from whichever driver runs it).
    """

    def __init__(self, conn: Any, *, _conninfo: str | None = None) -> None:
        psycopg = _psycopg()
        self.aconn = conn
        if _conninfo is None and hasattr(conn, "conninfo"):  # an AsyncConnectionPool
            _conninfo = str(conn.conninfo)
        if _conninfo is None:
            info = conn.info
            params = {**info.get_parameters(), **({"password": info.password} if info.password else {})}
            _conninfo = psycopg.conninfo.make_conninfo(**params)
        super().__init__(psycopg.connect(_conninfo, autocommit=True), _conninfo=_conninfo)
        self._alock: Any = None

    @classmethod
    @contextlib.asynccontextmanager
    async def from_conn_string(cls, conn_string: str) -> AsyncIterator[AsyncPostgresSaver]:  # type: ignore[override]
        psycopg = _psycopg()
        aconn = await psycopg.AsyncConnection.connect(conn_string, autocommit=True)
        saver = cls(aconn, _conninfo=conn_string)
        try:
            yield saver
        finally:
            await aconn.close()
            saver.conn.close()

    async def setup(self) -> None:  # type: ignore[override]
        """Create or migrate the tables (as `PostgresSaver.setup`)."""
        import asyncio

        await asyncio.to_thread(PostgresSaver.setup, self)

    @contextlib.asynccontextmanager
    async def _acursor(self) -> AsyncIterator[Any]:
        import asyncio

        if self._alock is None:
            self._alock = asyncio.Lock()
        if not self._ready:
            await self.setup()
        async with self._alock:
            try:
                async with self.aconn.cursor(row_factory=self._rows) as cur:
                    yield cur
            except self._psycopg.OperationalError as exc:
                raise CheckpointError(
                    f"Lost the connection to PostgreSQL ({type(exc).__name__}: {str(exc).strip()}); nothing "
                    "was saved by this call. Open the saver again and rerun to resume from the last checkpoint"
                ) from exc

    async def aget_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        from .base import _address

        thread_id, ns, checkpoint_id = _address(config)
        async with self._acursor() as cur:
            if checkpoint_id is None:
                await cur.execute("SELECT head FROM livegraph_heads WHERE thread_id=%s AND ns=%s", (thread_id, ns))
                row = await cur.fetchone()
                if row is None:
                    return None
                checkpoint_id = row[0]
            rows: dict[str, Any] = {}
            at: str | None = checkpoint_id
            while at is not None:  # the row and, if it is a delta, its parents up to a full one
                await cur.execute(f"SELECT {COLS} FROM livegraph_checkpoints WHERE thread_id=%s AND ns=%s "
                                  "AND id=%s", (thread_id, ns, at))
                found = await cur.fetchone()
                if found is None:
                    break
                rows[at] = found
                at = found[3] if found[10] != _delta.FULL else None
            await cur.execute("SELECT task_id, channel, value FROM livegraph_writes WHERE thread_id=%s AND ns=%s "
                              "AND checkpoint_id=%s ORDER BY seq", (thread_id, ns, checkpoint_id))
            writes = [(t, ch, loads(v)) for t, ch, v in await cur.fetchall()]
        if checkpoint_id not in rows:
            return None
        row = rows[checkpoint_id]
        known = _delta.resolve(
            checkpoint_id,
            lambda cid: None if cid not in rows else (rows[cid][3], rows[cid][10], loads_data(rows[cid][6])),
        )
        return self._tuple(self._decode(row, known.data), writes)

    async def alist(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: Mapping[str, Any] | None = None,  # noqa: A002 - LangGraph's name
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        conf = (config or {}).get("configurable") or {}
        clause, args = self._where(conf.get("thread_id"), conf.get("checkpoint_ns"))
        async with self._acursor() as cur:
            await cur.execute(f"SELECT {COLS} FROM livegraph_checkpoints{clause} ORDER BY thread_id, ns, seq", args)
            rows = await cur.fetchall()
            await cur.execute("SELECT thread_id, ns, checkpoint_id, task_id, channel, value FROM livegraph_writes"
                              f"{clause} ORDER BY seq", args)
            stored: dict[tuple[str, str, str], builtins.list[tuple[str, str, Any]]] = {}
            for thread_id, ns, checkpoint_id, task_id, channel, value in await cur.fetchall():
                stored.setdefault((thread_id, ns, checkpoint_id), []).append((task_id, channel, loads(value)))
        checkpoints = self._decode_all(rows)
        for item in self._selected(checkpoints, conf, filter, before, limit,
                                   lambda cp: stored.get((cp.thread_id, cp.ns, cp.id), [])):
            yield item

    async def aget(self, config: Mapping[str, Any]) -> dict[str, Any] | None:
        found = await self.aget_tuple(config)
        return None if found is None else found.checkpoint


__all__ = ["AsyncPostgresSaver", "PostgresSaver"]
