"""What a checkpointer stores, and the interface every saver implements."""

from __future__ import annotations

import abc
import asyncio
import builtins
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, NamedTuple

from .._engine._errors import CheckpointError


@dataclass(frozen=True)
class Checkpoint:
    """The state of one thread after one superstep (or after its input, or after `update_state`).

    Attributes:
        thread_id: The thread (`config["configurable"]["thread_id"]`).
        ns: The checkpoint namespace ("" for the top graph).
        id: Unique id; ids of one thread sort by creation.
        parent_id: The checkpoint this one continued from (None for a thread's first).
        step: The superstep it was taken after (-1: the input before it is applied; 0: after it is).
        values: The state.
        pending: What runs next: `{"pull": {node: [triggers]}, "push": [Send, ...], "joins": {key: [nodes]}}`.
        metadata: LangGraph's (`{"source": "input" | "loop" | "update" | "fork", "step": int, "parents":
            {}}` and the run's `config["metadata"]`), plus `writes`: the step's `{node: update}`.
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


class CheckpointTuple(NamedTuple):
    """LangGraph's view of one checkpoint, as `get_tuple` and `list` return it.

    Attributes:
        config: The checkpoint's config (`thread_id`, `checkpoint_ns`, `checkpoint_id`).
        checkpoint: LangGraph's checkpoint dict: `v`, `id`, `ts`, `channel_values`, `channel_versions`,
            `versions_seen`, `updated_channels` (plus `livegraph`: what runs next, for `put` to copy it).
        metadata: `{"source", "step", "parents", ...}`.
        parent_config: The config of the checkpoint this one continued from, or None.
        pending_writes: `(task_id, channel, value)` saved against this checkpoint: the writes of tasks that
            finished before an interrupt stopped the step, the interrupts, and what `put_writes` stored.
    """

    config: dict[str, Any]
    checkpoint: dict[str, Any]
    metadata: dict[str, Any]
    parent_config: dict[str, Any] | None = None
    pending_writes: list[tuple[str, str, Any]] | None = None


class BaseCheckpointSaver(abc.ABC):
    """Stores checkpoints by thread. Subclasses: `InMemorySaver`, `SqliteSaver`, `PostgresSaver`.

    Two interfaces. The engine's, in livegraph's own terms (`load`, `history`, `append` with a check that
    nobody else moved the thread on, `set_tasks`, `head`); and LangGraph's, built on it here once for
    every saver, for code and tools that call a checkpointer directly: `get_tuple`, `get`, `list`, `put`,
    `put_writes`, `delete_thread` and their async twins (`aget_tuple`, `alist`, ...).
    """

    # -- the engine's interface ------------------------------------------------------------------------
    @abc.abstractmethod
    def load(self, thread_id: str, ns: str = "", checkpoint_id: str | None = None) -> Checkpoint | None:
        """The checkpoint with that id, or the thread's latest; None when there is none."""

    @abc.abstractmethod
    def history(self, thread_id: str | None, ns: str | None = "") -> Iterator[Checkpoint]:
        """The thread's checkpoints, newest first (`thread_id=None`: every thread's; `ns=None`: every
        namespace's)."""

    @abc.abstractmethod
    def append(self, checkpoint: Checkpoint, *, head: str | None) -> None:
        """Store `checkpoint` as the thread's newest.

        `head` is the newest checkpoint id the caller saw; if another run has written to the thread since,
        raise `CheckpointError` instead of interleaving two histories.
        """

    @abc.abstractmethod
    def set_tasks(self, thread_id: str, ns: str, checkpoint_id: str, tasks: dict[str, Any]) -> None:
        """Record an interrupted step's task outcomes on an existing checkpoint."""

    @abc.abstractmethod
    def delete_thread(self, thread_id: str) -> None:
        """Forget a thread: its checkpoints in every namespace and their writes."""

    @abc.abstractmethod
    def add_writes(
        self, thread_id: str, ns: str, checkpoint_id: str, rows: Sequence[tuple[str, int, str, Any, str]]
    ) -> None:
        """Store `(task_id, index, channel, value, task_path)` rows against a checkpoint (`put_writes`);
        a row with the same (task_id, index) replaces the old one."""

    @abc.abstractmethod
    def writes_of(self, thread_id: str, ns: str, checkpoint_id: str) -> builtins.list[tuple[str, str, Any]]:
        """What `add_writes` stored against a checkpoint, as `(task_id, channel, value)` in write order."""

    def head(self, thread_id: str, ns: str = "") -> str | None:
        latest = self.load(thread_id, ns)
        return latest.id if latest else None

    # -- LangGraph's interface -------------------------------------------------------------------------
    def get_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        """The checkpoint `config` names (its `checkpoint_id`, else the thread's newest), or None."""
        thread_id, ns, checkpoint_id = _address(config)
        cp = self.load(thread_id, ns, checkpoint_id)
        return None if cp is None else self._tuple(cp)

    def get(self, config: Mapping[str, Any]) -> dict[str, Any] | None:
        """LangGraph's checkpoint dict of `get_tuple(config)`, or None."""
        found = self.get_tuple(config)
        return None if found is None else found.checkpoint

    def list(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: Mapping[str, Any] | None = None,  # noqa: A002 - LangGraph's name
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints newest first: of the thread `config` names (every thread's for None), only those
        whose metadata has the values in `filter`, older than the checkpoint `before` names, at most
        `limit`."""
        conf = (config or {}).get("configurable") or {}
        thread_id = None if conf.get("thread_id") is None else str(conf["thread_id"])
        ns = conf.get("checkpoint_ns")
        yield from self._selected(self.history(thread_id, None if ns is None else str(ns)), conf, filter, before,
                                  limit)

    def _selected(
        self,
        checkpoints: Iterable[Checkpoint],
        conf: Mapping[str, Any],
        filter: Mapping[str, Any] | None,  # noqa: A002 - LangGraph's name
        before: Mapping[str, Any] | None,
        limit: int | None,
        writes: Callable[[Checkpoint], Sequence[tuple[str, str, Any]]] | None = None,
    ) -> Iterator[CheckpointTuple]:
        """`list`'s choice among `checkpoints` (newest first), as tuples (shared with the async savers, which
        give the `put_writes` rows they read as `writes`)."""
        older_than = ((before or {}).get("configurable") or {}).get("checkpoint_id")
        seen_before = older_than is None
        found = 0
        for cp in checkpoints:
            if limit is not None and found >= limit:
                return
            if not seen_before:  # newest first: everything after `before` is older
                seen_before = cp.id == older_than
                continue
            if conf.get("checkpoint_id") and cp.id != conf["checkpoint_id"]:
                continue
            meta = public_metadata(cp.metadata)
            if filter and any(meta.get(k) != v for k, v in filter.items()):
                continue
            found += 1
            yield self._tuple(cp, None if writes is None else writes(cp))

    def put(
        self,
        config: Mapping[str, Any],
        checkpoint: Mapping[str, Any],
        metadata: Mapping[str, Any],
        new_versions: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Store a checkpoint given in LangGraph's form (as `get_tuple(...).checkpoint` returns it) as the
        newest of the thread `config` names, continuing from its `checkpoint_id`; returns its config."""
        thread_id, ns, parent_id = _address(config)
        extra = checkpoint.get("livegraph") or {}
        meta = dict(metadata)
        if extra.get("writes") is not None:
            meta["writes"] = extra["writes"]
        cp = Checkpoint(
            thread_id,
            ns,
            str(checkpoint.get("id") or new_id()),
            parent_id,
            int(meta.get("step", extra.get("step", -1))),
            # LangGraph's own checkpoints also hold its routing channels (`branch:to:<node>`, `__start__`)
            {k: v for k, v in (checkpoint.get("channel_values") or {}).items()
             if not k.startswith(("branch:", "__"))},
            dict(extra.get("pending") or {}),
            meta,
            str(checkpoint.get("ts") or now_iso()),
            dict(extra.get("tasks") or {}),
        )
        self.append(cp, head=self.head(thread_id, ns))
        return config_of(thread_id, ns, cp.id)

    def put_writes(
        self, config: Mapping[str, Any], writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        """Store a task's writes against the checkpoint `config` names (they come back in `pending_writes`)."""
        thread_id, ns, checkpoint_id = _address(config)
        if checkpoint_id is None:
            raise CheckpointError("put_writes(config, ...): the config names no `checkpoint_id` to save the "
                                  "writes against; pass the config `put` returned")
        rows = [(str(task_id), _WRITE_INDEX.get(ch, i), str(ch), v, task_path) for i, (ch, v) in enumerate(writes)]
        self.add_writes(thread_id, ns, checkpoint_id, rows)

    async def aget_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def aget(self, config: Mapping[str, Any]) -> dict[str, Any] | None:
        return await asyncio.to_thread(self.get, config)

    async def alist(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: Mapping[str, Any] | None = None,  # noqa: A002 - LangGraph's name
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        found = await asyncio.to_thread(lambda: [*self.list(config, filter=filter, before=before, limit=limit)])
        for item in found:
            yield item

    async def aput(
        self,
        config: Mapping[str, Any],
        checkpoint: Mapping[str, Any],
        metadata: Mapping[str, Any],
        new_versions: Mapping[str, Any],
    ) -> dict[str, Any]:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self, config: Mapping[str, Any], writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)

    def _tuple(self, cp: Checkpoint, writes: Sequence[tuple[str, str, Any]] | None = None) -> CheckpointTuple:
        """`cp` as LangGraph's tuple; `writes` are what `put_writes` stored (None: ask `writes_of`)."""
        if writes is None:
            writes = self.writes_of(cp.thread_id, cp.ns, cp.id)
        return CheckpointTuple(
            config_of(cp.thread_id, cp.ns, cp.id),
            langgraph_checkpoint(cp),
            public_metadata(cp.metadata),
            config_of(cp.thread_id, cp.ns, cp.parent_id) if cp.parent_id else None,
            [*pending_writes(cp), *writes],
        )


# LangGraph's fixed indexes for special channels (so a task's error or interrupt replaces the last one).
_WRITE_INDEX = {"__error__": -1, "__scheduled__": -2, "__interrupt__": -3, "__resume__": -4}


def _address(config: Mapping[str, Any]) -> tuple[str, str, str | None]:
    conf = (config or {}).get("configurable") or {}
    if conf.get("thread_id") is None:
        raise CheckpointError("The config names no thread: pass `{'configurable': {'thread_id': '1'}}`")
    return str(conf["thread_id"]), str(conf.get("checkpoint_ns") or ""), conf.get("checkpoint_id")


def config_of(thread_id: str | None, ns: str, checkpoint_id: str | None) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}}


