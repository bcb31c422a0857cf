"""Names the async node that blocks the event loop.

An `async def` node that calls blocking code (`time.sleep`, a sync HTTP client) stops the loop: nothing
streams until it yields, and then everything arrives at once. LangGraph stays silent; livegraph watches
the loop from a helper thread while async tasks run, and when the loop stops answering for longer than
`BLOCK_SECONDS` it finds the blocking node from the loop thread's stack, warns once naming it, and adds a
`loop_blocked` event to the `events` stream. livegraph's own one-time work done on the loop (`own_work()`)
is never counted against a node. Where no thread can start (Pyodide), a callback on the loop itself
notices the block when it ends (`_LoopWatch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import _platform

if TYPE_CHECKING:
    from ._plan import Task
    from ._run import Run

BLOCK_SECONDS = 0.5
_TICK = 0.1

# Thread id -> when livegraph's own work (importing the OpenAI SDK, starting the embedded server) last ended
# on that thread, or `inf` while it runs. A loop held by it is not the node's doing: the watchdog measures a
# block from the end of that work.
_own: dict[int, float] = {}


class _Watch:
    __slots__ = (
        "blocked_since",
        "codes",
        "culprit",
        "loop",
        "pinged",
        "reported",
        "run",
        "tasks",
        "thread_id",
    )

    def __init__(self, run: Run, tasks: list[Task], loop: asyncio.AbstractEventLoop) -> None:
        self.run = run
        self.tasks = tasks
        self.loop = loop
        self.thread_id = threading.get_ident()
        self.codes = {getattr(t.node.fn, "__code__", None): t for t in tasks if t.node.is_async}
        self.pinged = 0.0  # when the helper last asked the loop to answer; 0 when it has answered
        self.blocked_since = 0.0
        self.reported = False
        self.culprit: Task | None = None

    def answer(self) -> None:
        if self.reported and self.blocked_since:
            seconds = round(time.monotonic() - self.blocked_since, 3)
            # After the event the watchdog thread sent when it noticed (queued on this loop before us).
            self.loop.call_soon(
                self.run.event, "loop_blocked", self.culprit, {"seconds": seconds, "over": True}
            )
        self.pinged = 0.0
        self.blocked_since = 0.0
        self.reported = False

    def culprit_task(self) -> Task | None:
        frame = sys._current_frames().get(self.thread_id)
        while frame is not None:
            task = self.codes.get(frame.f_code)
            if task is not None:
                return task
            frame = frame.f_back
        asyncs = [t for t in self.tasks if t.node.is_async]
        return asyncs[0] if len(asyncs) == 1 else None


_watches: dict[int, _Watch] = {}
_lock = threading.Lock()
_thread: threading.Thread | None = None


def _loop_forever() -> None:
    while True:
        time.sleep(_TICK)
        now = time.monotonic()
        with _lock:
            watches = list(_watches.values())
        for w in watches:
            if not w.pinged:
                w.pinged = now
                with contextlib.suppress(RuntimeError):  # loop closed meanwhile
                    w.loop.call_soon_threadsafe(w.answer)
            elif not w.reported and now - (since := max(w.pinged, _own.get(w.thread_id, 0.0))) > BLOCK_SECONDS:
                w.reported = True
                w.blocked_since = since
                task = w.culprit = w.culprit_task()
                _warn(task)
                w.run.event("loop_blocked", task, {"seconds": round(now - since, 3), "over": False})


def hold_loop(held: bool | float | None) -> float | None:
    """The loop running in this thread is held by livegraph (True: a sync consumer that steps it between
    items has it) or runs for the graph again (False); time it is held is not counted against a node. A
    float or None (what an earlier call returned) puts that state back. Returns the state before."""
    me = threading.get_ident()
    before = _own.get(me)
    if held is None:
        _own.pop(me, None)
    else:
        _own[me] = held if isinstance(held, float) else math.inf if held else time.monotonic()
    return before


@contextlib.contextmanager
def own_work() -> Iterator[None]:
    """Mark livegraph's own one-time work on this thread, so a loop it holds is not blamed on a node."""
    me = threading.get_ident()
    outer = _own.get(me) == math.inf
    _own[me] = math.inf
    try:
        yield
    finally:
        _own[me] = math.inf if outer else time.monotonic()


def _warn(task: Task | None) -> None:
    who = f"Node `{task.name}`" if task else "An async node"
    warnings.warn(
        f"{who} is blocking the event loop (no await for over {BLOCK_SECONDS:.1f} s): streamed chunks "
        "are held until it awaits, then arrive all at once. Use an async client and "
        "`await asyncio.sleep(...)` in `async def` nodes, or make the node a plain `def` "
        "(livegraph runs those in a thread).",
        RuntimeWarning,
        stacklevel=1,
    )


class _LoopWatch:
    """The watchdog where no thread can start (Pyodide): a callback on the watched loop itself, due every
    `_TICK` seconds. A block is seen when it ends (the callback runs late), so both `loop_blocked` events
    come then, and the node is the async task of the step if there is one (no stack to read meanwhile)."""

    def __init__(self, run: Run, tasks: list[Task], loop: asyncio.AbstractEventLoop) -> None:
        self.run = run
        asyncs = [t for t in tasks if t.node.is_async]
        self.culprit = asyncs[0] if len(asyncs) == 1 else None
        self.loop = loop
        self.due = time.monotonic() + _TICK
        self.handle = loop.call_later(_TICK, self.tick)

    def tick(self) -> None:
        self.check(time.monotonic())
        self.handle = self.loop.call_later(_TICK, self.tick)

    def check(self, now: float) -> None:
        late = now - self.due
        if late > BLOCK_SECONDS:
            _warn(self.culprit)
            seconds = round(late, 3)
            self.run.event("loop_blocked", self.culprit, {"seconds": seconds, "over": False})
            self.run.event("loop_blocked", self.culprit, {"seconds": seconds, "over": True})
        self.due = now + _TICK

    def close(self) -> None:
        self.handle.cancel()
        self.check(time.monotonic())  # a block that lasted until the step ended, seen by no callback


@contextlib.contextmanager
def watch(run: Run, tasks: list[Task]) -> Iterator[None]:
    """Watch the running loop while `tasks` run, if any of them is an async node."""
    if not any(t.node.is_async for t in tasks):
        yield
        return
    if not _platform.HAS_THREADS:
        on_loop = _LoopWatch(run, tasks, asyncio.get_running_loop())
        try:
            yield
        finally:
            on_loop.close()
        return
    global _thread
    if _thread is None:
        with _lock:
            if _thread is None:
                _thread = threading.Thread(target=_loop_forever, name="livegraph-watchdog", daemon=True)
                _thread.start()
    w = _Watch(run, tasks, asyncio.get_running_loop())
    key = id(w)
    with _lock:
        _watches[key] = w
    try:
        yield
    finally:
        with _lock:
            _watches.pop(key, None)


__all__: list[Any] = ["hold_loop", "own_work", "watch"]
