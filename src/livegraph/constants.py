"""LangGraph's `langgraph.constants` path: `START`, `END` and the other names LangGraph keeps there.

`CONF`, `TASKS` and `CONFIG_KEY_CHECKPOINTER` are LangGraph's values, kept for code that imports them;
livegraph's engine does not read them. `Send` and `Interrupt` still import from here, with LangGraph's
deprecation warning (they live in `livegraph.types`).
"""

from __future__ import annotations

import warnings
from typing import Any

from livegraph._engine._constants import (
    CONF,
    CONFIG_KEY_CHECKPOINTER,
    END,
    START,
    TAG_HIDDEN,
    TAG_NOSTREAM,
    TASKS,
)

__all__ = ["CONF", "CONFIG_KEY_CHECKPOINTER", "END", "START", "TAG_HIDDEN", "TAG_NOSTREAM", "TASKS"]


def __getattr__(name: str) -> Any:
    if name in ("Send", "Interrupt"):
        warnings.warn(
            f"Importing {name} from livegraph.constants is deprecated (as in LangGraph); "
            f"use `from livegraph.types import {name}`",
            DeprecationWarning,
            stacklevel=2,
        )
        from livegraph._engine import _types

        return getattr(_types, name)
    raise AttributeError(f"module 'livegraph.constants' has no attribute {name!r}")
