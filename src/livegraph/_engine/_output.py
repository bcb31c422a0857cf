"""Shapes stream items `(mode, ns, payload)` into what `stream()` yields, as LangGraph does.

One mode: the payload. Several modes: `(mode, payload)`. `subgraphs=True`: `(ns, payload)` or
`(ns, mode, payload)`. `version="v2"`: `{"type": mode, "ns": ns, "data": payload}` (`values` parts also carry
`interrupts`). Items from inside
subgraphs are dropped unless `subgraphs=True` (livegraph's `events` always keep them: they carry `ns`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._constants import INTERRUPT
from ._types import STREAM_MODES

SKIP: Any = object()
LIVE_MODES = frozenset({"custom", "messages", "events", "tasks", "debug"})


def normalize_modes(
    stream_mode: str | Sequence[str] | None, default: str = "updates"
) -> tuple[tuple[str, ...], bool]:
    """`(modes, single)`: the modes asked for and whether one was given as a plain string.

    Without a mode, `stream()` streams `updates`, as LangGraph's compiled `StateGraph` does.
    """
    if stream_mode is None:
        stream_mode = default
    single = isinstance(stream_mode, str)
    modes = (stream_mode,) if isinstance(stream_mode, str) else tuple(dict.fromkeys(stream_mode))
    bad = [m for m in modes if m not in STREAM_MODES]
    if bad or not modes:
        raise ValueError(
            f"Unknown stream_mode {', '.join(repr(m) for m in bad) or '[]'}; use one of "
            f"{', '.join(repr(m) for m in STREAM_MODES)}, or a list of them"
        )
    return modes, single


def check_version(version: str) -> None:
    if version not in ("v1", "v2"):
        raise ValueError(f"Unknown version {version!r}; use 'v1' or 'v2'")


def shaper(single: bool, subgraphs: bool, version: str) -> Callable[[Any], Any]:
    check_version(version)
    if version == "v2":

        def v2(item: Any) -> Any:
            mode, ns, payload = item
            if ns and not subgraphs and mode != "events":
                return SKIP
            if mode == "values":  # LangGraph's `ValuesStreamPart`: the interrupts apart from the state
                if INTERRUPT in payload:
                    payload = dict(payload)
                    return {"type": mode, "ns": ns, "data": payload, "interrupts": tuple(payload.pop(INTERRUPT))}
                return {"type": mode, "ns": ns, "data": payload, "interrupts": ()}
            return {"type": mode, "ns": ns, "data": payload}

        return v2
    if single and not subgraphs:

        def one(item: Any) -> Any:
            if item[1] and item[0] != "events":
                return SKIP
            return item[2]

        return one
    if single:
        return lambda item: (item[1], item[2])
    if not subgraphs:

        def many(item: Any) -> Any:
            if item[1] and item[0] != "events":
                return SKIP
            return (item[0], item[2])

        return many
    return lambda item: (*item[1:2], item[0], item[2])
