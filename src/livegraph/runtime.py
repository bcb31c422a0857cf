"""LangGraph's `langgraph.runtime` path: what a node's `runtime` parameter holds."""

from livegraph._engine._context import ExecutionInfo, RunControl, Runtime, ServerInfo, get_runtime

__all__ = ["ExecutionInfo", "RunControl", "Runtime", "ServerInfo", "get_runtime"]
