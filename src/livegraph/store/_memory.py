"""`InMemoryStore`: LangGraph's in-memory store, for development and tests (gone when the process ends)."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ._base import (
    BaseStore,
    GetOp,
    IndexConfig,
    Item,
    ListNamespacesOp,
    MatchCondition,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    validate_op_namespace,
)


class InMemoryStore(BaseStore):
    """Items in a dict, by namespace and key. Safe to use from parallel nodes (one lock).

    Filters and paging behave as LangGraph's `InMemoryStore`. Semantic search (`index=`, `query=`) needs
    an embedding model and is not supported: `index=` raises, and a `query` without an index is ignored,
    as in LangGraph.

    Example:
        ```python
        store = InMemoryStore()
        store.put(("users", "alice"), "prefs", {"tone": "short"})
        graph = builder.compile(store=store)       # nodes: runtime.store.get(("users", "alice"), "prefs")
        ```
    """

    __slots__ = ("_data", "_lock", "index_config")

    def __init__(self, *, index: IndexConfig | None = None) -> None:
        if index:
            raise NotImplementedError(
                "InMemoryStore(index=...): livegraph's store has no semantic search (it needs an embedding "
                "model); drop `index=` and search with `filter=`, or use LangGraph's store for embeddings"
            )
        self.index_config = None
        self._data: defaultdict[tuple[str, ...], dict[str, Item]] = defaultdict(dict)
        self._lock = threading.Lock()

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        results: list[Result] = []
        puts: dict[tuple[tuple[str, ...], str], PutOp] = {}
        with self._lock:
            for op in ops:
                validate_op_namespace(op)
                if isinstance(op, GetOp):
                    results.append(self._data[op.namespace].get(op.key))
                elif isinstance(op, SearchOp):
                    results.append(self._search(op))
                elif isinstance(op, ListNamespacesOp):
                    results.append(self._namespaces(op))
                elif isinstance(op, PutOp):
                    puts[(op.namespace, op.key)] = op  # the last write to a key in a batch wins
                    results.append(None)
                else:
                    raise ValueError(f"Unknown operation type: {type(op)}")
            for (namespace, key), put in puts.items():
                if put.value is None:
                    self._data[namespace].pop(key, None)
                else:
                    now = datetime.now(timezone.utc)
                    self._data[namespace][key] = Item(
                        value=dict(put.value), key=key, namespace=namespace, created_at=now, updated_at=now
                    )
        return results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return self.batch(ops)

    def _search(self, op: SearchOp) -> list[SearchItem]:
        n = len(op.namespace_prefix)
        found: list[Item] = []
        for namespace, items in self._data.items():
            if namespace[:n] != op.namespace_prefix:
                continue
            for item in items.values():
                if not op.filter or all(_matches(item.value.get(k), v) for k, v in op.filter.items()):
                    found.append(item)
        return [
            SearchItem(item.namespace, item.key, item.value, item.created_at, item.updated_at)
            for item in found[op.offset : op.offset + op.limit]
        ]

    def _namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        namespaces = list(self._data)
        if op.match_conditions:
            namespaces = [
                ns for ns in namespaces if all(_namespace_matches(c, ns) for c in op.match_conditions)
            ]
        if op.max_depth is not None:
            namespaces = sorted({ns[: op.max_depth] for ns in namespaces})
        else:
            namespaces = sorted(namespaces)
        return namespaces[op.offset : op.offset + op.limit]


def _namespace_matches(condition: MatchCondition, namespace: tuple[str, ...]) -> bool:
    path = condition.path
    if len(namespace) < len(path):
        return False
    if condition.match_type == "prefix":
        pairs = zip(namespace, path)
    elif condition.match_type == "suffix":
        pairs = zip(reversed(namespace), reversed(path))
    else:
        raise ValueError(f"Unsupported match type: {condition.match_type}")
    return all(p == "*" or label == p for label, p in pairs)


def _matches(value: Any, wanted: Any) -> bool:
    """Whether a stored value matches a filter value, as LangGraph's in-memory store compares them."""
    if isinstance(wanted, dict):
        if any(k.startswith("$") for k in wanted):
            return all(_compare(value, op, arg) for op, arg in wanted.items())
        return isinstance(value, dict) and all(_matches(value.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, (list, tuple)):
        return (
            isinstance(value, (list, tuple))
            and len(value) == len(wanted)
            and all(_matches(v, w) for v, w in zip(value, wanted))
        )
    return bool(value == wanted)


def _compare(value: Any, operator: str, arg: Any) -> bool:
    if operator == "$eq":
        return bool(value == arg)
    if operator == "$ne":
        return bool(value != arg)
    if operator == "$gt":
        return float(value) > float(arg)
    if operator == "$gte":
        return float(value) >= float(arg)
    if operator == "$lt":
        return float(value) < float(arg)
    if operator == "$lte":
        return float(value) <= float(arg)
    raise ValueError(f"Unsupported operator: {operator}")
