"""Names the engine reserves."""

from __future__ import annotations

import os
import sys
from typing import Final

START: Final = "__start__"
"""The virtual node a graph starts from: `add_edge(START, "first")`."""
END: Final = "__end__"
"""The virtual node a route ends at: `add_edge("last", END)`."""

RESERVED_NAMES: Final = frozenset({START, END})
RESERVED_CHARS: Final = ("|", ":")
"""LangGraph reserves these in node names (they separate namespace parts)."""

INTERRUPT: Final = "__interrupt__"
"""The key under which `values` and `updates` carry interrupts."""

DEFAULT_RECURSION_LIMIT: Final = int(os.environ.get("LANGGRAPH_DEFAULT_RECURSION_LIMIT", "10007"))
"""Supersteps a run may take when its config sets no `recursion_limit` (LangGraph's default and variable,
read once at import)."""

PY311: Final = sys.version_info >= (3, 11)
