"""LangGraph's `langgraph.graph.message` path."""

from livegraph._message_state import REMOVE_ALL_MESSAGES, MessagesState, RemoveMessage, add_messages

__all__ = ["REMOVE_ALL_MESSAGES", "MessagesState", "RemoveMessage", "add_messages"]
