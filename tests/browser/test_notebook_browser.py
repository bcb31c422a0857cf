"""The live view in JupyterLab and in Notebook 7, in a real browser: a cell runs a two-node graph on the
embedded model; sampling the page while it runs shows the panel's text growing in place (one element, each
sample a prefix of the next) in one output area, and the running node lit in the diagram. At the end the
static record replaces the widgets, and the saved notebook keeps it as HTML. Notebook 7's UI is built from
JupyterLab's components (same cell, output and kernel-indicator classes, same Shift+Enter and Ctrl+S), and
the Lab server serves it at `/notebooks/<file>` once the `notebook` package is installed."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import nbformat
import pytest
from lab_helpers import sample_until_record, wait_for_kernel, write_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CELL = '''\
import livegraph.notebook as lgn
from livegraph import llm
from livegraph.graph import END, START, StateGraph
from typing import TypedDict

class State(TypedDict):
    topic: str
    outline: str
    text: str

def outline(state):
    prompt = f"Outline a short note about {state['topic']}."
    return {"outline": llm.chat([{"role": "user", "content": prompt}])["content"]}

def write(state):
    prompt = f"Write a short note about {state['topic']}, following: {state['outline']}"
    return {"text": llm.chat([{"role": "user", "content": prompt}])["content"]}

graph = (StateGraph(State).add_node("outline", outline).add_node("write", write)
         .add_edge(START, "outline").add_edge("outline", "write").add_edge("write", END).compile())
state = lgn.run(graph, {"topic": "cats"})'''

# One sample of the page: the panels (title, state, text, and whether the text element is the one seen
# first), the cell's output areas, the stroke of each node in the diagram, and whether the record is there.
SAMPLE = """() => {
  window.__lgPre = window.__lgPre || {};
  const panels = [...document.querySelectorAll('.lg-panel')].filter(p => p.querySelector('.lg-panel-title'))
    .map(p => {
      const title = p.querySelector('.lg-panel-title').textContent;
      const pre = p.querySelector('pre.lg-panel-text');
      window.__lgPre[title] = window.__lgPre[title] || pre;
      return {title, state: p.dataset.state, text: pre.textContent, same: window.__lgPre[title] === pre};
    });
  const stroke = (name) => {
    const shape = document.querySelector(`.lg-diagram [id$="node-${name}"] > :not(text)`);
    return shape ? getComputedStyle(shape).stroke : null;
  };
  return {
    panels,
    outputs: document.querySelectorAll('.jp-Notebook .jp-Cell .jp-OutputArea-child').length,
    status: document.querySelector('.lg-status')?.textContent ?? null,
    strokes: {outline: stroke('outline'), write: stroke('write')},
    record: document.querySelector('.lg-record') && {
      status: document.querySelector('.lg-record .lg-status').textContent,
      texts: [...document.querySelectorAll('.lg-record .lg-record-panel pre')].map(pre => pre.textContent),
    },
  };
}"""

ORANGE, GREEN = "rgb(234, 88, 12)", "rgb(22, 163, 74)"  # running, done (livegraph.render's colors)

# Each UI: how to reach a file in it, and an element only that UI's page has (so a redirect cannot pass
# one UI off as the other).
UIS = {
    "lab": (lambda lab, name: lab.tree(name), ".jp-LabShell"),
    "notebook7": (lambda lab, name: lab.notebook(name), 'body[data-notebook="notebooks"]'),
}


def open_notebook(page: Any, lab: Any, name: str, ui: str = "lab") -> None:
    url, shell = UIS[ui]
    page.goto(url(lab, name))
    page.wait_for_selector(shell, state="attached", timeout=60_000)
    wait_for_kernel(page)


def assert_grew_in_place(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of a run of `outline` then `write`: while panels showed (those samples are returned), the view stayed
    in one output area, each panel grew by appending to one element, and while `write` ran the diagram lit
    it (`outline` done) and the status named it."""
    live = [s for s in samples if s["panels"]]
    assert all(s["outputs"] == 1 for s in live), "the view must stay in one output area"
    for title in ("outline", "write"):
        texts = [p["text"] for s in live for p in s["panels"] if p["title"] == title]
        assert all(p["same"] for s in live for p in s["panels"] if p["title"] == title), f"`{title}` was redrawn"
        assert all(b.startswith(a) for a, b in itertools.pairwise(texts)), f"`{title}` did not grow by appending"
        assert len(set(texts)) >= 4, f"`{title}` was seen growing only {len(set(texts))} times"

    # The first sample of a phase may come between the panel's and the diagram's messages; the rest agree.
    writing = [s for s in live if any(p["title"] == "write" and p["state"] == "running" for p in s["panels"])]
    assert writing[1:] and all(s["strokes"] == {"outline": GREEN, "write": ORANGE} for s in writing[1:]), writing
    assert any("running: write" in (s["status"] or "") for s in writing)
    return live


@pytest.mark.parametrize("ui", list(UIS))
def test_a_run_grows_its_panel_in_place_lights_the_running_node_and_leaves_a_record(
    ui: str, lab: Any, browser: Any, artifacts_dir: Path
) -> None:
    name = f"live-{ui}.ipynb"  # one file per UI: a kernel session of the other UI's run may still be open
    write_notebook(lab.root / name, [CELL])

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    open_notebook(page, lab, name, ui)
    page.locator(".jp-Cell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")

    shots: list[str] = []

    def shoot_writing(sample: dict[str, Any]) -> None:
        write = [p for p in sample["panels"] if p["title"] == "write"]
        if not shots and write and len(write[0]["text"]) > 150:
            shots.append(str(artifacts_dir / "running.png"))
            page.screenshot(path=shots[0])

    samples = sample_until_record(page, SAMPLE, 120, shoot_writing)
    page.screenshot(path=str(artifacts_dir / "record.png"))
    assert shots, "no sample caught the `write` panel with text"

    live = assert_grew_in_place(samples)
    outlining = [s for s in live if [p["state"] for p in s["panels"]] == ["running"]]
    assert outlining[1:] and all(s["strokes"]["outline"] == ORANGE for s in outlining[1:]), outlining

    final = [p["text"] for s in live for p in s["panels"] if p["title"] == "write"][-1]
    record = samples[-1]["record"]
    assert record["status"].startswith("done · 2 steps · ")
    assert record["texts"][-1].startswith(final)  # the last sample came before the final flush
    assert page.locator(".lg-panel").count() == 0  # the widgets made way for the record

    page.keyboard.press("Control+s")
    page.wait_for_timeout(1500)
    (output,) = nbformat.read(lab.root / name, as_version=4).cells[0].outputs
    assert output["output_type"] == "display_data" and set(output["data"]) == {"text/html", "text/plain"}
    html = output["data"]["text/html"]
    assert html.startswith('<div class="lg-record"') and '<img class="lg-record-diagram" src="data:image/svg+xml' in html
    page.close()
