"""`InMemorySaver` (alias `MemorySaver`): checkpoints kept in this process, for notebooks and tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from .._errors import CheckpointError
from .base import BaseCheckpointSaver, Checkpoint, moved_on
from .serde import from_data, state_to_data, to_data


class InMemorySaver(BaseCheckpointSaver):
    """Keeps every checkpoint in memory, checked for storability like the SQLite saver (so a graph that
    works here also works when saved to a file).

    Checkpoints are kept encoded (as the JSON data the SQLite saver writes as text) and decoded on every
    read, so neither a node that changes its state in place nor a caller that changes a snapshot's values
    can change history.
    """

    def __init__(self) -> None:
        self._threads: dict[tuple[str, str], list[_Row]] = {}
        self._lock = threading.Lock()

    def get(self, thread_id: str, ns: str = "", checkpoint_id: str | None = None) -> Checkpoint | None:
        with self._lock:
            history = self._threads.get((str(thread_id), ns), [])
            if checkpoint_id is None:
                row = history[-1] if history else None
            else:
                row = next((r for r in history if r.id == checkpoint_id), None)
        return row.decode() if row is not None else None

    def head(self, thread_id: str, ns: str = "") -> str | None:
        with self._lock:
            history = self._threads.get((str(thread_id), ns))
            return history[-1].id if history else None

    def list(self, thread_id: str, ns: str = "", *, limit: int | None = None) -> Iterator[Checkpoint]:
        with self._lock:
            history = list(reversed(self._threads.get((str(thread_id), ns), [])))
        return (row.decode() for row in (history[:limit] if limit else history))

    def put(self, checkpoint: Checkpoint, *, head: str | None) -> None:
        row = _Row.encode(checkpoint)
        with self._lock:
            history = self._threads.setdefault((checkpoint.thread_id, checkpoint.ns), [])
            found = history[-1].id if history else None
            if found != head:
                raise CheckpointError(moved_on(checkpoint.thread_id, head, found))
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

    def delete_thread(self, thread_id: str) -> None:
        with self._lock:
            for key in [k for k in self._threads if k[0] == str(thread_id)]:
                del self._threads[key]


@dataclass(frozen=True)
class _Row:
    """One stored checkpoint: its plain fields, and its data as checkpoint JSON data (not text: the same
    checks and copies as the SQLite saver, without the text)."""

    thread_id: str
    ns: str
    id: str
    parent_id: str | None
    step: int
    created_at: str
    values: Any
    pending: Any
    metadata: Any
    tasks: Any

    @classmethod
    def encode(cls, cp: Checkpoint) -> _Row:
        return cls(cp.thread_id, cp.ns, cp.id, cp.parent_id, cp.step, cp.created_at, state_to_data(cp.values),
                   to_data(cp.pending, "pending tasks"), to_data(cp.metadata, "metadata"),
                   to_data(cp.tasks, "task results"))

    def decode(self) -> Checkpoint:
        return Checkpoint(self.thread_id, self.ns, self.id, self.parent_id, self.step, from_data(self.values),
                          from_data(self.pending), from_data(self.metadata), self.created_at,
                          from_data(self.tasks))


MemorySaver = InMemorySaver

__all__ = ["InMemorySaver", "MemorySaver"]
