"""The JupyterLite site (`make lite`) in Chromium: built from pip and npm, served on loopback with every other
host blocked, each workshop notebook run top to bottom in Pyodide. Checks: no request left the machine, no
cell failed, what the cells print is what the same notebook printed on CPython (its saved outputs), the
diagrams were drawn (Graphviz as WebAssembly), the live view streamed (panels filled while the run went
on). Also measures the site's size, the time to a ready kernel and the time from Run to the first token
(printed, and kept in tests/artifacts/lite-timings.json)."""

from __future__ import annotations

import base64
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "lite" / "site"
ARTIFACTS = ROOT / "tests" / "artifacts"
sys.path.insert(0, str(ROOT / "scripts"))
from lite_notebooks import SKIP  # noqa: E402

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb") if p.name not in SKIP)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.lite,
    pytest.mark.skipif(shutil.which("npm") is None, reason="the site needs npm (Pyodide's core comes from npm)"),
]
# Printed by the machine, not by the notebook: timings, ids, addresses.
VOLATILE = re.compile(r"\d+\.\d+ s|\d+(\.\d+)? tokens/s|0x[0-9a-f]+|[0-9a-f]{8}-[0-9a-f-]{27}|/tmp/\S+")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """`make lite`'s site, built afresh, served on loopback."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "lite.py"), "build"], check=True, timeout=900,
                   stdout=subprocess.DEVNULL)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(SITE)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def saved_stdout(name: str) -> list[str | None]:
    """Each code cell's printed text as saved in the workshop notebook (None: not compared)."""
    cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
    out: list[str | None] = []
    for cell in cells:
        if cell["cell_type"] != "code" or "not-in-lite" in cell.get("metadata", {}).get("tags", []):
            continue  # not in the JupyterLite edition
        source = "".join(cell["source"])
        if "NBVAL_IGNORE_OUTPUT" in source or "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
            out.append(None)
            continue
        out.append("".join("".join(o["text"]) for o in cell["outputs"]
                           if o["output_type"] == "stream" and o["name"] == "stdout"))
    return out


# Cells whose output is about the platform, not livegraph: (notebook, code cell) -> why.
PLATFORM_CELLS = {
    ("06_coming_from_langgraph.ipynb", 7): "`time.sleep` in Pyodide under Chromium suspends (JSPI) and lets the "
    "event loop run, so the node does not block the loop and the watchdog rightly stays silent",
}
# Said differently by the Python in Pyodide (3.14) than by the one the notebooks were saved with.
PYTHON_WORDING = {"integer division or modulo by zero": "division by zero"}


def _norm(text: str) -> str:
    for old, new in PYTHON_WORDING.items():
        text = text.replace(old, new)
    text = re.sub(r", \d+ tok/s", "", text)  # the status line shows a rate only for runs long enough to measure
    return VOLATILE.sub("…", text).strip()


def _svg_nodes(src: str) -> int:
    """The nodes of a diagram a run's record shows as an `<img>` of SVG (a data URI); 0 for anything else."""
    prefix = "data:image/svg+xml;base64,"
    if not src.startswith(prefix):
        return 0
    return base64.b64decode(src[len(prefix):]).decode().count('class="node')


def run_notebook(browser: Any, site: str, name: str, count: int) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    left: list[str] = []

    def only_loopback(route: Any) -> None:
        if route.request.url.startswith(site):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    try:
        page.goto(f"{site}/lab/index.html?path={name}")
        page.wait_for_function("n => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length === n",
                               arg=count, timeout=60_000)
        cells = page.locator(".jp-Notebook .jp-CodeCell")
        page.click(".jp-Notebook .jp-Cell >> nth=0")
        page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
        page.click("li.lm-Menu-item:has-text('Run All Cells')")
        started = time.monotonic()
        page.wait_for_function(
            "() => /\\[\\d+\\]/.test(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')[0]"
            ".textContent)", timeout=120_000)
        ready = time.monotonic() - started
        first_token = None
        while time.monotonic() - started < 240:
            prompts = [p.text_content() or "" for p in cells.locator(".jp-InputPrompt").all()]
            if first_token is None and page.locator(".lg-panel-text:not(:empty)").count():
                first_token = time.monotonic() - started - ready
            if not any("[*]" in p for p in prompts):  # every cell ran, or Run All stopped at a failure
                break
            time.sleep(0.05)
        # The kernel can answer a cell before the last of its printed text arrives: wait for outputs to settle.
        texts: list[str] = []
        while (now := [cells.nth(i).locator(".jp-Cell-outputArea").inner_text() for i in range(count)]) != texts:
            texts = now
            time.sleep(1.0)
        stdout = [
            "".join(o.inner_text() for o in cells.nth(i).locator(
                ".jp-Cell-outputArea > .jp-OutputArea-child > "
                "[data-mime-type='application/vnd.jupyter.stdout']").all())
            for i in range(count)
        ]
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"lite-{name}.png"))
        return {"prompts": prompts, "texts": texts, "stdout": stdout, "left": left, "ready": ready,
                "first_token": first_token, "panels": page.locator(".lg-panel").count(),
                "diagram_nodes": page.locator(".jp-Cell-outputArea svg g.node").count() + sum(
                    _svg_nodes(img.get_attribute("src") or "")
                    for img in page.locator(".jp-Cell-outputArea img.lg-record-diagram").all())}
    finally:
        context.close()


