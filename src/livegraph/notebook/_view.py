"""The live views a notebook shows: `RunView` (a whole run: diagram, status line, the tasks' board, and
the static record it leaves) and `Panel` (one text panel fed by hand).

Both follow rich's `Live`: `feed()` / `append()` only queue; the refresh loop (`_live.Live`) applies the
queue and sends what changed, at most `per_second` times a second, from the thread of the cell that
started the view. The widgets are built on construction, so constructing a view needs ipywidgets and
anywidget (`require()` names the install command when they are missing).
"""

from __future__ import annotations

import html
import importlib
import sys
import time
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from types import ModuleType, TracebackType
from typing import Any

from livegraph import Event

from ._board import BYTES_PER_SECOND, Board
from ._format import (
    Formatter,
    PanelRecord,
    error_note,
    final_state_html,
    format_chunk,
    panel_html,
    panel_text,
    record_html,
    record_text,
    status_line,
    unwrap,
)
from ._live import Live
from ._model import Once, RunModel, TextPanel, Update, event_of, incomplete_line

INSTALL_HINT = "pip install 'livegraph[notebook]'"


def require() -> ModuleType:
    """The widget module; ImportError with the install command when ipywidgets or anywidget is missing."""
    try:
        return importlib.import_module("livegraph.notebook._widgets")
    except ImportError as exc:
        raise ImportError(
            f"livegraph's notebook views need ipywidgets and anywidget ({exc.name or exc} is missing): "
            f"{INSTALL_HINT}"
        ) from exc


