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
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

from . import _node_cache, _persist, _platform
from ._errors import GraphBubbleUp, GraphInterrupt, NodeError, ParentCommand, RunCancelledError
from ._handoff import DONE, StepDone, consume
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


def run_task(run: Run, task: Task, node_error: Any = None) -> TaskResult:
    """Run one task to its result: the node, its routers, its retries (then its error handler)."""
    scope = run.scope(task)
    scope.node_error = node_error
    entered = enter_task(scope)
    node = task.node
    try:
        if node.cache_policy is not None and (hit := _node_cache.lookup(run, task)) is not None:
            return hit
        attempt = 0
        while True:
            attempt += 1
            scope.attempt = attempt
            try:
                if node.subgraph is not None:
                    try:
                        out = node.subgraph._call_sync(task.input, scope)
                    except ParentCommand as pc:
                        out = Command(update=pc.command.update, goto=pc.command.goto)
                else:
                    out = call_node(node.fn, task.input, node.inject, scope)
                    if type(out) is not dict and inspect.isawaitable(out):
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
                        add_routes(run, b, call_node(b.path, router_input(run, b, values), b.inject, scope), result)
                check_gotos(run, task, result)
                if node.cache_policy is not None:
                    _node_cache.remember(run, task, result)
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
                if _sleep(run, delay):
                    raise
    finally:
        leave_task(entered)
    return _run_handler(run, *handling)


def _run_handler(run: Run, task: Task, error: NodeError) -> TaskResult:
    """Run a failed node's error handler in its place; its own failure fails the run, named as its own."""
    run.event("task_start", task, {"input": task.input, "triggers": task.triggers})
    try:
        result = run_task(run, task, error)
    except BaseException as exc:
        fail_task(run, task, exc)
        reported(exc)
        raise
    result.handler = task
    return result


def _sleep(run: Run, seconds: float) -> bool:
    """Sleep between retries; True when the run was cancelled meanwhile (which ends the sleep at once)."""
    woken = threading.Event()
    unregister = run.stop.add(woken.set)
    try:
        woken.wait(seconds)
    finally:
        unregister()
    return run.cancelled


def start(run: Run, data: Any) -> None:
    """Load the thread (if any), apply the input, route from START, stream and checkpoint it."""
    data = run.begin(data)
    if data is not _persist.RESUMED:
        run.routed(data, [(b, b.path(state, **kw)) for b, state, kw in run.start_routers()])


def run_loop(run: Run, data: Any) -> Generator[None, None, None]:
    """Run the graph; yield after the input and after every superstep."""
    try:
        start(run, data)
        yield
        while (tasks := run.begin_step()) is not None:
            if not run.end_step(tasks, execute(run, run.to_run(tasks))):
                break
            yield
        run.finished()
    except Exception as exc:
        run.event("run_error", None, exc)
        raise


POOL_THREADS = 64


class HelperPool:
    """Helper threads every run shares: started on demand (idle runs cost no threads), then kept, each
    waiting on one queue for the next job.

    Lighter than `ThreadPoolExecutor` (no `Future` per job): a parallel step only needs its helpers to
    start, as the step's caller collects the results itself.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.threads = 0
        self.idle = 0  # threads free for a job that none of them has been counted for yet
        self.backlog = 0  # jobs queued while every thread was counted busy (at the limit)

    def submit(self, job: Callable[[], None]) -> None:
        with self.lock:
            if self.idle:
                self.idle -= 1  # that thread takes this job (or the next); none is started
                start = False
            else:
                start = self.threads < self.limit
                self.threads += start
                self.backlog += not start
        self.jobs.put(job)
        if start:
            threading.Thread(target=self._serve, name=f"livegraph-pool_{self.threads}", daemon=True).start()

    def _serve(self) -> None:
        get, lock = self.jobs.get, self.lock
        while True:
            job = get()
            try:
                job()
            except BaseException:  # a job reports its own failure; the thread stays to serve the next
                pass
            with lock:
                if self.backlog:
                    self.backlog -= 1  # this thread takes a queued job next: it is not free
                else:
                    self.idle += 1


_pool: HelperPool | None = None
_pool_lock = threading.Lock()


def shared_pool() -> HelperPool:
    """The helper threads every run shares."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = HelperPool(POOL_THREADS)
    return _pool


