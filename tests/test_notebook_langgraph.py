"""The live view of graphs that LangGraph itself compiled: LangGraph's streams translated into livegraph's
events (`notebook/_langgraph.py`), the same scenarios run through both engines giving the same record, the
resume form and the replay on LangGraph threads, and LangGraph's diagrams drawn offline."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import sys
from typing import Any

import pytest

from livegraph import Event, Interrupt, render
from livegraph.notebook import TextView
from livegraph.notebook._format import record_text
from livegraph.notebook._langgraph import Translator, astream_events, is_langgraph, stream_events
from livegraph.notebook._model import RunModel
from livegraph.notebook._replay import replay_steps
from livegraph.types import Command

pytest.importorskip("langgraph")
pytest.importorskip("langchain_core")

from langgraph_scenarios import FAN_OUT, NESTED_REVIEW, PARALLEL_CUSTOM, PIPELINE, REVIEW, build  # noqa: E402


def fold(events: list[Any]) -> RunModel:
    model = RunModel()
    for event in events:
        model.apply(event)
    model.stop(0.0)
    return model


def record(model: RunModel) -> str:
    """The plain-text record, the elapsed time masked (the rest must match exactly)."""
    text = record_text(model.records(), model.status(model.ended or 0.0))
    return re.sub(r" · (?:< 1 ms|[0-9.]+ m?s)\b", " · <t>", text)


def run(graph: Any, inputs: Any, config: Any = None) -> tuple[str, list[Event], BaseException | None]:
    events: list[Event] = []
    error = None
    try:
        for item in stream_events(graph, inputs, config):
            events.append(item[-1] if isinstance(item, tuple) else item)
    except Exception as exc:
        error = exc
    return record(fold(events)), events, error


async def arun(graph: Any, inputs: Any, config: Any = None) -> str:
    events = [item[-1] if isinstance(item, tuple) else item async for item in astream_events(graph, inputs, config)]
    return record(fold(events))


CONFIG = {"configurable": {"thread_id": "t1"}}

PIPELINE_RECORD = """\
done · 3 steps · <t> · 8 tokens
── research · step 1 · done ──
whiskers and naps
── write · step 2 · done ──
Cats are curious.
── review · step 3 · done ──
── review › polish · step 1 · done ──
{'step': 'polish'}"""

FAN_OUT_RECORD = """\
done · 2 steps · <t> · 10 tokens
── plan · step 1 · done ──
── draft #1 · step 2 · done ──
a is fine.
── draft #2 · step 2 · done ──
b is fine."""


# -- both engines, one record ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "inputs", "expected"),
    [
        (PIPELINE, {"topic": "cats", "notes": []}, PIPELINE_RECORD),
        (FAN_OUT, {"topics": ["a", "b"], "drafts": []}, FAN_OUT_RECORD),
    ],
    ids=["pipeline", "fan-out"],
)
def test_the_same_graph_gives_the_same_record_on_both_engines(source: str, inputs: Any, expected: str) -> None:
    mine, _, error = run(build(source, "livegraph")["graph"], inputs)
    theirs, _, their_error = run(build(source, "langgraph")["graph"], inputs)
    assert (error, their_error) == (None, None)
    assert theirs == mine == expected


def test_interrupt_resume_and_error_give_the_same_records_on_both_engines() -> None:
    records = {}
    for engine in ("livegraph", "langgraph"):
        graph = build(REVIEW, engine)["graph"]
        first, _, error = run(graph, {"draft": "", "verdict": ""}, CONFIG)
        assert error is None
        second, _, error = run(graph, Command(resume="ok"), CONFIG)  # livegraph's Command, also for LangGraph
        assert (type(error), str(error)) == (ValueError, "no way: ok")
        records[engine] = (first, second)
    assert records["langgraph"] == records["livegraph"] == (
        "interrupted · at review: {'draft': 'A draft'} · 2 steps · <t> · 2 tokens\n"
        "── write · step 1 · done ──\nA draft\n── review · step 2 · interrupted ──",
        "error · in fail: ValueError: no way: ok · 3 steps · <t> · 1 token\n"
        "── review · step 2 · done ──\nanswer: ok\n── fail · step 3 · error ──\nValueError: no way: ok",
    )


def test_an_interrupt_inside_a_subgraph_gives_the_same_records_on_both_engines() -> None:
    records = {}
    for engine in ("livegraph", "langgraph"):
        graph = build(NESTED_REVIEW, engine)["graph"]
        first, _, error = run(graph, {"log": []}, CONFIG)
        second, events, error2 = run(graph, Command(resume="yes"), CONFIG)
        assert (error, error2) == (None, None)
        records[engine] = (first, second, fold(events).final_state)
    assert records["langgraph"] == records["livegraph"] == (
        "interrupted · at review: 'ok?' · 2 steps · <t> · 1 token\n── draft · step 1 · done ──\ndrafting\n"
        "── review · step 2 · interrupted ──\n── review › check · step 1 · interrupted ──",
        "done · 2 steps · <t> · 1 token\n── review · step 2 · done ──\n── review › check · step 1 · done ──\n"
        "checked: yes",
        {"log": ["draft", "draft", "yes"]},
    )


def test_the_diagram_lights_the_nodes_of_a_langgraph_subgraph_where_they_are_drawn() -> None:
    graph = build(PIPELINE, "langgraph")["graph"]
    _, events, _ = run(graph, {"topic": "cats", "notes": []})
    states = fold(events).node_states()
    assert states == {
        "__start__": "done", "research": "done", "write": "done", "review": "done",
        "review:__start__": "done", "review:polish": "done", "review:__end__": "done", "__end__": "done",
    }
    dot = render.to_dot(graph, xray=True, states=states)
    for path in states:
        assert f'"{path}" [id="node-{path.replace(":", "-3a-")}", class="lg-node' in dot or path == "review"
    assert 'graph [id="node-review", class="lg-cluster lg-done"' in dot


def test_the_replay_of_a_langgraph_thread_reads_as_livegraph_s() -> None:
    from livegraph.notebook._replay import as_events

    steps = {}
    for engine in ("livegraph", "langgraph"):
        graph = build(REVIEW, engine)["graph"]
        runs = [as_events(run(graph, {"draft": "", "verdict": ""}, CONFIG)[1])]
        runs.append(as_events(run(graph, Command(resume="yes"), CONFIG)[1]))
        steps[engine] = [
            (s.step, s.source, s.nodes, s.values, s.next, [(p.node, p.interrupt.value) for p in s.waiting],
             [(p.title, p.step, p.state, p.text, p.note) for p in s.panels])
            for s in replay_steps(graph.get_state_history(CONFIG), runs)
        ]
    assert steps["langgraph"] == steps["livegraph"]
    assert steps["langgraph"][:3] == [
        (0, "input", ("__start__",), {"draft": "", "verdict": ""}, ("write",), [],
         [("__start__", 0, "done", "", "input: {'draft': '', 'verdict': ''}")]),
        (1, "loop", ("write",), {"draft": "A draft", "verdict": ""}, ("review",), [("review", {"draft": "A draft"})],
         [("write", 1, "done", "A draft", None)]),
        (2, "loop", ("review",), {"draft": "A draft", "verdict": "yes"}, ("fail",), [],
         [("review", 2, "done", "answer: yes", None)]),
    ]


def test_an_update_state_checkpoint_of_a_langgraph_thread_shows_what_changed() -> None:
    graph = build(REVIEW, "langgraph")["graph"]
    config = {"configurable": {"thread_id": "u1"}}
    graph.invoke({"draft": "", "verdict": ""}, config)
    graph.update_state(config, {"draft": "edited"}, as_node="write")
    newest = replay_steps(graph.get_state_history(config))[-1]
    assert (newest.step, newest.source, newest.writes, newest.next) == (
        2, "update", {"update_state": {"draft": "edited"}}, ("review",)
    )
    assert [(p.title, p.note) for p in newest.panels] == [("update_state", "update: {'draft': 'edited'}")]


def test_an_async_run_gives_the_record_of_a_sync_one() -> None:
    graph = build(PIPELINE, "langgraph")["graph"]
    assert asyncio.run(arun(graph, {"topic": "cats", "notes": []})) == PIPELINE_RECORD


def test_custom_chunks_of_parallel_tasks_go_to_one_panel_for_all_of_them() -> None:
    # Both workers run while either writes, and LangGraph's `custom` stream does not say which one wrote
    # what: the chunks go to a panel named for both, none is guessed. livegraph's events say who wrote it.
    mine, _, _ = run(build(PARALLEL_CUSTOM, "livegraph")["graph"], {"topics": ["a", "b"], "out": []})
    assert mine == (
        "done · 2 steps · <t> · 4 tokens\n── plan · step 1 · done ──\n"
        "── work #1 · step 2 · done ──\na1 a2 \n── work #2 · step 2 · done ──\nb1 b2 "
    )
    text, events, error = run(build(PARALLEL_CUSTOM, "langgraph")["graph"], {"topics": ["a", "b"], "out": []})
    assert error is None
    model = fold(events)
    assert [(p.title, p.state, p.text) for p in model.records()][:3] == [
        ("plan", "done", ""), ("work #1", "done", ""), ("work #2", "done", "")
    ]
    (shared,) = model.records()[3:]
    assert (shared.title, shared.state) == ("work #1 / #2", "done")
    assert sorted(re.findall(r"\S+ ", shared.text)) == ["a1 ", "a2 ", "b1 ", "b2 "]
    assert text.startswith("done · 2 steps · <t> · 4 tokens\n")


def test_run_on_a_langgraph_graph_outside_jupyter_prints_the_text_view(capsys: pytest.CaptureFixture[str]) -> None:
    import livegraph.notebook as lgn

    graph = build(PIPELINE, "langgraph")["graph"]
    state = lgn.run(graph, {"topic": "cats", "notes": []})
    assert state == graph.invoke({"topic": "cats", "notes": []}) == {
        "topic": "cats", "notes": ["researched", "written", "researched", "written", "polished"]
    }
    out = re.sub(r" · (?:< 1 ms|[0-9.]+ m?s)\b", " · <t>", capsys.readouterr().out)
    assert out == (
        "── research · step 1 ──\nwhiskers and naps\n── write · step 2 ──\nCats are curious.\n── review · step 3 ──\n"
        "── review › polish · step 1 ──\n{'step': 'polish'}\ndone · 3 steps · <t> · 8 tokens\n"
    )


def test_the_final_state_is_what_invoke_returns_also_with_an_output_schema_and_a_checkpointer() -> None:
    import livegraph.notebook as lgn

    names = build(
        """
        from typing import TypedDict
        from langgraph.checkpoint.memory import InMemorySaver
        from langgraph.graph import START, StateGraph

        class State(TypedDict):
            question: str
            scratch: str
            answer: str

        class Out(TypedDict):
            answer: str

        def work(state):
            return {"scratch": "thinking", "answer": state["question"].upper()}

        graph = (StateGraph(State, output_schema=Out).add_node(work).add_edge(START, "work")
                 .compile(checkpointer=InMemorySaver()))
        """,
        "langgraph",
    )
    graph = names["graph"]
    expected = graph.invoke({"question": "why?"}, {"configurable": {"thread_id": "o1"}})
    assert lgn.run(graph, {"question": "why?"}, {"configurable": {"thread_id": "o2"}}) == expected == {"answer": "WHY?"}


def test_a_text_view_fed_by_hand_takes_the_translated_events() -> None:
    out = io.StringIO()
    graph = build(FAN_OUT, "langgraph")["graph"]
    with TextView(out) as view:
        for event in stream_events(graph, {"topics": ["x"], "drafts": []}, None):
            view.feed(event)
    assert re.sub(r" · (?:< 1 ms|[0-9.]+ m?s)\b", "", out.getvalue()) == (
        "── plan · step 1 ──\n── draft · step 2 ──\nx is fine.\ndone · 2 steps · 5 tokens\n"
    )


# -- the translation, part by part ---------------------------------------------------------------------------


class Clock:
    def __call__(self) -> float:
        return 0.0


def parts_to_events(parts: list[dict[str, Any]], inputs: Any = None, error: BaseException | None = None) -> list[tuple]:
    translator = Translator(inputs, clock=Clock())
    events = translator.start()
    for part in parts:
        events += translator.feed(part)
    events += translator.error(error) if error is not None else translator.end()
    return [(e.kind, e.node, e.task_id, e.step, e.ns, e.data) for e in events]


def start(task: str, name: str, push: bool = False, ns: tuple[str, ...] = ()) -> dict[str, Any]:
    triggers = ("__pregel_push",) if push else (f"branch:to:{name}",)
    return {"type": "tasks", "ns": ns, "data": {"id": task, "name": name, "input": {"n": 1}, "triggers": triggers}}


def end(task: str, name: str, result: Any = None, ns: tuple[str, ...] = (), **more: Any) -> dict[str, Any]:
    data = {"id": task, "name": name, "error": None, "result": result or {}, "interrupts": [], **more}
    return {"type": "tasks", "ns": ns, "data": data}


def test_send_workers_without_a_checkpointer_are_held_until_the_burst_of_starts_is_over() -> None:
    parts = [
        {"type": "values", "ns": (), "data": {"n": 0}, "interrupts": ()},
        start("w1", "work", push=True),
        start("w2", "work", push=True),
        {"type": "messages", "ns": (), "data": ("tok", {"langgraph_checkpoint_ns": "work:w2"})},
        end("w2", "work", {"n": 2}),
        {"type": "custom", "ns": (), "data": "mine"},
        end("w1", "work", {"n": 1}),
        {"type": "values", "ns": (), "data": {"n": 3}, "interrupts": ()},
    ]
    trig = ("__pregel_push",)
    assert parts_to_events(parts, {"n": 0}) == [
        ("run_start", None, None, 0, (), {"input": {"n": 0}}),
        ("step_start", None, None, 1, (), ["work", "work"]),
        ("task_start", "work", "w1", 1, (), {"input": {"n": 1}, "triggers": trig}),
        ("task_start", "work", "w2", 1, (), {"input": {"n": 1}, "triggers": trig}),
        ("message", "work", "w2", 1, (), ("tok", {"langgraph_checkpoint_ns": "work:w2"})),
        ("task_end", "work", "w2", 1, (), {"n": 2}),
        ("chunk", "work", "w1", 1, (), "mine"),  # the only task still running: it is its chunk
        ("task_end", "work", "w1", 1, (), {"n": 1}),
        ("step_end", None, None, 1, (), {"n": 3}),
        ("run_end", None, None, 1, (), {"n": 3}),
    ]


def test_checkpoints_give_the_step_s_task_list_and_number_before_its_tasks_start() -> None:
    checkpoint = {
        "type": "checkpoints", "ns": (),
        "data": {"metadata": {"source": "loop", "step": 4}, "values": {"n": 9},
                 "tasks": [{"id": "a1", "name": "a"}, {"id": "b1", "name": "b"}]},
    }
    parts = [checkpoint, start("a1", "a"), start("b1", "b"), {"type": "custom", "ns": (), "data": "?"},
             end("a1", "a"), {"type": "updates", "ns": (), "data": {"b": None}}, end("b1", "b", {"n": 1}),
             {"type": "updates", "ns": (), "data": {"__interrupt__": ()}}]
    events = parts_to_events(parts)
    assert [e[:5] for e in events] == [
        ("run_start", None, None, 0, ()),
        ("step_start", None, None, 5, ()),
        ("task_start", "a", "a1", 5, ()),
        ("task_start", "b", "b1", 5, ()),
        ("chunk", "a / b", None, 5, ()),  # two tasks of two nodes run: the panel is named for both
        ("task_end", "a", "a1", 5, ()),
        ("task_end", "b", "b1", 5, ()),
        ("task_end", "a / b", None, 5, ()),
        ("interrupt", None, None, 5, ()),  # interrupt_after: no step end, the run is interrupted
        ("run_end", None, None, 5, ()),
    ]
    assert events[1][5] == ["a", "b"] and events[6][5] is None  # `updates` says `b` returned None


def test_a_subgraph_s_run_starts_and_ends_inside_its_task_and_errors_end_the_run() -> None:
    sub = ("inner:s1",)
    boom = ValueError("boom")
    parts = [start("s1", "inner"), start("x1", "x", ns=sub), {"type": "custom", "ns": sub, "data": "hi"},
             end("x1", "x", ns=sub, error=boom), end("s1", "inner", error=boom)]
    assert parts_to_events(parts, error=boom) == [
        ("run_start", None, None, 0, (), {"input": None}),
        ("step_start", None, None, 1, (), ["inner"]),
        ("task_start", "inner", "s1", 1, (), {"input": {"n": 1}, "triggers": ("branch:to:inner",)}),
        ("run_start", None, None, 0, sub, {"input": {"n": 1}}),
        ("step_start", None, None, 1, sub, ["x"]),
        ("task_start", "x", "x1", 1, sub, {"input": {"n": 1}, "triggers": ("branch:to:x",)}),
        ("chunk", "x", "x1", 1, sub, "hi"),
        ("task_error", "x", "x1", 1, sub, boom),
        ("run_error", None, None, 1, sub, boom),
        ("task_error", "inner", "s1", 1, (), boom),
        ("run_error", None, None, 1, (), boom),
    ]


def test_a_chunk_of_a_functional_api_task_goes_to_that_task_not_to_its_caller() -> None:
    # A `@task` runs beside the entrypoint that called it; its chunks carry the caller's namespace.
    parts = [start("f1", "flow"), start("s1", "shout", push=True),
             {"type": "custom", "ns": ("flow:f1",), "data": "x"}, end("s1", "shout"), end("f1", "flow")]
    assert [e[:5] for e in parts_to_events(parts)] == [
        ("run_start", None, None, 0, ()),
        ("step_start", None, None, 1, ()),
        ("task_start", "flow", "f1", 1, ()),
        ("task_start", "shout", "s1", 1, ()),
        ("chunk", "shout", "s1", 1, ()),
        ("task_end", "shout", "s1", 1, ()),
        ("task_end", "flow", "f1", 1, ()),
        ("step_end", None, None, 1, ()),
        ("run_end", None, None, 1, ()),
    ]


def test_interrupts_become_livegraph_interrupts_of_their_task() -> None:
    parts = [start("r1", "review"), end("r1", "review", interrupts=[{"value": {"q": 1}, "id": "i1"}])]
    assert parts_to_events(parts)[-2:] == [
        ("interrupt", "review", "r1", 1, (), (Interrupt({"q": 1}, "i1"),)),
        ("run_end", None, None, 1, (), None),
    ]


def test_is_langgraph_tells_graphs_apart_without_importing_langgraph() -> None:
    code = (
        "import sys\nfrom livegraph.notebook._langgraph import is_langgraph\n"
        "from livegraph.graph import StateGraph\nclass Fake: pass\nFake.__module__ = 'langgraph.graph.state'\n"
        "print(is_langgraph(Fake()), is_langgraph(StateGraph(dict)), 'langgraph' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["True", "False", "False"]
    assert is_langgraph(build(PIPELINE, "langgraph")["graph"])


# -- diagrams ------------------------------------------------------------------------------------------------


DIAGRAM = """
    import operator
    from typing import Annotated, Literal, TypedDict
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Command

    class S(TypedDict):
        x: Annotated[list, operator.add]

    def node(s):
        return {}

    def choose(s) -> Command[Literal["a", "b"]]:
        return Command(goto="a")

    inner = StateGraph(S).add_node("i1", node).add_node("i2", node).add_edge(START, "i1")
    inner = inner.add_conditional_edges("i1", lambda s: "i2", {"go": "i2", "stop": END}).add_edge("i2", END).compile()
    graph = (
        StateGraph(S).add_node("choose", choose).add_node("a", node).add_node("b", node).add_node("sub", inner)
        .add_edge(START, "choose").add_edge(["a", "b"], "sub").add_edge("sub", END).compile()
    )
