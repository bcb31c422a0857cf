"""`add_messages` and `MessagesState`, as LangGraph has them.

Messages become message objects with ids: LangChain's classes when `langchain-core` is installed (the
merge then runs in `livegraph._langchain`, exactly as LangGraph's), livegraph's own (`livegraph.messages`)
when it is not. Which one is decided once, on the first merge, so `import livegraph` loads neither.
"""

from __future__ import annotations

import functools
import importlib.util
import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

from .. import messages as own
from ..messages import AnyMessage, RemoveMessage

REMOVE_ALL_MESSAGES = "__remove_all__"

__all__ = ["REMOVE_ALL_MESSAGES", "MessagesState", "RemoveMessage", "add_messages"]


@functools.lru_cache(maxsize=1)
def langchain_installed() -> bool:
    """True when `langchain-core` can be imported (then messages are LangChain's)."""
    try:
        return importlib.util.find_spec("langchain_core") is not None
    except ValueError:  # `sys.modules["langchain_core"] = None`: blocked on purpose
        return False


def add_messages(left: Any = None, right: Any = None, *, format: str | None = None) -> Any:
    """Merge `right` into `left`: a message whose id is already there replaces it, `RemoveMessage(id)`
    deletes it, `RemoveMessage(id=REMOVE_ALL_MESSAGES)` clears everything before it, the rest is appended.

    Strings, `(role, content)` tuples and dicts become messages; messages without an id get one.
    `add_messages(format="langchain-openai")` (no messages) gives the reducer that also formats contents
    the way OpenAI takes them (needs `langchain-core`).
    """
    if left is None and right is None:
        return functools.partial(_merge, format=format)
    if left is None or right is None:
        raise ValueError(
            "Must specify non-null arguments for both 'left' and 'right'. Only received: "
            f"'{'left' if left is not None else 'right'}'."
        )
    return _merge(left, right, format=format)


def _merge(left: Any, right: Any, format: str | None = None) -> list[Any]:
    if langchain_installed():
        from .._langchain import merge_messages

        return merge_messages(left, right, format)
    if format is not None:
        raise ValueError(
            f"add_messages(format={format!r}) needs langchain-core: pip install 'livegraph[langchain]'"
            if format == "langchain-openai"
            else f"Unrecognized format={format!r}. Expected one of 'langchain-openai', None."
        )
    return merge(
        own.convert_to_messages(left if isinstance(left, list) else [left]),
        own.convert_to_messages(right if isinstance(right, list) else [right]),
        lambda m: isinstance(m, RemoveMessage),
    )


def merge(left: list[Any], right: list[Any], is_remove: Callable[[Any], bool]) -> list[Any]:
    """LangGraph's merge by id, for messages of either kind (already converted)."""
    for m in left:
        if m.id is None:
            m.id = str(uuid.uuid4())
    cut = None
    for i, m in enumerate(right):
        if m.id is None:
            m.id = str(uuid.uuid4())
        if is_remove(m) and m.id == REMOVE_ALL_MESSAGES:
            cut = i
    if cut is not None:
        return right[cut + 1 :]
    merged = list(left)
    index = {m.id: i for i, m in enumerate(merged)}
    removed: set[str] = set()
    for m in right:
        at = index.get(m.id)
        if at is not None:
            if is_remove(m):
                removed.add(m.id)
            else:
                removed.discard(m.id)
                merged[at] = m
        elif is_remove(m):
            raise ValueError(f"Attempting to delete a message with an ID that doesn't exist ('{m.id}')")
        else:
            index[m.id] = len(merged)
            merged.append(m)
    return [m for m in merged if m.id not in removed] if removed else merged


class MessagesState(TypedDict):
    """A state with one key, `messages`, combined with `add_messages`."""

    messages: Annotated[list[AnyMessage], add_messages]
