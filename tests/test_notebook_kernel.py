"""The live view in a real kernel: what crosses to the frontend, message by message.

A kernel started with `jupyter_client` runs a streaming graph in a cell; the test reads every IOPub
message and asserts that the panels' custom messages carry only new text (all of it, once), that every
message is attributed to the cell that started the run (also from worker threads and after an `await`),
and that the cell ends with a static record in place of the widgets. nbclient then shows what a saved
notebook keeps: the record as HTML, and a hand-fed panel's whole text in the widget state."""

from __future__ import annotations

import html
import itertools
import json
import os
import queue
import textwrap
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kernel_helpers import (
    Kernel,
    appends,
    board_messages,
    board_ops,
    kernel_env,
    of,
    panels,
    seconds,
    started_kernel,
)

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(180)]

pytest.importorskip("jupyter_client")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

GRAPH = textwrap.dedent(
    """
    import asyncio, operator, time
    from typing import Annotated, TypedDict
    from livegraph.config import get_stream_writer
    from livegraph.graph import END, START, StateGraph
    from livegraph.types import Send
    import livegraph.notebook as lgn

    class S(TypedDict):
        topics: list
        out: Annotated[list, operator.add]

    def plan(state):
        return {}

    def write(arg):
        writer = get_stream_writer()
        for i in range(100):
            writer({"custom_llm_chunk": f"{arg['topic']}{i} "})
            time.sleep(0.005)
        if arg["topic"] == "boom":
            raise ValueError("boom <b>")
        return {"out": [arg["topic"]]}

    async def awrite(arg):
        writer = get_stream_writer()
        for i in range(100):
            writer({"custom_llm_chunk": f"{arg['topic']}{i} "})
            await asyncio.sleep(0.005)
        return {"out": [arg["topic"]]}

    def build(node):
        fan = lambda state: [Send("write", {"topic": t}) for t in state["topics"]]
        return (StateGraph(S).add_node("plan", plan).add_node("write", node).add_edge(START, "plan")
                .add_conditional_edges("plan", fan, ["write"]).add_edge("write", END).compile())

    graph, agraph = build(write), build(awrite)
    """
)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    yield from started_kernel(GRAPH)


def text_of(topic: str) -> str:
    return "".join(f"{topic}{i} " for i in range(100))


@pytest.mark.parametrize(
    "call",
    ["lgn.run(graph, {})", "lgn.run(agraph, {})", "await lgn.arun(graph, {})", "await lgn.arun(agraph, {})"],
)
def test_run_sends_only_new_text_from_the_cell_that_started_it(kernel: Kernel, call: str) -> None:
    msg_id, msgs, reply = kernel.execute(call.format('{"topics": ["a", "b"], "out": []}'))
    assert reply["status"] == "ok"
    assert {m["parent_header"].get("msg_id") for m in msgs} == {msg_id}  # threads included

    titles = panels(msgs)
    assert sorted(titles.values()) == ["plan", "write #1", "write #2"]
    labels = {op[2]: op[3] for op in board_ops(msgs) if op[0] == "card"}
    assert labels == {"plan": None, "write #1": "topic='a'", "write #2": "topic='b'"}
    by_title = {title: card for card, title in titles.items()}
    for title, topic in (("write #1", "a"), ("write #2", "b")):
        pieces = appends(msgs, by_title[title])
        assert "".join(pieces) == text_of(topic)  # all of it, once, in order
        assert len(pieces) >= 2
    assert appends(msgs, by_title["plan"]) == []
    # only new text, and coalesced: one board message per refresh, at most 20 a second (+ the final flush)
    sent = board_messages(msgs)
    assert len(json.dumps([m["content"]["data"] for m in sent])) <= 2 * len(text_of("a")) + 400 * len(sent)
    assert 2 <= len(sent) <= 20 * seconds(sent[0], sent[-1]) + 2, len(sent)
    assert len(of(msgs, "comm_open")) == 6  # the whole view: no widget per task

    (shown,) = of(msgs, "display_data")
    assert "application/vnd.jupyter.widget-view+json" in shown["content"]["data"]
    (record,) = of(msgs, "update_display_data")
    assert record["content"]["transient"] == shown["content"]["transient"]
    html = record["content"]["data"]["text/html"]
    assert html.startswith('<div class="lg-record"') and '<img class="lg-record-diagram" src="data:image/svg+xml;base64,' in html
    assert text_of("a") in html and text_of("b") in html
    assert record["content"]["data"]["text/plain"].startswith("done · 2 steps · ")
    assert {m["content"]["comm_id"] for m in of(msgs, "comm_open")} == {
        m["content"]["comm_id"] for m in of(msgs, "comm_close")
    }
    (result,) = of(msgs, "execute_result")
    assert result["content"]["data"]["text/plain"] == "{'topics': ['a', 'b'], 'out': ['a', 'b']}"
    assert msgs.index(record) < msgs.index(result)


