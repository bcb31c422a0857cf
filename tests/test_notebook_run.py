"""`livegraph.notebook.run()` / `arun()` outside Jupyter: a plain-text live view on stdout, for sync and
async graphs, from a plain call and from `await`; the run's result or error is the caller's."""

from __future__ import annotations

import asyncio
import io
import operator
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from livegraph.config import get_message_writer, get_stream_writer
from livegraph.graph import END, START, StateGraph
from livegraph.notebook import TextView, arun, run
from livegraph.types import Send


class State(TypedDict):
    topic: str
    out: Annotated[list[str], operator.add]


def build(kind: str, fail: bool = False) -> Any:
    """plan -> two `write` workers (Send) -> END; `write` streams words, a dict and message chunks."""

    def plan(state: State) -> dict[str, Any]:
        get_stream_writer()({"progress": "planning"})
        return {}

    def words(topic: str) -> list[Any]:
        return [{"custom_llm_chunk": f"{topic}:"}, " one", {"role": "assistant", "content": " two"}]

    # `b` fails only once `a` has written all its text: a failure stops the run, and a sibling's write
    # after that would be refused, so without this the transcript would depend on thread timing.
    a_wrote = threading.Event()

    if kind == "sync":
        def write(state: State) -> dict[str, Any]:
            writer = get_stream_writer()
            for chunk in words(state["topic"]):
                writer(chunk)
            get_message_writer()(" three")
            if state["topic"] == "a":
                a_wrote.set()
            if fail and state["topic"] == "b":
                a_wrote.wait(10)
                raise ValueError("boom")
            return {"out": [state["topic"]]}
    else:
        async def write(state: State) -> dict[str, Any]:  # type: ignore[misc]
            writer = get_stream_writer()
            for chunk in words(state["topic"]):
                writer(chunk)
                await asyncio.sleep(0)
            get_message_writer()(" three")
            if state["topic"] == "a":
                a_wrote.set()
            if fail and state["topic"] == "b":
                while not a_wrote.is_set():
                    await asyncio.sleep(0.001)
                raise ValueError("boom")
            return {"out": [state["topic"]]}

    def fan(state: State) -> list[Send]:
        return [Send("write", {"topic": t, "out": []}) for t in ("a", "b")]

    return (
        StateGraph(State)
        .add_node("plan", plan)
        .add_node("write", write)
        .add_edge(START, "plan")
        .add_conditional_edges("plan", fan, ["write"])
        .add_edge("write", END)
        .compile()
    )


def call_run(graph: Any, inputs: Any) -> Any:
    return run(graph, inputs)


def call_arun(graph: Any, inputs: Any) -> Any:
    return asyncio.run(arun(graph, inputs))


CALLS: list[Callable[[Any, Any], Any]] = [call_run, call_arun]
LINES = [
    "── plan · step 1 ──",
    "{'progress': 'planning'}",
    "── write #1 · step 2 ──",
    "a: one two three",
    "── write #2 · step 2 ──",
    "b: one two three",
]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("call", CALLS, ids=lambda f: f.__name__)
def test_outside_jupyter_run_prints_a_text_view_and_returns_the_state(
    kind: str, call: Callable[[Any, Any], Any], capsys: pytest.CaptureFixture[str]
) -> None:
    state = call(build(kind), {"topic": "cats", "out": []})
    assert state == {"topic": "cats", "out": ["a", "b"]}
    *lines, status = capsys.readouterr().out.splitlines()
    assert lines == LINES
    assert re.fullmatch(r"done · 2 steps · (\d+\.\d+ s|\d+ ms|< 1 ms) · 8 tokens(, \d+ tok/s)?", status), status


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("call", CALLS, ids=lambda f: f.__name__)
def test_a_failing_node_shows_its_error_under_its_header_and_the_error_reaches_the_caller(
    kind: str, call: Callable[[Any, Any], Any], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValueError, match=r"^boom"):
        call(build(kind, fail=True), {"topic": "cats", "out": []})
    *lines, status = capsys.readouterr().out.splitlines()
    assert lines[:4] == LINES[:4]
    assert lines[4:] == ["── write #2 · step 2 ──", "b: one two three", "!! ValueError: boom"]
    assert re.fullmatch(r"error · in write #2: ValueError: boom · 2 steps · .*", status), status


def test_parallel_texts_never_interleave() -> None:
    from livegraph import Event

    out = io.StringIO()
    view = TextView(out, clock=lambda: 2.0)
    with view:
        for kind, task, data in [("task_start", "x", None), ("task_start", "y", None), ("chunk", "y", "Y1 "),
                                 ("chunk", "x", "X1 "), ("chunk", "y", "Y2"), ("chunk", "x", "X2"),
                                 ("task_end", "y", None), ("chunk", "x", "X3"), ("task_end", "x", None)]:
            view.feed(Event(kind, task, task, 1, (), 1.0, data))  # type: ignore[arg-type]
    assert out.getvalue() == "── x · step 1 ──\nX1 X2X3\n── y · step 1 ──\nY1 Y2\nstopped · 1 step · 1.0 s · 5 tokens, 5 tok/s\n"


def test_run_takes_no_stream_mode() -> None:
    with pytest.raises(TypeError, match=r"^run\(\) streams `events` itself and takes no stream_mode; "):
        run(build("sync"), {"topic": "x", "out": []}, stream_mode="custom")


def test_the_notebook_layer_loads_no_widget_package_until_a_view_is_made(tmp_path: Path) -> None:
    src = str(Path(__file__).resolve().parent.parent / "src")
    code = (
        "import sys, livegraph.notebook\n"
        "print(sorted({m.partition('.')[0] for m in sys.modules} & {'ipywidgets', 'IPython', 'anywidget', 'graphviz'}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": src}, check=False)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr


def test_the_public_names_are_exported() -> None:
    import types

    import livegraph.notebook as lgn

    public = {n for n, v in vars(lgn).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    public -= {"annotations"}
    assert sorted(public) == sorted(lgn.__all__)
