"""The replay of a recorded thread: what step k shows (plain functions, exact HTML), the widget's slider
and buttons without a kernel, and the whole story in a real kernel (a run stopped at an interrupt,
answered by a click, then replayed step by step)."""

from __future__ import annotations

import html
from typing import Any, TypedDict

import pytest

from livegraph import Command, Event
from livegraph.checkpoint.memory import InMemorySaver
from livegraph.config import get_stream_writer
from livegraph.graph import END, START, StateGraph
from livegraph.types import interrupt

rp = pytest.importorskip("livegraph.notebook._replay")
pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from livegraph.notebook._format import PanelRecord, panel_html  # noqa: E402

MONO = "font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:12px"
FONT = "font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px"


class S(TypedDict, total=False):
    draft: str
    verdict: Any


def write(state: S) -> dict[str, Any]:
    for piece in ["Hello", " <world>"]:
        get_stream_writer()(piece)
    return {"draft": "Hello <world>"}


def review(state: S) -> dict[str, Any]:
    return {"verdict": interrupt({"draft": state["draft"]})}


def send(state: S) -> dict[str, Any]:
    get_stream_writer()({"sent": state["verdict"]})
    return {}


def make_graph(saver: Any = None) -> Any:
    return (
        StateGraph(S).add_node("write", write).add_node("review", review).add_node("send", send)
        .add_edge(START, "write").add_edge("write", "review").add_edge("review", "send").add_edge("send", END)
        .compile(checkpointer=saver or InMemorySaver())
    )


CONFIG = {"configurable": {"thread_id": "r"}}


@pytest.fixture
def recorded() -> tuple[Any, Any]:
    """A thread run to its interrupt, then resumed, with both runs' events recorded."""
    graph, recordings = make_graph(), rp.Recordings()
    recordings.add(graph, CONFIG, graph.stream({"draft": ""}, CONFIG, stream_mode="events"))
    recordings.add(graph, CONFIG, graph.stream(Command(resume=True), CONFIG, stream_mode="events"))
    return graph, recordings


def state_html(step: int, text: str) -> str:
    return (
        '<details class="lg-replay-state" open><summary style="cursor:pointer"><b>state after step '
        f'{step}</b></summary><pre style="{MONO};white-space:pre-wrap;word-break:break-word;margin:4px 0 0 0">'
        f"{text}</pre></details>"
    )


def step_html(line: str, panels: list[PanelRecord], state: str, waiting: str = "") -> str:
    return (
        f'<div class="lg-replay-step" style="{FONT}"><div class="lg-status" style="margin:0 0 6px 0;'
        f'color:#64748b">{line}</div>{"".join(panel_html(p) for p in panels)}{waiting}{state}</div>'
    )


def test_each_step_shows_its_nodes_chunks_and_state(recorded: tuple[Any, Any]) -> None:
    graph, recordings = recorded
    steps = rp.replay_steps(graph.get_state_history(CONFIG), recordings.runs(graph, CONFIG))
    assert [rp.step_line(steps, i) for i in range(len(steps))] == [
        "1/4 · step 0 · input · __start__",
        "2/4 · step 1 · loop · write",
        "3/4 · step 2 · loop · review",
        "4/4 · step 3 · loop · send",
    ]
    assert [s.panels for s in steps] == [
        (PanelRecord("__start__", 0, "done", "", "input: {'draft': ''}"),),
        (PanelRecord("write", 1, "done", "Hello <world>"),),
        (PanelRecord("review", 2, "done", "", "update: {'verdict': True}"),),
        (PanelRecord("send", 3, "done", "{'sent': True}\n"),),
    ]
    assert rp.step_html(steps, 1) == step_html(
        "2/4 · step 1 · loop · write",
        [PanelRecord("write", 1, "done", "Hello <world>")],
        state_html(1, "draft: &#x27;Hello &lt;world&gt;&#x27;"),
        f'<div class="lg-replay-waiting" style="{MONO};color:#ca8a04;margin:0 0 6px 0">'
        "interrupt at review: {&#x27;draft&#x27;: &#x27;Hello &lt;world&gt;&#x27;}</div>",
    )
    assert rp.step_html(steps, 3) == step_html(
        "4/4 · step 3 · loop · send",
        [PanelRecord("send", 3, "done", "{'sent': True}\n")],
        state_html(3, "draft: &#x27;Hello &lt;world&gt;&#x27;\nverdict: True"),
    )


