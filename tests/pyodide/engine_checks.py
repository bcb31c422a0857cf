"""livegraph's Pyodide paths, run under Pyodide itself (`tests/test_pyodide.py` starts it in Node).

Each `check_*` (sync or async) asserts exact results; the script awaits them in order at the top level (Node
has no way to block on the loop); its value is the number that failed. `python engine_checks.py llm` also
runs the in-process model checks (they need openai's wheels).
"""

from __future__ import annotations

import asyncio
import operator
import sys
import threading
import time
import traceback
import warnings
from typing import Annotated, Any, TypedDict

from livegraph._engine import _platform
from livegraph.config import get_stream_writer
from livegraph.graph import END, START, StateGraph
from livegraph.types import Send


class Fan(TypedDict, total=False):
    topics: list[str]
    notes: Annotated[list[str], operator.add]


def fan_graph(kind: str) -> Any:
    def write(task: dict[str, str]) -> Fan:
        get_stream_writer()(f"on {task['topic']}")
        return {"notes": [task["topic"].upper()]}

    async def awrite(task: dict[str, str]) -> Fan:
        get_stream_writer()(f"on {task['topic']}")
        await asyncio.sleep(0)
        return {"notes": [task["topic"].upper()]}

    return (
        StateGraph(Fan)
        .add_node("plan", lambda s: {})
        .add_node("write", write if kind == "def" else awrite)
        .add_edge(START, "plan")
        .add_conditional_edges("plan", lambda s: [Send("write", {"topic": t}) for t in s["topics"]], ["write"])
        .add_edge("write", END)
        .compile()
    )


FAN_STREAM = [
    ("updates", {"plan": None}),
    ("custom", "on a"),
    ("custom", "on b"),
    ("custom", "on c"),
    ("updates", {"write": {"notes": ["A"]}}),
    ("updates", {"write": {"notes": ["B"]}}),
    ("updates", {"write": {"notes": ["C"]}}),
]


def check_the_platform_has_no_threads() -> None:
    assert sys.platform == "emscripten" and not _platform.HAS_THREADS
    try:
        threading.Thread(target=print).start()
    except RuntimeError as exc:
        assert "can't start new thread" in str(exc), exc
    else:
        raise AssertionError("a thread started")


def check_sync_parallel_tasks_and_live_modes() -> None:
    graph = fan_graph("def")
    assert list(graph.stream({"topics": ["a", "b", "c"]}, stream_mode=["updates", "custom"])) == FAN_STREAM
    assert graph.invoke({"topics": ["a", "b", "c"]}) == {"topics": ["a", "b", "c"], "notes": ["A", "B", "C"]}


async def check_async_parallel_tasks_and_sync_nodes_on_the_loop() -> None:
    graph = fan_graph("async def")
    chunks = [c async for c in graph.astream({"topics": ["a", "b", "c"]}, stream_mode=["updates", "custom"])]
    assert chunks == FAN_STREAM, chunks

    async def more(state: Fan) -> Fan:
        return {"notes": ["async"]}

    mixed = StateGraph(Fan).add_node("write", lambda s: {"notes": ["sync"]}).add_node("more", more)
    mixed = mixed.add_edge(START, "write").add_edge(START, "more").compile()
    assert await mixed.ainvoke({"topics": []}) == {"topics": [], "notes": ["async", "sync"]}


def check_sync_calls_on_async_graphs_fail_at_once() -> None:
    try:
        fan_graph("async def").invoke({"topics": ["a"]})
    except RuntimeError as exc:
        assert str(exc) == (
            "`graph.invoke(...)` on a graph with async nodes needs a thread, which this Python (emscripten: "
            "Pyodide, as in JupyterLite) cannot start; use `await graph.ainvoke(...)` instead (a notebook cell "
            "can `await` at the top level)"
        ), str(exc)
    else:
        raise AssertionError("no error")


async def check_astream_is_live_per_chunk() -> None:
    received: list[Any] = []
    seen: list[Any] = []

    async def talk(state: Fan) -> Fan:
        writer = get_stream_writer()
        for word in ("one", "two"):
            writer(word)
            await asyncio.sleep(0.01)
            seen.append(list(received))
        return {"notes": ["done"]}

    graph = StateGraph(Fan).add_node(talk).add_edge(START, "talk").compile()
    async for chunk in graph.astream({"topics": []}, stream_mode="custom"):
        received.append(chunk)
    assert received == ["one", "two"] and seen == [["one"], ["one", "two"]], (received, seen)


