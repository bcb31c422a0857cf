"""What the live view sends to the browser, and what the browser holds (a measurement, not a test).

Each scenario runs `livegraph.notebook.run()` in a real kernel behind a real Jupyter Server (its IOPub rate
limits on, as a browser sees them):

- `firehose`: one node streams 5,000 chunks a second for 10 seconds;
- `three`: three nodes in a row, 200 chunks each, at full speed;
- `send1000`: `Send` to 1,000 workers that stream 20 chunks each, then a reduce node, at full speed;
- `loop500`: an agent <-> tool loop of 500 turns (the agent streams 20 chunks a turn), at full speed.

`--pace 0.005` makes the last two sleep after each chunk, as a model would (the live view then has time to
show; at full speed they end in a fraction of a second).

The script reads the kernel's channels websocket like a frontend and reports: messages and bytes that reached
it, the peaks per second and over 3 s (the server's window), widgets opened, the static record's size, the
time from the run's end (the last node returning) to the record, and whether the server said "IOPub data
rate exceeded" / "IOPub message rate exceeded". `firehose` also checks that no chunk was lost and reports the
kernel's CPU time for the view. With `--browser`, the same scenarios also run in JupyterLab in Chromium
(Playwright; Debian's `/usr/bin/chromium`): DOM node count while running and at the end, websocket traffic
as the page received it, time from the run's end to the record on screen, and screenshots.

    .venv/bin/python bench/bench_notebook.py [--scenario send1000 --scenario loop500] [--browser]
    .venv/bin/python bench/bench_notebook.py --src /path/to/other/src   # the same against another tree

Exits with 1 when a chunk was lost or a rate limit was hit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
from tornado.websocket import websocket_connect

SRC = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(SRC.parent / "tests" / "browser"))  # what the browser tests and this bench share
from lab_helpers import CHROMIUM, CHROMIUM_ARGS, IDLE, free_port, wait_for_kernel, write_notebook  # noqa: E402

SETUP = """
import operator, time
from typing import Annotated, TypedDict
from livegraph.config import get_stream_writer
from livegraph.graph import END, START, StateGraph
from livegraph.types import Send
import livegraph.notebook as lgn

END_AT = None  # time.time() when the last node of the last run returned
PACE = 0.0  # seconds a worker or an agent turn sleeps after each chunk (`--pace`; 0: full speed)

class S(TypedDict, total=False):
    n: int
    rate: float
    sent: int
    docs: list
    out: Annotated[list, operator.add]
    turns: int

def ended():
    global END_AT
    END_AT = time.time()

def firehose(state):
    write, n, rate = get_stream_writer(), state["n"], state["rate"]
    start = time.perf_counter()
    for i in range(n):
        write(f"c{i} ")
        if i % 50 == 49:
            ahead = start + (i + 1) / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    ended()
    return {"sent": n}

graph = StateGraph(S).add_node("firehose", firehose).add_edge(START, "firehose").add_edge("firehose", END).compile()

def streams(name, n):
    def node(state):
        write = get_stream_writer()
        for i in range(n):
            write(f"{name}{i} ")
        ended()
        return {}
    return node

three = (StateGraph(S).add_node("outline", streams("outline", 200)).add_node("write", streams("write", 200))
         .add_node("review", streams("review", 200)).add_edge(START, "outline").add_edge("outline", "write")
         .add_edge("write", "review").add_edge("review", END).compile())

def work(arg):
    write = get_stream_writer()
    for i in range(20):
        write(f"d{arg['doc']}.{i} ")
        if PACE:
            time.sleep(PACE)
    return {"out": [arg["doc"]]}

def reduce(state):
    get_stream_writer()(f"{len(state['out'])} summaries")
    ended()
    return {}

fan = lambda state: [Send("work", {"doc": d}) for d in state["docs"]]
send = (StateGraph(S).add_node("plan", lambda state: {}).add_node("work", work).add_node("reduce", reduce)
        .add_edge(START, "plan").add_conditional_edges("plan", fan, ["work"]).add_edge("work", "reduce")
        .add_edge("reduce", END).compile())

