"""What the SQL savers (`SqliteSaver`, `PostgresSaver`) share: the file format's name and version, the
columns of their tables, and the translation between a row and a `Checkpoint`.

Each saver keeps its own dialect (placeholders, autoincrement, upserts), its connections and its way of
adding a checkpoint safely; a row has the columns of `COLS`, in that order.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from .._engine._errors import CheckpointError
from . import _delta
from .base import BaseCheckpointSaver, Checkpoint
from .serde import dumps, dumps_data, from_data, loads, loads_data

FORMAT = "livegraph-checkpoints"
# 1: every checkpoint stores the whole state. 2: a checkpoint may store only what changed since its parent
# (`kind` = 'delta', see `_delta.py`), and `put_writes` has a table.
VERSION = 2

COLS = "thread_id, ns, id, parent_id, step, created_at, state, pending, metadata, tasks, kind"

# livegraph_checkpoints' columns after each saver's own autoincrementing `seq` key.
CHECKPOINT_COLUMNS = """
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
    kind TEXT NOT NULL DEFAULT 'full',
    UNIQUE (thread_id, ns, id)"""

# livegraph_writes' columns, one `put_writes` row each (PostgreSQL adds a `seq` to keep their order).
WRITE_COLUMNS = """
    thread_id TEXT NOT NULL,
    ns TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    channel TEXT NOT NULL,
    value TEXT NOT NULL,
    task_path TEXT NOT NULL,"""


class SqlSaver(BaseCheckpointSaver):
    """The row encoding both SQL savers use. A subclass sets `_MARK` (its driver's placeholder) and
    `_DAMAGED` (what to say when a stored delta's parent is missing), and makes `self._chains`."""

    _MARK = "?"
    _DAMAGED = "the checkpoint file is damaged"
    _chains: _delta.Chains

    def _encode(self, cp: Checkpoint) -> dict[str, Any]:
        """`cp` as a row: column -> value, in `COLS` order (its state as a delta when the chain allows)."""
        kind, state = self._chains.encode(cp.thread_id, cp.ns, cp.id, cp.parent_id, cp.values)
        return {
            "thread_id": cp.thread_id, "ns": cp.ns, "id": cp.id, "parent_id": cp.parent_id, "step": cp.step,
            "created_at": cp.created_at, "state": dumps_data(state), "pending": dumps(cp.pending, "pending tasks"),
            "metadata": dumps(cp.metadata, "metadata"), "tasks": dumps(cp.tasks, "task results"), "kind": kind,
        }

    @staticmethod
    def _encode_writes(
        thread_id: str, ns: str, checkpoint_id: str, rows: Sequence[tuple[str, int, str, Any, str]]
    ) -> builtins.list[tuple[Any, ...]]:
        """`add_writes` rows as livegraph_writes rows."""
        return [(thread_id, ns, checkpoint_id, task_id, idx, ch, dumps(v, f"write to `{ch}`"), path)
                for task_id, idx, ch, v, path in rows]

    def _where(self, thread_id: Any, ns: Any) -> tuple[str, builtins.list[str]]:
        """A WHERE clause (or "") and its arguments for the thread and namespace given (None: any)."""
        where, args = [], []
        for column, value in (("thread_id", thread_id), ("ns", ns)):
            if value is not None:
                where.append(f"{column}={self._MARK}")
                args.append(str(value))
        return (f" WHERE {' AND '.join(where)}" if where else ""), args

    def _decode(self, row: Sequence[Any], state: Any) -> Checkpoint:
        """A row (in `COLS` order) as a checkpoint whose values are `state` (JSON data, already resolved)."""
        try:
            return Checkpoint(row[0], row[1], row[2], row[3], row[4], from_data(state), loads(row[7]),
                              loads(row[8]), row[5], loads(row[9]))
        except ValueError as exc:
            raise self._corrupt(row, exc) from exc

    @staticmethod
    def _corrupt(row: Sequence[Any], exc: ValueError) -> CheckpointError:
        if isinstance(exc, CheckpointError):
            return exc
        return CheckpointError(f"Checkpoint {row[2]!r} of thread `{row[0]}` is corrupt ({exc})")

    def _decode_all(self, rows: Sequence[Sequence[Any]]) -> builtins.list[Checkpoint]:
        """Rows ordered by thread, namespace and creation, as checkpoints newest first within each thread."""
        states: dict[tuple[str, str, str], Any] = {}
        by_thread: dict[tuple[str, str], builtins.list[Checkpoint]] = {}
        for row in rows:  # oldest first within a thread: a delta's parent is already decoded
            try:
                payload = loads_data(row[6])
            except ValueError as exc:
                raise self._corrupt(row, exc) from exc
            if row[10] != _delta.FULL:
                base = states.get((row[0], row[1], row[3]))
                if base is None:
                    raise CheckpointError(f"Checkpoint {row[2]!r} of thread `{row[0]}` is stored as changes to "
                                          f"{row[3]!r}, which is missing; {self._DAMAGED}")
                payload = _delta.apply(base, payload)
            states[(row[0], row[1], row[2])] = payload
            by_thread.setdefault((row[0], row[1]), []).append(self._decode(row, payload))
        return [cp for cps in by_thread.values() for cp in reversed(cps)]
