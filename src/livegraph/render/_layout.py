"""What gets drawn: a `DrawGraph` flattened into nested blocks, with `xray` subgraphs expanded.

DOT and Mermaid are both written from this one shape, so they agree on which nodes exist, how nested
nodes are named (`parent:child`) and where an arrow into an expanded subgraph lands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .._engine._constants import END, START
from .._engine._drawable import DrawEdge, DrawGraph, DrawNode

Role = Literal["start", "end", "node", "collapsed", "entry", "exit"]
"""`start`/`end` of the top graph, a plain `node`, a subgraph drawn as one `collapsed` node, or the
`entry`/`exit` (`__start__`/`__end__`) of an expanded subgraph."""


@dataclass(frozen=True)
class Box:
    """One node as drawn.

    Attributes:
        path: Unique in the whole drawing: the node id, prefixed by its parents (`parent:child`).
        node: The node it draws.
        role: How to draw it.
    """

    path: str
    node: DrawNode
    role: Role


@dataclass(frozen=True)
class Arrow:
    """One edge as drawn, between two box paths."""

    source: str
    target: str
    edge: DrawEdge


@dataclass(frozen=True)
class Block:
    """A graph or an expanded subgraph: its boxes and nested blocks in definition order, then its arrows.

    Attributes:
        path: `""` for the top graph, else the path of the subgraph node it expands.
        name: The label to show.
        items: Boxes and nested blocks, in the order the nodes were defined.
        arrows: The edges of this graph, with ends moved into expanded subgraphs.
    """

    path: str
    name: str
    items: tuple[Box | Block, ...]
    arrows: tuple[Arrow, ...]


def layout(graph: DrawGraph, xray: bool | int = False) -> Block:
    """Flatten `graph`, expanding subgraphs `xray` levels deep (`True`: all levels)."""
    depth = None if xray is True else int(xray)
    return _block(graph, "", graph.name, depth)


def _join(prefix: str, node_id: str) -> str:
    return f"{prefix}:{node_id}" if prefix else node_id


def _expands(node: DrawNode, depth: int | None) -> bool:
    return node.subgraph is not None and bool(node.subgraph.nodes) and (depth is None or depth > 0)


def _block(graph: DrawGraph, prefix: str, name: str, depth: int | None) -> Block:
    inner = None if depth is None else depth - 1
    items: list[Box | Block] = []
    for node in graph.nodes.values():
        path = _join(prefix, node.id)
        if _expands(node, depth):
            assert node.subgraph is not None
            items.append(_block(node.subgraph, path, node.name, inner))
        else:
            items.append(Box(path, node, _role(node, nested=bool(prefix))))
    arrows = tuple(
        Arrow(
            _end(graph, prefix, edge.source, depth, last=True),
            _end(graph, prefix, edge.target, depth, last=False),
            edge,
        )
        for edge in graph.edges
    )
    return Block(prefix, name, tuple(items), arrows)


def _role(node: DrawNode, *, nested: bool) -> Role:
    if node.kind == "start":
        return "entry" if nested else "start"
    if node.kind == "end":
        return "exit" if nested else "end"
    return "collapsed" if node.subgraph is not None else "node"


def _end(graph: DrawGraph, prefix: str, node_id: str, depth: int | None, *, last: bool) -> str:
    """The box an arrow touches: an expanded subgraph is left from its exit and entered at its entry."""
    node = graph.nodes.get(node_id)
    if node is None or not _expands(node, depth):
        return _join(prefix, node_id)
    sub = node.subgraph
    assert sub is not None
    inner_id = END if last else START
    if inner_id not in sub.nodes:  # no virtual start/end: use the first (last) defined node
        inner_id = list(sub.nodes)[-1 if last else 0]
    return _end(sub, _join(prefix, node_id), inner_id, None if depth is None else depth - 1, last=last)
