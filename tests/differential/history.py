"""Threads with a checkpointer, run through LangGraph's public API on whichever engine is named, and what
their history, snapshots and checkpointer calls say.

Run as `python history.py langgraph` or `python history.py livegraph`: the only difference between the two
runs is the package the names are imported from. Prints one JSON object `{scenario: output}`. Checkpoint
ids become `C1`, `C2`, ... (in order of creation), task ids `T1`, ..., interrupt ids `I1`, ..., times
`<ts>`, so the engines' outputs can be compared exactly.
"""

from __future__ import annotations

import importlib
import itertools
import json
import operator
import sys
from typing import Annotated, Any, TypedDict

# Set by `use()`
StateGraph: Any = None
START: Any = None
Command: Any = None
interrupt: Any = None
InMemorySaver: Any = None


def use(engine: str) -> None:
    global StateGraph, START, Command, interrupt, InMemorySaver
    graph = importlib.import_module(f"{engine}.graph")
    types = importlib.import_module(f"{engine}.types")
    StateGraph, START = graph.StateGraph, graph.START
    Command, interrupt = types.Command, types.interrupt
    InMemorySaver = importlib.import_module(f"{engine}.checkpoint.memory").InMemorySaver


class State(TypedDict):
    x: int
    log: Annotated[list[str], operator.add]


def logs(name: str) -> Any:
    def fn(state: Any) -> dict[str, Any]:
        return {"log": [name]}

    fn.__name__ = name
    return fn


def chain(*names: str, **compile_kw: Any) -> Any:
    builder = StateGraph(State)
    for name in names:
        builder.add_node(name, logs(name))
    builder.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    return builder.compile(checkpointer=InMemorySaver(), **compile_kw)


def thread(tid: str = "1") -> dict[str, Any]:
    return {"configurable": {"thread_id": tid}}


def task(t: Any, subgraphs: bool = False) -> dict[str, Any]:
    state = t.state
    if state is not None and not isinstance(state, dict):  # a subgraph's snapshot: what both engines keep
        state = {"values": state.values, "next": state.next, "tasks": [task(s) for s in state.tasks],
                 "source": state.metadata["source"], "checkpoint_ns": state.config["configurable"]["checkpoint_ns"]}
    return {"id": t.id, "name": t.name, "interrupts": [(i.value, i.id) for i in t.interrupts], "state": state,
            "result": t.result}


def snap(s: Any) -> dict[str, Any]:
    return {"values": s.values, "next": s.next, "config": s.config, "metadata": s.metadata,
            "created_at": s.created_at and "<ts>", "parent_config": s.parent_config,
            "tasks": [task(t) for t in s.tasks], "interrupts": [(i.value, i.id) for i in s.interrupts]}


def history(graph: Any, config: Any = None, **kw: Any) -> list[Any]:
    return [snap(s) for s in graph.get_state_history(config or thread(), **kw)]


# -- the scenarios: each returns what it observed ------------------------------------------------------------------
def chain_run() -> Any:
    graph = chain("a", "b")
    result = graph.invoke({"x": 1}, thread())
    return {"result": result, "history": history(graph), "state": snap(graph.get_state(thread()))}


def continued_thread() -> Any:
    graph = chain("a", "b")
    graph.invoke({"x": 1}, thread())
    graph.invoke({"x": 2}, thread())
    return history(graph)


def fork_from_an_earlier_checkpoint() -> Any:
    graph = chain("a", "b", "c")
    graph.invoke({"x": 1}, thread())
    after_a = next(s for s in graph.get_state_history(thread()) if s.next == ("b",))
    result = graph.invoke(None, after_a.config)
    return {"result": result, "history": history(graph), "old": snap(graph.get_state(after_a.config))}


def fork_with_a_command_update() -> Any:
    graph = chain("a", "b")
    graph.invoke({"x": 1}, thread())
    after_a = next(s for s in graph.get_state_history(thread()) if s.next == ("b",))
    result = graph.invoke(Command(update={"x": 9}), after_a.config)
    return {"result": result, "history": history(graph)}


def rerun_at_the_head() -> Any:
    graph = chain("a")
    graph.invoke({"x": 1}, thread())
    graph.invoke(None, graph.get_state(thread()).config)
    return history(graph)


def update_state_kinds() -> Any:
    graph = chain("a", "b", "c", interrupt_before=["b"])
    graph.invoke({"x": 1}, thread())
    first = graph.update_state(thread(), {"x": 5})
    second = graph.update_state(thread(), {"log": ["b by hand"]}, as_node="b")
    result = graph.invoke(None, thread())
    return {"configs": [first, second], "result": result, "history": history(graph)}


def update_state_at_an_earlier_checkpoint() -> Any:
    graph = chain("a", "b")
    graph.invoke({"x": 1}, thread())
    before_a = next(s for s in graph.get_state_history(thread()) if s.next == ("a",))
    fork = graph.update_state(before_a.config, {"x": 100})
    result = graph.invoke(None, fork)
    return {"result": result, "history": history(graph)}


def interrupted_and_resumed() -> Any:
    def ask(state: State) -> dict[str, Any]:
        return {"log": [interrupt({"q": state["x"]})]}

    graph = (StateGraph(State).add_node("a", logs("a")).add_node("ask", ask).add_edge(START, "a")
             .add_edge("a", "ask").compile(checkpointer=InMemorySaver()))
    first = graph.invoke({"x": 1}, thread())
    waiting = snap(graph.get_state(thread()))
    result = graph.invoke(Command(resume="yes"), thread())
    return {"first": first, "waiting": waiting, "result": result, "history": history(graph)}


