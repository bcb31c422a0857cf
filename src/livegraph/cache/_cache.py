"""Caches for node results (`add_node(..., cache_policy=CachePolicy())` with `compile(cache=...)`).

A cache maps `(namespace, key)` to a value with an optional time to live. The engine keeps one entry per
node and input (see `livegraph._engine._node_cache`); values are stored as checkpoint data (JSON plus registered
types), so what comes out of the cache is a copy, never the object a node returned.
"""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

ValueT = TypeVar("ValueT")
Namespace = tuple[str, ...]
FullKey = tuple[Namespace, str]


class BaseCache(abc.ABC, Generic[ValueT]):
    """LangGraph's cache interface: `get`, `set`, `clear` and their async twins.

    Args:
        serde: Accepted for LangGraph's signature; livegraph's caches store checkpoint data (JSON plus
            types registered with `livegraph.checkpoint.serde.register`).
    """

    def __init__(self, *, serde: Any = None) -> None:
        self.serde = serde

    @abc.abstractmethod
    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        """The values stored under `keys` that have not expired."""

    @abc.abstractmethod
    def set(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        """Store `{key: (value, ttl seconds or None)}`."""

    @abc.abstractmethod
    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        """Forget the values of `namespaces`, or all of them."""

    async def aget(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        return self.get(keys)

    async def aset(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        self.set(pairs)

    async def aclear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        self.clear(namespaces)


class InMemoryCache(BaseCache[ValueT]):
    """A cache in a dict, safe to share between threads; entries expire after their `ttl` seconds."""

    def __init__(self, *, serde: Any = None) -> None:
        super().__init__(serde=serde)
        self._cache: dict[Namespace, dict[str, tuple[str, float | None]]] = {}
        self._lock = threading.RLock()

    def get(self, keys: Sequence[FullKey]) -> dict[FullKey, ValueT]:
        from ..checkpoint.serde import loads

        now = time.time()
        out: dict[FullKey, ValueT] = {}
        with self._lock:
            for ns, key in keys:
                ns = tuple(ns)
                entry = self._cache.get(ns, {}).get(key)
                if entry is None:
                    continue
                data, expiry = entry
                if expiry is None or now < expiry:
                    out[(ns, key)] = loads(data)
                else:
                    del self._cache[ns][key]
        return out

    def set(self, pairs: Mapping[FullKey, tuple[ValueT, int | None]]) -> None:
        from ..checkpoint.serde import dumps

        now = time.time()
        with self._lock:
            for (ns, key), (value, ttl) in pairs.items():
                data = dumps(value, "a cached node result")
                self._cache.setdefault(tuple(ns), {})[key] = (data, None if ttl is None else now + ttl)

    def clear(self, namespaces: Sequence[Namespace] | None = None) -> None:
        with self._lock:
            if namespaces is None:
                self._cache.clear()
            else:
                for ns in namespaces:
                    self._cache.pop(tuple(ns), None)
