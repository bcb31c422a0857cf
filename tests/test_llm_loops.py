"""One async OpenAI client across event loops: a module-level `AsyncOpenAI()` (the seed's pattern) and one
`llm.async_client()`, used from `graph.stream`, `graph.invoke`, `await graph.astream`, `await graph.ainvoke`
and direct awaits, in every order (every ordered pair of calls, one right after the other), against
keep-alive servers: the embedded one and a second one written in the tests (`keepalive_server.py`).

In a Jupyter kernel (a real one, via jupyter_client) and in a script that works like a notebook (one
`asyncio.run(main())`) every mix works with both clients. In a script that calls `asyncio.run` once per
async call, each call has a loop of its own: `llm.async_client()` still works; a plain `AsyncOpenAI()` cannot
(the OpenAI SDK's pool keeps connections of the first loop), and the node fails at once with a note that
names the cause and the fix."""

from __future__ import annotations

import ast
import itertools
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kernel_helpers import SRC, TESTS, Kernel

OPS = ["stream", "invoke", "astream", "ainvoke", "direct"]
KEEPALIVE_TEXT = "Cats are small carnivorous mammals."


def every_pair(symbols: list[str]) -> list[str]:
    """A shortest sequence in which every ordered pair of symbols (a symbol twice too) follows one another:
    a de Bruijn sequence of order 2, unrolled."""
    k, seq, a = len(symbols), [], [0] * 3

    def db(t: int, p: int) -> None:
        if t > 2:
            if 2 % p == 0:
                seq.extend(a[1 : p + 1])
        else:
            a[t] = a[t - p]
            db(t + 1, p)
            for j in range(a[t - p] + 1, k):
                a[t] = j
                db(t + 1, t)

    db(1, 1)
    return [symbols[i] for i in [*seq, seq[0]]]


ORDER = every_pair(OPS)


def test_the_order_has_every_pair() -> None:
    pairs = set(itertools.pairwise(ORDER))
    assert len(ORDER) == 26 and pairs == {(a, b) for a in OPS for b in OPS}


SETUP = textwrap.dedent("""
    import asyncio, os, sys
    from typing import TypedDict
    from openai import AsyncOpenAI
    from livegraph import llm
    from livegraph.graph import START, StateGraph

    SERVER, CLIENT = {server!r}, {client!r}
    if SERVER == "embedded":
        llm.use_embedded(tokens_per_second=0)
    else:
        from keepalive_server import KeepAliveServer
        keepalive = KeepAliveServer().__enter__()
        os.environ.update(OPENAI_BASE_URL=keepalive.base_url, OPENAI_API_KEY="sk-test")
    client = AsyncOpenAI(max_retries=0) if CLIENT == "raw" else llm.async_client()
    ASK = dict(model="livegraph-tiny", messages=[{{"role": "user", "content": "Tell me about cats"}}], stream=True)

    class S(TypedDict, total=False):
        out: str

    async def talk(state):
        stream = await client.chat.completions.create(**ASK)
        return {{"out": (await llm.astream_chat(stream))["content"]}}

    graph = StateGraph(S).add_node(talk).add_edge(START, "talk").compile()

    async def direct():
        stream = await client.chat.completions.create(**ASK)
        return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])

    def stream():
        return "".join(m.content for m, _ in graph.stream({{}}, stream_mode="messages"))

    def invoke():
        return graph.invoke({{}})["out"]

    async def astream():
        return "".join([m.content async for m, _ in graph.astream({{}}, stream_mode="messages")])

    async def ainvoke():
        return (await graph.ainvoke({{}}))["out"]

    def failure(exc):
        return f"{{type(exc).__name__}}: {{exc}} | " + " | ".join(getattr(exc, "__notes__", [])[1:])
""")

NOTEBOOK_LIKE = textwrap.dedent("""
    async def main(order):
        out = []
        for op in order:
            try:
                out.append(globals()[op]() if op in ("stream", "invoke") else await globals()[op]())
            except Exception as exc:
                out.append(failure(exc))
        return out

    results = asyncio.run(main({order!r}))
""")

RUN_PER_CALL = textwrap.dedent("""
    results = []
    for op in {order!r}:
        try:
            results.append(globals()[op]() if op in ("stream", "invoke") else asyncio.run(globals()[op]()))
        except Exception as exc:
            results.append(failure(exc))
""")

REPORT = textwrap.dedent("""
    import json
    reused = None if SERVER == "embedded" else keepalive.connections < keepalive.requests
    print(json.dumps({"results": results, "reused": reused}))
""")


def _script(server: str, client: str, body: str, tmp_path: Path) -> dict[str, Any]:
    source = SETUP.format(server=server, client=client) + body.format(order=ORDER) + REPORT
    path = tmp_path / "mix.py"
    path.write_text(source)
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "LIVEGRAPH_MODEL")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(TESTS)])
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def _one_text(results: list[str], server: str) -> str:
    texts = set(results)
    assert len(texts) == 1, results
    text = texts.pop()
    assert text == KEEPALIVE_TEXT if server == "keepalive" else text.startswith("Cats")
    return text


@pytest.mark.parametrize("client", ["raw", "ours"])
@pytest.mark.parametrize("server", ["embedded", "keepalive"])
def test_a_script_like_a_notebook_mixes_every_call_with_one_client(server: str, client: str, tmp_path: Path) -> None:
    got = _script(server, client, NOTEBOOK_LIKE, tmp_path)
    _one_text(got["results"], server)
    assert len(got["results"]) == len(ORDER)
    if server == "keepalive":
        assert got["reused"] is True


