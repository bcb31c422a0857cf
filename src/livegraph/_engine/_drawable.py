"""The drawable shape of a graph: plain data that the render layer turns into DOT, SVG or Mermaid.

The engine builds it from a compiled graph (`CompiledStateGraph.get_graph()`); nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EdgeKind = Literal["edge", "join", "conditional", "send", "command"]
NodeKind = Literal["start", "end", "node"]


@dataclass(frozen=True)
class DrawNode:
    """One box in the diagram.

    Attributes:
        id: Unique id inside its graph (`__start__`, `__end__` or the node name).
        name: The label to show.
        kind: `start`, `end` or `node`.
        subgraph: For a node that is a compiled graph, its own drawable graph (drawn as a cluster when
            `xray` is asked for), else None.
        metadata: What the user passed as `add_node(..., metadata=...)`.
    """

    id: str
    name: str
    kind: NodeKind = "node"
    subgraph: DrawGraph | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DrawEdge:
    """One arrow.

    Attributes:
        source: Id of the node the arrow leaves.
        target: Id of the node it enters.
        kind: `edge` (plain), `join` (one of the sources of `add_edge([a, b], c)`), `conditional` (a route of
            `add_conditional_edges`), `send` (a `Send` target a router may produce) or `command` (a
            destination declared for a node that returns `Command(goto=...)`).
        label: The `path_map` key for a conditional route when it differs from the target, else None.
    """

    source: str
    target: str
    kind: EdgeKind = "edge"
    label: str | None = None

    @property
    def conditional(self) -> bool:
        """True for arrows drawn dashed (LangGraph's `Edge.conditional`)."""
        return self.kind in ("conditional", "send", "command")


@dataclass(frozen=True)
class DrawGraph:
    """The nodes and edges of one graph, in definition order."""

    name: str
    nodes: dict[str, DrawNode]
    edges: list[DrawEdge]
    xray: int = 0
    """How many levels of subgraphs were expanded (`get_graph(xray=...)`); drawing calls default to it."""

    def first_node(self) -> DrawNode | None:
        return self.nodes.get("__start__")

    def last_node(self) -> DrawNode | None:
        return self.nodes.get("__end__")

    # Drawing calls that LangGraph users know. They live in the render layer, which is loaded only when
    # one of them is called (the engine never imports it at module level).
    def to_dot(self, **kwargs: Any) -> str:
        from ._plugins import render

        return render().to_dot(self, **{"xray": self.xray, **kwargs})  # type: ignore[no-any-return]

    def draw_mermaid(self, **kwargs: Any) -> str:
        from ._plugins import render

        return render().to_mermaid(self, **{"xray": self.xray, **kwargs})  # type: ignore[no-any-return]

    def draw_svg(self, **kwargs: Any) -> str:
        from ._plugins import render

        return render().to_svg(self, **{"xray": self.xray, **kwargs})  # type: ignore[no-any-return]

    def draw_png(self, output_file_path: str | None = None, **kwargs: Any) -> bytes | None:
        from ._plugins import render

        return render().to_png(self, output_file_path=output_file_path, **{"xray": self.xray, **kwargs})  # type: ignore[no-any-return]

    def to_graphviz(self, **kwargs: Any) -> Any:
        """The diagram as a `graphviz.Source` (the `graphviz` package's API)."""
        from ._plugins import render

        return render().to_graphviz(self, **{"xray": self.xray, **kwargs})

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ._plugins import mimebundle

        return mimebundle(self)
