"""What `stream()` yields: every stream mode, lists of modes, `subgraphs=True` and `version="v2"`, whole
streams compared exactly (task ids and timestamps normalized)."""

from __future__ import annotations

from typing import Any

import pytest

from engine_helpers import Log, appender, kind_fixture, mode_fixture, node, normalized, run_invoke, run_stream  # noqa: F401 - pytest fixtures
from livegraph import START, MessageChunk, Send, StateGraph
from livegraph.config import get_message_writer, get_stream_writer


def _fan_out(kind: str) -> Any:
    """START -> a -> Send("w", "p"), Send("w", "q"). `a` writes a custom chunk and a message chunk."""

    def a(state: Log) -> dict[str, Any]:
        get_stream_writer()({"from": "a"})
        get_message_writer()("tok")
        return {"x": 1, "log": ["a"]}

    def w(arg: str) -> dict[str, Any]:
        return {"log": [arg]}

    return (StateGraph(Log).add_node("a", node(kind, a)).add_node("w", node(kind, w)).add_edge(START, "a")
            .add_conditional_edges("a", lambda s: [Send("w", "p"), Send("w", "q")]).compile())


META_A = {"langgraph_step": 1, "langgraph_node": "a", "langgraph_triggers": ("branch:to:a",),
          "langgraph_path": ("__pregel_pull", "a"), "langgraph_checkpoint_ns": "a:T1"}
TASKS = [
    {"id": "T1", "name": "a", "input": {"x": 0, "log": []}, "triggers": ("branch:to:a",)},
    {"id": "T1", "name": "a", "error": None, "result": {"x": 1, "log": ["a"]}, "interrupts": []},
    {"id": "T2", "name": "w", "input": "p", "triggers": ("__pregel_push",)},
    {"id": "T3", "name": "w", "input": "q", "triggers": ("__pregel_push",)},
    {"id": "T2", "name": "w", "error": None, "result": {"log": ["p"]}, "interrupts": []},
    {"id": "T3", "name": "w", "error": None, "result": {"log": ["q"]}, "interrupts": []},
]
EXPECTED = {
    "values": [{"x": 0, "log": []}, {"x": 1, "log": ["a"]}, {"x": 1, "log": ["a", "p", "q"]}],
    "updates": [{"a": {"x": 1, "log": ["a"]}}, {"w": {"log": ["p"]}}, {"w": {"log": ["q"]}}],
    "custom": [{"from": "a"}],
    "messages": [(MessageChunk(content="tok"), META_A)],
    "tasks": TASKS,
    "debug": [{"step": step, "timestamp": "<ts>", "type": "task" if "input" in t else "task_result", "payload": t}
              for step, t in zip((1, 1, 2, 2, 2, 2), TASKS)],
}


@pytest.mark.parametrize("stream_mode", list(EXPECTED))
def test_each_stream_mode_streams_langgraph_s_chunks(mode: str, kind: str, stream_mode: str) -> None:
    chunks = run_stream(mode, _fan_out(kind), {"x": 0}, stream_mode=stream_mode)
    assert normalized(chunks) == EXPECTED[stream_mode]


def test_without_a_mode_stream_gives_updates_as_langgraph_does(mode: str) -> None:
    assert run_stream(mode, _fan_out("def"), {"x": 0}) == EXPECTED["updates"]


def test_invoke_with_another_mode_returns_its_chunks(mode: str) -> None:
    assert run_invoke(mode, _fan_out("def"), {"x": 0}, stream_mode="updates") == EXPECTED["updates"]


def test_a_list_of_modes_tags_each_chunk_with_its_mode(mode: str, kind: str) -> None:
    chunks = run_stream(mode, _fan_out(kind), {"x": 0}, stream_mode=["values", "updates", "custom", "messages"])
    assert normalized(chunks) == [
        ("values", {"x": 0, "log": []}),
        ("custom", {"from": "a"}),
        ("messages", (MessageChunk(content="tok"), META_A)),
        ("updates", {"a": {"x": 1, "log": ["a"]}}),
        ("values", {"x": 1, "log": ["a"]}),
        ("updates", {"w": {"log": ["p"]}}),
        ("updates", {"w": {"log": ["q"]}}),
        ("values", {"x": 1, "log": ["a", "p", "q"]}),
    ]


def test_a_list_of_one_mode_is_still_tagged_and_repeats_count_once(mode: str) -> None:
    chunks = run_stream(mode, _fan_out("def"), {"x": 0}, stream_mode=["updates", "updates"])
    assert chunks == [("updates", c) for c in EXPECTED["updates"]]


def test_version_v2_gives_typed_parts(mode: str) -> None:
    chunks = run_stream(mode, _fan_out("def"), {"x": 0}, stream_mode=["custom", "updates"], version="v2")
    assert chunks == [
        {"type": "custom", "ns": (), "data": {"from": "a"}},
        {"type": "updates", "ns": (), "data": {"a": {"x": 1, "log": ["a"]}}},
        {"type": "updates", "ns": (), "data": {"w": {"log": ["p"]}}},
        {"type": "updates", "ns": (), "data": {"w": {"log": ["q"]}}},
    ]


def test_a_message_chunk_object_is_passed_through_with_metadata(mode: str) -> None:
    piece = MessageChunk(content="", id="m1", tool_call_chunks=[{"index": 0, "id": "c1", "name": "f", "args": "{"}])

    def talk(state: Log) -> None:
        get_message_writer()(piece)

    graph = StateGraph(Log).add_node(talk).add_edge(START, "talk").compile()
    [(chunk, meta)] = run_stream(mode, graph, {"x": 0}, {"configurable": {"thread_id": "t1"}, "metadata": {"k": 1}},
                                 stream_mode="messages")
    assert chunk is piece or chunk == piece
    assert normalized(meta) == {"k": 1, "thread_id": "t1", "langgraph_step": 1, "langgraph_node": "talk",
                                "langgraph_triggers": ("branch:to:talk",),
                                "langgraph_path": ("__pregel_pull", "talk"), "langgraph_checkpoint_ns": "talk:T1"}