def test_the_diagram_is_sent_only_when_node_states_change(kernel: Kernel) -> None:
    _, msgs, _ = kernel.execute('lgn.run(graph, {"topics": ["a"], "out": []})')
    diagram = next(
        m["content"]["comm_id"] for m in of(msgs, "comm_open")
        if m["content"]["data"]["state"].get("_anywidget_id", "").endswith("DiagramWidget")
    )
    styles = [
        m["content"]["data"]["state"]["css"] for m in of(msgs, "comm_msg")
        if m["content"]["comm_id"] == diagram and "css" in m["content"]["data"].get("state", {})
    ]
    # one style block per distinct set of node states (plan running, plan done, write running, write
    # done, end); the SVG itself is sent once, when the widget opens
    assert 2 <= len(styles) <= 5
    assert all(a != b for a, b in itertools.pairwise(styles))
    assert any("node-write>:not(text){stroke:#ea580c" in s for s in styles)
    assert all(len(s) < 2000 for s in styles)
    assert not any("svg" in m["content"]["data"].get("state", {}) for m in of(msgs, "comm_msg"))


def test_a_failing_node_shows_its_error_in_its_panel_and_the_cell_fails(kernel: Kernel) -> None:
    _, msgs, reply = kernel.execute('lgn.run(graph, {"topics": ["boom"], "out": []})')
    assert (reply["status"], reply["ename"], reply["evalue"]) == ("error", "ValueError", "boom <b>")
    (record,) = of(msgs, "update_display_data")
    html = record["content"]["data"]["text/html"]
    assert "ValueError: boom &lt;b&gt;</div>" in html and "boom <b>" not in html
    assert record["content"]["data"]["text/plain"].startswith("error · in write: ValueError: boom <b> · 2 steps")
    assert msgs.index(record) < msgs.index(of(msgs, "error")[0])


def test_an_async_run_keeps_its_output_in_its_cell_while_other_cells_run(kernel: Kernel) -> None:
    first, msgs1, _ = kernel.execute(
        'task = asyncio.ensure_future(lgn.arun(agraph, {"topics": ["x", "y"], "out": []}))'
    )
    _, msgs2, _ = kernel.execute('await asyncio.sleep(0.3)\nprint("second cell")')
    _, msgs3, reply = kernel.execute("await task")
    assert reply["status"] == "ok"
    everything = msgs1 + msgs2 + msgs3
    run_msgs = of(everything, "comm_open", "comm_msg", "comm_close", "display_data", "update_display_data")
    assert run_msgs and {m["parent_header"]["msg_id"] for m in run_msgs} == {first}
    assert [m["content"]["text"] for m in of(msgs2, "stream")] == ["second cell\n"]
    titles = panels(everything)
    for title, topic in (("write #1", "x"), ("write #2", "y")):
        card = next(c for c, t in titles.items() if t == title)
        assert "".join(appends(everything, card)) == text_of(topic)


