"""The async driver: the same supersteps as `_sync.py`, with async nodes as asyncio tasks and sync nodes
in the loop's executor. It never uses threads for async nodes and never blocks the loop itself.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import threading
from collections import deque
from collections.abc import AsyncGenerator
from typing import Any

from . import _node_cache, _persist, _sigint
from ._errors import GraphBubbleUp, GraphInterrupt, NodeError, ParentCommand
from ._handoff import DONE, StepDone
from ._nothreads import run_blocking
from ._plan import Task, TaskResult
from ._run import (
    Run,
    add_routes,
    branches_of,
    call_node,
    check_gotos,
    close_awaitable,
    enter_task,
    error_handler_task,
    fail_task,
    leave_task,
    reported,
    result_of,
    retry_delay,
    router_input,
    router_values,
)
from ._types import Command
from ._watchdog import watch


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _create_task(coro: Any, ctx: contextvars.Context) -> asyncio.Task[Any]:
    # `ctx.run(create_task)` makes the task start from `ctx` on every Python (3.10 has no `context=`).
    return ctx.run(asyncio.ensure_future, coro)


async def arun_task(run: Run, task: Task, node_error: Any = None) -> TaskResult:
    """Run one task to its result on the running loop (sync nodes go to the executor)."""
    scope = run.scope(task)
    scope.node_error = node_error
    entered = enter_task(scope)
    node = task.node
    loop = asyncio.get_running_loop()
    try:
        if node.cache_policy is not None and (hit := await _node_cache.alookup(run, task)) is not None:
            return hit
        attempt = 0
        while True:
            attempt += 1
            scope.attempt = attempt
            try:
                if node.subgraph is not None:
                    try:
                        out = await node.subgraph._call_async(task.input, scope)
                    except ParentCommand as pc:
                        out = Command(update=pc.command.update, goto=pc.command.goto)
                elif node.is_async:
                    out = await call_node(node.fn, task.input, node.inject, scope)
                else:
                    ctx = contextvars.copy_context()
                    out = await run_blocking(loop, ctx.run, call_node, node.fn, task.input, node.inject, scope)
                    if inspect.isawaitable(out):
                        close_awaitable(out)
                        raise TypeError(
                            f"Node `{task.name}` returned an awaitable from a plain function; define it with "
                            "`async def` so livegraph runs it on an event loop"
                        )
                result = result_of(run, task, out)
                branches = branches_of(run, task)
                if branches:
                    values = router_values(run, task, result)
                    for b in branches:
                        answer = await _maybe_await(call_node(b.path, router_input(run, b, values), b.inject, scope))
                        add_routes(run, b, answer, result)
                check_gotos(run, task, result)
                if node.cache_policy is not None:
                    await _node_cache.aremember(run, task, result)
                return result
            except GraphInterrupt as gi:
                return TaskResult(interrupts=gi.interrupts, sub=gi.resume_state)
            except GraphBubbleUp:
                raise
            except Exception as exc:
                delay = retry_delay(node, exc, attempt)
                if delay is None or run.cancelled:
                    handling = error_handler_task(run, task, exc)
                    if handling is None:
                        raise
                    fail_task(run, task, exc)  # streamed as a failure, then the handler runs in its place
                    break
                await asyncio.sleep(delay)
    finally:
        leave_task(entered)
    return await _arun_handler(run, *handling)


async def _arun_handler(run: Run, task: Task, error: NodeError) -> TaskResult:
    """Run a failed node's error handler in its place; its own failure fails the run, named as its own."""
    run.event("task_start", task, {"input": task.input, "triggers": task.triggers})
    try:
        result = await arun_task(run, task, error)
    except BaseException as exc:
        fail_task(run, task, exc)
        reported(exc)
        raise
    result.handler = task
    return result


async def astart(run: Run, data: Any) -> None:
    """Load the thread (if any), apply the input, route from START, stream and checkpoint it."""
    data = run.begin(data)
    if data is not _persist.RESUMED:
        run.routed(
            data, [(b, await _maybe_await(b.path(state, **kw))) for b, state, kw in run.start_routers()]
        )


async def arun_loop(run: Run, data: Any) -> AsyncGenerator[None, None]:
    """Run the graph; yield after the input and after every superstep. Ctrl-C (a notebook's stop button)
    stops it within a second, also where the loop's own handler would not get to it (see `_sigint`)."""
    loop, task = asyncio.get_running_loop(), asyncio.current_task()

    def interrupted() -> None:  # from the signal handler: only schedule the stop
        loop.call_soon_threadsafe(_stop, run, task)

    unregister = _sigint.on_sigint(interrupted)
    try:
        await astart(run, data)
        yield
        while (tasks := run.begin_step()) is not None:
            if not run.end_step(tasks, await aexecute(run, run.to_run(tasks))):
                break
            yield
        run.finished()
    except Exception as exc:
        run.event("run_error", None, exc)
        raise
    finally:
        unregister()


