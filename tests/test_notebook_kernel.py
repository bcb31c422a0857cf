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

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(180)]

jupyter_client = pytest.importorskip("jupyter_client")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

SRC = Path(__file__).resolve().parent.parent / "src"

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


def kernel_env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


class Kernel:
    """A kernel and a client; `execute` returns the request's id and every IOPub message until idle."""

    def __init__(self) -> None:
        self.km, self.kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", env=kernel_env())

    def execute(self, code: str, timeout: float = 60) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        msg_id = self.kc.execute(code)
        msgs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            msgs.append(msg)
            if (msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
                    and msg["parent_header"].get("msg_id") == msg_id):
                break
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:  # a late reply to `wait_for_ready`
            reply = self.kc.get_shell_msg(timeout=timeout)
        return msg_id, msgs, reply["content"]

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    k = Kernel()
    _, _, reply = k.execute(GRAPH)
    assert reply["status"] == "ok", reply
    yield k
    k.close()


def of(msgs: list[dict[str, Any]], *types: str) -> list[dict[str, Any]]:
    return [m for m in msgs if m["msg_type"] in types]


def panels(msgs: list[dict[str, Any]]) -> dict[str, str]:
    """comm id -> title, for every panel widget opened."""
    return {
        m["content"]["comm_id"]: m["content"]["data"]["state"]["title"]
        for m in of(msgs, "comm_open")
        if m["content"]["data"]["state"].get("_esm", "").find("lg-panel") >= 0
    }


def appends(msgs: list[dict[str, Any]], comm_id: str) -> list[dict[str, Any]]:
    return [
        m for m in of(msgs, "comm_msg")
        if m["content"]["comm_id"] == comm_id and m["content"]["data"].get("method") == "custom"
    ]


def text_of(topic: str) -> str:
    return "".join(f"{topic}{i} " for i in range(100))


def seconds(a: dict[str, Any], b: dict[str, Any]) -> float:
    def at(m: dict[str, Any]) -> datetime:
        date = m["header"]["date"]
        return date if isinstance(date, datetime) else datetime.fromisoformat(date)

    return (at(b) - at(a)).total_seconds()


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
    by_title = {title: comm_id for comm_id, title in titles.items()}
    for title, topic in (("write #1", "a"), ("write #2", "b")):
        sent = appends(msgs, by_title[title])
        pieces = [m["content"]["data"]["content"]["append"] for m in sent]
        assert "".join(pieces) == text_of(topic)  # all of it, once, in order
        # only new text: each message carries its piece and nothing else, never the text so far
        assert all(m["content"]["data"] == {"method": "custom", "content": {"append": p}} for m, p in zip(sent, pieces))
        assert len(json.dumps([m["content"]["data"] for m in sent])) <= len(text_of(topic)) + 50 * len(sent)
        # coalesced: at most 20 a second (with the final flush on top)
        assert 2 <= len(sent) <= 20 * seconds(sent[0], sent[-1]) + 2, len(sent)
    assert appends(msgs, by_title["plan"]) == []

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
    svgs = [
        m["content"]["data"]["state"]["svg"] for m in of(msgs, "comm_msg")
        if m["content"]["comm_id"] == diagram and "svg" in m["content"]["data"].get("state", {})
    ]
    # one SVG per distinct set of node states (plan running, plan done, write running, write done, end)
    assert 2 <= len(svgs) <= 5
    assert all(a != b for a, b in itertools.pairwise(svgs))
    assert any("node-write>:not(text){stroke:#ea580c" in s for s in svgs)


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
        comm_id = next(c for c, t in titles.items() if t == title)
        pieces = [m["content"]["data"]["content"]["append"] for m in appends(everything, comm_id)]
        assert "".join(pieces) == text_of(topic)


def test_a_kernel_interrupt_stops_the_view_and_leaves_the_record(kernel: Kernel) -> None:
    msg_id = kernel.kc.execute('lgn.run(graph, {"topics": ["a"], "out": []})')
    msgs: list[dict[str, Any]] = []
    while not any(m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "custom" for m in msgs):
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
