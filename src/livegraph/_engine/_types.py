"""The small value types users pass to and get from the engine: `Send`, `Command`, `RetryPolicy`,
`Interrupt`, `StateSnapshot`, and the `StreamMode` / `StreamWriter` aliases."""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, NamedTuple, TypeVar

StreamMode = Literal["values", "updates", "custom", "messages", "tasks", "debug", "checkpoints", "events"]
"""How `stream()` shapes its output. `events` is livegraph's own: every chunk attributed to its task."""

STREAM_MODES: tuple[str, ...] = (
    "values",
    "updates",
    "custom",
    "messages",
    "tasks",
    "debug",
    "checkpoints",
    "events",
)

StreamWriter = Callable[[Any], None]
"""What `get_stream_writer()` returns: call it with any chunk to send it to `custom` mode."""

All = Literal["*"]


class Send:
    """Run `node` in the next step with `arg` as its input (map-reduce fan-out from a router).

    Example:
        `graph.add_conditional_edges("plan", lambda s: [Send("write", {"topic": t}) for t in s["topics"]])`
    """

    __slots__ = ("arg", "node")

    def __init__(self, node: str, arg: Any) -> None:
        self.node = node
        self.arg = arg

    def __repr__(self) -> str:
        return f"Send(node={self.node!r}, arg={self.arg!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Send) and self.node == other.node and self.arg == other.arg

    def __hash__(self) -> int:
        return hash((self.node, repr(self.arg)))


N = TypeVar("N", bound=str)


@dataclass(frozen=True)
class Command(Generic[N]):
    """Returned by a node to update the state and choose where to go in one value; or given as a run's
    input to resume after an interrupt.

    Attributes:
        graph: None for the graph the node is in, `Command.PARENT` for the graph around a subgraph.
        update: State updates, as a node would return them (dict, or list of `(key, value)`).
        resume: The value `interrupt()` returns when the run is resumed (or a dict of interrupt id -> value).
        goto: A node name, a `Send`, or a sequence of them, to run in the next step.
    """

    graph: str | None = None
    update: Any | None = None
    resume: Any | None = None
    goto: Send | str | Sequence[Send | str] = ()

    PARENT: ClassVar[Literal["__parent__"]] = "__parent__"

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{k}={v!r}"
            for k, v in (
                ("graph", self.graph),
                ("update", self.update),
                ("resume", self.resume),
                ("goto", self.goto),
            )
            if v not in (None, ())
        )
        return f"Command({parts})"


def default_retry_on(exc: Exception) -> bool:
    """Retry on errors that are usually transient; never on programming errors (like LangGraph).

    An error that says whether it is transient (`exc.transient`, as `livegraph.llm.LLMStreamError` does:
    a dropped connection is, a 401 or 404 is not) is taken at its word.
    """
    transient = getattr(exc, "transient", None)
    if isinstance(transient, bool):
        return transient
    if isinstance(exc, ConnectionError):
        return True
    name = type(exc).__name__
    module = type(exc).__module__
    if module.startswith(("httpx", "requests", "openai")):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status is not None:
            return bool(status >= 500 or status == 429)
        return True
    return (
        not isinstance(
            exc,
            (
                ValueError,
                TypeError,
                ArithmeticError,
                ImportError,
                LookupError,
                NameError,
                SyntaxError,
                RuntimeError,
                ReferenceError,
                StopIteration,
                StopAsyncIteration,
                OSError,
            ),
        )
        and name != "CancelledError"
    )


class RetryPolicy(NamedTuple):
    """How to retry a node that raised (LangGraph's fields and defaults)."""

    initial_interval: float = 0.5
    backoff_factor: float = 2.0
    max_interval: float = 128.0
    max_attempts: int = 3
    jitter: bool = True
    retry_on: type[Exception] | Sequence[type[Exception]] | Callable[[Exception], bool] = default_retry_on

    def should_retry(self, exc: Exception) -> bool:
        on = self.retry_on
        if isinstance(on, type) and issubclass(on, BaseException):
            return isinstance(exc, on)
        if isinstance(on, Sequence):
            return isinstance(exc, tuple(on))
        return bool(on(exc))  # type: ignore[call-arg]

    def interval(self, attempt: int) -> float:
        """Seconds to wait before attempt number `attempt + 1` (`attempt` counts from 1)."""
        wait = min(self.max_interval, self.initial_interval * self.backoff_factor ** (attempt - 1))
        if self.jitter:
            wait += random.uniform(0, 1)  # noqa: S311 - jitter, not crypto
        return wait


def _freeze(obj: Any, depth: int = 10) -> Any:
    """A hashable form of `obj` in which dict order does not matter."""
    from collections.abc import Hashable, Mapping

    if isinstance(obj, Hashable) or depth <= 0:
        return obj
    if isinstance(obj, Mapping):
        return tuple(sorted((k, _freeze(v, depth - 1)) for k, v in obj.items()))
    if isinstance(obj, Sequence):
        return tuple(_freeze(x, depth - 1) for x in obj)
    if hasattr(obj, "tobytes"):
        return (type(obj).__name__, obj.tobytes(), getattr(obj, "shape", None))
    return obj


def default_cache_key(*args: Any, **kwargs: Any) -> str | bytes:
    """`CachePolicy`'s default key: the node's input, pickled after sorting dict keys (the bytes are only
    hashed, never unpickled)."""
    import pickle

    return pickle.dumps((_freeze(args), _freeze(kwargs)), protocol=5, fix_imports=False)


