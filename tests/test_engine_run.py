"""Running a graph: supersteps, joins, `Send`, `Command`, subgraphs, what nodes can ask for, and the
recursion limit."""

from __future__ import annotations

import operator
import os
from typing import Annotated, Any, TypedDict

import pytest

from engine_helpers import Log, appender, kind_fixture, mode_fixture, node, run_invoke, run_stream  # noqa: F401 - pytest fixtures
from livegraph import END, START, Command, GraphRecursionError, Runtime, Send, StateGraph
from livegraph.config import get_config, get_stream_writer


def test_updates_from_one_step_are_seen_in_the_next_only(mode: str, kind: str) -> None:
    seen: dict[str, Any] = {}

    def writer(state: Log) -> dict[str, Any]:
        seen["writer"] = state["x"]
        return {"x": 1}

    def sibling(state: Log) -> dict[str, Any]:
        seen["sibling"] = state["x"]  # same step as `writer`: the input's value
        return {}

    def after(state: Log) -> dict[str, Any]:
        seen["after"] = state["x"]
        return {}

    graph = (StateGraph(Log).add_node("writer", node(kind, writer)).add_node("sibling", node(kind, sibling))
             .add_node("after", node(kind, after)).add_edge(START, "writer").add_edge(START, "sibling")
             .add_edge("writer", "after").compile())
    assert run_stream(mode, graph, {"x": 0}, stream_mode="values") == [
        {"x": 0, "log": []}, {"x": 1, "log": []},  # `after` writes nothing: no `values` chunk for its step
    ]
    assert seen == {"writer": 0, "sibling": 0, "after": 1}


def test_a_router_sees_its_own_node_s_writes_but_not_its_siblings(mode: str) -> None:
    answers: list[tuple[int, list[str]]] = []

    def router(state: Log) -> str:
        answers.append((state["x"], state["log"]))
        return END

    graph = (StateGraph(Log).add_node("a", lambda s: {"x": 5, "log": ["a"]}).add_node("b", appender("b"))
             .add_edge(START, "a").add_edge(START, "b").add_conditional_edges("a", router).compile())
    run_invoke(mode, graph, {"x": 0})
    assert answers == [(5, ["a"])]


def test_a_join_runs_once_after_all_its_sources(mode: str, kind: str) -> None:
    # `a` finishes in step 1, `b2` in step 2: the join waits for both and runs `c` once, in step 3.
    graph = (StateGraph(Log).add_node("a", node(kind, appender("a"))).add_node("b", node(kind, appender("b")))
             .add_node("b2", node(kind, appender("b2"))).add_node("c", node(kind, appender("c")))
             .add_edge(START, "a").add_edge(START, "b").add_edge("b", "b2").add_edge(["a", "b2"], "c").compile())
    assert run_stream(mode, graph, {"x": 0}, stream_mode="updates") == [
        {"a": {"log": ["a"]}}, {"b": {"log": ["b"]}}, {"b2": {"log": ["b2"]}}, {"c": {"log": ["c"]}},
    ]


def test_a_join_and_a_plain_edge_to_the_same_node_run_it_once_per_step(mode: str) -> None:
    graph = (StateGraph(Log).add_node("a", appender("a")).add_node("b", appender("b"))
             .add_node("c", appender("c")).add_edge(START, "a").add_edge(START, "b")
             .add_edge("a", "c").add_edge(["a", "b"], "c").compile())
    assert run_invoke(mode, graph, {"x": 0}) == {"x": 0, "log": ["a", "b", "c"]}


class MapReduce(TypedDict):
    topics: list[str]
    drafts: Annotated[list[str], operator.add]
    summary: str


def test_send_fans_out_and_a_reducer_collects_in_send_order(mode: str, kind: str) -> None:
    def write(arg: dict[str, str]) -> dict[str, Any]:
        return {"drafts": [arg["topic"].upper()]}

    def summarize(state: MapReduce) -> dict[str, Any]:
        return {"summary": "+".join(state["drafts"])}

    graph = (StateGraph(MapReduce).add_node("plan", lambda s: {}).add_node("write", node(kind, write))
             .add_node("summarize", node(kind, summarize)).add_edge(START, "plan")
             .add_conditional_edges("plan", lambda s: [Send("write", {"topic": t}) for t in s["topics"]])
             .add_edge("write", "summarize").compile())
    chunks = run_stream(mode, graph, {"topics": ["cats", "dogs", "owls"]}, stream_mode="updates")
    assert chunks == [
        {"plan": None},
        {"write": {"drafts": ["CATS"]}}, {"write": {"drafts": ["DOGS"]}}, {"write": {"drafts": ["OWLS"]}},
        {"summarize": {"summary": "CATS+DOGS+OWLS"}},
    ]


