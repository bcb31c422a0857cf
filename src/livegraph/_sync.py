"""The sync driver: runs a graph's supersteps in the calling thread, parallel tasks on threads.

`run_loop` is a generator that yields after the input and after each superstep; what the run streams goes
to `run.put`. Callers either drain a buffer at each yield (no live modes: no thread at all), or exhaust the
generator on a driver thread while the consumer reads a queue (live modes: chunks reach the consumer as
they are written).
"""

from __future__ import annotations

import contextvars
import inspect
import queue
import threading
from collections.abc import Generator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from . import _persist
from ._constants import START
from ._context import CURRENT
from ._errors import GraphBubbleUp, GraphInterrupt, ParentCommand, RunCancelledError
from ._plan import Task, TaskResult, apply_writes, route, start_triggers
from ._run import (
    Run,
    add_routes,
    branches_of,
    check_gotos,
    input_writes,
    note_failure,
    result_of,
    retry_delay,
    router_state,
)
from ._types import Command

DONE = object()


def _call(fn: Any, arg: Any, inject: tuple[str, ...], scope: Any) -> Any:
    return fn(arg, **scope.kwargs(inject)) if inject else fn(arg)


def run_task(run: Run, task: Task) -> TaskResult:
    """Run one task to its result: the node, its routers, its retries."""
    scope = run.scope(task)
    token = CURRENT.set(scope)
    node = task.node
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                if node.subgraph is not None:
                    try:
                        out = node.subgraph._call_sync(task.input, scope)
                    except ParentCommand as pc:
                        out = Command(update=pc.command.update, goto=pc.command.goto)
                else:
                    out = _call(node.fn, task.input, node.inject, scope)
                    if inspect.isawaitable(out):
                        _close(out)
                        raise TypeError(
                            f"Node `{task.name}` returned an awaitable from a plain function; define it with "
                            "`async def` so livegraph runs it on an event loop"
                        )
                result = result_of(run, task, out)
                branches = branches_of(run, task)
                if branches:
                    state = router_state(run, task, result)
                    for b in branches:
                        add_routes(run, b, _call(b.path, state, b.inject, scope), result)
                check_gotos(run, task, result)
                return result
            except GraphInterrupt as gi:
                return TaskResult(interrupts=gi.interrupts)
            except GraphBubbleUp:
                raise
            except Exception as exc:
                delay = retry_delay(node, exc, attempt)
                if delay is None or run.cancelled:
                    raise
                if _sleep(run, delay):
                    raise
    finally:
        CURRENT.reset(token)


def _close(aw: Any) -> None:
    close = getattr(aw, "close", None)
    if close is not None:
        close()


def _sleep(run: Run, seconds: float) -> bool:
    """Sleep between retries; True when the run was cancelled meanwhile."""
    step = 0.05
    waited = 0.0
    import time

    while waited < seconds:
        if run.cancelled:
            return True
        time.sleep(min(step, seconds - waited))
        waited += step
    return run.cancelled


def start(run: Run, data: Any) -> None:
    """Load the thread (if any), apply the input, route from START, stream and checkpoint it."""
    data = _persist.setup(run, data)
    if data is _persist.RESUMED:
        run.event("run_start", None, {"input": None})
        return
    spec = run.spec
    apply_writes(spec.channels, run.values, [(START, input_writes(run, data))])
    gotos: list[Any] = []
    branches = spec.branches.get(START, ())
    if branches:
        state = spec.state_view.read(run.values)
        for b in branches:
            gotos.extend(
                route(
                    b, b.path(state, **({"config": run.config} if "config" in b.inject else {})), spec.nodes
                )
            )
    run.pending = start_triggers(spec.edges, spec.joins, gotos)
    run.input_done(data)


def run_loop(run: Run, data: Any) -> Generator[None, None, None]:
    """Run the graph; yield after the input and after every superstep."""
    start(run, data)
    yield
    try:
        while (tasks := run.begin_step()) is not None:
            if not run.end_step(tasks, execute(run, run.to_run(tasks))):
                break
            yield
        run.finished()
    finally:
        if run.pool is not None:
            run.pool.shutdown(wait=False, cancel_futures=True)
            run.pool = None


def _fail(run: Run, task: Task, exc: BaseException) -> None:
    if not isinstance(exc, (GraphBubbleUp, RunCancelledError)):
        note_failure(run, task, exc)
    run.emit_task_end(task, None, exc)
    run.event("task_error", task, exc)


def execute(run: Run, tasks: list[Task]) -> list[TaskResult]:
    """Run a step's tasks: one inline, several on threads. Results come back in task order."""
    if len(tasks) == 1:
        task = tasks[0]
        try:
            result = run_task(run, task)
        except BaseException as exc:
            _fail(run, task, exc)
            raise
        run.event("task_end", task, result.update)
        return [result]
    if run.pool is None:
        workers = int(run.config.get("max_concurrency") or 0) or None
        run.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="livegraph")
    futures: dict[Future[TaskResult], Task] = {}
    for task in tasks:
        ctx = contextvars.copy_context()
        futures[run.pool.submit(ctx.run, run_task, run, task)] = task
    results: dict[str, TaskResult] = {}
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
        for fut in done:
            task = futures[fut]
            failure = fut.exception()
            if failure is not None:
                _fail(run, task, failure)
                _abandon(run, pending)
                raise failure
            results[task.id] = fut.result()
            run.event("task_end", task, results[task.id].update)
    return [results[t.id] for t in tasks]


def _abandon(run: Run, pending: set[Future[TaskResult]]) -> None:
    """A sibling failed: stop the others (their writers raise at the next write), wait up to 1 s."""
    run.cancelled = True
    for fut in pending:
        fut.cancel()
    wait(pending, timeout=1.0)


# -- how callers consume a run -------------------------------------------------------------------------------
def drain(run: Run, data: Any, buffer: list[Any]) -> Generator[Any, None, None]:
    """No live modes: run in this thread; hand out what each step streamed."""
    loop = run_loop(run, data)
    try:
        for _ in loop:
            if buffer:
                yield from buffer
                buffer.clear()
    finally:
        loop.close()
    yield from buffer  # what the last step streamed before the run stopped (an interrupt)
    buffer.clear()


def live(run: Run, data: Any, q: queue.SimpleQueue[Any]) -> Generator[Any, None, None]:
    """Live modes: run on a driver thread; hand out items as they are written."""
    ctx = contextvars.copy_context()

    def drive() -> None:
        try:
            for _ in run_loop(run, data):
                pass
            q.put(DONE)
        except BaseException as exc:  # handed to the consumer
            q.put((DONE, exc))

    thread = threading.Thread(target=ctx.run, args=(drive,), name="livegraph-run", daemon=True)
    thread.start()
    finished = False
    try:
        while True:
            item = q.get()
            if item is DONE:
                finished = True
                return
            if type(item) is tuple and item[0] is DONE:
                finished = True
                raise item[1]
            yield item
    finally:
        if not finished:
            run.cancelled = True
            thread.join(1.0)
