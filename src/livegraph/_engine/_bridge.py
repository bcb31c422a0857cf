"""Sync calls on async graphs: `graph.stream()` / `graph.invoke()` when some node is `async def`.

Where the run goes decides which event loop the nodes' async clients see, and a client such as a module-level
`AsyncOpenAI()` keeps its connections on the loop that opened them:

- **An event loop runs in the calling thread** (a Jupyter cell, or sync code inside `asyncio.run(main())`):
  the run goes on that loop, the one `await graph.astream(...)` and a cell's own `await client...` use too.
  The consumer steps the loop itself (`_pump`) until the next item is there, so chunks arrive live; between
  items the loop waits for the consumer, as it would for any sync code in a cell. No loop is patched and
  nest_asyncio is not needed (it is fine if it was applied).
- **No loop runs here** (a script's top level, a worker thread): the run goes to one long-lived background
  loop (a daemon thread) and its items come back through a thread-safe queue, live. One shared loop (not one
  per call) means such calls all see the same loop.

Stopping (break, close, Ctrl-C, a kernel interrupt) cancels the run and returns within a second either way.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import queue
import threading
from collections.abc import Generator
from typing import Any

from . import _platform, _sigint, _watchdog
from ._async import Outbox, drive
from ._context import CURRENT
from ._handoff import consume
from ._run import Run

STOP_SECONDS = 1.0

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()
_pumping: dict[asyncio.AbstractEventLoop, int] = {}  # loops stepped by `_pump` now, and how deep


def background_loop() -> asyncio.AbstractEventLoop:
    """The shared loop for sync calls on async graphs made where no loop runs, started on first use."""
    global _loop
    if _loop is None or _loop.is_closed():
        with _lock:
            if _loop is None or _loop.is_closed():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def serve() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                threading.Thread(target=serve, name="livegraph-loop", daemon=True).start()
                ready.wait()
                _loop = loop
    return _loop


def in_background_loop() -> bool:
    try:
        return asyncio.get_running_loop() is _loop
    except RuntimeError:
        return False


NESTED = (
    "A sync call (`graph.stream`/`graph.invoke`) on an async graph was made from inside an async node; "
    "use `await graph.ainvoke(...)` or `graph.astream(...)` there"
)


def bridged(
    run: Run, data: Any, q: queue.SimpleQueue[Any], *, lazy: bool = True
) -> Generator[Any, None, None]:
    """Run an async graph on the caller's running loop, else on the background loop; yield its items here
    as they are written."""
    if not _platform.HAS_THREADS and _platform.can_block_on_loop():
        from ._nothreads import bridged_on_loop

        return bridged_on_loop(run, data)
    if not _platform.HAS_THREADS:
        call, instead = ("invoke", "await graph.ainvoke(...)") if not lazy else ("stream", "graph.astream(...)")
        raise _platform.no_threads(f"`graph.{call}(...)` on a graph with async nodes", instead)
    if in_background_loop():
        raise RuntimeError(NESTED)
    caller = _caller_loop()
    if caller is not None:
        if _pumping.get(caller) or CURRENT.get() is not None:  # on the loop, inside a node
            raise RuntimeError(NESTED)
        return _on_caller_loop(caller, run, data, lazy)
    return _on_background_loop(run, data, q, lazy)


def _on_background_loop(
    run: Run, data: Any, q: queue.SimpleQueue[Any], lazy: bool
) -> Generator[Any, None, None]:
    loop = background_loop()
    ctx = contextvars.copy_context()
    fut = ctx.run(asyncio.run_coroutine_threadsafe, drive(run, data, q.put, lazy=lazy), loop)
    finished = False
    try:
        yield from consume(q.get)
        finished = True
    finally:
        if not finished:
            run.stop.cancel()
            fut.cancel()
            concurrent.futures.wait([fut], timeout=STOP_SECONDS)


# -- on the caller's loop ------------------------------------------------------------------------------------
def _caller_loop() -> asyncio.AbstractEventLoop | None:
    """The loop running in this thread, if `_pump` can step it (asyncio's own loops), else None."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    if not isinstance(loop, asyncio.BaseEventLoop) or not _STEPPABLE:
        return None
    return loop


_STEPPABLE = all(hasattr(asyncio.tasks, name) for name in ("_enter_task", "_leave_task")) and hasattr(
    asyncio.BaseEventLoop, "_run_once"
)


def _on_caller_loop(
    loop: asyncio.AbstractEventLoop, run: Run, data: Any, lazy: bool
) -> Generator[Any, None, None]:
    box = Outbox()
    run.put = box.put  # the items come to this thread's loop, not through the cross-thread queue
    ctx = contextvars.copy_context()
    driver = ctx.run(asyncio.ensure_future, drive(run, data, box.put, lazy=lazy))
    items = box.items
    _watchdog.hold_loop(True)  # between items this thread runs the consumer, not the graph's nodes

    def get() -> Any:
        if not items:
            waiter = box.waiter = loop.create_future()
            if not items:  # an item put from another thread before the waiter was there
                _pump(loop, waiter)
            box.waiter = None
        return items.popleft()

    finished = False
    try:
        yield from consume(get)
        finished = True
    finally:
        if not finished:
            run.stop.cancel()
            driver.cancel()
        if not driver.done():
            limit = loop.create_future()
            timer = loop.call_later(STOP_SECONDS, _settle, limit)
            driver.add_done_callback(lambda _: _settle(limit))
            try:
                _pump(loop, limit, interruptible=False)
            finally:
                timer.cancel()
        _watchdog.hold_loop(False)


def waiting_on_loop(run: Run, q: queue.SimpleQueue[Any]) -> tuple[Any, Any]:
    """`(get, put)` for a sync graph's driver thread and its consumer. Where a loop runs in the consumer's
    thread, waiting for the next item steps that loop (as for async graphs), so a stop it is asked for
    (`asyncio.run`'s Ctrl-C, a kernel interrupt of an async cell) is seen at once; else `q`'s own."""
    loop = _caller_loop()
    if loop is None or _pumping.get(loop):
        return q.get, q.put
    waiting: list[asyncio.Future[None]] = []

    def wake() -> None:
        if waiting and not waiting[0].done():
            waiting[0].set_result(None)

    def put(item: Any) -> None:
        q.put(item)
        if waiting:
            loop.call_soon_threadsafe(wake)

    def get() -> Any:
        try:
            return q.get_nowait()
        except queue.Empty:
            pass
        waiting.append(loop.create_future())
        try:
            while True:
                try:
                    return q.get_nowait()
                except queue.Empty:
                    _pump(loop, waiting[0])
                    waiting[0] = loop.create_future()
        finally:
            waiting.clear()

    run.put = put
    return get, put


def _settle(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


def _pump(loop: asyncio.AbstractEventLoop, until: asyncio.Future[Any], *, interruptible: bool = True) -> None:
    """Step `loop` (running in this thread, which is inside one of its callbacks) until `until` is done.

    The task that called us is set aside while other tasks run (asyncio allows one current task per loop)
    and put back after. A stop asked for meanwhile ends the pumping: Ctrl-C or a kernel interrupt (raised
    here as KeyboardInterrupt, not inside whichever task step it lands in; see `_sigint`), or a
    cancellation of the calling task, raised here as CancelledError.
    """
    assert isinstance(loop, asyncio.BaseEventLoop)
    outer = asyncio.current_task(loop)
    asked = _cancel_requests(outer)
    interrupted: list[int] = []

    def note() -> None:  # from the signal handler: only note it and wake the loop
        interrupted.append(1)
        loop.call_soon_threadsafe(_nothing)

    remove = _sigint.on_sigint(note) if interruptible else _nothing
    if outer is not None:
        asyncio.tasks._leave_task(loop, outer)
    _pumping[loop] = _pumping.get(loop, 0) + 1
    held = _watchdog.hold_loop(False)
    try:
        while not until.done():
            if interruptible:
                if interrupted:
                    raise KeyboardInterrupt
                if outer is not None and _cancel_requests(outer) > asked:
                    raise asyncio.CancelledError
            loop._run_once()  # type: ignore[attr-defined]
    finally:
        _watchdog.hold_loop(held)  # back to the consumer (which holds the loop, if it is a sync consumer)
        _pumping[loop] -= 1
        if not _pumping[loop]:
            del _pumping[loop]
        if outer is not None:
            asyncio.tasks._enter_task(loop, outer)
        remove()


def _cancel_requests(task: asyncio.Task[Any] | None) -> int:
    if task is None:
        return 0
    cancelling = getattr(task, "cancelling", None)  # Python 3.11+
    if cancelling is not None:
        return int(cancelling())
    return int(bool(getattr(task, "_must_cancel", False)))


def _nothing() -> None:
    return None


__all__ = ["background_loop", "bridged", "in_background_loop"]
