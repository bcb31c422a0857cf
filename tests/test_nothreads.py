"""livegraph where no thread can start (Pyodide, as in JupyterLite), simulated on CPython: `HAS_THREADS` is
False and starting a thread raises what Pyodide raises. The same paths run under Pyodide itself in
`tests/pyodide/` (Node and the npm `pyodide` package)."""

from __future__ import annotations

import asyncio
import operator
import threading
import time
import warnings
from typing import Annotated, Any, TypedDict

import pytest

from livegraph import llm
from livegraph._engine import _platform
from livegraph.config import get_stream_writer
from livegraph.graph import END, START, StateGraph
from livegraph.llm import Fault, Reply
from livegraph.types import Send


@pytest.fixture
def no_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    def inline(self: asyncio.AbstractEventLoop, executor: Any, func: Any, *args: Any) -> asyncio.Future[Any]:
        # What Pyodide's WebLoop does: call it here, hand back a finished future.
        fut = self.create_future()
        try:
            fut.set_result(func(*args))
        except BaseException as exc:
            fut.set_exception(exc)
        return fut

    monkeypatch.setattr(_platform, "HAS_THREADS", False)
    monkeypatch.setattr(threading.Thread, "start", refuse)
    monkeypatch.setattr(asyncio.BaseEventLoop, "run_in_executor", inline)


class Fan(TypedDict, total=False):
    topics: list[str]
    notes: Annotated[list[str], operator.add]


