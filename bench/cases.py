"""The benchmark cases, written once against LangGraph's public API and run unchanged on both engines.

A case's `build(api)` builds and compiles its graph (not timed) and returns the callable the harness
measures. `api` carries one engine's public names (`load("livegraph")` or `load("langgraph")`), so nothing
here knows which engine it runs on. This module imports only the standard library: it is loaded by the
livegraph interpreter and by the LangGraph one, each in a fresh process.

Kinds of case:
- `time`: the harness times `run()` (wall clock, one whole invoke or stream).
- `value`: `run()` measures itself and returns seconds (latency, time to first chunk).
- `memory`: the harness runs `run()` once under tracemalloc and reads the peak.
- `import`: the harness times importing the engine, in a process that has imported nothing else.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import operator
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any, TypedDict

Api = SimpleNamespace
Run = Callable[[], Any]

# What `import <engine>` means in the import case: the brief compares `import livegraph` with
# `import langgraph.graph` (LangGraph's top-level package is empty; `langgraph.graph` is what users import).
IMPORT_TARGET = {"livegraph": "livegraph", "langgraph": "langgraph.graph"}

# Packages the engine must not load (they belong to livegraph's optional layers).
OPTIONAL_PACKAGES = ("ipywidgets", "IPython", "graphviz", "openai")


def load(engine: str) -> Api:
    """Import one engine's public names from LangGraph's module paths."""
    graph = importlib.import_module(f"{engine}.graph")
    types = importlib.import_module(f"{engine}.types")
    config = importlib.import_module(f"{engine}.config")
    return SimpleNamespace(
        engine=engine,
        StateGraph=graph.StateGraph,
        START=graph.START,
        END=graph.END,
        Send=types.Send,
        get_stream_writer=config.get_stream_writer,
    )


def engine_version(engine: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(engine)
    except metadata.PackageNotFoundError:
        return str(getattr(importlib.import_module(engine), "__version__", "?"))


# -- state schemas (module level: both engines resolve the annotations against this module) -----------


class Counter(TypedDict):
    x: int


class AgentState(TypedDict):
    count: int
    messages: Annotated[list, operator.add]


class FanState(TypedDict):
    n: int
    results: Annotated[list, operator.add]


class StreamState(TypedDict):
    n: int


WIDE_PLAIN = [f"p{i:02d}" for i in range(45)]
WIDE_LISTS = [f"r{i}" for i in range(5)]
WIDE_BRANCHES = 10
WideState = TypedDict(  # type: ignore[misc]  # 50 keys: 45 overwritten, 5 reduced with operator.add
    "WideState",
    {**{k: int for k in WIDE_PLAIN}, **{k: Annotated[list, operator.add] for k in WIDE_LISTS}},
)


# -- builders -----------------------------------------------------------------------------------------


def _step(state: Counter) -> dict:
    return {"x": state["x"] + 1}


def chain(n: int) -> Callable[[Api], Run]:
    """`n` nodes in a line, each adding 1 to one key: the cost of one superstep, `n` times."""

    def build(api: Api) -> Run:
        builder = api.StateGraph(Counter)
        names = [f"n{i}" for i in range(n)]
        for name in names:
            builder.add_node(name, _step)
        builder.add_edge(api.START, names[0])
        for a, b in itertools.pairwise(names):
            builder.add_edge(a, b)
        builder.add_edge(names[-1], api.END)
        graph = builder.compile()
        config = {"recursion_limit": n + 10}

        def run() -> None:
            assert graph.invoke({"x": 0}, config)["x"] == n

        return run

    return build


def wide(api: Api) -> Run:
    """50 keys (5 `operator.add` lists), fan-out to 10 branches that write 4 keys each, then a join."""

    def prepare(state: dict) -> dict:
        return {k: 1 for k in WIDE_PLAIN[40:]}

    def branch(i: int) -> Callable[[dict], dict]:
        def write(state: dict) -> dict:
            update: dict[str, Any] = {k: state[k] + i for k in WIDE_PLAIN[4 * i : 4 * i + 4]}
            update.update({k: [i] for k in WIDE_LISTS})
            return update

        return write

    def join(state: dict) -> dict:
        return {"p44": sum(len(state[k]) for k in WIDE_LISTS)}

    builder = api.StateGraph(WideState)
    builder.add_node("prepare", prepare)
    builders = [f"b{i}" for i in range(WIDE_BRANCHES)]
    for i, name in enumerate(builders):
        builder.add_node(name, branch(i))
        builder.add_edge("prepare", name)
    builder.add_node("join", join)
    builder.add_edge(builders, "join")
    builder.add_edge(api.START, "prepare")
    builder.add_edge("join", api.END)
    graph = builder.compile()
    start = {**{k: 0 for k in WIDE_PLAIN}, **{k: [] for k in WIDE_LISTS}}

    def run() -> None:
        assert graph.invoke(start)["p44"] == 5 * WIDE_BRANCHES

    return run


def merge_dicts(current: dict, update: dict) -> dict:
    """A dict-merge reducer, as users write them: the update's keys win."""
    return {**current, **update}


