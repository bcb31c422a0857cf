"""LangGraph's `langgraph.graph.message` path."""

from livegraph._message_state import MessagesState, RemoveMessage, add_messages

__all__ = ["MessagesState", "RemoveMessage", "add_messages"]
