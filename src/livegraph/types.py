"""LangGraph's `langgraph.types` path: the value types of the public API."""

from livegraph._persist import interrupt
from livegraph._types import (
    All,
    CachePolicy,
    Checkpointer,
    Command,
    GraphOutput,
    Interrupt,
    PregelTask,
    RetryPolicy,
    Send,
    StateSnapshot,
    StreamMode,
    StreamWriter,
    default_retry_on,
)

__all__ = [
    "All",
    "CachePolicy",
    "Checkpointer",
    "Command",
    "GraphOutput",
    "Interrupt",
    "PregelTask",
    "RetryPolicy",
    "Send",
    "StateSnapshot",
    "StreamMode",
    "StreamWriter",
    "default_retry_on",
    "interrupt",
]
