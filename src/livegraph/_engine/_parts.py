"""The shapes of what `stream()` yields and of `tasks` / `debug` payloads, as LangGraph types them.

Plain `TypedDict`s for type checkers: `version="v2"` parts (`{"type", "ns", "data"}`, plus `interrupts` for
`values`) and the payloads of `tasks` and `debug` mode. Nothing here runs.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, Union

from ._types import Interrupt


class TaskPayload(TypedDict):
    """A `tasks` chunk when a task starts."""

    id: str
    name: str
    input: Any
    triggers: list[str]


class TaskResultPayload(TypedDict):
    """A `tasks` chunk when a task ends."""

    id: str
    name: str
    error: Any
    interrupts: list[Any]
    result: dict[str, Any]


class CheckpointTask(TypedDict, total=False):
    """One task in a `checkpoints` chunk."""

    id: str
    name: str
    error: str
    result: Any
    interrupts: list[Any]
    state: Any


class CheckpointPayload(TypedDict):
    """A `checkpoints` chunk."""

    config: dict[str, Any] | None
    metadata: dict[str, Any]
    values: Any
    next: list[str]
    parent_config: dict[str, Any] | None
    tasks: list[CheckpointTask]


class DebugPayload(TypedDict):
    """A `debug` chunk: `type` is `checkpoint`, `task` or `task_result`, `payload` the matching payload."""

    step: int
    timestamp: str
    type: Literal["checkpoint", "task", "task_result"]
    payload: Any


class ValuesStreamPart(TypedDict):
    type: Literal["values"]
    ns: tuple[str, ...]
    data: Any
    interrupts: tuple[Interrupt, ...]


class UpdatesStreamPart(TypedDict):
    type: Literal["updates"]
    ns: tuple[str, ...]
    data: dict[str, Any]


class MessagesStreamPart(TypedDict):
    type: Literal["messages"]
    ns: tuple[str, ...]
    data: tuple[Any, dict[str, Any]]


class CustomStreamPart(TypedDict):
    type: Literal["custom"]
    ns: tuple[str, ...]
    data: Any


class CheckpointStreamPart(TypedDict):
    type: Literal["checkpoints"]
    ns: tuple[str, ...]
    data: CheckpointPayload


class TasksStreamPart(TypedDict):
    type: Literal["tasks"]
    ns: tuple[str, ...]
    data: TaskPayload | TaskResultPayload


class DebugStreamPart(TypedDict):
    type: Literal["debug"]
    ns: tuple[str, ...]
    data: DebugPayload


StreamPart = Union[  # noqa: UP007 - a runtime alias, also on Python 3.10
    ValuesStreamPart,
    UpdatesStreamPart,
    MessagesStreamPart,
    CustomStreamPart,
    CheckpointStreamPart,
    TasksStreamPart,
    DebugStreamPart,
]
"""Any `version="v2"` part; check `part["type"]` to narrow it."""
