"""Stopping a run from the consumer's side: breaking out of the loop, closing the generator, `aclose()`,
Ctrl-C in the loop's body (sync) or cancelling the consuming task (async, as a Jupyter interrupt does).

Within 1 s of the consumer stopping, the node that was running stops (an async node is cancelled, a sync
node stops at its next write), no new node starts, and no thread of the run is left behind.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from engine_helpers import Log, engine_threads, kind_fixture, mode_fixture, node, wait_until  # noqa: F401 - pytest fixtures
from livegraph import START, StateGraph
from livegraph.config import get_stream_writer

# After `break`, a generator is closed by its finalizer, which only prints what goes wrong: make that fail.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
STOPS = ("break", "close", "interrupt")
STREAM_MODES = (["custom", "updates"], "custom")


@pytest.fixture
def new_threads() -> Callable[[], list[threading.Thread]]:
    """The engine's threads started during the test and still alive (a leak from another test is not ours)."""
    before = set(engine_threads())
    return lambda: [t for t in engine_threads() if t not in before]


def stop_after_first(mode: str, graph: Any, how: str, stream_mode: Any,
                     stopped: Callable[[], bool]) -> tuple[Any, float, list[str]]:
    """Stream, stop after the first chunk by `how`; return the chunk, the seconds until `stopped()` holds
    (inf after 2 s) and, in async mode, the tasks left on the loop and the errors it reported (closing an
    async generator after `break` happens in a task the loop runs later)."""
    if mode == "sync":
        if how == "break":
            for chunk in graph.stream({"x": 0}, stream_mode=stream_mode):
                first = chunk
                break
        elif how == "interrupt":
            try:
                for chunk in graph.stream({"x": 0}, stream_mode=stream_mode):
                    first = chunk
                    raise KeyboardInterrupt
            except KeyboardInterrupt:
                pass
        else:
            gen = graph.stream({"x": 0}, stream_mode=stream_mode)
            first = next(gen)
            gen.close()
        start = time.monotonic()
        ok = wait_until(stopped, 2.0)
        return first, (time.monotonic() - start) if ok else float("inf"), []

    async def go() -> tuple[Any, float, list[str]]:
        errors: list[str] = []
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: errors.append(str(context)))
        if how == "break":
            async for chunk in graph.astream({"x": 0}, stream_mode=stream_mode):
                first = chunk
                break
        elif how == "interrupt":
            got: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

            async def consume() -> None:
                async for chunk in graph.astream({"x": 0}, stream_mode=stream_mode):
                    if not got.done():
                        got.set_result(chunk)

            consumer = asyncio.ensure_future(consume())
            first = await got
            consumer.cancel()
            await asyncio.wait([consumer])
        else:
            agen = graph.astream({"x": 0}, stream_mode=stream_mode)
            first = await agen.__anext__()
            await agen.aclose()
        start = time.monotonic()
        while not stopped() and time.monotonic() - start < 2.0:
            await asyncio.sleep(0.01)
        elapsed = (time.monotonic() - start) if stopped() else float("inf")
        await asyncio.sleep(0.05)  # let anything left over show itself
        me = asyncio.current_task()
        return first, elapsed, [repr(t) for t in asyncio.all_tasks() if t is not me] + errors

    return asyncio.run(go())


def _talker_graph(kind: str, writes: int, then_wait: float) -> tuple[Any, threading.Event, threading.Event]:
    """START -> talk -> after. `talk` writes `writes` chunks 20 ms apart, then waits `then_wait` s."""
    stopped, started_after = threading.Event(), threading.Event()

    if kind == "def":
        def talk(state: Log) -> dict[str, Any]:
            try:
                writer = get_stream_writer()
                for i in range(writes):
                    writer(i)
                    time.sleep(0.02)
                time.sleep(then_wait)
                return {}
            finally:
                stopped.set()
    else:
        async def talk(state: Log) -> dict[str, Any]:  # type: ignore[misc]
            try:
                writer = get_stream_writer()
                for i in range(writes):
                    writer(i)
                    await asyncio.sleep(0.02)
                await asyncio.sleep(then_wait)
                return {}
            finally:
                stopped.set()

    def after(state: Log) -> dict[str, Any]:
        started_after.set()
        return {}

    graph = (StateGraph(Log).add_node("talk", talk).add_node("after", node(kind, after))
             .add_edge(START, "talk").add_edge("talk", "after").compile())
    return graph, stopped, started_after


