"""LangGraph's `langgraph.graph.state` path (`START` and `END` import from here too, as in LangGraph)."""

from livegraph._engine._builder import StateGraph
from livegraph._engine._compiled import CompiledStateGraph
from livegraph._engine._constants import END as END
from livegraph._engine._constants import START as START

__all__ = ["CompiledStateGraph", "StateGraph"]