def _stop(run: Run, task: asyncio.Task[Any] | None) -> None:
    run.stop.cancel()
    if task is not None:
        task.cancel()


async def aexecute(run: Run, tasks: list[Task]) -> list[TaskResult]:
    """Run a step's tasks concurrently; results in task order; the first failure cancels the rest."""
    with watch(run, tasks):
        if len(tasks) == 1:
            task = tasks[0]
            try:
                result = await arun_task(run, task)
            except BaseException as exc:
                fail_task(run, task, exc)
                raise
            run.task_done(task, result)
            return [result]
        running: dict[asyncio.Task[TaskResult], Task] = {}
        for task in tasks:
            running[_create_task(arun_task(run, task), contextvars.copy_context())] = task
        results: dict[str, TaskResult] = {}
        pending = set(running)
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                failed: tuple[Task, BaseException] | None = None
                for fut in done:  # every outcome is taken, so no failure is left "never retrieved"
                    task = running[fut]
                    failure = fut.exception() if not fut.cancelled() else asyncio.CancelledError()
                    if failure is not None:
                        failed = failed or (task, failure)
                        continue
                    results[task.id] = fut.result()
                    run.task_done(task, results[task.id])
                if failed is not None:
                    for t in tasks:  # those that finished before it, as LangGraph streams them
                        if t.id in results:
                            run.emit_task_end(t, results[t.id], None)
                    fail_task(run, *failed)
                    raise failed[1]
        finally:
            if pending:
                run.stop.cancel()
                for fut in pending:
                    fut.cancel()
                await asyncio.wait(pending, timeout=1.0)
                for fut in pending:
                    if fut.done() and not fut.cancelled():
                        fut.exception()  # a sibling that failed while being stopped: taken, not reported
        return [results[t.id] for t in tasks]


# -- how callers consume a run -------------------------------------------------------------------------------
async def adrain(run: Run, data: Any, buffer: list[Any]) -> AsyncGenerator[Any, None]:
    """No live modes: run in this task; hand out what each step streamed."""
    loop = arun_loop(run, data)
    try:
        async for _ in loop:
            if buffer:
                for item in buffer:
                    yield item
                buffer.clear()
    except Exception:
        for item in buffer:  # what the failing step streamed before it failed
            yield item
        buffer.clear()
        raise
    finally:
        await loop.aclose()
    for item in buffer:  # what the last step streamed before the run stopped (an interrupt)
        yield item
    buffer.clear()


class Outbox:
    """Where a run's items wait for an async consumer, in the order they were put, from any thread.

    Items from the loop's thread and from worker threads go into one deque, so their order is the order of
    the `put` calls; only the wake-up of a waiting consumer crosses threads (through the loop).
    """

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.owner = threading.get_ident()
        self.items: deque[Any] = deque()
        self.waiter: asyncio.Future[None] | None = None

    def put(self, item: Any) -> None:
        self.items.append(item)
        if self.waiter is not None:
            if threading.get_ident() == self.owner:
                self._wake()
            else:
                self.loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        """Return once there is an item (at once if there is one already)."""
        while not self.items:
            self.waiter = self.loop.create_future()
            if self.items:  # put by another thread between the check and the waiter
                self.waiter = None
                break
            await self.waiter


async def drive(run: Run, data: Any, put: Any, *, lazy: bool = True) -> None:
    """Run to the end, handing the outcome to the consumer as a final item; with `lazy`, wait after each
    step until the consumer asks for more (see `StepDone`)."""
    loop = asyncio.get_running_loop()
    steps = arun_loop(run, data)
    try:
        async for _ in steps:
            if lazy:
                asked: asyncio.Future[None] = loop.create_future()
                put(StepDone(functools.partial(_resolve_from_anywhere, loop, asked)))
                await asked
                if run.cancelled:
                    return
        put(DONE)
    except BaseException as exc:
        put((DONE, exc))
        if isinstance(exc, (asyncio.CancelledError, KeyboardInterrupt, SystemExit)):
            raise
    finally:
        await steps.aclose()


def _resolve_from_anywhere(loop: asyncio.AbstractEventLoop, fut: asyncio.Future[None]) -> None:
    loop.call_soon_threadsafe(_resolve, fut)


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


async def alive(run: Run, data: Any, q: Outbox) -> AsyncGenerator[Any, None]:
    """Live modes: run as a separate task; hand out items as they are written."""
    driver = _create_task(drive(run, data, run.put), contextvars.copy_context())
    finished = False
    items = q.items
    try:
        while True:
            if not items:
                await q.wait()  # only when the consumer has caught up: no await per item otherwise
            item = items.popleft()
            if type(item) is StepDone:
                item.ack()
            elif item is DONE:
                finished = True
                return
            elif type(item) is tuple and item[0] is DONE:
                finished = True
                raise item[1]
            else:
                yield item
    finally:
        if not finished or not driver.done():
            run.stop.cancel()
            driver.cancel()
            await asyncio.wait([driver], timeout=1.0)


__all__ = ["Outbox", "adrain", "alive", "arun_loop", "drive"]
