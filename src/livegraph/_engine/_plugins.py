"""Finds the optional layers by name, so the engine never imports them at module level.

The engine's display hooks (`_repr_mimebundle_`, `draw_*`) call these; a missing layer or renderer never
raises from a display hook: it falls back to text.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


def render() -> ModuleType:
    """The render layer (`livegraph.render`), imported on first use."""
    return importlib.import_module("livegraph.render")


def mimebundle(graph: Any) -> dict[str, Any]:
    """What Jupyter shows for a graph: SVG when a renderer is there, else the DOT text and a hint."""
    try:
        return render().mimebundle(graph, xray=getattr(graph, "xray", 0))  # type: ignore[no-any-return]
    except Exception as exc:  # a display hook must never raise
        return {"text/plain": f"<graph {getattr(graph, 'name', '?')}: cannot draw ({exc})>"}


def langchain_interop(run: Any) -> Any:
    """LangChain's side of a run (`livegraph._langchain`): asked for only once `langchain_core` is imported.

    A subgraph's run shares its top run's, so message ids dedupe across the whole run."""
    top = run
    while top.parent_scope is not None:
        top = top.parent_scope.run
    from livegraph._langchain import RunInterop

    if not isinstance(top.interop, RunInterop):  # LangChain was imported after the run began
        top.interop = RunInterop(top)
    return top.interop
