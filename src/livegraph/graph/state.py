"""LangGraph's `langgraph.graph.state` path."""

from livegraph._builder import StateGraph
from livegraph._compiled import CompiledStateGraph

__all__ = ["CompiledStateGraph", "StateGraph"]