@pytest.mark.parametrize(("command", "log"), [
    (Command(goto="b", update={"x": 7, "log": ["a"]}), ["a", "b"]),
    (Command(goto=["b", "c"], update={"x": 7}), ["b", "c"]),
    (Command(goto=Send("c", {"x": 7, "log": []}), update={"x": 7}), ["c"]),
    (Command(goto=END, update={"x": 7}), []),
    (Command(update={"x": 7, "log": ["a"]}), ["a"]),
])
def test_a_command_updates_and_routes_in_one_value(mode: str, kind: str, command: Command, log: list[str]) -> None:
    graph = (StateGraph(Log).add_node("a", node(kind, lambda s: command)).add_node("b", appender("b"))
             .add_node("c", appender("c")).add_edge(START, "a").compile())
    assert run_invoke(mode, graph, {"x": 0}) == {"x": 7, "log": log}


def test_a_command_s_update_is_what_updates_mode_shows(mode: str) -> None:
    graph = (StateGraph(Log).add_node("a", lambda s: Command(goto="b", update={"x": 7}))
             .add_node("b", appender("b")).add_edge(START, "a").compile())
    assert run_stream(mode, graph, {"x": 0}, stream_mode="updates") == [{"a": {"x": 7}}, {"b": {"log": ["b"]}}]


class Inner(TypedDict):
    x: int
    log: Annotated[list[str], operator.add]
    private: str


def test_a_compiled_graph_is_a_node_sharing_its_keys(mode: str, kind: str) -> None:
    def inner(state: Inner) -> dict[str, Any]:
        return {"x": state["x"] * 10, "log": ["inner"], "private": "kept inside"}

    sub = StateGraph(Inner).add_node("inner", node(kind, inner)).add_node("inner2", appender("inner2")) \
        .add_edge(START, "inner").add_edge("inner", "inner2").compile()
    graph = (StateGraph(Log).add_sequence([appender("before"), ("sub", sub), appender("after")])
             .add_edge(START, "before").compile())
    assert run_stream(mode, graph, {"x": 2}, stream_mode="updates") == [
        {"before": {"log": ["before"]}},
        {"sub": {"x": 20, "log": ["before", "inner", "inner2"]}},
        {"after": {"log": ["after"]}},
    ]
    assert run_invoke(mode, graph, {"x": 2}) == {"x": 20, "log": ["before", "before", "inner", "inner2", "after"]}


def test_command_parent_routes_the_parent_graph(mode: str, kind: str) -> None:
    def inner(state: Log) -> Command:
        return Command(graph=Command.PARENT, goto="after", update={"log": ["inner"]})

    sub = StateGraph(Log).add_node("inner", node(kind, inner)).add_edge(START, "inner").compile()
    graph = (StateGraph(Log).add_node("sub", sub).add_node("after", appender("after"))
             .add_edge(START, "sub").compile())
    assert run_stream(mode, graph, {"x": 0}, stream_mode="updates") == [
        {"sub": {"log": ["inner"]}}, {"after": {"log": ["after"]}},
    ]


def test_command_parent_streams_no_update_for_the_inner_node(mode: str) -> None:
    def inner(state: Log) -> Command:
        return Command(graph=Command.PARENT, goto="after", update={"log": ["inner"]})

    sub = StateGraph(Log).add_node("inner", inner).add_edge(START, "inner").compile()
    graph = (StateGraph(Log).add_node("sub", sub).add_node("after", appender("after"))
             .add_edge(START, "sub").compile())
    assert run_stream(mode, graph, {"x": 0}, stream_mode="updates", subgraphs=True) == [
        ((), {"sub": {"log": ["inner"]}}), ((), {"after": {"log": ["after"]}}),
    ]


# -- what a node can ask for ----------------------------------------------------------------------------------
def test_nodes_get_config_writer_and_runtime_by_name(mode: str, kind: str) -> None:
    def needs_all(state: Log, config: dict[str, Any], writer: Any, runtime: Runtime) -> dict[str, Any]:
        meta = config["metadata"]
        writer({"node": meta["langgraph_node"], "step": meta["langgraph_step"]})
        runtime.stream_writer(("runtime", runtime.context))
        get_stream_writer()("helper")
        assert get_config()["configurable"]["user"] == "ada"
        return {"log": [config["configurable"]["user"], runtime.context["lang"]]}

    graph = StateGraph(Log).add_node(node(kind, needs_all)).add_edge(START, "needs_all").compile()
    chunks = run_stream(mode, graph, {"x": 0}, {"configurable": {"user": "ada"}}, context={"lang": "en"},
                        stream_mode=["custom", "updates"])
    assert chunks == [
        ("custom", {"node": "needs_all", "step": 1}),
        ("custom", ("runtime", {"lang": "en"})),
        ("custom", "helper"),
        ("updates", {"needs_all": {"log": ["ada", "en"]}}),
    ]