def agent(state):
    write = get_stream_writer()
    for i in range(20):
        write(f"t{state['turns']}.{i} ")
        if PACE:
            time.sleep(PACE)
    ended()
    return {"turns": state["turns"] + 1}

def tool(state):
    get_stream_writer()(f"result {state['turns']}")
    return {}

loop = (StateGraph(S).add_node("agent", agent).add_node("tool", tool).add_edge(START, "agent")
        .add_conditional_edges("agent", lambda s: "tool" if s["turns"] < 500 else END, ["tool", END])
        .add_edge("tool", "agent").compile())
"""

LIMIT = {"recursion_limit": 5000}
SCENARIOS = {
    "firehose": "state = lgn.run(graph, {{'n': {n}, 'rate': {rate}}})",
    "three": "state = lgn.run(three, {})",
    "send1000": f"state = lgn.run(send, {{'docs': list(range(1000)), 'out': []}}, {LIMIT})",
    "loop500": f"state = lgn.run(loop, {{'turns': 0}}, {LIMIT})",
}


def code_of(scenario: str, rate: float, seconds: float) -> str:
    code = SCENARIOS[scenario]
    return code.format(n=int(rate * seconds), rate=rate) if scenario == "firehose" else code


@dataclass
class Server:
    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]


@contextmanager
def jupyter(src: Path, lab: bool = False) -> Iterator[Server]:
    """A Jupyter Server (JupyterLab's when `lab`) on a temporary folder; its kernels import `src` first."""
    root = Path(tempfile.mkdtemp(prefix="livegraph-bench-"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(src), os.environ.get("PYTHONPATH", "")) if p)}
    for name in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "JUPYTERLAB_SETTINGS_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR"):
        env[name] = str(root / name.lower())
    settings = root / "jupyterlab_settings_dir" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab" if lab else "jupyter_server", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=(root / "server.log").open("wb"),
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield Server(url, token, root, server)
    finally:
        server.terminate()
        server.wait(15)


class Frontend:
    """A minimal frontend: the kernel's channels websocket, as JupyterLab uses it (JSON messages)."""

    def __init__(self, url: str, token: str, kernel_id: str) -> None:
        self.url, self.token, self.kernel_id = url, token, kernel_id
        self.session = uuid.uuid4().hex
        self.ws: Any = None

    async def connect(self) -> None:
        ws_url = self.url.replace("http", "ws") + f"/api/kernels/{self.kernel_id}/channels?token={self.token}"
        self.ws = await websocket_connect(ws_url, max_message_size=1 << 30)

    async def execute(self, code: str) -> tuple[list[tuple[float, int, dict[str, Any]]], dict[str, Any]]:
        """Run `code`; return `(arrival time, frame bytes, message)` for every IOPub message until idle."""
        msg_id = uuid.uuid4().hex
        await self.ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session,
                       "username": "bench", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        }))
        got: list[tuple[float, int, dict[str, Any]]] = []
        reply: dict[str, Any] | None = None
        idle = False
        while not (idle and reply is not None):
            frame = await self.ws.read_message()
            if frame is None:
                raise RuntimeError("the kernel's websocket closed")
            msg = json.loads(frame)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["channel"] == "shell":
                reply = msg["content"]
            elif msg["channel"] == "iopub":
                got.append((time.time(), len(frame), msg))
                idle = msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
        return got, reply

    async def value(self, expression: str) -> Any:
        """The value of a Python expression in the kernel (through `print(repr(...))`)."""
        msgs, reply = await self.execute(f"print(repr({expression}))")
        assert reply["status"] == "ok", reply
        return eval("".join(m["content"]["text"] for _, _, m in msgs if m["msg_type"] == "stream"))


def cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def sent_at(msg: dict[str, Any]) -> float:
    """When the kernel sent `msg` (its header's date), in seconds."""
    return datetime.fromisoformat(msg["header"]["date"]).timestamp()


