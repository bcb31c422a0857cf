"""The workshop notebooks as an attendee meets them, in a real browser.

1. Opened from a fresh clone, before anything runs: a new Jupyter data dir has no trust database, so the
   notebooks are untrusted and JupyterLab and Notebook 7 sanitize their saved outputs. Every diagram must
   still be drawn (a picture, not the text `<graph ...>`), every run record readable (its diagram an image,
   its status line and panels as text), and no widget output may show a bare `<Panel ...>`-style repr.
2. On a fresh kernel, after the setup cell, pressing Run on a graph shows its first token within 0.5 s.

Screenshots of each notebook go to tests/artifacts/ (look at them: that is what a room sees).
"""

from __future__ import annotations

import html
import re
import shutil
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from lab_helpers import IDLE, wait_for_kernel

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"

UIS = {
    # `reset`: a fresh workspace, so that the notebooks opened before do not open (and start kernels) again
    "lab": (lambda lab, name: lab.tree(name) + "&reset", ".jp-LabShell"),
    "notebook7": (lambda lab, name: lab.notebook(name), 'body[data-notebook="notebooks"]'),
}

# Describes every output in the page (JupyterLab keeps only the cells near the screen in the page), keyed
# by cell index and output index: the rendered mime type, its images (their width once decoded, 0 when
# broken), its text, whether it holds a run record and inline <svg>.
COLLECT = """async () => {
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find((p) => p.offsetParent !== null);
  const notebook = panel.querySelector('.jp-Notebook');
  const imgs = [...notebook.querySelectorAll('.jp-OutputArea-output img')];
  await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
  const cells = [...notebook.querySelectorAll('.jp-Cell')];
  const seen = {};
  for (const cell of cells) {
    const index = cell.dataset.windowedListIndex ?? String(cells.indexOf(cell));
    [...cell.querySelectorAll('.jp-OutputArea-output')].forEach((out, i) => {
      seen[`${index}:${i}`] = {
        mime: out.dataset.mimeType ?? null,
        images: [...out.querySelectorAll('img')].map((img) => img.naturalWidth),
        text: out.textContent,
        record: out.querySelector('.lg-record') !== null,
        svg: out.querySelectorAll('svg').length,
      };
    });
  }
  return seen;
}"""

# Scrolls the notebook down by most of a screen; false at the bottom.
SCROLL = """() => {
  const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find((p) => p.offsetParent !== null);
  const candidates = [panel.querySelector('.jp-WindowedPanel-outer'), panel.querySelector('.jp-Notebook'),
                      document.scrollingElement];
  const scroller = candidates.find((el) => el && el.scrollHeight > el.clientHeight + 4);
  if (!scroller) return false;
  const before = scroller.scrollTop;
  scroller.scrollTop += scroller.clientHeight * 0.8;
  return scroller.scrollTop > before;
}"""


def read_through(page: Any, shots: Path, prefix: str) -> dict[str, dict[str, Any]]:
    """Every output met while scrolling from the top to the bottom, with a screenshot of each screen."""
    seen: dict[str, dict[str, Any]] = {}
    for screen in range(200):
        page.wait_for_timeout(300)
        seen.update(page.evaluate(COLLECT))
        page.screenshot(path=str(shots / f"{prefix}-{screen:02d}.png"))
        if not page.evaluate(SCROLL):
            break
    return seen


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def expected_outputs(nb: nbformat.NotebookNode) -> dict[str, tuple[str, dict[str, Any]]]:
    """`cell:output` -> (kind, data) for the outputs an attendee must be able to read untrusted."""
    kinds = {}
    for index, cell in enumerate(nb.cells):
        for i, out in enumerate(cell.get("outputs", [])):
            data = out.get("data", {})
            if WIDGET in data:
                kind = "widget"
            elif "image/svg+xml" in data or "image/png" in data:
                kind = "diagram"
            elif data.get("text/html", "").startswith('<div class="lg-record"'):
                kind = "record"
            else:
                continue
            kinds[f"{index}:{i}"] = (kind, data)
    return kinds