@pytest.mark.parametrize("server", ["embedded", "keepalive"])
def test_async_client_works_across_asyncio_run_calls(server: str, tmp_path: Path) -> None:
    got = _script(server, "ours", RUN_PER_CALL, tmp_path)
    _one_text(got["results"], server)


CROSS_LOOP = (
    "An async client (e.g. a module-level AsyncOpenAI()) reused a connection it opened on another event loop"
)


def test_a_plain_async_openai_across_asyncio_run_calls_fails_at_once_naming_the_fix(tmp_path: Path) -> None:
    got = _script("keepalive", "raw", RUN_PER_CALL, tmp_path)["results"]
    # `stream`/`invoke` run on livegraph's background loop (no loop runs at a script's top level) and
    # share it; each `asyncio.run` is a new loop, where the SDK's pooled connection cannot be used.
    for op, result in zip(ORDER, got):
        if result == KEEPALIVE_TEXT:
            continue
        # The SDK fails either before the answer starts (its RuntimeError) or once it streams (then the
        # LLM adapter's LLMStreamError, raised from it), with one of asyncio's two ways of saying it: which
        # depends on when the pooled connection is touched.
        assert result.startswith(("RuntimeError: ", "LLMStreamError: ")), result
        assert "is bound to a different event loop" in result or "Event loop is closed" in result, result
        if op != "direct":  # inside a graph, livegraph adds the note
            assert CROSS_LOOP in result and "livegraph.llm.async_client()" in result, result
    assert got[0] == KEEPALIVE_TEXT


# -- in a real kernel -------------------------------------------------------------------------------------------
pytest.importorskip("jupyter_client")

CELLS = {
    "stream": "print(repr(''.join(m.content for m, _ in graph.stream({}, stream_mode='messages'))))",
    "invoke": "print(repr(graph.invoke({})['out']))",
    "astream": "print(repr(''.join([m.content async for m, _ in graph.astream({}, stream_mode='messages')])))",
    "ainvoke": "print(repr((await graph.ainvoke({}))['out']))",
    "direct": "print(repr(await direct()))",
}


@pytest.fixture(name="kernel")
def kernel_fixture() -> Iterator[Kernel]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(TESTS)])
    k = Kernel(env)
    yield k
    k.close()


@pytest.mark.kernel
@pytest.mark.timeout(240)
@pytest.mark.parametrize("client", ["raw", "ours"])
@pytest.mark.parametrize("server", ["embedded", "keepalive"])
def test_in_a_kernel_every_mix_works_with_one_client(kernel: Kernel, server: str, client: str) -> None:
    assert kernel.run(SETUP.format(server=server, client=client)) == ""
    results = [kernel.run(CELLS[op]) for op in ORDER]
    _one_text([ast.literal_eval(r) if r.startswith("'") else r for r in results], server)
    if server == "keepalive":
        assert kernel.run("print(keepalive.connections < keepalive.requests)") == "True"


# -- on the caller's loop: the consumer holds the loop between items -------------------------------------------
def _loop_graph(block: bool) -> Any:
    import asyncio
    import time
    from typing import TypedDict

    from livegraph.config import get_stream_writer
    from livegraph.graph import START, StateGraph

    class S(TypedDict, total=False):
        x: int

    async def talk(state: S) -> S:
        writer = get_stream_writer()
        for i in range(3):
            writer(i)
            if block:
                time.sleep(0.7)  # the node's own mistake
            await asyncio.sleep(0)
        return {"x": 1}

    return StateGraph(S).add_node(talk).add_edge(START, "talk").compile()


@pytest.mark.parametrize("block", [False, True], ids=["slow-consumer", "blocking-node"])
def test_only_a_node_that_blocks_the_loop_is_reported_not_a_slow_consumer(block: bool) -> None:
    import asyncio
    import time
    import warnings

    graph = _loop_graph(block)

    async def cell() -> list[Any]:
        events = []
        for event in graph.stream({}, stream_mode="events"):
            events.append(event)
            if event.kind == "chunk" and not block:
                time.sleep(0.7)  # the cell's own work between chunks: the graph waits, nobody is blamed
        return events

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = asyncio.run(cell())
    blocked = [(e.node, e.data["over"]) for e in events if e.kind == "loop_blocked"]
    assert [e.data for e in events if e.kind == "chunk"] == [0, 1, 2]
    if block:
        assert blocked[0] == ("talk", False) and set(blocked) == {("talk", False), ("talk", True)}
        assert len([w for w in caught if w.category is RuntimeWarning]) >= 1
    else:
        assert blocked == [] and [w for w in caught if w.category is RuntimeWarning] == []


@pytest.mark.parametrize("outer_call", ["ainvoke", "invoke_in_loop"])
def test_a_sync_call_on_an_async_graph_from_inside_an_async_node_names_the_right_call(outer_call: str) -> None:
    import asyncio
    from typing import TypedDict

    from livegraph.graph import START, StateGraph

    class S(TypedDict, total=False):
        x: int

    async def leaf(state: S) -> S:
        return {"x": 1}

    inner = StateGraph(S).add_node(leaf).add_edge(START, "leaf").compile()

    async def outer(state: S) -> S:
        return inner.invoke({"x": 0})  # type: ignore[no-any-return]

    graph = StateGraph(S).add_node(outer).add_edge(START, "outer").compile()

    async def main() -> Any:
        return await graph.ainvoke({"x": 0}) if outer_call == "ainvoke" else graph.invoke({"x": 0})

    with pytest.raises(RuntimeError) as info:
        asyncio.run(main())
    assert str(info.value) == (
        "A sync call (`graph.stream`/`graph.invoke`) on an async graph was made from inside an async node; "
        "use `await graph.ainvoke(...)` or `graph.astream(...)` there"
    )
