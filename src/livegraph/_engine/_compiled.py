"""`CompiledStateGraph`: what `compile()` returns; runs a graph (`invoke`, `stream` and async twins).

The public methods only pick a driver and shape the output: `_sync` (threads), `_async` (asyncio), or
`_bridge` (a sync call on a graph with async nodes).
"""

from __future__ import annotations

import os
import queue
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import _persist, _sync
from ._constants import DEFAULT_RECURSION_LIMIT, END, INTERRUPT, START
from ._context import CURRENT
from ._drawable import DrawEdge, DrawGraph, DrawNode
from ._errors import CheckpointError, NodeNotFoundError
from ._node import Branch, NodeSpec
from ._output import LIVE_MODES, SKIP, check_version, normalize_modes, shaper
from ._plan import Pending, apply_writes, next_triggers, prepare_tasks, route, updates_of
from ._run import Run, TaskScope
from ._schema import Channel, StateView, initial_values
from ._types import GraphOutput, PregelTask, StateSnapshot


@dataclass(frozen=True)
class GraphSpec:
    """Everything a run needs to know about a compiled graph, as plain frozen data."""

    name: str
    channels: dict[str, Channel]
    nodes: dict[str, NodeSpec]
    edges: dict[str, tuple[str, ...]]
    joins: tuple[tuple[frozenset[str], str, str], ...]
    branches: dict[str, tuple[Branch, ...]]
    state_view: StateView
    input_keys: tuple[str, ...]
    output_view: StateView
    stream_keys: tuple[str, ...] = ()  # what `values` mode shows: every channel, private ones included
    managed: dict[str, Any] = field(default_factory=dict)  # managed key -> its manager (`RemainingSteps`, ...)
    interrupt_before: tuple[str, ...] = ()
    interrupt_after: tuple[str, ...] = ()
    context_schema: Any = None

    def channel_values(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Every channel that has a value: what `values` mode, `get_state` and checkpoints show."""
        return {k: values[k] for k in self.stream_keys if k in values}

    @property
    def is_async(self) -> bool:
        return any(
            n.is_async or (n.subgraph is not None and n.subgraph._spec.is_async) for n in self.nodes.values()
        ) or any(b.is_async for bs in self.branches.values() for b in bs)


def _drop(item: Any) -> None:
    return None


class CompiledStateGraph:
    """A graph ready to run. Use `invoke` / `stream` (sync) or `ainvoke` / `astream` (async).

    Sync calls also work on graphs with `async def` nodes, in scripts and inside Jupyter cells.
    """

    def __init__(
        self,
        spec: GraphSpec,
        *,
        builder: Any = None,
        checkpointer: Any = None,
        store: Any = None,
        cache: Any = None,
        debug: bool = False,
        config: dict[str, Any] | None = None,
    ) -> None:
        self._spec = spec
        self._is_async = spec.is_async
        self.builder = builder
        self.checkpointer = checkpointer
        self.store = store
        self.cache = cache
        self.debug = debug
        self.config = config or {}
        self.name = spec.name

    def __repr__(self) -> str:
        nodes = ", ".join(self._spec.nodes)
        return f"<CompiledStateGraph {self.name!r} nodes=[{nodes}]>"

    @property
    def nodes(self) -> dict[str, Any]:
        return {name: n.fn for name, n in self._spec.nodes.items()}

    def with_config(self, config: dict[str, Any] | None = None, **kwargs: Any) -> CompiledStateGraph:
        """A copy whose runs start from `config` (merged under what each call passes)."""
        merged = _merge(self.config, {**(config or {}), **kwargs})
        return CompiledStateGraph(
            self._spec,
            builder=self.builder,
            checkpointer=self.checkpointer,
            store=self.store,
            cache=self.cache,
            debug=self.debug,
            config=merged,
        )

    # -- running --------------------------------------------------------------------------------------------
    def _conf(self, config: Mapping[str, Any] | None) -> dict[str, Any]:
        conf = _merge(self.config, dict(config or {}))
        conf.setdefault("recursion_limit", DEFAULT_RECURSION_LIMIT)
        return conf

    def _new_run(
        self,
        config: Mapping[str, Any] | None,
        put: Any,
        modes: Sequence[str],
        context: Any,
        kwargs: Mapping[str, Any] | None = None,
        subgraphs: bool = False,
    ) -> Run:
        conf = self._conf(config)
        run = Run(self, conf, put, frozenset(modes), (), os.urandom(8).hex(), context)
        run.subgraphs = subgraphs
        if kwargs:
            if kwargs.get("control") is not None:
                run.control = kwargs["control"]
            for name in ("interrupt_before", "interrupt_after"):
                value = kwargs.get(name)
                if value is not None:
                    setattr(run, name, (value,) if isinstance(value, str) else tuple(value))
        return run

    def _result(self, run: Run) -> Any:
        if not run.output_written and not run.interrupts:
            return None  # as LangGraph: no `values` chunk was streamed for the output's keys
        out = self._spec.output_view.read(run.values)
        if run.interrupts:
            out[INTERRUPT] = list(run.interrupts)
        return out

    def _output(self, run: Run, version: str) -> Any:
        """What `invoke` returns: the output (with `__interrupt__`), or for `v2` a `GraphOutput`."""
        out = self._result(run)
        if version == "v1":
            return out
        if isinstance(out, dict) and INTERRUPT in out:
            out = {k: v for k, v in out.items() if k != INTERRUPT}
        return GraphOutput(out, tuple(run.interrupts))

    def stream(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] | None = None,
        subgraphs: bool = False,
        version: str = "v1",
        **kwargs: Any,
    ) -> Iterator[Any]:
        """Run the graph, yielding what `stream_mode` asks for, live (chunks arrive as nodes write them).

        Args:
            input: The initial state (a dict of state keys).
            config: `{"recursion_limit": ..., "configurable": {...}, ...}`.
            context: What nodes see as `runtime.context`.
            stream_mode: `updates` (the default, as LangGraph's), `values`, `custom`, `messages`, `tasks`,
                `debug`, `checkpoints`, `events`
                (livegraph's attributed event stream), or a list of them.
            subgraphs: Also stream from inside subgraphs, tagged with their namespace.
            version: `v1` (LangGraph's tuples) or `v2` (`{"type", "ns", "data"}` dicts).
        """
        modes, single = normalize_modes(stream_mode)
        shape = shaper(single, subgraphs, version)
        scope = CURRENT.get()
        if scope is not None and not self._is_async:  # called inside a node: a subgraph of that run
            buffer: list[Any] = []
            run, input = self._child(input, scope, config or {}, _tee(scope, modes, buffer.append))
            items = _sync.drain(run, input, buffer)
        elif self._is_async:
            q: queue.SimpleQueue[Any] = queue.SimpleQueue()
            from . import _bridge  # asyncio is loaded only by graphs that need it

            items = _bridge.bridged(self._new_run(config, q.put, modes, context, kwargs, subgraphs), input, q)
        elif LIVE_MODES.intersection(modes):
            q = queue.SimpleQueue()
            items = _sync.live(self._new_run(config, q.put, modes, context, kwargs, subgraphs), input, q)
        else:
            buffer = []
            run = self._new_run(config, buffer.append, modes, context, kwargs, subgraphs)
            items = _sync.drain(run, input, buffer)
        try:
            for item in items:
                out = shape(item)
                if out is not SKIP:
                    yield out
        finally:
            items.close()

    def invoke(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str = "values",
        version: str = "v1",
        **kwargs: Any,
    ) -> Any:
        """Run the graph to the end and return its output state (or, for another `stream_mode`, the list
        of chunks). With `version="v2"`: a `GraphOutput` (`.value`, `.interrupts`), or the list of parts."""
        check_version(version)
        if stream_mode != "values":
            return list(
                self.stream(
                    input, config, context=context, stream_mode=stream_mode, version=version, **kwargs
                )
            )
        scope = CURRENT.get()
        if scope is not None and not self._is_async:  # called inside a node: a subgraph of that run
            return self._invoke_nested(input, config, scope)
        if self._is_async:
            q: queue.SimpleQueue[Any] = queue.SimpleQueue()
            run = self._new_run(config, q.put, (), context, kwargs)
            from . import _bridge

            for _ in _bridge.bridged(run, input, q, lazy=False):
                pass
        else:
            run = self._new_run(config, _drop, (), context, kwargs)
            for _ in _sync.run_loop(run, input):
                pass
        return self._output(run, version)

    async def astream(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] | None = None,
        subgraphs: bool = False,
        version: str = "v1",
        **kwargs: Any,
    ) -> AsyncIterator[Any]:
        """The async twin of `stream`: runs on the current event loop."""
        from . import _async

        modes, single = normalize_modes(stream_mode)
        shape = shaper(single, subgraphs, version)
        scope = CURRENT.get()
        if scope is not None:  # iterated inside a node: a subgraph of that run
            buffer: list[Any] = []
            run, input = self._child(input, scope, config or {}, _tee(scope, modes, buffer.append))
            items = _async.adrain(run, input, buffer)
        elif LIVE_MODES.intersection(modes):
            box = _async.Outbox()
            items = _async.alive(self._new_run(config, box.put, modes, context, kwargs, subgraphs), input, box)
        else:
            buffer = []
            run = self._new_run(config, buffer.append, modes, context, kwargs, subgraphs)
            items = _async.adrain(run, input, buffer)
        try:
            async for item in items:
                out = shape(item)
                if out is not SKIP:
                    yield out
        finally:
            await items.aclose()

    async def ainvoke(
        self,
        input: Any,
        config: Mapping[str, Any] | None = None,
        *,
        context: Any = None,
        stream_mode: str = "values",
        version: str = "v1",
        **kwargs: Any,
    ) -> Any:
        """The async twin of `invoke`."""
        from . import _async

        check_version(version)
        if stream_mode != "values":
            return [
                c
                async for c in self.astream(
                    input, config, context=context, stream_mode=stream_mode, version=version, **kwargs
                )
            ]
        scope = CURRENT.get()
        if scope is not None:  # awaited inside a node: a subgraph of that run
            run, data = self._child(input, scope, config or {})
        else:
            run, data = self._new_run(config, _drop, (), context, kwargs), input
        async for _ in _async.arun_loop(run, data):
            pass
        return self._output(run, version)

    def batch(
        self, inputs: Sequence[Any], config: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> list[Any]:
        return [self.invoke(i, config, **kwargs) for i in inputs]

    async def abatch(
        self, inputs: Sequence[Any], config: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> list[Any]:
        import asyncio

        return list(await asyncio.gather(*(self.ainvoke(i, config, **kwargs) for i in inputs)))

    # -- saved state ----------------------------------------------------------------------------------------
    def _saver(self, config: Mapping[str, Any] | None) -> tuple[Any, str, str]:
        saver = _persist.saver_of(self)
        if saver is None:
            raise CheckpointError(
                "This graph has no checkpointer: compile it with `checkpointer=InMemorySaver()` "
                "(or SqliteSaver) to keep state between runs"
            )
        conf = (config or {}).get("configurable") or {}
        if conf.get("thread_id") is None:
            raise CheckpointError(_persist.NEEDS_THREAD)
        return saver, str(conf["thread_id"]), str(conf.get("checkpoint_ns") or "")

    def _snapshot(self, cp: Any, child: Any = None, subgraphs: bool = False, key: str | None = None
                  ) -> StateSnapshot:
        """A checkpoint as LangGraph's `StateSnapshot`. `child` is the checkpoint its step made (its tasks'
        results come from there); `subgraphs` puts an interrupted subgraph's own snapshot in its task."""
        from ..checkpoint.base import public_metadata

        meta = public_metadata(cp.metadata)
        config = _persist.config_of(cp.thread_id, cp.ns, cp.id)
        results = dict((child.metadata.get("writes") or {}) if child is not None else {})
        done = cp.tasks.get("done") or {}
        interrupts = cp.tasks.get("interrupts") or {}
        if cp.metadata.get("source") == "input" and not (cp.pending.get("pull") or cp.pending.get("push")):
            # the input's own checkpoint (files of livegraph 0.1 have the input applied, and its next nodes)
            ptasks: tuple[PregelTask, ...] = (
                PregelTask(_persist.input_task_id(cp.id), START, ("__pregel_pull", START),
                           result=results.get(START)),
            )
        else:
            pending = _persist.pending_from(cp.pending)
            key = key or f"{cp.thread_id}:{cp.id}"  # the run key its run prepared the tasks with
            tasks = prepare_tasks(self._spec.nodes, cp.values, pending, cp.step + 1, key)
            names = [t.name for t in tasks]
            ptasks = tuple(
                PregelTask(
                    t.id,
                    t.name,
                    t.path,
                    None,
                    tuple(interrupts.get(t.id, ())),
                    self._sub_state(cp, t, meta, subgraphs),
                    dict(done[t.id].get("writes") or []) if t.id in done
                    else (results[t.name] or {}) if t.name in results and names.count(t.name) == 1 else None,
                )
                for t in tasks
            )
        return StateSnapshot(
            values=self._spec.channel_values(cp.values),
            next=tuple(t.name for t in ptasks),
            config=config,
            metadata=meta,
            created_at=cp.created_at,
            parent_config=_persist.config_of(cp.thread_id, cp.ns, cp.parent_id) if cp.parent_id else None,
            tasks=ptasks,
            interrupts=tuple(i for t in ptasks for i in t.interrupts),
        )

    def _sub_state(self, cp: Any, task: Any, meta: Mapping[str, Any], subgraphs: bool) -> Any:
        """A subgraph task's `state`: the config of its namespace, or (`subgraphs=True`, when it was
        interrupted) the subgraph's own snapshot where it stopped."""
        node = self._spec.nodes.get(task.name)
        if node is None or node.subgraph is None:
            return None
        ns = f"{task.name}:{task.id}"
        config = {"configurable": {"thread_id": cp.thread_id, "checkpoint_ns": ns}}
        stood = (cp.tasks.get("subs") or {}).get(task.id)
        if not subgraphs or stood is None:
            return config
        from ..checkpoint.base import Checkpoint

        owners = cp.tasks.get("owners") or {}
        asked = list((cp.tasks.get("interrupts") or {}).get(task.id, ()))
        inner = Checkpoint(
            cp.thread_id, ns, "", None, int(stood["step"]), dict(stood["values"]), stood["pending"],
            {**{k: v for k, v in meta.items() if k not in ("source", "step", "parents")}, "source": "loop",
             "step": int(stood["step"]), "parents": {cp.ns: cp.id}},
            cp.created_at,
            {"done": stood.get("done") or {}, "subs": stood.get("subs") or {}, "owners": owners,
             "interrupts": _by_owner(asked, owners)},
        )
        snap = node.subgraph._snapshot(inner, None, True, task.id)
        return replace(snap, config=config)

    def get_state(self, config: Mapping[str, Any], *, subgraphs: bool = False) -> StateSnapshot:
        """The thread's state at its newest checkpoint (or at `checkpoint_id` when the config names one);
        LangGraph's empty snapshot when there is none."""
        saver, thread_id, ns = self._saver(config)
        wanted = ((config or {}).get("configurable") or {}).get("checkpoint_id")
        cp = saver.load(thread_id, ns, wanted)
        if cp is None:
            return StateSnapshot({}, (), {**config, "configurable": dict(config.get("configurable") or {})},
                                 None, None, None)
        child = None
        if wanted and wanted != saver.head(thread_id, ns):
            for c in saver.history(thread_id, ns):  # newest first: the oldest child (the original run) wins
                if c.parent_id == cp.id and c.metadata.get("source") in ("loop", "update"):
                    child = c
        return self._snapshot(cp, child, subgraphs)

    def get_state_history(
        self,
        config: Mapping[str, Any],
        *,
        filter: Mapping[str, Any] | None = None,  # noqa: A002 - LangGraph's name
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> Iterator[StateSnapshot]:
        """The thread's checkpoints as snapshots, newest first.

        Args:
            config: The thread (`{"configurable": {"thread_id": ...}}`).
            filter: Only checkpoints whose metadata has these values, e.g. `{"source": "loop"}`.
            before: Only checkpoints older than this one (a snapshot's `config`).
            limit: At most this many.
        """
        from ..checkpoint.base import public_metadata

        saver, thread_id, ns = self._saver(config)
        older_than = ((before or {}).get("configurable") or {}).get("checkpoint_id")
        if older_than is not None and saver.load(thread_id, ns, older_than) is None:
            raise CheckpointError(
                f"Thread `{thread_id}` has no checkpoint `{older_than}` (given as `before`); list its checkpoints "
                "with `graph.get_state_history(config)`"
            )
        found = 0
        seen_before = older_than is None
        children: dict[str, Any] = {}  # checkpoint id -> the checkpoint its step (or an edit as a node) made
        for cp in saver.history(thread_id, ns):
            if cp.parent_id is not None and cp.metadata.get("source") in ("loop", "update"):
                children[cp.parent_id] = cp  # newest first: the oldest child (the original run) wins
            if not seen_before:
                seen_before = cp.id == older_than
                continue
            if filter and any(public_metadata(cp.metadata).get(k) != v for k, v in filter.items()):
                continue
            yield self._snapshot(cp, children.get(cp.id))
            found += 1
            if limit is not None and found >= limit:
                return

    def update_state(
        self, config: Mapping[str, Any], values: Any, as_node: str | None = None
    ) -> dict[str, Any]:
        """Change a thread's state as if node `as_node` had returned `values`; returns the new checkpoint's
        config. With `as_node`, what runs next is what follows that node; without, it stays as it was."""
        from ..checkpoint.base import Checkpoint, new_id, now_iso

        saver, thread_id, ns = self._saver(config)
        wanted = ((config or {}).get("configurable") or {}).get("checkpoint_id")
        head = saver.head(thread_id, ns)
        cp = saver.load(thread_id, ns, wanted) if (wanted or head) else None
        if wanted and cp is None:
            raise CheckpointError(
                f"Thread `{thread_id}` has no checkpoint `{wanted}`; list its checkpoints with "
                "`graph.get_state_history(config)`"
            )
        if as_node is not None and as_node not in self._spec.nodes and as_node != START:
            raise NodeNotFoundError(
                f"update_state(as_node={as_node!r}): no such node; use one of {', '.join(self._spec.nodes)}"
            )
        values_now = dict(cp.values) if cp else initial_values(self._spec.channels)
        pending = _persist.pending_from(cp.pending) if cp else Pending()
        node = as_node or "__update__"
        result = updates_of(node, values, self._spec.channels, self._spec.state_view.keys)
        apply_writes(self._spec.channels, values_now, [(node, result.writes)])
        if as_node is not None:
            pending = Pending()
            gotos = list(result.goto)
            state = self._spec.state_view.read(values_now)
            for b in self._spec.branches.get(as_node, ()):
                gotos.extend(route(b, b.path(state), self._spec.nodes))
            next_triggers(self._spec.edges, self._spec.joins, [(as_node, gotos)], pending)
        step = (cp.step + 1) if cp else 0
        new = Checkpoint(
            thread_id,
            ns,
            new_id(),
            cp.id if cp else None,
            step,
            values_now,
            _persist.pending_to(pending),
            {"source": "update", "step": step, "parents": {}, "writes": {node: result.update}},
            now_iso(),
            # Still stopped at an `interrupt_before`: resuming runs the node instead of stopping again.
            {"skip_before": True}
            if as_node is None and cp is not None and cp.tasks.get("skip_before")
            else {},
        )
        saver.append(new, head=head)
        return _persist.config_of(thread_id, ns, new.id)

    async def aget_state(self, config: Mapping[str, Any], *, subgraphs: bool = False) -> StateSnapshot:
        return self.get_state(config, subgraphs=subgraphs)

    async def aupdate_state(
        self, config: Mapping[str, Any], values: Any, as_node: str | None = None
    ) -> dict[str, Any]:
        return self.update_state(config, values, as_node)

    # -- as a node of another graph ---------------------------------------------------------------------------
    def _child(
        self,
        data: Any,
        scope: TaskScope,
        config: Mapping[str, Any] | None = None,
        tee: tuple[Any, frozenset[str]] | None = None,
    ) -> tuple[Run, Any]:
        """A run of this graph inside `scope`'s task: as a node of the parent graph (`config` None: it takes
        its keys from the parent's state), or invoked from a node's code (`config`: what the call passed).
        Either way it streams into the parent's stream under the task's namespace, with the parent's thread;
        `tee` (`_tee`) also hands its items to the node that streams it."""
        parent = scope.run
        ns = (*parent.ns, f"{scope.task.name}:{scope.task.id}")
        conf = dict(parent.config)
        conf["configurable"] = dict(scope.config.get("configurable") or {})
        if config:
            conf = _merge(conf, config)
        put, modes = tee if tee is not None else (parent.put, parent.modes)
        run = Run(self, conf, put, modes, ns, scope.task.id, parent.context, scope)
        if config is None and isinstance(data, Mapping):
            data = {k: v for k, v in data.items() if k in self._spec.channels}
        stood = parent.subs.pop(scope.task.id, None)
        if stood is not None:  # it was interrupted: continue inside it
            _persist.restore(run, stood)
        return run, data

    def _output_for(self, run: Run, scope: TaskScope) -> dict[str, Any]:
        out = self._spec.output_view.read(run.values)
        keys = scope.run.spec.channels
        return {k: v for k, v in out.items() if k in keys}

    def _invoke_nested(self, data: Any, config: Mapping[str, Any] | None, scope: TaskScope) -> Any:
        run, data = self._child(data, scope, config or {})
        for _ in _sync.run_loop(run, data):
            pass
        return self._result(run)

    def _call_sync(self, data: Any, scope: TaskScope) -> dict[str, Any]:
        run, data = self._child(data, scope)
        for _ in _sync.run_loop(run, data):
            pass
        return self._output_for(run, scope)

    async def _call_async(self, data: Any, scope: TaskScope) -> dict[str, Any]:
        run, data = self._child(data, scope)
        from . import _async

        async for _ in _async.arun_loop(run, data):
            pass
        return self._output_for(run, scope)

    # -- more of LangGraph's methods ---------------------------------------------------------------------------
    async def aget_state_history(
        self,
        config: Mapping[str, Any],
        *,
        filter: Mapping[str, Any] | None = None,  # noqa: A002 - LangGraph's name
        before: Mapping[str, Any] | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[StateSnapshot]:
        """The async twin of `get_state_history`."""
        for snapshot in self.get_state_history(config, filter=filter, before=before, limit=limit):
            yield snapshot

    async def aget_graph(self, config: Any = None, *, xray: int | bool = False) -> DrawGraph:
        return self.get_graph(config, xray=xray)

    def get_subgraphs(
        self, *, namespace: str | None = None, recurse: bool = False
    ) -> Iterator[tuple[str, CompiledStateGraph]]:
        """`(namespace, graph)` for every node that is a compiled graph (`parent|child` with `recurse`)."""
        for name, node in self._spec.nodes.items():
            if namespace is not None and namespace != name and not namespace.startswith(name + "|"):
                continue
            sub = node.subgraph
            if sub is None:
                continue
            if name == namespace:
                yield name, sub
                return
            if namespace is None:
                yield name, sub
            if recurse:
                inner = None if namespace is None else namespace[len(name) + 1 :]
                yield from ((f"{name}|{n}", g) for n, g in sub.get_subgraphs(namespace=inner, recurse=True))

    async def aget_subgraphs(
        self, *, namespace: str | None = None, recurse: bool = False
    ) -> AsyncIterator[tuple[str, CompiledStateGraph]]:
        for pair in self.get_subgraphs(namespace=namespace, recurse=recurse):
            yield pair

    def clear_cache(self, nodes: Sequence[str] | None = None) -> None:
        """Forget the cached results of `nodes` (default: every node), from `compile(cache=...)`."""
        if not self.cache:
            raise ValueError("No cache is set for this graph. Cannot clear cache.")
        self.cache.clear(self._cache_namespaces(nodes))

    async def aclear_cache(self, nodes: Sequence[str] | None = None) -> None:
        if not self.cache:
            raise ValueError("No cache is set for this graph. Cannot clear cache.")
        await self.cache.aclear(self._cache_namespaces(nodes))

    def _cache_namespaces(self, nodes: Sequence[str] | None) -> list[tuple[str, ...]]:
        from ._node_cache import namespace_of

        specs = self._spec.nodes
        return [namespace_of(specs[n]) for n in (nodes or specs) if n in specs]

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        """The graph's name, with `suffix` joined on as LangChain joins it (`LangGraph-X`, `graph_x`)."""
        name = name or self.name
        if not suffix:
            return name
        return name + suffix.title() if name[:1].isupper() else f"{name}_{suffix.lower()}"

    @property
    def context_schema(self) -> Any:
        return self._spec.context_schema

    @property
    def interrupt_before_nodes(self) -> list[str]:
        return list(self._spec.interrupt_before)

    @property
    def interrupt_after_nodes(self) -> list[str]:
        return list(self._spec.interrupt_after)

    # -- drawing --------------------------------------------------------------------------------------------
    def get_graph(self, config: Any = None, *, xray: int | bool = False) -> DrawGraph:
        """The graph as plain data to draw (`.draw_mermaid()`, `.draw_png()`, `.to_dot()`, SVG in Jupyter)."""
        return drawable(self._spec, xray)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ._plugins import mimebundle

        return mimebundle(self.get_graph())


def _by_owner(asked: Sequence[Any], owners: Mapping[str, str]) -> dict[str, list[Any]]:
    """Interrupts grouped by the (innermost) task that asked them."""
    out: dict[str, list[Any]] = {}
    for i in asked:
        out.setdefault(owners.get(i.id, ""), []).append(i)
    return out


def drawable(spec: GraphSpec, xray: int | bool) -> DrawGraph:
    depth = int(xray) if not isinstance(xray, bool) else (1 if xray else 0)
    nodes: dict[str, DrawNode] = {START: DrawNode(START, START, "start")}
    for name, n in spec.nodes.items():
        sub = drawable(n.subgraph._spec, depth - 1) if n.subgraph is not None and depth > 0 else None
        nodes[name] = DrawNode(name, name, "node", sub, dict(n.metadata))
    edges: list[DrawEdge] = []
    for src, targets in spec.edges.items():
        edges.extend(DrawEdge(src, dst) for dst in targets)
    for sources, target, _key in spec.joins:
        edges.extend(DrawEdge(src, target, "join") for src in sorted(sources))
    for src, branches in spec.branches.items():
        for b in branches:
            if b.path_map is not None:
                for key, dst in b.path_map.items():
                    edges.append(DrawEdge(src, dst, "conditional", None if str(key) == dst else str(key)))
                continue
            known = b.targets()
            for dst in known if known is not None else (*spec.nodes, END):
                edges.append(DrawEdge(src, dst, "conditional"))
    for name, n in spec.nodes.items():
        edges.extend(DrawEdge(name, dst, "command") for dst in n.destinations)
    if any(e.target == END for e in edges) or not edges:
        nodes[END] = DrawNode(END, END, "end")
    return DrawGraph(spec.name, nodes, edges, depth)


def _tee(scope: TaskScope, wanted: Sequence[str], take: Any) -> tuple[Any, frozenset[str]]:
    """`(put, modes)` for a graph streamed inside `scope`'s task: items go to the parent's stream (its modes,
    under the task's namespace) and, with namespaces relative to the child, to the node iterating it."""
    parent = scope.run
    parent_put, parent_modes, wanted_modes = parent.put, parent.modes, frozenset(wanted)
    cut = len(parent.ns) + 1

    def put(item: Any) -> None:
        mode, ns, payload = item
        if mode in parent_modes:
            parent_put(item)
        if mode in wanted_modes:
            take((mode, ns[cut:], payload))

    return put, parent_modes | wanted_modes


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if key in ("configurable", "metadata") and isinstance(value, Mapping):
            out[key] = {**(out.get(key) or {}), **value}
        else:
            out[key] = value
    return out
