"""Graph -> DOT text: a pure function, no Graphviz needed.

Every node carries an SVG `id` (`<scope>node-<path>`, see `dom_id`) and a `class`, so the live view can
restyle a drawn graph without laying it out again. Edge styles: plain and join edges are solid (joins
violet with hollow heads, so the arrows into one join read as a group), conditional routes dashed with
their label, `Send` targets dashed with a `vee` head and a "Send" label, `Command` destinations dotted.
A graph with edges of those kinds gets a one-line legend under it naming each style it uses.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .._engine._drawable import DrawEdge, DrawGraph
from ._langgraph import as_drawable
from ._layout import Block, Box, layout
from ._style import LOOKS, check_scope, check_states, dom_id

_FONT = "Helvetica"
_PEN = "#475569"
_NODE_FILL = "#f8fafc"
_START_FILL = "#e2e8f0"

# DOT IDs cannot hold a backslash safely (`"a\"` never closes), so `%`, `\` and control characters
# are percent-encoded; any other character, quotes included, stays readable in the SVG's <title>.
_ID_UNSAFE = re.compile(r"[%\\\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_GRAPH: dict[str, str | float] = {"class": "lg-graph", "fontname": _FONT, "fontsize": 11}
_NODE: dict[str, str | float] = {
    "shape": "box",
    "style": "rounded,filled",
    "fillcolor": _NODE_FILL,
    "color": _PEN,
    "fontname": _FONT,
    "fontsize": 12,
    "height": 0.4,
}
_EDGE: dict[str, str | float] = {"color": _PEN, "fontname": _FONT, "fontsize": 10, "arrowsize": 0.7}

_BOX_ATTRS: dict[str, dict[str, str | float]] = {
    "node": {},
    "collapsed": {"peripheries": 2},  # a double border marks a subgraph drawn as one node
    "start": {"shape": "oval", "style": "filled", "fillcolor": _START_FILL, "fontsize": 10, "height": 0.3},
    "end": {"shape": "oval", "style": "filled", "fillcolor": _START_FILL, "fontsize": 10, "height": 0.3},
    "entry": {"shape": "point", "width": 0.12},
    "exit": {"shape": "point", "width": 0.12, "peripheries": 2},
}

_ROLE_CLASS = {
    "start": " lg-start",
    "end": " lg-end",
    "collapsed": " lg-subgraph",
    "entry": " lg-entry",
    "exit": " lg-exit",
}

_EDGE_ATTRS: dict[str, dict[str, str | float]] = {
    "edge": {},
    "join": {"color": "#7c3aed", "arrowhead": "empty"},
    "conditional": {"style": "dashed"},
    "send": {"style": "dashed", "arrowhead": "vee"},
    "command": {"style": "dotted"},
}

LEGEND: dict[str, str] = {
    "join": "violet: join (waits for all)",
    "conditional": "dashed: conditional",
    "send": "dashed, open head: Send",
    "command": "dotted: Command",
}
"""What the legend says for each edge kind that has a style of its own, in this order."""


def to_dot(
    graph: DrawGraph | Any,
    *,
    xray: bool | int = False,
    states: Mapping[str, str] | None = None,
    scope: str = "",
) -> str:
    """Write `graph` as DOT text, the same text for the same graph and arguments.

    Args:
        graph: The drawable graph (`compiled.get_graph()`), or a compiled graph; LangGraph's too (its
            `get_graph(xray=...)` is drawn, see `render._langgraph`).
        xray: Draw subgraphs as clusters showing their own nodes: `True` for every level, an int for
            that many levels. When False, a subgraph is one node with a double border.
        states: Node path (`name`, `parent:child` inside a cluster) to `running`, `done`, `error` or
            `pending`, drawn with the colors the live view uses.
        scope: Prefix of every SVG id, so several diagrams can share one page.

    Returns:
        The DOT text, ending with a newline.

    Raises:
        ValueError: If `scope` cannot start an SVG id or a state is unknown.
    """
    check_scope(scope)
    states = states or {}
    check_states(states)
    graph, xray = as_drawable(graph, xray)
    head = [
        f"digraph {quote_id(graph.name)} {{",
        f"\tgraph {_attrs({'id': scope + 'graph', **_GRAPH})};",
        f"\tnode {_attrs(_NODE)};",
        f"\tedge {_attrs(_EDGE)};",
    ]
    body = _block(layout(graph, xray), states, scope, itertools.count(), "\t")
    legend = legend_text(graph)
    if legend:
        # Last, so that clusters (made above) do not inherit the bottom placement of the graph's label.
        body.append(f"\tgraph {_attrs({'label': legend, **_LEGEND})};")
    return "\n".join([*head, *body, "}"]) + "\n"


_LEGEND: dict[str, str | float] = {"labelloc": "b", "labeljust": "l", "fontsize": 9, "fontcolor": "#64748b"}


def legend_text(graph: DrawGraph) -> str:
    """The legend for the edge styles `graph` uses (`dashed: conditional · ...`, two to a line, so that it
    does not widen a narrow graph), or "" when it has only plain edges."""
    kinds = {edge.kind for edge in graph.edges}
    texts = [text for kind, text in LEGEND.items() if kind in kinds]
    return "\n".join(" · ".join(texts[i : i + 2]) for i in range(0, len(texts), 2))


def _block(
    block: Block, states: Mapping[str, str], scope: str, counter: Iterator[int], indent: str
) -> list[str]:
    lines = []
    for item in block.items:
        if isinstance(item, Box):
            lines.append(f"{indent}{quote_id(item.path)} {_attrs(_box_attrs(item, states, scope))};")
        else:
            lines.append(f"{indent}subgraph {quote_id('cluster_' + item.path)} {{")
            lines.append(f"{indent}\tgraph {_attrs(_cluster_attrs(item, states, scope))};")
            lines.extend(_block(item, states, scope, counter, indent + "\t"))
            lines.append(f"{indent}}}")
    for arrow in block.arrows:
        attrs = {"id": f"{scope}edge-{next(counter)}", **_edge_attrs(arrow.edge)}
        lines.append(f"{indent}{quote_id(arrow.source)} -> {quote_id(arrow.target)} {_attrs(attrs)};")
    return lines


def _box_attrs(box: Box, states: Mapping[str, str], scope: str) -> dict[str, str | float]:
    classes = "lg-node" + _ROLE_CLASS.get(box.role, "")
    attrs: dict[str, str | float] = {"id": dom_id(scope, box.path), "class": classes}
    attrs["label"] = "" if box.role in ("entry", "exit") else box.node.name
    attrs.update(_BOX_ATTRS[box.role])
    state = states.get(box.path)
    if state is not None:
        look = LOOKS[state]
        style = str(attrs.get("style", _NODE["style"])) + (",dashed" if look.dashed else "")
        attrs["class"] = f"{classes} lg-{state}"
        attrs.update(style=style, color=look.stroke, fillcolor=look.fill, penwidth=look.width)
    return attrs


def _cluster_attrs(block: Block, states: Mapping[str, str], scope: str) -> dict[str, str | float]:
    # The frame takes the id its collapsed node would have, so a state keyed by the subgraph node
    # lights up the frame whether or not the graph was drawn with `xray`.
    attrs: dict[str, str | float] = {
        "id": dom_id(scope, block.path),
        "class": "lg-cluster",
        "label": block.name,
        "labeljust": "l",  # clear of the arrow that enters the frame at the top middle
        "style": "rounded,dashed",
        "color": "#94a3b8",
        "fontcolor": _PEN,
    }
    state = states.get(block.path)
    if state is not None:
        attrs.update(
            {"class": f"lg-cluster lg-{state}", "color": LOOKS[state].stroke, "penwidth": LOOKS[state].width}
        )
    return attrs


def _edge_attrs(edge: DrawEdge) -> dict[str, str | float]:
    kind = "" if edge.kind == "edge" else f" lg-{edge.kind}"
    attrs: dict[str, str | float] = {"class": "lg-edge" + kind, **_EDGE_ATTRS[edge.kind]}
    if edge.kind == "send":
        attrs["label"] = f"Send: {edge.label}" if edge.label else "Send"
    elif edge.label:
        attrs["label"] = edge.label
    return attrs


def quote_id(name: str) -> str:
    """`name` as a quoted DOT ID, safe for any string (keywords, quotes, `<`, unicode)."""
    safe = _ID_UNSAFE.sub(lambda m: f"%{ord(m[0]):02X}", name)
    return '"' + safe.replace('"', '\\"') + '"'


def quote_text(text: str) -> str:
    """`text` as a quoted DOT string that Graphviz shows as-is.

    Graphviz reads `\\n`-style escapes and HTML entities (`&amp;`) in labels: both are disarmed, line
    breaks become `\\n` and other control characters spaces.
    """
    text = text.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return '"' + _CONTROL.sub(" ", text) + '"'


def _attrs(attrs: Mapping[str, str | float]) -> str:
    parts = [
        f"{key}={value}" if isinstance(value, (int, float)) else f"{key}={quote_text(value)}"
        for key, value in attrs.items()
    ]
    return "[" + ", ".join(parts) + "]"
