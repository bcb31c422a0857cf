"""Human in the loop: `interrupt()` and `Command(resume=...)`, `interrupt_before` / `interrupt_after`, and
the `__interrupt__` entry in what a run returns and streams. Over both savers and both drivers."""

from __future__ import annotations

import threading
from typing import Any, TypedDict

import pytest

from checkpoint_helpers import (  # noqa: F401
    Log,
    appender,
    chain,
    cid,
    saver_factory_fixture,
    saver_fixture,
    saver_kind_fixture,
    thread,
)
from engine_helpers import kind_fixture, mode_fixture, node, run_invoke, run_stream  # noqa: F401
from livegraph import (
    START,
    CheckpointError,
    Command,
    Interrupt,
    Send,
    StateGraph,
    get_stream_writer,
    interrupt,
)


class X(TypedDict):
    """A subgraph's own state: it shares only `x` with `Log`."""

    x: int


class Calls:
    """Counts how often each node ran (nodes may run on threads)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, name: str) -> None:
        with self._lock:
            self.names.append(name)


def asking(name: str, calls: Calls, *questions: str) -> Any:
    """A node that asks each question in turn, then appends the answers to `log`."""

    def fn(state: Log) -> dict[str, Any]:
        calls(name)
        return {"log": [interrupt(q) for q in questions]}

    fn.__name__ = name
    return fn


def counted(name: str, calls: Calls) -> Any:
    def fn(state: Log) -> dict[str, Any]:
        calls(name)
        return {"log": [name]}

    fn.__name__ = name
    return fn


def test_interrupt_stops_the_run_and_command_resume_answers_it(mode: str, kind: str, saver: Any) -> None:
    calls = Calls()
    graph = (StateGraph(Log).add_node("a", node(kind, counted("a", calls)))
             .add_node("ask", node(kind, asking("ask", calls, "ok?")))
             .add_node("after", node(kind, counted("after", calls))).add_edge(START, "a").add_edge("a", "ask")
             .add_edge("ask", "after").compile(checkpointer=saver))
    result = run_invoke(mode, graph, {"x": 1}, thread())
    state = graph.get_state(thread())
    (asked,) = state.interrupts
    assert result == {"x": 1, "log": ["a"], "__interrupt__": [Interrupt(value="ok?", id=asked.id)]}
    assert len(asked.id) == 32
    assert (state.values, state.next, [t.interrupts for t in state.tasks]) == (
        {"x": 1, "log": ["a"]}, ("ask",), [(asked,)])
    assert state.metadata["step"] == 1  # the interrupted step has no checkpoint of its own

    assert run_invoke(mode, graph, Command(resume="yes"), thread()) == {"x": 1, "log": ["a", "yes", "after"]}
    assert calls.names == ["a", "ask", "ask", "after"]
    state = graph.get_state(thread())
    assert (state.next, state.interrupts, state.metadata["step"]) == ((), (), 3)


def test_an_interrupt_in_a_live_stream_stops_it_and_resumes(mode: str, saver: Any) -> None:
    def ask(state: Log) -> dict[str, Any]:
        get_stream_writer()("asking")
        return {"log": [interrupt("ok?")]}

    graph = StateGraph(Log).add_node("ask", ask).add_edge(START, "ask").compile(checkpointer=saver)
    chunks = run_stream(mode, graph, {"x": 1}, thread(), stream_mode=["custom", "updates"])
    (asked,) = graph.get_state(thread()).interrupts
    assert chunks == [("custom", "asking"), ("updates", {"__interrupt__": (asked,)})]
    assert run_stream(mode, graph, Command(resume="y"), thread(), stream_mode=["custom", "updates"]) == [
        ("custom", "asking"), ("updates", {"ask": {"log": ["y"]}}),
    ]


def test_two_interrupts_in_one_node_are_answered_in_order(mode: str, saver: Any) -> None:
    calls = Calls()
    graph = (StateGraph(Log).add_node("ask", asking("ask", calls, "first?", "second?")).add_edge(START, "ask")
             .compile(checkpointer=saver))
    first = run_invoke(mode, graph, {"x": 1}, thread())["__interrupt__"]
    assert [i.value for i in first] == ["first?"]
    second = run_invoke(mode, graph, Command(resume="A"), thread())["__interrupt__"]
    assert [i.value for i in second] == ["second?"]
    assert second[0].id != first[0].id
    assert graph.get_state(thread()).interrupts == tuple(second)
    assert run_invoke(mode, graph, Command(resume="B"), thread()) == {"x": 1, "log": ["A", "B"]}
    assert calls.names == ["ask", "ask", "ask"]


def test_a_parallel_task_s_writes_are_kept_and_it_does_not_run_again(mode: str, kind: str, saver: Any) -> None:
    calls = Calls()
    graph = (StateGraph(Log).add_node("ask", node(kind, asking("ask", calls, "ok?")))
             .add_node("work", node(kind, counted("work", calls))).add_node("next", node(kind, counted("next", calls))).add_edge(START, "ask").add_edge(START, "work")
             .add_edge("work", "next").compile(checkpointer=saver))
    run_invoke(mode, graph, {"x": 1}, thread())
    state = graph.get_state(thread())
    assert (state.values, state.next) == ({"x": 1, "log": []}, ("ask", "work"))
    assert run_invoke(mode, graph, Command(resume="yes"), thread()) == {"x": 1, "log": ["yes", "work", "next"]}
    assert sorted(calls.names[:2]) == ["ask", "work"]
    assert calls.names[2:] == ["ask", "next"]


def test_sent_tasks_where_one_interrupts_resume_without_running_the_others_again(mode: str, saver: Any) -> None:
    calls = Calls()

    def fan_out(state: Log) -> list[Send]:
        return [Send("item", {"x": i, "log": []}) for i in range(3)]

    def item(state: Log) -> dict[str, Any]:
        calls(f"item{state['x']}")
        answer = interrupt(f"item {state['x']}?") if state["x"] == 1 else "auto"
        return {"log": [f"{state['x']}:{answer}"]}

    builder = StateGraph(Log).add_node("start", counted("start", calls)).add_node("item", item)
    graph = (builder.add_edge(START, "start").add_conditional_edges("start", fan_out, ["item"])
             .compile(checkpointer=saver))
    result = run_invoke(mode, graph, {"x": 9}, thread())
    assert [i.value for i in result["__interrupt__"]] == ["item 1?"]
    state = graph.get_state(thread())
    assert (state.values, state.next) == ({"x": 9, "log": ["start"]}, ("item", "item", "item"))
    assert run_invoke(mode, graph, Command(resume="yes"), thread()) == {
        "x": 9, "log": ["start", "0:auto", "1:yes", "2:auto"]}
    assert calls.names[0] == "start"
    assert sorted(calls.names[1:4]) == ["item0", "item1", "item2"]
    assert calls.names[4:] == ["item1"]


def test_the_kept_writes_survive_a_new_saver_on_the_same_file(mode: str, saver_factory: Any) -> None:
    calls = Calls()

    def build(saver: Any) -> Any:
        return (StateGraph(Log).add_node("ask", asking("ask", calls, "ok?")).add_node("work", counted("work", calls))
                .add_edge(START, "ask").add_edge(START, "work").compile(checkpointer=saver))

    run_invoke(mode, build(saver_factory()), {"x": 1}, thread())
    assert run_invoke(mode, build(saver_factory()), Command(resume="y"), thread()) == {"x": 1, "log": ["y", "work"]}
    assert sorted(calls.names) == ["ask", "ask", "work"]


def test_updates_and_values_carry_the_interrupt_entry(mode: str, saver: Any) -> None:
    graph = (StateGraph(Log).add_node("a", appender("a")).add_node("ask", asking("ask", Calls(), "ok?"))
             .add_edge(START, "a").add_edge("a", "ask").compile(checkpointer=saver))
    chunks = run_stream(mode, graph, {"x": 1}, thread(), stream_mode="updates")
    (asked,) = graph.get_state(thread()).interrupts
    assert chunks == [{"a": {"log": ["a"]}}, {"__interrupt__": (asked,)}]
    assert run_stream(mode, graph, Command(resume="R"), thread(), stream_mode="updates") == [{"ask": {"log": ["R"]}}]

    chunks = run_stream(mode, graph, {"x": 1}, thread("v"), stream_mode="values")
    (asked,) = graph.get_state(thread("v")).interrupts
    assert chunks[:2] == [{"x": 1, "log": []}, {"x": 1, "log": ["a"]}]
    assert chunks[2]["__interrupt__"] == (asked,)


def test_values_mode_around_an_interrupt_is_as_langgraph_streams_it(mode: str, saver: Any) -> None:
    graph = (StateGraph(Log).add_node("a", appender("a")).add_node("ask", asking("ask", Calls(), "ok?"))
             .add_edge(START, "a").add_edge("a", "ask").compile(checkpointer=saver))
    chunks = run_stream(mode, graph, {"x": 1}, thread(), stream_mode="values")
    (asked,) = graph.get_state(thread()).interrupts
    assert chunks == [{"x": 1, "log": []}, {"x": 1, "log": ["a"]}, {"x": 1, "log": ["a"], "__interrupt__": (asked,)}]
    assert run_stream(mode, graph, Command(resume="R"), thread(), stream_mode="values") == [
        {"x": 1, "log": ["a"]}, {"x": 1, "log": ["a", "R"]},
    ]


def test_an_interrupt_inside_a_subgraph_stops_and_resumes_the_parent(mode: str, saver: Any) -> None:
    calls = Calls()

    def sub_ask(state: X) -> dict[str, Any]:
        calls("sub-ask")
        return {"x": state["x"] + len(interrupt("sub?"))}

    sub = StateGraph(X).add_node("ask", sub_ask).add_edge(START, "ask").compile()
    graph = (StateGraph(Log).add_node("pre", counted("pre", calls)).add_node("sub", sub)
             .add_node("post", counted("post", calls)).add_edge(START, "pre").add_edge("pre", "sub")
             .add_edge("sub", "post").compile(checkpointer=saver))
    result = run_invoke(mode, graph, {"x": 1}, thread())
    state = graph.get_state(thread())
    assert result == {"x": 1, "log": ["pre"], "__interrupt__": list(state.interrupts)}
    assert [i.value for i in state.interrupts] == ["sub?"]
    assert state.next == ("sub",)
    assert run_invoke(mode, graph, Command(resume="four"), thread()) == {"x": 5, "log": ["pre", "post"]}
    assert calls.names == ["pre", "sub-ask", "sub-ask", "post"]


def test_a_subgraph_s_finished_nodes_do_not_run_again_on_resume(mode: str, saver: Any) -> None:
    calls = Calls()
    def first(state: X) -> dict[str, Any]:
        calls("sub-first")
        return {"x": state["x"] * 10}

    def ask(state: X) -> dict[str, Any]:
        calls("sub-ask")
        return {"x": state["x"] + len(interrupt("sub?"))}

    sub = (StateGraph(X).add_node("first", first).add_node("ask", ask).add_edge(START, "first")
           .add_edge("first", "ask").compile())
    graph = StateGraph(Log).add_node("sub", sub).add_edge(START, "sub").compile(checkpointer=saver)
    run_invoke(mode, graph, {"x": 1}, thread())
    assert run_invoke(mode, graph, Command(resume="four"), thread()) == {"x": 14, "log": []}
    assert calls.names == ["sub-first", "sub-ask", "sub-ask"]  # as LangGraph


def test_an_interrupt_can_be_answered_again_from_its_checkpoint(mode: str, saver: Any) -> None:
    calls = Calls()
    graph = (StateGraph(Log).add_node("ask", asking("ask", calls, "ok?")).add_edge(START, "ask")
             .compile(checkpointer=saver))
    run_invoke(mode, graph, {"x": 1}, thread())
    asked = graph.get_state(thread())
    assert run_invoke(mode, graph, Command(resume="first"), thread()) == {"x": 1, "log": ["first"]}
    before = list(graph.get_state_history(thread()))
    # time travel: answer the same question differently, from the checkpoint where it was asked
    assert run_invoke(mode, graph, Command(resume="second"), asked.config) == {"x": 1, "log": ["second"]}
    history = list(graph.get_state_history(thread()))
    assert history[1:] == before
    assert (history[0].values, cid(history[0].parent_config)) == ({"x": 1, "log": ["second"]}, cid(asked))
    assert graph.get_state(asked.config).interrupts == asked.interrupts


def test_two_interrupted_tasks_are_answered_by_interrupt_id(mode: str, saver: Any) -> None:
    calls = Calls()
    graph = (StateGraph(Log).add_node("q1", asking("q1", calls, "one?")).add_node("q2", asking("q2", calls, "two?"))
             .add_edge(START, "q1").add_edge(START, "q2").compile(checkpointer=saver))
    result = run_invoke(mode, graph, {"x": 1}, thread())
    one, two = graph.get_state(thread()).interrupts
    assert result == {"x": 1, "log": [], "__interrupt__": [one, two]}
    assert (one.value, two.value) == ("one?", "two?")

    with pytest.raises(CheckpointError) as info:
        run_invoke(mode, graph, Command(resume="same for both"), thread())
    assert str(info.value) == (
        f"Thread `1` has 2 interrupts waiting; answer them by id with `Command(resume={{interrupt_id: value, "
        f"...}})` (ids: {one.id!r}, {two.id!r})"
    )
    assert graph.get_state(thread()).interrupts == (one, two)  # nothing was changed

    assert run_invoke(mode, graph, Command(resume={two.id: "B", one.id: "A"}), thread()) == {"x": 1, "log": ["A", "B"]}


def test_answering_one_of_two_interrupts_keeps_the_other_waiting(mode: str, saver: Any) -> None:
    calls = Calls()
    graph = (StateGraph(Log).add_node("q1", asking("q1", calls, "one?")).add_node("q2", asking("q2", calls, "two?"))
             .add_edge(START, "q1").add_edge(START, "q2").compile(checkpointer=saver))
    run_invoke(mode, graph, {"x": 1}, thread())
    one, two = graph.get_state(thread()).interrupts
    assert run_invoke(mode, graph, Command(resume={two.id: "B"}), thread()) == {
        "x": 1, "log": [], "__interrupt__": [one]}
    assert run_invoke(mode, graph, Command(resume="A"), thread()) == {"x": 1, "log": ["A", "B"]}
    assert sorted(calls.names) == ["q1", "q1", "q1", "q2", "q2"]


def test_resume_on_a_thread_that_is_not_waiting_says_how_to_continue(mode: str, saver: Any) -> None:
    graph = chain("a", checkpointer=saver)
    run_invoke(mode, graph, {"x": 1}, thread())
    with pytest.raises(CheckpointError) as info:
        run_invoke(mode, graph, Command(resume="x"), thread())
    assert str(info.value) == (
        "Thread `1` is not waiting at an interrupt, so Command(resume=...) has nothing to answer; continue it "
        "with `graph.invoke(None, config)` or start it with an input"
    )


def test_command_resume_with_update_changes_the_state_first(mode: str, saver: Any) -> None:
    seen: list[int] = []

    def ask(state: Log) -> dict[str, Any]:
        seen.append(state["x"])
        return {"log": [interrupt("ok?")]}

    graph = StateGraph(Log).add_node("ask", ask).add_edge(START, "ask").compile(checkpointer=saver)
    run_invoke(mode, graph, {"x": 1}, thread())
    assert run_invoke(mode, graph, Command(resume="y", update={"x": 2}), thread()) == {"x": 2, "log": ["y"]}
    assert seen == [1, 2]


def test_interrupt_without_a_checkpointer_says_what_to_pass(mode: str) -> None:
    graph = StateGraph(Log).add_node("ask", asking("ask", Calls(), "ok?")).add_edge(START, "ask").compile()
    with pytest.raises(CheckpointError) as info:
        run_invoke(mode, graph, {"x": 1})
    assert str(info.value) == (
        "interrupt() needs a checkpointer to resume from: compile the graph with `checkpointer=InMemorySaver()` "
        "(or SqliteSaver) and run it with `config={'configurable': {'thread_id': '1'}}`"
    )


def test_interrupt_outside_a_graph_says_where_to_call_it() -> None:
    with pytest.raises(RuntimeError) as info:
        interrupt("?")
    assert str(info.value) == "interrupt() was called outside a running graph; call it inside a node"


# -- interrupt_before / interrupt_after ---------------------------------------------------------------------------
@pytest.mark.parametrize("at", ["compile", "call"])
def test_interrupt_before_stops_before_the_node_and_resuming_runs_it(mode: str, saver: Any, at: str) -> None:
    kw = {"interrupt_before": ["b"]}
    graph = chain("a", "b", "c", checkpointer=saver, **(kw if at == "compile" else {}))
    call_kw = kw if at == "call" else {}
    assert run_stream(mode, graph, {"x": 1}, thread(), stream_mode="updates", **call_kw) == [
        {"a": {"log": ["a"]}}, {"__interrupt__": ()},
    ]
    state = graph.get_state(thread())
    assert (state.values, state.next, state.interrupts) == ({"x": 1, "log": ["a"]}, ("b",), ())
    assert run_invoke(mode, graph, None, thread(), **call_kw) == {"x": 1, "log": ["a", "b", "c"]}


def test_interrupt_before_streams_its_entry_in_updates_only(mode: str, saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver, interrupt_before=["b"])
    assert run_stream(mode, graph, {"x": 1}, thread(), stream_mode=["values", "updates"]) == [
        ("values", {"x": 1, "log": []}), ("updates", {"a": {"log": ["a"]}}), ("values", {"x": 1, "log": ["a"]}),
        ("updates", {"__interrupt__": ()}),
    ]


@pytest.mark.parametrize("at", ["compile", "call"])
def test_interrupt_after_stops_after_the_node(mode: str, saver: Any, at: str) -> None:
    kw = {"interrupt_after": ["a"]}
    graph = chain("a", "b", checkpointer=saver, **(kw if at == "compile" else {}))
    call_kw = kw if at == "call" else {}
    assert run_invoke(mode, graph, {"x": 1}, thread(), **call_kw) == {"x": 1, "log": ["a"]}
    state = graph.get_state(thread())
    assert (state.next, state.metadata["step"]) == (("b",), 1)
    assert run_stream(mode, graph, None, thread(), stream_mode="updates", **call_kw) == [{"b": {"log": ["b"]}}]


def test_interrupt_before_every_node_with_a_star(mode: str, saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver, interrupt_before="*")
    stops = []
    result = run_invoke(mode, graph, {"x": 1}, thread())
    while graph.get_state(thread()).next:
        stops.append(graph.get_state(thread()).next)
        result = run_invoke(mode, graph, None, thread())
    assert stops == [("a",), ("b",)]
    assert result == {"x": 1, "log": ["a", "b"]}


def test_interrupt_before_without_a_checkpointer_says_what_to_pass(mode: str) -> None:
    with pytest.raises(CheckpointError) as info:
        run_invoke(mode, chain("a"), {"x": 1}, interrupt_before=["a"])
    assert str(info.value) == (
        "interrupt_before / interrupt_after need a checkpointer to resume from: "
        "compile(checkpointer=InMemorySaver()) and pass a thread_id"
    )


def test_a_subgraph_in_a_subgraph_resumes_at_each_of_its_interrupts_in_turn(mode: str, saver: Any) -> None:
    calls = Calls()

    def first(state: X) -> dict[str, Any]:
        calls("first")
        return {"x": state["x"] * 10}

    def asker(name: str) -> Any:
        def ask(state: X) -> dict[str, Any]:
            calls(name)
            return {"x": state["x"] + len(interrupt(f"{name}?"))}

        ask.__name__ = name
        return ask

    inner = (StateGraph(X).add_node("first", first).add_node("ask1", asker("ask1"))
             .add_node("ask2", asker("ask2")).add_edge(START, "first").add_edge("first", "ask1")
             .add_edge("ask1", "ask2").compile())
    middle = StateGraph(X).add_node("inner", inner).add_edge(START, "inner").compile()
    graph = StateGraph(Log).add_node("middle", middle).add_edge(START, "middle").compile(checkpointer=saver)
    first_stop = run_invoke(mode, graph, {"x": 1}, thread())
    assert [i.value for i in first_stop["__interrupt__"]] == ["ask1?"]
    second_stop = run_invoke(mode, graph, Command(resume="ab"), thread())
    assert [i.value for i in second_stop["__interrupt__"]] == ["ask2?"]
    assert run_invoke(mode, graph, Command(resume="abc"), thread()) == {"x": 15, "log": []}
    assert calls.names == ["first", "ask1", "ask1", "ask2", "ask2"]
