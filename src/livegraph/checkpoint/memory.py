"""`InMemorySaver` (alias `MemorySaver`): checkpoints kept in this process, for notebooks and tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from .._errors import CheckpointError
from .base import BaseCheckpointSaver, Checkpoint, moved_on
from .serde import dumps, dumps_state, loads


class InMemorySaver(BaseCheckpointSaver):
    """Keeps every checkpoint in memory, checked for storability like the SQLite saver (so a graph that
    works here also works when saved to a file)."""

    def __init__(self) -> None:
        self._threads: dict[tuple[str, str], list[Checkpoint]] = {}
        self._lock = threading.Lock()

    def _copy(self, cp: Checkpoint) -> Checkpoint:
        # Store a decoded copy: later changes to the run's objects must not change history.
        return Checkpoint(
            cp.thread_id,
            cp.ns,
            cp.id,
            cp.parent_id,
            cp.step,
            loads(dumps_state(cp.values)),
            loads(dumps(cp.pending, "pending tasks")),
            loads(dumps(cp.metadata, "metadata")),
            cp.created_at,
            loads(dumps(cp.tasks, "task results")),
        )

    def get(self, thread_id: str, ns: str = "", checkpoint_id: str | None = None) -> Checkpoint | None:
        with self._lock:
            history = self._threads.get((str(thread_id), ns), [])
            if checkpoint_id is None:
                return history[-1] if history else None
            for cp in history:
                if cp.id == checkpoint_id:
                    return cp
        return None

    def list(self, thread_id: str, ns: str = "", *, limit: int | None = None) -> Iterator[Checkpoint]:
        with self._lock:
            history = list(reversed(self._threads.get((str(thread_id), ns), [])))
        return iter(history[:limit] if limit else history)

    def put(self, checkpoint: Checkpoint, *, head: str | None) -> None:
        stored = self._copy(checkpoint)
        with self._lock:
            history = self._threads.setdefault((checkpoint.thread_id, checkpoint.ns), [])
            found = history[-1].id if history else None
            if found != head:
                raise CheckpointError(moved_on(checkpoint.thread_id, head, found))
            history.append(stored)

    def set_tasks(self, thread_id: str, ns: str, checkpoint_id: str, tasks: dict[str, Any]) -> None:
        stored = loads(dumps(tasks, "task results"))
        with self._lock:
            history = self._threads.get((thread_id, ns), [])
            for i, cp in enumerate(history):
                if cp.id == checkpoint_id:
                    history[i] = cp.with_tasks(stored)
                    return
        raise CheckpointError(f"Thread `{thread_id}` has no checkpoint {checkpoint_id!r}")

    def delete_thread(self, thread_id: str) -> None:
        with self._lock:
            for key in [k for k in self._threads if k[0] == str(thread_id)]:
                del self._threads[key]


MemorySaver = InMemorySaver

__all__ = ["InMemorySaver", "MemorySaver"]