@pytest.mark.parametrize("how", STOPS)
@pytest.mark.parametrize("stream_mode", STREAM_MODES, ids=["custom+updates", "custom"])
def test_stopping_stops_a_writing_node_within_a_second(mode: str, kind: str, how: str, stream_mode: Any,
                                                       new_threads: Any) -> None:
    graph, stopped, started_after = _talker_graph(kind, writes=200, then_wait=0.0)
    first, elapsed, leftover = stop_after_first(mode, graph, how, stream_mode, stopped.is_set)
    assert first == (("custom", 0) if isinstance(stream_mode, list) else 0)
    assert elapsed < 1.0
    assert wait_until(lambda: not new_threads(), 1.0), new_threads()
    time.sleep(0.1)
    assert not started_after.is_set()
    assert leftover == []


@pytest.mark.parametrize("how", STOPS)
def test_no_new_node_starts_after_the_consumer_stopped(mode: str, kind: str, how: str, new_threads: Any) -> None:
    # `talk` writes once and then stays quiet for 0.3 s: it has no later write to be stopped at, so it
    # finishes (or is cancelled); either way `after` must not start.
    graph, stopped, started_after = _talker_graph(kind, writes=1, then_wait=0.3)
    first, elapsed, leftover = stop_after_first(mode, graph, how, "custom", stopped.is_set)
    assert first == 0
    assert elapsed < 1.0
    time.sleep(0.2)
    assert not started_after.is_set()
    assert wait_until(lambda: not new_threads(), 1.0), new_threads()
    assert leftover == []


@pytest.mark.parametrize("how", STOPS)
def test_pending_async_nodes_are_cancelled_and_their_finally_runs(mode: str, how: str, new_threads: Any) -> None:
    finished: list[str] = []

    async def talk(state: Log) -> dict[str, Any]:
        try:
            get_stream_writer()("hello")
            await asyncio.sleep(30)
            return {}
        finally:
            finished.append("talk")

    async def sleeper(state: Log) -> dict[str, Any]:
        try:
            await asyncio.sleep(30)
            return {}
        finally:
            finished.append("sleeper")

    graph = (StateGraph(Log).add_node(talk).add_node(sleeper).add_edge(START, "talk")
             .add_edge(START, "sleeper").compile())
    first, elapsed, leftover = stop_after_first(mode, graph, how, "custom", lambda: len(finished) == 2)
    assert first == "hello"
    assert elapsed < 1.0
    assert sorted(finished) == ["sleeper", "talk"]
    assert leftover == []
    assert wait_until(lambda: not new_threads(), 1.0), new_threads()


@pytest.mark.parametrize("how", ["break", "close"])  # an interrupt hits a consumer already asking for more
@pytest.mark.parametrize("stream_mode", ["updates", ["updates", "custom"]], ids=["buffered", "live"])
def test_stopping_between_steps_runs_nothing_more(mode: str, kind: str, how: str, stream_mode: Any,
                                                  new_threads: Any) -> None:
    # LangGraph's stream is lazy: a step runs when the consumer asks for more. So is livegraph's, also
    # where a driver runs ahead of the consumer (a live mode, or the bridge for async nodes).
    ran: list[str] = []

    def step(name: str) -> Any:
        def fn(state: Log) -> dict[str, Any]:
            ran.append(name)
            return {"log": [name]}

        fn.__name__ = name
        return node(kind, fn)

    graph = (StateGraph(Log).add_sequence([step("a"), step("b"), step("c")]).add_edge(START, "a").compile())
    first, _, leftover = stop_after_first(mode, graph, how, stream_mode, lambda: True)
    assert first == ({"a": {"log": ["a"]}} if stream_mode == "updates" else ("updates", {"a": {"log": ["a"]}}))
    time.sleep(0.1)
    assert ran == ["a"]
    assert leftover == []
    assert wait_until(lambda: not new_threads(), 1.0), new_threads()