LOOP_PLAIN = [f"k{i:02d}" for i in range(20)]
LOOP_LISTS = ["log", "left_out", "right_out"]
LOOP_DICTS = ["meta", "scores"]
LOOP_ROUNDS = 20
LoopState = TypedDict(  # type: ignore[misc]  # 25 keys: 20 overwritten, 3 list-append, 2 dict-merge
    "LoopState",
    {
        **{k: int for k in LOOP_PLAIN},
        **{k: Annotated[list, operator.add] for k in LOOP_LISTS},
        **{k: Annotated[dict, merge_dicts] for k in LOOP_DICTS},
    },
)


def wide_loop(api: Api) -> Run:
    """25 keys (3 list-append, 2 dict-merge reducers): `head`, then `left` and `right` in parallel, then the
    join `[left, right] -> join`, routed back to `head` 20 times: 60 supersteps, 80 tasks."""

    def head(state: dict) -> dict:
        n = state["k00"] + 1
        return {"k00": n, "k01": n * 2, "log": ["head"], "meta": {"round": n}}

    def left(state: dict) -> dict:
        return {
            **{k: state[k] + 1 for k in LOOP_PLAIN[2:11]},
            "left_out": [state["k00"]],
            "scores": {"left": state["k00"]},
        }

    def right(state: dict) -> dict:
        return {
            **{k: state[k] + 1 for k in LOOP_PLAIN[11:20]},
            "right_out": [state["k00"]],
            "scores": {"right": state["k00"]},
        }

    def join(state: dict) -> dict:
        return {"log": ["join"], "meta": {"joined": len(state["left_out"]) + len(state["right_out"])}}

    def again(state: dict) -> str:
        return "head" if state["k00"] < LOOP_ROUNDS else api.END

    builder = api.StateGraph(LoopState)
    for name, fn in (("head", head), ("left", left), ("right", right), ("join", join)):
        builder.add_node(name, fn)
    builder.add_edge(api.START, "head")
    builder.add_edge("head", "left")
    builder.add_edge("head", "right")
    builder.add_edge(["left", "right"], "join")
    builder.add_conditional_edges("join", again, ["head", api.END])
    graph = builder.compile()
    start = {**{k: 0 for k in LOOP_PLAIN}, **{k: [] for k in LOOP_LISTS}, **{k: {} for k in LOOP_DICTS}}
    config = {"recursion_limit": 3 * LOOP_ROUNDS + 10}

    def run() -> None:
        out = graph.invoke(start, config)
        assert out["k19"] == LOOP_ROUNDS and out["meta"] == {"round": LOOP_ROUNDS, "joined": 2 * LOOP_ROUNDS}
        assert len(out["log"]) == 2 * LOOP_ROUNDS

    return run


AGENT_ITERATIONS = 100


