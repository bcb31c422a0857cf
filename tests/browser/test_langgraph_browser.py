"""A graph that LangGraph itself compiled, watched live in JupyterLab in a real browser: the same view as for
livegraph graphs (one panel per task growing in place, the running node lit in the diagram, the record at
the end), fed by LangGraph's own streams. The nodes stream the embedded model's tokens through LangGraph's
`get_stream_writer()`, as LangGraph code that uses any streaming client does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lab_helpers import sample_until_record, write_notebook
from test_notebook_browser import SAMPLE, assert_grew_in_place, open_notebook

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
    write_notebook(lab.root / name, [CELL])

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    open_notebook(page, lab, name)
    page.locator(".jp-Cell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")

    samples = sample_until_record(page, SAMPLE, 120)
    page.screenshot(path=str(artifacts_dir / "record.png"))

    assert_grew_in_place(samples)

    record = samples[-1]["record"]
    assert record["status"].startswith("done · 2 steps · ")
    assert len(record["texts"]) == 2 and all(record["texts"])
    assert page.locator(".lg-panel").count() == 0  # the widgets made way for the record
    page.wait_for_selector('.jp-OutputArea-output:has-text("langgraph.graph.state")', timeout=30_000)
    page.close()
