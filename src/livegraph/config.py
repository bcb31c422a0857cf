"""LangGraph's `langgraph.config` path: what a running node can reach."""

from livegraph._engine._context import get_config, get_message_writer, get_store, get_stream_writer, on_cancel

__all__ = ["get_config", "get_message_writer", "get_store", "get_stream_writer", "on_cancel"]
