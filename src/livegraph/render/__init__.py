"""The render layer: a drawable graph as DOT, Mermaid, SVG or PNG, and the fast restyle for live runs.

Every function takes livegraph's drawable graph, a compiled graph, or LangGraph's own (`get_graph()` of a
LangGraph graph, drawn offline; `show(graph)` leaves it as a cell's value). DOT and Mermaid are pure text
functions. SVG and PNG need a Graphviz executable, found at call time
(`find_renderer`); without one, `mimebundle` falls back to the DOT text and an install hint.
"""

from __future__ import annotations

from ._binding import to_graphviz
from ._dot import to_dot
from ._mermaid import to_mermaid
from ._renderer import RenderError, find_renderer, mimebundle, svg_data_uri, to_png, to_svg
from ._show import Diagram, show
from ._style import svg_with_states

__all__ = [
    "to_dot",
    "to_mermaid",
    "to_svg",
    "to_png",
    "to_graphviz",
    "svg_with_states",
    "mimebundle",
    "show",
    "Diagram",
    "svg_data_uri",
    "find_renderer",
    "RenderError",
]
