"""Determinism and isolation: writes are applied in task order whatever order tasks finish in, and one
compiled graph runs concurrently from many threads and tasks without runs seeing each other."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from typing import Any

import pytest

from engine_helpers import Log, kind_fixture, mode_fixture, run_stream  # noqa: F401 - pytest fixtures
from livegraph import START, Send, StateGraph
from livegraph.config import get_stream_writer

NAMES = ("n0", "n1", "n2", "n3", "n4")


def _shuffled_graph(kind: str, delays: dict[str, float], finished: list[str]) -> Any:
    """Five parallel nodes, then five `Send` workers, then a join; each sleeps `delays[its name]`."""
    lock = threading.Lock()

    def done(label: str) -> dict[str, Any]:
        with lock:
            finished.append(label)
        return {"log": [label]}

    def make(name: str) -> Any:
        if kind == "def":
            def fn(arg: Any) -> dict[str, Any]:
                label = name if name != "w" else f"w{arg}"
                time.sleep(delays[label])
                return done(label)
        else:
            async def fn(arg: Any) -> dict[str, Any]:  # type: ignore[misc]
                label = name if name != "w" else f"w{arg}"
                await asyncio.sleep(delays[label])
                return done(label)
        fn.__name__ = name
        return fn

    builder = StateGraph(Log)
    for name in NAMES:
        builder.add_node(name, make(name)).add_edge(START, name)
    builder.add_node("w", make("w")).add_node("join", lambda s: {"x": len(s["log"])})
    builder.add_conditional_edges("n0", lambda s: [Send("w", i) for i in range(5)])
    builder.add_edge(["w", *NAMES[1:]], "join")
    return builder.compile()


@pytest.mark.parametrize("kind", ["def", "async def"])
def test_shuffled_completion_order_gives_the_same_state_and_stream(mode: str, kind: str) -> None:
    labels = [*NAMES, *(f"w{i}" for i in range(5))]
    outcomes, completion_orders = [], []
    for seed in range(12):
        rng = random.Random(seed)
        delays = {label: rng.choice((0.0, 0.004, 0.008, 0.012, 0.016, 0.02)) for label in labels}
        finished: list[str] = []
        chunks = run_stream(mode, _shuffled_graph(kind, delays, finished), {"x": 0}, stream_mode=["updates", "values"])
        outcomes.append(chunks)
        completion_orders.append(tuple(finished))
    assert len(set(completion_orders)) > 1  # the test did shuffle the order tasks finished in
    log = list(NAMES) + [f"w{i}" for i in range(5)]
    assert outcomes[0] == [
        ("values", {"x": 0, "log": []}),
        *(("updates", {name: {"log": [name]}}) for name in NAMES),
        ("values", {"x": 0, "log": list(NAMES)}),
        *(("updates", {"w": {"log": [f"w{i}"]}}) for i in range(5)),
        ("values", {"x": 0, "log": log}),
        ("updates", {"join": {"x": 10}}),
        ("values", {"x": 10, "log": log}),
    ]
    assert all(outcome == outcomes[0] for outcome in outcomes)


# -- isolation ------------------------------------------------------------------------------------------------
def _echo_graph(kind: str) -> Any:
    """Each run fans out to `x` workers that write their run's `x`; `check` sums what came back."""

    def plan(state: Log) -> dict[str, Any]:
        get_stream_writer()(f"plan {state['x']}")
        return {"log": [f"plan {state['x']}"]}

    def work(arg: dict[str, int]) -> Any:
        get_stream_writer()(f"work {arg['x']}.{arg['i']}")
        return {"log": [f"{arg['x']}.{arg['i']}"]}

    def slow(fn: Any) -> Any:
        if kind == "def":
            def s(arg: Any) -> Any:
                time.sleep(random.uniform(0, 0.01))
                return fn(arg)
        else:
            async def s(arg: Any) -> Any:  # type: ignore[misc]
                await asyncio.sleep(random.uniform(0, 0.01))
                return fn(arg)
        s.__name__ = fn.__name__
        return s

    return (StateGraph(Log).add_node("plan", slow(plan)).add_node("work", slow(work)).add_edge(START, "plan")
            .add_conditional_edges("plan", lambda s: [Send("work", {"x": s["x"], "i": i}) for i in range(s["x"])])
            .compile())


def _expected(x: int) -> list[Any]:
    return [
        ("custom", f"plan {x}"),
        ("updates", {"plan": {"log": [f"plan {x}"]}}),
        *sorted(("custom", f"work {x}.{i}") for i in range(x)),  # parallel writers: any order
        *(("updates", {"work": {"log": [f"{x}.{i}"]}}) for i in range(x)),
    ]


def _canonical(chunks: list[Any]) -> list[Any]:
    """Custom chunks of parallel workers come in any order: sort that stretch."""
    head, workers, tail = chunks[:2], [c for c in chunks[2:] if c[0] == "custom"], [c for c in chunks[2:]
                                                                                     if c[0] != "custom"]
    return [*head, *sorted(workers), *tail]


RUNS = range(1, 9)


def test_one_graph_runs_from_many_threads_or_tasks_at_once(mode: str, kind: str) -> None:
    graph = _echo_graph(kind)
    results: dict[int, Any] = {}
    if mode == "sync":
        barrier = threading.Barrier(len(RUNS))

        def one(x: int) -> None:
            barrier.wait()
            chunks = list(graph.stream({"x": x}, stream_mode=["custom", "updates"]))
            results[x] = (_canonical(chunks), graph.invoke({"x": x}))

        threads = [threading.Thread(target=one, args=(x,)) for x in RUNS]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    else:
        async def one(x: int) -> None:
            chunks = [c async for c in graph.astream({"x": x}, stream_mode=["custom", "updates"])]
            results[x] = (_canonical(chunks), await graph.ainvoke({"x": x}))

        async def all_at_once() -> None:
            await asyncio.gather(*(one(x) for x in RUNS))

        asyncio.run(all_at_once())
    assert results == {
        x: (_expected(x), {"x": x, "log": [f"plan {x}", *(f"{x}.{i}" for i in range(x))]}) for x in RUNS
    }
