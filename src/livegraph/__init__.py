"""livegraph: LangGraph's `StateGraph` API on a small engine that streams live, made to be watched in
Jupyter.

Everything public is importable from here and from LangGraph's module paths (`livegraph.graph`,
`livegraph.config`, `livegraph.types`, `livegraph.errors`, `livegraph.runtime`). The engine uses only the
standard library; `livegraph.llm`, `livegraph.render` and `livegraph.notebook` load their packages lazily.
"""

from livegraph._builder import StateGraph
from livegraph._compiled import CompiledStateGraph
from livegraph._constants import END, START
from livegraph._context import (
    ExecutionInfo,
    RunControl,
    Runtime,
    ServerInfo,
    get_config,
    get_message_writer,
    get_runtime,
    get_store,
    get_stream_writer,
    on_cancel,
)
from livegraph._drawable import DrawEdge, DrawGraph, DrawNode
from livegraph._errors import (
    CheckpointError,
    EmptyChannelError,
    EmptyInputError,
    ErrorCode,
    GraphBubbleUp,
    GraphDrained,
    GraphInterrupt,
    GraphRecursionError,
    GraphValidationError,
    InvalidUpdateError,
    LiveGraphError,
    NodeCancelledError,
    NodeError,
    NodeInterrupt,
    NodeNotFoundError,
    NodeTimeoutError,
    ParentCommand,
    RunCancelledError,
    TaskNotFound,
    UnknownInterruptError,
    is_invalid_resume,
)
from livegraph._events import Event, EventKind
from livegraph._message_state import MessagesState, RemoveMessage, add_messages
from livegraph._messages import MessageChunk
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

__version__ = "0.1.0"

__all__ = [
    "END",
    "START",
    "All",
    "CachePolicy",
    "CheckpointError",
    "Checkpointer",
    "Command",
    "CompiledStateGraph",
    "DrawEdge",
    "DrawGraph",
    "DrawNode",
    "EmptyChannelError",
    "EmptyInputError",
    "ErrorCode",
    "Event",
    "EventKind",
    "ExecutionInfo",
    "GraphBubbleUp",
    "GraphDrained",
    "GraphInterrupt",
    "GraphOutput",
    "GraphRecursionError",
    "GraphValidationError",
    "Interrupt",
    "InvalidUpdateError",
    "LiveGraphError",
    "MessageChunk",
    "MessagesState",
    "NodeCancelledError",
    "NodeError",
    "NodeInterrupt",
    "NodeNotFoundError",
    "NodeTimeoutError",
    "ParentCommand",
    "PregelTask",
    "RemoveMessage",
    "RetryPolicy",
    "RunCancelledError",
    "RunControl",
    "Runtime",
    "Send",
    "ServerInfo",
    "StateGraph",
    "StateSnapshot",
    "StreamMode",
    "StreamWriter",
    "TaskNotFound",
    "UnknownInterruptError",
    "__version__",
    "add_messages",
    "default_retry_on",
    "get_config",
    "get_message_writer",
    "get_runtime",
    "get_store",
    "get_stream_writer",
    "interrupt",
    "is_invalid_resume",
    "on_cancel",
]
