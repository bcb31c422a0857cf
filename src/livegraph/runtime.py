"""LangGraph's `langgraph.runtime` path."""

from livegraph._context import Runtime, get_runtime

__all__ = ["Runtime", "get_runtime"]
