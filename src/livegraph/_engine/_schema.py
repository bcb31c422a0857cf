"""State schemas: which keys a graph has, which of them have a reducer, and how a node sees the state.

A schema is a `TypedDict`, a dataclass or a pydantic model. `Annotated[T, reducer]` gives a key a reducer
(any `(current, update) -> new`, e.g. `operator.add`); other keys keep the last value written.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, get_args, get_origin, get_type_hints

MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Channel:
    """One state key.

    Attributes:
        key: The key's name.
        reducer: `(current, update) -> new`, or None to keep the last value (one write per step).
        initial: A factory for the value before the first write (`list` for `Annotated[list, add]`), or None.
    """

    key: str
    reducer: Callable[[Any, Any], Any] | None
    initial: Callable[[], Any] | None = None

    def empty(self) -> Any:
        if self.initial is None:
            return MISSING
        try:
            return self.initial()
        except Exception:
            return MISSING


def initial_values(channels: Mapping[str, Channel]) -> dict[str, Any]:
    """The state before any write: the empty value of every key that has a reducer (`[]` for a list)."""
    values: dict[str, Any] = {}
    for key, ch in channels.items():
        if ch.reducer is not None and (value := ch.empty()) is not MISSING:
            values[key] = value
    return values


class ManagedValue:
    """A key the run computes for each task instead of storing (LangGraph's managed values). Used as
    `Annotated[<type>, <manager>]` metadata; `get(remaining)` gives the value from the steps left."""

    @staticmethod
    def get(remaining: int) -> Any:
        raise NotImplementedError


class RemainingStepsManager(ManagedValue):
    """`RemainingSteps`: how many supersteps the recursion limit still allows, counting this one out."""

    @staticmethod
    def get(remaining: int) -> int:
        return remaining


class IsLastStepManager(ManagedValue):
    """`IsLastStep`: True in the step before the last one the limit allows (as LangGraph computes it)."""

    @staticmethod
    def get(remaining: int) -> bool:
        return remaining == 1


RemainingSteps = typing.Annotated[int, RemainingStepsManager]
IsLastStep = typing.Annotated[bool, IsLastStepManager]


# TypedDict key qualifiers (typing's and typing_extensions'), looked through to the key's type.
_QUALIFIERS = {"NotRequired", "Required", "ReadOnly"}


def manager_of(hint: Any) -> type[ManagedValue] | None:
    """The manager of a managed key's type hint (`RemainingSteps`, `IsLastStep`, also inside
    `NotRequired[...]` / `Required[...]`), else None."""
    while getattr(get_origin(hint), "_name", None) in _QUALIFIERS:
        hint = get_args(hint)[0]
    if get_origin(hint) is typing.Annotated:
        for meta in hint.__metadata__:
            if isinstance(meta, type) and issubclass(meta, ManagedValue):
                return meta
    return None


def managed_of(*schemas: Any) -> dict[str, type[ManagedValue]]:
    """`{key: manager}` for the managed keys of `schemas`."""
    out: dict[str, type[ManagedValue]] = {}
    for schema in schemas:
        for key, hint in schema_hints(schema).items():
            manager = manager_of(hint)
            if manager is not None:
                out.setdefault(key, manager)
    return out


def _reducer_of(hint: Any) -> Callable[[Any, Any], Any] | None:
    if get_origin(hint) is typing.Annotated:
        for meta in reversed(hint.__metadata__):
            if callable(meta) and not isinstance(meta, type):
                return meta  # type: ignore[no-any-return]
    return None


# An abstract collection type starts as the concrete one, as in LangGraph (`Sequence[...]` starts as `[]`).
_CONCRETE: dict[Any, type] = {
    collections.abc.Sequence: list,
    collections.abc.MutableSequence: list,
    collections.abc.Set: set,
    collections.abc.MutableSet: set,
    collections.abc.Mapping: dict,
    collections.abc.MutableMapping: dict,
}


def _initial_of(hint: Any) -> Callable[[], Any] | None:
    base = get_args(hint)[0] if get_origin(hint) is typing.Annotated else hint
    origin = get_origin(base) or base
    origin = _CONCRETE.get(origin, origin)
    if isinstance(origin, type) and origin in (list, dict, set, tuple, str, int, float):
        return origin
    return None


def is_pydantic(schema: Any) -> bool:
    return isinstance(schema, type) and "pydantic" in sys.modules and hasattr(schema, "model_fields")


def schema_hints(schema: Any) -> dict[str, Any]:
    """`{key: type hint}` of a schema, keeping `Annotated` extras."""
    if schema is None:
        return {}
    if isinstance(schema, Mapping):  # a plain {key: type} mapping
        return dict(schema)
    try:
        hints = get_type_hints(schema, include_extras=True)
    except Exception:
        hints = dict(getattr(schema, "__annotations__", {}))
    if is_pydantic(schema):
        return {k: hints.get(k, Any) for k in schema.model_fields}
    return {k: v for k, v in hints.items() if get_origin(v) is not typing.ClassVar}


def channels_of(*schemas: Any) -> dict[str, Channel]:
    """The channels of a graph whose keys come from all its schemas (state, input, output)."""
    out: dict[str, Channel] = {}
    for schema in schemas:
        for key, hint in schema_hints(schema).items():
            if manager_of(hint) is not None:
                continue  # computed per task, never stored
            reducer = _reducer_of(hint)
            if key in out and (out[key].reducer is not None or reducer is None):
                continue
            out[key] = Channel(key, reducer, _initial_of(hint) if reducer is not None else None)
    return out


@dataclass(frozen=True, slots=True)
class StateView:
    """How one schema reads the state: its keys, and how to build what a node receives."""

    schema: Any
    keys: tuple[str, ...]
    build: Callable[[dict[str, Any]], Any] | None  # None: the node gets a plain dict

    def read(self, values: Mapping[str, Any]) -> Any:
        keys = self.keys
        if len(values) == len(keys) and tuple(values) == keys:
            state = dict(values)  # the state holds exactly these keys, in this order (see `apply_writes`)
        else:
            state = {k: values[k] for k in keys if k in values}
        return state if self.build is None else self.build(state)


def view_of(schema: Any, *, plain: bool = False) -> StateView:
    """How `schema` reads the state; with `plain`, as a dict whatever the schema (what runs return and
    stream, as LangGraph does for dataclass and pydantic states; managed keys are left out)."""
    hints = schema_hints(schema)
    if plain:
        return StateView(schema, tuple(k for k, h in hints.items() if manager_of(h) is None), None)
    keys = tuple(hints)
    if dataclasses.is_dataclass(schema) and isinstance(schema, type):
        return StateView(schema, keys, lambda state: schema(**state))
    if is_pydantic(schema):
        return StateView(schema, keys, lambda state: schema(**state))
    return StateView(schema, keys, None)


def object_updates(obj: Any, keys: tuple[str, ...]) -> list[tuple[str, Any]] | None:
    """Updates from a node that returned an instance of a dataclass or pydantic schema, else None."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: f for f in dataclasses.fields(obj)}
        out = []
        for k in keys:
            if k not in fields:
                continue
            v = getattr(obj, k)
            f = fields[k]
            default = f.default if f.default is not dataclasses.MISSING else MISSING
            if default is MISSING or v != default:
                out.append((k, v))
        return out
    if is_pydantic(type(obj)) and hasattr(obj, "model_fields_set"):
        return [(k, getattr(obj, k)) for k in keys if k in obj.model_fields_set]
    return None
