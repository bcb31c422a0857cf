"""Checkpointers: save a thread's state after every superstep, to resume, inspect and time-travel.

`livegraph.checkpoint.memory.InMemorySaver` keeps them in memory; `livegraph.checkpoint.sqlite.SqliteSaver`
in one SQLite file. Both store JSON plus registered types (`livegraph.checkpoint.serde.register`), never
pickles, so opening a checkpoint file never runs code.
"""

from .base import BaseCheckpointSaver, Checkpoint
from .memory import InMemorySaver, MemorySaver
from .serde import register
from .sqlite import SqliteSaver

__all__ = ["BaseCheckpointSaver", "Checkpoint", "InMemorySaver", "MemorySaver", "SqliteSaver", "register"]
