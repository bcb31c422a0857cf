"""The widgets' traffic, without a kernel: a comm that records what would cross to the browser.

Only new text crosses (custom `{"append": ...}` messages), one message per panel per refresh however many
chunks came, the whole text once at the end, the diagram only when node states change."""

from __future__ import annotations

import base64
import json
import re
import sys
from collections.abc import Iterator
from typing import Any, TypedDict

import comm
import pytest
from comm.base_comm import BaseComm

from livegraph import Event
from livegraph.graph import END, START, StateGraph
from livegraph.notebook import Panel, RunView
from livegraph.notebook._view import require

Wire = list[tuple[str, str, dict[str, Any]]]


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    """Every comm message widgets send: `(msg_type, comm_id, data)`."""
    log: Wire = []

    class Recording(BaseComm):
        def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None,
                        **keys: Any) -> None:
            log.append((msg_type, self.comm_id, data or {}))

    monkeypatch.setattr(comm, "create_comm", Recording)
    return log


def customs(wire: Wire, comm_id: str) -> list[Any]:
    return [d["content"] for t, c, d in wire if t == "comm_msg" and c == comm_id and d.get("method") == "custom"]


def updates(wire: Wire, comm_id: str) -> list[dict[str, Any]]:
    return [d["state"] for t, c, d in wire if t == "comm_msg" and c == comm_id and d.get("method") == "update"]


def ev(kind: Any, node: str | None = None, task: str | None = None, *, step: int = 1, data: Any = None) -> Event:
    return Event(kind, node, task, step, (), 0.0, data)


class State(TypedDict):
    topic: str


def graph() -> Any:
    def a(state: State) -> dict[str, Any]:
        return {}

    return StateGraph(State).add_node("a", a).add_node("b", a).add_edge(START, "a").add_edge("a", "b").add_edge("b", END).compile()


def test_a_panel_sends_only_new_text_once_per_refresh(wire: Wire) -> None:
    panel = Panel("talk", auto_refresh=False)
    pid = panel.widget.model_id
    for i in range(10_000):
        panel.append({"custom_llm_chunk": f"{i} "})
    panel.refresh()
    first = "".join(f"{i} " for i in range(10_000))
    assert customs(wire, pid) == [{"append": first}]
    panel.append("tail")
    panel.append({"progress": 1})
    panel.refresh()
    panel.refresh()
    assert customs(wire, pid) == [{"append": first}, {"append": "tail\n{'progress': 1}\n"}]
    assert updates(wire, pid) == []
    panel.stop()
    assert updates(wire, pid) == [{"text": first + "tail\n{'progress': 1}\n", "state": "done"}]
    assert panel.text == first + "tail\n{'progress': 1}\n"
    sent = sum(len(json.dumps(d)) for t, c, d in wire if c == pid and t == "comm_msg")
    assert sent <= 2 * len(panel.text) + 200


def test_a_panel_takes_every_stream_shape_and_shows_errors(wire: Wire) -> None:
    panel = Panel(auto_refresh=False)
    panel.append(("custom", "a"))
    panel.append((("sub:1",), "custom", "b"))
    panel.append(Event("chunk", "n", "t", 1, (), 0.0, "c"))
    panel.append(Event("task_start", "n", "t", 1, (), 0.0, {}))
    panel.append(Event("task_error", "n", "t", 1, (), 0.0, ValueError("boom")))
    panel.refresh()
    pid = panel.widget.model_id
    assert customs(wire, pid) == [{"append": "abc"}]
    assert updates(wire, pid) == [{"state": "error", "note": "ValueError: boom"}]
    panel.stop()
    assert updates(wire, pid)[-1] == {"text": "abc"}
    assert repr(panel) == "<Panel '' 3 chars>"


def test_a_panel_appended_after_stop_goes_on(wire: Wire) -> None:
    panel = Panel(auto_refresh=False)
    panel.append("one ")
    panel.stop()
    panel.append("two")
    panel.stop()
    assert customs(wire, panel.widget.model_id) == [{"append": "one "}, {"append": "two"}]
    assert [u["text"] for u in updates(wire, panel.widget.model_id)] == ["one ", "one two"]


class Clock:
    def __init__(self) -> None:
        self.now = 1.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def view(wire: Wire, clock: Clock) -> Iterator[RunView]:
    view = RunView(graph(), auto_refresh=False, clock=clock)
    yield view
    view.stop()


def test_a_run_view_sends_panels_text_states_and_status(wire: Wire, view: RunView, clock: Clock) -> None:
    diagram, status = view._diagram.model_id, view._status.model_id
    assert view._diagram.svg.startswith("<svg") and "lg-states" not in view._diagram.svg
    for event in (ev("run_start", step=0, data={}), ev("step_start", data=["a"]), ev("task_start", "a", "t1")):
        view.feed(event)
    del wire[:]
    view.refresh()
    (panel,) = view._panels.values()
    assert (panel.title, panel.step, panel.state) == ("a", 1, "running")
    assert [t for t, c, _ in wire if c == panel.model_id][:1] == ["comm_open"]
    assert updates(wire, view._panel_box.model_id) == [{"children": [f"IPY_MODEL_{panel.model_id}"]}]
    (svg,) = [u["svg"] for u in updates(wire, diagram)]
    assert f"#{view._scope}node-a>:not(text)" in svg
    assert updates(wire, status) == [{"value": '<div class="lg-status">step 1 · running: a · 1.0 s</div>'}]

    del wire[:]
    for i in range(1000):
        view.feed(ev("chunk", "a", "t1", data=str(i % 10)))
    clock.now = 2.0
    view.refresh()
    assert customs(wire, panel.model_id) == [{"append": "0123456789" * 100}]
    assert updates(wire, diagram) == []  # no state changed: the SVG is not sent again
    assert updates(wire, status) == [{"value": '<div class="lg-status">step 1 · running: a · 2.0 s · 1000 tokens, 500 tok/s</div>'}]

    del wire[:]
    view.refresh()
    assert wire == []