@pytest.mark.timeout(1500)
def test_each_workshop_notebook_runs_in_the_browser_offline(browser: Any, site: str) -> None:
    size = sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())
    timings: dict[str, Any] = {"site_bytes": size}
    for name in NOTEBOOKS:
        expected = saved_stdout(name)
        got = run_notebook(browser, site, name, len(expected) + 1)
        timings[name] = {"ready_s": round(got["ready"], 1), "first_token_s": got["first_token"] and
                         round(got["first_token"], 2)}
        assert got["left"] == [], f"{name}: requests to other hosts"
        assert all(re.search(r"\[\d+\]", p) for p in got["prompts"]), f"{name}: not every cell ran: {got['prompts']}"
        if name == "03_live_view.ipynb":  # diagrams drawn in the page by Graphviz as WebAssembly (no `dot` here),
            # inline or, in a finished run's record, as an `<img>` of SVG
            assert got["diagram_nodes"] >= 6, got["diagram_nodes"]
        failed = [t for t in got["texts"] if "Traceback (most recent call last)" in t or re.search(r"Cell In\[\d+\]", t)]
        assert failed == [], f"{name}: a cell failed"
        # The edition opens with its install cell; then the notebook's own cells, printing what they printed.
        for index, (want, have) in enumerate(zip(expected, got["stdout"][1:])):
            if want is not None and (name, index) not in PLATFORM_CELLS:
                assert _norm(have) == _norm(want), f"{name}, code cell {index}"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "lite-timings.json").write_text(json.dumps(timings, indent=1))
    print(json.dumps(timings, indent=1))


@pytest.mark.timeout(600)
def test_the_live_view_streams_while_the_run_goes_on(browser: Any, site: str) -> None:
    """Notebook 03's live view, run again once the kernel is warm: its panels fill while the cell still runs
    (tokens arrive live, not when the run ends). Measures the time from Run to the first token."""
    name = "03_live_view.ipynb"
    run_notebook(browser, site, name, len(saved_stdout(name)) + 1)  # a warm-up in its own context
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site) else route.abort())
    page = context.new_page()
    try:
        page.goto(f"{site}/lab/index.html?path={name}")
        page.wait_for_function("n => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length === n",
                               arg=len(saved_stdout(name)) + 1, timeout=60_000)
        cells = page.locator(".jp-Notebook .jp-CodeCell")
        page.click(".jp-Notebook .jp-Cell >> nth=0")
        page.click("div.lm-MenuBar-itemLabel:text-is('Run')")
        page.click("li.lm-Menu-item:has-text('Run All Cells')")
        page.wait_for_function("() => ![...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')]"
                               ".some(p => p.textContent.includes('*'))", timeout=240_000)
        target = cells.filter(has_text="lgn.arun(pipeline").first
        target.locator(".jp-InputArea").click()
        page.keyboard.press("Control+Enter")
        started = time.monotonic()
        first_token = None
        while time.monotonic() - started < 60:
            running = "*" in (target.locator(".jp-InputPrompt").text_content() or "")
            if target.locator(".lg-panel-text:not(:empty)").count():
                first_token = time.monotonic() - started
                assert running, "the first text appeared only once the run had ended"
                break
            time.sleep(0.02)
        assert first_token is not None, "no panel text appeared"
        page.wait_for_function("el => !el.textContent.includes('*')", arg=target.locator(".jp-InputPrompt")
                               .element_handle(), timeout=60_000)
        # The live widgets give way to the static record, with each node's panel.
        area = target.locator(".jp-Cell-outputArea")
        record = area.inner_text()
        assert record.startswith("done · 3 steps"), record
        diagrams = area.locator("img.lg-record-diagram")  # the diagram, drawn in the page, kept as an image
        assert diagrams.count() == 1 and _svg_nodes(diagrams.first.get_attribute("src") or "") >= 6
        assert [n for n in ("research", "intro", "body", "assemble") if f"{n} · step" not in record] == [], record
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "lite-first-token.json").write_text(json.dumps({"run_to_first_token_s": first_token}))
        print(f"Run -> first token: {first_token:.2f} s")
    finally:
        context.close()