@dataclass(frozen=True, kw_only=True, slots=True)
class CachePolicy:
    """Cache a node's result: `add_node("n", fn, cache_policy=CachePolicy(ttl=60))`, on a graph compiled
    with `cache=InMemoryCache()`. A task whose input has the same key as an earlier one replays that
    task's writes and routes instead of running (`updates` marks it `{"__metadata__": {"cached": True}}`).

    Attributes:
        key_func: `(input) -> str | bytes`: which inputs count as the same (default: all of the input).
        ttl: Seconds an entry lives; None for as long as the cache does.
    """

    key_func: Callable[..., str | bytes] = default_cache_key
    ttl: int | None = None


@dataclass(frozen=True)
class Interrupt:
    """What `interrupt(value)` raised: shown under `__interrupt__` in `values` and `updates`.

    Attributes:
        value: What the node asked with.
        id: Answer this interrupt by id: `Command(resume={id: answer})`.
        response_schema: The JSON Schema of the expected answer, when `interrupt(..., response_schema=...)`
            gave one (a type given there is shown as its JSON Schema, as LangGraph does).
    """

    value: Any
    id: str = ""
    response_schema: Any = field(default=None, kw_only=True)


OVERWRITE = "__overwrite__"


@dataclass(slots=True)
class Overwrite:
    """Set a key that has a reducer to `value`, bypassing the reducer: `return {"log": Overwrite([])}`.

    Later updates to that key in the same step are not applied; two `Overwrite`s of one key in one step
    raise `InvalidUpdateError` (as in LangGraph).
    """

    value: Any
    type: Literal["__overwrite__"] = "__overwrite__"


Durability = Literal["sync", "async", "exit"]
"""LangGraph's when-to-save setting (`invoke(..., durability=...)`); livegraph saves after every step."""


class StateUpdate(NamedTuple):
    """One update for LangGraph's `bulk_update_state`."""

    values: dict[str, Any] | None
    as_node: str | None = None
    task_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class TimeoutPolicy:
    """LangGraph's node timeouts (`add_node(..., timeout=...)`). livegraph has no node timeouts: giving one
    raises `NotImplementedError` (see the README); the class is here for code that imports it."""

    run_timeout: float | None = None
    idle_timeout: float | None = None
    refresh_on: Literal["auto", "heartbeat"] = "auto"


@dataclass(frozen=True, kw_only=True, slots=True)
class TracePolicy:
    """How LangSmith records a node's run (`add_node(..., trace_policy=...)`); livegraph does not trace to
    LangSmith, so it is accepted and has no effect."""

    process_inputs: Callable[[Any], Any] | None = None
    process_outputs: Callable[[Any], Any] | None = None


def omit_payload(_value: Any) -> dict[str, Any]:
    """`TracePolicy` helper that records an empty payload."""
    return {}


def ensure_valid_checkpointer(checkpointer: Checkpointer) -> Checkpointer:
    """`checkpointer` if it is a saver, True, False or None; else a `TypeError` saying what to pass."""
    from ..checkpoint.base import BaseCheckpointSaver

    if checkpointer not in (None, True, False) and not isinstance(checkpointer, BaseCheckpointSaver):
        raise TypeError(
            "Invalid checkpointer provided. Expected an instance of `BaseCheckpointSaver`, `True`, `False`, "
            f"or `None`. Received {type(checkpointer).__name__!s}. Pass a proper saver (e.g., InMemorySaver, "
            "SqliteSaver)."
        )
    return checkpointer


OutputT = TypeVar("OutputT")


@dataclass(frozen=True)
class GraphOutput(Generic[OutputT]):
    """What `invoke()` / `ainvoke()` return with `version="v2"`: the output and the interrupts apart.

    Attributes:
        value: The graph's output (its output schema's keys).
        interrupts: The interrupts the run stopped at; empty when it finished.
    """

    value: OutputT
    interrupts: tuple[Interrupt, ...] = ()

    def __getitem__(self, key: str) -> Any:
        """`result[key]` and `result["__interrupt__"]`, as on a v1 result (deprecated, as in LangGraph)."""
        _v1_access()
        if key == "__interrupt__":
            return self.interrupts
        if isinstance(self.value, dict):
            return self.value[key]
        try:
            return getattr(self.value, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        _v1_access()
        if key == "__interrupt__":
            return bool(self.interrupts)
        if isinstance(self.value, dict):
            return key in self.value
        return isinstance(key, str) and hasattr(self.value, key)


def _v1_access() -> None:
    warnings.warn(
        "Accessing GraphOutput via `result[key]` is deprecated. Use `result.value` to access the output "
        "value directly, or `result.interrupts` for interrupts.",
        DeprecationWarning,
        stacklevel=3,
    )


@dataclass(frozen=True)
class PregelTask:
    """A task that is next to run, in a `StateSnapshot`."""

    id: str
    name: str
    path: tuple[Any, ...] = ()
    error: Exception | None = None
    interrupts: tuple[Interrupt, ...] = ()
    state: Any = None
    result: Any = None


@dataclass(frozen=True)
class StateSnapshot:
    """A thread's state at one checkpoint (`get_state`, `get_state_history`)."""

    values: dict[str, Any]
    next: tuple[str, ...]
    config: dict[str, Any]
    metadata: dict[str, Any] | None
    created_at: str | None
    parent_config: dict[str, Any] | None
    tasks: tuple[PregelTask, ...] = ()
    interrupts: tuple[Interrupt, ...] = field(default=())


Checkpointer = Any
"""What `compile(checkpointer=...)` takes: a saver, None, or True/False for subgraphs."""
