"""`messages` mode from LangChain chat models, and LangChain's config inside every node.

Around each task, livegraph sets LangChain's `var_child_runnable_config` to the node's config, so a
`model.invoke(...)` without a config sees it, as under LangGraph. The config's `callbacks` carry one
`MessagesHandler` per run (when `messages` or `events` is streamed): a callback handler that LangChain
treats as a streaming one, so `invoke` streams token by token too. Each token goes through the task's own
message writer (`get_message_writer()`), so `messages` mode and the live view's `message` events get it
with LangChain's run metadata, exactly as LangGraph's `StreamMessagesHandler` shows it. Messages a node
returns that were not streamed (and were not in its input) follow when the node ends; ids dedupe.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler, BaseCallbackManager, CallbackManager
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, LLMResult
from langchain_core.runnables.config import var_child_runnable_config
from langchain_core.tracers._streaming import _StreamingCallbackHandler

from livegraph._types import Command

if TYPE_CHECKING:
    from livegraph._plan import Task
    from livegraph._run import Run, TaskScope

NOSTREAM = "nostream"
Writer = Callable[..., None]
Target = tuple[Writer, dict[str, Any], bool]  # a task's message writer, its metadata, whether it counts


def _values(obj: Any) -> Sequence[Any]:
    """The top-level values of a state or update (dict, pydantic model, dataclass)."""
    if isinstance(obj, dict):
        return list(obj.values())
    model_fields = getattr(type(obj), "model_fields", None)
    if isinstance(model_fields, dict):
        return [getattr(obj, k) for k in model_fields]
    if is_dataclass(obj) and not isinstance(obj, type):
        return [getattr(obj, f.name) for f in fields(obj)]
    return ()


def _messages_in(value: Any) -> Iterator[BaseMessage]:
    """The LangChain messages a node's return value holds, where LangGraph looks for them."""
    if isinstance(value, Command):
        yield from _messages_in(value.update)
    elif isinstance(value, BaseMessage):
        yield value
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            if isinstance(item, Command):
                yield from _messages_in(item.update)
            elif isinstance(item, BaseMessage):
                yield item
    else:
        for v in _values(value):
            if isinstance(v, BaseMessage):
                yield v
            elif isinstance(v, Sequence) and not isinstance(v, str):
                yield from (m for m in v if isinstance(m, BaseMessage))


class MessagesHandler(BaseCallbackHandler, _StreamingCallbackHandler[Any]):
    """Sends a chat model's chunks to the `messages` writer of the task that called it.

    Tasks are found by their `langgraph_checkpoint_ns`, which LangChain passes in every run's metadata, so
    a model called with an explicit config, in a thread or in a LangChain chain inside the node is found
    too. Runs inline (in the model's thread, in order) and lets `RunCancelledError` through.
    """

    run_inline = True
    raise_error = True

    def __init__(self) -> None:
        self.tasks: dict[str, Target] = {}
        self.runs: dict[UUID, Target] = {}
        self.seen: set[str] = set()
        # Ids streamed from inside subgraphs when the consumer did not ask for `subgraphs=True`: LangGraph
        # does not stream those at all (they count as unseen when the subgraph's node returns them), but
        # the live view (`events`) shows them.
        self.hidden: set[str] = set()

    def emit(self, target: Target, message: BaseMessage, dedupe: bool) -> None:
        seen = self.seen if target[2] else self.hidden
        if dedupe and message.id in seen:
            return
        if message.id is None:
            message.id = str(uuid.uuid4())
        seen.add(message.id)
        target[0](message, target[1])

    def tap_output_aiter(self, run_id: UUID, output: Any) -> Any:
        return output

    def tap_output_iter(self, run_id: UUID, output: Any) -> Any:
        return output

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if not metadata or (tags and NOSTREAM in tags):
            return
        task = self.tasks.get(metadata.get("langgraph_checkpoint_ns", ""))
        if task is None:
            return
        user_tags = [t for t in tags or () if not t.startswith("seq:step")]
        if user_tags:
            metadata["tags"] = user_tags
        self.runs[run_id] = (task[0], metadata, task[2])

    def on_llm_new_token(
        self,
        token: Any,
        *,
        chunk: Any = None,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        if isinstance(chunk, ChatGenerationChunk) and (run := self.runs.get(run_id)) is not None:
            self.emit(run, chunk.message, dedupe=False)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, parent_run_id: UUID | None = None,
                   **kwargs: Any) -> Any:
        run = self.runs.pop(run_id, None)
        if run is not None and response.generations and response.generations[0]:
            gen = response.generations[0][0]
            if isinstance(gen, ChatGeneration):
                self.emit(run, gen.message, dedupe=True)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None,
                     **kwargs: Any) -> Any:
        self.runs.pop(run_id, None)


