"""LangGraph's `langgraph.errors` path: the errors users catch."""

from livegraph._errors import (
    CheckpointError,
    EmptyChannelError,
    EmptyInputError,
    GraphBubbleUp,
    GraphInterrupt,
    GraphRecursionError,
    GraphValidationError,
    InvalidUpdateError,
    LiveGraphError,
    NodeInterrupt,
    NodeNotFoundError,
    ParentCommand,
    RunCancelledError,
)

__all__ = [
    "CheckpointError",
    "EmptyChannelError",
    "EmptyInputError",
    "GraphBubbleUp",
    "GraphInterrupt",
    "GraphRecursionError",
    "GraphValidationError",
    "InvalidUpdateError",
    "LiveGraphError",
    "NodeInterrupt",
    "NodeNotFoundError",
    "ParentCommand",
    "RunCancelledError",
]
