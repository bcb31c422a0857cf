"""Which task is running here: a context variable set around every node call.

`get_stream_writer()`, `get_config()`, `get_message_writer()` and `get_runtime()` read it. It is a
`contextvars.ContextVar`, so it follows the node into helpers, async generators, awaited coroutines and
threads started with a copied context, on every supported Python (asyncio tasks are created inside the
task's context, which also works on 3.10 where `create_task` takes no `context=`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._types import StreamWriter

if TYPE_CHECKING:
    from ._run import TaskScope

ContextT = TypeVar("ContextT")

CURRENT: ContextVar[TaskScope | None] = ContextVar("livegraph_task", default=None)

_warned: set[str] = set()


def _outside(what: str) -> None:
    if what not in _warned:
        _warned.add(what)
        warnings.warn(
            f"{what}() was called outside a running graph (for example a node function called on its own "
            "in a cell), so what you write to it is dropped. Run the node through "
            "`graph.stream(inputs, stream_mode='custom')` to see its chunks.",
            RuntimeWarning,
            stacklevel=3,
        )


def _drop(chunk: Any) -> None:
    return None


def get_stream_writer() -> StreamWriter:
    """The current task's writer for `custom` mode: `writer(chunk)` sends `chunk` to the stream.

    Inside a node (or anything it calls) it is bound to that task; when `custom` mode is not being
    streamed it is a no-op. Outside any run it drops chunks and warns once.
    """
    scope = CURRENT.get()
    if scope is None:
        _outside("get_stream_writer")
        return _drop
    return scope.writer


def get_message_writer() -> StreamWriter:
    """The current task's writer for `messages` mode.

    `mw(chunk)` emits `(chunk, metadata)`, with LangGraph's metadata keys (`langgraph_node`,
    `langgraph_step`, ...). `chunk` is a `livegraph.MessageChunk` (a `str` is wrapped into one). This is
    how any code, not only LangChain models, feeds `messages` mode; `livegraph.llm` does it per token.
    """
    scope = CURRENT.get()
    if scope is None:
        _outside("get_message_writer")
        return _drop
    return scope.message_writer


def get_config() -> dict[str, Any]:
    """The config of the running task (`configurable`, `metadata` with `langgraph_node`, ...)."""
    scope = CURRENT.get()
    if scope is None:
        raise RuntimeError(
            "get_config() was called outside a running graph; call it inside a node, "
            "or give the node a `config` parameter"
        )
    return scope.config


def on_cancel(hook: Callable[[], None]) -> Callable[[], None]:
    """Call `hook` if the run is stopped (the consumer broke out of its loop, closed the stream, hit
    Ctrl-C) while the current task runs. Returns a function that unregisters it.

    For code that blocks without writing, e.g. a sync LLM call waiting on a stalled server: the hook can
    close the connection from the thread that stops the run. `hook` runs on that thread; keep it short.
    Outside a run, nothing is registered.
    """
    scope = CURRENT.get()
    if scope is None:
        return _unregister_nothing
    return scope.run.stop.add(hook)


def _unregister_nothing() -> None:
    return None


def get_store() -> Any:
    """The store given to `compile(store=...)`, or None."""
    scope = CURRENT.get()
    return None if scope is None else scope.run.store


def _no_heartbeat() -> None:
    return None


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """What a running node can know about where it runs (`runtime.execution_info`), as in LangGraph.

    Attributes:
        checkpoint_id: The checkpoint the step started from (without a checkpointer: an id unique to
            the run and step).
        checkpoint_ns: The task's checkpoint namespace, `"node:<task id>"` (parents' parts first, `|`).
        task_id: The task's id.
        thread_id: `config["configurable"]["thread_id"]`, None without a checkpointer.
        run_id: `config["run_id"]` as a string, when the run was given one.
        node_attempt: Which attempt this is, from 1 (retries count up).
        node_first_attempt_time: `time.time()` when the first attempt started.
    """

    checkpoint_id: str
    checkpoint_ns: str
    task_id: str
    thread_id: str | None = None
    run_id: str | None = None
    node_attempt: int = 1
    node_first_attempt_time: float | None = None

    def patch(self, **overrides: Any) -> ExecutionInfo:
        """A copy with some fields replaced."""
        return replace(self, **overrides)


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What LangGraph Server tells a node about its deployment; always None in livegraph (no server)."""

    assistant_id: str
    graph_id: str
    user: Any = None


