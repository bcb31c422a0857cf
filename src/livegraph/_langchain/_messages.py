"""`add_messages` on LangChain's message classes, as LangGraph merges them.

livegraph's own messages (`livegraph.messages`), `MessageChunk`s from `livegraph.llm` and livegraph's
`RemoveMessage` are turned into LangChain's classes first, so one state never mixes the two kinds.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    BaseMessageChunk,
    RemoveMessage,
    convert_to_messages,
    convert_to_openai_messages,
    message_chunk_to_message,
)

from livegraph import messages as own
from livegraph._engine._message_state import merge
from livegraph._engine._messages import MessageChunk


def to_langchain(message: Any) -> Any:
    """livegraph's own message kinds as LangChain's; anything else is left for `convert_to_messages`."""
    if isinstance(message, MessageChunk):
        message = own.convert_to_message(message)
    if not isinstance(message, own.BaseMessage):
        return message
    if isinstance(message, own.RemoveMessage):
        return RemoveMessage(id=message.id or "")
    common = {"content": message.content, "id": message.id, "name": message.name,
              "additional_kwargs": dict(message.additional_kwargs),
              "response_metadata": dict(message.response_metadata)}
    if isinstance(message, own.AIMessage):
        return AIMessage(**common, tool_calls=list(message.tool_calls), usage_metadata=message.usage_metadata)
    extra = {"tool_call_id": message.tool_call_id, "status": message.status,
             "artifact": message.artifact} if isinstance(message, own.ToolMessage) else {}
    return convert_to_messages([{"type": message.type, **common, **extra}])[0]


def _coerce(messages: list[Any]) -> list[Any]:
    if all(isinstance(m, BaseMessage) and not isinstance(m, BaseMessageChunk) for m in messages):
        return messages
    return [message_chunk_to_message(m) for m in convert_to_messages([to_langchain(m) for m in messages])]


def merge_messages(left: Any, right: Any, format: str | None) -> list[Any]:
    """LangGraph's `add_messages(left, right, format=format)`."""
    merged = merge(
        _coerce(left if isinstance(left, list) else [left]),
        _coerce(right if isinstance(right, list) else [right]),
        lambda m: isinstance(m, RemoveMessage),
    )
    if format == "langchain-openai":
        return convert_to_messages(convert_to_openai_messages(merged))
    if format is not None:
        raise ValueError(f"Unrecognized format={format!r}. Expected one of 'langchain-openai', None.")
    return merged
