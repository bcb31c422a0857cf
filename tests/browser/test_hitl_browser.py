"""A person answers an interrupt in a real JupyterLab: Chromium (Debian's, driven by Playwright) runs a cell
whose graph stops at `interrupt()`, then a cell that shows the approve / edit / reject form; the test
edits the text area, clicks "Edit & resume", and asserts that the run resumed under the form (its panel
streamed the answer) and that the thread's final state is the edited one. It saves screenshots in
`tests/artifacts/<test>/`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SETUP = """\
import json
from typing import Any, TypedDict
from livegraph.checkpoint.memory import InMemorySaver
from livegraph.config import get_stream_writer
from livegraph.graph import END, START, StateGraph
from livegraph.types import interrupt
import livegraph.notebook as lgn
from livegraph.notebook._hitl import resume_form

class S(TypedDict, total=False):
    draft: str
    verdict: Any

def write(state):
    for piece in ["Hello", " world"]:
        get_stream_writer()(piece)
    return {"draft": "Hello world"}

def review(state):
    return {"verdict": interrupt({"draft": state["draft"], "question": "ok?"})}

def send(state):
    get_stream_writer()("sent: " + json.dumps(state["verdict"]))
    return {}

graph = (StateGraph(S).add_node("write", write).add_node("review", review).add_node("send", send)
         .add_edge(START, "write").add_edge("write", "review").add_edge("review", "send")
         .add_edge("send", END).compile(checkpointer=InMemorySaver()))
config = {"configurable": {"thread_id": "browser"}}
lgn.run(graph, {"draft": ""}, config)"""

CELLS = [
    SETUP,
    "resume_form(graph, config)",
    "print(json.dumps(graph.get_state(config).values))",
    "from livegraph.notebook._replay import replay\nreplay(graph, config)",
]
# The stroke a node's shape has in the diagram (`running` is orange, `done` green: render/_style.py).
STROKE = """([cell, name]) => {
  const shape = document.querySelectorAll('.jp-Notebook .jp-Cell')[cell]
    .querySelector(`.lg-diagram [id$="node-${name}"] > :not(text)`);
  return shape ? getComputedStyle(shape).stroke : null;
}"""
ORANGE, GREEN = "rgb(234, 88, 12)", "rgb(22, 163, 74)"
EDITED = {"draft": "Hi from the browser", "question": "ok?"}
FINAL = {"draft": "Hello world", "verdict": {"action": "edit", "value": EDITED}}


def notebook(cells: list[str]) -> dict[str, Any]:
    return {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
             "source": src}
            for i, src in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def wait_for_idle_kernel(page: Any) -> None:
    """Waits until the kernel is connected and idle (it can read idle before it is connected: pause and
    wait again, and accept a kernel dialog if one opened)."""
    for _ in range(2):
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        page.wait_for_timeout(1000)
        dialog = page.locator(".jp-Dialog button.jp-mod-accept")
        if dialog.count():
            dialog.first.click()


def run_cell(page: Any, index: int) -> None:
    page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def test_answering_an_interrupt_by_clicking_resumes_the_run_in_place(
    lab: Any, browser: Any, artifacts_dir: Path
) -> None:
    # `lab` (JupyterLab on a fresh folder, kernels importing livegraph from src/) and `browser` (Debian's
    # Chromium through Playwright) come from tests/browser/conftest.py.
    (lab.root / "hitl.ipynb").write_text(json.dumps(notebook(CELLS)))
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(lab.tree("hitl.ipynb"))
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        wait_for_idle_kernel(page)
        run_cell(page, 0)
        cells = page.locator(".jp-Notebook .jp-Cell")
        # The first run ends interrupted and leaves its record.
        cells.nth(0).locator(".lg-record").wait_for(timeout=60_000)
        assert "interrupted" in cells.nth(0).locator(".lg-record").inner_text()
        run_cell(page, 1)
        form = cells.nth(1).locator(".lg-interrupt")
        form.wait_for(timeout=60_000)
        assert "Interrupted at review" in form.locator(".lg-interrupt-title").inner_text()
        assert json.loads(form.locator(".lg-interrupt-value").inner_text()) == {
            "draft": "Hello world", "question": "ok?"
        }
        page.screenshot(path=str(artifacts_dir / "1-form.png"), full_page=True)

        form.locator("textarea").fill(json.dumps(EDITED))
        form.locator("button", has_text="Edit & resume").click()

        status = form.locator(".lg-form-status")
        status.filter(has_text="resumed · done").wait_for(timeout=60_000)
        for label in ("Approve", "Edit & resume", "Reject"):
            assert form.locator("button", has_text=label).is_disabled()
        # The resumed run streamed into the same cell, under the form.
        resumed = cells.nth(1).locator(".lg-resume-form .lg-record")
        resumed.wait_for(timeout=60_000)
        assert "sent: " + json.dumps(FINAL["verdict"]) in resumed.inner_text()
        page.screenshot(path=str(artifacts_dir / "2-resumed.png"), full_page=True)

        run_cell(page, 2)
        out = cells.nth(2).locator(".jp-OutputArea-output")
        out.wait_for(timeout=60_000)
        assert json.loads(out.inner_text()) == FINAL

        # The replay opens at the newest step; Prev steps back and the diagram follows.
        run_cell(page, 3)
        step = cells.nth(3).locator(".lg-replay-step .lg-status")
        step.filter(has_text="4/4 · step 3 · loop · send").wait_for(timeout=60_000)
        assert "sent: " + json.dumps(FINAL["verdict"]) in cells.nth(3).locator(".lg-replay-step").inner_text()
        assert page.evaluate(STROKE, [3, "send"]) == ORANGE
        cells.nth(3).locator("button", has_text="Prev").click()
        step.filter(has_text="3/4 · step 2 · loop · review").wait_for(timeout=30_000)
        page.wait_for_function(f"() => ({STROKE})([3, 'review']) === '{ORANGE}'", timeout=30_000)
        assert page.evaluate(STROKE, [3, "write"]) == GREEN
        page.screenshot(path=str(artifacts_dir / "3-replay.png"), full_page=True)
    finally:
        context.close()
