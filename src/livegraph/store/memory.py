"""LangGraph's `langgraph.store.memory` path."""

from ._memory import InMemoryStore

__all__ = ["InMemoryStore"]
