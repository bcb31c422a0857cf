"""What the engine knows about each node and route: the callable, how to call it, and its policies."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin, get_type_hints

from ._schema import StateView
from ._types import RetryPolicy


def is_async_callable(fn: Any) -> bool:
    while isinstance(fn, functools.partial):
        fn = fn.func
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        return True
    call = getattr(fn, "__call__", None)  # noqa: B004 - callable objects
    return call is not None and not inspect.isfunction(fn) and inspect.iscoroutinefunction(call)


def _params(fn: Any) -> dict[str, inspect.Parameter]:
    try:
        return dict(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return {}


# Parameters a node or router may declare by name, as in LangGraph.
INJECTABLE = ("config", "writer", "runtime", "store")


def _asks_node_error(p: inspect.Parameter) -> bool:
    """`error: NodeError`: LangGraph injects the failure into an error handler by this name and type."""
    note = p.annotation
    return p.name == "error" and (
        getattr(note, "__name__", None) == "NodeError" or (isinstance(note, str) and note.endswith("NodeError"))
    )


def injected(fn: Any) -> tuple[str, ...]:
    """The injectable parameters `fn` asks for by name (keyword-capable, after the state)."""
    params = _params(fn)
    names = [
        name
        for name, p in params.items()
        if (name in INJECTABLE or _asks_node_error(p)) and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    # A lone positional parameter named `config` etc. is the state, not an injection.
    positional = [p for p in params.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if positional and positional[0].name in names:
        names.remove(positional[0].name)
    return tuple(names)


def takes_state(fn: Any) -> bool:
    """False only when `fn` surely cannot be called with the state as its one positional argument."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True  # builtins and the like: let the call itself decide
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)


def callable_name(fn: Any) -> str:
    name = getattr(fn, "name", None)
    if isinstance(name, str) and name:
        return name
    while isinstance(fn, functools.partial):
        fn = fn.func
    return str(getattr(fn, "__name__", type(fn).__name__))


def literal_targets(fn: Any) -> tuple[str, ...] | None:
    """Targets named by a `-> Literal["a", "b"]` (or `-> Command[Literal[...]]`) return annotation."""
    try:
        hint = get_type_hints(fn).get("return")
    except Exception:
        return None
    if hint is None:
        return None
    origin = get_origin(hint)
    if origin is not None and getattr(origin, "__name__", "") == "Command":
        args = get_args(hint)
        hint = args[0] if args else None
        origin = get_origin(hint)
    if origin is Literal:
        return tuple(str(a) for a in get_args(hint))
    return None


def annotated_schema(fn: Any) -> Any:
    """The class `fn`'s first parameter is annotated with, when it declares keys (a TypedDict, dataclass
    or pydantic model): LangGraph reads a node's or router's input through it. Else None."""
    target = fn if inspect.isfunction(fn) or inspect.ismethod(fn) else getattr(fn, "__call__", None)  # noqa: B004
    if not (inspect.isfunction(target) or inspect.ismethod(target)):
        return None
    try:
        hints = get_type_hints(target)
        first = next(iter(inspect.signature(target).parameters), None)
    except Exception:
        return None
    hint = hints.get(first) if first is not None else None
    if not isinstance(hint, type):
        return None
    try:
        return hint if get_type_hints(hint) else None
    except Exception:
        return None


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """One node of a compiled graph.

    Attributes:
        name: The node's name.
        fn: What `add_node` was given (a function, a callable object, or a compiled graph).
        is_async: True when calling it gives a coroutine.
        inject: Injectable parameters it asks for (`config`, `writer`, ...).
        view: How it reads the state (its input schema).
        retry: Retry policies, tried in order; empty for none.
        subgraph: The compiled graph when the node is one, else None.
        destinations: Where a `Command(goto=...)` from it may go (for drawing).
        metadata: What `add_node(..., metadata=...)` was given.
        defer: Run only when nothing else is left to run (LangGraph's `defer=True`).
        cache_policy: How to cache its results (`CachePolicy`), or None.
        error_handler: The node that runs in its place when it fails (`add_node(..., error_handler=)`).
    """

    name: str
    fn: Any
    is_async: bool
    inject: tuple[str, ...]
    view: StateView
    retry: tuple[RetryPolicy, ...] = ()
    subgraph: Any = None
    destinations: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    defer: bool = False
    cache_policy: Any = None
    error_handler: NodeSpec | None = None


@dataclass(frozen=True, slots=True)
class Branch:
    """A conditional edge: a router and how its answers map to nodes.

    Attributes:
        source: The node (or START) it leaves from.
        path: The router: `(state) -> name | list | Send | END`.
        path_map: Router answer -> node name, or None to use the answer as the node name.
        is_async: True when the router is a coroutine function.
        inject: Injectable parameters the router asks for.
        name: The router's name (for messages).
        view: How it reads the state when its parameter's annotation names a schema, else None (the
            graph's state schema).
    """

    source: str
    path: Callable[..., Any]
    path_map: dict[Hashable, str] | None
    is_async: bool
    inject: tuple[str, ...]
    name: str
    view: StateView | None = None

    def targets(self) -> tuple[str, ...] | None:
        """Every node this branch may route to, when knowable (for drawing and validation)."""
        if self.path_map is not None:
            return tuple(dict.fromkeys(self.path_map.values()))
        return literal_targets(self.path)


def normalize_path_map(path_map: dict[Hashable, str] | Sequence[str] | None) -> dict[Hashable, str] | None:
    if path_map is None or isinstance(path_map, str):
        return None  # LangGraph ignores a `str` path_map (the router's `Literal` annotation names the targets)
    if isinstance(path_map, dict):
        return dict(path_map)
    return {name: name for name in path_map}