"""


def edges(dot: str) -> list[str]:
    return [re.sub(r' \[id="[^"]*", ', " [", line.strip()) for line in dot.splitlines() if "->" in line]


def test_a_langgraph_graph_is_drawn_with_joins_commands_and_subgraph_clusters() -> None:
    graph = build(DIAGRAM, "langgraph")["graph"]
    dot = render.to_dot(graph, xray=True)
    assert 'subgraph "cluster_sub" {' in dot
    assert edges(dot) == [
        '"sub:__start__" -> "sub:i1" [class="lg-edge"];',
        '"sub:i1" -> "sub:__end__" [class="lg-edge lg-conditional", style="dashed", label="stop"];',
        '"sub:i1" -> "sub:i2" [class="lg-edge lg-conditional", style="dashed", label="go"];',
        '"sub:i2" -> "sub:__end__" [class="lg-edge"];',
        '"__start__" -> "choose" [class="lg-edge"];',
        '"a" -> "sub:__start__" [class="lg-edge lg-join", color="#7c3aed", arrowhead="empty"];',
        '"b" -> "sub:__start__" [class="lg-edge lg-join", color="#7c3aed", arrowhead="empty"];',
        '"choose" -> "a" [class="lg-edge lg-command", style="dotted"];',
        '"choose" -> "b" [class="lg-edge lg-command", style="dotted"];',
        '"sub:__end__" -> "__end__" [class="lg-edge"];',
    ]
    # what `get_graph(xray=True)` returns draws the same (joins and commands need the compiled graph)
    plain = render.to_dot(graph.get_graph(xray=True))
    assert 'subgraph "cluster_sub" {' in plain and "lg-join" not in plain and "lg-command" not in plain
    # the drawing of the livegraph build of the same code has the same arrows
    assert sorted(edges(render.to_dot(build(DIAGRAM, "livegraph")["graph"], xray=True))) == sorted(edges(dot))


def test_a_langgraph_graph_draws_offline_as_svg_png_and_mermaid() -> None:
    graph = build(DIAGRAM, "langgraph")["graph"]
    if render.find_renderer() is None:
        pytest.skip("no Graphviz renderer (graphviz-pure comes with livegraph[notebook])")
    svg = render.to_svg(graph, xray=1)
    assert svg.startswith("<svg") and 'id="node&#45;sub&#45;3a&#45;i1"' in svg
    assert render.to_png(graph)[:8] == b"\x89PNG\r\n\x1a\n"
    bundle = render.show(graph, xray=True)._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    assert bundle["text/plain"] == "<graph 'LangGraph': 6 nodes, 6 edges>"
    assert render.to_mermaid(graph).splitlines()[1:6] == [
        '\t__start__(["__start__"]):::first', '\tchoose["choose"]', '\ta["a"]', '\tb["b"]', '\tsub["sub"]'
    ]


def test_drawing_something_else_names_it() -> None:
    with pytest.raises(TypeError) as info:
        render.to_dot(42)  # type: ignore[arg-type]
    assert str(info.value) == (
        "Cannot draw a int: pass a compiled graph (livegraph's or LangGraph's) or what its `get_graph()` returns"
    )
