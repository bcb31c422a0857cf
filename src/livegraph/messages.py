"""livegraph's own chat messages, for when `langchain-core` is not installed.

They have the attribute surface of LangChain's messages that chat code reads (`content`, `type`, `id`,
`name`, `tool_calls`, `tool_call_id`, `usage_metadata`, `text`, `pretty_print()`, `pretty_repr()`), so
ported code that says `state["messages"][-1].content` runs without LangChain. With `langchain-core`
installed, `add_messages` makes LangChain's own classes instead, as LangGraph does.

`convert_to_messages` turns what a node may return (strings, `(role, content)` tuples, OpenAI-style dicts,
`MessageChunk`s) into these classes; `to_openai` turns any message (these, LangChain's, dicts) into
OpenAI's chat format for an HTTP request.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ._engine._messages import MessageChunk

__all__ = [
    "AIMessage",
    "AnyMessage",
    "BaseMessage",
    "HumanMessage",
    "RemoveMessage",
    "SystemMessage",
    "ToolMessage",
    "convert_to_messages",
    "to_openai",
]


def _title(title: str, bold: bool) -> str:
    padded = f" {title} "
    side = "=" * ((80 - len(padded)) // 2)
    shown = f"\033[1m{padded}\033[0m" if bold else padded
    return f"{side}{shown}{side}{'=' if len(padded) % 2 else ''}"


@dataclass(eq=True)
class BaseMessage:
    """A chat message: what every kind has."""

    content: Any = ""
    id: str | None = None
    name: str | None = None
    additional_kwargs: dict[str, Any] = field(default_factory=dict)
    response_metadata: dict[str, Any] = field(default_factory=dict)

    type: ClassVar[str] = "base"

    @property
    def text(self) -> str:
        """The message's text (the text parts of a list content, joined)."""
        if isinstance(self.content, str):
            return self.content
        return "".join(
            p if isinstance(p, str) else str(p.get("text", ""))
            for p in self.content
            if isinstance(p, str) or p.get("type") == "text"
        )

    def pretty_repr(self, html: bool = False) -> str:
        """The message as LangChain prints it: a title rule, then the content."""
        title = _title(self.type.title() + " Message", html)
        if self.name is not None:
            title += f"\nName: {self.name}"
        return f"{title}\n\n{self.content}"

    def pretty_print(self) -> None:
        """Print `pretty_repr()`; the title is bold in an interactive session, as LangChain prints it."""
        print(self.pretty_repr(html=hasattr(sys, "ps2")))


@dataclass(eq=True)
class HumanMessage(BaseMessage):
    """What the user said."""

    type: ClassVar[str] = "human"


@dataclass(eq=True)
class SystemMessage(BaseMessage):
    """Instructions for the model."""

    type: ClassVar[str] = "system"


@dataclass(eq=True)
class AIMessage(BaseMessage):
    """What the model answered: text, and the tools it asks to call.

    Attributes:
        tool_calls: `{"name", "args" (a dict), "id", "type": "tool_call"}` each, as LangChain has them.
        usage_metadata: `{"input_tokens", "output_tokens", "total_tokens"}` when known.
    """

    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    invalid_tool_calls: list[dict[str, Any]] = field(default_factory=list)
    usage_metadata: dict[str, int] | None = None

    type: ClassVar[str] = "ai"

    def pretty_repr(self, html: bool = False) -> str:
        lines: list[str] = []
        for heading, calls in (("Tool Calls:", self.tool_calls), ("Invalid Tool Calls:", self.invalid_tool_calls)):
            if calls:
                lines.append(heading)
                for call in calls:
                    lines += [f"  {call.get('name', 'Tool')} ({call.get('id')})", f" Call ID: {call.get('id')}"]
                    if call.get("error"):
                        lines.append(f"  Error: {call.get('error')}")
                    lines.append("  Args:")
                    args = call.get("args")
                    if isinstance(args, str):
                        lines.append(f"    {args}")
                    elif isinstance(args, dict):
                        lines += [f"    {k}: {v}" for k, v in args.items()]
        return (super().pretty_repr(html).strip() + "\n" + "\n".join(lines)).strip()


@dataclass(eq=True)
class ToolMessage(BaseMessage):
    """A tool's answer to the call `tool_call_id`."""

    tool_call_id: str = ""
    status: str = "success"
    artifact: Any = None

    type: ClassVar[str] = "tool"


@dataclass(eq=True)
class RemoveMessage(BaseMessage):
    """Put one in an update to remove the message with this id from `messages`
    (`RemoveMessage(id=REMOVE_ALL_MESSAGES)` removes them all)."""

    type: ClassVar[str] = "remove"

    def __init__(self, id: str) -> None:
        super().__init__(content="", id=id)


AnyMessage = BaseMessage

_ROLES: dict[str, type[BaseMessage]] = {
    "human": HumanMessage,
    "user": HumanMessage,
    "ai": AIMessage,
    "assistant": AIMessage,
    "system": SystemMessage,
    "developer": SystemMessage,
    "tool": ToolMessage,
    "remove": RemoveMessage,
}


