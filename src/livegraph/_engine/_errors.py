"""livegraph's error tree.

Every error is a `LiveGraphError`, and each also keeps the base LangGraph gives it (`RecursionError`,
`ValueError`, ...), so `except` clauses written for LangGraph keep working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal


class LiveGraphError(Exception):
    """Root of every error livegraph raises itself."""


class GraphValidationError(LiveGraphError, ValueError):
    """`compile()` found problems; `.problems` lists each one, and the message lists them all."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            msg = self.problems[0]
        else:
            msg = f"The graph has {len(self.problems)} problems:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(msg)


class GraphRecursionError(LiveGraphError, RecursionError):
    """The run took more supersteps than `recursion_limit` allows."""


class InvalidUpdateError(LiveGraphError):
    """A node returned something that cannot update the state (LangGraph's class of the same name)."""


class EmptyInputError(LiveGraphError):
    """A run was started with no input and nothing to resume."""


class EmptyChannelError(LiveGraphError):
    """A state key was read before anything wrote it."""


class NodeNotFoundError(LiveGraphError, ValueError):
    """A route, `Send` or `Command` named a node that the graph does not have."""


class RunCancelledError(LiveGraphError):
    """Raised inside a node (by its stream writer) when the consumer stopped the run."""


class GraphBubbleUp(Exception):
    """Control flow that leaves a node on purpose (interrupts, commands for the parent graph)."""


class GraphInterrupt(GraphBubbleUp):
    """A node called `interrupt()`: the run stops after this step and waits for `Command(resume=...)`."""

    def __init__(self, interrupts: Sequence[Any] = (), resume_state: Any = None) -> None:
        super().__init__(tuple(interrupts))
        self.interrupts = tuple(interrupts)
        # From a subgraph: where it stood, so that resuming continues inside it (see `_persist`).
        self.resume_state = resume_state


class NodeInterrupt(GraphInterrupt):
    """LangGraph's older way to interrupt from inside a node; prefer `interrupt()`."""

    def __init__(self, value: Any, id: str | None = None) -> None:  # noqa: A002 - LangGraph's name
        from ._types import Interrupt

        super().__init__([Interrupt(value=value, id=id or "")])


class ParentCommand(GraphBubbleUp):
    """A node in a subgraph returned `Command(graph=Command.PARENT, ...)`."""

    def __init__(self, command: Any) -> None:
        super().__init__(command)
        self.command = command


class CheckpointError(LiveGraphError, ValueError):
    """A checkpointer cannot do what was asked (no `thread_id`, unknown checkpoint, foreign file...)."""


class ErrorCode(Enum):
    """LangGraph's error codes (its troubleshooting pages are named after them)."""

    GRAPH_RECURSION_LIMIT = "GRAPH_RECURSION_LIMIT"
    INVALID_CONCURRENT_GRAPH_UPDATE = "INVALID_CONCURRENT_GRAPH_UPDATE"
    INVALID_GRAPH_NODE_RETURN_VALUE = "INVALID_GRAPH_NODE_RETURN_VALUE"
    MULTIPLE_SUBGRAPHS = "MULTIPLE_SUBGRAPHS"
    INVALID_CHAT_HISTORY = "INVALID_CHAT_HISTORY"


@dataclass(frozen=True, slots=True)
class NodeError:
    """What a node's error handler receives: `add_node("n", fn, error_handler=handler)` with
    `def handler(state, error: NodeError)` (the parameter is found by its name and this annotation).

    Attributes:
        node: The name of the node that failed.
        error: What it raised (after its retries, if it has a retry policy).
    """

    node: str
    error: BaseException


class GraphDrained(GraphBubbleUp):
    """The run stopped before a superstep because its `RunControl` asked it to drain."""

    def __init__(self, reason: str = "shutdown") -> None:
        self.reason = reason
        super().__init__(f"Graph drained: {reason}")


class NodeCancelledError(LiveGraphError):
    """LangGraph's error for a node body that raised `asyncio.CancelledError` itself."""

    def __init__(self, node: str, message: str | None = None) -> None:
        super().__init__(message or f"Node {node!r} raised asyncio.CancelledError")
        self.node = node


class NodeTimeoutError(LiveGraphError):
    """LangGraph's error for a node that ran past `add_node(..., timeout=...)` (livegraph has no node
    timeouts; the class is here for code that catches it)."""


class TaskNotFound(LiveGraphError):
    """LangGraph's error for a task its distributed executor cannot find."""


class UnknownInterruptError(LiveGraphError):
    """LangGraph's error for a resume that matches no pending interrupt in its strict resume mode."""

    def __init__(
        self,
        message: str,
        *,
        reason: Literal["not_pending", "empty_map", "ambiguous"],
        interrupt_ids: Sequence[str] = (),
        pending_ids: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.interrupt_ids = tuple(interrupt_ids)
        self.pending_ids = tuple(pending_ids)


_INVALID_RESUME = "_langgraph_invalid_resume"


def mark_invalid_resume(error: BaseException) -> None:
    setattr(error, _INVALID_RESUME, True)


def is_invalid_resume(error: BaseException) -> bool:
    """Whether `error` was raised because an answer did not match its interrupt's `response_schema`
    (then nothing was saved, and the interrupt can be answered again)."""
    return getattr(error, _INVALID_RESUME, False) is True


def add_note(exc: BaseException, note: str) -> None:
    """`exc.add_note(note)`, also on Python 3.10 (where notes are stored but not printed)."""
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10
        notes = getattr(exc, "__notes__", None)
        if notes is None:
            notes = []
            try:
                exc.__notes__ = notes  # type: ignore[attr-defined]
            except AttributeError:
                return
        notes.append(note)