async def check_the_watchdog_runs_on_the_loop() -> None:
    async def stuck(state: Fan) -> Fan:
        await asyncio.sleep(0)
        time.sleep(0.8)  # blocks the loop until the node returns
        return {"notes": ["late"]}

    graph = StateGraph(Fan).add_node(stuck).add_edge(START, "stuck").compile()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = [e async for e in graph.astream({"topics": []}, stream_mode="events") if e.kind == "loop_blocked"]
    assert [(e.node, e.data["over"]) for e in events] == [("stuck", False), ("stuck", True)], events
    assert [w.category for w in caught] == [RuntimeWarning], caught


async def check_interrupt_and_resume_with_sqlite() -> None:
    import sqlite3

    from livegraph.checkpoint.sqlite import SqliteSaver
    from livegraph.types import Command, interrupt

    def ask(state: Fan) -> Fan:
        return {"notes": [interrupt("which?")]}

    saver = SqliteSaver(sqlite3.connect(":memory:"))
    graph = StateGraph(Fan).add_node(ask).add_edge(START, "ask").compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "1"}}
    first = await graph.ainvoke({"topics": []}, config)
    assert [i.value for i in first["__interrupt__"]] == ["which?"], first
    assert await graph.ainvoke(Command(resume="that"), config) == {"topics": [], "notes": ["that"]}


async def check_the_live_view_refreshes_on_the_loop() -> None:
    from livegraph.notebook._live import Live

    calls: list[float] = []
    live = Live(lambda: calls.append(time.monotonic()), per_second=50)
    assert live.start()
    await asyncio.sleep(0.2)
    live.stop()
    count = len(calls)
    await asyncio.sleep(0.1)
    assert len(calls) == count and 5 <= count <= 12, calls


async def check_the_embedded_model_in_process() -> None:
    from openai import AsyncOpenAI, OpenAI

    from livegraph import llm

    assert llm.use_embedded(["one two three", "a b c d e"], tokens_per_second=0) == "http://livegraph.embedded/v1"
    assert llm.chat([{"role": "user", "content": "hi"}])["content"] == "one two three"
    assert [m.id for m in OpenAI().models.list()] == ["livegraph-tiny"]
    llm.use_embedded(["a b c d e"], tokens_per_second=20)
    start = time.monotonic()
    stream = await AsyncOpenAI().chat.completions.create(
        model=llm.default_model(), messages=[{"role": "user", "content": "hi"}], stream=True
    )
    times = [time.monotonic() - start async for c in stream if c.choices and c.choices[0].delta.content]
    assert len(times) == 5 and times[0] < 0.1 and 0.18 < times[-1] < 0.6, times


async def check_a_dropped_stream_fails_the_node() -> None:
    from livegraph import llm
    from livegraph.llm import Fault, Reply

    llm.use_embedded([Fault("drop", after=2, reply=Reply("one two three"))], tokens_per_second=0)

    async def ask(state: Fan) -> Fan:
        return {"notes": [(await llm.achat([{"role": "user", "content": "hi"}], custom=True))["content"]]}

    graph = StateGraph(Fan).add_node(ask).add_edge(START, "ask").compile()
    seen: list[Any] = []
    try:
        async for chunk in graph.astream({}, stream_mode="custom"):
            seen.append(chunk)
    except llm.LLMStreamError as exc:
        assert str(exc) == (
            "Node `ask`: the LLM call to model `livegraph-tiny` failed after streaming 2 chunks: the connection "
            "was dropped mid-stream. The 7 characters streamed so far are on `.partial_text`."
        ), str(exc)
    else:
        raise AssertionError("no error")
    assert seen == [{"role": "assistant", "content": "one"}, {"role": "assistant", "content": " two"}], seen


LLM_CHECKS = ("check_the_embedded_model_in_process", "check_a_dropped_stream_fails_the_node")


async def main(with_llm: bool) -> int:
    failed = 0
    for name, fn in list(globals().items()):
        if not name.startswith("check_") or (name in LLM_CHECKS and not with_llm):
            continue
        try:
            result = fn()
            if asyncio.iscoroutine(result):
                await result
            print(f"ok    {name}")
        except Exception:
            failed += 1
            print(f"FAIL  {name}\n{traceback.format_exc()}")
    return failed


await main("llm" in sys.argv[1:])  # noqa: F704 - the runner awaits the script (the failures are its value)
