"""How much the live view sends to the browser under a firehose (a measurement, not a test).

A node streams 5,000 chunks a second for 10 seconds into `livegraph.notebook.run()` in a real kernel,
behind a real Jupyter Server (with its IOPub rate limits on, as a browser would see it). The script reads
the kernel's channels websocket like a frontend and reports: messages and bytes that reached the
"frontend", updates per second, the kernel's CPU time (against the same run with no view), lost chunks
(rebuilt from the panel's custom messages; must be 0) and whether the server printed "IOPub data rate
exceeded" / "IOPub message rate exceeded".

    .venv/bin/python bench/bench_notebook.py [--rate 5000] [--seconds 10]

Exits with 1 when a chunk was lost or a rate limit was hit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil
from tornado.websocket import websocket_connect

SRC = Path(__file__).resolve().parent.parent / "src"

SETUP = """
import time
from typing import TypedDict
from livegraph.config import get_stream_writer
from livegraph.graph import END, START, StateGraph
import livegraph.notebook as lgn

class S(TypedDict, total=False):
    n: int
    rate: float
    sent: int

def firehose(state):
    write, n, rate = get_stream_writer(), state["n"], state["rate"]
    start = time.perf_counter()
    for i in range(n):
        write(f"c{i} ")
        if i % 50 == 49:
            ahead = start + (i + 1) / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    return {"sent": n}

graph = StateGraph(S).add_node("firehose", firehose).add_edge(START, "firehose").add_edge("firehose", END).compile()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
                got.append((time.monotonic(), len(frame), msg))
                idle = msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
        return got, reply


def cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def sent_at(msg: dict[str, Any]) -> float:
    """When the kernel sent `msg` (its header's date), in seconds."""
    return datetime.fromisoformat(msg["header"]["date"]).timestamp()


def kind(msg: dict[str, Any]) -> str:
    data = msg["content"].get("data", {}) if msg["msg_type"] == "comm_msg" else {}
    if data.get("method") == "custom":
        return "panel appends"
    state = data.get("state", {})
    if "svg" in state:
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


async def bench(rate: float, seconds: float) -> int:
    n = int(rate * seconds)
    root = Path(tempfile.mkdtemp(prefix="livegraph-bench-"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)}
    for name in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(root / name.lower())
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=(root / "server.log").open("wb"),
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(f"{url}/api/kernels?token={token}", data=b"{}", method="POST")
        kernel_id = json.loads(urllib.request.urlopen(request).read())["id"]
        kernel = next(p for p in psutil.Process(server.pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline()))
        front = Frontend(url, token, kernel_id)
        await front.connect()
        _, reply = await front.execute(SETUP)
        assert reply["status"] == "ok", reply

        inputs = f'{{"n": {n}, "rate": {rate}}}'
        before = cpu(kernel)
        _, reply = await front.execute(f'for _ in graph.stream({inputs}, stream_mode="events"):\n    pass')
        assert reply["status"] == "ok", reply
        bare_cpu = cpu(kernel) - before

        before, started = cpu(kernel), time.monotonic()
        msgs, reply = await front.execute(f"state = lgn.run(graph, {inputs})")
        wall, view_cpu = time.monotonic() - started, cpu(kernel) - before
        assert reply["status"] == "ok", reply
    finally:
        server.terminate()
        server.wait(15)

    body = [(sent_at(m), size, m) for _, size, m in msgs if m["msg_type"] != "status"]
    appends = [(t, size, m) for t, size, m in body if kind(m) == "panel appends"]
    text = "".join(m["content"]["data"]["content"]["append"] for _, _, m in appends)
    expected = "".join(f"c{i} " for i in range(n))
    got = text.split()
    lost = n - len(set(got) & {f"c{i}" for i in range(n)})
    warnings = [m["content"]["text"].strip().splitlines()[0] for _, _, m in body
                if m["msg_type"] == "stream" and "rate exceeded" in m["content"]["text"]]
    total_bytes = sum(size for _, size, _ in body)
    span = appends[-1][0] - appends[0][0] if len(appends) > 1 else wall
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for _, size, m in body:
        counts[kind(m)] += 1
        sizes[kind(m)] += size

    def share(name: str) -> str:
        return f"{counts[name]:,} messages, {sizes[name]:,} bytes ({sizes[name] / len(expected):.2f}x the text)"

    rows = [
        ("chunks streamed", f"{n:,} ({rate:,.0f}/s for {seconds:g} s), {len(expected):,} characters"),
        ("chunks lost", f"{lost}" + ("" if text == expected else "  (the text differs!)")),
        ("messages to the frontend", f"{len(body):,}  ({dict(Counter(m['msg_type'] for _, _, m in body))})"),
        ("bytes to the frontend", f"{total_bytes:,}  ({total_bytes / len(expected):.2f}x the text)"),
        *((f"  {name}", share(name)) for name in ("panel appends", "static record", "status line", "diagram", "other")),
        ("panel updates per second", f"{len(appends) / span:.1f} on average, at most {widest([t for t, _, _ in appends], 1.0)} in any 1 s"),
        ("IOPub messages per second", f"at most {widest([t for t, _, _ in body], 3.0) / 3:.0f} over any 3 s (server limit 1000)"),
        ("kernel CPU", f"{view_cpu:.2f} s with the view, {bare_cpu:.2f} s without: {view_cpu - bare_cpu:+.2f} s for the view ({(view_cpu - bare_cpu) / wall * 100:.1f}% of a core)"),
        ("wall time", f"{wall:.2f} s"),
        ("rate limit warnings", "none" if not warnings else "; ".join(warnings)),
    ]
    width = max(len(k) for k, _ in rows)
    print("\n".join(f"{k:<{width}}  {v}" for k, v in rows))
    return 1 if lost or warnings or text != expected else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=5000.0, help="chunks per second (default 5000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to stream (default 10)")
    args = parser.parse_args()
    sys.exit(asyncio.run(bench(args.rate, args.seconds)))


if __name__ == "__main__":
    main()
