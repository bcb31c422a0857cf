"""LangGraph's `langgraph.graph.message` path."""

from livegraph._engine._message_state import REMOVE_ALL_MESSAGES, MessagesState, RemoveMessage, add_messages
from livegraph.messages import AnyMessage

__all__ = ["REMOVE_ALL_MESSAGES", "AnyMessage", "MessagesState", "RemoveMessage", "add_messages"]