def execute(run: Run, tasks: list[Task]) -> list[TaskResult]:
    """Run a step's tasks and return their results in task order.

    One task runs inline. Several run on the calling thread plus up to `len(tasks) - 1` helper threads
    (fewer with `max_concurrency`), all taking tasks from one list. The caller taking part means a node
    that runs a subgraph with its own fan-out always makes progress, however busy the shared pool is.
    """
    if not _platform.HAS_THREADS:
        from ._nothreads import execute_in_turn

        return execute_in_turn(run, tasks)
    if len(tasks) == 1:
        task = tasks[0]
        try:
            result = run_task(run, task)
        except BaseException as exc:
            fail_task(run, task, exc)
            raise
        run.task_done(task, result)
        return [result]
    todo = deque((i, t, contextvars.copy_context()) for i, t in enumerate(tasks))
    done: queue.SimpleQueue[tuple[int, TaskResult | None, BaseException | None]] = queue.SimpleQueue()
    # Tasks taken but not finished. The caller waits for these only, not for helper threads: a helper
    # that wakes up after the caller has run everything finds nothing to take and leaves.
    running = [0]
    idle = threading.Condition()

    def work() -> None:
        while not run.cancelled:
            with idle:
                if not todo:
                    return
                i, task, ctx = todo.popleft()
                running[0] += 1
            try:
                result = ctx.run(run_task, run, task)
            except BaseException as exc:
                run.stop.cancel()  # the others stop at their next write; no new task starts
                done.put((i, None, exc))
                _finished()
                if not isinstance(exc, Exception):
                    raise
                continue
            run.task_done(task, result)
            done.put((i, result, None))
            _finished()

    def _finished() -> None:
        with idle:
            running[0] -= 1
            if not running[0]:
                idle.notify_all()

    limit = int(run.config.get("max_concurrency") or 0) or len(tasks)
    pool = shared_pool()
    for _ in range(min(limit, len(tasks)) - 1):
        pool.submit(work)
    try:
        work()
    except BaseException:
        run.stop.cancel()  # Ctrl-C in the caller's own task: the helpers' tasks stop too
        raise
    finally:
        with idle:
            # The caller found nothing more to take (or the run stopped): wait for what others took,
            # at most a second once the run is stopped.
            deadline: float | None = None
            while running[0]:
                if run.cancelled and deadline is None:
                    deadline = time.monotonic() + 1.0
                if deadline is not None and time.monotonic() >= deadline:
                    break
                try:
                    idle.wait(0.25 if deadline is None else max(0.0, deadline - time.monotonic()))
                except BaseException:  # Ctrl-C while waiting for the helpers: stop their tasks
                    run.stop.cancel()
                    raise
    results: list[TaskResult | None] = [None] * len(tasks)
    failures: list[tuple[int, BaseException]] = []
    before: list[int] = []  # tasks that finished before the first failure (`done` keeps completion order)
    while not done.empty():
        index, outcome, failure = done.get()
        if failure is not None:
            failures.append((index, failure))
        elif not failures:
            before.append(index)
        results[index] = outcome
    if failures:
        # The first real failure, not a sibling stopped because of it.
        index, failure = next(
            ((i, e) for i, e in failures if not isinstance(e, RunCancelledError)), failures[0]
        )
        for i in sorted(before):  # as LangGraph, which streams each task's update as it finishes
            run.emit_task_end(tasks[i], results[i], None)
        fail_task(run, tasks[index], failure)
        raise failure
    return [r for r in results if r is not None]


# -- how callers consume a run -------------------------------------------------------------------------------
def drain(run: Run, data: Any, buffer: list[Any]) -> Generator[Any, None, None]:
    """No live modes: run in this thread; hand out what each step streamed."""
    loop = run_loop(run, data)
    try:
        for _ in loop:
            if buffer:
                yield from buffer
                buffer.clear()
    except Exception:
        yield from buffer  # what the failing step streamed before it failed
        buffer.clear()
        raise
    finally:
        loop.close()
    yield from buffer  # what the last step streamed before the run stopped (an interrupt)
    buffer.clear()


def live(run: Run, data: Any, q: queue.SimpleQueue[Any]) -> Generator[Any, None, None]:
    """Live modes: run on a driver thread; hand out items as they are written."""
    if not _platform.HAS_THREADS:
        from ._nothreads import live_in_turn

        yield from live_in_turn(run, data, q)
        return
    ctx = contextvars.copy_context()
    gate = threading.Semaphore(0)
    step = StepDone(gate.release)
    get, put = q.get, q.put
    if "asyncio" in sys.modules:  # an event loop may run in this thread (a notebook cell): keep it turning
        from ._bridge import waiting_on_loop

        get, put = waiting_on_loop(run, q)

    def drive() -> None:
        loop = run_loop(run, data)
        try:
            for _ in loop:
                put(step)
                gate.acquire()
                if run.cancelled:
                    return
            put(DONE)
        except BaseException as exc:  # handed to the consumer
            put((DONE, exc))
        finally:
            loop.close()

    thread = threading.Thread(target=ctx.run, args=(drive,), name="livegraph-run", daemon=True)
    thread.start()
    finished = False
    try:
        yield from consume(get)
        finished = True
    finally:
        if not finished:
            run.stop.cancel()
            gate.release()
            thread.join(1.0)