def test_a_failing_task_shows_its_error_in_its_panel(wire: Wire, view: RunView) -> None:
    for event in (ev("step_start", data=["a"]), ev("task_start", "a", "t1"), ev("chunk", "a", "t1", data="x"),
                  ev("task_error", "a", "t1", data=KeyError("k"))):
        view.feed(event)
    view.refresh()
    (panel,) = view._panels.values()
    assert (panel.state, panel.note) == ("error", "KeyError: 'k'")
    assert "node-a>:not(text){stroke:#dc2626" in view._diagram.svg


def test_stopping_leaves_the_record_and_closes_every_widget(wire: Wire, view: RunView) -> None:
    for event in (ev("step_start", data=["a"]), ev("task_start", "a", "t1"), ev("chunk", "a", "t1", data="<b>hi</b>"),
                  ev("task_end", "a", "t1"), ev("run_end", data={"topic": "cats"})):
        view.feed(event)
    opened = {c for t, c, _ in wire if t == "comm_open"}
    view.stop()
    opened |= {c for t, c, _ in wire if t == "comm_open"}
    assert opened == {c for t, c, _ in wire if t == "comm_close"}
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert "&lt;b&gt;hi&lt;/b&gt;</pre>" in bundle["text/html"]
    # The diagram is an <img> of the SVG (a data URI), with the node states drawn in.
    svg = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', bundle["text/html"])[1]).decode()
    assert f'id="{view._scope}node-a"'.replace("-", "&#45;") in svg  # as Graphviz writes ids
    assert "<svg" not in bundle["text/html"]
    assert bundle["text/plain"] == "done · 1 step · < 1 ms · 1 token\n── a · step 1 · done ──\n<b>hi</b>"
    assert repr(view) == "<RunView 'LangGraph' done>"
    with pytest.raises(RuntimeError, match=r"^This RunView was stopped; make a new one for another run$"):
        view.feed(ev("chunk", "a", "t1", data="late"))


def test_without_the_record_the_widgets_stay_with_their_whole_text(wire: Wire) -> None:
    view = RunView(None, auto_refresh=False, record=False)
    view.feed(ev("task_start", "a", "t1"))
    view.refresh()
    view.feed(ev("chunk", "a", "t1", data="one "))
    view.feed(ev("chunk", "a", "t1", data="two"))
    view.feed(ev("task_end", "a", "t1"))
    view.feed(ev("run_end", data={"k": "<v>"}))
    view.stop()
    (panel,) = view._panels.values()
    assert customs(wire, panel.model_id) == [{"append": "one two"}]
    assert updates(wire, panel.model_id) == [{"state": "done"}, {"text": "one two"}]
    assert not any(t == "comm_close" for t, _, _ in wire)
    assert view._diagram.svg == ""
    assert view._status.value.startswith('<div class="lg-status">done · 1 step · ')
    assert view._status.value.endswith("k: &#x27;&lt;v&gt;&#x27;</pre></details>")
    # Where widgets do not run (a notebook opened untrusted, GitHub): the run's record, not a repr.
    bundle = view._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == view.widget.model_id
    assert bundle["text/plain"] == "done · 1 step · < 1 ms · 2 tokens\n── a · step 1 · done ──\none two"
    assert bundle["text/html"].startswith('<div class="lg-record"')


def test_feed_names_the_right_call_for_what_it_cannot_take(wire: Wire) -> None:
    view = RunView(auto_refresh=False)
    view.feed(("values", {"topic": "x"}))  # another mode of a multi-mode stream: skipped
    view.feed((("sub:1",), ev("task_start", "a", "t1")))
    view.refresh()
    assert list(view.model.panels) == ["t1"]
    with pytest.raises(TypeError, match=r'^RunView.feed\(\) takes events, not dict: stream with `graph.stream\(inputs, stream_mode="events"\)`, or show plain chunks with `Panel\(\).append\(chunk\)`$'):
        view.feed({"custom_llm_chunk": "x"})
    view.stop()


def test_a_graph_that_cannot_be_drawn_says_why(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEGRAPH_DOT", "none")
    view = RunView(graph(), auto_refresh=False)
    assert view._diagram.svg.startswith("(no diagram: no Graphviz renderer found: pip install")
    view.stop()


def test_missing_widget_packages_name_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "anywidget", None)
    monkeypatch.delitem(sys.modules, "livegraph.notebook._widgets", raising=False)
    with pytest.raises(ImportError, match=r"^livegraph's notebook views need ipywidgets and anywidget \(anywidget is missing\): pip install 'livegraph\[notebook\]'$"):
        require()
    with pytest.raises(ImportError, match="pip install 'livegraph"):
        Panel()