def test_a_kernel_interrupt_stops_the_view_and_leaves_the_record(kernel: Kernel) -> None:
    # A run of about 10 s, so that the interrupt lands while it runs however busy the machine is.
    _, _, reply = kernel.execute(textwrap.dedent(
        """
        def slow_write(arg):
            writer = get_stream_writer()
            for i in range(100):
                writer({"custom_llm_chunk": f"{arg['topic']}{i} "})
                time.sleep(0.1)
            return {"out": [arg["topic"]]}

        slow = build(slow_write)
        """
    ))
    assert reply["status"] == "ok", reply
    msg_id = kernel.kc.execute('lgn.run(slow, {"topics": ["a"], "out": []})')
    msgs: list[dict[str, Any]] = []
    while not any(op[0] == "text" for op in board_ops(msgs)):
        msgs.append(kernel.kc.get_iopub_msg(timeout=30))
    kernel.km.interrupt_kernel()
    while True:
        try:
            msg = kernel.kc.get_iopub_msg(timeout=30)
        except queue.Empty:
            raise AssertionError("the kernel did not become idle after the interrupt") from None
        msgs.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" \
                and msg["parent_header"].get("msg_id") == msg_id:
            break
    while kernel.kc.get_shell_msg(timeout=30)["parent_header"].get("msg_id") != msg_id:
        pass
    (record,) = of(msgs, "update_display_data")
    assert record["content"]["data"]["text/plain"].startswith("stopped · ")
    assert of(msgs, "error")[0]["content"]["ename"] == "KeyboardInterrupt"


def test_a_saved_notebook_keeps_the_record_and_the_panels_whole_text(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(GRAPH),
        nbformat.v4.new_code_cell('state = lgn.run(graph, {"topics": ["a"], "out": []})'),
        nbformat.v4.new_code_cell(
            'panel = lgn.Panel("by hand")\n'
            "display(panel)\n"
            'for chunk in graph.stream({"topics": ["b"], "out": []}, stream_mode="custom"):\n'
            "    panel.append(chunk)"
        ),
    ]
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    os.environ["PYTHONPATH"], old = kernel_env()["PYTHONPATH"], os.environ.get("PYTHONPATH")
    try:
        client.execute()
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    (output,) = nb.cells[1].outputs
    assert output["output_type"] == "display_data"
    assert set(output["data"]) == {"text/html", "text/plain"}
    assert output["data"]["text/html"].startswith('<div class="lg-record"')
    assert text_of("a") in output["data"]["text/html"]

    (view,) = nb.cells[2].outputs
    model_id = view["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"][model_id]["state"]
    assert (state["title"], state["text"], state["state"]) == ("by hand", text_of("b"), "done")
    # Where widgets do not run (opened untrusted, GitHub): the panel's final text, not what it had when shown.
    assert view["data"]["text/plain"] == f"── by hand · done ──\n{text_of('b').rstrip(chr(10))}"
    assert f"{html.escape(text_of('b'))}</pre>" in view["data"]["text/html"]


BIG = textwrap.dedent(
    """
    def work(arg):
        writer = get_stream_writer()
        for i in range(20):
            writer(f"d{arg['topic']}.{i} ")
            time.sleep(0.002)  # long enough for the view to refresh many times while workers run
        return {"out": [arg["topic"]]}

    def agent(state):
        writer = get_stream_writer()
        for i in range(20):
            writer(f"t{len(state['out'])}.{i} ")
        return {"out": ["turn"]}

    def tool(state):
        get_stream_writer()(f"result {len(state['out'])}")
        return {}

    fan = lambda state: [Send("work", {"topic": t}) for t in state["topics"]]
    many = (StateGraph(S).add_node("plan", plan).add_node("work", work).add_edge(START, "plan")
            .add_conditional_edges("plan", fan, ["work"]).add_edge("work", END).compile())
    loop = (StateGraph(S).add_node("agent", agent).add_node("tool", tool).add_edge(START, "agent")
            .add_conditional_edges("agent", lambda s: "tool" if len(s["out"]) < 500 else END, ["tool", END])
            .add_edge("tool", "agent").compile())
    """
)


def peak(msgs: list[dict[str, Any]], window: float, weight: Any) -> float:
    """The most of `weight(msg)` sent within any `window` seconds (by the kernel's send times)."""
    times = sorted((datetime.fromisoformat(m["header"]["date"]) if isinstance(m["header"]["date"], str)
                    else m["header"]["date"], weight(m)) for m in msgs)
    best, lo, total = 0.0, 0, 0.0
    for _hi, (t, w) in enumerate(times):
        total += w
        while (t - times[lo][0]).total_seconds() >= window:
            total -= times[lo][1]
            lo += 1
        best = max(best, total)
    return best


