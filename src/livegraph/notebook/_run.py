"""`run()` / `arun()`: run a graph in a cell and watch it live; and the plain-text view used outside
Jupyter (a terminal, a script), which prints node headers and streamed text as it arrives.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Protocol, TextIO

from livegraph import Event

from ._format import Formatter, header_line, status_line
from ._hitl import after_run
from ._model import RunModel, Update, event_of
from ._view import RunView, ipython_display, shell


class View(Protocol):
    model: RunModel

    def feed(self, item: Any) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class TextView:
    """The live view as plain text. One task at a time has the floor: its header line, then its text as
    it arrives. What parallel tasks stream meanwhile is held and printed, under their own header, when
    the floor passes to them (when the task before them ends), so texts never interleave. Errors are
    printed under their task; the status line ends the run.

    Args:
        out: Where to write (`sys.stdout` when None, looked up when the view is made).
        formatter: As for `RunView`.
        clock: The monotonic clock the status line reads.
    """

    def __init__(
        self,
        out: TextIO | None = None,
        *,
        formatter: Formatter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.model = RunModel(formatter)
        self._out = out if out is not None else sys.stdout
        self._clock = clock
        self._floor: str | None = None
        self._waiting: dict[str, list[str]] = {}  # tasks not yet printed, in start order: held text
        self._ended: set[str] = set()
        self._open_line = False

    def feed(self, item: Any) -> None:
        """Apply one event (or stream item carrying one) and print what it adds."""
        event = event_of(item, "TextView.feed()")
        if event is not None:
            self.model.apply(event)
            self._write(self.model.take_update(self._clock()))

    def __enter__(self) -> TextView:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, Exception) and self.model.phase == "running":
            self.model.apply(Event("run_error", None, None, self.model.step, (), self._clock(), exc))
        self.model.stop(self._clock())
        self._write(self.model.take_update(self._clock()), final=True)

    def _write(self, update: Update, final: bool = False) -> None:
        out: list[str] = []
        for key, _ in update.opened:
            self._waiting[key] = []
        for key, text in update.appended:
            if key == self._floor:
                out.append(self._text(text))
            elif key in self._waiting:
                self._waiting[key].append(text)
        for key, state, _ in update.changed:
            if state != "running":
                self._ended.add(key)
        while self._floor is None or self._floor in self._ended or final:
            if self._floor is not None:
                note = self.model.panels[self._floor].note
                if note:
                    out.append(self._line(f"!! {note}"))
                self._floor = None
            if not self._waiting:
                break
            key, held = next(iter(self._waiting.items()))
            del self._waiting[key]
            self._floor = key
            panel = self.model.panels[key]
            out.append(self._line(header_line(panel.title, panel.step)))
            out.extend(self._text(text) for text in held)
        if final:
            out.append(self._line(status_line(self.model.status(self._clock()))))
        if out:
            self._out.write("".join(out))
            self._out.flush()

    def _text(self, text: str) -> str:
        self._open_line = not text.endswith("\n")
        return text

    def _line(self, text: str) -> str:
        head = "\n" if self._open_line else ""
        self._open_line = False
        return f"{head}{text}\n"


def _view(graph: Any, xray: bool | int, formatter: Formatter | None) -> View:
    if shell() is None:
        return TextView(formatter=formatter)
    view = RunView(graph, xray=xray, formatter=formatter)
    ipython_display().display(view)
    return view


def _check(kwargs: Mapping[str, Any]) -> None:
    if "stream_mode" in kwargs:
        raise TypeError(
            "run() streams `events` itself and takes no stream_mode; to see other modes, use "
            "`graph.stream(inputs, stream_mode=[...])` and feed a `Panel` or a `RunView`"
        )


def run(
    graph: Any,
    inputs: Any,
    config: Mapping[str, Any] | None = None,
    *,
    formatter: Formatter | None = None,
    xray: bool | int = False,
    **stream_kwargs: Any,
) -> Any:
    """Run `graph` on `inputs` and watch it live; return the final state.

    In Jupyter the cell shows the diagram with the running nodes lit, a status line (step, running nodes,
    elapsed time, tokens/s), and one panel per task that appends each streamed chunk in place; when the
    run ends (or fails) it leaves a static record (HTML and SVG) that a saved notebook shows without a
    kernel. Elsewhere it prints a plain-text live view to stdout. Works for sync and async graphs.

    Args:
        graph: A compiled graph.
        inputs: The run's input, as for `graph.stream`.
        config: The run's config, as for `graph.stream`.
        formatter: `formatter(chunk) -> str | None`: the text a panel shows for a chunk (None: livegraph's).
        xray: Draw subgraphs expanded in the diagram.
        **stream_kwargs: Passed on to `graph.stream` (`context=...`, ...).

    Returns:
        What `graph.invoke` returns: the final state, with `__interrupt__` when the run stopped at
        `interrupt()`.

    Raises:
        Whatever the run raises, after the view shows it in the failing node's panel.
    """
    _check(stream_kwargs)
    view = _view(graph, xray, formatter)
    items: list[Any] = []
    with view:
        for item in graph.stream(inputs, config, stream_mode="events", **stream_kwargs):
            view.feed(item)
            items.append(item)
    after_run(graph, config, items, formatter=formatter, xray=xray)
    return view.model.output


async def arun(
    graph: Any,
    inputs: Any,
    config: Mapping[str, Any] | None = None,
    *,
    formatter: Formatter | None = None,
    xray: bool | int = False,
    **stream_kwargs: Any,
) -> Any:
    """The async twin of `run` (`await livegraph.notebook.arun(graph, inputs)`): streams with
    `graph.astream` on the running event loop."""
    _check(stream_kwargs)
    view = _view(graph, xray, formatter)
    items: list[Any] = []
    with view:
        async for item in graph.astream(inputs, config, stream_mode="events", **stream_kwargs):
            view.feed(item)
            items.append(item)
    after_run(graph, config, items, formatter=formatter, xray=xray)
    return view.model.output
