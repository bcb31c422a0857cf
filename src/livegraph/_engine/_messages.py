"""Message chunks: what `messages` mode carries, as plain dataclasses (no LangChain).

Any code inside a node can emit one with `get_message_writer()` (see `livegraph.config`); the LLM adapters
in `livegraph.llm` do it for every token an LLM client yields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class MessageChunk:
    """A piece of a message as it streams, like LangChain's `AIMessageChunk` in shape.

    Attributes:
        content: The text of this piece ("" for a piece that only carries tool-call deltas or usage).
        role: `assistant` unless the producer says otherwise.
        id: The id of the message this piece belongs to (all pieces of one message share it).
        tool_call_chunks: Partial tool calls: dicts with `index`, `id`, `name`, `args` (a JSON fragment).
        usage: Token counts when the server sends them (`{"input_tokens", "output_tokens", "total_tokens"}`).
        response_metadata: Anything else the producer knows (`model_name`, `finish_reason`, ...).
        name: The message's name, if any.
    """

    content: str = ""
    role: str = "assistant"
    id: str | None = None
    tool_call_chunks: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, int] | None = None
    response_metadata: dict[str, Any] = field(default_factory=dict)
    name: str | None = None

    type = "AIMessageChunk"

    @property
    def text(self) -> str:
        """The text of this piece (LangChain's `.text`)."""
        return self.content

    @property
    def usage_metadata(self) -> dict[str, int] | None:
        """`usage` under LangChain's name."""
        return self.usage

# -- echoes: a `custom` chunk that repeats a message chunk ----------------------------------------------------
# The LLM adapters with `custom=...` write each piece twice: a `MessageChunk` to `messages` mode, then a chunk
# for `custom` mode. The second is marked as an echo of the first (an equal `dict`/`str` that remembers the
# piece), so a view fed both modes shows the piece once. Consumers of `custom` see a plain dict or str.


class _EchoDict(dict):  # type: ignore[type-arg]
    __slots__ = ("echoes",)
    echoes: MessageChunk


class _EchoStr(str):
    echoes: MessageChunk


def echo(chunk: Any, piece: MessageChunk) -> Any:
    """`chunk` marked as repeating `piece` (dicts and strings; other objects are returned unmarked)."""
    marked: _EchoDict | _EchoStr
    if type(chunk) is dict:
        marked = _EchoDict(chunk)
    elif type(chunk) is str:
        marked = _EchoStr(chunk)
    else:
        return chunk
    marked.echoes = piece
    return marked


def echoed(chunk: Any) -> MessageChunk | None:
    """The message chunk that `chunk` repeats, or None when it is a chunk of its own."""
    if type(chunk) is _EchoDict or type(chunk) is _EchoStr:
        return chunk.echoes
    return None
