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

TAG_NOSTREAM: Final = "nostream"
"""LangGraph's tag that keeps a chat model's tokens out of `messages` mode (a LangChain model tag)."""
TAG_HIDDEN: Final = "langsmith:hidden"
"""LangGraph's tag that hides a node or edge from tracing."""
CONF: Final = "configurable"
"""The config key of the per-run settings (`config["configurable"]`)."""
TASKS: Final = "__pregel_tasks"
CONFIG_KEY_CHECKPOINTER: Final = "__pregel_checkpointer"
