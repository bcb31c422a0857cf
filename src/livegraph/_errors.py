"""livegraph's error tree.

Every error is a `LiveGraphError`, and each also keeps the base LangGraph gives it (`RecursionError`,
`ValueError`, ...), so `except` clauses written for LangGraph keep working.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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