def kind(msg: dict[str, Any]) -> str:
    data = msg["content"].get("data", {}) if msg["msg_type"] == "comm_msg" else {}
    if data.get("method") == "custom":
        return "custom messages"
    state = data.get("state", {})
    if "svg" in state or "css" in state:
        return "diagram"
    if "value" in state:
        return "status line"
    if msg["msg_type"] == "update_display_data":
        return "static record"
    return "other"


def widest(times: list[float], window: float) -> int:
    """The most events inside any `window` seconds (a half-open interval)."""
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def heaviest(points: list[tuple[float, int]], window: float) -> int:
    """The most bytes inside any `window` seconds; `points` are `(time, bytes)` in time order."""
    best, lo, total = 0, 0, 0
    for t, size in points:
        total += size
        while t - points[lo][0] >= window:
            total -= points[lo][1]
            lo += 1
        best = max(best, total)
    return best


def traffic(arrivals: list[tuple[float, int]]) -> dict[str, float]:
    """Totals and peaks of `(arrival time, bytes)` messages, sorted by time."""
    arrivals = sorted(arrivals)
    times = [t for t, _ in arrivals]
    return {
        "messages": len(arrivals),
        "bytes": sum(size for _, size in arrivals),
        "peak msgs/s (1 s)": widest(times, 1.0),
        "peak msgs/s (3 s avg)": widest(times, 3.0) / 3,
        "peak bytes/s (1 s)": heaviest(arrivals, 1.0),
        "peak bytes/s (3 s avg)": heaviest(arrivals, 3.0) / 3,
    }


async def kernel_run(server: Server, scenario: str, rate: float, seconds: float, pace: float) -> dict[str, Any]:
    """One scenario through the server's websocket; the figures of the report."""
    request = urllib.request.Request(f"{server.url}/api/kernels?token={server.token}", data=b"{}", method="POST")
    kernel_id = json.loads(urllib.request.urlopen(request).read())["id"]
    kernel = next(p for p in psutil.Process(server.process.pid).children(recursive=True)
                  if "ipykernel" in " ".join(p.cmdline()))
    front = Frontend(server.url, server.token, kernel_id)
    await front.connect()
    _, reply = await front.execute(SETUP + f"\nPACE = {pace}")
    assert reply["status"] == "ok", reply
    code = code_of(scenario, rate, seconds)
    await front.execute(code)  # a warm-up run: imports, the first diagram
    result: dict[str, Any] = {}
    if scenario == "firehose":
        before = cpu(kernel)
        n = int(rate * seconds)
        _, reply = await front.execute(f"for _ in graph.stream({{'n': {n}, 'rate': {rate}}}, stream_mode='events'):\n    pass")
        result["bare cpu"] = cpu(kernel) - before
    before, started = cpu(kernel), time.monotonic()
    msgs, reply = await front.execute(code)
    result["wall"], result["cpu"] = time.monotonic() - started, cpu(kernel) - before
    assert reply["status"] == "ok", reply
    end_at = await front.value("END_AT")
    body = [(t, size, m) for t, size, m in msgs if m["msg_type"] != "status"]
    records = [(t, size, m) for t, size, m in body if m["msg_type"] == "update_display_data"]
    result["traffic"] = traffic([(t, size) for t, size, _ in body])
    result["widgets"] = sum(1 for _, _, m in body if m["msg_type"] == "comm_open")
    result["kinds"] = Counter(kind(m) for _, _, m in body)
    result["record bytes"] = records[-1][1] if records else 0
    result["end to record"] = sent_at(records[-1][2]) - end_at if records else float("nan")
    result["warnings"] = [m["content"]["text"].strip().splitlines()[0] for _, _, m in body
                          if m["msg_type"] == "stream" and "rate exceeded" in m["content"]["text"]]
    if scenario == "firehose":
        n = int(rate * seconds)
        text = "".join(m["content"]["data"]["content"].get("append", "") for _, _, m in body
                       if kind(m) == "custom messages" and isinstance(m["content"]["data"]["content"], dict))
        text += "".join(piece for _, _, m in body if kind(m) == "custom messages"
                        for op in m["content"]["data"]["content"].get("ops", ()) if op[0] == "text"
                        for piece in op[2:3])
        record = records[-1][2]["content"]["data"]["text/html"] if records else ""
        result["lost live"] = n - len({w for w in text.split() if w.startswith("c")})
        result["lost in record"] = sum(1 for i in range(n) if f"c{i} " not in record)
    front.ws.close()
    urllib.request.urlopen(urllib.request.Request(
        f"{server.url}/api/kernels/{kernel_id}?token={server.token}", method="DELETE")).close()
    return result


