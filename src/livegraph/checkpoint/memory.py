"""`InMemorySaver` (alias `MemorySaver`): checkpoints kept in this process, for notebooks and tests."""

from __future__ import annotations

import builtins
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .._engine._errors import CheckpointError
from . import _delta
from .base import BaseCheckpointSaver, Checkpoint, moved_on
from .serde import from_data, to_data


class InMemorySaver(BaseCheckpointSaver):
    """Keeps every checkpoint in memory, checked for storability like the SQLite saver (so a graph that
    works here also works when saved to a file).

    Checkpoints are kept encoded (as the JSON data the SQLite saver writes as text, a step's state as
    what changed since its parent) and decoded on every read, so neither a node that changes its state in
    place nor a caller that changes a snapshot's values can change history.
    """

    def __init__(self) -> None:
        self._threads: dict[tuple[str, str], builtins.list[_Row]] = {}
        self._writes: dict[tuple[str, str, str], dict[tuple[str, int], tuple[str, Any]]] = {}
        self._chains = _delta.Chains()
        self._lock = threading.Lock()

    def _decode(self, row: _Row, history: Sequence[_Row]) -> Checkpoint:
        by_id = {r.id: r for r in history} if row.kind != _delta.FULL else {}

        def fetch(cp_id: str) -> tuple[str | None, str, Any] | None:
            r = row if cp_id == row.id else by_id.get(cp_id)
            return None if r is None else (r.parent_id, r.kind, r.state)

        known = _delta.resolve(row.id, fetch)
        cp = row.decode(known.data)
        self._chains.remember(row.thread_id, row.ns, known)
        return cp

    def load(self, thread_id: str, ns: str = "", checkpoint_id: str | None = None) -> Checkpoint | None:
        with self._lock:
            history = list(self._threads.get((str(thread_id), ns), []))
        if checkpoint_id is None:
            row = history[-1] if history else None
        else:
            row = next((r for r in history if r.id == checkpoint_id), None)
        return self._decode(row, history) if row is not None else None

    def head(self, thread_id: str, ns: str = "") -> str | None:
        with self._lock:
            history = self._threads.get((str(thread_id), ns))
            return history[-1].id if history else None

    def history(self, thread_id: str | None, ns: str | None = "") -> Iterator[Checkpoint]:
        with self._lock:
            keys = [k for k in self._threads if (thread_id is None or k[0] == str(thread_id))
                    and (ns is None or k[1] == ns)]
            threads = [list(self._threads[k]) for k in keys]
        for rows in threads:
            states: dict[str, Any] = {}
            decoded = []
            for row in rows:  # oldest first: a delta's parent is already decoded
                if row.kind == _delta.FULL:
                    states[row.id] = row.state
                else:
                    states[row.id] = _delta.apply(states[row.parent_id or ""], row.state)
                decoded.append(row.decode(states[row.id]))
            yield from reversed(decoded)

    def append(self, checkpoint: Checkpoint, *, head: str | None) -> None:
        cp = checkpoint
        kind, state = self._chains.encode(cp.thread_id, cp.ns, cp.id, cp.parent_id, cp.values)
        row = _Row.encode(cp, kind, state)
        with self._lock:
            history = self._threads.setdefault((cp.thread_id, cp.ns), [])
            found = history[-1].id if history else None
            if found != head:
                raise CheckpointError(moved_on(cp.thread_id, head, found))
            history.append(row)

    def set_tasks(self, thread_id: str, ns: str, checkpoint_id: str, tasks: dict[str, Any]) -> None:
        data = to_data(tasks, "task results")
        with self._lock:
            history = self._threads.get((thread_id, ns), [])
            for i, row in enumerate(history):
                if row.id == checkpoint_id:
                    history[i] = replace(row, tasks=data)
                    return
        raise CheckpointError(f"Thread `{thread_id}` has no checkpoint {checkpoint_id!r}")

    def add_writes(
        self, thread_id: str, ns: str, checkpoint_id: str, rows: Sequence[tuple[str, int, str, Any, str]]
    ) -> None:
        encoded = [(task_id, idx, ch, to_data(v, f"write to `{ch}`")) for task_id, idx, ch, v, _path in rows]
        with self._lock:
            stored = self._writes.setdefault((thread_id, ns, checkpoint_id), {})
            for task_id, idx, ch, v in encoded:
                stored[(task_id, idx)] = (ch, v)

    def writes_of(self, thread_id: str, ns: str, checkpoint_id: str) -> builtins.list[tuple[str, str, Any]]:
        with self._lock:
            stored = dict(self._writes.get((thread_id, ns, checkpoint_id)) or {})
        return [(task_id, ch, from_data(v)) for (task_id, _idx), (ch, v) in stored.items()]

    def delete_thread(self, thread_id: str) -> None:
        with self._lock:
            for key in [k for k in self._threads if k[0] == str(thread_id)]:
                del self._threads[key]
            for wkey in [k for k in self._writes if k[0] == str(thread_id)]:
                del self._writes[wkey]
        self._chains.forget(str(thread_id))


@dataclass(frozen=True)
class _Row:
    """One stored checkpoint: its plain fields, and its data as checkpoint JSON data (not text: the same
    checks and copies as the SQLite saver, without the text). `state` is the whole state (`kind` full)
    or the changes since the parent (`kind` delta)."""

    thread_id: str
    ns: str
    id: str
    parent_id: str | None
    step: int
    created_at: str
    kind: str
    state: Any
    pending: Any
    metadata: Any
    tasks: Any

    @classmethod
    def encode(cls, cp: Checkpoint, kind: str, state: Any) -> _Row:
        return cls(cp.thread_id, cp.ns, cp.id, cp.parent_id, cp.step, cp.created_at, kind, state,
                   to_data(cp.pending, "pending tasks"), to_data(cp.metadata, "metadata"),
                   to_data(cp.tasks, "task results"))

    def decode(self, state: Any) -> Checkpoint:
        return Checkpoint(self.thread_id, self.ns, self.id, self.parent_id, self.step, from_data(state),
                          from_data(self.pending), from_data(self.metadata), self.created_at,
                          from_data(self.tasks))


MemorySaver = InMemorySaver

__all__ = ["InMemorySaver", "MemorySaver"]
