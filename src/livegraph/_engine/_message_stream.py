"""Messages a node returns, in `messages` mode: LangGraph streams every message object in a node's update
that was neither in its input nor streamed already (ids dedupe), when the node ends.

`MessageTracker` does that for one run (and the subgraphs it calls) for the message classes it is given:
livegraph's own (`livegraph.messages`) when LangChain is not loaded; `livegraph._langchain` builds on it for
LangChain's classes and their chat models' tokens. It is made only for runs that stream `messages` or
`events`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any

from ..messages import BaseMessage
from ._types import Command

if TYPE_CHECKING:
    from ._plan import Task
    from ._run import Run, TaskScope

Writer = Callable[..., None]
Target = tuple[Writer, dict[str, Any], bool]  # a task's message writer, its metadata, whether it counts


def state_values(obj: Any) -> Sequence[Any]:
    """The top-level values of a state or update (dict, pydantic model, dataclass)."""
    if isinstance(obj, dict):
        return list(obj.values())
    model_fields = getattr(type(obj), "model_fields", None)
    if isinstance(model_fields, dict):
        return [getattr(obj, k) for k in model_fields]
    if is_dataclass(obj) and not isinstance(obj, type):
        return [getattr(obj, f.name) for f in fields(obj)]
    return ()


def messages_in(value: Any, kinds: tuple[type, ...]) -> Iterator[Any]:
    """The messages (instances of `kinds`) a node's return value holds, where LangGraph looks for them."""
    if isinstance(value, Command):
        yield from messages_in(value.update, kinds)
    elif isinstance(value, kinds):
        yield value
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            if isinstance(item, Command):
                yield from messages_in(item.update, kinds)
            elif isinstance(item, kinds):
                yield item
    else:
        for v in state_values(value):
            if isinstance(v, kinds):
                yield v
            elif isinstance(v, Sequence) and not isinstance(v, str):
                yield from (m for m in v if isinstance(m, kinds))


def task_key(run: Run, task: Task) -> str:
    """The task's `langgraph_checkpoint_ns`, which names it in LangChain's run metadata too."""
    return "|".join((*run.ns, f"{task.name}:{task.id}"))


class MessageTracker:
    """Which message ids a run has streamed, and each running task's writer.

    Ids streamed from inside subgraphs when the consumer did not ask for `subgraphs=True` go to `hidden`:
    LangGraph does not stream those at all (they count as unseen when the subgraph's node returns them),
    but the live view (`events`) shows them.
    """

    kinds: tuple[type, ...] = (BaseMessage,)

    def __init__(self, run: Run) -> None:
        self.subgraphs: bool = run.subgraphs
        self.tasks: dict[str, Target] = {}
        self.seen: set[Any] = set()
        self.hidden: set[Any] = set()

    def emit(self, target: Target, message: Any, dedupe: bool) -> None:
        seen = self.seen if target[2] else self.hidden
        if dedupe and message.id in seen:
            return
        if message.id is None:
            message.id = str(uuid.uuid4())
        seen.add(message.id)
        target[0](message, target[1])

    def track(self, scope: TaskScope, metadata: dict[str, Any]) -> str:
        """Note the task (its input's ids count as seen); its writer notes the ids it streams. Returns its key."""
        key = task_key(scope.run, scope.task)
        visible = not scope.run.ns or self.subgraphs
        self.tasks[key] = (scope.message_writer, metadata, visible)
        seen = self.seen if visible else self.hidden
        scope.message_writer = _marking(scope.message_writer, seen)
        for message in messages_in(scope.task.input, self.kinds):
            if message.id is not None:
                seen.add(message.id)
        return key

    def enter(self, scope: TaskScope) -> Callable[[], None]:
        key = self.track(scope, scope.config["metadata"])
        return lambda: self.forget(key)

    def forget(self, key: str) -> None:
        self.tasks.pop(key, None)

    def node_output(self, run: Run, task: Task, output: Any) -> None:
        """The node returned: stream the messages in its update that nobody has seen yet."""
        target = self.tasks.get(task_key(run, task))
        if target is not None:
            for message in messages_in(output, self.kinds):
                self.emit(target, message, dedupe=True)


def _marking(writer: Writer, seen: set[Any]) -> Writer:
    """The task's message writer, noting the ids it streams (`livegraph.llm`'s chunks, say), so the
    message the node then returns with that id is not streamed again."""

    def write(chunk: Any, metadata: dict[str, Any] | None = None) -> None:
        if not isinstance(chunk, str) and chunk.id is not None:
            seen.add(chunk.id)
        writer(chunk, metadata)

    return write
