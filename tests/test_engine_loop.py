"""Sync calls on async graphs made where an event loop runs (a notebook cell, sync code inside
`asyncio.run(main())`) run on that loop, stepped by the consumer: standard library only, so these run on
every supported Python. Items arrive live, the caller's task and its context are put back, a node's own
stop works, and Ctrl-C stops the run within a second, however the loop's SIGINT handler is set up."""

from __future__ import annotations

import asyncio
import contextvars
import signal
import threading
import time
from typing import Any, TypedDict

import pytest

from livegraph.config import get_stream_writer, on_cancel
from livegraph.graph import START, StateGraph

LIMIT = 1.0


class S(TypedDict, total=False):
    x: int


def _graph(kind: str, ended: list[float]) -> Any:
    async def wait(state: S) -> S:
        get_stream_writer()("started")
        try:
            await asyncio.sleep(30)
            return {"x": 1}
        finally:
            ended.append(time.monotonic())

    def wait_sync(state: S) -> S:  # a sync node in an async graph: a worker thread, stopped by its hook
        get_stream_writer()("started")
        stop = threading.Event()
        unregister = on_cancel(stop.set)
        try:
            stop.wait(30)
            return {"x": 1}
        finally:
            unregister()
            ended.append(time.monotonic())

    async def first(state: S) -> S:
        return {}

    builder = StateGraph(S).add_node("first", first).add_node("wait", wait if kind == "async" else wait_sync)
    return builder.add_edge(START, "first").add_edge("first", "wait").compile()


def test_the_run_uses_the_callers_loop_and_puts_its_task_back() -> None:
    loops: list[Any] = []
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    async def node(state: S) -> S:
        loops.append(asyncio.get_running_loop())
        get_stream_writer()(var.get())
        return {"x": 1}

    graph = StateGraph(S).add_node("node", node).add_edge(START, "node").compile()

    async def cell() -> tuple[list[Any], Any, Any]:
        var.set("cell")
        me = asyncio.current_task()
        chunks = list(graph.stream({}, stream_mode="custom"))
        assert asyncio.current_task() is me
        return chunks, graph.invoke({}), asyncio.get_running_loop()

    chunks, final, loop = asyncio.run(cell())
    assert chunks == ["cell"] and final == {"x": 1}
    assert loops == [loop, loop]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("handler", ["asyncio.run", "default"])
@pytest.mark.parametrize("kind", ["async", "sync"])
def test_ctrl_c_in_a_running_loop_stops_the_run_within_a_second(kind: str, handler: str) -> None:
    ended: list[float] = []
    graph = _graph(kind, ended)
    pressed: list[float] = []
    main = threading.main_thread().ident
    assert main is not None

    async def cell() -> None:
        for chunk in graph.stream({}, stream_mode="custom"):
            if chunk == "started":
                def press() -> None:
                    time.sleep(0.2)
                    pressed.append(time.monotonic())
                    signal.pthread_kill(main, signal.SIGINT)

                threading.Thread(target=press, daemon=True).start()

    if handler == "asyncio.run":  # its own handler cancels the main task
        with pytest.raises(KeyboardInterrupt):
            asyncio.run(cell())
    else:  # Python's default handler, as in a notebook's plain cell
        loop = asyncio.new_event_loop()
        try:
            with pytest.raises(KeyboardInterrupt):
                loop.run_until_complete(cell())
        finally:
            loop.close()
    returned = time.monotonic() - pressed[0]
    assert returned < LIMIT
    time.sleep(0.1 if kind == "async" else LIMIT)
    assert ended and ended[0] - pressed[0] < LIMIT
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", ["async", "sync"])
def test_breaking_out_in_a_running_loop_stops_the_run_within_a_second(kind: str) -> None:
    ended: list[float] = []
    graph = _graph(kind, ended)

    async def cell() -> float:
        for chunk in graph.stream({}, stream_mode="custom"):
            if chunk == "started":
                break
        return time.monotonic()

    start = time.monotonic()
    stopped = asyncio.run(cell())
    assert stopped - start < 2.0
    time.sleep(0.1 if kind == "async" else LIMIT)
    assert ended and ended[0] - stopped < LIMIT
