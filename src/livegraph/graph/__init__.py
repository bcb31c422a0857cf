"""LangGraph's `langgraph.graph` path: the builder and its constants."""

from livegraph._builder import StateGraph
from livegraph._compiled import CompiledStateGraph
from livegraph._constants import END, START
from livegraph._message_state import MessagesState, add_messages

from . import message, state

__all__ = [
    "END",
    "START",
    "CompiledStateGraph",
    "MessagesState",
    "StateGraph",
    "add_messages",
    "message",
    "state",
]
