"""One run of a graph: its state, what it streams, and how one task is run (shared by both drivers).

The drivers (`_sync.py`, `_async.py`) only decide *where* tasks run (threads or asyncio tasks); what a
task does with its node's return value, its routers and its retries lives here, written once.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from . import _persist
from ._constants import DEFAULT_RECURSION_LIMIT, INTERRUPT, START
from ._context import CURRENT, ExecutionInfo, RunControl, Runtime
from ._errors import (
    GraphBubbleUp,
    GraphDrained,
    GraphInterrupt,
    GraphRecursionError,
    NodeError,
    ParentCommand,
    RunCancelledError,
    add_note,
)
from ._events import Event
from ._messages import MessageChunk
from ._node import Branch, NodeSpec
from ._plan import (
    Pending,
    Task,
    TaskResult,
    apply_order,
    apply_writes,
    check_targets,
    next_triggers,
    prepare_tasks,
    route,
    start_triggers,
    task_id,
    updates_of,
)
from ._schema import initial_values

if TYPE_CHECKING:
    from ._compiled import GraphSpec

Put = Callable[[Any], None]


def _noop(chunk: Any) -> None:
    return None


class Cancellation:
    """Whether a run was stopped, and what to call when it is (`livegraph.config.on_cancel`)."""

    __slots__ = ("_hooks", "_lock", "cancelled")

    def __init__(self) -> None:
        self.cancelled = False
        self._hooks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Stop the run: writers raise at their next write, no step starts, hooks are called (once)."""
        with self._lock:
            if self.cancelled:
                return
            self.cancelled = True
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            try:
                hook()
            except Exception:  # a hook that fails must not keep the others from running
                pass

    def add(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Call `hook` (from whichever thread stops the run) if the run is stopped; returns a remover."""
        with self._lock:
            if not self.cancelled:
                self._hooks.append(hook)
                return lambda: self._discard(hook)
        hook()
        return _nothing

    def _discard(self, hook: Callable[[], None]) -> None:
        with self._lock:
            if hook in self._hooks:
                self._hooks.remove(hook)


def _nothing() -> None:
    return None


class Run:
    """The mutable state of one run (or of one subgraph call inside a run).

    Attributes:
        spec: The compiled graph's plan.
        config: The run's config (as given, with defaults filled in).
        put: Where stream items go: `(mode, ns, payload)` tuples.
        modes: The stream modes asked for (only those are produced).
        ns: The namespace (`()` at the top, `("node:task_id", ...)` in subgraphs).
    """

    __slots__ = (
        "cache",
        "config",
        "context",
        "control",
        "cp_id",
        "cp_ns",
        "graph",
        "head",
        "input_written",
        "interop",
        "interrupt_after",
        "interrupt_before",
        "interrupts",
        "last_step",
        "managed",
        "modes",
        "ns",
        "output_written",
        "owners",
        "parent_scope",
        "pending",
        "put",
        "recursion_limit",
        "restored",
        "resume",
        "run_key",
        "saved",
        "saver",
        "skip_before",
        "spec",
        "start_step",
        "step",
        "step_pending",
        "step_values",
        "stop",
        "store",
        "subgraphs",
        "subs",
        "thread_id",
        "values",
    )

    def __init__(
        self,
        graph: Any,
        config: dict[str, Any],
        put: Put,
        modes: frozenset[str],
        ns: tuple[str, ...],
        run_key: str,
        context: Any = None,
        parent_scope: TaskScope | None = None,
    ) -> None:
        self.graph = graph
        self.spec: GraphSpec = graph._spec
        self.config = config
        self.put = put
        self.modes = modes
        self.ns = ns
        self.run_key = run_key
        self.context = context
        # A subgraph without a store of its own uses its parent's, as in LangGraph.
        self.store = graph.store
        if self.store is None and parent_scope is not None:
            self.store = parent_scope.run.store
        # LangGraph's drain switch (`runtime.control`): one for a run and the subgraphs it calls.
        self.control: RunControl = parent_scope.run.control if parent_scope is not None else RunControl()
        self.cache: Any = graph.cache  # a subgraph caches with its own cache only, as in LangGraph
        self.parent_scope = parent_scope
        # What tracks the messages it streams, and LangChain's side of it (see `enter_task`); shared with the
        # subgraphs it calls
        self.interop: Any = parent_scope.run.interop if parent_scope is not None else None
        self.values: dict[str, Any] = initial_values(self.spec.channels)
        self.pending = Pending()
        self.step = 0
        self.start_step = 0  # the thread's step when this run began (steps count on across runs)
        self.last_step = 0  # the last step the recursion limit allows (set by `begin`)
        # One stop for a run and the subgraphs it calls: stopping the run stops them too.
        self.stop: Cancellation = parent_scope.run.stop if parent_scope is not None else Cancellation()
        # checkpointing (see _persist.py); inert without a checkpointer
        self.saver: Any = None
        self.thread_id: str | None = None
        self.cp_ns = ""
        self.head: str | None = None
        self.cp_id: str | None = None
        self.resume: dict[str, list[Any]] = {}
        self.owners: dict[str, str] = {}  # interrupt id -> the (innermost) task that asked
        self.subgraphs: bool = parent_scope.run.subgraphs if parent_scope is not None else False  # stream(subgraphs=)
        self.subs: dict[str, Any] = {}  # task id -> where its interrupted subgraph stood
        self.restored = False  # a subgraph run put back where it was interrupted
        self.step_pending: dict[str, Any] = {}
        self.step_values: dict[str, Any] = {}
        self.saved: dict[str, TaskResult] = {}
        self.skip_before = False
        self.interrupts: list[Any] = []
        self.input_written = False  # the input set a key (else `values` mode streams nothing for it)
        self.output_written = False  # an output key was ever written (else `invoke` returns None)
        self.managed: dict[str, Any] = {}  # the managed keys' values for the current step
        self.interrupt_before: tuple[str, ...] = self.spec.interrupt_before
        self.interrupt_after: tuple[str, ...] = self.spec.interrupt_after
        self.recursion_limit = int(config.get("recursion_limit", DEFAULT_RECURSION_LIMIT))
        if self.recursion_limit < 1:
            raise ValueError(f"recursion_limit must be at least 1, got {self.recursion_limit}")

    @property
    def cancelled(self) -> bool:
        return self.stop.cancelled

    # -- what the run streams -----------------------------------------------------------------------------
    def event(self, kind: Any, task: Task | None, data: Any = None) -> None:
        if "events" in self.modes:
            self.put(
                (
                    "events",
                    self.ns,
                    Event(
                        kind,
                        task.name if task else None,
                        task.id if task else None,
                        self.step,
                        self.ns,
                        time.monotonic(),
                        data,
                    ),
                )
            )

    def emit_values(self) -> None:
        if "values" in self.modes:
            self.put(("values", self.ns, self.spec.channel_values(self.values)))

    def note_writes(self, pairs: list[tuple[str, Any]]) -> None:
        if not self.output_written:
            keys = self.spec.output_view.keys
            self.output_written = any(k in keys for k, _ in pairs)

    def emit_task_start(self, task: Task) -> None:
        modes = self.modes
        if "tasks" in modes or "debug" in modes:
            payload = {"id": task.id, "name": task.name, "input": task.input, "triggers": task.triggers}
            if "tasks" in modes:
                self.put(("tasks", self.ns, payload))
            if "debug" in modes:
                self.put(("debug", self.ns, _debug(self.step, "task", payload)))
        if "events" in modes:
            self.event("task_start", task, {"input": task.input, "triggers": task.triggers})

    def task_done(self, task: Task, result: TaskResult) -> None:
        """The live event for a task that finished: its update, or the interrupts it stopped at."""
        task = result.handler or task
        if "events" in self.modes:
            if result.interrupts:
                self.event("interrupt", task, result.interrupts)
            else:
                self.event("task_end", task, result.update)

    def emit_task_end(self, task: Task, result: TaskResult | None, error: BaseException | None) -> None:
        modes = self.modes
        # As LangGraph: a task's `updates` chunk comes before its `tasks` / `debug` result.
        if "updates" in modes and result is not None and error is None and not result.interrupts:
            if result.cached:  # replayed from the cache: marked as LangGraph marks it
                self.put(("updates", self.ns, {task.name: result.update, "__metadata__": {"cached": True}}))
            else:
                self.put(("updates", self.ns, {task.name: result.update}))
        if ("tasks" in modes or "debug" in modes) and not (result is not None and result.cached):
            payload = {
                "id": task.id,
                "name": task.name,
                "error": error,
                "result": dict(result.writes) if result else {},
                "interrupts": list(result.interrupts) if result else [],
            }
            if "tasks" in modes:
                self.put(("tasks", self.ns, payload))
            if "debug" in modes:
                self.put(("debug", self.ns, _debug(self.step, "task_result", payload)))

    # -- the step (both drivers call these around running the tasks) ------------------------------------------
    def begin(self, data: Any) -> Any:
        """Load the thread (if any) and apply the input; returns the input, or `_persist.RESUMED` when
        the run continues where the thread stopped (then nothing is left to do before the first step)."""
        data = _persist.setup(self, data)
        self.start_step = self.step
        # As LangGraph counts: a run from an input takes `recursion_limit` steps, a resumed one two more.
        self.last_step = self.step + self.recursion_limit + (2 if data is _persist.RESUMED else 0)
        if data is _persist.RESUMED:
            self.event("run_start", None, {"input": None})
            self.output_written = True
            self.emit_values()  # where the thread stands, as LangGraph streams it on resume
            return data
        writes = input_writes(self, data)
        apply_writes(self.spec.channels, self.values, [(START, writes)])
        self.input_written = bool(writes)
        self.note_writes(writes)
        return data

    def start_routers(self) -> list[tuple[Branch, Any, dict[str, Any]]]:
        """The conditional edges from START, each with the state and keyword arguments to call it with."""
        branches = self.spec.branches.get(START, ())
        if not branches:
            return []
        values = self.values
        if self.spec.managed:
            values = {**values, **managed_values(self.spec.managed, self.last_step - self.step)}
        return [
            (b, (b.view or self.spec.state_view).read(values), {"config": self.config} if "config" in b.inject else {})
            for b in branches
        ]

    def routed(self, data: Any, answers: list[tuple[Branch, Any]]) -> None:
        """START's routers have answered: plan the first step, stream the input and checkpoint it."""
        gotos: list[Any] = []
        for branch, answer in answers:
            gotos.extend(route(branch, answer, self.spec.nodes))
        self.pending = start_triggers(self.spec.edges, self.spec.joins, gotos)
        self.event("run_start", None, {"input": data})
        if self.input_written:  # LangGraph streams no `values` for an input that sets no key
            self.emit_values()
        _persist.save(self, "loop", {START: data})

    def begin_step(self) -> list[Task] | None:
        """The next step's tasks (streamed as started), or None when the run ends or stops before them."""
        self.check_limit()
        if not self.pending:
            return None
        if self.cancelled:
            raise RunCancelledError("The run was stopped by its consumer; no further step starts")
        if self.parent_scope is not None and _persist.keeps_state(self):
            # A subgraph under a checkpointer: remember the step's start in case an interrupt stops it.
            self.step_pending = _persist.pending_to(self.pending)
            self.step_values = dict(self.values)
        values = self.values
        if self.spec.managed:
            self.managed = managed_values(self.spec.managed, self.last_step - (self.step + 1))
            values = {**values, **self.managed}
        tasks = prepare_tasks(self.spec.nodes, values, self.pending, self.step + 1, self.run_key)
        self.step += 1
        if _persist.stop_before(self, tasks):
            self.step -= 1
            self.emit_interrupts(())
            return None
        if self.control.drain_requested:  # stop between steps; the thread resumes from here
            self.step -= 1
            raise GraphDrained(self.control.drain_reason or "shutdown")
        if self.modes:
            if "events" in self.modes:
                self.event("step_start", None, [t.name for t in tasks])
            for t in tasks:
                if t.id not in self.saved:
                    self.emit_task_start(t)
        return tasks

    def to_run(self, tasks: list[Task]) -> list[Task]:
        """The tasks that still have to run (on resume, those that finished before the interrupt don't)."""
        return [t for t in tasks if t.id not in self.saved] if self.saved else tasks

    def end_step(self, tasks: list[Task], ran: list[TaskResult]) -> bool:
        """Fold the step in; True to go on, False when the run stops here (an interrupt)."""
        if self.saved:
            done = iter(ran)
            results = [self.saved[t.id] if t.id in self.saved else next(done) for t in tasks]
            self.saved = {}
        else:
            results = ran
        parents = [r.parent_command for r in results if r.parent_command is not None]
        if parents and self.parent_scope is not None:
            self.finish_step(tasks, results)
            raise ParentCommand(parents[0])
        if any(r.interrupts for r in results):
            interrupts = _persist.save_interrupted(self, tasks, results)
            for t, r in zip(tasks, results):
                if r.interrupts:
                    self.emit_task_end(t, r, None)
            if self.parent_scope is not None:
                keep = _persist.sub_state(self, tasks, results) if _persist.keeps_state(self) else None
                raise GraphInterrupt(interrupts, keep)
            self.emit_interrupts(tuple(interrupts))
            return False
        if self.modes:
            for t, r in zip(tasks, results):
                self.emit_task_end(r.handler or t, r, None)
        if self.finish_step(tasks, results):  # LangGraph streams no `values` for a step that wrote nothing
            self.emit_values()
        if self.saver is not None:
            _persist.save(self, "loop", {t.name: r.update for t, r in zip(tasks, results)})
        if "events" in self.modes:
            self.event("step_end", None, dict(self.values))
        if _persist.stop_after(self, tasks):
            self.emit_interrupts(())
            return False
        return True

    def finished(self) -> None:
        if "events" in self.modes:
            self.event("run_end", None, self.spec.output_view.read(self.values))

    def emit_interrupts(self, interrupts: tuple[Any, ...]) -> None:
        """The run stops: stream LangGraph's `__interrupt__` chunk (the `interrupt` events, attributed to
        their tasks, went out as the tasks stopped; `interrupt_before`/`_after` stops get one with no node)."""
        self.interrupts = list(interrupts)
        if "updates" in self.modes:
            self.put(("updates", self.ns, {INTERRUPT: interrupts}))
        if "values" in self.modes and interrupts:
            self.put(("values", self.ns, {**self.spec.channel_values(self.values), INTERRUPT: interrupts}))
        if not interrupts:
            self.event("interrupt", None, interrupts)

    def check_limit(self) -> None:
        """After `recursion_limit` steps the run ends with `GraphRecursionError`, as LangGraph's does: the
        last allowed step runs and streams in full first, even when nothing would run after it."""
        if self.step < self.last_step:
            return
        pending = self.pending
        names = ", ".join(f"`{n}`" for n in [*pending.pull, *(s.node for s in pending.push)])
        ahead = f"; next it would run {names}" if names else ""
        raise GraphRecursionError(
            f"Recursion limit of {self.recursion_limit} reached without hitting a stop condition "
            f"({self.step - self.start_step} steps ran{ahead}). A run of n steps needs a limit above n: you can "
            "increase it by setting the `recursion_limit` config key, e.g. "
            "`graph.invoke(inputs, {'recursion_limit': 100})`, or check the routes that loop back."
        )

    def finish_step(self, tasks: list[Task], results: list[TaskResult]) -> bool:
        """Apply the step's writes in task order and work out what runs next. True when a key was written."""
        spec = self.spec
        ordered = apply_order(tasks, results)
        if len(results) == 1 and results[0].view is not None:
            self.values = results[0].view  # its router already applied its writes to a copy
        else:
            apply_writes(spec.channels, self.values, [(_name(t, r), r.writes) for t, r in ordered])
        wrote = False
        for r in results:
            if r.writes:
                wrote = True
                if not self.output_written:
                    self.note_writes(r.writes)
        next_triggers(
            spec.edges,
            spec.joins,
            [(_name(t, r), r.goto) for t, r in ordered],
            self.pending,
            [t.name for t in tasks if not t.push] if spec.joins else (),
        )
        return wrote

    def scope(self, task: Task) -> TaskScope:
        return TaskScope(self, task)


def _name(task: Task, result: TaskResult) -> str:
    """Whose writes these are: the task's node, or its error handler's when the node failed."""
    return task.name if result.handler is None else result.handler.name


def _debug(step: int, kind: str, payload: Any) -> dict[str, Any]:
    from datetime import datetime, timezone

    return {
        "step": step,
        "timestamp": datetime.now(timezone.utc).isoformat(),
        "type": kind,
        "payload": payload,
    }


class TaskScope:
    """What a running node can reach: its writers, its config, its runtime. Set as the current task."""

    __slots__ = (
        "_config",
        "attempt",
        "interrupt_index",
        "message_writer",
        "node_error",
        "run",
        "started",
        "task",
        "writer",
    )

    def __init__(self, run: Run, task: Task) -> None:
        self.run = run
        self.task = task
        self.interrupt_index = 0
        self.attempt = 1  # the drivers count retries here (`runtime.execution_info.node_attempt`)
        self.started = time.time()
        self.node_error: Any = None  # for an error handler: the `NodeError` it handles
        self._config: dict[str, Any] | None = None
        if run.modes:
            self.writer = self._make_writer()
            self.message_writer = self._make_message_writer()
        else:  # nothing is streamed (`invoke`): writes go nowhere
            self.writer = self.message_writer = _noop

    def _make_writer(self) -> Callable[[Any], None]:
        run, task = self.run, self.task
        custom, events = "custom" in run.modes, "events" in run.modes
        if not custom and not events:
            return _noop
        put, ns, stop = run.put, run.ns, run.stop
        name, tid = task.name, task.id
        monotonic = time.monotonic

        if custom and not events:

            def write(chunk: Any) -> None:
                if stop.cancelled:
                    raise RunCancelledError(f"The run was stopped; node `{name}` stops at its next write")
                put(("custom", ns, chunk))
        else:

            def write(chunk: Any) -> None:
                if stop.cancelled:
                    raise RunCancelledError(f"The run was stopped; node `{name}` stops at its next write")
                if custom:
                    put(("custom", ns, chunk))
                put(("events", ns, Event("chunk", name, tid, run.step, ns, monotonic(), chunk)))

        return write

    def _make_message_writer(self) -> Callable[..., None]:
        run, task = self.run, self.task
        messages, events = "messages" in run.modes, "events" in run.modes
        if not messages and not events:
            return _noop
        put, ns, stop = run.put, run.ns, run.stop
        name, tid = task.name, task.id
        meta = self.metadata()

        def write(chunk: Any, metadata: dict[str, Any] | None = None) -> None:
            if stop.cancelled:
                raise RunCancelledError(f"The run was stopped; node `{name}` stops at its next write")
            if isinstance(chunk, str):
                chunk = MessageChunk(content=chunk)
            item = (chunk, meta if metadata is None else metadata)
            if messages:
                put(("messages", ns, item))
            if events:
                put(("events", ns, Event("message", name, tid, run.step, ns, time.monotonic(), item)))

        return write

    def metadata(self) -> dict[str, Any]:
        run, task = self.run, self.task
        checkpoint_ns = "|".join((*run.ns, f"{task.name}:{task.id}"))
        meta = dict(run.config.get("metadata") or {})
        thread_id = (run.config.get("configurable") or {}).get("thread_id")
        if thread_id is not None:
            meta.setdefault("thread_id", thread_id)
        meta.update(
            langgraph_step=run.step,
            langgraph_node=task.name,
            langgraph_triggers=task.triggers,
            langgraph_path=task.path,
            langgraph_checkpoint_ns=checkpoint_ns,
        )
        return meta

    @property
    def config(self) -> dict[str, Any]:
        if self._config is None:
            base = self.run.config
            conf = dict(base)
            conf["metadata"] = self.metadata()
            configurable = dict(base.get("configurable") or {})
            configurable["checkpoint_ns"] = conf["metadata"]["langgraph_checkpoint_ns"]
            conf["configurable"] = configurable
            self._config = conf
        return self._config

    @property
    def runtime(self) -> Runtime[Any]:
        return Runtime(
            context=self.run.context,
            store=self.run.store,
            stream_writer=self.writer,
            execution_info=self.execution_info(),
            control=self.run.control,
        )

    def execution_info(self) -> ExecutionInfo:
        run, task = self.run, self.task
        run_id = run.config.get("run_id")
        return ExecutionInfo(
            checkpoint_id=run.cp_id or f"{run.run_key}-{run.step}",
            checkpoint_ns="|".join((*run.ns, f"{task.name}:{task.id}")),
            task_id=task.id,
            thread_id=(run.config.get("configurable") or {}).get("thread_id") if run.saver is not None else None,
            run_id=None if run_id is None else str(run_id),
            node_attempt=self.attempt,
            node_first_attempt_time=self.started,
        )

    def kwargs(self, inject: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in inject:
            if name == "config":
                out[name] = self.config
            elif name == "writer":
                out[name] = self.writer
            elif name == "runtime":
                out[name] = self.runtime
            elif name == "error":
                out[name] = self.node_error
            else:
                out[name] = self.run.store
        return out


def enter_task(scope: TaskScope) -> tuple[Any, Callable[[], None] | None]:
    """Make `scope` the current task (and, once LangChain is imported, LangChain's current config)."""
    token = CURRENT.set(scope)
    run = scope.run
    if run.interop is None:
        if sys.modules.get("langchain_core") is not None:
            from ._plugins import langchain_interop

            run.interop = langchain_interop(run)
        elif "messages" in run.modes or "events" in run.modes:
            from ._message_stream import MessageTracker

            run.interop = MessageTracker(run)  # messages the nodes return, streamed when they end
    return token, (run.interop.enter(scope) if run.interop is not None else None)


def leave_task(entered: tuple[Any, Callable[[], None] | None]) -> None:
    token, leave = entered
    if leave is not None:
        leave()
    CURRENT.reset(token)


# -- what a task does with its node's answer (shared by both drivers) ----------------------------------------
def result_of(run: Run, task: Task, output: Any) -> TaskResult:
    if run.interop is not None:
        run.interop.node_output(run, task, output)
    return updates_of(task.name, output, run.spec.channels, run.spec.state_view.keys)


def router_values(run: Run, task: Task, result: TaskResult) -> dict[str, Any]:
    """What routers after `task` read from: the state at the step's start plus this task's own writes."""
    values = dict(run.values)
    if result.writes:
        apply_writes(run.spec.channels, values, [(task.name, result.writes)])
    result.view = values  # when the task is alone in its step, this is the state after the step
    return {**values, **run.managed} if run.managed else values


def router_input(run: Run, branch: Branch, values: dict[str, Any]) -> Any:
    """What `branch`'s router is called with: `values` as its schema (or the graph's) reads them."""
    return (branch.view or run.spec.state_view).read(values)


def error_handler_task(run: Run, task: Task, exc: BaseException) -> tuple[Task, NodeError] | None:
    """The task of `task`'s error handler and what it is told, when its node has one and `exc` is a
    failure it handles (not an interrupt, not the run being stopped); else None."""
    handler = task.node.error_handler
    if handler is None or not isinstance(exc, Exception) or run.cancelled:
        return None
    if isinstance(exc, (GraphBubbleUp, RunCancelledError)):
        return None
    handler_task = Task(
        task_id(run.run_key, run.step, 0, f"{handler.name}|{task.id}"),
        handler.name,
        handler,
        task.input,
        ("__pregel_push",),
        True,
        (*task.path[:3], "node_error_handler", False),
    )
    return handler_task, NodeError(task.name, exc)


def branches_of(run: Run, task: Task) -> tuple[Branch, ...]:
    return run.spec.branches.get(task.name, ())


def managed_values(managed: Mapping[str, Any], remaining: int) -> dict[str, Any]:
    return {key: manager.get(remaining) for key, manager in managed.items()}


def add_routes(run: Run, branch: Branch, answer: Any, result: TaskResult) -> None:
    result.goto.extend(route(branch, answer, run.spec.nodes))


def check_gotos(run: Run, task: Task, result: TaskResult) -> None:
    if result.goto:
        check_targets(result.goto, run.spec.nodes, f"Node `{task.name}` (via Command(goto=...))")


def retry_delay(node: NodeSpec, exc: BaseException, attempt: int) -> float | None:
    """Seconds to wait before retrying `node` after `exc` on attempt `attempt`, or None to give up."""
    if not isinstance(exc, Exception) or isinstance(exc, RunCancelledError):
        return None
    for policy in node.retry:
        if policy.should_retry(exc):
            return policy.interval(attempt) if attempt < policy.max_attempts else None
    return None


def note_failure(run: Run, task: Task, exc: BaseException) -> None:
    where = f" in subgraph `{'|'.join(run.ns)}`" if run.ns else ""
    add_note(
        exc,
        f"During task with name '{task.name}' and id '{task.id}' (node `{task.name}`, step {run.step}{where})",
    )
    if _cross_loop(exc):
        add_note(exc, CROSS_LOOP_HINT)


def _cross_loop(exc: BaseException | None) -> bool:
    """Whether `exc`, or what it was raised from (an LLM adapter wraps the SDK's error), is asyncio saying
    that something bound to one event loop was used on another."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, RuntimeError) and any(s in str(exc) for s in CROSS_LOOP_SIGNS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


CROSS_LOOP_SIGNS = ("different event loop", "different loop", "Event loop is closed")
CROSS_LOOP_HINT = (
    "An async client (e.g. a module-level AsyncOpenAI()) reused a connection it opened on another event loop: "
    "each `asyncio.run(...)` makes a new loop, and sync calls made where no loop runs use livegraph's own. "
    "Use `livegraph.llm.async_client()` (one connection pool per loop, any loop), or make every call on one "
    "loop: in a notebook `graph.stream`, `await graph.astream` and a cell's `await` all share the kernel's "
    "loop; in a script, make them inside one `asyncio.run(main())`."
)


def input_writes(run: Run, data: Any) -> list[tuple[str, Any]]:
    """The writes a run's input makes; keys outside every schema are an error naming them."""
    from ._errors import InvalidUpdateError

    spec = run.spec
    if data is None:
        return []
    if not isinstance(data, Mapping):
        from ._schema import object_updates

        pairs = object_updates(data, spec.state_view.keys)
        if pairs is None:
            raise InvalidUpdateError(
                f"The input must be a dict of state keys (or an instance of the state schema); got {data!r}"
            )
        return [(k, v) for k, v in pairs if k not in spec.managed] if spec.managed else pairs
    unknown = [k for k in data if k not in spec.channels and k not in spec.managed]
    if unknown:
        raise InvalidUpdateError(
            f"Input key(s) {', '.join(f'`{k}`' for k in unknown)} are not in the state schema "
            f"(keys: {', '.join(spec.channels)}); fix the key names or add them to the schema"
        )
    allowed = set(spec.input_keys)
    return [(k, v) for k, v in data.items() if k in allowed and k not in spec.managed]


# -- what both drivers do around a task ------------------------------------------------------------------------
def call_node(fn: Any, arg: Any, inject: tuple[str, ...], scope: Any) -> Any:
    """Call a node (or router) with its input, plus the keyword arguments it asked for (`config`, ...)."""
    return fn(arg, **scope.kwargs(inject)) if inject else fn(arg)


def close_awaitable(aw: Any) -> None:
    """Close a coroutine that will not be awaited (the run stopped first), so Python does not warn."""
    close = getattr(aw, "close", None)
    if close is not None:
        close()


_REPORTED = "_livegraph_reported"


def reported(exc: BaseException) -> None:
    """Mark `exc` as streamed and noted already (an error handler's failure), so that the step that ran
    the failed node does not report it again under that node."""
    try:
        setattr(exc, _REPORTED, True)
    except AttributeError:  # pragma: no cover - an exception without a __dict__
        pass


def fail_task(run: Run, task: Task, exc: BaseException) -> None:
    """Stream a task's failure (its `tasks`/`debug` result, the `task_error` event), once."""
    if getattr(exc, _REPORTED, False):
        delattr(exc, _REPORTED)
        return
    if not isinstance(exc, (GraphBubbleUp, RunCancelledError)):
        note_failure(run, task, exc)
    run.emit_task_end(task, None, exc)
    run.event("task_error", task, exc)