def fan_graph(kind: str) -> Any:
    def plan(state: Fan) -> Fan:
        return {}

    def write(task: dict[str, str]) -> Fan:
        get_stream_writer()(f"on {task['topic']}")
        return {"notes": [task["topic"].upper()]}

    async def awrite(task: dict[str, str]) -> Fan:
        get_stream_writer()(f"on {task['topic']}")
        await asyncio.sleep(0)
        return {"notes": [task["topic"].upper()]}

    return (
        StateGraph(Fan)
        .add_node(plan)
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


def test_parallel_tasks_run_one_after_another_and_live_modes_stream_per_step(no_threads: None) -> None:
    graph = fan_graph("def")
    assert list(graph.stream({"topics": ["a", "b", "c"]}, stream_mode=["updates", "custom"])) == FAN_STREAM
    assert graph.invoke({"topics": ["a", "b", "c"]}) == {"topics": ["a", "b", "c"], "notes": ["A", "B", "C"]}


def test_astream_runs_parallel_async_tasks_and_sync_nodes_on_the_loop(no_threads: None) -> None:
    async def main() -> Any:
        graph = fan_graph("async def")
        chunks = [c async for c in graph.astream({"topics": ["a", "b", "c"]}, stream_mode=["updates", "custom"])]
        mixed = StateGraph(Fan).add_node("write", lambda s: {"notes": ["sync"]}).add_edge(START, "write")
        mixed.add_node("more", _anote).add_edge(START, "more")
        return chunks, await mixed.compile().ainvoke({"topics": []})

    chunks, state = asyncio.run(main())
    assert chunks == FAN_STREAM
    assert state == {"topics": [], "notes": ["async", "sync"]}  # task order: `more`, then `write`


async def _anote(state: Fan) -> Fan:
    return {"notes": ["async"]}


def test_sync_calls_on_an_async_graph_fail_at_once_naming_the_async_call(no_threads: None) -> None:
    graph = fan_graph("async def")
    with pytest.raises(RuntimeError) as invoked:
        graph.invoke({"topics": ["a"]})
    assert str(invoked.value) == (
        "`graph.invoke(...)` on a graph with async nodes needs a thread, which this Python (linux: Pyodide, as in "
        "JupyterLite) cannot start; use `await graph.ainvoke(...)` instead (a notebook cell can `await` at the top "
        "level)"
    )
    with pytest.raises(RuntimeError) as streamed:
        next(iter(graph.stream({"topics": ["a"]})))
    assert str(streamed.value) == (
        "`graph.stream(...)` on a graph with async nodes needs a thread, which this Python (linux: Pyodide, as in "
        "JupyterLite) cannot start; use `graph.astream(...)` instead (a notebook cell can `await` at the top "
        "level)"
    )


def test_astream_hands_out_each_chunk_while_the_node_still_runs(no_threads: None) -> None:
    seen_before_return: list[Any] = []
    received: list[Any] = []

    async def talk(state: Fan) -> Fan:
        writer = get_stream_writer()
        for word in ("one", "two"):
            writer(word)
            await asyncio.sleep(0.01)
            seen_before_return.append(list(received))
        return {"notes": ["done"]}

    graph = StateGraph(Fan).add_node(talk).add_edge(START, "talk").compile()

    async def main() -> None:
        async for chunk in graph.astream({"topics": []}, stream_mode="custom"):
            received.append(chunk)

    asyncio.run(main())
    assert received == ["one", "two"]
    assert seen_before_return == [["one"], ["one", "two"]]


def test_the_watchdog_runs_on_the_loop_and_names_the_blocking_node(no_threads: None) -> None:
    async def stuck(state: Fan) -> Fan:
        await asyncio.sleep(0)
        time.sleep(0.8)  # blocks the loop until the node returns
        return {"notes": ["late"]}

    graph = StateGraph(Fan).add_node(stuck).add_edge(START, "stuck").compile()

    async def main() -> list[Any]:
        return [e async for e in graph.astream({"topics": []}, stream_mode="events") if e.kind == "loop_blocked"]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = asyncio.run(main())
    assert [(e.node, e.data["over"]) for e in events] == [("stuck", False), ("stuck", True)]
    assert all(0.6 < e.data["seconds"] < 2.0 for e in events)
    assert [str(w.message) for w in caught if w.category is RuntimeWarning] == [
        "Node `stuck` is blocking the event loop (no await for over 0.5 s): streamed chunks are held until it "
        "awaits, then arrive all at once. Use an async client and `await asyncio.sleep(...)` in `async def` "
        "nodes, or make the node a plain `def` (livegraph runs those in a thread)."
    ]


def test_the_live_view_refreshes_from_the_event_loop(no_threads: None) -> None:
    from livegraph.notebook._live import Live

    calls: list[float] = []

    async def main() -> None:
        live = Live(lambda: calls.append(time.monotonic()), per_second=50)
        assert live.start()
        await asyncio.sleep(0.2)
        live.stop()
        count = len(calls)
        await asyncio.sleep(0.1)
        assert len(calls) == count  # nothing after stop

    asyncio.run(main())
    assert 5 <= len(calls) <= 12


# -- the embedded model, in-process ------------------------------------------------------------------------
@pytest.fixture
def in_process(no_threads: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from openai import _base_client

    from livegraph.llm import _client, _inprocess

    for name in ("SyncHttpxClientWrapper", "AsyncHttpxClientWrapper"):
        monkeypatch.setattr(_base_client, name, getattr(_base_client, name))
    monkeypatch.setattr(_inprocess, "_installed", {})
    monkeypatch.setattr(_client, "_shared", None)
    monkeypatch.setattr(_client, "_sync_clients", {})
    monkeypatch.setattr(_client, "_async_client", None)
    for key in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "LIVEGRAPH_MODEL"):
        monkeypatch.delenv(key, raising=False)


def test_use_embedded_answers_the_sdk_in_process_sync_and_async(in_process: None) -> None:
    from openai import AsyncOpenAI, OpenAI

    assert llm.use_embedded(["one two three", "four five"], tokens_per_second=0) == "http://livegraph.embedded/v1"
    reply = llm.chat([{"role": "user", "content": "hi"}])
    assert (reply["role"], reply["content"]) == ("assistant", "one two three")
    assert [m.id for m in OpenAI().models.list()] == ["livegraph-tiny"]

    async def main() -> list[str]:
        stream = await AsyncOpenAI().chat.completions.create(
            model=llm.default_model(), messages=[{"role": "user", "content": "hi"}], stream=True
        )
        return [c.choices[0].delta.content async for c in stream if c.choices and c.choices[0].delta.content]

    assert asyncio.run(main()) == ["four", " five"]


def test_async_streaming_in_process_is_paced_and_live(in_process: None) -> None:
    llm.use_embedded(["a b c d e"], tokens_per_second=20)

    async def main() -> list[float]:
        client = llm.async_client()
        start = time.monotonic()
        stream = await client.chat.completions.create(
            model=llm.default_model(), messages=[{"role": "user", "content": "hi"}], stream=True
        )
        return [time.monotonic() - start async for c in stream if c.choices and c.choices[0].delta.content]

    times = asyncio.run(main())
    assert len(times) == 5
    assert times[0] < 0.04 and 0.18 < times[-1] < 0.5


@pytest.mark.parametrize("kind", ["def", "async def"])
def test_a_dropped_stream_in_process_fails_the_node_as_over_http(in_process: None, kind: str) -> None:
    llm.use_embedded([Fault("drop", after=2, reply=Reply("one two three"))], tokens_per_second=0)

    class Q(TypedDict, total=False):
        reply: Any

    def ask(state: Q) -> Q:
        return {"reply": llm.chat([{"role": "user", "content": "hi"}], custom=True)}

    async def aask(state: Q) -> Q:
        return {"reply": await llm.achat([{"role": "user", "content": "hi"}], custom=True)}

    graph = StateGraph(Q).add_node("ask", ask if kind == "def" else aask).add_edge(START, "ask").compile()
    seen: list[Any] = []

    async def main() -> None:
        async for chunk in graph.astream({}, stream_mode="custom"):
            seen.append(chunk)

    with pytest.raises(llm.LLMStreamError) as failed:
        asyncio.run(main())
    assert seen == [{"role": "assistant", "content": "one"}, {"role": "assistant", "content": " two"}]
    assert str(failed.value) == (
        "Node `ask`: the LLM call to model `livegraph-tiny` failed after streaming 2 chunks: the connection was "
        "dropped mid-stream. The 7 characters streamed so far are on `.partial_text`."
    )