SAMPLE = """() => ({
  nodes: document.querySelectorAll('*').length,
  record: !!document.querySelector('.lg-record'),
  lanes: document.querySelectorAll('.lg-lane').length,
  rate: document.body.innerText.includes('rate exceeded'),
  now: Date.now() / 1000,
})"""


def browser_run(server: Server, scenario: str, rate: float, seconds: float, pace: float, shots: Path) -> dict[str, Any]:
    """One scenario in JupyterLab in Chromium: DOM size, what the page's websocket received, screenshots."""
    from playwright.sync_api import sync_playwright

    name = f"{scenario}.ipynb"
    write_notebook(server.root / name, [SETUP + f"\nPACE = {pace}", code_of(scenario, rate, seconds),
                                        "print(repr(END_AT))"])
    frames: list[tuple[float, int]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        listening = [False]

        def on_socket(ws: Any) -> None:
            ws.on("framereceived", lambda payload: listening[0] and frames.append(
                (time.time(), len(payload) if isinstance(payload, (str, bytes)) else 0)))

        page.on("websocket", on_socket)
        page.goto(f"{server.url}/lab/workspaces/{scenario}/tree/{name}?reset&token={server.token}")
        page.wait_for_selector(".jp-LabShell", state="attached", timeout=60_000)
        wait_for_kernel(page)
        prompt = ".jp-Cell:first-child .jp-InputPrompt"
        for _ in range(5):  # a first Shift+Enter can come before the kernel is connected: try again
            page.locator(".jp-Cell .jp-InputArea-editor").first.click()
            page.keyboard.press("Shift+Enter")
            page.wait_for_timeout(2000)
            page.wait_for_selector(IDLE, timeout=90_000)
            if "[1]" in page.locator(prompt).first.inner_text():
                break
        page.wait_for_timeout(500)
        base = page.evaluate(SAMPLE)["nodes"]
        listening[0] = True
        page.keyboard.press("Shift+Enter")
        samples, shot, deadline = [], False, time.monotonic() + 300
        while time.monotonic() < deadline:
            sample = page.evaluate(SAMPLE)
            samples.append(sample)
            if sample["record"]:
                break
            if not shot and (sample["lanes"] >= (2 if scenario == "loop500" else 1) if scenario != "three"
                             else sample["nodes"] > base + 40):
                try:  # at full speed the view may be gone already
                    page.locator(".lg-board").first.scroll_into_view_if_needed(timeout=1000)
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(shots / f"{scenario}-running.png"))
                except Exception as exc:
                    print(f"no screenshot of {scenario} running: {type(exc).__name__}", file=sys.stderr)
                shot = True
            page.wait_for_timeout(50)
        recorded_at = samples[-1]["now"]
        page.wait_for_selector(IDLE, timeout=90_000)
        listening[0] = False
        page.screenshot(path=str(shots / f"{scenario}-record.png"), full_page=False)
        page.keyboard.press("Shift+Enter")
        page.wait_for_timeout(1500)
        out = page.locator(".jp-Cell").nth(2).locator(".jp-OutputArea-output").inner_text()
        end_at = float(out.strip())
        result = {
            "dom nodes before": base,
            "dom nodes peak": max(s["nodes"] for s in samples),
            "dom nodes at the end": samples[-1]["nodes"],
            "end to record on screen": recorded_at - end_at,
            "rate warning on the page": any(s["rate"] for s in samples),
            "traffic": traffic(frames),
        }
        browser.close()
    return result


