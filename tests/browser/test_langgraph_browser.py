"""A graph that LangGraph itself compiled, watched live in JupyterLab in a real browser: the same view as for
livegraph graphs (one panel per task growing in place, the running node lit in the diagram, the record at
the end), fed by LangGraph's own streams. The nodes stream the embedded model's tokens through LangGraph's
`get_stream_writer()`, as LangGraph code that uses any streaming client does."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from test_notebook_browser import GREEN, ORANGE, SAMPLE, open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

pytest.importorskip("langgraph")

CELL = '''\
import livegraph.notebook as lgn
from livegraph import llm
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from typing import TypedDict

client = llm.client()  # the embedded model: an OpenAI-compatible server on loopback

class State(TypedDict):
    topic: str
    outline: str
    text: str

def ask(prompt):
    writer, text = get_stream_writer(), ""
    stream = client.chat.completions.create(
        model=llm.default_model(), messages=[{"role": "user", "content": prompt}], stream=True)
    for chunk in stream:
        piece = (chunk.choices[0].delta.content or "") if chunk.choices else ""
        writer(piece)
        text += piece
    return text

def outline(state):
    return {"outline": ask(f"Outline a short note about {state['topic']}.")}

def write(state):
    return {"text": ask(f"Write a short note about {state['topic']}, following: {state['outline']}")}

graph = (StateGraph(State).add_node("outline", outline).add_node("write", write)
         .add_edge(START, "outline").add_edge("outline", "write").add_edge("write", END).compile())
state = lgn.run(graph, {"topic": "cats"})
print(type(graph).__module__, len(state["text"]))'''


def test_a_langgraph_graph_streams_into_the_live_view(lab: Any, browser: Any, artifacts_dir: Path) -> None:
    name = "langgraph-live.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lab.root / name)

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    open_notebook(page, lab, name)
    page.locator(".jp-Cell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")

    samples: list[dict[str, Any]] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        sample = page.evaluate(SAMPLE)
        samples.append(sample)
        if sample["record"] is not None:
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"the run did not end; last sample: {samples[-1]}")
    page.screenshot(path=str(artifacts_dir / "record.png"))

    live = [s for s in samples if s["panels"]]
    assert all(s["outputs"] == 1 for s in live), "the view must stay in one output area"
    for title in ("outline", "write"):
        texts = [p["text"] for s in live for p in s["panels"] if p["title"] == title]
        assert all(p["same"] for s in live for p in s["panels"] if p["title"] == title), f"`{title}` was redrawn"
        assert all(b.startswith(a) for a, b in itertools.pairwise(texts)), f"`{title}` did not grow by appending"
        assert len(set(texts)) >= 4, f"`{title}` was seen growing only {len(set(texts))} times"
    writing = [s for s in live if any(p["title"] == "write" and p["state"] == "running" for p in s["panels"])]
    assert writing[1:] and all(s["strokes"] == {"outline": GREEN, "write": ORANGE} for s in writing[1:]), writing
    assert any("running: write" in (s["status"] or "") for s in writing)

    record = samples[-1]["record"]
    assert record["status"].startswith("done · 2 steps · ")
    assert len(record["texts"]) == 2 and all(record["texts"])
    assert page.locator(".lg-panel").count() == 0  # the widgets made way for the record
    page.wait_for_selector('.jp-OutputArea-output:has-text("langgraph.graph.state")', timeout=30_000)
    page.close()
