"""The same graphs, built and streamed through LangGraph's public API, on whichever engine is named.

Run as `python scenarios.py langgraph` or `python scenarios.py livegraph` (optionally followed by scenario
names): the only difference between the two runs is the package `use()` imports the names from. Prints one JSON object: for every scenario and every way
of running it (a stream mode, a list of modes, `subgraphs=True`, `version="v2"`, `invoke`), the normalized
output, or the class name of the error it raised. Task ids become `T1`, `T2`, ... in order of appearance
and debug timestamps `<ts>`, so the two engines' outputs can be compared exactly.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import operator
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypedDict

# Set by `use()`: the only lines that differ between the engines are these imports.
StateGraph: Any = None
START: Any = None
END: Any = None
Send: Any = None
Command: Any = None
RetryPolicy: Any = None
get_stream_writer: Any = None
RemainingSteps: Any = None
IsLastStep: Any = None


def use(engine: str) -> None:
    """Import LangGraph's public names from `engine` ("langgraph" or "livegraph")."""
    global StateGraph, START, END, Send, Command, RetryPolicy, get_stream_writer, RemainingSteps, IsLastStep
    graph = importlib.import_module(f"{engine}.graph")
    types = importlib.import_module(f"{engine}.types")
    StateGraph, START, END = graph.StateGraph, graph.START, graph.END
    Send, Command, RetryPolicy = types.Send, types.Command, types.RetryPolicy
    get_stream_writer = importlib.import_module(f"{engine}.config").get_stream_writer
    managed = importlib.import_module(f"{engine}.managed")
    RemainingSteps, IsLastStep = managed.RemainingSteps, managed.IsLastStep


class State(TypedDict):
    x: int
    log: Annotated[list[str], operator.add]


def logs(name: str, delay: float = 0.0, custom: bool = False) -> Any:
    """A node that (after `delay` s, which orders parallel siblings' completion) appends its name."""

    def fn(state: Any) -> dict[str, Any]:
        if delay:
            time.sleep(delay)
        if custom:
            get_stream_writer()({"node": name})
        return {"log": [name]}

    fn.__name__ = name
    return fn


def alogs(name: str, delay: float = 0.0, custom: bool = False) -> Any:
    async def fn(state: Any) -> dict[str, Any]:
        await asyncio.sleep(delay)
        if custom:
            get_stream_writer()({"node": name})
        return {"log": [name]}

    fn.__name__ = name
    return fn


# -- the scenarios: each returns (graph, input, config) ----------------------------------------------------------
def join_reducers(make: Any = logs) -> Any:
    def count(state: State) -> dict[str, Any]:
        get_stream_writer()({"count": len(state["log"])})
        return {"x": len(state["log"]), "log": ["c"]}

    graph = (StateGraph(State).add_node("a", make("a", custom=True)).add_node("b", make("b", 0.05))
             .add_node("b2", make("b2")).add_node("c", count).add_edge(START, "a").add_edge(START, "b")
             .add_edge("b", "b2").add_edge(["a", "b2"], "c").add_edge("c", END).compile())
    return graph, {"x": 0}, None


def send_fanout(make: Any = logs) -> Any:
    class MapState(TypedDict):
        topics: list[str]
        drafts: Annotated[list[str], operator.add]
        summary: str

    def write(arg: dict[str, Any]) -> dict[str, Any]:
        time.sleep(0.05 * arg["i"])  # finish in Send order, so both engines stream the same order
        get_stream_writer()(f"writing {arg['topic']}")
        return {"drafts": [arg["topic"].upper()]}

    graph = (StateGraph(MapState).add_node("plan", lambda s: {"summary": "planning"}).add_node("write", write)
             .add_node("summarize", lambda s: {"summary": "+".join(s["drafts"])}).add_edge(START, "plan")
             .add_conditional_edges("plan", lambda s: [Send("write", {"topic": t, "i": i})
                                                       for i, t in enumerate(s["topics"])])
             .add_edge("write", "summarize").compile())
    return graph, {"topics": ["cats", "dogs", "owls"]}, None


