"""`add_messages` and `MessagesState` for plain messages (OpenAI-style dicts or any object with `.id`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

REMOVE_ALL_MESSAGES = "__remove_all__"
"""`RemoveMessage(id=REMOVE_ALL_MESSAGES)` in an update clears `messages`; what follows it in the update stays."""


@dataclass(frozen=True)
class RemoveMessage:
    """Put one in an update to remove the message with this id from `messages`."""

    id: str


def _id(message: Any) -> Any:
    return message.get("id") if isinstance(message, dict) else getattr(message, "id", None)


def _as_message(message: Any) -> Any:
    if isinstance(message, str):
        return {"role": "user", "content": message}
    if isinstance(message, tuple) and len(message) == 2:
        return {"role": "user" if message[0] == "human" else message[0], "content": message[1]}
    return message


def add_messages(left: Any, right: Any) -> list[Any]:
    """Append `right` to `left`; a message whose id is already in `left` replaces that one; a
    `RemoveMessage(id)` removes it. Single messages and strings (user messages) are accepted too."""
    lefts = [_as_message(m) for m in (left if isinstance(left, list) else [left])]
    rights = [_as_message(m) for m in (right if isinstance(right, list) else [right])]
    clear = [i for i, m in enumerate(rights) if isinstance(m, RemoveMessage) and m.id == REMOVE_ALL_MESSAGES]
    if clear:
        return rights[clear[-1] + 1 :]
    merged = list(lefts)
    index = {i: pos for pos, m in enumerate(merged) if (i := _id(m)) is not None}
    removed: set[Any] = set()
    for m in rights:
        mid = _id(m)
        if isinstance(m, RemoveMessage):
            if m.id not in index:
                raise ValueError(f"RemoveMessage: no message with id {m.id!r} to remove")
            removed.add(m.id)
        elif mid is not None and mid in index:
            merged[index[mid]] = m
            removed.discard(mid)
        else:
            if mid is not None:
                index[mid] = len(merged)
            merged.append(m)
    return [m for m in merged if _id(m) not in removed] if removed else merged


class MessagesState(TypedDict):
    """A state with one key, `messages`, combined with `add_messages`."""

    messages: Annotated[list[Any], add_messages]
