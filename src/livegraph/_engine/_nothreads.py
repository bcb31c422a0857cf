"""The engine where no thread can start (Pyodide, JupyterLite): see `_platform.HAS_THREADS`.

The drivers hand over to these when the platform has no threads, and nothing else changes:
- a step's parallel tasks run one after another in task order (their writes were applied in task order
  anyway); the first failure stops the step, as it stops the siblings with threads;
- sync live streaming (`graph.stream(..., stream_mode="custom")`) hands out what a step streamed when the
  step ends, as nothing can run beside the consumer; `astream` stays live per chunk;
- a sync node of an async graph runs on the event loop itself, as there is no executor;
- a sync call on an async graph blocks on the page's event loop, item by item, where Pyodide can
  (`pyodide.ffi.run_sync`, a browser with JSPI), so it streams live; elsewhere it fails naming the async call.
"""

from __future__ import annotations

import contextvars
import queue
from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

from . import _platform

if TYPE_CHECKING:
    import asyncio

    from ._plan import Task, TaskResult
    from ._run import Run

T = TypeVar("T")


def execute_in_turn(run: Run, tasks: list[Task]) -> list[TaskResult]:
    """Run a step's tasks one after another; results in task order."""
    from ._run import fail_task
    from ._sync import run_task

    results: list[TaskResult] = []
    for task in tasks:
        if run.cancelled:
            break
        try:
            result = contextvars.copy_context().run(run_task, run, task)
        except BaseException as exc:
            run.stop.cancel()
            fail_task(run, task, exc)
            raise
        run.task_done(task, result)
        results.append(result)
    return results


def live_in_turn(run: Run, data: Any, q: queue.SimpleQueue[Any]) -> Generator[Any, None, None]:
    """Live modes without a driver thread: run here, hand out what each step streamed when it ends."""
    from ._sync import run_loop

    steps = run_loop(run, data)
    try:
        for _ in steps:
            yield from _taken(q)
    except Exception:
        yield from _taken(q)  # what the failing step streamed before it failed
        raise
    finally:
        steps.close()
    yield from _taken(q)


def _taken(q: queue.SimpleQueue[Any]) -> Generator[Any, None, None]:
    while not q.empty():
        yield q.get_nowait()


def bridged_on_loop(run: Run, data: Any) -> Generator[Any, None, None]:
    """An async graph's items for a sync caller, each awaited on the running loop with `run_sync`."""
    from pyodide.ffi import run_sync  # type: ignore[import-not-found]

    from ._async import Outbox, alive

    async def start() -> Any:
        box = Outbox()
        run.put = box.put  # nothing has been put yet: the run starts in `alive`
        return alive(run, data, box)

    async def step(items: Any) -> Any:
        try:
            return await items.__anext__()
        except StopAsyncIteration:  # not across `run_sync`, which reports what it raises
            return _END

    items = run_sync(start())
    try:
        while (item := run_sync(step(items))) is not _END:
            yield item
    finally:
        run_sync(items.aclose())


_END = object()


def run_blocking(loop: asyncio.AbstractEventLoop, fn: Callable[..., T], *args: Any) -> Awaitable[T]:
    """`loop.run_in_executor(None, fn, *args)`, or a call on the loop itself where threads are missing."""
    if _platform.HAS_THREADS:
        return loop.run_in_executor(None, fn, *args)
    return _call_here(fn, *args)


async def _call_here(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)
