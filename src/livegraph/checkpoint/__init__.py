"""Checkpointers: save a thread's state after every superstep, to resume, inspect and time-travel.

`livegraph.checkpoint.memory.InMemorySaver` keeps them in memory; `livegraph.checkpoint.sqlite.SqliteSaver`
in one SQLite file; `livegraph.checkpoint.postgres.PostgresSaver` in a PostgreSQL database that many
processes share (psycopg is imported only there). All store JSON plus registered types
(`livegraph.checkpoint.serde.register`), never pickles, so opening a checkpoint file never runs code, and
all answer LangGraph's checkpointer calls (`get_tuple`, `list`, `put`, `put_writes`, ...).
"""

from .base import BaseCheckpointSaver, Checkpoint, CheckpointTuple
from .memory import InMemorySaver, MemorySaver
from .serde import register
from .sqlite import SqliteSaver

__all__ = [
    "BaseCheckpointSaver",
    "Checkpoint",
    "CheckpointTuple",
    "InMemorySaver",
    "MemorySaver",
    "SqliteSaver",
    "register",
]