@pytest.mark.parametrize(
    ("call", "lanes"),
    [
        ('lgn.run(many, {"topics": [str(i) for i in range(1000)], "out": []}, {"recursion_limit": 5000})',
         ["── work · 1,000 tasks · 1,000 done ──"]),
        ('lgn.run(loop, {"topics": [], "out": []}, {"recursion_limit": 5000})',
         ["── agent · 500 tasks · 500 done ──", "── tool · 499 tasks · 499 done ──"]),
    ],
    ids=["send-1000", "loop-500"],
)
def test_a_thousand_tasks_cost_six_widgets_and_stay_within_the_rate_limits(
    kernel: Kernel, call: str, lanes: list[str]
) -> None:
    _, _, reply = kernel.execute(BIG)
    assert reply["status"] == "ok", reply
    _, msgs, reply = kernel.execute(call, timeout=120)
    assert reply["status"] == "ok", reply
    body = [m for m in msgs if m["msg_type"] != "status"]
    assert len(of(body, "comm_open")) == 6
    assert peak(body, 1.0, lambda m: 1) <= 200
    assert peak(body, 1.0, lambda m: len(json.dumps(m["content"], default=str))) <= 500_000
    (record,) = of(msgs, "update_display_data")
    data = record["content"]["data"]
    assert len(data["text/html"]) + len(data["text/plain"]) < 1_000_000
    assert [line for line in data["text/plain"].splitlines() if line.startswith("── ") and "tasks" in line] == lanes
    ops = board_ops(msgs)
    assert [op[0] for op in ops if op[0] == "fold"] == ["fold"] * len(lanes)
    assert len(board_messages(msgs)) >= 2


def test_a_picked_task_is_answered_while_a_background_run_goes_on(kernel: Kernel) -> None:
    _, _, reply = kernel.execute(BIG + textwrap.dedent(
        """
        def slow(arg):
            writer = get_stream_writer()
            for i in range(20):
                writer(f"d{arg['topic']}.{i} ")
                time.sleep(0 if arg["topic"] == "3" else 0.05)  # `work #4` ends first
            return {"out": [arg["topic"]]}

        slow_many = (StateGraph(S).add_node("plan", plan).add_node("work", slow).add_edge(START, "plan")
                     .add_conditional_edges("plan", fan, ["work"]).add_edge("work", END).compile())
        """
    ))
    assert reply["status"] == "ok", reply
    _, msgs, _ = kernel.execute(
        'task = asyncio.ensure_future(lgn.arun(slow_many, {"topics": [str(i) for i in range(12)], "out": []}))'
    )

    def board_of(msgs: list[dict[str, Any]]) -> str | None:
        return next((m["content"]["comm_id"] for m in of(msgs, "comm_open")
                     if m["content"]["data"]["state"].get("_anywidget_id", "").endswith("BoardWidget")), None)

    def done(msgs: list[dict[str, Any]]) -> bool:  # `work #4`'s tile says done
        return any(op[0] == "tiles" and op[1] == 1 and op[2][3] == "d" for op in board_ops(msgs))

    while (board := board_of(msgs)) is None or not done(msgs):
        msgs.append(kernel.kc.get_iopub_msg(timeout=30))  # the run goes on after the cell
    # the panel follows running tasks on its own: only the pick shows the finished `work #4'
    assert not any(op[0] == "focus" and op[2] == 3 for op in board_ops(msgs))
    kernel.kc.shell_channel.send(kernel.kc.session.msg("comm_msg", {
        "comm_id": board, "data": {"method": "custom", "content": {"want": [1, 3]}}}))
    _, later, reply = kernel.execute("await task")
    later = msgs + later
    assert reply["status"] == "ok"
    (focus,) = [op for op in board_ops(later) if op[0] == "focus" and op[2] == 3]
    assert focus == ["focus", 1, 3, "work #4", "topic='3'", 2, "done", None, 0, "".join(f"d3.{i} " for i in range(20))]