def test_a_sqlite_thread_replays_the_same(tmp_path: Any) -> None:
    from livegraph.checkpoint.sqlite import SqliteSaver

    graph, recordings = make_graph(SqliteSaver(tmp_path / "threads.db")), rp.Recordings()
    recordings.add(graph, CONFIG, graph.stream({"draft": ""}, CONFIG, stream_mode="events"))
    recordings.add(graph, CONFIG, graph.stream(Command(resume=[1, "two"]), CONFIG, stream_mode="events"))
    steps = rp.replay_steps(graph.get_state_history(CONFIG), recordings.runs(graph, CONFIG))
    assert [s.panels for s in steps] == [
        (PanelRecord("__start__", 0, "done", "", "input: {'draft': ''}"),),
        (PanelRecord("write", 1, "done", "Hello <world>"),),
        (PanelRecord("review", 2, "done", "", "update: {'verdict': [1, 'two']}"),),
        (PanelRecord("send", 3, "done", "{'sent': [1, 'two']}\n"),),
    ]
    assert steps[3].values == {"draft": "Hello <world>", "verdict": [1, "two"]}


def test_the_diagram_lights_the_steps_nodes_and_marks_earlier_ones_done(recorded: tuple[Any, Any]) -> None:
    graph, recordings = recorded
    steps = rp.replay_steps(graph.get_state_history(CONFIG), recordings.runs(graph, CONFIG))
    assert [rp.step_states(steps, i) for i in range(len(steps))] == [
        {"__start__": "running"},
        {"__start__": "done", "write": "running", "review": "interrupted"},  # it waited there after this step
        {"__start__": "done", "write": "done", "review": "running"},
        {"__start__": "done", "write": "done", "review": "done", "send": "running", "__end__": "done"},
    ]


def test_a_thread_waiting_at_an_interrupt_shows_what_it_waits_for() -> None:
    graph, recordings = make_graph(), rp.Recordings()
    recordings.add(graph, CONFIG, graph.stream({"draft": ""}, CONFIG, stream_mode="events"))
    steps = rp.replay_steps(graph.get_state_history(CONFIG), recordings.runs(graph, CONFIG))
    assert rp.step_states(steps, 1) == {"__start__": "done", "write": "running", "review": "interrupted"}
    assert rp.step_html(steps, 1) == step_html(
        "2/2 · step 1 · loop · write",
        [PanelRecord("write", 1, "done", "Hello <world>")],
        state_html(1, "draft: &#x27;Hello &lt;world&gt;&#x27;"),
        f'<div class="lg-replay-waiting" style="{MONO};color:#ca8a04;margin:0 0 6px 0">'
        "interrupt at review: {&#x27;draft&#x27;: &#x27;Hello &lt;world&gt;&#x27;}</div>",
    )


def test_without_recorded_events_a_step_shows_each_nodes_update() -> None:
    graph = make_graph()
    graph.invoke({"draft": ""}, CONFIG)
    graph.invoke(Command(resume={"ok": 1}), CONFIG)
    steps = rp.replay_steps(graph.get_state_history(CONFIG))
    assert [s.panels for s in steps] == [
        (PanelRecord("__start__", 0, "done", "", "input: {'draft': ''}"),),
        (PanelRecord("write", 1, "done", "", "update: {'draft': 'Hello <world>'}"),),
        (PanelRecord("review", 2, "done", "", "update: {'verdict': {'ok': 1}}"),),
        (PanelRecord("send", 3, "done", "", "update: {}"),),
    ]


def ev(kind: Any, node: str | None, task: str | None, step: int, data: Any = None, ns: tuple[str, ...] = ()) -> Event:
    return Event(kind, node, task, step, ns, 0.0, data)


