"""LangGraph's `langgraph.managed.base` path."""

from livegraph._engine._schema import ManagedValue

__all__ = ["ManagedValue"]