class RunControl:
    """LangGraph's run-scoped drain switch: `graph.invoke(inputs, config, control=control)`, then
    `control.request_drain()` from anywhere (a signal handler, another thread) stops the run before its
    next superstep with `GraphDrained`; with a checkpointer, the thread resumes from there. A node sees
    its run's control as `runtime.control`."""

    __slots__ = ("_drain_reason",)

    def __init__(self) -> None:
        self._drain_reason: str | None = None

    def request_drain(self, reason: str = "shutdown") -> None:
        self._drain_reason = reason

    @property
    def drain_requested(self) -> bool:
        return self._drain_reason is not None

    @property
    def drain_reason(self) -> str | None:
        return self._drain_reason


@dataclass(frozen=True, kw_only=True, slots=True)
class Runtime(Generic[ContextT]):
    """What LangGraph's `runtime` parameter gives a node: `def node(state, runtime: Runtime[Ctx])`.

    Attributes:
        context: What the run was given as `context=` (typed by the graph's `context_schema`).
        store: The store given to `compile(store=...)`, or None.
        stream_writer: The task's `custom` writer (as `get_stream_writer()`).
        heartbeat: LangGraph's progress signal for idle timeouts; livegraph has no node timeouts, so a no-op.
        previous: The functional API's previous return value; None in a `StateGraph`.
        execution_info: Where and which attempt this is (see `ExecutionInfo`).
        server_info: None (LangGraph Server only).
        control: The run's drain switch (`RunControl`).
    """

    context: ContextT = None  # type: ignore[assignment]
    store: Any = None
    stream_writer: StreamWriter = _drop
    heartbeat: Callable[[], None] = _no_heartbeat
    previous: Any = None
    execution_info: ExecutionInfo | None = None
    server_info: ServerInfo | None = None
    control: RunControl | None = None

    def merge(self, other: Runtime[ContextT]) -> Runtime[ContextT]:
        """`other`'s values where it has them, else this runtime's."""
        return Runtime(
            context=other.context or self.context,
            store=other.store or self.store,
            stream_writer=other.stream_writer if other.stream_writer is not _drop else self.stream_writer,
            heartbeat=other.heartbeat if other.heartbeat is not _no_heartbeat else self.heartbeat,
            previous=self.previous if other.previous is None else other.previous,
            execution_info=other.execution_info or self.execution_info,
            server_info=other.server_info or self.server_info,
            control=other.control or self.control,
        )

    def override(self, **overrides: Any) -> Runtime[ContextT]:
        """A copy with some fields replaced."""
        return replace(self, **overrides)

    def patch_execution_info(self, **overrides: Any) -> Runtime[ContextT]:
        """A copy whose `execution_info` has some fields replaced."""
        if self.execution_info is None:
            raise RuntimeError("Cannot patch execution_info before it has been set")
        return replace(self, execution_info=self.execution_info.patch(**overrides))

    @property
    def drain_requested(self) -> bool:
        return self.control.drain_requested if self.control is not None else False

    @property
    def drain_reason(self) -> str | None:
        return self.control.drain_reason if self.control is not None else None


def get_runtime(context_schema: type[ContextT] | None = None) -> Runtime[ContextT]:
    """The running task's `Runtime` (`context_schema` only types the result, as in LangGraph)."""
    scope = CURRENT.get()
    if scope is None:
        raise RuntimeError("get_runtime() was called outside a running graph; call it inside a node")
    return scope.runtime