def test_the_run_that_made_the_checkpoint_gives_the_chunks() -> None:
    first = [ev("step_start", None, None, 2, ["w"]), ev("task_start", "w", "t1", 2), ev("chunk", "w", "t1", 2, "old"),
             ev("step_end", None, None, 2, {"x": 1})]
    second = [ev("step_start", None, None, 2, ["w"]), ev("task_start", "w", "t2", 2), ev("chunk", "w", "t2", 2, "new"),
              ev("step_end", None, None, 2, {"x": 2})]
    cut = [ev("step_start", None, None, 2, ["w"]), ev("task_start", "w", "t3", 2), ev("chunk", "w", "t3", 2, "cut")]
    first, second, cut = (rp.split_steps(run) for run in (first, second, cut))
    assert rp.pick_events([first, second, cut], 2, {"x": 1}) == first[2]
    assert rp.pick_events([first, second, cut], 2, {"x": 3}) == second[2]
    assert rp.pick_events([cut], 2, {"x": 3}) == cut[2]
    assert rp.pick_events([first], 3, {}) == []


def test_a_steps_events_include_its_subgraphs_and_send_workers_get_their_own_panels() -> None:
    run = [
        ev("run_start", None, None, 0),
        ev("step_start", None, None, 1, ["w", "w"]),
        ev("task_start", "w", "a", 1),
        ev("task_start", "w", "b", 1),
        ev("chunk", "inner", "c", 1, "deep", ns=("w:a",)),
        ev("chunk", "w", "b", 1, "two"),
        ev("task_end", "w", "a", 1, {"n": 1}),
        ev("task_end", "w", "b", 1, {"n": 2}),
        ev("step_end", None, None, 1, {}),
        ev("step_start", None, None, 2, ["z"]),
        ev("task_start", "z", "d", 2),
    ]
    assert [e.task_id for e in rp.step_events(run, 1)] == [None, "a", "b", "c", "b", "a", "b", None]
    assert rp.recorded_panels(rp.step_events(run, 1)) == [
        PanelRecord("w #1", 1, "done", "", "update: {'n': 1}"),
        PanelRecord("w #2", 1, "done", "two"),
        PanelRecord("w › inner", 1, "running", "deep"),
    ]


def test_recordings_are_kept_per_checkpointer_and_thread_and_bounded() -> None:
    one, two = make_graph(), make_graph()
    recordings = rp.Recordings(max_runs=2)
    events = [ev("task_start", "w", "t", 1)]
    for n in range(3):
        recordings.add(one, CONFIG, [*events, ("events", ev("chunk", "w", "t", 1, n)), "not an event"])
    recordings.add(one, {"configurable": {"thread_id": "other"}}, events)
    recordings.add(one, {}, events)
    plain = StateGraph(S).add_node("write", write).add_edge(START, "write").compile()  # no checkpointer
    recordings.add(plain, CONFIG, events)
    assert recordings.runs(plain, CONFIG) == []
    assert [[e.data for e in r] for r in recordings.runs(one, CONFIG)] == [[None, 1], [None, 2]]
    assert recordings.runs(two, CONFIG) == []
    assert len(recordings.runs(one, {"configurable": {"thread_id": "other"}})) == 1
    recordings.clear()
    assert recordings.runs(one, CONFIG) == []


# -- the widget, without a kernel ------------------------------------------------------------------------


def test_the_slider_and_buttons_step_through_the_thread(recorded: tuple[Any, Any]) -> None:
    from livegraph import render

    graph, recordings = recorded
    view = rp.replay(graph, CONFIG, runs=recordings.runs(graph, CONFIG))
    assert repr(view) == "<Replay 4 steps, showing 3>"
    assert view.next.disabled and not view.prev.disabled
    view.prev.click()
    view.prev.click()
    assert view.slider.value == 1
    assert view.body.value == rp.step_html(view.steps, 1)
    if view._svg is not None:
        assert view.diagram.svg == render.svg_with_states(
            view._svg, {"__start__": "done", "write": "running", "review": "interrupted"}, view._scope
        )
    view.show(-5)
    assert view.slider.value == 0 and view.prev.disabled and not view.next.disabled
    view.slider.value = 2
    assert view.body.value == rp.step_html(view.steps, 2)
    view.next.click()
    view.next.click()
    assert view.slider.value == 3


