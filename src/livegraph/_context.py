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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._types import StreamWriter

if TYPE_CHECKING:
    from ._run import TaskScope

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


@dataclass(frozen=True)
class Runtime:
    """What LangGraph's `runtime` parameter gives a node: the run's context, store and stream writer."""

    context: Any = None
    store: Any = None
    stream_writer: StreamWriter = _drop
    previous: Any = None


def get_runtime(context_schema: Any = None) -> Runtime:
    """The running task's `Runtime`."""
    scope = CURRENT.get()
    if scope is None:
        raise RuntimeError("get_runtime() was called outside a running graph; call it inside a node")
    return scope.runtime
