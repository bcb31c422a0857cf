"""LangGraph's drawable graphs (`graph.get_graph(xray=...)`, a `langchain_core` `Graph`) as livegraph's
`DrawGraph`, so that the render layer draws them offline like its own: SVG and PNG through a local
Graphviz (graphviz-pure), never a web service.

LangGraph flattens `xray` subgraphs into node ids `outer:inner`; they become nested `DrawGraph`s (drawn
as clusters). An arrow LangGraph draws across a cluster's border (into `outer:first`, out of
`outer:__end__`) enters the cluster at its entry point and leaves at its exit, as in livegraph's own
drawings. Joins (`add_edge([a, b], c)`) and `Command` destinations are not told apart in LangGraph's
drawable graph; they are read from the compiled graph's builder when the compiled graph is given.

Nothing here imports LangGraph or langchain_core: the objects are read through their attributes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._engine._constants import END, START
from .._engine._drawable import DrawEdge, DrawGraph, DrawNode, EdgeKind, NodeKind


def is_langgraph_object(obj: Any) -> bool:
    """True for objects of LangGraph's or langchain_core's classes (checked without importing them)."""
    return any(
        getattr(cls, "__module__", "").startswith(("langgraph.", "langchain_core."))
        for cls in type(obj).__mro__
    )


def as_drawable(graph: Any, xray: bool | int = False) -> tuple[DrawGraph, bool | int]:
    """`(drawable, xray)`: what to draw for `graph`, and how deep to expand it.

    `graph` is a `DrawGraph`, a compiled graph (livegraph's or LangGraph's: its `get_graph(xray=xray)`
    is drawn), or LangGraph's drawable graph (its subgraphs are drawn as deep as it was expanded).

    Raises:
        TypeError: For anything else, naming what was passed.
    """
    if isinstance(graph, DrawGraph):
        return graph, xray
    if is_langgraph_object(graph):
        if callable(getattr(graph, "get_graph", None)):
            return from_langgraph(graph.get_graph(xray=xray), graph), True
        if isinstance(getattr(graph, "nodes", None), Mapping) and isinstance(getattr(graph, "edges", None), list):
            return from_langgraph(graph), True
    get_graph = getattr(graph, "get_graph", None)
    if callable(get_graph):
        drawn = get_graph(xray=xray)
        if isinstance(drawn, DrawGraph):
            return drawn, xray
    raise TypeError(
        f"Cannot draw a {type(graph).__name__}: pass a compiled graph (livegraph's or LangGraph's) or what "
        "its `get_graph()` returns"
    )


def from_langgraph(drawn: Any, compiled: Any = None) -> DrawGraph:
    """LangGraph's drawable graph as a `DrawGraph`; `compiled` (the graph it was drawn from) adds joins
    and `Command` destinations."""
    builders = _builders(compiled)
    ids = [str(node_id) for node_id in drawn.nodes]
    groups: dict[str, _Group] = {"": _Group("", str(getattr(compiled, "name", None) or "LangGraph"))}
    for node_id in ids:
        path = node_id.split(":")
        for depth in range(1, len(path)):
            prefix = ":".join(path[:depth])
            if prefix not in groups:
                groups[prefix] = _Group(prefix, path[depth - 1])
                groups[":".join(path[: depth - 1])].add(path[depth - 1])
        node = drawn.nodes[node_id]
        groups[":".join(path[:-1])].add(path[-1], dict(getattr(node, "metadata", None) or {}))
    for edge in drawn.edges:
        _place(groups, str(edge.source), str(edge.target), edge, builders)
    return groups[""].build(groups, 0)


class _Group:
    """The nodes and edges of one graph level while it is collected (`prefix` "" for the top)."""

    def __init__(self, prefix: str, name: str) -> None:
        self.prefix = prefix
        self.name = name
        self.nodes: dict[str, dict[str, Any]] = {}  # id -> metadata, in the order first seen
        self.edges: list[DrawEdge] = []

    def add(self, node_id: str, metadata: dict[str, Any] | None = None) -> None:
        if node_id not in self.nodes or metadata:
            self.nodes[node_id] = metadata or self.nodes.get(node_id) or {}

    def link(self, edge: DrawEdge) -> None:
        if edge not in self.edges:
            self.edges.append(edge)

    def build(self, groups: Mapping[str, _Group], depth: int) -> DrawGraph:
        nodes: dict[str, DrawNode] = {}
        order = sorted(self.nodes, key=lambda n: (n != START, n == END))  # START first, END last
        for node_id in order:
            kind: NodeKind = "start" if node_id == START else "end" if node_id == END else "node"
            child = groups.get(f"{self.prefix}:{node_id}" if self.prefix else node_id)
            sub = child.build(groups, depth + 1) if child is not None and child is not self else None
            nodes[node_id] = DrawNode(node_id, node_id, kind, sub, self.nodes[node_id])
        deepest = max((n.subgraph.xray + 1 for n in nodes.values() if n.subgraph is not None), default=0)
        return DrawGraph(self.name, nodes, list(self.edges), deepest)


def _place(groups: Mapping[str, _Group], source: str, target: str, edge: Any, builders: Any) -> None:
    """Put one LangGraph edge into the graph level both its ends share, with entry and exit points for
    the clusters it crosses into or out of."""
    src, dst = source.split(":"), target.split(":")
    common = 0
    while common < min(len(src), len(dst)) - 1 and src[common] == dst[common]:
        common += 1
    prefix = ":".join(src[:common])
    # Leaving nested clusters: from the inner node to each cluster's exit.
    for depth in range(len(src) - 1, common, -1):
        inner = ":".join(src[:depth])
        if src[depth] != END:
            groups[inner].add(END)
            groups[inner].link(DrawEdge(src[depth], END))
        src = [*src[:depth], END]
    # Entering nested clusters: from each cluster's entry to the inner node.
    for depth in range(len(dst) - 1, common, -1):
        inner = ":".join(dst[:depth])
        if dst[depth] != START:
            groups[inner].add(START)
            groups[inner].link(DrawEdge(START, dst[depth]))
        dst = [*dst[:depth], START]
    a, b = src[common], dst[common]
    kind = _kind(builders.get(prefix), a, b, bool(getattr(edge, "conditional", False)))
    data = getattr(edge, "data", None)
    label = None if data is None or str(data) == b else str(data)
    groups[prefix].link(DrawEdge(a, b, kind, label))


def _kind(builder: Any, source: str, target: str, conditional: bool) -> EdgeKind:
    if builder is not None:
        spec = getattr(builder, "nodes", {}).get(source)
        if conditional and target in (getattr(spec, "ends", None) or ()):
            return "command"
        for sources, end in getattr(builder, "waiting_edges", ()) or ():
            if end == target and source in sources:
                return "join"
    return "conditional" if conditional else "edge"


def _builders(compiled: Any) -> dict[str, Any]:
    """Graph level prefix (`""`, `outer`, `outer:inner`) -> the `StateGraph` builder it was compiled from."""
    if compiled is None:
        return {}
    found = {"": getattr(compiled, "builder", None)}
    try:
        subgraphs = list(compiled.get_subgraphs(recurse=True))
    except Exception:  # drawing goes on without joins rather than fail
        subgraphs = []
    for namespace, sub in subgraphs:
        found[str(namespace).replace("|", ":")] = getattr(sub, "builder", None)
    return found