def _callbacks(user: Any, handler: MessagesHandler | None, metadata: dict[str, Any]) -> CallbackManager:
    """The node's `callbacks`: the run's own (a list or a manager) plus the messages handler, with the
    metadata LangGraph's graph-level manager carries."""
    if isinstance(user, BaseCallbackManager):
        manager = CallbackManager(
            handlers=list(user.handlers),
            inheritable_handlers=list(user.inheritable_handlers),
            tags=list(user.tags),
            inheritable_tags=list(user.inheritable_tags),
            metadata=dict(user.metadata),
            inheritable_metadata={**user.inheritable_metadata, **metadata},
        )
    else:
        handlers = list(user or ())
        manager = CallbackManager(handlers=handlers, inheritable_handlers=list(handlers),
                                  inheritable_metadata=metadata)
    if handler is not None:
        manager.add_handler(handler, inherit=True)
    return manager


def _marking(writer: Writer, seen: set[str]) -> Writer:
    """The task's message writer, noting the ids it streams (`livegraph.llm`'s chunks, say), so the
    message the node then returns with that id is not streamed again, as LangGraph dedupes."""

    def write(chunk: Any, metadata: dict[str, Any] | None = None) -> None:
        if isinstance(chunk, str):
            writer(chunk, metadata)
            return
        if chunk.id is not None:
            seen.add(chunk.id)
        writer(chunk, metadata)

    return write


class RunInterop:
    """LangChain for one run (and the subgraphs it calls): one handler, one set of seen message ids."""

    def __init__(self, run: Run) -> None:
        self.handler = MessagesHandler() if {"messages", "events"} & run.modes else None
        self.subgraphs: bool = run.subgraphs

    def enter(self, scope: TaskScope) -> Callable[[], None]:
        """Set LangChain's config for the task; returns what undoes it when the task ends."""
        config = scope.config
        meta = config["metadata"]
        key = meta["langgraph_checkpoint_ns"]
        if scope.run.ns:  # LangChain passes the outermost task's namespace down as `checkpoint_ns`
            meta["checkpoint_ns"] = key.split("|", 1)[0]
        run_meta = {k: v for k, v in meta.items() if not k.startswith("langgraph_")}
        config["callbacks"] = _callbacks(scope.run.config.get("callbacks"), self.handler,
                                         {**run_meta, "ls_integration": "langgraph"})
        handler = self.handler
        if handler is not None:
            node_meta = {**run_meta, "ls_integration": "langgraph",
                         **{k: v for k, v in meta.items() if k.startswith("langgraph_")}}
            visible = not scope.run.ns or self.subgraphs
            handler.tasks[key] = (scope.message_writer, node_meta, visible)
            seen = handler.seen if visible else handler.hidden
            scope.message_writer = _marking(scope.message_writer, seen)
            for message in _messages_in(scope.task.input):
                if message.id is not None:
                    seen.add(message.id)
        token = var_child_runnable_config.set(config)  # type: ignore[arg-type]

        def leave() -> None:
            var_child_runnable_config.reset(token)
            if handler is not None:
                handler.tasks.pop(key, None)

        return leave

    def node_output(self, run: Run, task: Task, output: Any) -> None:
        """The node returned: stream the messages in its update that nobody has seen yet."""
        handler = self.handler
        if handler is None:
            return
        target = handler.tasks.get("|".join((*run.ns, f"{task.name}:{task.id}")))
        if target is not None:
            for message in _messages_in(output):
                handler.emit(target, message, dedupe=True)