def agent_loop(api: Api) -> Run:
    """An agent node and a router that sends it back to itself until the counter reaches 100."""

    def agent(state: AgentState) -> dict:
        return {"count": state["count"] + 1, "messages": [f"step {state['count']}"]}

    def route(state: AgentState) -> str:
        return "agent" if state["count"] < AGENT_ITERATIONS else api.END

    builder = api.StateGraph(AgentState)
    builder.add_node("agent", agent)
    builder.add_edge(api.START, "agent")
    builder.add_conditional_edges("agent", route, ["agent", api.END])
    graph = builder.compile()
    config = {"recursion_limit": AGENT_ITERATIONS + 10}

    def run() -> None:
        assert graph.invoke({"count": 0, "messages": []}, config)["count"] == AGENT_ITERATIONS

    return run


def _fan_graph(api: Api, worker: Callable[..., Any]) -> Any:
    def fan(state: FanState) -> list:
        return [api.Send("worker", {"i": i}) for i in range(state["n"])]

    builder = api.StateGraph(FanState)
    builder.add_node("worker", worker)
    builder.add_conditional_edges(api.START, fan, ["worker"])
    builder.add_edge("worker", api.END)
    return builder.compile()


def fan_out(n: int, *, use_async: bool) -> Callable[[Api], Run]:
    """`Send` to `n` workers in one superstep, each appending to a reducer list (map-reduce)."""

    def worker(arg: dict) -> dict:
        return {"results": [arg["i"] * 2]}

    async def aworker(arg: dict) -> dict:
        return {"results": [arg["i"] * 2]}

    def build(api: Api) -> Run:
        graph = _fan_graph(api, aworker if use_async else worker)

        def run() -> None:
            assert len(graph.invoke({"n": n, "results": []})["results"]) == n

        def arun() -> None:
            out = asyncio.run(graph.ainvoke({"n": n, "results": []}))
            assert len(out["results"]) == n

        return arun if use_async else run

    return build


def _writer_graph(api: Api, node: Callable[..., Any]) -> Any:
    builder = api.StateGraph(StreamState)
    builder.add_node("writer", node)
    builder.add_edge(api.START, "writer")
    builder.add_edge("writer", api.END)
    return builder.compile()


def custom_chunks(n: int, *, use_async: bool) -> Callable[[Api], Run]:
    """One node writes `n` custom chunks as fast as it can; the consumer counts them."""

    def build(api: Api) -> Run:
        get_writer = api.get_stream_writer

        def node(state: StreamState) -> dict:
            write = get_writer()
            for i in range(state["n"]):
                write(i)
            return {}

        async def anode(state: StreamState) -> dict:
            write = get_writer()
            for i in range(state["n"]):
                write(i)
            return {}

        graph = _writer_graph(api, anode if use_async else node)

        def run() -> None:
            count = sum(1 for _ in graph.stream({"n": n}, stream_mode="custom"))
            assert count == n

        async def consume() -> int:
            count = 0
            async for _ in graph.astream({"n": n}, stream_mode="custom"):
                count += 1
            return count

        def arun() -> None:
            assert asyncio.run(consume()) == n

        return arun if use_async else run

    return build


LC_TOKENS = 5_000