def commands() -> Any:
    def start(state: State) -> Any:
        return Command(goto=["b", "c"], update={"x": 1, "log": ["start"]})

    def b(state: State) -> Any:
        return Command(goto=END, update={"log": ["b"]})

    def c(state: State) -> Any:
        time.sleep(0.05)
        return Command(goto=Send("d", {"x": 5, "log": []}), update={"log": ["c"]})

    def d(state: Any) -> dict[str, Any]:
        return {"log": [f"d saw {state['x']}"]}

    graph = (StateGraph(State).add_node("start", start).add_node("b", b).add_node("c", c).add_node("d", d)
             .add_edge(START, "start").compile())
    return graph, {"x": 0}, None


def conditional() -> Any:
    def route(state: State) -> str:
        return "again" if state["x"] < 3 else "done"

    graph = (StateGraph(State).add_node("count", lambda s: {"x": s["x"] + 1, "log": [f"count {s['x']}"]})
             .add_node("finish", logs("finish")).add_node("side", logs("side", 0.05))
             .set_conditional_entry_point(lambda s: ["count", "side"] if s["x"] == 0 else "count",
                                          ["count", "side"])
             .add_conditional_edges("count", route, {"again": "count", "done": "finish"})
             .add_conditional_edges("finish", lambda s: END).compile())
    return graph, {"x": 0}, None


def subgraphs() -> Any:
    class Inner(TypedDict):
        x: int
        log: Annotated[list[str], operator.add]
        private: str

    def leaf(state: Inner) -> dict[str, Any]:
        get_stream_writer()("from leaf")
        return {"log": ["leaf"], "private": "p"}

    deepest = StateGraph(Inner).add_node("leaf", leaf).add_edge(START, "leaf").compile()
    middle = (StateGraph(Inner).add_node("pre", logs("pre", custom=True)).add_node("deepest", deepest)
              .add_edge(START, "pre").add_edge("pre", "deepest").compile())
    graph = (StateGraph(State).add_node("middle", middle).add_node("after", logs("after"))
             .add_edge(START, "middle").add_edge("middle", "after").compile())
    return graph, {"x": 1}, None


def command_parent() -> Any:
    def inner(state: State) -> Any:
        return Command(graph=Command.PARENT, goto="after", update={"log": ["inner"]})

    sub = StateGraph(State).add_node("inner", inner).add_edge(START, "inner").compile()
    graph = (StateGraph(State).add_node("sub", sub).add_node("after", logs("after"))
             .add_edge(START, "sub").compile())
    return graph, {"x": 0}, None


def io_schemas() -> Any:
    class In(TypedDict):
        question: str

    class Out(TypedDict):
        answer: str

    class Full(TypedDict):
        question: str
        answer: str
        scratch: str

    graph = (StateGraph(Full, input_schema=In, output_schema=Out)
             .add_sequence([("think", lambda s: {"scratch": s["question"] + "?"}),
                            ("say", lambda s: {"answer": s["scratch"] * 2})])
             .add_edge(START, "think").compile())
    return graph, {"question": "why"}, None


@dataclass
class DataState:
    x: int
    log: Annotated[list[str], operator.add] = field(default_factory=list)


def dataclass_state() -> Any:
    graph = (StateGraph(DataState).add_sequence([("inc", lambda s: {"x": s.x + 1, "log": ["inc"]}),
                                                  ("again", lambda s: DataState(x=s.x * 10, log=["again"]))])
             .add_edge(START, "inc").compile())
    return graph, {"x": 1}, None


def pydantic_state() -> Any:
    from pydantic import BaseModel

    class PState(BaseModel):
        x: int
        log: Annotated[list[str], operator.add] = []

    graph = (StateGraph(PState).add_sequence([("inc", lambda s: {"x": s.x + 1, "log": ["inc"]})])
             .add_edge(START, "inc").compile())
    return graph, {"x": 1}, None


def retries() -> Any:
    attempts: list[int] = []

    def flaky(state: State) -> dict[str, Any]:
        attempts.append(1)
        if len(attempts) % 3:
            raise ConnectionError("flaky")
        return {"log": ["ok"]}

    policy = RetryPolicy(initial_interval=0.001, jitter=False, max_attempts=3)
    graph = StateGraph(State).add_node("flaky", flaky, retry_policy=policy).add_edge(START, "flaky").compile()
    return graph, {"x": 0}, None


def concurrent_write() -> Any:
    graph = (StateGraph(State).add_node("a", lambda s: {"x": 1}).add_node("b", lambda s: {"x": 2})
             .add_edge(START, "a").add_edge(START, "b").compile())
    return graph, {"x": 0}, None


