"""The live view of nodes that call `livegraph.llm`: each piece of text shows once in its panel, whatever
modes it travelled through (the adapters with `custom=True` write it to `messages` and to `custom`); the
first LLM call of an async node is not blamed on the node; `run`/`arun` return what `graph.invoke` returns.

Every adapter (chat/achat, stream_chat/astream_chat, stream_response/astream_response, stream_text/
astream_text), with and without `custom=True`, through `run`, `arun`, a `Panel` fed by hand and a `RunView`,
against the embedded server on loopback with real OpenAI clients."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypedDict

import comm
import pytest
from comm.base_comm import BaseComm

from livegraph import MessageChunk, llm
from livegraph._engine._messages import echo, echoed
from livegraph.checkpoint.memory import InMemorySaver
from livegraph.graph import START, StateGraph
from livegraph.llm import EmbeddedServer
from livegraph.notebook import Panel, RunView, arun, run
from livegraph.types import interrupt
from llm_fakes import async_client, serve, sync_client

TEXT = "Cats are small carnivorous mammals."
WORDS = ["Cats", " are", " small", " carnivorous", " mammals", "."]
SRC = str(Path(__file__).resolve().parent.parent / "src")


class State(TypedDict, total=False):
    question: str
    out: str


def _node(adapter: str, kind: str, server: EmbeddedServer, custom: bool) -> Callable[..., Any]:
    """A node `talk` that answers with `adapter` (sync `def` or `async def`), streaming `TEXT`."""
    ask = [{"role": "user", "content": "Tell me about cats"}]

    def talk(state: State) -> dict[str, Any]:
        if adapter == "chat":
            return {"out": llm.chat(ask, custom=custom, client=sync_client(server))["content"]}
        if adapter == "stream_chat":
            stream = sync_client(server).chat.completions.create(model="m", messages=ask, stream=True)
            return {"out": llm.stream_chat(stream, custom=custom)["content"]}
        if adapter == "stream_response":
            stream = sync_client(server).responses.create(model="m", input="Tell me about cats", stream=True)
            return {"out": llm.stream_response(stream, custom=custom)["content"]}
        return {"out": llm.stream_text(iter(WORDS), custom=custom)}

    async def atalk(state: State) -> dict[str, Any]:
        if adapter == "chat":
            return {"out": (await llm.achat(ask, custom=custom, client=async_client(server)))["content"]}
        if adapter == "stream_chat":
            stream = await async_client(server).chat.completions.create(model="m", messages=ask, stream=True)
            return {"out": (await llm.astream_chat(stream, custom=custom))["content"]}
        if adapter == "stream_response":
            stream = await async_client(server).responses.create(model="m", input="Tell me about cats", stream=True)
            return {"out": (await llm.astream_response(stream, custom=custom))["content"]}

        async def words() -> AsyncIterator[str]:
            for word in WORDS:
                yield word

        return {"out": await llm.astream_text(words(), custom=custom)}

    return talk if kind == "sync" else atalk


def _graph(adapter: str, kind: str, server: EmbeddedServer, custom: bool) -> Any:
    node = _node(adapter, kind, server, custom)
    return StateGraph(State).add_node("talk", node).add_edge(START, "talk").compile()


@pytest.fixture(name="wire")
def wire_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widgets without a kernel: their comm messages go nowhere."""

    class Silent(BaseComm):
        def publish_msg(self, *args: Any, **kwargs: Any) -> None:
            pass

    monkeypatch.setattr(comm, "create_comm", Silent)


ADAPTERS = ["chat", "stream_chat", "stream_response", "stream_text"]
KINDS = ["sync", "async"]
CUSTOM = [False, True]


def _through_run(graph: Any, capsys: pytest.CaptureFixture[str], call: str) -> str:
    state = run(graph, {"question": "cats"}) if call == "run" else asyncio.run(arun(graph, {"question": "cats"}))
    assert state == {"question": "cats", "out": TEXT}
    header, *text, _status = capsys.readouterr().out.splitlines()
    assert header == "── talk · step 1 ──"
    return "\n".join(text)