def public_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """A checkpoint's metadata as LangGraph shows it: `source`, `step`, `parents` and the run's own keys.
    (livegraph also stores each step's updates under `writes`, for `StateSnapshot.tasks[i].result`; files
    written before `parents` existed get an empty one.)"""
    out = {k: v for k, v in metadata.items() if k != "writes"}
    out.setdefault("parents", {})
    return out


def langgraph_checkpoint(cp: Checkpoint) -> dict[str, Any]:
    """`cp` in LangGraph's checkpoint form. livegraph keeps no per-channel versions: `channel_versions`
    holds the step each channel was last written in this checkpoint's step (or 0)."""
    written = sorted(k for update in (cp.metadata.get("writes") or {}).values() if isinstance(update, Mapping)
                     for k in update)
    return {
        "v": 4,
        "id": cp.id,
        "ts": cp.created_at,
        "channel_values": dict(cp.values),
        "channel_versions": {k: (cp.step + 1 if k in written else 0) for k in cp.values},
        "versions_seen": {},
        "updated_channels": written,
        "livegraph": {"pending": cp.pending, "tasks": cp.tasks, "step": cp.step,
                      "writes": cp.metadata.get("writes")},
    }


def pending_writes(cp: Checkpoint) -> list[tuple[str, str, Any]]:
    """An interrupted step's saved outcomes as LangGraph's pending writes: finished tasks' writes, then each
    interrupted task's interrupts."""
    out: list[tuple[str, str, Any]] = []
    for task_id, result in (cp.tasks.get("done") or {}).items():
        out.extend((task_id, str(k), v) for k, v in result.get("writes") or [])
    for task_id, items in (cp.tasks.get("interrupts") or {}).items():
        out.append((task_id, "__interrupt__", list(items)))
    return out


def moved_on(thread_id: str, expected: str | None, found: str | None) -> str:
    return (
        f"Thread `{thread_id}` was changed by another run while this run was going (expected its newest "
        f"checkpoint to be {expected!r}, found {found!r}); nothing was overwritten. Run one graph at a time "
        "per thread_id, or give concurrent runs different thread_ids."
    )
