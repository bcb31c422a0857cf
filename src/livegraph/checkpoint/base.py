"""What a checkpointer stores, and the interface every saver implements."""

from __future__ import annotations

import abc
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class Checkpoint:
    """The state of one thread after one superstep (or after its input, or after `update_state`).

    Attributes:
        thread_id: The thread (`config["configurable"]["thread_id"]`).
        ns: The checkpoint namespace ("" for the top graph).
        id: Unique id; ids of one thread sort by creation.
        parent_id: The checkpoint this one continued from (None for a thread's first).
        step: The superstep it was taken after (0: after the input).
        values: The state.
        pending: What runs next: `{"pull": {node: [triggers]}, "push": [Send, ...], "joins": {key: [nodes]}}`.
        metadata: `{"source": "input" | "loop" | "update", "step": int, "writes": {...}}`.
        created_at: ISO-8601 UTC time.
        tasks: For a step stopped by an interrupt: `{"done": {task_id: result}, "interrupts": {task_id:
            [Interrupt]}, "resume": {task_id: [value, ...]}}`; `{"skip_before": True}` after an
            `interrupt_before` stop. Empty otherwise.
    """

    thread_id: str
    ns: str
    id: str
    parent_id: str | None
    step: int
    values: dict[str, Any]
    pending: dict[str, Any]
    metadata: dict[str, Any]
    created_at: str
    tasks: dict[str, Any] = field(default_factory=dict)

    def with_tasks(self, tasks: dict[str, Any]) -> Checkpoint:
        return replace(self, tasks=tasks)


_last_us = 0
_id_lock = threading.Lock()


def new_id() -> str:
    """A checkpoint id that sorts by creation time (like LangGraph's uuid6 ids): microseconds since the
    epoch, never repeated or going back within a process, and 48 random bits."""
    global _last_us
    with _id_lock:
        _last_us = max(time.time_ns() // 1000, _last_us + 1)
        us = _last_us
    return f"{us:016x}-{os.urandom(6).hex()}"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


class BaseCheckpointSaver(abc.ABC):
    """Stores checkpoints by thread. Subclasses: `InMemorySaver`, `SqliteSaver`."""

    @abc.abstractmethod
    def get(self, thread_id: str, ns: str = "", checkpoint_id: str | None = None) -> Checkpoint | None:
        """The checkpoint with that id, or the thread's latest; None when there is none."""

    @abc.abstractmethod
    def list(self, thread_id: str, ns: str = "", *, limit: int | None = None) -> Iterator[Checkpoint]:
        """The thread's checkpoints, newest first."""

    @abc.abstractmethod
    def put(self, checkpoint: Checkpoint, *, head: str | None) -> None:
        """Store `checkpoint` as the thread's newest.

        `head` is the newest checkpoint id the caller saw; if another run has written to the thread since,
        raise `CheckpointError` instead of interleaving two histories.
        """

    @abc.abstractmethod
    def set_tasks(self, thread_id: str, ns: str, checkpoint_id: str, tasks: dict[str, Any]) -> None:
        """Record an interrupted step's task outcomes on an existing checkpoint."""

    @abc.abstractmethod
    def delete_thread(self, thread_id: str) -> None:
        """Forget a thread."""

    def head(self, thread_id: str, ns: str = "") -> str | None:
        latest = self.get(thread_id, ns)
        return latest.id if latest else None

    # LangGraph's saver names, for code that calls them directly
    def get_tuple(self, config: dict[str, Any]) -> Checkpoint | None:
        conf = config.get("configurable") or {}
        return self.get(str(conf["thread_id"]), conf.get("checkpoint_ns", ""), conf.get("checkpoint_id"))


def moved_on(thread_id: str, expected: str | None, found: str | None) -> str:
    return (
        f"Thread `{thread_id}` was changed by another run while this run was going (expected its newest "
        f"checkpoint to be {expected!r}, found {found!r}); nothing was overwritten. Run one graph at a time "
        "per thread_id, or give concurrent runs different thread_ids."
    )
