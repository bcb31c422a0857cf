"""The widgets of the live view: thin anywidget views whose front-end code ships in `static/` (no CDN).

Importing this module imports ipywidgets and anywidget; `livegraph.notebook` does it only when a view is
made, through `require()`, which says what to install when they are missing.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets
import traitlets

_STATIC = Path(__file__).parent / "static"
_CSS = (_STATIC / "livegraph.css").read_text(encoding="utf-8")


class PanelWidget(anywidget.AnyWidget):
    """One panel: a title line and text appended in place.

    `append(text)` sends only `text` (a custom message); `text` (the trait) is synced once, at the end,
    so that saved widget state has the whole transcript.
    """

    _esm = (_STATIC / "panel.js").read_text(encoding="utf-8")
    _css = _CSS
    uid = traitlets.Unicode().tag(sync=True)
    title = traitlets.Unicode().tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)
    state = traitlets.Unicode("running").tag(sync=True)
    note = traitlets.Unicode().tag(sync=True)
    text = traitlets.Unicode().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(uid=uuid.uuid4().hex, **kwargs)

    def append(self, text: str) -> None:
        """Send `text` to every view, to be appended to what it shows."""
        self.send({"append": text})


class BoardWidget(anywidget.AnyWidget):
    """The tasks of a run view: the status line, one panel per task, tiles for a node with many tasks.

    `send_ops(ops)` sends `_board.Board` operations as one custom message; the reader's requests (`want`,
    `follow`) arrive through `on_msg`. `snapshot` (the whole board) and `final` (the final state's HTML)
    are synced once, at the end, when the widgets stay (so that saved widget state has them).
    """

    _esm = (_STATIC / "board.js").read_text(encoding="utf-8")
    _css = _CSS
    uid = traitlets.Unicode().tag(sync=True)
    snapshot: traitlets.List[Any] = traitlets.List().tag(sync=True)
    final = traitlets.Unicode().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(uid=uuid.uuid4().hex, **kwargs)

    def send_ops(self, ops: list[Any]) -> None:
        self.send({"ops": ops})


class DiagramWidget(anywidget.AnyWidget):
    """The run's diagram: drawn once (`svg`); `css` (a `<style>` block of node states) restyles it."""

    _esm = (_STATIC / "diagram.js").read_text(encoding="utf-8")
    _css = _CSS
    svg = traitlets.Unicode().tag(sync=True)
    css = traitlets.Unicode().tag(sync=True)


def diagram_widget(svg: str) -> DiagramWidget:
    """The diagram, sized to leave room for the panels beside it."""
    return DiagramWidget(svg=svg, layout=ipywidgets.Layout(flex="0 1 auto", max_width="45%", overflow="auto"))


def layout(diagram: Any, status: Any, panels: Any) -> Any:
    """The view: the diagram on the left, the status line and the panels on the right (wrapping below
    the diagram when the output area is narrow)."""
    right = ipywidgets.VBox([status, panels], layout=ipywidgets.Layout(flex="1 1 320px", min_width="0"))
    return ipywidgets.HBox(
        [diagram, right],
        layout=ipywidgets.Layout(
            flex_flow="row wrap", align_items="flex-start", grid_gap="12px", width="100%"
        ),
    )


def board_widget() -> BoardWidget:
    """The board, sized to take the room beside the diagram."""
    return BoardWidget(layout=ipywidgets.Layout(flex="1 1 320px", min_width="0"))


def run_layout(diagram: Any, board: Any) -> Any:
    """A run view: the diagram on the left, the board on the right (wrapping below the diagram when the
    output area is narrow)."""
    return ipywidgets.HBox(
        [diagram, board],
        layout=ipywidgets.Layout(
            flex_flow="row wrap", align_items="flex-start", grid_gap="12px", width="100%"
        ),
    )


def close_tree(widget: Any) -> None:
    """Close a widget and every widget inside it, layouts and styles too (frees them in the kernel and
    in the page)."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, ipywidgets.Widget):
            part.close()
    widget.close()
