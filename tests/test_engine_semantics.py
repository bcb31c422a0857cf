"""What ported code sees, as LangGraph 1.2 does it: `values` only for writes, joins as one batch per step,
private state, managed values, a `str` path_map, and a compiled graph called from inside a node as a subgraph.
(tests/differential/ runs the same shapes on LangGraph itself.)"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Literal, TypedDict

import pytest

from checkpoint_helpers import saver_factory_fixture, saver_fixture, saver_kind_fixture, thread  # noqa: F401 - pytest fixtures
from engine_helpers import Log, appender, kind_fixture, mode_fixture, node, normalized, run_invoke, run_stream  # noqa: F401 - pytest fixtures
from livegraph import END, START, Command, GraphRecursionError, InvalidUpdateError, Send, StateGraph
from livegraph.config import get_stream_writer
from livegraph.managed import IsLastStep, RemainingSteps
from livegraph.types import interrupt


# -- values mode and the output -----------------------------------------------------------------------------------
def test_values_stream_only_for_an_input_or_a_step_that_wrote_a_key(mode: str, kind: str) -> None:
    graph = (StateGraph(Log).add_node("none", node(kind, lambda s: None)).add_node("empty", node(kind, lambda s: {}))
             .add_node("goto", node(kind, lambda s: Command(goto="last")))
             .add_node("last", node(kind, lambda s: {"log": []})).add_edge(START, "none").add_edge("none", "empty")
             .add_edge("empty", "goto").compile())
    assert run_stream(mode, graph, {"x": 0}, stream_mode="values") == [{"x": 0, "log": []}, {"x": 0, "log": []}]
    assert run_stream(mode, graph, {}, stream_mode="values") == [{"log": []}]  # the input set no key
    assert run_stream(mode, graph, {}, stream_mode="updates") == [
        {"none": None}, {"empty": None}, {"goto": None}, {"last": {"log": []}},
    ]


def test_invoke_returns_none_when_no_output_key_was_ever_written(mode: str) -> None:
    class Out(TypedDict):
        answer: str

    quiet = StateGraph(Log).add_node("a", lambda s: None).add_edge(START, "a").compile()
    assert run_invoke(mode, quiet, {}) is None
    assert run_invoke(mode, quiet, {"x": 1}) == {"x": 1, "log": []}
    other = StateGraph(Log, output_schema=Out).add_node("a", lambda s: {"x": 2}).add_edge(START, "a").compile()
    assert run_invoke(mode, other, {"x": 1}) is None


# -- joins ------------------------------------------------------------------------------------------------------
def _looping_join(second: str) -> Any:
    builder = StateGraph(Log)
    for name in ("h", "x", second, "c"):
        builder.add_node(name, appender(name))
    builder.add_edge(START, "x").add_edge(START, "h").add_edge("h", second)
    builder.add_conditional_edges("x", lambda s: "x" if s["log"].count("x") < 2 else END)
    builder.add_conditional_edges(second, lambda s: second if s["log"].count(second) < 2 else END)
    return builder.add_edge(["x", second], "c").compile()


@pytest.mark.parametrize(("second", "log"), [
    ("a", ["h", "x", "a", "x", "a", "c"]),
    ("y", ["h", "x", "x", "y", "c", "y"]),  # LangGraph's results under both namings
])
def test_a_join_takes_one_step_s_finishing_sources_as_one_batch(mode: str, second: str, log: list[str]) -> None:
    # In the step where `x` and `a` both finish, `x` finishing a second time must not start the next round.
    assert run_invoke(mode, _looping_join(second), {"log": []}) == {"log": log}


def test_a_join_into_end_is_accepted_and_does_nothing(mode: str) -> None:
    graph = (StateGraph(Log).add_node("a", appender("a")).add_node("b", appender("b")).add_edge(START, "a")
             .add_edge(START, "b").add_edge(["a", "b"], END).compile())
    assert run_invoke(mode, graph, {"x": 0}) == {"x": 0, "log": ["a", "b"]}


# -- private state ------------------------------------------------------------------------------------------------
class Private(TypedDict):
    secret: str


def test_keys_of_a_node_s_or_router_s_annotated_input_schema_pass_between_nodes(mode: str) -> None:
    def hide(state: Log) -> Private:
        return {"secret": "s" * (state["x"] + 1)}

    def reveal(state: Private) -> dict[str, Any]:
        return {"x": len(state["secret"]), "log": [state["secret"]]}

    def done(state: Private) -> str:
        return END if len(state["secret"]) > 2 else "hide"

    graph = (StateGraph(Log).add_node("hide", hide).add_node("reveal", reveal).add_edge(START, "hide")
             .add_edge("hide", "reveal").add_conditional_edges("reveal", done).compile())
    assert run_invoke(mode, graph, {"x": 0}) == {"x": 3, "log": ["s", "ss", "sss"]}
    assert run_stream(mode, graph, {"x": 0}, stream_mode="values")[:2] == [  # every channel shows in `values`
        {"x": 0, "log": []}, {"x": 0, "log": [], "secret": "s"},
    ]


def test_a_key_that_no_schema_declares_is_still_an_error(mode: str) -> None:
    graph = StateGraph(Log).add_node("a", lambda s: {"secret": 1}).add_edge(START, "a").compile()
    with pytest.raises(InvalidUpdateError) as info:
        run_invoke(mode, graph, {"x": 0})
    assert str(info.value) == (
        "Node `a` returned `secret`, not in the state schema (keys: x, log); add the key to the state schema "
        "or drop it from the update"
    )


# -- managed values -----------------------------------------------------------------------------------------------
class Budget(TypedDict):
    log: Annotated[list[str], operator.add]
    left: RemainingSteps
    last: IsLastStep


def test_remaining_steps_and_is_last_step_let_a_loop_stop_before_the_limit(mode: str, kind: str) -> None:
    def work(state: Budget) -> dict[str, Any]:
        return {"log": [f"left={state['left']} last={state['last']}"]}

    graph = (StateGraph(Budget).add_node("work", node(kind, work)).add_edge(START, "work")
             .add_conditional_edges("work", lambda s: END if s["left"] <= 2 else "work").compile())
    assert run_invoke(mode, graph, {"log": []}, {"recursion_limit": 5}) == {
        "log": ["left=4 last=False", "left=3 last=False", "left=2 last=False"],
    }
    assert run_stream(mode, graph, {"log": []}, {"recursion_limit": 2}, stream_mode="updates") == [
        {"work": {"log": ["left=1 last=True"]}},
    ]


def test_managed_values_are_importable_where_langgraph_has_them() -> None:
    from livegraph.managed.is_last_step import IsLastStep as Last
    from livegraph.managed.is_last_step import RemainingSteps as Left

    assert (Last, Left) == (IsLastStep, RemainingSteps)


# -- add_conditional_edges with a str path_map ---------------------------------------------------------------------
def test_a_str_path_map_is_ignored_as_langgraph_does(mode: str) -> None:
    def pick(state: Log) -> Literal["a", "b"]:
        return "b"

    graph = (StateGraph(Log).add_node("a", appender("a")).add_node("b", appender("b"))
             .add_conditional_edges(START, pick, "ab").compile())
    assert run_invoke(mode, graph, {"x": 0}) == {"x": 0, "log": ["b"]}
    assert [(e.source, e.target) for e in graph.get_graph().edges] == [("__start__", "a"), ("__start__", "b")]


# -- a compiled graph invoked inside a node -------------------------------------------------------------------------
class Child(TypedDict):
    q: str
    a: str


class Parent(TypedDict):
    question: str
    answer: str


def _leaf(state: Child) -> dict[str, Any]:
    get_stream_writer()({"leaf": state["q"]})
    return {"a": state["q"].upper()}


def test_a_graph_invoked_inside_a_node_streams_as_that_task_s_subgraph(mode: str) -> None:
    child = StateGraph(Child).add_node("leaf", _leaf).add_edge(START, "leaf").compile()
    middle = StateGraph(Child).add_node("inner", lambda s: child.invoke(s)).add_edge(START, "inner").compile()

    def call(state: Parent) -> dict[str, Any]:
        return {"answer": middle.invoke({"q": state["question"]})["a"]}

    async def acall(state: Parent) -> dict[str, Any]:
        return {"answer": (await middle.ainvoke({"q": state["question"]}))["a"]}

    graph = (StateGraph(Parent).add_node("call", call if mode == "sync" else acall).add_edge(START, "call")
             .compile())
    chunks = run_stream(mode, graph, {"question": "hi"}, stream_mode=["updates", "custom"], subgraphs=True)
    assert normalized(chunks) == [
        (("call:T1", "inner:T2"), "custom", {"leaf": "hi"}),
        (("call:T1", "inner:T2"), "updates", {"leaf": {"a": "HI"}}),
        (("call:T1",), "updates", {"inner": {"q": "hi", "a": "HI"}}),
        ((), "updates", {"call": {"answer": "HI"}}),
    ]
    assert run_stream(mode, graph, {"question": "hi"}, stream_mode="custom") == []  # nested: only with subgraphs
    assert run_invoke(mode, graph, {"question": "hi"}) == {"question": "hi", "answer": "HI"}


def test_a_child_with_a_checkpointer_runs_under_the_parent_s_thread_and_can_be_interrupted(saver: Any) -> None:
    calls: list[str] = []

    def ask(state: Child) -> dict[str, Any]:
        calls.append("ask")
        return {"q": state["q"] + "?"}

    def leaf(state: Child) -> dict[str, Any]:
        calls.append("leaf")
        return {"a": interrupt("ok?") + state["q"]}

    child = (StateGraph(Child).add_node("ask", ask).add_node("leaf", leaf).add_edge(START, "ask")
             .add_edge("ask", "leaf").compile(checkpointer=True))

    def call(state: Parent) -> dict[str, Any]:
        calls.append("call")
        return {"answer": child.invoke({"q": state["question"]})["a"]}

    graph = StateGraph(Parent).add_node("call", call).add_edge(START, "call").compile(checkpointer=saver)
    assert graph.invoke({"question": "hi"}, thread())["__interrupt__"][0].value == "ok?"
    assert graph.invoke(Command(resume="yes "), thread()) == {"question": "hi", "answer": "yes hi?"}
    assert calls == ["call", "ask", "leaf", "call", "leaf"]  # `ask` finished before the interrupt: not again


def test_checkpointer_true_on_a_root_graph_is_an_error_as_in_langgraph() -> None:
    graph = StateGraph(Child).add_node("leaf", _leaf).add_edge(START, "leaf").compile(checkpointer=True)
    with pytest.raises(RuntimeError) as info:
        graph.invoke({"q": "x"})
    assert str(info.value) == (
        "checkpointer=True cannot be used for root graphs: it makes a subgraph save under its parent's thread. "
        "Run this graph inside a node of a graph compiled with a checkpointer, or compile it with one of its own "
        "(e.g. `checkpointer=InMemorySaver()`)"
    )


def test_a_resumed_run_gets_two_more_steps_as_in_langgraph(saver: Any) -> None:
    def step(name: str) -> Any:
        def fn(state: Budget) -> dict[str, Any]:
            return {"log": [f"{name} left={state['left']}"]}
        return fn

    graph = (StateGraph(Budget).add_sequence([(f"n{i}", step(f"n{i}")) for i in range(5)]).add_edge(START, "n0")
             .compile(checkpointer=saver, interrupt_before=["n2"]))
    graph.invoke({"log": []}, {**thread(), "recursion_limit": 10})
    with pytest.raises(GraphRecursionError):
        graph.invoke(None, {**thread(), "recursion_limit": 1})  # three steps run, then the limit stops it
    assert graph.get_state(thread()).values["log"][2:] == ["n2 left=2", "n3 left=1", "n4 left=0"]


def test_a_sibling_that_finished_before_a_failure_still_streams_its_update(mode: str, kind: str) -> None:
    import time

    def boom(state: Log) -> dict[str, Any]:
        time.sleep(0.1)  # `a` has finished by now
        raise ValueError("boom")

    graph = (StateGraph(Log).add_node("a", node(kind, appender("a"))).add_node("boom", node(kind, boom))
             .add_edge(START, "a").add_edge(START, "boom").compile())
    chunks: list[Any] = []
    with pytest.raises(ValueError):
        run_stream(mode, graph, {"x": 0}, stream_mode="updates", on_chunk=chunks.append)
    assert chunks == [{"a": {"log": ["a"]}}]


def test_the_live_view_shows_a_graph_invoked_inside_a_node_in_that_node_s_panels() -> None:
    from livegraph.notebook._model import RunModel

    child = StateGraph(Child).add_node("leaf", _leaf).add_edge(START, "leaf").compile()

    def call(state: Parent) -> dict[str, Any]:
        return {"answer": child.invoke({"q": state["question"]})["a"]}

    graph = StateGraph(Parent).add_node("call", call).add_edge(START, "call").compile()
    model = RunModel()
    for event in graph.stream({"question": "hi"}, stream_mode="events"):
        model.apply(event)
    assert [(p.title, p.text) for p in model.panels.values()] == [("call", ""), ("call › leaf", "{'leaf': 'hi'}\n")]
    assert model.node_states() == {"__start__": "done", "call:__start__": "done", "call:__end__": "done",
                                   "call": "done", "call:leaf": "done", "__end__": "done"}


def test_get_state_shows_private_channels_and_an_input_may_carry_managed_keys(saver: Any) -> None:
    def hide(state: Budget) -> Private:
        return {"secret": "s"}

    def read(state: Private) -> dict[str, Any]:  # registers `secret` (a return annotation would not)
        return {"log": [state["secret"]]}

    graph = (StateGraph(Budget).add_node("hide", hide).add_node("read", read).add_edge(START, "hide")
             .add_edge("hide", "read").compile(checkpointer=saver))
    assert graph.invoke({"log": ["in"], "left": 3}, thread()) == {"log": ["in", "s"]}  # `left` ignored, as LangGraph
    assert graph.get_state(thread()).values == {"log": ["in", "s"], "secret": "s"}


def test_a_graph_streamed_inside_a_node_feeds_both_the_node_and_the_parent_s_stream(mode: str) -> None:
    child = (StateGraph(Child).add_node("leaf", _leaf).add_node("shout", lambda s: {"a": s["a"] + "!"})
             .add_edge(START, "leaf").add_edge("leaf", "shout").compile())
    got: list[Any] = []

    def call(state: Parent) -> dict[str, Any]:
        got.extend(child.stream({"q": state["question"]}, stream_mode="updates"))
        return {"answer": "done"}

    async def acall(state: Parent) -> dict[str, Any]:
        got.extend([c async for c in child.astream({"q": state["question"]}, stream_mode="updates")])
        return {"answer": "done"}

    graph = (StateGraph(Parent).add_node("call", call if mode == "sync" else acall).add_edge(START, "call")
             .compile())
    chunks = run_stream(mode, graph, {"question": "hi"}, stream_mode=["custom", "values"], subgraphs=True)
    assert normalized(chunks) == [
        ((), "values", {"question": "hi"}),
        (("call:T1",), "values", {"q": "hi"}),
        (("call:T1",), "custom", {"leaf": "hi"}),
        (("call:T1",), "values", {"q": "hi", "a": "HI"}),
        (("call:T1",), "values", {"q": "hi", "a": "HI!"}),
        ((), "values", {"question": "hi", "answer": "done"}),
    ]
    assert got == [{"leaf": {"a": "HI"}}, {"shout": {"a": "HI!"}}]  # the node sees its own modes, unprefixed


def test_a_deferred_node_runs_with_pending_sends_once_no_other_node_is_pulled(mode: str) -> None:
    graph = (StateGraph(Log).add_node("split", appender("split")).add_node("w", lambda s: {"log": ["w"]})
             .add_node("finish", appender("finish"), defer=True).add_edge(START, "split").add_edge("split", "finish")
             .add_conditional_edges("split", lambda s: [Send("w", {"log": []})]).compile())
    assert run_stream(mode, graph, {"x": 0}, stream_mode="values") == [
        {"x": 0, "log": []}, {"x": 0, "log": ["split"]}, {"x": 0, "log": ["split", "finish", "w"]},
    ]


def test_an_unknown_input_key_is_still_an_error_when_a_graph_is_invoked_inside_a_node(mode: str) -> None:
    child = StateGraph(Child).add_node("leaf", _leaf).add_edge(START, "leaf").compile()

    def call(state: Parent) -> dict[str, Any]:
        return {"answer": child.invoke({"question": state["question"]})["a"]}

    async def acall(state: Parent) -> dict[str, Any]:
        return {"answer": (await child.ainvoke({"question": state["question"]}))["a"]}

    graph = (StateGraph(Parent).add_node("call", call if mode == "sync" else acall).add_edge(START, "call")
             .compile())
    with pytest.raises(InvalidUpdateError) as info:
        run_invoke(mode, graph, {"question": "hi"})
    assert str(info.value).startswith(
        "Input key(s) `question` are not in the state schema (keys: q, a); fix the key names or add them to the schema"
    )
