"""Storing a checkpoint's state as what changed since its parent.

A superstep usually writes a few keys, and a chat's `messages` only grows: saving the whole state every
step would store a 200-message thread's first message 200 times. Each saver stores a checkpoint either
`full` (every key, as JSON data) or as a `delta` against its parent: `{"set": {key: data}, "add": {key:
[items appended to a list]}, "del": [key]}`. Every `FULL_EVERY`-th checkpoint of a chain is full again,
so loading one walks back at most that many rows.

`Chains` is the writer's memory: the newest state each thread's saver wrote or read, as JSON data, so the
next delta is computed against it without reading the parent back. It is only a cache: a miss (another
process wrote the parent, or it was evicted) stores a full checkpoint.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .._engine._errors import CheckpointError
from .serde import state_to_data

FULL_EVERY = 50
FULL = "full"
DELTA = "delta"
_MISSING: Any = object()


@dataclass(frozen=True)
class Known:
    """A checkpoint's whole state as JSON data, and how many deltas lead to it from a full checkpoint."""

    id: str
    data: dict[str, Any]
    depth: int


class Chains:
    """Per saver: the newest known state of each (thread, namespace), to write the next one as a delta."""

    def __init__(self, size: int = 256) -> None:
        self._known: OrderedDict[tuple[str, str], Known] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def encode(self, thread_id: str, ns: str, cp_id: str, parent_id: str | None, values: Mapping[str, Any]
               ) -> tuple[str, Any]:
        """`(kind, payload)` to store for a checkpoint whose state is `values`."""
        with self._lock:
            base = self._known.get((thread_id, ns))
        if base is None or parent_id is None or base.id != parent_id or base.depth + 1 >= FULL_EVERY:
            data = state_to_data(dict(values))
            self.remember(thread_id, ns, Known(cp_id, data, 0))
            return FULL, data
        # Every key is encoded and compared, not only those the step wrote: a node that changed a list in
        # place without returning it still has the change saved, as with a whole-state checkpoint.
        encoded = state_to_data(dict(values))
        delta: dict[str, Any] = {}
        for k, new in encoded.items():
            old = base.data.get(k, _MISSING)
            if new == old:
                continue
            if type(new) is list and type(old) is list and len(new) > len(old) and new[: len(old)] == old:
                delta.setdefault("add", {})[k] = new[len(old):]
            else:
                delta.setdefault("set", {})[k] = new
        gone = [k for k in base.data if k not in values]
        if gone:
            delta["del"] = gone
        self.remember(thread_id, ns, Known(cp_id, apply(base.data, delta), base.depth + 1))
        return DELTA, delta

    def remember(self, thread_id: str, ns: str, known: Known) -> None:
        with self._lock:
            self._known[(thread_id, ns)] = known
            self._known.move_to_end((thread_id, ns))
            while len(self._known) > self._size:
                self._known.popitem(last=False)

    def forget(self, thread_id: str) -> None:
        with self._lock:
            for key in [k for k in self._known if k[0] == thread_id]:
                del self._known[key]


def apply(data: Mapping[str, Any], delta: Mapping[str, Any]) -> dict[str, Any]:
    """The state after `delta`, as new JSON data (`data` is left as it was)."""
    out = dict(data)
    out.update(delta.get("set") or {})
    for k, tail in (delta.get("add") or {}).items():
        out[k] = [*out.get(k, ()), *tail]
    for k in delta.get("del") or ():
        out.pop(k, None)
    return out


def resolve(cp_id: str, fetch: Callable[[str], tuple[str | None, str, Any] | None]) -> Known:
    """The whole state of checkpoint `cp_id`: `fetch(id)` gives a stored row's `(parent_id, kind,
    payload)`; deltas are applied from the nearest full checkpoint up."""
    chain: list[Any] = []
    at: str | None = cp_id
    while True:
        row = fetch(at) if at is not None else None
        if row is None:
            raise CheckpointError(
                f"Checkpoint {cp_id!r} is stored as changes to {at!r}, which is missing; the checkpoint "
                "store is damaged (rows were deleted by hand?)"
            )
        parent_id, kind, payload = row
        if kind == FULL:
            data = payload
            break
        chain.append(payload)
        at = parent_id
    for delta in reversed(chain):
        data = apply(data, delta)
    return Known(cp_id, data, len(chain))