def interrupted_subgraph() -> Any:
    def ask(state: State) -> dict[str, Any]:
        return {"log": [interrupt("inner?")]}

    sub = (StateGraph(State).add_node("pre", logs("pre")).add_node("ask", ask).add_edge(START, "pre")
           .add_edge("pre", "ask").compile())
    graph = (StateGraph(State).add_node("sub", sub).add_node("after", logs("after")).add_edge(START, "sub")
             .add_edge("sub", "after").compile(checkpointer=InMemorySaver()))
    graph.invoke({"x": 1}, thread())
    plain = graph.get_state(thread())
    deep = graph.get_state(thread(), subgraphs=True)
    sub_config = plain.tasks[0].state
    result = graph.invoke(Command(resume="fine"), thread())
    return {"plain": snap(plain), "deep": snap(deep), "sub_config": sub_config, "result": result}


def unknown_checkpoint_and_thread() -> Any:
    graph = chain("a")
    graph.invoke({"x": 1}, thread())
    return [snap(graph.get_state({"configurable": {"thread_id": "1", "checkpoint_id": "nope"}})),
            snap(graph.get_state(thread("other"))), history(graph, thread("other"))]


def run_metadata() -> Any:
    graph = chain("a")
    graph.invoke({"x": 1}, {**thread(), "metadata": {"user": "ada", "n": 3}})
    return [s["metadata"] for s in history(graph)]


def history_filter_before_limit() -> Any:
    graph = chain("a", "b", "c")
    graph.invoke({"x": 1}, thread())
    every = list(graph.get_state_history(thread()))
    return {
        "loops": [s.metadata["step"] for s in graph.get_state_history(thread(), filter={"source": "loop"})],
        "before": [s.metadata["step"] for s in graph.get_state_history(thread(), before=every[1].config)],
        "limit": [s.metadata["step"] for s in graph.get_state_history(thread(), before=every[1].config, limit=2)],
    }


def checkpoints_stream() -> Any:
    graph = chain("a", "b")
    return list(graph.stream({"x": 1}, thread(), stream_mode=["values", "checkpoints"]))


def saver_calls() -> Any:
    def ask(state: State) -> dict[str, Any]:
        return {"log": [interrupt("?")]}

    saver = InMemorySaver()
    graph = (StateGraph(State).add_node("a", logs("a")).add_node("ask", ask).add_edge(START, "a")
             .add_edge(START, "ask").compile(checkpointer=saver))
    graph.invoke({"x": 1}, thread())
    head = saver.get_tuple(thread())
    listed = list(saver.list(thread(), filter={"source": "loop"}))
    return {
        "config": head.config, "metadata": head.metadata, "parent_config": head.parent_config,
        "values": head.checkpoint["channel_values"], "id": head.checkpoint["id"],
        "pending_writes": sorted(head.pending_writes, key=lambda w: w[1]),
        "listed": [(t.config, t.metadata) for t in listed],
        "before": [t.metadata["step"] for t in saver.list(thread(), before=head.config, limit=1)],
        "none": saver.get_tuple({"configurable": {"thread_id": "none"}}),
    }


SCENARIOS = {f.__name__: f for f in (
    chain_run, continued_thread, fork_from_an_earlier_checkpoint, fork_with_a_command_update, rerun_at_the_head,
    update_state_kinds,
    update_state_at_an_earlier_checkpoint, interrupted_and_resumed, interrupted_subgraph,
    unknown_checkpoint_and_thread, run_metadata, history_filter_before_limit, checkpoints_stream, saver_calls,
)}


def normalize(value: Any, ids: dict[str, str]) -> Any:
    """JSON-able; every checkpoint, task and interrupt id labelled in order of appearance."""

    def label(s: str) -> str:
        if s not in ids:
            ids[s] = f"ID{len(ids) + 1}"
        return ids[s]

    def walk(v: Any, key: str = "") -> Any:
        if isinstance(v, str) and key in ("checkpoint_id", "id", "checkpoint_ns") and v:
            if key == "checkpoint_ns":
                name, _, tid = v.partition(":")
                return f"{name}:{label(tid)}" if tid else v
            return label(v)
        if isinstance(v, dict):
            if key == "parents":
                return {k: label(x) if isinstance(x, str) else x for k, x in v.items()}
            return {str(k): walk(x, str(k)) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            if key == "interrupts":
                return [[walk(i[0]), label(i[1])] for i in v]
            if key == "pending_writes":
                return [[label(w[0]), w[1], walk(w[2])] for w in v]
            out = [walk(x) for x in v]
            return out if isinstance(v, list) else {"()": out}
        if hasattr(v, "value") and hasattr(v, "id"):  # an Interrupt inside pending writes
            return {"interrupt": walk(v.value), "id": label(v.id)}
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        return {"repr": repr(v)}

    return walk(value)


if __name__ == "__main__":
    use(sys.argv[1])
    out = {}
    for name, scenario in SCENARIOS.items():
        try:
            out[name] = normalize(scenario(), {})
        except Exception as exc:  # the scenario's outcome is the error's class
            out[name] = {"raised": type(exc).__name__, "message": str(exc)}
    print(json.dumps(out, indent=1))