def langchain_messages(n: int) -> Callable[[Api], Run]:
    """A node calls a LangChain chat model (`GenericFakeChatModel`, `invoke`) that streams `n` tokens; the
    consumer counts the `messages` chunks. Both engines pay LangChain's callback machinery per token."""

    def build(api: Api) -> Run:
        from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
        from langchain_core.messages import AIMessage

        graph_module = importlib.import_module(f"{api.engine}.graph")
        text = "w " * (n // 2)  # the fake model streams a word and a space as two tokens
        tokens = len(list(GenericFakeChatModel(messages=iter([AIMessage(content=text)])).stream("x")))

        def node(state: dict) -> dict:
            model = GenericFakeChatModel(messages=iter([AIMessage(content=text)]))
            return {"messages": [model.invoke(state["messages"])]}

        builder = api.StateGraph(graph_module.MessagesState)
        builder.add_node("chat", node)
        builder.add_edge(api.START, "chat")
        graph = builder.compile()

        def run() -> None:
            count = sum(1 for _ in graph.stream({"messages": [("user", "hi")]}, stream_mode="messages"))
            assert count == tokens, (count, tokens)

        return run

    return build


LATENCY_CHUNKS = 200
LATENCY_PAUSE = 0.001


def write_latency(*, use_async: bool) -> Callable[[Api], Run]:
    """A node writes 200 chunks 1 ms apart, each carrying `perf_counter_ns()`; the consumer takes the delay.

    `run()` returns the median delay of the run, in seconds.
    """

    def build(api: Api) -> Run:
        get_writer = api.get_stream_writer

        def node(state: StreamState) -> dict:
            write = get_writer()
            for _ in range(state["n"]):
                write(time.perf_counter_ns())
                time.sleep(LATENCY_PAUSE)
            return {}

        async def anode(state: StreamState) -> dict:
            write = get_writer()
            for _ in range(state["n"]):
                write(time.perf_counter_ns())
                await asyncio.sleep(LATENCY_PAUSE)
            return {}

        graph = _writer_graph(api, anode if use_async else node)

        def run() -> float:
            delays = [
                time.perf_counter_ns() - t for t in graph.stream({"n": LATENCY_CHUNKS}, stream_mode="custom")
            ]
            return statistics.median(delays) / 1e9

        async def consume() -> float:
            delays = []
            async for t in graph.astream({"n": LATENCY_CHUNKS}, stream_mode="custom"):
                delays.append(time.perf_counter_ns() - t)
            return statistics.median(delays) / 1e9

        def arun() -> float:
            return asyncio.run(consume())

        return arun if use_async else run

    return build


FIRST_CHUNK_WORK = 0.002


def first_chunk(*, use_async: bool) -> Callable[[Api], Run]:
    """From calling `stream` to the first custom chunk; the node writes it first, then works 2 ms more.

    `run()` returns that time, in seconds. An engine that delays chunks to the end of the node pays the 2 ms.
    """

    def build(api: Api) -> Run:
        get_writer = api.get_stream_writer

        def node(state: StreamState) -> dict:
            get_writer()("first")
            time.sleep(FIRST_CHUNK_WORK)
            return {}

        async def anode(state: StreamState) -> dict:
            get_writer()("first")
            await asyncio.sleep(FIRST_CHUNK_WORK)
            return {}

        graph = _writer_graph(api, anode if use_async else node)

        def run() -> float:
            start = time.perf_counter()
            chunks = iter(graph.stream({"n": 1}, stream_mode="custom"))
            next(chunks)
            elapsed = time.perf_counter() - start
            for _ in chunks:
                pass
            return elapsed

        async def consume() -> float:
            start = time.perf_counter()
            chunks = graph.astream({"n": 1}, stream_mode="custom").__aiter__()
            await chunks.__anext__()
            elapsed = time.perf_counter() - start
            async for _ in chunks:
                pass
            return elapsed

        def arun() -> float:
            return asyncio.run(consume())

        return arun if use_async else run

    return build


def _no_build(api: Api) -> Run:
    raise AssertionError("the import case is measured by the harness itself")


# -- the catalogue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What the issue asks for: LangGraph/livegraph >= `ratio` (higher = livegraph better)."""

    ratio: float
    label: str


TARGETS = {
    "step": Target(10.0, ">= 10x per step"),
    "fanout": Target(10.0, ">= 10x fan-out"),
    "chunks": Target(5.0, ">= 5x throughput"),
    "first": Target(1.0, "no worse (>= 1x)"),
    "latency": Target(1.0, "no worse (>= 1x)"),
    "import": Target(8.0, ">= 8x"),
    "memory": Target(1.0, "no higher (>= 1x)"),
    "lc_chunks": Target(1.0, "no worse (>= 1x)"),
}


@dataclass(frozen=True)
class Case:
    """One benchmark: how to build it, what its number means and the target it is held to."""

    name: str
    title: str
    build: Callable[[Api], Run]
    target: str
    kind: str = "time"
    units: int = 1  # steps, workers or chunks in one run: the per-unit column divides by it
    unit: str = ""  # "step", "worker", "chunk"; empty: no per-unit column
    min_calls: int = 5  # timed calls per process at least (then more until the time budget is spent)
    warmup: int = 1


CASES = [
    Case("chain_10", "10-node chain (invoke)", chain(10), "step", units=10, unit="step"),
    Case("chain_1000", "1000-node chain (invoke)", chain(1000), "step", units=1000, unit="step", min_calls=3),
    Case(
        "wide_state", "wide state: 50 keys, 5 reducers, fan-out 10 + join", wide, "step", units=3, unit="step"
    ),
    Case(
        "wide_loop",
        "wide state looped: 25 keys, list + dict reducers, parallel pair + join, 20 rounds",
        wide_loop,
        "step",
        units=3 * LOOP_ROUNDS,
        unit="step",
    ),
    Case(
        "agent_loop",
        "agent loop, 100 iterations, conditional edge",
        agent_loop,
        "step",
        units=100,
        unit="step",
    ),
    Case(
        "send_100",
        "Send fan-out to 100 workers (sync, invoke)",
        fan_out(100, use_async=False),
        "fanout",
        units=100,
        unit="worker",
    ),
    Case(
        "send_100_async",
        "Send fan-out to 100 workers (async, ainvoke)",
        fan_out(100, use_async=True),
        "fanout",
        units=100,
        unit="worker",
    ),
    Case(
        "send_1000",
        "Send fan-out to 1000 workers (sync, invoke)",
        fan_out(1000, use_async=False),
        "fanout",
        units=1000,
        unit="worker",
        min_calls=3,
    ),
    Case(
        "send_1000_async",
        "Send fan-out to 1000 workers (async, ainvoke)",
        fan_out(1000, use_async=True),
        "fanout",
        units=1000,
        unit="worker",
        min_calls=3,
    ),
    Case(
        "custom_100k",
        "100,000 custom chunks (stream)",
        custom_chunks(100_000, use_async=False),
        "chunks",
        units=100_000,
        unit="chunk",
        min_calls=1,
    ),
    Case(
        "custom_100k_async",
        "100,000 custom chunks (astream)",
        custom_chunks(100_000, use_async=True),
        "chunks",
        units=100_000,
        unit="chunk",
        min_calls=1,
    ),
    Case(
        "langchain_messages_5k",
        "5,000 tokens from a LangChain chat model in `messages` mode (stream)",
        langchain_messages(LC_TOKENS),
        "lc_chunks",
        units=LC_TOKENS,
        unit="chunk",
        min_calls=1,
    ),
    Case(
        "write_latency",
        "write -> consumer, median of 200 chunks 1 ms apart (stream)",
        write_latency(use_async=False),
        "latency",
        kind="value",
        min_calls=1,
    ),
    Case(
        "write_latency_async",
        "write -> consumer, median of 200 chunks 1 ms apart (astream)",
        write_latency(use_async=True),
        "latency",
        kind="value",
        min_calls=1,
    ),
    Case(
        "first_chunk",
        "time to first chunk (stream)",
        first_chunk(use_async=False),
        "first",
        kind="value",
        min_calls=20,
    ),
    Case(
        "first_chunk_async",
        "time to first chunk (astream)",
        first_chunk(use_async=True),
        "first",
        kind="value",
        min_calls=20,
    ),
    Case(
        "import",
        "import (`import livegraph` vs `import langgraph.graph`)",
        _no_build,
        "import",
        kind="import",
        warmup=0,
    ),
    Case(
        "memory_send_1000",
        "peak memory, Send to 1000 workers (sync)",
        fan_out(1000, use_async=False),
        "memory",
        kind="memory",
    ),
    Case(
        "memory_send_1000_async",
        "peak memory, Send to 1000 workers (async)",
        fan_out(1000, use_async=True),
        "memory",
        kind="memory",
    ),
]

BY_NAME = {case.name: case for case in CASES}