def test_a_thread_with_no_checkpoints_cannot_be_replayed() -> None:
    with pytest.raises(ValueError) as info:
        rp.replay(make_graph(), {"configurable": {"thread_id": "none"}})
    assert str(info.value) == (
        "Thread `none` has no checkpoints to replay; run it first with "
        "`livegraph.notebook.run(graph, inputs, config)`"
    )


def test_a_resume_form_records_the_resumed_run_for_the_replay() -> None:
    from livegraph.notebook._hitl import ResumeForm

    graph, recordings = make_graph(), rp.Recordings()
    config = {"configurable": {"thread_id": "form"}}
    graph.invoke({"draft": ""}, config)
    form = ResumeForm(graph, config, on_events=recordings.recorder(graph))
    form.forms[0].buttons["approve"].click()
    steps = rp.replay_steps(graph.get_state_history(config), recordings.runs(graph, config))
    assert steps[3].panels == (
        PanelRecord("send", 3, "done", "{'sent': {'action': 'approve', 'value': {'draft': 'Hello <world>'}}}\n"),
    )
    assert steps[1].panels == (PanelRecord("write", 1, "done", "", "update: {'draft': 'Hello <world>'}"),)


# -- in a real kernel ------------------------------------------------------------------------------------


@pytest.mark.kernel
@pytest.mark.timeout(120)
def test_in_a_kernel_a_thread_answered_by_a_click_replays_step_by_step() -> None:
    from kernel_helpers import Kernel
    from test_notebook_hitl import KERNEL_GRAPH

    pytest.importorskip("jupyter_client")
    kernel = Kernel()
    try:
        for cell in (
            KERNEL_GRAPH,
            "from livegraph.notebook._replay import replay",
            'config = {"configurable": {"thread_id": "k2"}}\nlgn.run(graph, {"draft": ""}, config)',
            'form = resume_form(graph, config)\nform.forms[0].buttons["approve"].click()',
        ):
            _, _, reply = kernel.execute(cell)
            assert reply["status"] == "ok", reply
        _, msgs, reply = kernel.execute("view = replay(graph, config)\nview")
        assert reply["status"] == "ok", reply
        (shown,) = [m for m in msgs if m["msg_type"] == "execute_result"]
        # Where widgets do not run, the step shown (the newest) in words, and as HTML with the diagram.
        assert shown["content"]["data"]["text/plain"] == (
            "4/4 · step 3 · loop · send\n── send · step 3 · done ──\n"
            'sent: {"action": "approve", "value": {"draft": "Hello world", "question": "ok?"}}\n'
            "state after step 3:\ndraft: 'Hello world'\n"
            "verdict: {'action': 'approve', 'value': {'draft': 'Hello world', 'question': 'ok?'}}"
        )
        assert '<img src="data:image/svg+xml;base64,' in shown["content"]["data"]["text/html"]
        ids = kernel.value(
            '{"body": view.body.model_id, "slider": view.slider.model_id, "prev": view.prev.model_id, '
            '"diagram": view.diagram.model_id}'
        )
        body = kernel.models[ids["body"]]["value"]
        assert '<div class="lg-status" style="margin:0 0 6px 0;color:#64748b">4/4 · step 3 · loop · send</div>' in body
        sent = 'sent: {"action": "approve", "value": {"draft": "Hello world", "question": "ok?"}}'
        assert html.escape(sent) in body  # streamed by the resumed run, which the form recorded
        # Step back as the page does: a click on Prev, then the slider dragged to the first step.
        kernel.send(ids["prev"], {"method": "custom", "content": {"event": "click"}})
        assert kernel.models[ids["slider"]]["value"] == 2
        assert "3/4 · step 2 · loop · review" in kernel.models[ids["body"]]["value"]
        kernel.send(ids["slider"], {"method": "update", "state": {"value": 0}, "buffer_paths": []})
        body = kernel.models[ids["body"]]["value"]
        assert "1/4 · step 0 · input · __start__" in body
        assert "input: {&#x27;draft&#x27;: &#x27;&#x27;}" in body
        assert kernel.value("view.slider.value") == 0
        svg = kernel.models[ids["diagram"]]["svg"]
        assert svg.startswith("<svg") or svg.startswith("<?xml") or "no diagram" in svg
    finally:
        kernel.close()
