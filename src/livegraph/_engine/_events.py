"""livegraph's own event stream (`stream_mode="events"`): every task start, chunk, message, end and error,
attributed to its task, with a timestamp. The notebook layer is built on it.

LangGraph's `custom` chunks say nothing of who wrote them; an `Event` always does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

EventKind = Literal[
    "run_start",  # data: {"input": <input>} ; node/task_id None
    "step_start",  # data: [names of the tasks of this step, in task order]
    "task_start",  # data: {"input": <what the node receives>, "triggers": [...]}
    "chunk",  # data: what the node passed to its stream writer (`custom` mode)
    "message",  # data: (message_chunk, metadata) as in `messages` mode
    "task_end",  # data: the node's update (dict, Command, None)
    "task_error",  # data: the exception
    "step_end",  # data: the state values after the step's writes
    "interrupt",  # data: tuple of Interrupt
    "loop_blocked",  # data: {"seconds": float} ; node: the async node that blocked the event loop
    "run_end",  # data: the final state values
    "run_error",  # data: the exception that ended the run
]


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened in a run.

    Attributes:
        kind: What happened (see `EventKind`).
        node: The node's name for task events, else None.
        task_id: The task's id (unique in the run; two `Send` workers of one node have different ids).
        step: The superstep (the first step that runs nodes is 1, as LangGraph's `langgraph_step`).
        ns: The namespace: `()` for the top graph, `("node:task_id", ...)` inside subgraphs.
        time: `time.monotonic()` when it happened.
        data: The payload (see `EventKind`).
    """

    kind: EventKind
    node: str | None
    task_id: str | None
    step: int
    ns: tuple[str, ...]
    time: float
    data: Any = None
