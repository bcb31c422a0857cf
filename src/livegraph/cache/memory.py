"""LangGraph's `langgraph.cache.memory` path."""

from ._cache import InMemoryCache

__all__ = ["InMemoryCache"]