def report(scenario: str, result: dict[str, Any]) -> list[tuple[str, str]]:
    t = result["traffic"]
    rows = [
        (f"[{scenario}] widgets opened", f"{result.get('widgets', '-')}"),
        ("  messages / bytes to the frontend", f"{t['messages']:,} / {t['bytes']:,}"),
        ("  peak messages/s", f"{t['peak msgs/s (1 s)']:,} in 1 s, {t['peak msgs/s (3 s avg)']:,.0f} over 3 s (limit 1000)"),
        ("  peak bytes/s", f"{t['peak bytes/s (1 s)']:,} in 1 s, {t['peak bytes/s (3 s avg)']:,.0f} over 3 s (limit 1,000,000)"),
    ]
    if "kinds" in result:
        rows.append(("  by kind", ", ".join(f"{k}: {v}" for k, v in result["kinds"].most_common())))
        rows.append(("  static record", f"{result['record bytes']:,} bytes"))
        rows.append(("  run end -> record sent", f"{result['end to record']:.2f} s"))
        rows.append(("  wall / kernel CPU", f"{result['wall']:.2f} s / {result['cpu']:.2f} s"))
        rows.append(("  rate limit warnings", "; ".join(result["warnings"]) or "none"))
    if "lost live" in result:
        rows.append(("  chunks lost live / in the record", f"{result['lost live']} / {result['lost in record']}"))
        rows.append(("  kernel CPU without the view", f"{result['bare cpu']:.2f} s"))
    if "dom nodes peak" in result:
        rows.append(("  DOM nodes (before, peak, end)",
                     f"{result['dom nodes before']:,}, {result['dom nodes peak']:,}, {result['dom nodes at the end']:,}"))
        rows.append(("  run end -> record on screen", f"{result['end to record on screen']:.2f} s"))
        rows.append(("  rate warning on the page", str(result["rate warning on the page"])))
    return rows


async def main_async(args: argparse.Namespace) -> int:
    failed = False
    rows: list[tuple[str, str]] = []
    src = Path(args.src).resolve()
    with jupyter(src) as server:
        for scenario in args.scenario:
            result = await kernel_run(server, scenario, args.rate, args.seconds, args.pace)
            rows += show(report(scenario, result))
            failed |= bool(result["warnings"] or result.get("lost live") or result.get("lost in record"))
    if args.browser:
        shots = Path(args.shots)
        shots.mkdir(parents=True, exist_ok=True)
        with jupyter(src, lab=True) as server:
            for scenario in args.scenario:
                result = await asyncio.get_running_loop().run_in_executor(
                    None, browser_run, server, scenario, args.rate, args.seconds, args.pace, shots)
                rows += show(report(f"{scenario} in Chromium", result))
                failed |= result["rate warning on the page"]
    return 1 if failed else 0


def show(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    print("\n".join(f"{k:<36}  {v}" for k, v in rows), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS),
                        help="what to run (repeatable; default: all)")
    parser.add_argument("--rate", type=float, default=5000.0, help="firehose: chunks per second (default 5000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="firehose: how long to stream (default 10)")
    parser.add_argument("--pace", type=float, default=0.0,
                        help="send1000 / loop500: seconds to sleep after each chunk (default 0: full speed)")
    parser.add_argument("--src", default=str(SRC), help="the livegraph sources the kernel imports (default: ours)")
    parser.add_argument("--browser", action="store_true", help="also run in JupyterLab in Chromium")
    parser.add_argument("--shots", default="bench/shots", help="where --browser saves screenshots")
    args = parser.parse_args()
    args.scenario = args.scenario or list(SCENARIOS)
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
