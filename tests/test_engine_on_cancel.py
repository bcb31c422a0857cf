"""`livegraph.config.on_cancel`: code that blocks without writing learns that the run was stopped."""

from __future__ import annotations

import threading
import time
from typing import Any, TypedDict

import pytest

from livegraph.config import get_stream_writer, on_cancel
from livegraph.graph import START, StateGraph


class S(TypedDict, total=False):
    log: str


def _blocking_graph(calls: list[str], released: threading.Event) -> Any:
    def block(state: S) -> S:
        remove = on_cancel(lambda: (calls.append(f"hook on {threading.current_thread().name}"), released.set()))
        get_stream_writer()("started")
        released.wait(5)  # a blocking call that never writes again
        remove()
        calls.append("node done")
        return {"log": "x"}

    sub = StateGraph(S).add_node("block", block).add_edge(START, "block").compile()
    return StateGraph(S).add_node("sub", sub).add_edge(START, "sub").compile()


@pytest.mark.parametrize("how", ["break", "close"])
def test_stopping_the_run_calls_the_hook_of_a_node_inside_a_subgraph(how: str) -> None:
    calls: list[str] = []
    released = threading.Event()
    graph = _blocking_graph(calls, released)
    chunks = graph.stream({}, stream_mode="custom", subgraphs=True)
    started = time.monotonic()
    if how == "break":
        for ns, chunk in chunks:
            assert chunk == "started" and ns[0].startswith("sub:")
            break
    else:
        ns, chunk = next(chunks)
        assert chunk == "started" and ns[0].startswith("sub:")
    chunks.close()
    assert time.monotonic() - started < 1.0
    assert released.wait(1)
    assert calls[0] == f"hook on {threading.current_thread().name}"  # called by the thread that stopped it


def test_a_run_that_ends_normally_never_calls_the_hook_and_unregistering_works() -> None:
    calls: list[str] = []

    def node(state: S) -> S:
        remove = on_cancel(lambda: calls.append("hook"))
        remove()
        remove()  # twice is harmless
        on_cancel(lambda: calls.append("left registered"))
        return {"log": "done"}

    graph = StateGraph(S).add_node("node", node).add_edge(START, "node").compile()
    assert list(graph.stream({}, stream_mode="custom")) == []
    assert graph.invoke({}) == {"log": "done"}
    assert calls == []


def test_outside_a_run_on_cancel_registers_nothing() -> None:
    calls: list[str] = []
    remove = on_cancel(lambda: calls.append("hook"))
    remove()
    assert calls == []
