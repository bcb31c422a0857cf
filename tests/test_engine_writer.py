"""The stream writers: reachable wherever a node's code runs, a no-op when unwanted, harmless outside a run,
and live (a chunk reaches the consumer when written); and livegraph's attributed `events` stream."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
import warnings
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import livegraph._engine._context
from engine_helpers import Log, appender, kind_fixture, mode_fixture, node, normalized, run_stream  # noqa: F401 - pytest fixtures
from livegraph import START, Event, Send, StateGraph
from livegraph.config import get_message_writer, get_stream_writer


def _helper(tag: str) -> None:
    get_stream_writer()(f"helper {tag}")


def _in_thread(tag: str) -> None:
    ctx = contextvars.copy_context()
    thread = threading.Thread(target=ctx.run, args=(_helper, tag))
    thread.start()
    thread.join()
    with ThreadPoolExecutor(1) as pool:
        pool.submit(contextvars.copy_context().run, _helper, f"{tag} pool").result()


def test_get_stream_writer_works_in_sync_nodes_helpers_and_threads(mode: str) -> None:
    def work(state: Log) -> None:
        get_stream_writer()("node")
        _helper("call")
        _in_thread("thread")

    graph = StateGraph(Log).add_node(work).add_edge(START, "work").compile()
    assert run_stream(mode, graph, {"x": 0}, stream_mode="custom") == [
        "node", "helper call", "helper thread", "helper thread pool",
    ]


def test_get_stream_writer_works_in_async_nodes_generators_tasks_and_threads(mode: str) -> None:
    async def tokens() -> AsyncIterator[str]:
        for t in ("t1", "t2"):
            get_stream_writer()(f"gen {t}")
            await asyncio.sleep(0)
            yield t

    async def work(state: Log) -> None:
        get_stream_writer()("node")
        async for _ in tokens():
            pass
        await asyncio.create_task(asyncio.sleep(0, _helper("task")))
        await asyncio.ensure_future(_async_helper())
        await asyncio.to_thread(_helper, "to_thread")

    async def _async_helper() -> None:
        await asyncio.sleep(0)
        _helper("awaited")

    graph = StateGraph(Log).add_node(work).add_edge(START, "work").compile()
    assert run_stream(mode, graph, {"x": 0}, stream_mode="custom") == [
        "node", "gen t1", "gen t2", "helper task", "helper awaited", "helper to_thread",
    ]


def test_a_thread_an_async_node_starts_streams_in_order(mode: str) -> None:

    async def work(state: Log) -> None:
        _in_thread("thread")  # blocks the loop while the thread writes, as a sync helper would
        get_stream_writer()("after")

    graph = StateGraph(Log).add_node(work).add_edge(START, "work").compile()
    assert run_stream(mode, graph, {"x": 0}, stream_mode="custom") == ["helper thread", "helper thread pool", "after"]


def test_writers_are_no_ops_when_their_mode_is_off(mode: str, kind: str) -> None:
    returned: list[Any] = []

    def work(state: Log) -> dict[str, Any]:
        returned.append(get_stream_writer()("unseen"))
        returned.append(get_message_writer()("unseen"))
        return {"log": ["work"]}

    graph = StateGraph(Log).add_node("work", node(kind, work)).add_edge(START, "work").compile()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run_stream(mode, graph, {"x": 0}, stream_mode=["updates", "values"]) == [
            ("values", {"x": 0, "log": []}), ("updates", {"work": {"log": ["work"]}}),
            ("values", {"x": 0, "log": ["work"]}),
        ]
    assert returned == [None, None]


def test_outside_a_run_the_writers_drop_chunks_and_warn_once_each(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(livegraph._engine._context, "_warned", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            assert get_stream_writer()("dropped") is None
            assert get_message_writer()("dropped") is None
    assert [(w.category, str(w.message)) for w in caught] == [
        (RuntimeWarning, f"{name}() was called outside a running graph (for example a node function called on "
                         "its own in a cell), so what you write to it is dropped. Run the node through "
                         "`graph.stream(inputs, stream_mode='custom')` to see its chunks.")
        for name in ("get_stream_writer", "get_message_writer")
    ]
    assert {w.filename for w in caught} == {__file__}  # the warning points at the caller's line


# -- liveness -------------------------------------------------------------------------------------------------
LIVE = {  # the modes streamed (with "values" added), and how the consumer recognizes the node's first write
    "custom": (["custom"], lambda mode, chunk: mode == "custom"),
    "messages": (["messages"], lambda mode, chunk: mode == "messages"),
    "events": (["events"], lambda mode, chunk: mode == "events" and chunk.kind == "chunk"),
    "custom+updates": (["custom", "updates"], lambda mode, chunk: mode == "custom"),
}


@pytest.mark.parametrize("stream_mode", list(LIVE))
def test_a_chunk_reaches_the_consumer_before_its_node_ends(mode: str, kind: str, stream_mode: str) -> None:
    # The node writes, then waits for the consumer to say it got the chunk. Batched chunks would only
    # arrive after the node ends: the node then times out and says so.
    received = threading.Event()

    def write() -> None:
        get_stream_writer()("first")
        get_message_writer()("first")

    if kind == "def":
        def talk(state: Log) -> dict[str, Any]:
            write()
            return {"log": ["live" if received.wait(5) else "batched"]}
    else:
        async def talk(state: Log) -> dict[str, Any]:  # type: ignore[misc]
            write()
            deadline = time.monotonic() + 5
            while not received.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            return {"log": ["live" if received.is_set() else "batched"]}

    modes, is_first_write = LIVE[stream_mode]

    def on_chunk(item: tuple[str, Any]) -> None:
        if is_first_write(*item):
            received.set()

    graph = (StateGraph(Log).add_node("talk", talk).add_node("sibling", node(kind, appender("sibling")))
             .add_edge(START, "talk").add_edge(START, "sibling").compile())
    chunks = run_stream(mode, graph, {"x": 0}, stream_mode=[*modes, "values"], on_chunk=on_chunk)
    assert [c for c in chunks if c[0] == "values"][-1] == ("values", {"x": 0, "log": ["sibling", "live"]})


# -- the events stream ----------------------------------------------------------------------------------------
def test_every_event_is_attributed_to_its_task(mode: str, kind: str) -> None:
    def plan(state: Log) -> dict[str, Any]:
        get_stream_writer()("planning")
        return {"x": 1}

    def work(arg: str) -> dict[str, Any]:
        get_stream_writer()(f"working on {arg}")
        return {"log": [arg]}

    graph = (StateGraph(Log).add_node("plan", node(kind, plan)).add_node("work", node(kind, work))
             .add_edge(START, "plan").add_conditional_edges("plan", lambda s: [Send("work", "p"), Send("work", "q")])
             .compile())
    events = run_stream(mode, graph, {"x": 0}, stream_mode="events")
    assert all(isinstance(e, Event) for e in events)
    by_task: dict[str, list[tuple[Any, ...]]] = {}
    times: dict[str, list[float]] = {}
    for e in events:
        if e.task_id is not None:
            by_task.setdefault(e.task_id, []).append((e.kind, e.node, e.step, e.ns, e.data))
            times.setdefault(e.task_id, []).append(e.time)
    assert all(t == sorted(t) and abs(t[0] - time.monotonic()) < 5 for t in times.values())
    plan_id = events[2].task_id
    work_ids = [e.task_id for e in events if e.kind == "task_start" and e.node == "work"]
    assert len({plan_id, *work_ids}) == 3  # two Send workers of one node: two task ids
    assert by_task == {
        plan_id: [("task_start", "plan", 1, (), {"input": {"x": 0, "log": []}, "triggers": ("branch:to:plan",)}),
                  ("chunk", "plan", 1, (), "planning"), ("task_end", "plan", 1, (), {"x": 1})],
        work_ids[0]: [("task_start", "work", 2, (), {"input": "p", "triggers": ("__pregel_push",)}),
                      ("chunk", "work", 2, (), "working on p"), ("task_end", "work", 2, (), {"log": ["p"]})],
        work_ids[1]: [("task_start", "work", 2, (), {"input": "q", "triggers": ("__pregel_push",)}),
                      ("chunk", "work", 2, (), "working on q"), ("task_end", "work", 2, (), {"log": ["q"]})],
    }
    run_events = [(e.kind, e.step, e.data) for e in events if e.task_id is None]
    assert run_events == [
        ("run_start", 0, {"input": {"x": 0}}),
        ("step_start", 1, ["plan"]),
        ("step_end", 1, {"x": 1, "log": []}),
        ("step_start", 2, ["work", "work"]),
        ("step_end", 2, {"x": 1, "log": ["p", "q"]}),
        ("run_end", 2, {"x": 1, "log": ["p", "q"]}),
    ]


def test_events_from_a_subgraph_carry_its_namespace(mode: str) -> None:
    def inner(state: Log) -> dict[str, Any]:
        get_stream_writer()("deep")
        get_message_writer()("tok")
        return {"log": ["inner"]}

    sub = StateGraph(Log).add_node("inner", inner).add_edge(START, "inner").compile()
    graph = StateGraph(Log).add_node("sub", sub).add_edge(START, "sub").compile()
    events = normalized(run_stream(mode, graph, {"x": 0}, stream_mode="events"))
    inner_events = [(e[0], e[1], e[2], e[4]) for e in events if e[1] == "inner"]
    assert inner_events == [("task_start", "inner", "T2", ("sub:T1",)), ("chunk", "inner", "T2", ("sub:T1",)),
                            ("message", "inner", "T2", ("sub:T1",)), ("task_end", "inner", "T2", ("sub:T1",))]


def test_a_failing_task_ends_with_a_task_error_event(mode: str, kind: str) -> None:
    def explode(state: Log) -> None:
        raise ValueError("bad input")

    graph = StateGraph(Log).add_node("explode", node(kind, explode)).add_edge(START, "explode").compile()
    seen: list[Event] = []
    with pytest.raises(ValueError):
        run_stream(mode, graph, {"x": 0}, stream_mode="events", on_chunk=seen.append)
    errors = [e for e in seen if e.kind == "task_error"]
    assert [(e.node, e.step, e.ns, type(e.data), str(e.data)) for e in errors] == [
        ("explode", 1, (), ValueError, "bad input"),
    ]
    assert errors[0].task_id == next(e.task_id for e in seen if e.kind == "task_start")


def test_a_failed_run_ends_with_a_run_error_event(mode: str) -> None:
    def explode(state: Log) -> None:
        raise ValueError("bad input")

    graph = StateGraph(Log).add_node("explode", explode).add_edge(START, "explode").compile()
    seen: list[Event] = []
    with pytest.raises(ValueError) as info:
        run_stream(mode, graph, {"x": 0}, stream_mode="events", on_chunk=seen.append)
    last = seen[-1]
    assert (last.kind, last.node, last.task_id, last.step, last.ns) == ("run_error", None, None, 1, ())
    assert last.data is info.value
