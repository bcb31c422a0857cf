"""The diagram as a `graphviz.Source`, for people who work with the `graphviz` package's API."""

from __future__ import annotations

from typing import Any

from livegraph import DrawGraph

from ._dot import to_dot


def to_graphviz(graph: DrawGraph, *, xray: bool | int = False, states: Any = None, scope: str = "") -> Any:
    """`graph` as a `graphviz.Source` (the `graphviz` package, imported here), to `.render()` to a file,
    `.pipe()` in another format or `.view()` with that package's own machinery (it needs a `dot` command
    on PATH; livegraph's own `to_svg` / `to_png` also find graphviz-pure).

    Raises:
        ImportError: With the install hint, when the `graphviz` package is missing.
    """
    try:
        import graphviz
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("to_graphviz() needs the graphviz package: pip install 'livegraph[notebook]'") from exc
    return graphviz.Source(to_dot(graph, xray=xray, states=states, scope=scope))
