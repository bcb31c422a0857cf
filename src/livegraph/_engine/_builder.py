"""`StateGraph`: the builder users call (`add_node`, `add_edge`, `add_conditional_edges`, `compile`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._constants import END, RESERVED_CHARS, RESERVED_NAMES, START
from ._errors import GraphValidationError
from ._node import (
    Branch,
    NodeSpec,
    annotated_schema,
    callable_name,
    injected,
    is_async_callable,
    literal_targets,
    normalize_path_map,
    takes_state,
)
from ._schema import channels_of, managed_of, view_of
from ._types import RetryPolicy

if TYPE_CHECKING:
    from ._compiled import CompiledStateGraph

StateT = TypeVar("StateT")

_NODE_KW = ("defer", "metadata", "input_schema", "retry_policy", "cache_policy", "destinations")


@dataclass(frozen=True, slots=True)
class _PendingNode:
    name: str
    action: Any
    metadata: dict[str, Any]
    input_schema: Any
    retry: tuple[RetryPolicy, ...]
    destinations: tuple[str, ...]
    defer: bool
    cache_policy: Any = None
    error_handler: Callable[..., Any] | None = None
    retry_given: bool = False


@dataclass(slots=True)
class _NodeDefaults:
    """What `set_node_defaults` gave: applied at `compile()` to nodes that set none of their own."""

    retry: tuple[RetryPolicy, ...] = ()
    cache_policy: Any = None
    error_handler: Callable[..., Any] | None = None


ERROR_HANDLER_PREFIX = "__error_handler__"
DEFAULT_ERROR_HANDLER = "__default_error_handler__"


class StateGraph(Generic[StateT]):
    """A graph of nodes that read and update a shared, typed state.

    Args:
        state_schema: A `TypedDict`, dataclass or pydantic model. `Annotated[T, reducer]` keys combine
            updates with the reducer; other keys keep the last value written.
        context_schema: The type of `context=` given to a run (reachable through `runtime.context`).
        input_schema: The keys a run's input may set (default: the state schema).
        output_schema: The keys a run returns (default: the state schema).

    Example:
        ```python
        graph = StateGraph(State).add_node(call_model).add_edge(START, "call_model").compile()
        ```
    """

    def __init__(
        self,
        state_schema: type[StateT] | None = None,
        context_schema: Any = None,
        *,
        input_schema: Any = None,
        output_schema: Any = None,
        **legacy: Any,
    ) -> None:
        config_schema = legacy.pop("config_schema", None)
        input_schema = input_schema if input_schema is not None else legacy.pop("input", None)
        output_schema = output_schema if output_schema is not None else legacy.pop("output", None)
        if legacy:
            raise TypeError(f"StateGraph() got unexpected keyword arguments: {', '.join(sorted(legacy))}")
        if state_schema is None and (input_schema is None or output_schema is None):
            raise ValueError("StateGraph() needs a state schema: `StateGraph(State)`")
        self.state_schema = state_schema if state_schema is not None else input_schema
        self.input_schema = input_schema if input_schema is not None else self.state_schema
        self.output_schema = output_schema if output_schema is not None else self.state_schema
        self.config_schema = config_schema
        self.context_schema = context_schema
        self._nodes: dict[str, _PendingNode] = {}
        self.edges: set[tuple[str, str]] = set()
        self._edge_order: list[tuple[str, str]] = []
        self.waiting_edges: list[tuple[tuple[str, ...], str]] = []
        self.branches: dict[str, dict[str, Branch]] = {}
        self._defaults = _NodeDefaults()
        # Schemas of nodes' and routers' inputs, in the order added: their keys are channels too (private
        # state), as LangGraph registers them.
        self._schemas: list[Any] = []
        self.compiled = False

    @property
    def nodes(self) -> dict[str, Any]:
        """`{name: what was given to add_node}`."""
        return {name: n.action for name, n in self._nodes.items()}

    # -- nodes -------------------------------------------------------------------------------------------
    def add_node(
        self,
        node: str | Callable[..., Any],
        action: Callable[..., Any] | None = None,
        *,
        defer: bool = False,
        metadata: dict[str, Any] | None = None,
        input_schema: Any = None,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        cache_policy: Any = None,
        error_handler: Callable[..., Any] | None = None,
        destinations: dict[str, str] | tuple[str, ...] | None = None,
        **legacy: Any,
    ) -> StateGraph[StateT]:
        """Add a node: `add_node(fn)` (named after the function) or `add_node("name", fn)`.

        A node takes the state (and optionally `config`, `writer`, `runtime` by name) and returns a dict of
        updates, a `Command`, or None. A compiled graph can be a node (a subgraph).

        Args:
            retry_policy: Retry a failing node (one `RetryPolicy`, or several: the first that matches).
            cache_policy: Reuse its result for the same input (`CachePolicy`; needs `compile(cache=...)`).
            error_handler: When the node fails (after its retries), run this instead, in the same step:
                `def handler(state, error: NodeError)` returns updates or a `Command`, as a node does; the
                failed node's own edges do not fire. It shows as node `__error_handler__<name>`.
            destinations: Where a `Command(goto=...)` from it may go (for drawing only).
        """
        retry_policy = retry_policy if retry_policy is not None else legacy.pop("retry", None)
        input_schema = input_schema if input_schema is not None else legacy.pop("input", None)
        legacy.pop("trace_policy", None)  # LangSmith tracing only: nothing to do without LangSmith
        _no_timeout(node if isinstance(node, str) else callable_name(node), legacy.pop("timeout", None))
        if legacy:
            raise TypeError(f"add_node() got unexpected keyword arguments: {', '.join(sorted(legacy))}")
        if isinstance(node, str):
            if action is None:
                raise TypeError(f"add_node({node!r}) needs the function too: `add_node({node!r}, fn)`")
            name = node
        else:
            if action is not None:
                raise TypeError("add_node(fn, action): give either `add_node(fn)` or `add_node('name', fn)`")
            action, name = node, callable_name(node)
        if not callable(action) and not hasattr(action, "_spec"):
            raise TypeError(f"Node `{name}`: expected a function or a compiled graph, got {action!r}")
        if not hasattr(action, "_spec") and not takes_state(action):
            raise TypeError(
                f"Node `{name}` takes no positional parameter, but a node is called with the state: define it "
                f"as `def {name}(state): ...` (and add `config`, `writer` or `runtime` after it if it needs them)"
            )
        if name in RESERVED_NAMES:
            raise ValueError(
                f"Node `{name}` is reserved for the graph's entry/exit; give your node another name"
            )
        for ch in RESERVED_CHARS:
            if ch in name:
                raise ValueError(
                    f"Node `{name}`: {ch!r} is a reserved character in node names; rename the node"
                )
        if name in self._nodes:
            raise ValueError(f"Node `{name}` already present; give the second node another name")
        if error_handler is not None and not callable(error_handler):
            raise TypeError(f"Node `{name}`: error_handler must be a function, got {error_handler!r}")
        if isinstance(retry_policy, RetryPolicy):
            retries: tuple[RetryPolicy, ...] = (retry_policy,)
        else:
            retries = tuple(retry_policy or ())
        if isinstance(destinations, dict) or destinations is not None:
            dests = tuple(destinations)
        else:
            dests = literal_targets(action) or ()
        if input_schema is None and not hasattr(action, "_spec"):
            input_schema = annotated_schema(action)  # `def node(state: PrivateIn)` reads PrivateIn's keys
        if input_schema is not None and input_schema not in self._schemas:
            self._schemas.append(input_schema)
        self._nodes[name] = _PendingNode(
            name,
            action,
            dict(metadata or {}),
            input_schema,
            retries,
            dests,
            defer,
            cache_policy,
            error_handler,
            retry_policy is not None,
        )
        return self

    def set_node_defaults(
        self,
        *,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        cache_policy: Any = None,
        error_handler: Callable[..., Any] | None = None,
        timeout: Any = None,
    ) -> StateGraph[StateT]:
        """Policies for every node that sets none of its own, applied at `compile()` (as LangGraph's).

        `retry_policy` applies to error handlers too; `cache_policy` and `error_handler` to regular nodes
        only (a handler that fails fails the run). Subgraphs do not inherit them.
        """
        _no_timeout("(every node)", timeout)
        if retry_policy is not None:
            self._defaults.retry = (retry_policy,) if isinstance(retry_policy, RetryPolicy) else tuple(retry_policy)
        if cache_policy is not None:
            self._defaults.cache_policy = cache_policy
        if error_handler is not None:
            self._defaults.error_handler = error_handler
        return self

    def add_sequence(
        self, nodes: Sequence[Callable[..., Any] | tuple[str, Callable[..., Any]]]
    ) -> StateGraph[StateT]:
        """Add nodes and chain them with edges in the order given."""
        if not nodes:
            raise ValueError("add_sequence() needs at least one node")
        previous: str | None = None
        for item in nodes:
            if isinstance(item, tuple):
                name, fn = item
                self.add_node(name, fn)
            else:
                name = callable_name(item)
                self.add_node(item)
            if previous is not None:
                self.add_edge(previous, name)
            previous = name
        return self

    # -- edges -------------------------------------------------------------------------------------------
    def add_edge(self, start_key: str | Sequence[str], end_key: str) -> StateGraph[StateT]:
        """Run `end_key` after `start_key`; with a list of sources, run it once after all of them (a join)."""
        if isinstance(start_key, str):
            if start_key == END:
                raise ValueError("END cannot be the start of an edge; use `add_edge(node, END)` to finish")
            if end_key == START:
                raise ValueError("START cannot be the end of an edge; use `add_edge(START, node)` to begin")
            if (start_key, end_key) not in self.edges:
                self.edges.add((start_key, end_key))
                self._edge_order.append((start_key, end_key))
            return self
        sources = tuple(start_key)
        if not sources:
            raise ValueError("add_edge([], ...) needs at least one source node")
        for s in sources:
            if s == END:
                raise ValueError("END cannot be the start of an edge")
        if end_key == END:
            return self  # LangGraph accepts a join into END and does nothing with it
        self.waiting_edges.append((sources, end_key))
        return self

    def add_conditional_edges(
        self,
        source: str,
        path: Callable[..., Any],
        path_map: dict[Hashable, str] | Sequence[str] | None = None,
    ) -> StateGraph[StateT]:
        """After `source`, call `path(state)` to choose the next node(s).

        The router returns a node name, a list of names, `Send`s, or `END`; with `path_map`, it returns keys
        of that map (or, for a list `path_map`, names from it).
        """
        if not callable(path):
            raise TypeError(
                f"add_conditional_edges({source!r}, ...): the router must be callable, got {path!r}"
            )
        name = callable_name(path)
        if not takes_state(path):
            raise TypeError(
                f"Router `{name}` after `{source}` takes no positional parameter, but a router is called with "
                f"the state: define it as `def {name}(state): ...`"
            )
        if name in self.branches.get(source, {}):
            name = f"{name}_{len(self.branches[source])}"
        schema = annotated_schema(path)
        if schema is not None and schema not in self._schemas:
            self._schemas.append(schema)
        branch = Branch(
            source,
            path,
            normalize_path_map(path_map),
            is_async_callable(path),
            injected(path),
            name,
            view_of(schema) if schema is not None else None,
        )
        self.branches.setdefault(source, {})[name] = branch
        return self

    def set_entry_point(self, key: str) -> StateGraph[StateT]:
        return self.add_edge(START, key)

    def set_conditional_entry_point(
        self, path: Callable[..., Any], path_map: dict[Hashable, str] | Sequence[str] | None = None
    ) -> StateGraph[StateT]:
        return self.add_conditional_edges(START, path, path_map)

    def set_finish_point(self, key: str) -> StateGraph[StateT]:
        return self.add_edge(key, END)

    def _handler_spec(self, name: str, fn: Callable[..., Any], view: Any) -> NodeSpec:
        if name in self._nodes:
            raise ValueError(f"Auto-generated error handler node `{name}` already exists.")
        return NodeSpec(
            name=name,
            fn=fn,
            is_async=is_async_callable(fn),
            inject=injected(fn),
            view=view,
            retry=self._defaults.retry,
        )

    # -- compile -----------------------------------------------------------------------------------------
    def validate(self, interrupt: Sequence[str] | None = None) -> StateGraph[StateT]:
        """Check the whole graph; raise `GraphValidationError` listing every problem at once."""
        problems: list[str] = []
        known = set(self._nodes)

        def check(name: str, where: str, *, allow_end: bool = True, allow_start: bool = False) -> None:
            if (name == END and allow_end) or (name == START and allow_start) or name in known:
                return
            hint = _closest(name, known)
            problems.append(
                f"{where} refers to unknown node `{name}`{hint}; add it with `add_node({name!r}, fn)`"
            )

        for src, dst in self._edge_order:
            check(src, f"Edge `{src}` -> `{dst}`", allow_end=False, allow_start=True)
            check(dst, f"Edge `{src}` -> `{dst}`")
        for sources, dst in self.waiting_edges:
            label = f"Join edge [{', '.join(sources)}] -> `{dst}`"
            for s in sources:
                check(s, label, allow_end=False, allow_start=True)
            check(dst, label, allow_end=False)
        for src, branches in self.branches.items():
            for branch in branches.values():
                check(
                    src,
                    f"Conditional edge from `{src}` (router `{branch.name}`)",
                    allow_end=False,
                    allow_start=True,
                )
                if branch.path_map is not None:
                    for key, dst in branch.path_map.items():
                        check(dst, f"Conditional edge from `{src}`: path_map entry {key!r}")
        for node in self._nodes.values():
            for dst in node.destinations:
                check(dst, f"Node `{node.name}` destinations")
        has_entry = (
            any(src == START for src, _ in self._edge_order)
            or START in self.branches
            or any(START in sources for sources, _ in self.waiting_edges)
        )
        if not has_entry:
            problems.append(
                "Graph must have an entrypoint: add at least one edge from START to another node "
                "(`add_edge(START, node)`)"
            )
        for name in interrupt or ():
            if name != "*" and name not in known:
                problems.append(f"Interrupt node `{name}` is not in the graph{_closest(name, known)}")
        if problems:
            raise GraphValidationError(problems)
        return self

    def compile(
        self,
        checkpointer: Any = None,
        *,
        cache: Any = None,
        store: Any = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        debug: bool = False,
        name: str | None = None,
    ) -> CompiledStateGraph:
        """Validate the graph and return a runnable `CompiledStateGraph`."""
        from ._compiled import CompiledStateGraph, GraphSpec

        before = _names(interrupt_before)
        after = _names(interrupt_after)
        self.validate([*before, *after])
        schemas = (self.state_schema, self.input_schema, self.output_schema, *self._schemas)
        channels = channels_of(*schemas)
        state_view = view_of(self.state_schema)
        nodes: dict[str, NodeSpec] = {}
        defaults = self._defaults
        default_handler = None
        if defaults.error_handler is not None:
            default_handler = self._handler_spec(DEFAULT_ERROR_HANDLER, defaults.error_handler, state_view)
        for p in self._nodes.values():
            sub = p.action if hasattr(p.action, "_spec") else None
            schema = p.input_schema if p.input_schema is not None else self.state_schema
            view = view_of(schema) if p.input_schema is not None else state_view
            handler = default_handler
            if p.error_handler is not None:
                handler = self._handler_spec(f"{ERROR_HANDLER_PREFIX}{p.name}", p.error_handler, view)
                nodes[handler.name] = handler  # listed before its node, as LangGraph lists it
            nodes[p.name] = NodeSpec(
                name=p.name,
                fn=p.action,
                is_async=False if sub is not None else is_async_callable(p.action),
                inject=() if sub is not None else injected(p.action),
                view=view,
                retry=p.retry if p.retry_given else defaults.retry,
                subgraph=sub,
                destinations=p.destinations,
                metadata=p.metadata,
                defer=p.defer,
                cache_policy=p.cache_policy if p.cache_policy is not None else defaults.cache_policy,
                error_handler=handler,
            )
        if default_handler is not None and any(n.error_handler is default_handler for n in nodes.values()):
            nodes[default_handler.name] = default_handler  # after the nodes, as LangGraph lists it
        edges: dict[str, list[str]] = {}
        for src, dst in self._edge_order:
            edges.setdefault(src, []).append(dst)
        spec = GraphSpec(
            name=name or "LangGraph",
            channels=channels,
            nodes=nodes,
            edges={k: tuple(v) for k, v in edges.items()},
            joins=tuple((frozenset(s), t, f"join:{'+'.join(s)}:{t}") for s, t in self.waiting_edges),
            branches={k: tuple(v.values()) for k, v in self.branches.items()},
            state_view=state_view,
            input_keys=tuple(view_of(self.input_schema).keys),
            stream_keys=tuple(channels),
            managed=managed_of(*schemas),
            output_view=view_of(self.output_schema, plain=True),
            interrupt_before=before,
            interrupt_after=after,
            context_schema=self.context_schema,
        )
        self.compiled = True
        return CompiledStateGraph(
            spec, builder=self, checkpointer=checkpointer, store=store, cache=cache, debug=debug
        )


def _no_timeout(name: str, timeout: Any) -> None:
    if timeout is not None:
        raise NotImplementedError(
            f"Node `{name}`: livegraph has no node timeouts (LangGraph's `timeout=` / `TimeoutPolicy`); drop "
            "`timeout=` and bound the slow call itself (e.g. `asyncio.timeout(...)` or the client's timeout)"
        )


def _names(value: Sequence[str] | str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _closest(name: str, known: set[str]) -> str:
    import difflib

    match = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean `{match[0]}`?)" if match else ""
