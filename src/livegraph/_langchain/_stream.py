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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler, BaseCallbackManager, CallbackManager
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, LLMResult
from langchain_core.runnables.config import var_child_runnable_config
from langchain_core.tracers._streaming import _StreamingCallbackHandler

from livegraph._engine._message_stream import MessageTracker, Target
from livegraph.messages import BaseMessage as OwnMessage

if TYPE_CHECKING:
    from livegraph._engine._plan import Task
    from livegraph._engine._run import Run, TaskScope

NOSTREAM = "nostream"


class MessagesHandler(BaseCallbackHandler, _StreamingCallbackHandler[Any]):
    """Sends a chat model's chunks to the `messages` writer of the task that called it.

    Tasks are found by their `langgraph_checkpoint_ns`, which LangChain passes in every run's metadata, so
    a model called with an explicit config, in a thread or in a LangChain chain inside the node is found
    too. Runs inline (in the model's thread, in order) and lets `RunCancelledError` through.
    """

    run_inline = True
    raise_error = True

    def __init__(self, tracker: MessageTracker) -> None:
        self.tracker = tracker
        self.runs: dict[UUID, Target] = {}

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
        task = self.tracker.tasks.get(metadata.get("langgraph_checkpoint_ns", ""))
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
            self.tracker.emit(run, chunk.message, dedupe=False)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, parent_run_id: UUID | None = None,
                   **kwargs: Any) -> Any:
        run = self.runs.pop(run_id, None)
        if run is not None and response.generations and response.generations[0]:
            gen = response.generations[0][0]
            if isinstance(gen, ChatGeneration):
                self.tracker.emit(run, gen.message, dedupe=True)

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


class RunInterop(MessageTracker):
    """LangChain for one run (and the subgraphs it calls): its config in every task, and (when `messages`
    or `events` is streamed) one handler and one set of seen ids, for LangChain's and livegraph's messages."""

    kinds = (BaseMessage, OwnMessage)

    def __init__(self, run: Run) -> None:
        super().__init__(run)
        self.handler = MessagesHandler(self) if {"messages", "events"} & run.modes else None

    def enter(self, scope: TaskScope) -> Callable[[], None]:
        """Set LangChain's config for the task; returns what undoes it when the task ends."""
        config = scope.config
        meta = config["metadata"]
        if scope.run.ns:  # LangChain passes the outermost task's namespace down as `checkpoint_ns`
            meta["checkpoint_ns"] = meta["langgraph_checkpoint_ns"].split("|", 1)[0]
        run_meta = {k: v for k, v in meta.items() if not k.startswith("langgraph_")}
        config["callbacks"] = _callbacks(scope.run.config.get("callbacks"), self.handler,
                                         {**run_meta, "ls_integration": "langgraph"})
        key = None
        if self.handler is not None:
            node_meta = {**run_meta, "ls_integration": "langgraph",
                         **{k: v for k, v in meta.items() if k.startswith("langgraph_")}}
            key = self.track(scope, node_meta)
        token = var_child_runnable_config.set(config)  # type: ignore[arg-type]

        def leave() -> None:
            var_child_runnable_config.reset(token)
            if key is not None:
                self.forget(key)

        return leave

    def node_output(self, run: Run, task: Task, output: Any) -> None:
        if self.handler is not None:
            super().node_output(run, task, output)
