"""What the engine tests share: one way to run a graph in either mode, and node factories.

Every behaviour is written once and run over both drivers. A test takes the `mode` fixture: "sync" runs
`graph.stream` / `graph.invoke`, "async" runs `asyncio.run` of `graph.astream` / `graph.ainvoke`, through
`run_stream(mode, graph, input, ...)` and `run_invoke(mode, graph, input, ...)`. Where the kind of node
matters, the `kind` fixture gives "def" or "async def", and `node(kind, fn)` turns a plain function into a
node of that kind with the same name and signature. (A test module imports `mode_fixture` and
`kind_fixture`, which pytest registers under those short names.)
"""

from __future__ import annotations

import asyncio
import functools
import operator
import re
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

import pytest

from livegraph import Event

MODES = ("sync", "async")
KINDS = ("def", "async def")


@pytest.fixture(params=MODES, name="mode")
def mode_fixture(request: pytest.FixtureRequest) -> str:
    """How the graph is driven: `stream`/`invoke` or `astream`/`ainvoke`."""
    return str(request.param)


@pytest.fixture(params=KINDS, name="kind")
def kind_fixture(request: pytest.FixtureRequest) -> str:
    """How nodes are written: `def` or `async def`."""
    return str(request.param)


def run_stream(mode: str, graph: Any, input: Any, config: Any = None, *,
               on_chunk: Callable[[Any], None] | None = None, **kw: Any) -> list[Any]:
    """Every chunk `graph.stream(...)` (or `astream`) yields, as a list; `on_chunk` sees each as it comes."""
    out: list[Any] = []
    if mode == "sync":
        for chunk in graph.stream(input, config, **kw):
            out.append(chunk)
            if on_chunk is not None:
                on_chunk(chunk)
        return out

    async def collect() -> None:
        async for chunk in graph.astream(input, config, **kw):
            out.append(chunk)
            if on_chunk is not None:
                on_chunk(chunk)

    asyncio.run(collect())
    return out


def run_invoke(mode: str, graph: Any, input: Any, config: Any = None, **kw: Any) -> Any:
    """What `graph.invoke(...)` (or `ainvoke`) returns."""
    if mode == "sync":
        return graph.invoke(input, config, **kw)
    return asyncio.run(graph.ainvoke(input, config, **kw))


def node(kind: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` as a node of `kind`: itself for "def", an `async def` wrapper (same name, same signature)."""
    if kind == "def":
        return fn

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


class Log(TypedDict):
    """The state most tests use: a plain key and a list combined with `operator.add`."""

    x: int
    log: Annotated[list[str], operator.add]


def appender(name: str) -> Callable[[Log], dict[str, Any]]:
    """A node named `name` that appends its name to `log`."""

    def fn(state: Log) -> dict[str, Any]:
        return {"log": [name]}

    fn.__name__ = name
    return fn


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalized(value: Any) -> Any:
    """`value` with task ids replaced by `T1`, `T2`, ... in order of first appearance, and debug
    timestamps by `<ts>`, so whole streams can be compared exactly."""
    labels: dict[str, str] = {}

    def label(match: re.Match[str]) -> str:
        return labels.setdefault(match.group(0), f"T{len(labels) + 1}")

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return UUID.sub(label, v)
        if isinstance(v, dict):
            return {k: "<ts>" if k == "timestamp" else walk(x) for k, x in v.items()}
        if isinstance(v, tuple):
            return tuple(walk(x) for x in v)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, Event):
            return (v.kind, v.node, walk(v.task_id), v.step, walk(v.ns), walk(v.data))
        return v

    return walk(value)


def engine_threads() -> list[threading.Thread]:
    """Threads a run starts and must not leave behind (the shared bridge loop, the watchdog and the shared
    pool's idle helper threads stay by design; a pool thread still running a task shows in `busy_pool`)."""
    return [t for t in threading.enumerate() if t.is_alive() and t.name.startswith("livegraph")
            and t.name not in ("livegraph-loop", "livegraph-watchdog")
            and not t.name.startswith("livegraph-pool")] + busy_pool()


def busy_pool() -> list[threading.Thread]:
    """Shared-pool threads that are running a task right now (not waiting for one)."""
    import sys

    frames = sys._current_frames()
    busy = []
    for t in threading.enumerate():
        if t.name.startswith("livegraph-pool") and t.ident in frames:
            frame = frames[t.ident]
            names = set()
            while frame is not None:
                names.add(frame.f_code.co_name)
                frame = frame.f_back
            if "run_task" in names:
                busy.append(t)
    return busy


def wait_until(predicate: Callable[[], bool], timeout: float = 2.0) -> bool:
    """Poll `predicate` until it holds or `timeout` passes; returns its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


__all__ = [
    "KINDS",
    "MODES",
    "Log",
    "appender",
    "engine_threads",
    "kind_fixture",
    "mode_fixture",
    "node",
    "normalized",
    "run_invoke",
    "run_stream",
    "wait_until",
]
