"""Stopping a run at every moment of an LLM call: while connecting, while waiting for the response headers,
for the first byte of the body, and while streaming. Each moment is a server that stalls there
(`keepalive_server.py`). Breaking out of the stream or Ctrl-C returns within a second and lets go of the
node (its thread or task ends, the server sees the connection go) within a second, for a sync node
(`llm.chat`) and an async one (`await llm.achat`), through `graph.stream` (from plain code and from inside a
running loop) and `graph.astream`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import pytest

from keepalive_server import KeepAliveServer
from livegraph import llm
from livegraph.config import get_stream_writer
from livegraph.graph import START, StateGraph

ASK = [{"role": "user", "content": "Tell me about cats"}]
MOMENTS = ["connect", "headers", "first_byte", "streaming"]
LIMIT = 1.0


class State(TypedDict, total=False):
    out: str


@pytest.fixture(name="pointed")
def pointed_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LIVEGRAPH_MODEL", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    llm.warm_up()  # the SDK's imports are done: what stalls is the call
    yield


def _graph(kind: str, ended: list[float]) -> Any:
    def talk(state: State) -> State:
        get_stream_writer()("calling")
        try:
            return {"out": llm.chat(ASK, model="m")["content"]}
        finally:
            ended.append(time.monotonic())

    async def atalk(state: State) -> State:
        get_stream_writer()("calling")
        try:
            return {"out": (await llm.achat(ASK, model="m"))["content"]}
        finally:
            ended.append(time.monotonic())

    return StateGraph(State).add_node("talk", talk if kind == "sync" else atalk).add_edge(START, "talk").compile()


def _wait_for_the_stall(server: KeepAliveServer, moment: str) -> None:
    assert server.stalled.wait(5)
    if moment == "connect":
        time.sleep(0.5)  # the client is now inside its connect (the server cannot see it)


def _interrupt_soon(server: KeepAliveServer, moment: str, stopped: list[float]) -> None:
    """Ctrl-C for the main thread, once the call stalls."""
    main = threading.main_thread().ident
    assert main is not None

    def press() -> None:
        _wait_for_the_stall(server, moment)
        stopped.append(time.monotonic())
        signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=press, daemon=True).start()


def _consume_sync(graph: Any, server: KeepAliveServer, moment: str, how: str) -> float:
    """`graph.stream` from plain code; seconds from the stop until the call returned."""
    stopped: list[float] = []
    if how == "ctrl_c":
        _interrupt_soon(server, moment, stopped)
        with pytest.raises(KeyboardInterrupt):
            for _ in graph.stream({}, stream_mode="custom"):
                pass
        return stopped[0]
    stream = graph.stream({}, stream_mode="custom")
    assert next(stream) == "calling"
    if not _on_this_thread_s_loop(graph):
        _wait_for_the_stall(server, moment)
    # else: an async graph streamed from inside a running loop runs on that loop, which the consumer holds
    # while its loop body runs (the node waits at its await); `break` cancels it there. Ctrl-C below stops
    # it in the middle of the call.
    start = time.monotonic()
    stream.close()  # what `break` does
    return start


def _on_this_thread_s_loop(graph: Any) -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return bool(graph._is_async)


def _consume_in_loop(graph: Any, server: KeepAliveServer, moment: str, how: str) -> float:
    """`graph.stream` from inside a running loop (a notebook cell, sync code inside `asyncio.run`)."""

    async def cell() -> float:
        return _consume_sync(graph, server, moment, how) if how == "break" else _ctrl_c_in_cell()

    def _ctrl_c_in_cell() -> float:
        raise AssertionError("unreachable")

    if how == "break":
        return asyncio.run(cell())
    stopped: list[float] = []
    _interrupt_soon(server, moment, stopped)

    async def looping() -> None:
        for _ in graph.stream({}, stream_mode="custom"):
            pass

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(looping())
    return stopped[0]


def _consume_async(graph: Any, server: KeepAliveServer, moment: str, how: str) -> float:
    """`graph.astream` under `asyncio.run` (which also waits for the loop's worker threads)."""
    if how == "ctrl_c":
        stopped: list[float] = []
        _interrupt_soon(server, moment, stopped)

        async def looping() -> None:
            async for _ in graph.astream({}, stream_mode="custom"):
                pass

        with pytest.raises(KeyboardInterrupt):
            asyncio.run(looping())
        return stopped[0]

    async def main() -> float:
        stream = graph.astream({}, stream_mode="custom")
        assert await anext(stream) == "calling"
        await asyncio.to_thread(_wait_for_the_stall, server, moment)
        start = time.monotonic()
        await stream.aclose()
        return start

    return asyncio.run(main())


CALLERS = {"stream": _consume_sync, "stream_in_loop": _consume_in_loop, "astream": _consume_async}


@pytest.mark.usefixtures("pointed")
@pytest.mark.timeout(30)
@pytest.mark.parametrize("how", ["break", "ctrl_c"])
@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_stopping_returns_and_lets_go_of_the_call_within_a_second(
    moment: str, kind: str, caller: str, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ended: list[float] = []
    with KeepAliveServer(moment) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        stopped = CALLERS[caller](_graph(kind, ended), server, moment, how)
        returned = time.monotonic() - stopped
        assert returned < LIMIT, f"returned {returned:.2f} s after the stop"
        time.sleep(LIMIT)
        assert ended and ended[0] - stopped < LIMIT, "the node was still in its call a second later"
        if moment != "connect" and (caller, kind, how) != ("stream_in_loop", "async", "break"):
            # the server saw the connection go
            assert server.released and server.released[0] - stopped < LIMIT


# -- the notebook's stop button: a kernel interrupt ---------------------------------------------------------------
KERNEL_SETUP = """
import json, os, time
from typing import TypedDict
from livegraph import llm
from livegraph.graph import START, StateGraph

llm.warm_up()
os.environ.update(OPENAI_BASE_URL={base_url!r}, OPENAI_API_KEY="sk-test")
ended = []

class S(TypedDict, total=False):
    out: str

def talk(state):
    try:
        return {{"out": llm.chat([{{"role": "user", "content": "hi"}}], model="m")["content"]}}
    finally:
        ended.append(time.monotonic())

async def atalk(state):
    try:
        return {{"out": (await llm.achat([{{"role": "user", "content": "hi"}}], model="m"))["content"]}}
    finally:
        ended.append(time.monotonic())

graph = StateGraph(S).add_node("talk", talk if {kind!r} == "sync" else atalk).add_edge(START, "talk").compile()
"""

KERNEL_CELLS = {
    "stream": "for _ in graph.stream({}, stream_mode='custom'): pass",
    "astream": "async for _ in graph.astream({}, stream_mode='custom'): pass",
}


@pytest.fixture(name="kernel", scope="module")
def kernel_fixture() -> Iterator[Any]:
    jupyter_client = pytest.importorskip("jupyter_client")
    tests = Path(__file__).resolve().parent
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    env["PYTHONPATH"] = os.pathsep.join([str(tests.parent / "src"), str(tests)])
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", env=env)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.mark.kernel
@pytest.mark.timeout(120)
@pytest.mark.parametrize("cell", list(KERNEL_CELLS))
@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_the_notebook_stop_button_returns_and_lets_go_within_a_second(
    kernel: Any, moment: str, kind: str, cell: str
) -> None:
    km, kc = kernel
    with KeepAliveServer(moment) as server:
        setup = kc.execute_interactive(KERNEL_SETUP.format(base_url=server.base_url, kind=kind), timeout=60)
        assert setup["content"]["status"] == "ok"
        msg_id = kc.execute(KERNEL_CELLS[cell])
        _wait_for_the_stall(server, moment)
        time.sleep(0.2)
        pressed = time.monotonic()  # the same clock as the kernel's on this machine
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=10)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = kc.get_shell_msg(timeout=10)
        returned = time.monotonic() - pressed
        assert (reply["content"]["status"], reply["content"]["ename"]) in (
            ("error", "KeyboardInterrupt"), ("error", "CancelledError"))
        assert returned < LIMIT, f"the cell returned {returned:.2f} s after the interrupt"
        time.sleep(LIMIT)
        out: list[str] = []
        kc.execute_interactive("print(json.dumps(ended))", timeout=30,
                               output_hook=lambda m: out.append(m["content"].get("text", "")))
        ended = json.loads("".join(out))
        assert ended and ended[0] - pressed < LIMIT, "the node was still in its call a second later"
        if moment != "connect":
            assert server.released and server.released[0] - pressed < LIMIT
