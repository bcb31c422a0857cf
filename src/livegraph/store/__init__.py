"""Stores: long-term memory shared across threads and runs, reached from nodes as `runtime.store` or
`get_store()` when the graph is compiled with `compile(store=...)`.

`livegraph.store.memory.InMemoryStore` keeps items in memory; `livegraph.store.base.BaseStore` is the
interface (implement `batch` and `abatch`). Standard library only.
"""

from ._base import BaseStore, Item, SearchItem
from ._memory import InMemoryStore

__all__ = ["BaseStore", "InMemoryStore", "Item", "SearchItem"]