def open_untrusted(page: Any, lab: Any, name: str, ui: str) -> None:
    url, shell = UIS[ui]
    page.goto(url(lab, name))
    page.wait_for_selector(shell, state="attached", timeout=60_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached", timeout=60_000)
    page.wait_for_timeout(1500)  # the outputs render after the cells


@pytest.mark.parametrize("ui", list(UIS))
@pytest.mark.parametrize("name", NAMES)
def test_opened_untrusted_every_diagram_is_drawn_and_every_record_reads(
    name: str, ui: str, lab: Any, browser: Any, artifacts_dir: Path
) -> None:
    shutil.copy(NOTEBOOKS / name, lab.root / name)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    want = expected_outputs(nb)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_untrusted(page, lab, name, ui)
    seen = read_through(page, artifacts_dir, f"untrusted-{ui}-{name[:2]}")
    page.close()

    problems = []
    for key, (kind, data) in want.items():
        out = seen.get(key)
        if out is None:
            problems.append(f"{key} ({kind}): not found in the page")
            continue
        text = out["text"]
        if out["svg"]:
            # Inline SVG is what the sanitizer strips: seeing one means the notebook was trusted after all.
            problems.append(f"{key} ({kind}): inline <svg> in an untrusted notebook")
        if text.lstrip().startswith("<") and not out["images"]:
            problems.append(f"{key} ({kind}): shows a bare repr: {text[:80]!r}")
        if kind == "diagram":
            # The PNG beside the SVG is what an untrusted notebook shows.
            if out["mime"] != "image/png" or not out["images"] or min(out["images"]) == 0:
                problems.append(f"{key} diagram: not drawn as a picture: {out['mime']} {out['images']} {text[:80]!r}")
        elif kind == "record":
            status = data["text/plain"].splitlines()[0]
            if not out["images"] or min(out["images"]) == 0:
                problems.append(f"{key} record: its diagram is not drawn ({out['images']})")
            if not out["record"] or status not in text:
                problems.append(f"{key} record: its status line {status!r} is not readable in {text[:200]!r}")
            for line in data["text/plain"].splitlines()[1:]:
                if line.startswith("── ") and line.strip("─ ").split(" · ")[0] not in text:
                    problems.append(f"{key} record: panel {line!r} missing")
        elif kind == "widget":
            # Its saved fallback, not a repr: the HTML one's text where there is one, else the plain text.
            saved = html.unescape(re.sub(r"<[^>]+>", "", data.get("text/html", data["text/plain"])))
            if squeeze(saved)[:300] not in squeeze(text):
                problems.append(f"{key} widget: its fallback {saved[:80]!r} is not shown: {text[:200]!r}")
    assert not problems, "\n".join(problems)


def test_a_fresh_kernel_shows_the_first_token_within_half_a_second(
    lab: Any, browser: Any, artifacts_dir: Path
) -> None:
    """03_live_view as committed: run the cells above its first live view one by one (the setup cell warms
    the model up), then time Shift+Enter on that cell to the first text in a panel."""
    name = "03_live_view.ipynb"
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    target = next(i for i, c in enumerate(nb.cells) if "lgn.run(" in c.source)
    fresh = f"first-token-{name}"  # its own file: a kernel that ran nothing
    shutil.copy(NOTEBOOKS / name, lab.root / fresh)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(lab.tree(fresh) + "&reset")
    wait_for_kernel(page)
    page.locator(".jp-Cell").first.click()
    page.keyboard.press("Escape")  # command mode: Shift+Enter runs and moves on, cell by cell
    for _ in range(target):
        page.keyboard.press("Shift+Enter")
        page.wait_for_timeout(200)
        page.wait_for_selector(IDLE, timeout=90_000)
    start = time.monotonic()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.lg-panel pre')].some(pre => pre.textContent.length > 0)",
        timeout=60_000,
        polling=10,
    )
    first_token = time.monotonic() - start
    page.screenshot(path=str(artifacts_dir / "first-token.png"))
    page.wait_for_selector(".lg-record", timeout=120_000)
    page.close()
    print(f"fresh kernel, first token after {first_token:.2f} s")
    assert first_token < 0.5, f"the first token took {first_token:.2f} s"
