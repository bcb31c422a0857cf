"""LangGraph's own compiled graphs in the live view: their public streams translated into `livegraph.Event`s.

`stream_events(graph, inputs, config)` is what the views iterate: for a livegraph graph it is
`graph.stream(..., stream_mode="events")`; for a graph that LangGraph compiled it runs
`graph.stream(..., stream_mode=[tasks, updates, custom, messages, checkpoints, values], subgraphs=True,
version="v2")` and hands each part to a `Translator`, which yields the events livegraph's engine would
have sent. The view code is then the same for both engines.

What LangGraph's streams say, and what they leave out:

- `tasks` announces each task (id, node, input) and its end (update, error or interrupts); `messages`
  metadata names the task (`langgraph_checkpoint_ns`), so tokens go to their task's panel.
- `custom` chunks carry only the namespace they were written in, not the task. A chunk written while one
  task of that namespace runs is that task's; while several run, it goes to a panel named for all of them
  (`write #1 / #2`, `plan / review`) rather than to a guessed one. (A functional API `@task` writes under
  its caller's namespace; it runs beside the caller, which is then not a candidate.)
- A step's task list comes from the checkpoint before it (`checkpoints`). Without a checkpointer LangGraph
  announces the tasks one by one, so the first `Send` worker of a step is held until the next part arrives
  (then the whole list is known and panels are numbered as for livegraph graphs).

LangGraph is never imported here unless such a graph is run: parts are plain dicts and tuples.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from livegraph import Command, Event, Interrupt, Send

MODES = ["tasks", "updates", "custom", "messages", "checkpoints", "values"]
"""The LangGraph stream modes the translation reads."""

_PUSH = "__pregel_push"
"""What the replay names an `update_state` checkpoint of a LangGraph thread by (LangGraph does not keep
the `as_node`)."""
_INTERRUPT = "__interrupt__"


def is_langgraph(graph: Any) -> bool:
    """True for an object whose class comes from LangGraph (its compiled graphs, `Pregel`), checked
    without importing LangGraph."""
    return any(getattr(cls, "__module__", "").startswith("langgraph.") for cls in type(graph).__mro__)


# -- the translation -------------------------------------------------------------------------------------


@dataclass
class _Scope:
    """What the translation knows of one namespace (the top graph, or one run of a subgraph)."""

    ns: tuple[str, ...]
    step: int = 0
    open: bool = False  # a step's tasks have started and its end was not sent yet
    plan: list[tuple[str, str]] | None = None  # (task id, node) of the next step, from a checkpoint
    checkpoints: bool = False  # checkpoints are streamed here: they end the steps
    values: Any = None  # the state after the last step (every channel when a checkpoint says it)
    output: Any = None  # the last `values` part: what `invoke` would return
    running: dict[str, str] = field(default_factory=dict)  # task id -> node, in start order
    labels: dict[str, str] = field(default_factory=dict)  # task id -> its panel's title in this step
    names: Counter[str] = field(default_factory=Counter)  # the step's tasks per node
    seen: Counter[str] = field(default_factory=Counter)
    held: list[dict[str, Any]] = field(default_factory=list)  # `Send` task starts waiting for the list
    shared: dict[str, set[str]] = field(default_factory=dict)  # shared panel -> tasks still running
    updates: dict[str, Any] = field(default_factory=dict)  # node -> its update, until its task ends


class Translator:
    """Turns LangGraph's v2 stream parts (`{"type", "ns", "data"}`) into `livegraph.Event`s.

    Plain data in, events out, no LangGraph needed: `start()` once, `feed(part)` for each part, then
    `end()` when the stream is done or `error(exc)` when it raised.

    Args:
        inputs: The run's input (`run_start` carries it; None when resuming with a `Command`).
        output: The graph's output channels (`graph.output_channels`): `run_end` carries the final state
            as `invoke` returns it (the `values` stream carries every state key, whatever the output
            schema). None: the whole state.
        clock: The monotonic clock events are stamped with.
    """

    def __init__(self, inputs: Any = None, *, output: Any = None, clock: Any = time.monotonic) -> None:
        self.inputs = inputs
        self.output = output
        self.clock = clock
        self.scopes: dict[tuple[str, ...], _Scope] = {}
        self.inputs_of: dict[str, Any] = {}  # task id -> its input (a subgraph's `run_start` carries it)
        self.interrupted = False
        self.holding = False  # some scope holds `Send` task starts

    def _event(self, kind: Any, scope: _Scope, node: str | None, task: str | None, data: Any) -> Event:
        return Event(kind, node, task, scope.step, scope.ns, self.clock(), data)

    def _scope(self, ns: tuple[str, ...], out: list[Event]) -> _Scope:
        scope = self.scopes.get(ns)
        if scope is None:
            scope = self.scopes[ns] = _Scope(ns)
            if ns:
                task = ns[-1].partition(":")[2]
                out.append(self._event("run_start", scope, None, None, {"input": self.inputs_of.get(task)}))
        return scope

    def start(self) -> list[Event]:
        """The run's first event."""
        out: list[Event] = []
        scope = self._scope((), out)
        return [self._event("run_start", scope, None, None, {"input": self.inputs})]

    def feed(self, part: Mapping[str, Any]) -> list[Event]:
        """The events one stream part adds (none while `Send` task starts are held)."""
        kind, ns = part["type"], tuple(part.get("ns") or ())
        data: Any = part.get("data")
        out: list[Event] = []
        if self.holding and not (kind == "tasks" and "input" in data and ns in self.scopes and self.scopes[ns].held):
            self._flush(out)  # the burst of task starts is over
        caller = None
        if kind in ("custom", "messages") and ns not in self.scopes and ns[:-1] in self.scopes:
            # Written by a task pushed while its caller runs (a functional API `@task`): the chunk carries
            # the caller's namespace, and the task runs beside the caller, in the scope above.
            caller, ns = ns[-1].partition(":")[2], ns[:-1]
        scope = self.scopes.get(ns) or self._scope(ns, out)
        if kind == "tasks":
            if "input" in data:
                self._task_start(scope, data, out)
            else:
                self._task_end(scope, data, out)
        elif kind == "custom":
            self._chunk(scope, "chunk", data, None, caller, out)
        elif kind == "messages":
            self._message(scope, data, caller, out)
        elif kind == "updates":
            self._updates(scope, data, out)
        elif kind == "values":
            if not part.get("interrupts"):
                scope.values = scope.output = data
                if scope.open and not scope.checkpoints and not scope.running:
                    self._end_step(scope, out)
        elif kind == "checkpoints":
            self._checkpoint(scope, data, out)
        return out

    def end(self) -> list[Event]:
        """The events that close a run whose stream ended: the last step's end, then `run_end`."""
        out: list[Event] = []
        self._flush(out)
        top = self._scope((), out)
        if top.open and not self.interrupted:
            self._end_step(top, out)
        out.append(self._event("run_end", top, None, None, self._final(top)))
        return out

    def _final(self, top: _Scope) -> Any:
        values = top.output if top.output is not None else top.values
        if not isinstance(values, Mapping) or self.output is None:
            return values
        if isinstance(self.output, str):
            return values.get(self.output)
        return {key: values[key] for key in self.output if key in values}

    def error(self, exc: BaseException) -> list[Event]:
        """The events that close a run whose stream raised `exc`."""
        out: list[Event] = []
        self._flush(out)
        out.append(self._event("run_error", self._scope((), out), None, None, exc))
        return out

    # -- steps and tasks ---------------------------------------------------------------------------------

    def _checkpoint(self, scope: _Scope, data: Mapping[str, Any], out: list[Event]) -> None:
        scope.checkpoints = True
        scope.values = data.get("values")
        if scope.open and not scope.running:
            self._end_step(scope, out)
        metadata = data.get("metadata") or {}
        scope.step = int(metadata.get("step", scope.step))
        if metadata.get("source") == "input":
            scope.plan = None
        else:
            scope.plan = [(t["id"], t["name"]) for t in data.get("tasks") or ()]

    def _task_start(self, scope: _Scope, data: Mapping[str, Any], out: list[Event]) -> None:
        if scope.held:
            scope.held.append(dict(data))
            return
        if scope.open and not scope.running and not scope.shared:
            self._end_step(scope, out)
        if not scope.open:
            plan = scope.plan
            scope.plan = None
            if plan is not None and any(task == data["id"] for task, _ in plan):
                self._begin_step(scope, [name for _, name in plan], out)
            elif tuple(data.get("triggers") or ()) == (_PUSH,):
                scope.held.append(dict(data))  # more `Send` workers may follow in this burst
                self.holding = True
                return
            else:
                self._begin_step(scope, [data["name"]], out)
        self._started(scope, data, out)

    def _begin_step(self, scope: _Scope, names: list[str], out: list[Event]) -> None:
        scope.step += 1
        scope.open = True
        scope.names = Counter(names)
        scope.seen = Counter()
        scope.labels = {}
        out.append(self._event("step_start", scope, None, None, names))

    def _started(self, scope: _Scope, data: Mapping[str, Any], out: list[Event]) -> None:
        task, node = data["id"], data["name"]
        scope.running[task] = node
        label = node
        if scope.names[node] > 1:
            scope.seen[node] += 1
            label = f"{node} #{scope.seen[node]}"
        scope.labels[task] = label
        self.inputs_of[task] = data.get("input")
        event_data = {"input": data.get("input"), "triggers": tuple(data.get("triggers") or ())}
        out.append(self._event("task_start", scope, node, task, event_data))

    def _flush(self, out: list[Event]) -> None:
        """Start the held `Send` workers: the burst of task starts is over, so their list is whole."""
        self.holding = False
        for scope in self.scopes.values():
            if scope.held:
                held, scope.held = scope.held, []
                self._begin_step(scope, [d["name"] for d in held], out)
                for data in held:
                    self._started(scope, data, out)

    def _task_end(self, scope: _Scope, data: Mapping[str, Any], out: list[Event]) -> None:
        task, node = data["id"], data["name"]
        child = self.scopes.get((*scope.ns, f"{node}:{task}"))
        error, interrupts = data.get("error"), data.get("interrupts") or ()
        if child is not None and not interrupts:
            if error is None:
                out.append(self._event("run_end", child, None, None, child.values))
            else:
                out.append(self._event("run_error", child, None, None, error))
        scope.running.pop(task, None)
        update = scope.updates.pop(node, data.get("result"))
        if error is not None:
            out.append(self._event("task_error", scope, node, task, error))
        elif interrupts:
            found = tuple(_interrupt(i) for i in interrupts)
            out.append(self._event("interrupt", scope, node, task, found))
            if not scope.ns:
                self.interrupted = True
        else:
            out.append(self._event("task_end", scope, node, task, update))
        for label, waiting in list(scope.shared.items()):
            waiting.discard(task)
            if not waiting:
                del scope.shared[label]
                out.append(self._event("task_end", scope, label, None, None))

    def _end_step(self, scope: _Scope, out: list[Event]) -> None:
        scope.open = False
        values = dict(scope.values) if isinstance(scope.values, Mapping) else scope.values
        out.append(self._event("step_end", scope, None, None, values))

    def _updates(self, scope: _Scope, data: Mapping[str, Any], out: list[Event]) -> None:
        if _INTERRUPT in data:
            if not scope.ns and not data[_INTERRUPT]:  # interrupt_before / interrupt_after
                self.interrupted = True
                out.append(self._event("interrupt", scope, None, None, ()))
            return
        scope.updates.update(data)

    # -- what tasks stream -------------------------------------------------------------------------------

    def _message(self, scope: _Scope, data: Any, caller: str | None, out: list[Event]) -> None:
        metadata = data[1] if isinstance(data, tuple) and len(data) == 2 else {}
        path = str((metadata or {}).get("langgraph_checkpoint_ns") or "")
        task = path.rsplit("|", 1)[-1].partition(":")[2]
        self._chunk(scope, "message", data, task if task in scope.running else None, caller, out)

    def _chunk(
        self, scope: _Scope, kind: Any, data: Any, task: str | None, caller: str | None, out: list[Event]
    ) -> None:
        candidates = [t for t in scope.running if t != caller]
        if task is None and len(candidates) == 1:
            task = candidates[0]
        if task is not None:
            out.append(self._event(kind, scope, scope.running[task], task, data))
            return
        # Several tasks run here and the stream does not say which one wrote this: a panel for all of them.
        label = _shared_label([scope.labels.get(t, scope.running[t]) for t in candidates])
        if label not in scope.shared:
            scope.shared[label] = set(candidates)
        out.append(self._event(kind, scope, label, None, data))