def node_error() -> Any:
    def boom(state: State) -> dict[str, Any]:
        raise KeyError("boom")

    graph = (StateGraph(State).add_node("ok", logs("ok")).add_node("boom", boom).add_edge(START, "ok")
             .add_edge("ok", "boom").compile())
    return graph, {"x": 0}, None


def recursion() -> Any:
    graph = (StateGraph(State).add_sequence([(f"n{i}", lambda s: {"x": s["x"] + 1}) for i in range(3)])
             .add_edge(START, "n0").compile())
    return graph, {"x": 0}, {"recursion_limit": 3}


def recursion_enough() -> Any:
    graph, data, _ = recursion()
    return graph, data, {"recursion_limit": 4}


def unknown_update_key() -> Any:
    graph = StateGraph(State).add_node("a", lambda s: {"typo": 1, "x": 2}).add_edge(START, "a").compile()
    return graph, {"x": 0}, None


def unknown_route() -> Any:
    graph = (StateGraph(State).add_node("a", logs("a")).add_edge(START, "a")
             .add_conditional_edges("a", lambda s: "nowhere").compile())
    return graph, {"x": 0}, None


def completion_order() -> Any:
    graph = (StateGraph(State).add_node("a", logs("a", 0.1)).add_node("b", logs("b"))
             .add_edge(START, "a").add_edge(START, "b").compile())
    return graph, {"x": 0}, None


def async_join_reducers() -> Any:
    return join_reducers(alogs)


def writes_nothing() -> Any:
    # `values` streams only for an input or a step that wrote a key; with nothing written, invoke gives None.
    graph = (StateGraph(State).add_node("none", lambda s: None).add_node("empty", lambda s: {})
             .add_node("goto", lambda s: Command(goto="last")).add_node("last", lambda s: {"log": []})
             .add_sequence([("x1", lambda s: {"x": 1})]).add_edge(START, "none").add_edge("none", "empty")
             .add_edge("empty", "goto").add_edge("last", "x1").compile())
    return graph, {}, None


def writes_nothing_at_all() -> Any:
    graph = StateGraph(State).add_node("none", lambda s: None).add_edge(START, "none").compile()
    return graph, {}, None


def join_batch(second: str = "a") -> Any:
    # One step's finishing sources count as one batch, whatever the nodes are called (the example).
    builder = StateGraph(State)
    for name in ("h", "x", second, "c"):
        builder.add_node(name, logs(name))
    builder.add_edge(START, "x").add_edge(START, "h").add_edge("h", second)
    builder.add_conditional_edges("x", lambda s: "x" if s["log"].count("x") < 2 else END)
    builder.add_conditional_edges(second, lambda s: second if s["log"].count(second) < 2 else END)
    builder.add_edge(["x", second], "c")
    return builder.compile(), {"log": []}, None


def join_batch_renamed() -> Any:
    return join_batch("y")


def join_to_end() -> Any:
    graph = (StateGraph(State).add_node("a", logs("a")).add_node("b", logs("b")).add_edge(START, "a")
             .add_edge(START, "b").add_edge(["a", "b"], END).compile())
    return graph, {"x": 0}, None


class Private(TypedDict):
    secret: str


def private_state() -> Any:
    # Keys of a node's or router's annotated input schema are channels too ("pass private state").
    def hide(state: State) -> Private:
        return {"secret": "s" * (state["x"] + 1)}

    def reveal(state: Private) -> dict[str, Any]:
        return {"x": len(state["secret"]), "log": [state["secret"]]}

    def done(state: Private) -> str:
        return END if len(state["secret"]) > 2 else "hide"

    graph = (StateGraph(State).add_node("hide", hide).add_node("reveal", reveal).add_edge(START, "hide")
             .add_edge("hide", "reveal").add_conditional_edges("reveal", done).compile())
    return graph, {"x": 0}, None


def str_path_map() -> Any:
    def pick(state: State) -> Literal["a", "b"]:
        return "b"

    graph = (StateGraph(State).add_node("a", logs("a")).add_node("b", logs("b"))
             .add_conditional_edges(START, pick, "ab").compile())
    return graph, {"x": 0}, None


class Budget(TypedDict):
    log: Annotated[list[str], operator.add]
    left: RemainingSteps
    last: IsLastStep


