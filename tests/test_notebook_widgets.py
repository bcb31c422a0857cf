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


def ops(wire: Wire, comm_id: str) -> list[list[Any]]:
    """The board operations sent to `comm_id`, in order."""
    return [op for content in customs(wire, comm_id) for op in content["ops"]]


def test_a_run_view_sends_cards_text_states_and_status_in_one_message(wire: Wire, view: RunView, clock: Clock) -> None:
    diagram, board = view._diagram.model_id, view._board.model_id
    assert view._diagram.svg.startswith("<svg") and "lg-states" not in view._diagram.svg
    for event in (ev("run_start", step=0, data={}), ev("step_start", data=["a"]), ev("task_start", "a", "t1")):
        view.feed(event)
    del wire[:]
    view.refresh()
    assert customs(wire, board) == [{"ops": [["status", "step 1 · running: a · 1.0 s"], ["card", 0, "a", None, 1, "running"]]}]
    (css,) = [u["css"] for u in updates(wire, diagram)]
    assert css.startswith('<style class="lg-states">') and f"#{view._scope}node-a>:not(text)" in css
    assert not any(t == "comm_open" for t, _, _ in wire)  # no widget per task

    del wire[:]
    for i in range(1000):
        view.feed(ev("chunk", "a", "t1", data=str(i % 10)))
    clock.now = 2.0
    view.refresh()
    assert customs(wire, board) == [{"ops": [
        ["status", "step 1 · running: a · 2.0 s · 1000 tokens, 500 tok/s"], ["text", 0, "0123456789" * 100]]}]
    assert updates(wire, diagram) == []  # no state changed: nothing sent to the diagram

    del wire[:]
    view.refresh()
    assert wire == []
    view.feed(ev("task_end", "a", "t1"))
    view.refresh()  # the status line goes with the panel it describes, not STATUS_INTERVAL later
    assert customs(wire, board) == [{"ops": [["status", "step 1 · 2.0 s · 1000 tokens, 500 tok/s"], ["state", 0, "done", None]]}]


def test_a_failing_task_shows_its_error_in_its_panel(wire: Wire, view: RunView) -> None:
    for event in (ev("step_start", data=["a"]), ev("task_start", "a", "t1"), ev("chunk", "a", "t1", data="x"),
                  ev("task_error", "a", "t1", data=KeyError("k"))):
        view.feed(event)
    view.refresh()
    assert ops(wire, view._board.model_id)[1:] == [["card", 0, "a", None, 1, "error"], ["state", 0, "error", "KeyError: 'k'"], ["text", 0, "x"]]
    assert "node-a>:not(text){stroke:#dc2626" in view._diagram.css


def send_events(workers: int, chunks: int) -> list[Event]:
    """A `Send` step of `workers` tasks that stream `chunks` chunks each, interleaved, as a real run does."""
    events = [ev("run_start", step=0, data={}), ev("step_start", step=1, data=["work"] * workers)]
    push = ("__pregel_push",)
    events += [ev("task_start", "work", f"w{i}", data={"input": {"doc": i}, "triggers": push}) for i in range(workers)]
    events += [ev("chunk", "work", f"w{i}", data=f"w{i}.{c} ") for c in range(chunks) for i in range(workers)]
    events += [ev("task_error" if i == 7 else "task_end", "work", f"w{i}", data=ValueError("no") if i == 7 else {})
               for i in range(workers)]
    return [*events, ev("run_end", data={})]


def test_a_thousand_workers_make_no_widget_and_stay_within_the_byte_budget(wire: Wire, clock: Clock) -> None:
    view = RunView(graph(), auto_refresh=False, clock=clock)
    opened = {c for t, c, _ in wire if t == "comm_open"}
    assert len(opened) == 6  # the layout box, the diagram, the board, and their three Layouts
    events = send_events(1000, 20)
    del wire[:]
    for start in range(0, len(events), 1000):  # about 20 refreshes a second at full speed
        for event in events[start : start + 1000]:
            view.feed(event)
        view.refresh()
        clock.now += 0.05
    for _ in range(10):  # the tiles' previews follow within the budget
        view.refresh()
    assert not any(t == "comm_open" for t, _, _ in wire)
    sent = customs(wire, view._board.model_id)
    assert len(sent) <= len(events) // 1000 + 11  # one message per refresh
    assert max(len(json.dumps(m)) for m in sent) <= 25_000  # BYTES_PER_SECOND / per_second, and a little
    done = ops(wire, view._board.model_id)
    (fold,) = [op for op in done if op[0] == "fold"]
    assert fold == ["fold", 0, "work", [0, 1, 2, 3, 4, 5, 6, 7]]
    tiles = [op for op in done if op[0] == "tiles"]
    assert tiles[-1] == ["tiles", 0, "d" * 7 + "e" + "d" * 992, 1, []]  # the steps were sent before
    heads = {op[2]: op for op in done if op[0] == "head"}
    assert heads[7] == ["head", 0, 7, "work #8", "doc=7", 1, "error", "ValueError: no",
                        " ".join(f"w7.{c}" for c in range(20)), len("".join(f"w7.{c} " for c in range(20)))]
    assert len(heads) == 1000
    view.stop()
    record = view.record_bundle()
    assert len(record["text/html"]) + len(record["text/plain"]) < 500_000
    assert "1,000 tasks · 999 done, 1 error" in record["text/html"]
    assert record["text/plain"].splitlines()[1:3] == ["── work · 1,000 tasks · 999 done, 1 error ──",
                                                      "  work #1 · doc=0 · done · " + " ".join(f"w0.{c}" for c in range(20))[:79] + "…"]
    assert record["text/plain"].splitlines()[22:24] == ["  … 980 more tasks (the HTML record lists each)",
                                                        "── work #8 · step 1 · error ──"]


def test_a_picked_task_is_sent_whole_and_followed(wire: Wire, clock: Clock) -> None:
    view = RunView(None, auto_refresh=False, clock=clock, record=False)
    for event in send_events(20, 3)[:-1]:
        view.feed(event)
    view.refresh()
    del wire[:]
    view._on_msg(view._board, {"want": [0, 3]}, [])
    view.refresh()
    assert ops(wire, view._board.model_id) == [["focus", 0, 3, "work #4", "doc=3", 1, "done", None, 0, "w3.0 w3.1 w3.2 "]]
    view._on_msg(view._board, {"want": [0, 99]}, [])  # out of range: nothing
    view._on_msg(view._board, {"follow": 0}, [])
    view.refresh()  # back to the most recently active: the last that wrote
    assert ops(wire, view._board.model_id)[1:] == [["focus", 0, 19, "work #20", "doc=19", 1, "done", None, 0, "w19.0 w19.1 w19.2 "]]
    view.stop()
    snapshot = view._board.snapshot
    assert snapshot[:2] == [["status", snapshot[0][1]], ["fold", 0, "work", []]]
    assert snapshot[0][1].startswith("stopped · 1 step · ")


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
    board = view._board.model_id
    assert ops(wire, board)[1:] == [["card", 0, "a", None, 1, "running"], ["status", ops(wire, board)[2][1]],
                                    ["state", 0, "done", None], ["text", 0, "one two"]]
    assert view._board.snapshot[1:] == [["card", 0, "a", None, 1, "done"], ["text", 0, "one two"], ["state", 0, "done", None]]
    assert view._board.snapshot[0][1].startswith("done · 1 step · ")
    assert not any(t == "comm_close" for t, _, _ in wire)
    assert view._diagram.svg == ""
    assert view._board.final.endswith("k: &#x27;&lt;v&gt;&#x27;</pre></details>")
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