def _shared_label(labels: list[str]) -> str:
    """`write #1 / #2` for tasks of one node, `plan / review` for tasks of several, `?` for none."""
    if not labels:
        return "?"
    nodes = {label.partition(" #")[0] for label in labels}
    if len(nodes) == 1 and all(" #" in label for label in labels):
        return f"{nodes.pop()} " + " / ".join("#" + label.partition(" #")[2] for label in labels)
    return " / ".join(labels)


def _interrupt(found: Any) -> Interrupt:
    if isinstance(found, Mapping):
        return Interrupt(found.get("value"), str(found.get("id") or ""))
    return Interrupt(getattr(found, "value", found), str(getattr(found, "id", "") or ""))


# -- running a LangGraph graph ---------------------------------------------------------------------------


def langgraph_input(inputs: Any) -> Any:
    """LangGraph's `Command` for a livegraph `Command` (what the resume form sends); anything else as is."""
    if not isinstance(inputs, Command):
        return inputs
    from langgraph.types import Command as LangGraphCommand
    from langgraph.types import Send as LangGraphSend

    def send(goto: Any) -> Any:
        return LangGraphSend(goto.node, goto.arg) if isinstance(goto, Send) else goto

    goto = inputs.goto
    goto = [send(g) for g in goto] if isinstance(goto, (list, tuple)) else send(goto)
    return LangGraphCommand(graph=inputs.graph, update=inputs.update, resume=inputs.resume, goto=goto)