@pytest.mark.parametrize("custom", CUSTOM, ids=["messages", "messages+custom"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("call", ["run", "arun"])
def test_run_shows_each_piece_once(
    call: str, adapter: str, kind: str, custom: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve([TEXT]) as server:
        assert _through_run(_graph(adapter, kind, server, custom), capsys, call) == TEXT


def _items(graph: Any, kind: str, stream_mode: Any) -> list[Any]:
    if kind == "sync":
        return list(graph.stream({"question": "cats"}, stream_mode=stream_mode))

    async def collect() -> list[Any]:
        return [item async for item in graph.astream({"question": "cats"}, stream_mode=stream_mode)]

    return asyncio.run(collect())


@pytest.mark.usefixtures("wire")
@pytest.mark.parametrize("custom", CUSTOM, ids=["messages", "messages+custom"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_run_view_shows_each_piece_once(adapter: str, kind: str, custom: bool) -> None:
    with serve([TEXT]) as server:
        graph = _graph(adapter, kind, server, custom)
        view = RunView(graph, auto_refresh=False)
        with view:
            for item in _items(graph, kind, "events"):
                view.feed(item)
    assert [(p.title, p.text) for p in view.model.records()] == [("talk", TEXT)]
    assert view.model.tokens == len(WORDS)


@pytest.mark.usefixtures("wire")
@pytest.mark.parametrize("modes", [["messages", "custom"], ["custom", "messages"], ["messages"], ["custom"]],
                         ids=["both", "both-custom-first", "messages", "custom"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_panel_fed_by_hand_shows_each_piece_once(adapter: str, kind: str, modes: list[str]) -> None:
    with serve([TEXT]) as server:
        items = _items(_graph(adapter, kind, server, custom=True), kind, modes)
    panel = Panel("talk", auto_refresh=False)
    for item in items:
        panel.append(item)
    panel.refresh()
    assert panel.text == TEXT


@pytest.mark.usefixtures("wire")
def test_a_panel_fed_events_shows_each_piece_once() -> None:
    with serve([TEXT]) as server:
        items = _items(_graph("chat", "sync", server, custom=True), "sync", "events")
    panel = Panel("talk", auto_refresh=False)
    for item in items:
        panel.append(item)
    panel.refresh()
    assert panel.text == TEXT


def test_an_echo_is_the_plain_value_to_custom_mode_consumers() -> None:
    piece = MessageChunk("Hi", id="m1")
    marked = echo({"role": "assistant", "content": "Hi"}, piece)
    assert marked == {"role": "assistant", "content": "Hi"}
    assert json.dumps(marked) == '{"role": "assistant", "content": "Hi"}'
    assert repr(marked) == "{'role': 'assistant', 'content': 'Hi'}"
    assert echoed(marked) is piece
    assert echo("Hi", piece) == "Hi" and echoed(echo("Hi", piece)) is piece
    assert echoed({"role": "assistant", "content": "Hi"}) is None
    other = object()
    assert echo(other, piece) is other and echoed(other) is None


@pytest.mark.usefixtures("wire")
def test_a_writer_s_own_text_equal_to_a_piece_still_shows() -> None:
    # Only a marked echo is skipped: a node that writes the same words itself shows them.
    piece = MessageChunk("Hi", id="m1")
    panel = Panel(auto_refresh=False)
    for item in [("messages", (piece, {})), ("custom", {"role": "assistant", "content": "Hi"}),
                 ("custom", echo({"role": "assistant", "content": "Hi"}, piece)), ("messages", (piece, {}))]:
        panel.append(item)
    panel.refresh()
    assert panel.text == "HiHiHi"


@pytest.mark.parametrize("function", [lambda p: {"custom_llm_chunk": p.content}, lambda p: p.content],
                         ids=["dict", "str"])
@pytest.mark.usefixtures("wire")
def test_a_custom_function_s_chunks_are_echoes_too(function: Callable[[MessageChunk], Any]) -> None:
    def talk(state: State) -> dict[str, Any]:
        return {"out": llm.stream_text(iter(WORDS), custom=function)}

    graph = StateGraph(State).add_node("talk", talk).add_edge(START, "talk").compile()
    items = list(graph.stream({}, stream_mode=["messages", "custom"]))
    assert [c for mode, c in items if mode == "custom"] == [function(MessageChunk(w)) for w in WORDS]
    panel = Panel(auto_refresh=False)
    for item in items:
        panel.append(item)
    panel.refresh()
    assert panel.text == TEXT


# -- run() returns what invoke() returns ------------------------------------------------------------------------
class Asked(TypedDict, total=False):
    x: str
    y: str


def _asking_graph(kind: str) -> Any:
    if kind == "sync":
        def left(state: Asked) -> dict[str, Any]:
            return {"x": interrupt("ok?")}

        def right(state: Asked) -> dict[str, Any]:
            return {"y": interrupt({"sure": True})}
    else:
        async def left(state: Asked) -> dict[str, Any]:  # type: ignore[misc]
            return {"x": interrupt("ok?")}

        async def right(state: Asked) -> dict[str, Any]:  # type: ignore[misc]
            return {"y": interrupt({"sure": True})}

    return (StateGraph(Asked).add_node(left).add_node(right).add_edge(START, "left").add_edge(START, "right")
            .compile(checkpointer=InMemorySaver()))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("call", ["run", "arun"])
def test_run_returns_the_interrupts_as_invoke_does(call: str, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    graph = _asking_graph(kind)
    seen, expected = {"configurable": {"thread_id": "seen"}}, {"configurable": {"thread_id": "invoked"}}
    got = run(graph, {"x": ""}, seen) if call == "run" else asyncio.run(arun(graph, {"x": ""}, seen))
    want = graph.invoke({"x": ""}, expected)
    asked = list(graph.get_state(seen).interrupts)
    assert [i.value for i in asked] == ["ok?", {"sure": True}]
    assert got == {"x": "", "__interrupt__": asked}
    assert list(got) == list(want) and [i.value for i in want["__interrupt__"]] == ["ok?", {"sure": True}]


def test_run_returns_the_state_alone_when_nothing_was_asked(capsys: pytest.CaptureFixture[str]) -> None:
    graph = _asking_graph("sync")
    config = {"configurable": {"thread_id": "t"}}
    run(graph, {"x": ""}, config)
    from livegraph.types import Command

    resumed = run(graph, Command(resume={i.id: "yes" for i in graph.get_state(config).interrupts}), config)
    assert resumed == graph.get_state(config).values == {"x": "yes", "y": "yes"}
    assert "__interrupt__" not in resumed


# -- livegraph's own first-use work is not blamed on the node ----------------------------------------------------
FIRST_CALL = textwrap.dedent("""
    import json, sys, warnings
    from typing import TypedDict
    import time
    from livegraph import llm
    from livegraph.graph import START, StateGraph
    assert "openai" not in sys.modules

    class ColdDisk:  # importing the SDK takes a second, as on a fresh machine
        def find_spec(self, name, path=None, target=None):
            if name == "openai":
                time.sleep(1.0)
            return None

    sys.meta_path.insert(0, ColdDisk())

    class S(TypedDict, total=False):
        out: str

    async def talk(state):
        return {"out": (await llm.achat([{"role": "user", "content": "hi"}], custom=True))["content"]}

    graph = StateGraph(S).add_node(talk).add_edge(START, "talk").compile()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = list(graph.stream({}, stream_mode="events"))
    print(json.dumps({
        "warnings": [str(w.message) for w in caught if w.category is RuntimeWarning],
        "blocked": [e.data for e in events if e.kind == "loop_blocked"],
        "out": events[-1].data["out"] != "",
    }))
""")

BLOCKING = textwrap.dedent("""
    import json, sys, time, warnings
    from typing import TypedDict
    from livegraph import llm
    from livegraph.graph import START, StateGraph

    class S(TypedDict, total=False):
        out: str

    class ColdDisk:
        def find_spec(self, name, path=None, target=None):
            if name == "openai":
                time.sleep(1.0)
            return None

    sys.meta_path.insert(0, ColdDisk())

    async def talk(state):
        llm.async_client()  # the SDK's import (1 s), on the loop: livegraph's work, excused
        time.sleep(0.8)     # the node's own blocking call: reported
        return {"out": "x"}

    graph = StateGraph(S).add_node(talk).add_edge(START, "talk").compile()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        events = list(graph.stream({}, stream_mode="events"))
    print(json.dumps({
        "warnings": len([w for w in caught if w.category is RuntimeWarning]),
        "blocked": [(e.data["over"], e.data["seconds"]) for e in events if e.kind == "loop_blocked"],
    }))
""")


def _script(source: str, tmp_path: Path) -> Any:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "LIVEGRAPH_MODEL")}
    script = tmp_path / "first.py"
    script.write_text(source)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                          env={**env, "PYTHONPATH": SRC, "LIVEGRAPH_TOKENS_PER_SECOND": "0"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_first_achat_of_a_fresh_process_is_not_blamed_on_the_node(tmp_path: Path) -> None:
    assert _script(FIRST_CALL, tmp_path) == {"warnings": [], "blocked": [], "out": True}


def test_a_node_s_own_blocking_is_still_reported_after_livegraph_s_work(tmp_path: Path) -> None:
    got = _script(BLOCKING, tmp_path)
    assert got["warnings"] == 1
    (opened, first), (closed, total) = got["blocked"]
    assert (opened, closed) == (False, True)
    assert 0.5 <= first < 0.8 and 0.8 <= total < 1.5  # the node's 0.8 s, not the import's second before it


def test_warm_up_is_idempotent_and_can_run_in_the_background(tmp_path: Path) -> None:
    source = textwrap.dedent("""
        import json, sys, threading, time
        from livegraph import llm
        start = time.perf_counter()
        llm.warm_up(background=True)
        returned = time.perf_counter() - start
        threads = [threading.Thread(target=llm.warm_up) for _ in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        again = time.perf_counter(); llm.warm_up(); llm.warm_up(background=True); again = time.perf_counter() - again
        from livegraph.llm import _client
        print(json.dumps({"returned_at_once": returned < 0.05, "openai": "openai" in sys.modules,
                          "server": _client._shared is not None and _client._shared.running,
                          "cheap": again < 0.001}))
    """)
    assert _script(source, tmp_path) == {"returned_at_once": True, "openai": True, "server": True, "cheap": True}