def shell() -> Any:
    """The IPython shell of a Jupyter kernel we run in, else None (IPython is not imported for this)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    ip = ipython.get_ipython()
    return ip if getattr(ip, "kernel", None) is not None else None


def ipython_display() -> ModuleType:
    """`IPython.display` (imported when a view is shown; `ModuleType` keeps its untyped calls `Any`)."""
    return importlib.import_module("IPython.display")


def _after_cell(stop: Callable[[], None]) -> None:
    """Call `stop` once, when the current cell has run (a view nobody stopped is stopped there)."""
    ip = shell()
    if ip is None:
        return

    def once(*_: Any) -> None:
        ip.events.unregister("post_run_cell", once)
        ip.events.unregister("pre_run_cell", once)
        stop()

    ip.events.register("post_run_cell", once)
    # Or, at the latest, when the next cell starts: a kernel that runs a cell with `run_cell_async` itself
    # (JupyterLite's Pyodide kernel, for cells that `await`) sends no `post_run_cell` for it.
    ip.events.register("pre_run_cell", once)


def widget_bundle(widget: Any, text: str, html: str | None = None) -> dict[str, Any]:
    """What Jupyter shows for an object that displays as `widget`, with `text` (and `html`) where widgets
    don't run: a notebook opened untrusted or without a kernel, GitHub, nbviewer. The fallback is saved
    as it was when last displayed, so views that change update their display when they finish."""
    bundle: dict[str, Any] = {
        "application/vnd.jupyter.widget-view+json": {
            "version_major": 2,
            "version_minor": 0,
            "model_id": widget.model_id,
        },
        "text/plain": text,
    }
    if html is not None:
        bundle["text/html"] = html
    return bundle


def draw(graph: Any, xray: bool | int, scope: str) -> tuple[str | None, str]:
    """`(svg, hint)`: the graph drawn once, or None and a one-line reason (drawing never raises here)."""
    if graph is None:
        return None, ""
    try:
        from .. import render

        return render.to_svg(graph, xray=xray, scope=scope), ""  # LangGraph's graphs too
    except Exception as exc:
        return None, f"(no diagram: {' '.join(str(exc).split())})"


class RunView:
    """The live view of one run: the diagram with running and finished nodes lit, a status line, and one
    panel per task, or for a node with many tasks (`Send` workers, loop turns) a grid of tiles and one
    panel for the task picked or most recently active (see `_board`); when stopped, a static record
    (diagram and transcript as plain HTML, many tasks summarised) replaces it. However many tasks and
    chunks, the view is three widgets (the box, the diagram, the board; six comms with their layouts), and
    it sends at most one board message and one diagram restyle per refresh, with about `BYTES_PER_SECOND`
    of text a second.

    `livegraph.notebook.run()` makes one for you. To drive one yourself::

        view = RunView(graph)
        display(view)
        with view:
            for event in graph.stream(inputs, stream_mode="events"):
                view.feed(event)

    Args:
        graph: The compiled graph (for the diagram), or None for no diagram.
        xray: Draw subgraphs expanded (as `get_graph(xray=...)`).
        formatter: `formatter(chunk) -> str | None`: the text to show for a chunk (None: livegraph's own).
        record: Replace the live widgets by the static record when stopped (and close them). When False,
            the widgets stay, with their whole text synced (saved widget state then has it).
        auto_refresh: False starts no refresh thread: call `refresh()` yourself.
        per_second: The most refreshes a second.
        clock: The monotonic clock the status line reads (events carry `time.monotonic()` times).
    """

    def __init__(
        self,
        graph: Any = None,
        *,
        xray: bool | int = False,
        formatter: Formatter | None = None,
        record: bool = True,
        auto_refresh: bool = True,
        per_second: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        w = require()
        self.model = RunModel(formatter)
        self.name = str(getattr(graph, "name", None) or "graph")
        self.record = record
        self._clock = clock
        self._queue: deque[Event] = deque()
        self._live = Live(self._flush, per_second=per_second, auto_refresh=auto_refresh, clock=clock)
        self._scope = f"lg{uuid.uuid4().hex[:8]}-"
        self._svg, hint = draw(graph, xray, self._scope)
        self._display_id = uuid.uuid4().hex
        self._displayed = False
        self._stopped = False
        self._record: dict[str, str] | None = None
        self.board = Board(self.model, BYTES_PER_SECOND / per_second)
        self._requests: deque[dict[str, Any]] = deque()
        self._diagram = w.diagram_widget(self._svg or html.escape(hint))
        self._board = w.board_widget()
        self._board.on_msg(self._on_msg)
        self.widget = w.run_layout(self._diagram, self._board)
        self._w = w

    # -- producers -----------------------------------------------------------------------------------

    def feed(self, item: Any) -> None:
        """Queue one event: a `livegraph.Event`, or an item of `graph.stream(..., stream_mode="events")`
        in any shape (with `subgraphs=True`, or among several modes; other modes' items are skipped)."""
        event = event_of(item, "RunView.feed()")
        if event is None:
            return
        if self._stopped:
            raise RuntimeError("This RunView was stopped; make a new one for another run")
        self._queue.append(event)
        if not self._live.running and self._live.start():
            _after_cell(self.stop)  # started by `feed`: nobody else will stop it

    # -- the loop ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start refreshing until `stop()`. Call it from the cell that shows the view (its output is
        attributed to that cell). Without it, the first `feed` starts the view, and the end of the cell
        stops it."""
        if not self._stopped:
            self._live.start()

    def refresh(self) -> None:
        """Apply what was fed and send what changed, now."""
        self._live.refresh()

    def stop(self) -> None:
        """Send what is left, then leave the static record (or sync the widgets' whole text when
        `record=False`). Idempotent; never raises."""
        if self._stopped:
            return
        self._live.stop()
        self._stopped = True
        self.model.stop(self._clock())
        try:
            if self.record:
                self._leave_record()
            else:
                self._apply(self.model.take_update(self._clock()))
                with self._board.hold_sync():
                    self._board.snapshot = [["status", status_line(self.model.status(self._clock()))],
                                            *self.board.snapshot()]
                    if self.model.final_state is not None:
                        self._board.final = final_state_html(self.model.final_state)
                if self._displayed:  # where widgets do not run: the record, not the repr of a running view
                    ipython_display().update_display(self._repr_mimebundle_(), raw=True, display_id=self._display_id)
        except Exception as exc:  # a display must not turn a finished run into a failure
            self._live.error = self._live.error or exc
            warnings.warn(f"livegraph: the run view could not finish: {exc!r}", RuntimeWarning, stacklevel=2)

    def fail(self, exc: BaseException) -> None:
        """Note that the run ended with `exc` (when the stream raised instead of sending `run_error`)."""
        self._queue.append(Event("run_error", None, None, self.model.step, (), self._clock(), exc))

    def __enter__(self) -> RunView:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if isinstance(exc, Exception) and not self._stopped:
            self.fail(exc)  # a KeyboardInterrupt or a cancellation shows as `stopped` instead
        self.stop()

    def _flush(self) -> None:
        queue, apply = self._queue, self.model.apply
        while queue:
            apply(queue.popleft())
        update = self.model.take_update(self._clock())
        ops: list[Any] = []
        while self._requests:
            ops += self._answer(self._requests.popleft())
        if update or ops or self.board.owes:
            self._apply(update, ops)

    def _apply(self, update: Update, answers: Sequence[Any] = ()) -> None:
        """Carry out an update on the widgets (the only place they change): one message to the board,
        and the diagram's state styles when they changed."""
        ops = self.board.take(update)
        if ops or answers:
            self._board.send_ops([*answers, *ops])
        if update.states is not None and self._svg is not None:
            from ..render._style import check_states, css_block

            check_states(update.states)
            self._diagram.css = css_block(update.states, self._scope) if update.states else ""

    def _on_msg(self, widget: Any, content: Any, buffers: Any) -> None:
        """A request from the page (a task picked, or following again): answered with the next refresh,
        or now when the view does not refresh any more."""
        if isinstance(content, dict):
            self._requests.append(content)
            if not self._live.running and not (self._stopped and self.record):
                self._live.refresh()

    def _answer(self, request: dict[str, Any]) -> list[Any]:
        want, follow = request.get("want"), request.get("follow")
        if isinstance(want, list) and len(want) == 2 and all(isinstance(i, int) for i in want):
            return self.board.want(want[0], want[1])
        if isinstance(follow, int):
            return self.board.follow(follow)
        return []

    # -- the record ----------------------------------------------------------------------------------

    def _svg_with(self, states: dict[str, str]) -> str:
        from .. import render

        return render.svg_with_states(self._svg or "", states, self._scope)

    def record_bundle(self) -> dict[str, str]:
        """The static record as a mime bundle: `text/html` (diagram, status, transcript, final state)
        and `text/plain`. Made once the view is stopped (and kept), else for the run so far."""
        if self._record is not None:
            return self._record
        status = self.model.status(self._clock())
        panels = self.model.records()
        diagram = self._svg_with(self.model.node_states()) if self._svg is not None else None
        bundle = {
            "text/html": record_html(diagram, panels, status, self.model.final_state),
            "text/plain": record_text(panels, status),
        }
        if self._stopped:
            self._record = bundle
        return bundle

    def _leave_record(self) -> None:
        if self._displayed:
            ipython_display().update_display(self.record_bundle(), raw=True, display_id=self._display_id)
        self._w.close_tree(self.widget)

    # -- display -------------------------------------------------------------------------------------

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        if not self._stopped:
            return widget_bundle(self.widget, repr(self))
        record = self.record_bundle()
        return record if self.record else widget_bundle(self.widget, record["text/plain"], record["text/html"])

    def _ipython_display_(self) -> None:
        ipython_display().display(self._repr_mimebundle_(), raw=True, display_id=self._display_id)
        self._displayed = True

    def __repr__(self) -> str:
        return f"<RunView {self.name!r} {self.model.phase}>"


class Panel:
    """A text panel you feed by hand, appending each chunk in place::

        panel = Panel("writer")
        display(panel)
        for chunk in graph.stream(inputs, stream_mode="custom"):
            panel.append(chunk)

    `append` takes any chunk: text, a message chunk, `{"custom_llm_chunk": ...}`, a `(mode, chunk)` or
    `(message, metadata)` pair, an `Event`; a chunk that carries no text shows as one compact line. The
    panel is finished (its whole text synced) when the cell ends, or by `stop()`; appending later goes on.

    Args:
        title: The panel's title.
        formatter: `formatter(chunk) -> str | None`: the text to show for a chunk (None: livegraph's own).
        auto_refresh: False starts no refresh thread: call `refresh()` yourself.
        per_second: The most refreshes a second.
    """

    def __init__(
        self,
        title: str = "",
        *,
        formatter: Formatter | None = None,
        auto_refresh: bool = True,
        per_second: float = 20.0,
    ) -> None:
        w = require()
        self.formatter = formatter
        self._queue: deque[Any] = deque()
        self._text = TextPanel("panel", title)
        self._once = Once()  # fed `messages` and `custom`, an LLM adapter's piece shows once
        self.widget = w.PanelWidget(title=title)
        self._live = Live(self._flush, per_second=per_second, auto_refresh=auto_refresh)
        self._display_id = uuid.uuid4().hex
        self._displayed = False

    @property
    def text(self) -> str:
        """The text shown so far (what was appended and refreshed)."""
        return self._text.text

    def append(self, chunk: Any) -> None:
        """Queue a chunk; it is sent with the next refresh."""
        self._queue.append(chunk)
        if not self._live.running and self._live.start():
            _after_cell(self.stop)  # started by `append`: finished when the cell ends

    def start(self) -> None:
        """Start refreshing until `stop()`. Without it, `append` starts the panel and the end of the cell
        finishes it (appending later starts it again)."""
        self._live.start()

    def refresh(self) -> None:
        """Send what was appended, now."""
        self._live.refresh()

    def stop(self) -> None:
        """Send what is left and sync the whole text (so saved widget state has it). Never raises."""
        if not self._live.running:
            return
        self._live.stop()
        try:
            with self.widget.hold_sync():
                self.widget.text = self._text.text
                if self._text.state == "running":
                    self._text.state = self.widget.state = "done"
            if self._displayed:  # the saved fallback: the final text, not what the panel had when shown
                ipython_display().update_display(self._bundle(), raw=True, display_id=self._display_id)
        except Exception as exc:  # as for RunView.stop
            self._live.error = self._live.error or exc
            warnings.warn(f"livegraph: the panel could not finish: {exc!r}", RuntimeWarning, stacklevel=2)

    def __enter__(self) -> Panel:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _flush(self) -> None:
        queue, panel = self._queue, self._text
        changed = False
        while queue:
            chunk = queue.popleft()
            if isinstance(chunk, Event) and chunk.kind not in ("chunk", "message"):
                if chunk.kind in ("task_error", "run_error"):
                    panel.state, panel.note, changed = "error", error_note(chunk.data), True
                continue
            payload = unwrap(chunk)
            if self._once.new(payload):
                note = incomplete_line(payload)
                panel.add(*((note, True) if note is not None else format_chunk(payload, self.formatter)))
        new = panel.take()
        if new:
            self.widget.append(new)
        if changed:
            with self.widget.hold_sync():
                self.widget.state = panel.state
                self.widget.note = panel.note or ""

    def record(self) -> PanelRecord:
        """The panel as the static record keeps it (title, state, text, note)."""
        return self._text.record()

    def _bundle(self) -> dict[str, Any]:
        record = self.record()
        return widget_bundle(self.widget, panel_text(record), panel_html(record))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self._bundle()

    def _ipython_display_(self) -> None:
        ipython_display().display(self._bundle(), raw=True, display_id=self._display_id)
        self._displayed = True

    def __repr__(self) -> str:
        return f"<Panel {self._text.title!r} {self._text.size} chars>"
