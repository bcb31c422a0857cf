"""LangGraph's `langgraph.graph` path: the builder and its constants."""

from livegraph._engine._builder import StateGraph
from livegraph._engine._compiled import CompiledStateGraph
from livegraph._engine._constants import END, START
from livegraph._engine._message_state import MessagesState, add_messages

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