# -- subgraphs ----------------------------------------------------------------------------------------------
def _nested(kind: str) -> Any:
    """START -> sub (START -> inner, which writes "deep") -> after."""

    def inner(state: Log) -> dict[str, Any]:
        get_stream_writer()("deep")
        return {"log": ["inner"]}

    sub = StateGraph(Log).add_node("inner", node(kind, inner)).add_edge(START, "inner").compile()
    return StateGraph(Log).add_sequence([("sub", sub), appender("after")]).add_edge(START, "sub").compile()


def test_without_subgraphs_only_the_top_graph_streams(mode: str, kind: str) -> None:
    chunks = run_stream(mode, _nested(kind), {"x": 0}, stream_mode=["updates", "custom"])
    assert chunks == [("updates", {"sub": {"x": 0, "log": ["inner"]}}), ("updates", {"after": {"log": ["after"]}})]


def test_subgraphs_tags_chunks_with_their_namespace(mode: str, kind: str) -> None:
    chunks = run_stream(mode, _nested(kind), {"x": 0}, stream_mode="updates", subgraphs=True)
    assert normalized(chunks) == [
        (("sub:T1",), {"inner": {"log": ["inner"]}}),
        ((), {"sub": {"x": 0, "log": ["inner"]}}),
        ((), {"after": {"log": ["after"]}}),
    ]


def test_subgraphs_with_a_list_of_modes_gives_namespace_mode_chunk(mode: str, kind: str) -> None:
    chunks = run_stream(mode, _nested(kind), {"x": 0}, stream_mode=["values", "updates", "custom"], subgraphs=True)
    assert normalized(chunks) == [
        ((), "values", {"x": 0, "log": []}),
        (("sub:T1",), "values", {"x": 0, "log": []}),
        (("sub:T1",), "custom", "deep"),
        (("sub:T1",), "updates", {"inner": {"log": ["inner"]}}),
        (("sub:T1",), "values", {"x": 0, "log": ["inner"]}),
        ((), "updates", {"sub": {"x": 0, "log": ["inner"]}}),
        ((), "values", {"x": 0, "log": ["inner"]}),
        ((), "updates", {"after": {"log": ["after"]}}),
        ((), "values", {"x": 0, "log": ["inner", "after"]}),
    ]


def test_subgraphs_in_v2_parts(mode: str) -> None:
    chunks = run_stream(mode, _nested("def"), {"x": 0}, stream_mode="custom", subgraphs=True, version="v2")
    assert normalized(chunks) == [{"type": "custom", "ns": ("sub:T1",), "data": "deep"}]
    assert run_stream(mode, _nested("def"), {"x": 0}, stream_mode="custom", version="v2") == []


def test_a_subgraph_s_namespace_names_its_task_in_the_parent(mode: str) -> None:
    chunks = run_stream(mode, _nested("def"), {"x": 0}, stream_mode="tasks", subgraphs=True)
    parent_ids = [c["id"] for ns, c in chunks if ns == () and c["name"] == "sub"]
    sub_ns = {ns for ns, _ in chunks if ns}
    assert sub_ns == {(f"sub:{parent_ids[0]}",)}


def test_nested_subgraphs_stack_namespaces(mode: str) -> None:
    deepest = StateGraph(Log).add_node("leaf", appender("leaf")).add_edge(START, "leaf").compile()
    middle = StateGraph(Log).add_node("deepest", deepest).add_edge(START, "deepest").compile()
    graph = StateGraph(Log).add_node("middle", middle).add_edge(START, "middle").compile()
    chunks = run_stream(mode, graph, {"x": 0}, stream_mode="updates", subgraphs=True)
    assert normalized(chunks) == [
        (("middle:T1", "deepest:T2"), {"leaf": {"log": ["leaf"]}}),
        (("middle:T1",), {"deepest": {"x": 0, "log": ["leaf"]}}),
        ((), {"middle": {"x": 0, "log": ["leaf"]}}),
    ]


def test_values_mode_streams_the_whole_state_even_with_an_output_schema(mode: str) -> None:
    from typing import TypedDict

    class Out(TypedDict):
        answer: str

    class Full(TypedDict):
        question: str
        answer: str

    graph = (StateGraph(Full, output_schema=Out).add_node("say", lambda s: {"answer": s["question"] * 2})
             .add_edge(START, "say").compile())
    assert run_stream(mode, graph, {"question": "hi"}, stream_mode="values") == [
        {"question": "hi"}, {"question": "hi", "answer": "hihi"},
    ]
    assert run_invoke(mode, graph, {"question": "hi"}) == {"answer": "hihi"}


def test_a_failed_task_s_result_is_an_empty_dict(mode: str) -> None:
    def explode(state: Log) -> None:
        raise KeyError("k")

    graph = StateGraph(Log).add_node(explode).add_edge(START, "explode").compile()
    seen: list[Any] = []
    with pytest.raises(KeyError):
        run_stream(mode, graph, {"x": 0}, stream_mode="tasks", on_chunk=seen.append)
    assert normalized(seen)[-1] == {"id": "T1", "name": "explode", "error": seen[-1]["error"], "result": {},
                                    "interrupts": []}
