"""Checkpointers in a run: a checkpoint after every superstep, continuing a thread, `get_state`,
`get_state_history`, `update_state`, time travel, the `checkpoints` / `debug` stream modes, and the
storage format. Every test runs over `InMemorySaver` and `SqliteSaver` on a real file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any, TypedDict

import pytest

from checkpoint_helpers import (  # noqa: F401
    Log,
    appender,
    assert_linked,
    brief,
    chain,
    cid,
    saver_factory_fixture,
    saver_fixture,
    saver_kind_fixture,
    thread,
)
from engine_helpers import mode_fixture, run_invoke, run_stream  # noqa: F401
from livegraph import END, START, CheckpointError, Command, Interrupt, MessageChunk, Send, StateGraph
from livegraph.checkpoint import register
from livegraph.checkpoint.sqlite import SqliteSaver


# -- a checkpoint after every superstep -------------------------------------------------------------------------
def test_a_checkpoint_is_saved_after_the_input_and_after_every_superstep(mode: str, saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver)
    assert run_invoke(mode, graph, {"x": 1}, thread()) == {"x": 1, "log": ["a", "b"]}

    history = list(graph.get_state_history(thread()))
    # As LangGraph lays it out: the input's own checkpoint (before it is applied) at step -1, then one
    # after the input and one after every superstep; each task's result is on the checkpoint it ran from.
    assert brief(history) == [
        (2, "loop", (), {"x": 1, "log": ["a", "b"]}),
        (1, "loop", ("b",), {"x": 1, "log": ["a"]}),
        (0, "loop", ("a",), {"x": 1, "log": []}),
        (-1, "input", ("__start__",), {"log": []}),
    ]
    assert [s.metadata for s in history] == [
        {"source": "loop", "step": 2, "parents": {}}, {"source": "loop", "step": 1, "parents": {}},
        {"source": "loop", "step": 0, "parents": {}}, {"source": "input", "step": -1, "parents": {}},
    ]
    assert [[(t.name, t.result) for t in s.tasks] for s in history] == [
        [], [("b", {"log": ["b"]})], [("a", {"log": ["a"]})], [("__start__", {"x": 1})],
    ]
    assert_linked(history)
    assert [s.config["configurable"]["thread_id"] for s in history] == ["1", "1", "1", "1"]
    assert [s.config["configurable"]["checkpoint_ns"] for s in history] == ["", "", "", ""]
    assert len({cid(s) for s in history}) == 4
    assert sorted(cid(s) for s in history) == [cid(s) for s in reversed(history)]  # ids sort by creation
    assert [s.interrupts for s in history] == [(), (), (), ()]


def test_get_state_is_the_newest_checkpoint_and_history_takes_a_limit(saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver)
    graph.invoke({"x": 1}, thread())
    state = graph.get_state(thread())
    history = list(graph.get_state_history(thread()))
    assert state == history[0]
    assert (state.values, state.next, state.metadata["step"]) == ({"x": 1, "log": ["a", "b"]}, (), 2)
    assert list(graph.get_state_history(thread(), limit=2)) == history[:2]
    dt.datetime.fromisoformat(state.created_at)  # ISO-8601


def test_get_state_of_a_new_thread_is_empty(saver: Any) -> None:
    graph = chain("a", checkpointer=saver)
    state = graph.get_state(thread("new"))
    assert (state.values, state.next, state.metadata, state.parent_config, state.tasks) == ({}, (), None, None, ())
    assert list(graph.get_state_history(thread("new"))) == []


def test_invoking_again_on_a_thread_continues_from_its_state(mode: str, saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver)
    run_invoke(mode, graph, {"x": 1}, thread())
    assert run_invoke(mode, graph, {"x": 2}, thread()) == {"x": 2, "log": ["a", "b", "a", "b"]}
    # another thread on the same saver starts from nothing
    assert run_invoke(mode, graph, {"x": 3}, thread("2")) == {"x": 3, "log": ["a", "b"]}
    history = list(graph.get_state_history(thread()))
    assert [(s.metadata["source"], s.next, s.values) for s in history] == [
        ("loop", (), {"x": 2, "log": ["a", "b", "a", "b"]}),
        ("loop", ("b",), {"x": 2, "log": ["a", "b", "a"]}),
        ("loop", ("a",), {"x": 2, "log": ["a", "b"]}),
        ("input", ("__start__",), {"x": 1, "log": ["a", "b"]}),
        ("loop", (), {"x": 1, "log": ["a", "b"]}),
        ("loop", ("b",), {"x": 1, "log": ["a"]}),
        ("loop", ("a",), {"x": 1, "log": []}),
        ("input", ("__start__",), {"log": []}),
    ]
    assert_linked(history)


def test_the_steps_of_a_continued_thread_keep_increasing(saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver)
    graph.invoke({"x": 1}, thread())
    graph.invoke({"x": 2}, thread())
    assert [s.metadata["step"] for s in graph.get_state_history(thread())] == [6, 5, 4, 3, 2, 1, 0, -1]


def test_the_recursion_limit_counts_the_steps_of_this_run_only(saver: Any) -> None:
    graph = chain(*(f"n{i}" for i in range(10)), checkpointer=saver)
    for _ in range(3):  # 30 steps on one thread, 10 per run, under the default limit of 25
        assert graph.invoke({"x": 0}, thread())["x"] == 0
    assert len(graph.get_state(thread()).values["log"]) == 30  # pragma: no cover


def test_a_graph_without_nodes_after_start_saves_just_the_input(saver: Any) -> None:
    graph = chain("a", checkpointer=saver)
    graph.invoke({"x": 1}, thread())
    assert graph.invoke(None, thread()) == {"x": 1, "log": ["a"]}  # nothing left to run
    assert len(list(graph.get_state_history(thread()))) == 3


class Items(TypedDict):
    x: int
    items: list[str]


def test_changing_state_in_place_never_changes_saved_history(mode: str, saver: Any) -> None:
    def mutate(state: Items) -> dict[str, Any]:
        state["items"].append(f"in place {state['x']}")  # a node that changes its input (a common mistake)
        return {"x": state["x"] + 1}

    graph = StateGraph(Items).add_node("m", mutate).add_edge(START, "m").compile(checkpointer=saver)
    run_invoke(mode, graph, {"x": 0, "items": []}, thread())
    saved = [s.values for s in graph.get_state_history(thread())]
    assert saved == [{"x": 1, "items": ["in place 0"]}, {"x": 0, "items": []}, {}]
    run_invoke(mode, graph, {"x": 10}, thread())  # loads the thread, then changes the loaded list in place
    graph.get_state(thread()).values["items"].append("by a caller")
    assert [s.values for s in graph.get_state_history(thread())] == [
        {"x": 11, "items": ["in place 0", "in place 10"]}, {"x": 10, "items": ["in place 0"]},
        {"x": 1, "items": ["in place 0"]}, *saved,
    ]


@dataclasses.dataclass
class Counter:
    x: int = 0


def test_an_instance_of_the_state_schema_as_input_is_saved_by_its_keys(mode: str, saver: Any) -> None:
    graph = (StateGraph(Counter).add_node("inc", lambda s: {"x": s.x + 1}).add_edge(START, "inc")
             .compile(checkpointer=saver))
    assert run_invoke(mode, graph, Counter(x=1), thread()) == {"x": 2}
    assert [([t.result for t in s.tasks], s.values) for s in graph.get_state_history(thread())] == [
        ([], {"x": 2}), ([{"x": 2}], {"x": 1}), ([{"x": 1}], {}),
    ]


# -- update_state ------------------------------------------------------------------------------------------------
def test_update_state_without_as_node_keeps_what_runs_next(mode: str, saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver, interrupt_before=["b"])
    run_invoke(mode, graph, {"x": 1}, thread())
    config = graph.update_state(thread(), {"x": 5, "log": ["edit"]})
    state = graph.get_state(thread())
    assert config == state.config == {"configurable": {"thread_id": "1", "checkpoint_ns": "",
                                                      "checkpoint_id": cid(state)}}
    assert (state.values, state.next, state.metadata) == (
        {"x": 5, "log": ["a", "edit"]}, ("b",),
        {"source": "update", "step": 2, "parents": {}},
    )
    assert_linked(list(graph.get_state_history(thread())))


def test_resuming_after_update_state_at_an_interrupt_before_runs_the_node(mode: str, saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver, interrupt_before=["b"])
    run_invoke(mode, graph, {"x": 1}, thread())
    graph.update_state(thread(), {"x": 5})
    assert run_invoke(mode, graph, None, thread()) == {"x": 5, "log": ["a", "b"]}


def test_update_state_as_a_node_runs_what_follows_that_node(mode: str, saver: Any) -> None:
    graph = chain("a", "b", "c", checkpointer=saver, interrupt_before=["b"])
    run_invoke(mode, graph, {"x": 1}, thread())
    assert graph.get_state(thread()).next == ("b",)
    graph.update_state(thread(), {"log": ["b by hand"]}, as_node="b")
    state = graph.get_state(thread())
    assert (state.values, state.next, state.metadata) == (
        {"x": 1, "log": ["a", "b by hand"]}, ("c",),
        {"source": "update", "step": 2, "parents": {}},
    )
    assert run_invoke(mode, graph, None, thread()) == {"x": 1, "log": ["a", "b by hand", "c"]}


def test_update_state_as_a_node_follows_its_conditional_edges(saver: Any) -> None:
    builder = StateGraph(Log).add_node("a", appender("a")).add_node("big", appender("big"))
    builder.add_node("small", appender("small")).add_edge(START, "a")
    builder.add_conditional_edges("a", lambda s: "big" if s["x"] > 10 else "small", ["big", "small"])
    graph = builder.compile(checkpointer=saver, interrupt_after=["a"])
    graph.invoke({"x": 1}, thread())
    assert graph.get_state(thread()).next == ("small",)
    graph.update_state(thread(), {"x": 50}, as_node="a")
    assert graph.get_state(thread()).next == ("big",)
    assert graph.invoke(None, thread()) == {"x": 50, "log": ["a", "big"]}


def test_update_state_on_a_new_thread_starts_it(saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver)
    graph.update_state(thread(), {"x": 7}, as_node="a")
    state = graph.get_state(thread())
    assert (state.values, state.next, state.metadata["step"], state.parent_config) == (
        {"x": 7, "log": []}, ("b",), 0, None)
    assert graph.invoke(None, thread()) == {"x": 7, "log": ["b"]}


def test_update_state_as_an_unknown_node_names_the_nodes(saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver)
    graph.invoke({"x": 1}, thread())
    with pytest.raises(ValueError) as info:
        graph.update_state(thread(), {"x": 2}, as_node="nope")
    assert str(info.value) == "update_state(as_node='nope'): no such node; use one of a, b"


# -- time travel ---------------------------------------------------------------------------------------------------
def test_resuming_from_an_earlier_checkpoint_forks_and_keeps_the_old_history(mode: str, saver: Any) -> None:
    graph = chain("a", "b", "c", checkpointer=saver)
    run_invoke(mode, graph, {"x": 1}, thread())
    old = list(graph.get_state_history(thread()))
    after_a = old[2]
    assert (after_a.metadata["step"], after_a.next) == (1, ("b",))

    assert run_invoke(mode, graph, None, after_a.config) == {"x": 1, "log": ["a", "b", "c"]}
    history = list(graph.get_state_history(thread()))
    assert history[3:] == old  # the old history is untouched
    assert brief(history[:3]) == [  # as LangGraph: a `fork` copy of the chosen checkpoint starts the branch
        (4, "loop", (), {"x": 1, "log": ["a", "b", "c"]}),
        (3, "loop", ("c",), {"x": 1, "log": ["a", "b"]}),
        (2, "fork", ("b",), {"x": 1, "log": ["a"]}),
    ]
    assert cid(history[2].parent_config) == cid(after_a)  # the fork hangs off the chosen checkpoint
    assert_linked([*history[:3], after_a, *old[3:]])
    # the thread's state is now the fork's end; the old ones stay readable by id
    assert cid(graph.get_state(thread())) == cid(history[0])
    assert graph.get_state(old[1].config) == old[1]


def test_update_state_at_an_earlier_checkpoint_forks_from_it(mode: str, saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver)
    run_invoke(mode, graph, {"x": 1}, thread())
    old = list(graph.get_state_history(thread()))
    first = old[-2]  # after the input, `a` next
    fork = graph.update_state(first.config, {"x": 100})
    assert cid(graph.get_state(fork).parent_config) == cid(first)
    assert run_invoke(mode, graph, None, fork) == {"x": 100, "log": ["a", "b"]}
    history = list(graph.get_state_history(thread()))
    assert history[3:] == old
    assert brief(history[:3]) == [
        (3, "loop", (), {"x": 100, "log": ["a", "b"]}),
        (2, "loop", ("b",), {"x": 100, "log": ["a"]}),
        (1, "update", ("a",), {"x": 100, "log": []}),
    ]


# -- the checkpoints and debug stream modes ----------------------------------------------------------------------
def _checkpoint_payloads(graph: Any) -> list[dict[str, Any]]:
    """What `checkpoints` mode should carry, from the saved history, oldest first."""
    out = []
    for s in reversed(list(graph.get_state_history(thread()))):
        out.append({"config": s.config, "parent_config": s.parent_config, "values": s.values,
                    "metadata": s.metadata, "next": list(s.next),
                    "tasks": [{"id": t.id, "name": t.name, "interrupts": (), "state": None} for t in s.tasks]})
    return out


def test_checkpoints_mode_streams_each_saved_checkpoint(mode: str, saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver)
    chunks = run_stream(mode, graph, {"x": 1}, thread(), stream_mode="checkpoints")
    assert chunks == _checkpoint_payloads(graph)
    assert [(c["metadata"]["step"], c["next"], c["values"]) for c in chunks] == [
        (-1, ["__start__"], {"log": []}), (0, ["a"], {"x": 1, "log": []}), (1, ["b"], {"x": 1, "log": ["a"]}),
        (2, [], {"x": 1, "log": ["a", "b"]}),
    ]


def test_debug_mode_has_a_checkpoint_entry_after_every_step(mode: str, saver: Any) -> None:
    graph = chain("a", "b", checkpointer=saver)
    chunks = run_stream(mode, graph, {"x": 1}, thread(), stream_mode="debug")
    assert [(c["type"], c["step"]) for c in chunks] == [
        ("checkpoint", -1), ("checkpoint", 0), ("task", 1), ("task_result", 1), ("checkpoint", 1),
        ("task", 2), ("task_result", 2), ("checkpoint", 2),
    ]
    assert [c["payload"] for c in chunks if c["type"] == "checkpoint"] == _checkpoint_payloads(graph)
    for c in chunks:
        assert set(c) == {"step", "timestamp", "type", "payload"}
        dt.datetime.fromisoformat(c["timestamp"])


def test_without_a_checkpointer_there_are_no_checkpoint_entries(mode: str) -> None:
    graph = chain("a", "b")
    assert run_stream(mode, graph, {"x": 1}, stream_mode="checkpoints") == []
    assert [c["type"] for c in run_stream(mode, graph, {"x": 1}, stream_mode="debug")] == [
        "task", "task_result", "task", "task_result",
    ]


# -- the storage format ------------------------------------------------------------------------------------------
@register
@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: tuple[int, ...]


class Rich(TypedDict, total=False):
    value: Any
    other: Any


RICH = {
    "tuple": (1, "two", (3.5, None)),
    "set": {3, 1, 2},
    "frozenset": frozenset({"a", "b"}),
    "bytes": b"\x00\xff\x80pickle?",
    "datetime": dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc),
    "naive": dt.datetime(2026, 1, 2, 3, 4, 5),
    "date": dt.date(2026, 1, 2),
    "chunk": MessageChunk(content="hi"),
    "send": Send("node", {"k": (1, 2)}),
    "command": Command(update={"k": (1,)}, goto=[Send("n", {"a": 1})]),
    "interrupt": Interrupt(value={"q": b"?"}, id="abc"),
    "point": Point(1, (2, 3)),
    "int keys": {1: "one", (2, 3): "pair"},
    "tag lookalike": {"__lg__": "tuple", "v": [1]},
    "floats": [float("inf"), float("-inf"), 0.1],
    "nested": [{"deep": [(b"x", {1})]}],
    "unicode": "héllo ✓",
}


def test_a_state_of_many_types_round_trips_exactly(mode: str, saver: Any) -> None:
    def keep(state: Rich) -> dict[str, Any]:
        return {"other": state["value"]}

    graph = StateGraph(Rich).add_node("keep", keep).add_edge(START, "keep").compile(checkpointer=saver)
    run_invoke(mode, graph, {"value": RICH}, thread())
    history = list(graph.get_state_history(thread()))
    assert history[-1].values == {}  # the input's own checkpoint: the state before it
    for snapshot in history[:-1]:
        assert snapshot.values["value"] == RICH
        for key, value in snapshot.values["value"].items():
            assert type(value) is type(RICH[key]), key
    state = graph.get_state(thread())
    assert state.values["other"] == RICH
    assert state.values["value"]["nested"][0]["deep"][0] == (b"x", {1})
    assert state.values["value"]["datetime"].tzinfo == dt.timezone.utc


def test_a_nan_round_trips(saver: Any) -> None:
    graph = StateGraph(Rich).add_node("n", lambda s: {}).add_edge(START, "n").compile(checkpointer=saver)
    graph.invoke({"value": float("nan")}, thread())
    value = graph.get_state(thread()).values["value"]
    assert value != value


class Unregistered:
    def __repr__(self) -> str:
        return "Unregistered()"


def test_an_unregistered_object_in_the_state_names_its_key(mode: str, saver: Any) -> None:
    def bad(state: Rich) -> dict[str, Any]:
        return {"other": {"inner": [1, Unregistered()]}}

    graph = StateGraph(Rich).add_node("bad", bad).add_edge(START, "bad").compile(checkpointer=saver)
    with pytest.raises(CheckpointError) as info:
        run_invoke(mode, graph, {"value": 1}, thread())
    assert str(info.value) == (
        "State key `other`['inner'][1] holds a test_checkpoint.Unregistered, which livegraph cannot store in a "
        "checkpoint (it stores JSON and registered types only, so loading never runs code). Store plain data "
        "there, or register the type: `livegraph.checkpoint.serde.register(YourType)`"
    )
    # the step that produced it was not saved; the thread is still at its input
    assert brief(graph.get_state_history(thread())) == [
        (0, "loop", ("bad",), {"value": 1}), (-1, "input", ("__start__",), {}),
    ]


def test_an_unregistered_object_in_the_input_names_its_key(saver: Any) -> None:
    graph = StateGraph(Rich).add_node("n", lambda s: {}).add_edge(START, "n").compile(checkpointer=saver)
    with pytest.raises(CheckpointError, match=r"^State key `value` holds a test_checkpoint.Unregistered, "):
        graph.invoke({"value": Unregistered()}, thread())
    # refused before anything is saved (LangGraph saves the input's checkpoint first, then fails)
    assert list(graph.get_state_history(thread())) == []


def test_the_sqlite_file_holds_json_only(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.db"
    saver = SqliteSaver(path)
    graph = StateGraph(Rich).add_node("n", lambda s: {"other": s["value"]}).add_edge(START, "n").add_edge("n", END)
    graph.compile(checkpointer=saver).invoke({"value": RICH}, thread())
    saver.close()

    conn = sqlite3.connect(path)
    try:
        tables = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"))
        assert tables == ["livegraph_checkpoints", "livegraph_meta", "livegraph_writes", "sqlite_sequence"]
        assert conn.execute("SELECT key, value FROM livegraph_meta ORDER BY key").fetchall() == [
            ("format", "livegraph-checkpoints"), ("version", "2"),
        ]
        rows = conn.execute("SELECT typeof(state), typeof(pending), typeof(metadata), typeof(tasks), state, "
                            "pending, metadata, tasks FROM livegraph_checkpoints ORDER BY seq").fetchall()
        kinds = [r[0] for r in conn.execute("SELECT kind FROM livegraph_checkpoints ORDER BY seq")]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        conn.close()
    assert len(rows) == 3
    # the input's checkpoint holds the whole (empty) state; the next ones only what changed
    assert kinds == ["full", "delta", "delta"]
    assert json.loads(rows[0][4]) == {}
    assert set(json.loads(rows[2][4])) == {"set"} and set(json.loads(rows[2][4])["set"]) == {"other"}
    for row in rows:
        assert row[:4] == ("text", "text", "text", "text")  # never a BLOB
        for text in row[4:]:
            json.loads(text)
            assert "\x80" not in text and "pickle" not in text.replace("pickle?", "")
    state = json.loads(rows[1][4])["set"]
    assert state["value"]["tuple"] == {"__lg__": "tuple", "v": [1, "two", {"__lg__": "tuple", "v": [3.5, None]}]}
    assert state["value"]["bytes"] == {"__lg__": "bytes", "v": "AP+AcGlja2xlPw=="}
    assert state["value"]["point"] == {"__lg__": "test_checkpoint.Point",
                                       "v": {"x": 1, "y": {"__lg__": "tuple", "v": [2, 3]}}}
    assert state["value"]["tag lookalike"] == {"__lg__": "dict", "v": [["__lg__", "tuple"], ["v", [1]]]}


def test_a_type_registered_elsewhere_is_refused_on_load_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.db"
    graph = StateGraph(Rich).add_node("n", lambda s: {}).add_edge(START, "n")
    saver = SqliteSaver(path)
    graph.compile(checkpointer=saver).invoke({"value": 1}, thread())
    saver.close()
    conn = sqlite3.connect(path)
    conn.execute("""UPDATE livegraph_checkpoints SET state='{"value":{"__lg__":"os.system","v":"echo hi"}}'""")
    conn.commit()
    conn.close()
    saver = SqliteSaver(path)
    with pytest.raises(CheckpointError) as info:
        graph.compile(checkpointer=saver).get_state(thread())
    saver.close()
    assert str(info.value) == (
        "The checkpoint holds a value of type `os.system`, which is not registered in this process; call "
        "`livegraph.checkpoint.serde.register(<that class>)` before loading it"
    )


def test_a_registered_class_that_changed_since_saving_is_a_clear_error(saver: Any) -> None:
    @dataclasses.dataclass
    class Old:
        a: int

    @dataclasses.dataclass
    class New:
        b: int

    graph = StateGraph(Rich).add_node("n", lambda s: {}).add_edge(START, "n").compile(checkpointer=saver)
    register(Old, "tests.Versioned")
    graph.invoke({"value": Old(1)}, thread())
    register(New, "tests.Versioned")
    with pytest.raises(CheckpointError) as info:
        graph.get_state(thread())
    with pytest.raises(TypeError) as why:
        New(a=1)  # type: ignore[call-arg]
    assert str(info.value) == (
        f"The checkpoint holds a `tests.Versioned` that no longer loads (TypeError: {why.value}); if the class "
        "changed since it was saved, register it with a `load=` that also reads the old form"
    )


def test_a_corrupt_row_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.db"
    graph = StateGraph(Rich).add_node("n", lambda s: {}).add_edge(START, "n")
    saver = SqliteSaver(path)
    graph.compile(checkpointer=saver).invoke({"value": 1}, thread())
    saver.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE livegraph_checkpoints SET state='{not json'")
    conn.commit()
    (checkpoint_id,) = conn.execute("SELECT id FROM livegraph_checkpoints ORDER BY seq DESC").fetchone()
    conn.close()
    saver = SqliteSaver(path)
    with pytest.raises(CheckpointError) as info:
        graph.compile(checkpointer=saver).get_state(thread())
    saver.close()
    assert str(info.value) == (
        f"Checkpoint {checkpoint_id!r} of thread `1` is corrupt (Expecting property name enclosed in double "
        "quotes: line 1 column 2 (char 1))"
    )


def test_history_takes_langgraph_s_filter_before_and_limit(saver: Any) -> None:
    graph = chain("a", "b", "c", checkpointer=saver)
    graph.invoke({"x": 1}, thread())
    every = [(s.metadata["source"], s.metadata["step"]) for s in graph.get_state_history(thread())]
    assert every == [("loop", 3), ("loop", 2), ("loop", 1), ("loop", 0), ("input", -1)]
    loops = [s.metadata["step"] for s in graph.get_state_history(thread(), filter={"source": "loop"})]
    assert loops == [3, 2, 1, 0]
    second = list(graph.get_state_history(thread()))[1]
    assert [s.metadata["step"] for s in graph.get_state_history(thread(), before=second.config)] == [1, 0, -1]
    assert [s.metadata["step"] for s in graph.get_state_history(thread(), before=second.config, limit=1)] == [1]
    with pytest.raises(CheckpointError) as info:
        list(graph.get_state_history(thread(), before=thread("1", "nope")))
    assert str(info.value) == ("Thread `1` has no checkpoint `nope` (given as `before`); list its checkpoints with "
                               "`graph.get_state_history(config)`")


# -- the saver speaks LangGraph's interface ------------------------------------------------------------------------
def test_get_state_of_an_unknown_checkpoint_is_langgraph_s_empty_snapshot(saver: Any) -> None:
    graph = chain("a", checkpointer=saver)
    graph.invoke({"x": 1}, thread())
    state = graph.get_state(thread("1", "nope"))
    assert (state.values, state.next, state.config, state.metadata, state.created_at, state.parent_config,
            state.tasks) == ({}, (), {"configurable": {"thread_id": "1", "checkpoint_id": "nope"}}, None, None,
                             None, ())


def test_run_metadata_is_kept_on_every_checkpoint(saver: Any) -> None:
    graph = chain("a", checkpointer=saver)
    graph.invoke({"x": 1}, {**thread(), "metadata": {"user": "ada"}})
    assert [s.metadata for s in graph.get_state_history(thread())] == [
        {"user": "ada", "source": "loop", "step": 1, "parents": {}},
        {"user": "ada", "source": "loop", "step": 0, "parents": {}},
        {"user": "ada", "source": "input", "step": -1, "parents": {}},
    ]


def _saver_calls(saver: Any) -> Any:
    """What code that calls a checkpointer directly sees (the same for the sync and async methods)."""
    graph = chain("a", "b", checkpointer=saver)
    graph.invoke({"x": 1}, thread())
    graph.invoke({"x": 2}, thread("2"))
    return graph


def test_the_saver_answers_langgraph_s_get_tuple_list_put_and_put_writes(saver: Any, saver_factory: Any) -> None:
    graph = _saver_calls(saver)
    history = list(graph.get_state_history(thread()))
    head = saver.get_tuple(thread())
    assert head.config == history[0].config
    assert head.parent_config == history[0].parent_config
    assert head.metadata == {"source": "loop", "step": 2, "parents": {}}
    assert head.pending_writes == []
    assert head.checkpoint["id"] == cid(history[0])
    assert head.checkpoint["ts"] == history[0].created_at
    assert head.checkpoint["channel_values"] == {"x": 1, "log": ["a", "b"]}
    assert head.checkpoint["updated_channels"] == ["log"]
    assert saver.get(thread()) == head.checkpoint
    assert saver.get_tuple(history[2].config).metadata == {"source": "loop", "step": 0, "parents": {}}
    assert saver.get_tuple(thread("1", "nope")) is None
    assert saver.get_tuple(thread("none")) is None

    listed = list(saver.list(thread()))
    assert [t.config for t in listed] == [s.config for s in history]
    assert [t.metadata["step"] for t in saver.list(thread(), filter={"source": "loop"}, limit=2)] == [2, 1]
    assert [t.metadata["step"] for t in saver.list(thread(), before=history[1].config)] == [0, -1]
    assert sorted({t.config["configurable"]["thread_id"] for t in saver.list(None)}) == ["1", "2"]
    assert [t.config["configurable"]["thread_id"] for t in saver.list(None, filter={"source": "input"})] \
        in (["1", "2"], ["2", "1"])

    # put: a checkpoint copied from one thread to another, as LangGraph's own tools copy threads
    config = saver.put(thread("copy"), head.checkpoint, head.metadata, {})
    assert config == {"configurable": {"thread_id": "copy", "checkpoint_ns": "", "checkpoint_id": cid(head)}}
    copied = graph.get_state(thread("copy"))
    assert (copied.values, copied.next, copied.metadata) == (history[0].values, (), history[0].metadata)
    saver.put_writes(config, [("log", ["w"]), ("x", 3)], "task-1")
    saver.put_writes(config, [("__interrupt__", "why?")], "task-2")
    assert saver.get_tuple(thread("copy")).pending_writes == [
        ("task-1", "log", ["w"]), ("task-1", "x", 3), ("task-2", "__interrupt__", "why?"),
    ]
    saver.delete_thread("copy")
    assert saver.get_tuple(thread("copy")) is None
    assert saver_factory().get_tuple(thread()).config == head.config  # another saver on the same store

    # a checkpoint of LangGraph's own (its routing channels are not state)
    lg_checkpoint = {"v": 4, "id": "1f0-lg", "ts": "2026-01-01T00:00:00+00:00", "channel_versions": {},
                     "versions_seen": {}, "channel_values": {"x": 5, "log": ["a"], "branch:to:a": None,
                                                             "__start__": {"x": 5}}}
    saver.put(thread("from-lg"), lg_checkpoint, {"source": "loop", "step": 1, "parents": {}}, {})
    imported = graph.get_state(thread("from-lg"))
    assert (imported.values, imported.metadata, imported.created_at, cid(imported)) == (
        {"x": 5, "log": ["a"]}, {"source": "loop", "step": 1, "parents": {}}, "2026-01-01T00:00:00+00:00", "1f0-lg")


def test_the_saver_s_async_twins_answer_the_same(saver: Any) -> None:
    import asyncio

    graph = _saver_calls(saver)
    history = list(graph.get_state_history(thread()))

    async def calls() -> Any:
        head = await saver.aget_tuple(thread())
        listed = [t async for t in saver.alist(thread(), filter={"source": "loop"}, limit=2)]
        config = await saver.aput(thread("copy"), head.checkpoint, head.metadata, {})
        await saver.aput_writes(config, [("x", 3)], "task-1")
        copied = await saver.aget_tuple(thread("copy"))
        await saver.adelete_thread("copy")
        return head, listed, copied, await saver.aget_tuple(thread("copy")), await saver.aget(thread())

    head, listed, copied, deleted, checkpoint = asyncio.run(calls())
    assert head == saver.get_tuple(thread())
    assert [t.metadata["step"] for t in listed] == [2, 1]
    assert (copied.checkpoint, copied.pending_writes) == (head.checkpoint, [("task-1", "x", 3)])
    assert deleted is None
    assert checkpoint == head.checkpoint
    assert head.config == history[0].config


def test_history_stores_only_what_changed_and_old_files_still_load(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)  # a version 1 file, as livegraph 0.1 wrote it: every row the whole state
    conn.executescript("""
        CREATE TABLE livegraph_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO livegraph_meta VALUES ('format', 'livegraph-checkpoints'), ('version', '1');
        CREATE TABLE livegraph_checkpoints (seq INTEGER PRIMARY KEY AUTOINCREMENT, thread_id TEXT NOT NULL,
            ns TEXT NOT NULL, id TEXT NOT NULL, parent_id TEXT, step INTEGER NOT NULL, created_at TEXT NOT NULL,
            state TEXT NOT NULL, pending TEXT NOT NULL, metadata TEXT NOT NULL, tasks TEXT NOT NULL,
            UNIQUE (thread_id, ns, id));
        INSERT INTO livegraph_checkpoints VALUES (1, '1', '', 'c1', NULL, 0, '2026-01-01T00:00:00+00:00',
            '{"x":1,"log":[]}', '{"pull":{"a":["branch:to:a"]},"push":[],"joins":{}}',
            '{"source":"input","step":0,"writes":{"__start__":{"x":1}}}', '{}');
    """)
    conn.close()
    saver = SqliteSaver(path)
    graph = chain("a", checkpointer=saver)
    assert graph.get_state(thread()).metadata == {"source": "input", "step": 0, "parents": {}}
    assert graph.invoke(None, thread()) == {"x": 1, "log": ["a"]}
    assert brief(graph.get_state_history(thread())) == [
        (1, "loop", (), {"x": 1, "log": ["a"]}), (0, "input", ("a",), {"x": 1, "log": []}),
    ]
    saver.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT kind, state FROM livegraph_checkpoints ORDER BY seq").fetchall() == [
        ("full", '{"x":1,"log":[]}'), ("delta", '{"add":{"log":["a"]}}'),
    ]
    assert conn.execute("SELECT value FROM livegraph_meta WHERE key='version'").fetchone() == ("2",)
    conn.close()


def test_a_long_chat_stores_each_message_once(saver: Any) -> None:
    from livegraph.checkpoint import _delta

    graph = chain("a", checkpointer=saver)
    for i in range(2 * _delta.FULL_EVERY + 5):  # past two full checkpoints
        graph.invoke({"x": i}, thread())
    history = list(graph.get_state_history(thread()))
    assert [s.values["log"] for s in history[:2]] == [["a"] * 105, ["a"] * 104]
    assert history[-1].values == {"log": []}
    assert graph.get_state(history[60].config).values == history[60].values
    assert all(s.values["log"] == ["a"] * len(s.values["log"]) for s in history[:-1])