def deferred() -> Any:
    # LangGraph's "defer" example, plus a `Send` pending when the deferred node becomes due.
    graph = (StateGraph(State).add_node("a", logs("a")).add_node("b", logs("b")).add_node("b_2", logs("b_2"))
             .add_node("c", logs("c")).add_node("d", logs("d"), defer=True).add_node("w", logs("w"))
             .add_edge(START, "a").add_edge("a", "b").add_edge("a", "c").add_edge("b", "b_2")
             .add_edge("b_2", "d").add_edge("c", "d")
             .add_conditional_edges("b_2", lambda s: [Send("w", {"x": 0, "log": []})]).compile())
    return graph, {"x": 0}, None


def managed_steps() -> Any:
    def work(state: Any) -> dict[str, Any]:
        return {"log": [f"left={state['left']} last={state['last']}"]}

    graph = (StateGraph(Budget).add_node("work", work).add_edge(START, "work")
             .add_conditional_edges("work", lambda s: END if s["left"] <= 2 else "work").compile())
    return graph, {"log": []}, {"recursion_limit": 6}


SCENARIOS = {f.__name__: f for f in (
    join_reducers, send_fanout, commands, conditional, subgraphs, command_parent, io_schemas, dataclass_state,
    pydantic_state, retries, concurrent_write, node_error, recursion, recursion_enough, unknown_update_key,
    unknown_route, completion_order, async_join_reducers, writes_nothing, writes_nothing_at_all, join_batch,
    join_batch_renamed, join_to_end, private_state, str_path_map, managed_steps, deferred,
)}
ASYNC_ONLY = {"async_join_reducers"}  # LangGraph runs `async def` nodes only through astream/ainvoke

RUNS: dict[str, dict[str, Any]] = {
    "default": {},
    "values": {"stream_mode": "values"},
    "updates": {"stream_mode": "updates"},
    "custom": {"stream_mode": "custom"},
    "tasks": {"stream_mode": "tasks"},
    "debug": {"stream_mode": "debug"},
    "values+updates+custom": {"stream_mode": ["values", "updates", "custom"]},
    "updates+tasks": {"stream_mode": ["updates", "tasks"]},
    "updates/subgraphs": {"stream_mode": "updates", "subgraphs": True},
    "updates+custom/subgraphs": {"stream_mode": ["updates", "custom"], "subgraphs": True},
    "values/subgraphs": {"stream_mode": "values", "subgraphs": True},
    "updates+custom/v2": {"stream_mode": ["updates", "custom"], "version": "v2"},
    "updates/subgraphs/v2": {"stream_mode": "updates", "subgraphs": True, "version": "v2"},
}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def normalize(value: Any) -> Any:
    """JSON-able, with task ids labelled in order of appearance; tuples kept apart from lists."""
    labels: dict[str, str] = {}

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return UUID.sub(lambda m: labels.setdefault(m.group(0), f"T{len(labels) + 1}"), v)
        if isinstance(v, dict):
            return {str(k): "<ts>" if k == "timestamp" else walk(x) for k, x in v.items()}
        if isinstance(v, tuple):
            return {"()": [walk(x) for x in v]}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, BaseException):
            return {"error": type(v).__name__}
        if v is None or isinstance(v, (bool, int, float)):
            return v
        return {"repr": repr(v)}

    return walk(value)


def run(name: str, how: str) -> Any:
    graph, data, config = SCENARIOS[name]()
    chunks: list[Any] = []
    try:
        if how == "invoke":
            return normalize(graph.invoke(data, config) if name not in ASYNC_ONLY
                             else asyncio.run(graph.ainvoke(data, config)))
        if name in ASYNC_ONLY:
            async def collect() -> None:
                async for chunk in graph.astream(data, config, **RUNS[how]):
                    chunks.append(chunk)

            asyncio.run(collect())
        else:
            for chunk in graph.stream(data, config, **RUNS[how]):
                chunks.append(chunk)
    except Exception as exc:
        return normalize({"chunks": chunks, "raised": exc})
    return normalize(chunks)


if __name__ == "__main__":
    use(sys.argv[1])
    wanted = sys.argv[2:] or list(SCENARIOS)
    print(json.dumps({name: {how: run(name, how) for how in ["invoke", *RUNS]} for name in wanted}, indent=1))
