"""A 1,000-worker map-reduce in a real JupyterLab (Chromium driven by Playwright, through Jupyter Server and
its IOPub rate limits): the page shows one card with 1,000 tiles instead of 1,000 panels, the tiles turn
green as the workers end, clicking a tile shows that worker (its input and first lines), no "IOPub rate
exceeded" warning shows, and the record that replaces the view summarises the workers. Screenshots go to
`tests/artifacts/<test>/`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lab_helpers import sample_until_record, write_notebook
from test_notebook_browser import open_notebook

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CELL = '''\
import operator, time
from typing import Annotated, TypedDict
from livegraph.config import get_stream_writer
from livegraph.graph import END, START, StateGraph
from livegraph.types import Send
import livegraph.notebook as lgn

class S(TypedDict):
    docs: list
    out: Annotated[list, operator.add]

def work(arg):
    write = get_stream_writer()
    for i in range(20):
        write(f"doc{arg['doc']}.{i} ")
        time.sleep(0.01)  # as a model would: about 3 s for the 1,000 workers on 64 threads
    if arg["doc"] == 999:
        raise ValueError("doc 999 is broken")
    return {"out": [arg["doc"]]}

fan = lambda state: [Send("work", {"doc": d}) for d in state["docs"]]
graph = (StateGraph(S).add_node("plan", lambda s: {}).add_node("work", work).add_edge(START, "plan")
         .add_conditional_edges("plan", fan, ["work"]).add_edge("work", END).compile())
state = lgn.run(graph, {"docs": list(range(1000)), "out": []}, {"recursion_limit": 5000})'''

SAMPLE = """() => {
  const lane = document.querySelector('.lg-lane');
  const tiles = lane ? [...lane.querySelectorAll('.lg-tile')].map(t => t.dataset.s).join('') : '';
  return {
    nodes: document.querySelectorAll('*').length,
    cards: document.querySelectorAll('.lg-board > .lg-cards > .lg-panel').length,
    tiles,
    shown: lane?.querySelector('.lg-lane-task .lg-panel-title')?.textContent ?? null,
    label: lane?.querySelector('.lg-lane-task .lg-panel-label')?.textContent ?? null,
    text: lane?.querySelector('.lg-lane-task pre')?.textContent ?? null,
    rate: document.body.innerText.includes('rate exceeded'),
    record: document.querySelector('.lg-record')?.innerText ?? null,
  };
}"""


def test_a_thousand_workers_show_as_tiles_that_can_be_picked(lab: Any, browser: Any, artifacts_dir: Path) -> None:
    write_notebook(lab.root / "scale.ipynb", [CELL])
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_notebook(page, lab, "scale.ipynb")
    page.locator(".jp-Cell .jp-InputArea-editor").first.click()
    page.keyboard.press("Shift+Enter")

    picks: list[tuple[int, dict[str, Any]]] = []

    def pick_a_finished_worker(sample: dict[str, Any]) -> None:
        done = sample["tiles"].find("d")
        if not picks and len(sample["tiles"]) == 1000 and done >= 0 and sample["tiles"].count("r") > 20:
            page.screenshot(path=str(artifacts_dir / "running.png"))
            page.locator(".lg-lane .lg-tile").nth(done).click(timeout=5000)
            picks.append((done, page.evaluate(SAMPLE)))
            page.screenshot(path=str(artifacts_dir / "picked.png"))

    samples = sample_until_record(page, SAMPLE, 180, pick_a_finished_worker)
    page.screenshot(path=str(artifacts_dir / "record.png"))

    live = [s for s in samples if s["tiles"]]
    assert live, "no sample caught the tiles"
    assert all(s["cards"] == 2 for s in live)  # `plan`, and one card for the 1,000 workers
    assert max(s["nodes"] for s in samples) < samples[0]["nodes"] + 1500  # tiles, not 1,000 panels
    assert not any(s["rate"] for s in samples)
    # tiles only ever move from running to an end state
    assert all(len(s["tiles"]) == 1000 for s in live[1:] if len(live[0]["tiles"]) == 1000)
    assert picks, "no sample caught a finished worker among running ones"
    ((k, after),) = picks
    assert (after["shown"], after["label"]) == (f"work #{k + 1}", f" doc={k}")
    assert after["text"] in ("", " ".join(f"doc{k}.{i}" for i in range(20)))  # the first lines, once they came

    record = samples[-1]["record"]
    assert "work · 1,000 tasks · " in record and " done, " in record and "1 error" in record
    assert "ValueError: doc 999 is broken" in record
    page.close()
