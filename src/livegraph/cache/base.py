"""LangGraph's `langgraph.cache.base` path: the cache interface."""

from ._cache import BaseCache, FullKey, Namespace

__all__ = ["BaseCache", "FullKey", "Namespace"]