def test_a_node_s_config_carries_langgraph_metadata(mode: str) -> None:
    seen: list[dict[str, Any]] = []

    def look(state: Log, config: dict[str, Any]) -> None:
        meta = config["metadata"]
        seen.append({k: meta[k] for k in ("langgraph_step", "langgraph_node", "langgraph_triggers",
                                          "langgraph_path")})

    graph = (StateGraph(Log).add_node("first", look).add_node("second", look).add_edge(START, "first")
             .add_edge("first", "second").compile())
    run_invoke(mode, graph, {"x": 0})
    assert seen == [
        {"langgraph_step": 1, "langgraph_node": "first", "langgraph_triggers": ("branch:to:first",),
         "langgraph_path": ("__pregel_pull", "first")},
        {"langgraph_step": 2, "langgraph_node": "second", "langgraph_triggers": ("branch:to:second",),
         "langgraph_path": ("__pregel_pull", "second")},
    ]


# -- the recursion limit ------------------------------------------------------------------------------------------
def _chain(n: int) -> Any:
    nodes = [(f"n{i}", lambda s: {"x": s["x"] + 1}) for i in range(n)]
    return StateGraph(Log).add_sequence(nodes).add_edge(START, "n0").compile()


@pytest.mark.parametrize("n", [1, 3, 10])
def test_a_chain_of_n_nodes_needs_a_limit_above_n(mode: str, n: int) -> None:
    graph = _chain(n)
    assert run_invoke(mode, graph, {"x": 0}, {"recursion_limit": n + 1}) == {"x": n, "log": []}
    with pytest.raises(GraphRecursionError) as info:
        run_invoke(mode, graph, {"x": 0}, {"recursion_limit": n})
    assert str(info.value) == (
        f"Recursion limit of {n} reached without hitting a stop condition ({n} steps ran). A run of n steps needs "
        "a limit above n: you can increase it by setting the `recursion_limit` config key, e.g. "
        "`graph.invoke(inputs, {'recursion_limit': 100})`, or check the routes that loop back."
    )
    # As LangGraph: the limit's last step runs and streams in full, then the run raises.
    chunks: list[Any] = []
    with pytest.raises(GraphRecursionError):
        _collect(mode, graph, chunks, {"recursion_limit": n})
    assert chunks == [{f"n{i}": {"x": i + 1}} for i in range(n)]


def test_the_step_at_the_limit_raises_its_own_error_not_the_limit_s(mode: str) -> None:
    def boom(state: Log) -> dict[str, Any]:
        raise KeyError("boom")

    graph = StateGraph(Log).add_sequence([("ok", lambda s: {"x": 1}), ("boom", boom)]).add_edge(START, "ok").compile()
    with pytest.raises(KeyError):
        run_invoke(mode, graph, {"x": 0}, {"recursion_limit": 2})


def test_a_loop_hits_the_default_limit_and_except_recursion_error_catches_it(mode: str) -> None:
    graph = (StateGraph(Log).add_node("spin", lambda s: {"x": s["x"] + 1}).add_edge(START, "spin")
             .add_conditional_edges("spin", lambda s: "spin").compile())
    with pytest.raises(RecursionError) as info:
        run_invoke(mode, graph, {"x": 0})
    assert str(info.value).startswith("Recursion limit of 10007 reached without hitting a stop condition (10007 "
                                      "steps ran; next it would run `spin`).")
    chunks: list[Any] = []
    with pytest.raises(GraphRecursionError):
        _collect(mode, graph, chunks, {"recursion_limit": 25})
    assert chunks == [{"spin": {"x": i}} for i in range(1, 26)]


def test_the_default_limit_comes_from_langgraph_s_environment_variable() -> None:
    import subprocess
    import sys

    code = "from livegraph._engine._constants import DEFAULT_RECURSION_LIMIT as d; print(d)"
    env = {**os.environ, "LANGGRAPH_DEFAULT_RECURSION_LIMIT": "42"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout == "42\n"


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError) as info:
        _chain(1).invoke({"x": 0}, {"recursion_limit": 0})
    assert str(info.value) == "recursion_limit must be at least 1, got 0"


def _collect(mode: str, graph: Any, into: list[Any], config: Any = None) -> list[Any]:
    """Stream `updates` into `into` as they come, so what arrived before an error is kept."""
    import asyncio

    if mode == "sync":
        for chunk in graph.stream({"x": 0}, config, stream_mode="updates"):
            into.append(chunk)
        return into

    async def go() -> None:
        async for chunk in graph.astream({"x": 0}, config, stream_mode="updates"):
            into.append(chunk)

    asyncio.run(go())
    return into
