"""Sync calls on async graphs: `graph.stream()` / `graph.invoke()` when some node is `async def`.

The run goes to one long-lived background event loop (a daemon thread, started on first use) and its
items come back through a thread-safe queue, live. This works the same in a script and in a Jupyter cell,
where the kernel's own loop is already running (so `asyncio.run` is impossible there); it patches no loop
and does not need nest_asyncio. One shared loop (not one per call) means async clients that keep
connections, like a module-level `AsyncOpenAI()`, see the same loop on every sync call.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import queue
import threading
from collections.abc import Generator
from typing import Any

from . import _platform
from ._async import drive
from ._run import Run
from ._sync import consume

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def background_loop() -> asyncio.AbstractEventLoop:
    """The shared loop for sync calls on async graphs, started on first use."""
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


def bridged(
    run: Run, data: Any, q: queue.SimpleQueue[Any], *, lazy: bool = True
) -> Generator[Any, None, None]:
    """Run an async graph on the background loop; yield its items here as they are written."""
    if not _platform.HAS_THREADS and _platform.can_block_on_loop():
        from ._nothreads import bridged_on_loop

        yield from bridged_on_loop(run, data)
        return
    if not _platform.HAS_THREADS:
        call, instead = ("invoke", "await graph.ainvoke(...)") if not lazy else ("stream", "graph.astream(...)")
        raise _platform.no_threads(f"`graph.{call}(...)` on a graph with async nodes", instead)
    if in_background_loop():
        raise RuntimeError(
            "A sync call (`graph.stream`/`graph.invoke`) on an async graph was made from inside an async node; "
            "use `await graph.ainvoke(...)` or `graph.astream(...)` there"
        )
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
            concurrent.futures.wait([fut], timeout=1.0)
