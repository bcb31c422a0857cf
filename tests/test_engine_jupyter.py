"""Sync calls where an event loop is already running, as in a Jupyter cell; with and without nest_asyncio;
and the watchdog that names an `async def` node blocking the loop."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from engine_helpers import Log, kind_fixture, mode_fixture, node  # noqa: F401 - pytest fixtures
from livegraph import START, StateGraph
from livegraph.config import get_stream_writer

SRC = str(Path(__file__).resolve().parent.parent / "src")


def _handshake_graph(kind: str) -> tuple[Any, threading.Event]:
    """`talk` writes "first", then waits (up to 5 s) for the consumer to have received it."""
    received = threading.Event()

    if kind == "def":
        def talk(state: Log) -> dict[str, Any]:
            get_stream_writer()("first")
            return {"log": ["live" if received.wait(5) else "batched"]}
    else:
        async def talk(state: Log) -> dict[str, Any]:  # type: ignore[misc]
            get_stream_writer()("first")
            deadline = time.monotonic() + 5
            while not received.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            return {"log": ["live" if received.is_set() else "batched"]}

    graph = StateGraph(Log).add_node("talk", talk).add_edge(START, "talk").compile()
    return graph, received


def test_sync_calls_inside_a_running_loop_stream_live(kind: str) -> None:
    graph, received = _handshake_graph(kind)

    async def cell() -> tuple[list[Any], Any]:
        # What a notebook cell does: a plain `for` over `graph.stream` while the kernel's loop runs.
        asyncio.get_running_loop()
        chunks = []
        for chunk in graph.stream({"x": 0}, stream_mode=["custom", "updates"]):
            chunks.append(chunk)
            if chunk == ("custom", "first"):
                received.set()
        received.clear()
        threading.Timer(0.05, received.set).start()
        return chunks, graph.invoke({"x": 1})

    chunks, final = asyncio.run(cell())
    assert chunks == [("custom", "first"), ("updates", {"talk": {"log": ["live"]}})]
    assert final == {"x": 1, "log": ["live"]}


NEST_SCRIPT = textwrap.dedent("""
    import asyncio, json, threading, time
    from typing import Annotated, TypedDict
    import operator
    import nest_asyncio
    nest_asyncio.apply()
    from livegraph import START, StateGraph
    from livegraph.config import get_stream_writer

    class S(TypedDict):
        log: Annotated[list, operator.add]

    received = threading.Event()

    async def talk(state):
        get_stream_writer()("first")
        deadline = time.monotonic() + 5
        while not received.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        return {"log": ["live" if received.is_set() else "batched"]}

    graph = StateGraph(S).add_node("talk", talk).add_edge(START, "talk").compile()

    async def cell():
        out = {"stream": []}
        for chunk in graph.stream({}, stream_mode=["custom", "updates"]):
            out["stream"].append(chunk)
            if chunk == ("custom", "first"):
                received.set()
        out["invoke"] = graph.invoke({})
        out["ainvoke"] = await graph.ainvoke({})
        out["astream"] = [c async for c in graph.astream({}, stream_mode="updates")]
        out["nested_run"] = asyncio.run(graph.ainvoke({}))  # what nest_asyncio allows
        return out

    print(json.dumps(asyncio.run(cell())))
""")


def test_sync_calls_keep_working_after_nest_asyncio_apply(tmp_path: Path) -> None:
    pytest.importorskip("nest_asyncio")
    script = tmp_path / "nested.py"
    script.write_text(NEST_SCRIPT)
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "stream": [["custom", "first"], ["updates", {"talk": {"log": ["live"]}}]],
        "invoke": {"log": ["live"]},
        "ainvoke": {"log": ["live"]},
        "astream": [{"talk": {"log": ["live"]}}],
        "nested_run": {"log": ["live"]},
    }


def test_an_async_graph_s_sync_call_from_inside_one_of_its_nodes_names_the_right_call() -> None:
    inner = StateGraph(Log).add_node("leaf", node("async def", lambda s: {"x": 1})).add_edge(START, "leaf").compile()

    async def outer(state: Log) -> dict[str, Any]:
        return inner.invoke({"x": 0})  # type: ignore[no-any-return]

    graph = StateGraph(Log).add_node(outer).add_edge(START, "outer").compile()
    with pytest.raises(RuntimeError) as info:
        graph.invoke({"x": 0})
    assert str(info.value) == (
        "A sync call (`graph.stream`/`graph.invoke`) on an async graph was made from inside an async node; "
        "use `await graph.ainvoke(...)` or `graph.astream(...)` there"
    )


# -- a node that blocks the loop --------------------------------------------------------------------------------
BLOCKED = ("Node `slow` is blocking the event loop (no await for over 0.5 s): streamed chunks are held until it "
           "awaits, then arrive all at once. Use an async client and `await asyncio.sleep(...)` in `async def` "
           "nodes, or make the node a plain `def` (livegraph runs those in a thread).")


def _events_with_warnings(mode: str, graph: Any) -> tuple[list[Any], list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if mode == "sync":
            events = list(graph.stream({"x": 0}, stream_mode="events"))
        else:
            async def collect() -> list[Any]:
                return [e async for e in graph.astream({"x": 0}, stream_mode="events")]

            events = asyncio.run(collect())
    return events, [str(w.message) for w in caught if w.category is RuntimeWarning]


def _blocking_graph() -> Any:
    async def slow(state: Log) -> dict[str, Any]:
        time.sleep(1.0)  # the mistake: a blocking call in an `async def` node
        return {"x": 1}

    async def fine(state: Log) -> dict[str, Any]:
        await asyncio.sleep(0.01)
        return {}

    return StateGraph(Log).add_node(slow).add_node(fine).add_edge(START, "slow").add_edge(START, "fine").compile()


def test_an_async_node_that_blocks_the_loop_is_named(mode: str) -> None:
    events, caught = _events_with_warnings(mode, _blocking_graph())
    assert caught == [BLOCKED]
    slow_id = next(e.task_id for e in events if e.kind == "task_start" and e.node == "slow")
    opened = [e for e in events if e.kind == "loop_blocked" and not e.data["over"]]
    assert [(e.node, e.task_id, e.step, e.ns) for e in opened] == [("slow", slow_id, 1, ())]
    assert 0.5 <= opened[0].data["seconds"] < 1.0


def test_the_end_of_a_blocked_stretch_is_attributed_too(mode: str) -> None:
    # The closing event names the node found when the block was reported (the node has yielded by now),
    # and comes after the opening one.
    events, _ = _events_with_warnings(mode, _blocking_graph())
    blocked = [e for e in events if e.kind == "loop_blocked"]
    assert [(e.node, e.data["over"]) for e in blocked] == [("slow", False), ("slow", True)]
    assert 0.8 <= blocked[1].data["seconds"] < 2.0


def test_an_async_node_that_awaits_is_not_reported(mode: str) -> None:
    async def slow(state: Log) -> dict[str, Any]:
        for _ in range(10):
            await asyncio.sleep(0.1)
        return {"x": 1}

    graph = StateGraph(Log).add_node(slow).add_edge(START, "slow").compile()
    events, caught = _events_with_warnings(mode, graph)
    assert caught == []
    assert [e for e in events if e.kind == "loop_blocked"] == []
