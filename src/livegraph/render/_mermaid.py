"""Graph -> Mermaid flowchart text, in the spirit of LangGraph's `draw_mermaid()`."""

from __future__ import annotations

import re
from typing import Any

from .._engine._drawable import DrawGraph
from ._langgraph import as_drawable
from ._layout import Block, Box, layout

# Words Mermaid's flowchart grammar reads as keywords when they stand alone as a node id.
_KEYWORDS = frozenset(
    {
        "end",
        "graph",
        "flowchart",
        "subgraph",
        "style",
        "classdef",
        "class",
        "click",
        "linkstyle",
        "direction",
        "call",
        "href",
        "default",
    }
)
_NOT_ID = re.compile(r"[^A-Za-z0-9_]")
_ENTITY = re.compile(r'["#<>&|]')

_SHAPES = {
    "node": '["{}"]',
    "collapsed": '[["{}"]]',  # a subroutine box: a subgraph drawn as one node
    "start": '(["{}"]):::first',
    "end": '(["{}"]):::last',
    "entry": '(["{}"]):::first',
    "exit": '(["{}"]):::last',
}


def to_mermaid(graph: DrawGraph | Any, *, xray: bool | int = False) -> str:
    """Write `graph` as a Mermaid flowchart.

    Node ids are the node names where Mermaid allows it, else the name with other characters replaced
    by `_` (and a number added if that collides); labels always show the real name. Solid arrows are
    plain and join edges; dashed arrows are conditional routes, `Send` targets (labelled "Send") and
    `Command` destinations.

    Args:
        graph: The drawable graph (`compiled.get_graph()`).
        xray: Draw subgraphs as Mermaid `subgraph` blocks: `True` for every level, an int for that many.

    Returns:
        The Mermaid text, starting with `graph TD;` and ending with a newline.
    """
    graph, xray = as_drawable(graph, xray)
    top = layout(graph, xray)
    ids: dict[str, str] = {}
    lines = ["graph TD;", *_block(top, ids, "\t")]
    lines.append("\tclassDef default fill:#f8fafc,stroke:#475569")
    lines.append("\tclassDef first fill:#e2e8f0,stroke:#475569")
    lines.append("\tclassDef last fill:#e2e8f0,stroke:#475569")
    return "\n".join(lines) + "\n"


def _block(block: Block, ids: dict[str, str], indent: str) -> list[str]:
    lines = []
    for item in block.items:
        if isinstance(item, Box):
            lines.append(indent + _id(item.path, ids) + _SHAPES[item.role].format(_text(item.node.name)))
        else:
            lines.append(f'{indent}subgraph {_id(item.path, ids)}["{_text(item.name)}"]')
            lines.extend(_block(item, ids, indent + "\t"))
            lines.append(f"{indent}end")
    for arrow in block.arrows:
        edge = arrow.edge
        label = (
            f"Send: {edge.label}"
            if edge.kind == "send" and edge.label
            else "Send"
            if edge.kind == "send"
            else edge.label
        )
        link = "-.->" if edge.conditional else "-->"
        if label:
            link += f"|{_text(label)}|"
        lines.append(f"{indent}{_id(arrow.source, ids)} {link} {_id(arrow.target, ids)};")
    return lines


def _id(path: str, ids: dict[str, str]) -> str:
    """A Mermaid-safe id for `path`, stable for the whole drawing."""
    if path in ids:
        return ids[path]
    base = _NOT_ID.sub("_", path)
    if base.lower() in _KEYWORDS or (not base[:1].isalpha() and base[:1] != "_"):
        base = "n_" + base
    taken = set(ids.values())
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    ids[path] = candidate
    return candidate


def _text(text: str) -> str:
    """Text for inside `["..."]` or `|...|`: Mermaid's `#code;` entities for characters it would parse."""
    text = _ENTITY.sub(lambda m: f"#{ord(m[0])};", text)
    return " ".join(text.splitlines())