def _run_input(inputs: Any) -> Any:
    return None if type(inputs).__name__ == "Command" else inputs


def stream_events(graph: Any, inputs: Any, config: Mapping[str, Any] | None, **kwargs: Any) -> Iterator[Any]:
    """The run's events: `graph.stream(..., stream_mode="events")` for a livegraph graph, the translated
    parts of LangGraph's streams for a graph LangGraph compiled."""
    if not is_langgraph(graph):
        yield from graph.stream(inputs, config, stream_mode="events", **kwargs)
        return
    translator = Translator(_run_input(inputs), output=getattr(graph, "output_channels", None))
    yield from translator.start()
    parts = graph.stream(
        langgraph_input(inputs), config, stream_mode=MODES, subgraphs=True, version="v2", **kwargs
    )
    try:
        for part in parts:
            yield from translator.feed(part)
    except Exception as exc:
        yield from translator.error(exc)
        raise
    finally:
        parts.close()
    yield from translator.end()


async def astream_events(
    graph: Any, inputs: Any, config: Mapping[str, Any] | None, **kwargs: Any
) -> AsyncIterator[Any]:
    """The async twin of `stream_events` (`graph.astream`)."""
    if not is_langgraph(graph):
        async for item in graph.astream(inputs, config, stream_mode="events", **kwargs):
            yield item
        return
    translator = Translator(_run_input(inputs), output=getattr(graph, "output_channels", None))
    for event in translator.start():
        yield event
    parts = graph.astream(
        langgraph_input(inputs), config, stream_mode=MODES, subgraphs=True, version="v2", **kwargs
    )
    try:
        async for part in parts:
            for event in translator.feed(part):
                yield event
    except Exception as exc:
        for event in translator.error(exc):
            yield event
        raise
    finally:
        await parts.aclose()
    for event in translator.end():
        yield event


__all__ = [
    "MODES",
    "Translator",
    "astream_events",
    "is_langgraph",
    "langgraph_input",
    "stream_events",
]