def _tool_call(call: dict[str, Any]) -> dict[str, Any]:
    """A tool call in LangChain's shape, from LangChain's or OpenAI's (`function.arguments` as JSON)."""
    if "function" not in call:
        return {"name": call["name"], "args": call.get("args") or {}, "id": call.get("id"), "type": "tool_call"}
    function = call["function"]
    raw = function.get("arguments") or "{}"
    return {"name": function["name"], "args": json.loads(raw) if isinstance(raw, str) else raw,
            "id": call.get("id"), "type": "tool_call"}


def _usage(usage: dict[str, int] | None) -> dict[str, int] | None:
    """OpenAI's token counts (`prompt_tokens`, ...) under LangChain's names (`input_tokens`, ...)."""
    if not usage or "input_tokens" in usage:
        return usage
    return {"input_tokens": usage.get("prompt_tokens", 0), "output_tokens": usage.get("completion_tokens", 0),
            "total_tokens": usage.get("total_tokens", 0)}


def _from_dict(data: dict[str, Any]) -> BaseMessage:
    role = data.get("role", data.get("type"))
    cls = _ROLES.get(str(role))
    if cls is None:
        raise ValueError(
            f"Message dict has role {role!r}; use one of {', '.join(repr(r) for r in _ROLES)} "
            f"(got {data!r})"
        )
    if cls is RemoveMessage:
        return RemoveMessage(id=data["id"])
    kwargs: dict[str, Any] = {"content": data.get("content") or "", "id": data.get("id"), "name": data.get("name")}
    if cls is AIMessage:
        kwargs["tool_calls"] = [_tool_call(c) for c in data.get("tool_calls") or ()]
        kwargs["usage_metadata"] = data.get("usage_metadata") or _usage(data.get("usage"))
    elif cls is ToolMessage:
        kwargs["tool_call_id"] = data.get("tool_call_id", "")
    return cls(**kwargs)


def _from_chunk(chunk: MessageChunk) -> BaseMessage:
    cls = _ROLES.get(chunk.role, AIMessage)
    if cls is not AIMessage:
        return cls(content=chunk.content, id=chunk.id, name=chunk.name)
    calls = [
        _tool_call({"id": c.get("id"), "function": {"name": c.get("name") or "", "arguments": c.get("args")}})
        for c in chunk.tool_call_chunks
    ]
    return AIMessage(content=chunk.content, id=chunk.id, name=chunk.name, tool_calls=calls,
                     usage_metadata=chunk.usage, response_metadata=dict(chunk.response_metadata))


def reply_message(reply: dict[str, Any], id: str | None, response_metadata: dict[str, Any]) -> AIMessage:
    """An assistant reply in OpenAI's format (what `livegraph.llm` assembles) as an `AIMessage`."""
    message = _from_dict({**reply, "role": "assistant", "id": id})
    message.response_metadata = response_metadata
    return message  # type: ignore[return-value]


def convert_to_message(message: Any) -> BaseMessage:
    """One message-like (a message, str, `(role, content)`, OpenAI-style dict, `MessageChunk`) as a message."""
    if isinstance(message, BaseMessage):
        return message
    if isinstance(message, str):
        return HumanMessage(content=message)
    if isinstance(message, tuple) and len(message) == 2:
        return _from_dict({"role": message[0], "content": message[1]})
    if isinstance(message, dict):
        return _from_dict(message)
    if isinstance(message, MessageChunk):
        return _from_chunk(message)
    raise ValueError(
        f"Cannot make a chat message of {message!r}; give a message, a string, a (role, content) tuple "
        "or a dict with `role` and `content`"
    )


def convert_to_messages(messages: Iterable[Any]) -> list[BaseMessage]:
    """Every message-like in `messages` as a message (see `convert_to_message`)."""
    return [convert_to_message(m) for m in messages]


_OPENAI_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


def to_openai(message: Any) -> dict[str, Any]:
    """Any message (livegraph's, LangChain's, a dict, a tuple, a string) in OpenAI's chat format."""
    if isinstance(message, dict) and "role" in message:
        return message
    if not hasattr(message, "type") or not hasattr(message, "content"):
        message = convert_to_message(message)
    role = _OPENAI_ROLES.get(message.type)
    if role is None:
        raise ValueError(f"Cannot send a {type(message).__name__} to a model; remove it from the messages")
    out: dict[str, Any] = {"role": role, "content": message.content}
    if getattr(message, "name", None):
        out["name"] = message.name
    calls = getattr(message, "tool_calls", None) if role == "assistant" else None
    if calls:
        out["content"] = message.content or None
        out["tool_calls"] = [
            {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": json.dumps(c["args"])}}
            for c in calls
        ]
    if role == "tool":
        out["tool_call_id"] = message.tool_call_id
    return out
