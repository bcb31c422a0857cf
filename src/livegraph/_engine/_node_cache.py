"""How a task uses the graph's cache: look up the node's result for this input, or store it.

A node with `cache_policy` on a graph compiled with `cache=` is keyed by its name, its function and
`cache_policy.key_func(input)`; the entry holds what the task wrote, where it routed and its update, so
a hit replays the whole task without calling the node (or its routers), as LangGraph does.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ._plan import TaskResult

if TYPE_CHECKING:
    from ._node import NodeSpec
    from ._plan import Task
    from ._run import Run

WRITES_NS = "__pregel_ns_writes"


def cache_key(run: Run, task: Task) -> tuple[Any, tuple[tuple[str, ...], str], int | None] | None:
    """`(cache, full key, ttl)` for a task whose node is cached, else None."""
    policy = task.node.cache_policy
    if policy is None:
        return None
    cache = run.cache
    if cache is None:
        return None
    raw = policy.key_func(task.input)
    digest = hashlib.blake2b(raw.encode() if isinstance(raw, str) else raw, digest_size=16).hexdigest()
    return cache, (namespace_of(task.node), digest), policy.ttl


def namespace_of(node: NodeSpec) -> tuple[str, ...]:
    """Where a node's results are cached (what `graph.clear_cache([node])` clears)."""
    fn = node.fn
    ident = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__qualname__)}"
    return (WRITES_NS, ident, node.name)


def lookup(run: Run, task: Task) -> TaskResult | None:
    found = cache_key(run, task)
    if found is None:
        return None
    cache, key, _ = found
    hit = cache.get([key]).get(key)
    return None if hit is None else _result(hit)


async def alookup(run: Run, task: Task) -> TaskResult | None:
    found = cache_key(run, task)
    if found is None:
        return None
    cache, key, _ = found
    hit = (await cache.aget([key])).get(key)
    return None if hit is None else _result(hit)


def remember(run: Run, task: Task, result: TaskResult) -> None:
    found = cache_key(run, task)
    if found is not None and not result.interrupts:
        cache, key, ttl = found
        cache.set({key: (_entry(result), ttl)})


async def aremember(run: Run, task: Task, result: TaskResult) -> None:
    found = cache_key(run, task)
    if found is not None and not result.interrupts:
        cache, key, ttl = found
        await cache.aset({key: (_entry(result), ttl)})


def _entry(result: TaskResult) -> dict[str, Any]:
    return {"writes": [list(w) for w in result.writes], "goto": list(result.goto), "update": result.update}


def _result(entry: dict[str, Any]) -> TaskResult:
    return TaskResult([(k, v) for k, v in entry["writes"]], list(entry["goto"]), entry["update"], cached=True)
