"""`show(graph)`: a diagram to leave as a cell's value, for graphs whose own display would not do (LangGraph's
calls a web service for its PNG), drawn offline like livegraph's own."""

from __future__ import annotations

from typing import Any

from ._langgraph import as_drawable
from ._renderer import mimebundle, to_png, to_svg


class Diagram:
    """A drawn graph: shows as SVG in Jupyter (DOT text and a hint when no renderer is found).

    Attributes:
        graph: What is drawn (a `DrawGraph`).
        xray: How deep subgraphs are expanded.
    """

    def __init__(self, graph: Any, xray: bool | int = False) -> None:
        self.graph, self.xray = as_drawable(graph, xray)

    def svg(self) -> str:
        """The SVG text (raises `RenderError` without a renderer)."""
        return to_svg(self.graph, xray=self.xray)

    def png(self, output_file_path: str | None = None) -> bytes | None:
        """The PNG bytes, or None when written to `output_file_path`."""
        return to_png(self.graph, output_file_path, xray=self.xray)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return mimebundle(self.graph, xray=self.xray)

    def __repr__(self) -> str:
        return f"<Diagram {self.graph.name!r}: {len(self.graph.nodes)} nodes>"


def show(graph: Any, *, xray: bool | int = False) -> Diagram:
    """The diagram of `graph` to show in a cell: a compiled graph (livegraph's or LangGraph's) or what its
    `get_graph(xray=...)` returns. Offline: Graphviz runs locally (graphviz-pure), nothing is fetched.

    Example:
        `livegraph.render.show(langgraph_app, xray=True)` as the last line of a cell.
    """
    return Diagram(graph, xray)
