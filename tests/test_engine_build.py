"""Building a graph: `add_node` and friends, `compile()`'s validation, and the state schemas."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

import pytest

from engine_helpers import Log, appender, kind_fixture, mode_fixture, node, run_invoke, run_stream  # noqa: F401 - pytest fixtures
from livegraph import END, START, GraphValidationError, LiveGraphError, Send, StateGraph


def test_add_node_infers_the_name_and_every_builder_call_returns_the_builder() -> None:
    def first(state: Log) -> dict[str, Any]:
        return {}

    builder = StateGraph(Log)
    calls = [
        lambda: builder.add_node(first),
        lambda: builder.add_node("second", appender("second")),
        lambda: builder.add_sequence([appender("third"), ("fourth", appender("ignored"))]),
        lambda: builder.add_edge("first", "second"),
        lambda: builder.add_conditional_edges("second", lambda s: "third"),
        lambda: builder.set_entry_point("first"),
        lambda: builder.set_finish_point("fourth"),
    ]
    assert [call() is builder for call in calls] == [True] * len(calls)
    assert list(builder.nodes) == ["first", "second", "third", "fourth"]
    assert builder.nodes["first"] is first


def test_add_sequence_chains_nodes_in_order(mode: str) -> None:
    graph = (StateGraph(Log).add_sequence([appender("a"), ("b", appender("b")), appender("c")])
             .add_edge(START, "a").compile())
    assert run_stream(mode, graph, {"x": 0}, stream_mode="updates") == [
        {"a": {"log": ["a"]}}, {"b": {"log": ["b"]}}, {"c": {"log": ["c"]}},
    ]


def test_set_entry_and_finish_point(mode: str) -> None:
    graph = (StateGraph(Log).add_node("a", appender("a")).add_node("b", appender("b"))
             .set_entry_point("a").add_edge("a", "b").set_finish_point("b").compile())
    assert run_invoke(mode, graph, {"x": 0}) == {"x": 0, "log": ["a", "b"]}


# -- conditional edges ---------------------------------------------------------------------------------------
def _routed(router: Any, path_map: Any = None) -> Any:
    """START -> a -> router -> any of b, c, w (a worker that logs its `Send` argument)."""

    def w(arg: str) -> dict[str, Any]:
        return {"log": [f"w:{arg}"]}

    return (StateGraph(Log).add_node("a", appender("a")).add_node("b", appender("b"))
            .add_node("c", appender("c")).add_node("w", w).add_edge(START, "a")
            .add_conditional_edges("a", router, path_map).compile())


ROUTES = {
    "a name": (lambda s: "b", None, ["a", "b"]),
    "a list of names": (lambda s: ["c", "b"], None, ["a", "b", "c"]),
    "END": (lambda s: END, None, ["a"]),
    "one Send": (lambda s: Send("w", "one"), None, ["a", "w:one"]),
    "several Sends": (lambda s: [Send("w", "1"), Send("w", "2")], None, ["a", "w:1", "w:2"]),
    "names and Sends": (lambda s: ["b", Send("w", "1")], None, ["a", "b", "w:1"]),
    "a dict path_map key": (lambda s: "yes", {"yes": "c", "no": END}, ["a", "c"]),
    "a dict path_map key to END": (lambda s: "no", {"yes": "c", "no": END}, ["a"]),
    "a list path_map name": (lambda s: "c", ["b", "c"], ["a", "c"]),
    "several list path_map names": (lambda s: ["c", "b"], ["b", "c"], ["a", "b", "c"]),
}


@pytest.mark.parametrize("case", list(ROUTES))
def test_routers_return_names_lists_sends_or_end(mode: str, case: str) -> None:
    router, path_map, log = ROUTES[case]
    assert run_invoke(mode, _routed(router, path_map), {"x": 0}) == {"x": 0, "log": log}


def test_a_conditional_entry_point_routes_from_start(mode: str) -> None:
    graph = (StateGraph(Log).add_node("b", appender("b")).add_node("c", appender("c"))
             .set_conditional_entry_point(lambda s: "c" if s["x"] else "b", ["b", "c"]).compile())
    assert [run_invoke(mode, graph, {"x": x})["log"] for x in (0, 1)] == [["b"], ["c"]]


def test_routers_may_be_async_and_take_config(mode: str) -> None:
    async def router(state: Log, config: dict[str, Any]) -> str:
        return str(config["configurable"]["go"])

    graph = _routed(router)
    assert run_invoke(mode, graph, {"x": 0}, {"configurable": {"go": "c"}}) == {"x": 0, "log": ["a", "c"]}


# -- names and validation --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "message"), [
    ("__start__", "Node `__start__` is reserved for the graph's entry/exit; give your node another name"),
    ("__end__", "Node `__end__` is reserved for the graph's entry/exit; give your node another name"),
    ("a:b", "Node `a:b`: ':' is a reserved character in node names; rename the node"),
    ("a|b", "Node `a|b`: '|' is a reserved character in node names; rename the node"),
    ("dup", "Node `dup` already present; give the second node another name"),
])
def test_duplicate_and_reserved_node_names_are_refused(name: str, message: str) -> None:
    builder = StateGraph(Log).add_node("dup", appender("dup"))
    with pytest.raises(ValueError) as info:
        builder.add_node(name, appender(name))
    assert str(info.value) == message


def test_compile_lists_every_offender_at_once() -> None:
    builder = (
        StateGraph(Log)
        .add_node("draft", appender("draft"))
        .add_node("review", appender("review"))
        .add_edge("draft", "reveiw")
        .add_edge("ghost", "draft")
        .add_edge(["draft", "nobody"], "review")
        .add_conditional_edges("draft", lambda s: "ok", {"ok": "publish", "again": "draft"})
        .add_conditional_edges("missing", lambda s: "draft")
    )
    with pytest.raises(GraphValidationError) as info:
        builder.compile(interrupt_before=["revew"])
    problems = [
        "Edge `draft` -> `reveiw` refers to unknown node `reveiw` (did you mean `review`?); "
        "add it with `add_node('reveiw', fn)`",
        "Edge `ghost` -> `draft` refers to unknown node `ghost`; add it with `add_node('ghost', fn)`",
        "Join edge [draft, nobody] -> `review` refers to unknown node `nobody`; add it with `add_node('nobody', fn)`",
        "Conditional edge from `draft`: path_map entry 'ok' refers to unknown node `publish`; "
        "add it with `add_node('publish', fn)`",
        "Conditional edge from `missing` (router `<lambda>`) refers to unknown node `missing`; "
        "add it with `add_node('missing', fn)`",
        "Graph must have an entrypoint: add at least one edge from START to another node (`add_edge(START, node)`)",
        "Interrupt node `revew` is not in the graph (did you mean `review`?)",
    ]
    assert info.value.problems == problems
    assert str(info.value) == "The graph has 7 problems:\n" + "\n".join(f"  - {p}" for p in problems)


def test_one_problem_is_the_whole_message() -> None:
    with pytest.raises(GraphValidationError) as info:
        StateGraph(Log).add_node("a", appender("a")).compile()
    assert str(info.value) == (
        "Graph must have an entrypoint: add at least one edge from START to another node (`add_edge(START, node)`)"
    )


@pytest.mark.parametrize(("build", "message"), [
    (lambda b: b.add_edge(END, "a"), "END cannot be the start of an edge; use `add_edge(node, END)` to finish"),
    (lambda b: b.add_edge("a", START), "START cannot be the end of an edge; use `add_edge(START, node)` to begin"),
    (lambda b: b.add_edge("a", "b").compile(),
     "The graph has 2 problems:\n"
     "  - Edge `a` -> `b` refers to unknown node `b`; add it with `add_node('b', fn)`\n"
     "  - Graph must have an entrypoint: add at least one edge from START to another node (`add_edge(START, node)`)"),
])
def test_validation_errors_are_caught_by_except_value_error(build: Any, message: str) -> None:
    builder = StateGraph(Log).add_node("a", appender("a"))
    try:
        build(builder)
    except ValueError as exc:  # what code written for LangGraph catches
        assert str(exc) == message
    else:
        pytest.fail("no ValueError")


def test_compile_errors_are_livegraph_errors_too() -> None:
    with pytest.raises(LiveGraphError):
        StateGraph(Log).add_node("a", appender("a")).compile()


def test_add_node_misuse_names_the_right_call() -> None:
    with pytest.raises(TypeError) as info:
        StateGraph(Log).add_node("a")  # type: ignore[call-overload]
    assert str(info.value) == "add_node('a') needs the function too: `add_node('a', fn)`"
    with pytest.raises(ValueError) as value_info:
        StateGraph()
    assert str(value_info.value) == "StateGraph() needs a state schema: `StateGraph(State)`"


# -- schemas ----------------------------------------------------------------------------------------------------
@dataclass
class DataState:
    x: int
    log: Annotated[list[str], operator.add] = field(default_factory=list)


def _pydantic_state() -> type:
    pydantic = pytest.importorskip("pydantic")

    class PydanticState(pydantic.BaseModel):  # type: ignore[misc, name-defined]
        x: int
        log: Annotated[list[str], operator.add] = []

    return PydanticState


@pytest.mark.parametrize("schema", ["TypedDict", "dataclass", "pydantic"])
def test_state_schemas_give_nodes_their_type_and_runs_plain_dicts(mode: str, kind: str, schema: str) -> None:
    state_cls: Any = {"TypedDict": Log, "dataclass": DataState, "pydantic": None}[schema] or _pydantic_state()
    seen: list[str] = []

    def inc(state: Any) -> dict[str, Any]:
        seen.append(type(state).__name__)
        x = state["x"] if isinstance(state, dict) else state.x
        return {"x": x + 1, "log": ["inc"]}

    graph = (StateGraph(state_cls).add_node("inc", node(kind, inc)).add_edge(START, "inc")
             .add_edge("inc", "again").add_node("again", node(kind, inc)).compile())
    assert run_stream(mode, graph, {"x": 1}, stream_mode=["values", "updates"]) == [
        ("values", {"x": 1, "log": []}),
        ("updates", {"inc": {"x": 2, "log": ["inc"]}}),
        ("values", {"x": 2, "log": ["inc"]}),
        ("updates", {"again": {"x": 3, "log": ["inc"]}}),
        ("values", {"x": 3, "log": ["inc", "inc"]}),
    ]
    expected = "dict" if schema == "TypedDict" else state_cls.__name__
    assert seen == [expected, expected]


def test_a_dataclass_subgraph_returns_its_output_to_the_parent(mode: str) -> None:
    sub = StateGraph(DataState).add_node("inner", lambda s: {"x": s.x * 10, "log": ["inner"]}) \
        .add_edge(START, "inner").compile()
    graph = StateGraph(Log).add_node("sub", sub).add_edge(START, "sub").compile()
    assert run_invoke(mode, graph, {"x": 2}) == {"x": 20, "log": ["inner"]}


def test_reducers_combine_and_plain_keys_overwrite(mode: str) -> None:
    class State(TypedDict):
        best: Annotated[int, lambda current, new: max(current, new)]
        seen: Annotated[list[int], operator.add]
        last: int

    graph = (StateGraph(State)
             .add_sequence([("p", lambda s: {"best": 3, "seen": [3], "last": 3}),
                            ("q", lambda s: {"best": 9, "seen": [9]}),
                            ("r", lambda s: {"best": 5, "seen": [5], "last": 5})])
             .add_edge(START, "p").compile())
    assert run_invoke(mode, graph, {"best": 4, "seen": [0], "last": 0}) == {"best": 9, "seen": [0, 3, 9, 5], "last": 5}


def test_input_and_output_schemas_filter_what_goes_in_and_out(mode: str) -> None:
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
    assert run_invoke(mode, graph, {"question": "why", "scratch": "ignored"}) == {"answer": "why?why?"}
    assert run_stream(mode, graph, {"question": "why"}, stream_mode="updates") == [
        {"think": {"scratch": "why?"}}, {"say": {"answer": "why?why?"}},
    ]


def test_a_node_or_router_that_cannot_take_the_state_is_refused_when_added() -> None:
    class S(TypedDict, total=False):
        x: int

    def nothing() -> dict[str, int]:
        return {"x": 1}

    with pytest.raises(TypeError) as info:
        StateGraph(S).add_node(nothing)
    assert str(info.value) == (
        "Node `nothing` takes no positional parameter, but a node is called with the state: define it as "
        "`def nothing(state): ...` (and add `config`, `writer` or `runtime` after it if it needs them)"
    )
    with pytest.raises(TypeError) as info:
        StateGraph(S).add_node("a", lambda s: {}).add_conditional_edges("a", lambda: "a")
    assert str(info.value) == (
        "Router `<lambda>` after `a` takes no positional parameter, but a router is called with the state: "
        "define it as `def <lambda>(state): ...`"
    )
    # *args, keyword-only injections after the state, callable objects and builtins are all fine
    StateGraph(S).add_node("star", lambda *args: {}).add_node("kw", lambda s, *, config: {})
    StateGraph(S).add_node("obj", type("Node", (), {"__call__": lambda self, state: {}})())
    StateGraph(S).add_node("builtin", dict)
