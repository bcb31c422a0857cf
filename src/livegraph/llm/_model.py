"""The offline model behind the embedded server: decides what to say, never how it goes over the wire.

A reply is text or tool calls, chosen by templates (`_templates`) or by a script: a list of replies
consumed one per request, or a function of the request. A script entry can also be a `Fault`, which the
server acts out (an HTTP error, a dropped connection, a malformed chunk, a stall) for fault tests.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from livegraph.llm import _templates

DEFAULT_MODEL = "livegraph-tiny"
DEFAULT_TOKENS_PER_SECOND = 100.0
TOKENS_PER_SECOND_ENV = "LIVEGRAPH_TOKENS_PER_SECOND"

# Word-ish tokens: leading whitespace sticks to the word or punctuation run after it, as in GPT
# tokenizers, so `"".join(tokenize(text)) == text` always holds.
_TOKEN = re.compile(r"\s*\w+(?:'\w+)*|\s*[^\w\s]+|\s+")


def tokenize(text: str) -> list[str]:
    """Split `text` into the tokens the model streams; joining them gives `text` back."""
    return _TOKEN.findall(text)


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A tool call the model makes: the tool's name and its arguments as JSON text."""

    name: str
    arguments: str = "{}"


@dataclass(frozen=True, slots=True)
class Reply:
    """What the model answers: text, or tool calls (then `text` is usually empty)."""

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()


FaultKind = Literal["http_error", "drop", "malformed", "stall"]


@dataclass(frozen=True, slots=True)
class Fault:
    """A failure the server acts out for one request (put it in a script).

    Attributes:
        kind: `http_error` (answer `status` before streaming), `drop` (close the connection mid-stream),
            `malformed` (send a chunk that is not JSON, then end the stream) or `stall` (stop sending for
            `seconds`, then carry on).
        after: How many tokens of `reply` stream before the fault (ignored by `http_error`).
        status: The HTTP status of an `http_error`.
        seconds: How long a `stall` lasts.
        reply: What streams before (and, for a stall, after) the fault.
    """

    kind: FaultKind
    after: int = 0
    status: int = 500
    seconds: float = 30.0
    reply: Reply = field(default_factory=lambda: Reply("This reply is interrupted by a scripted fault."))


@dataclass(frozen=True, slots=True)
class Request:
    """What the model is asked: the conversation in chat format, the tools, the model name."""

    messages: Sequence[Mapping[str, Any]]
    tools: Sequence[Mapping[str, Any]] = ()
    tool_choice: Any = "auto"
    model: str = DEFAULT_MODEL


ScriptEntry = str | Reply | Fault
Script = Iterable[ScriptEntry] | Callable[[Request], ScriptEntry]


class OfflineModel:
    """A deterministic, weightless chat model.

    Args:
        script: Replies to give instead of the templates: an iterable consumed one entry per request
            (templates answer once it runs out) or a function of the `Request`. Entries are text, a
            `Reply` or a `Fault`.
        tokens_per_second: Streaming pace; 0 streams as fast as possible. Defaults to the
            `LIVEGRAPH_TOKENS_PER_SECOND` environment variable, else 100.
    """

    def __init__(self, script: Script | None = None, *, tokens_per_second: float | None = None) -> None:
        self._script_fn: Callable[[Request], ScriptEntry] | None = None
        self._script: list[ScriptEntry] = []
        if callable(script):
            self._script_fn = script
        elif script is not None:
            self._script = list(script)
        self._lock = threading.Lock()
        if tokens_per_second is None:
            tokens_per_second = float(os.environ.get(TOKENS_PER_SECOND_ENV, DEFAULT_TOKENS_PER_SECOND))
        if tokens_per_second < 0:
            raise ValueError(f"tokens_per_second must be >= 0 (0 = as fast as possible), got {tokens_per_second}")
        self.tokens_per_second = tokens_per_second

    def __repr__(self) -> str:
        scripted = "function" if self._script_fn else f"{len(self._script)} scripted"
        return f"OfflineModel({scripted}, tokens_per_second={self.tokens_per_second:g})"

    def respond(self, request: Request) -> Reply | Fault:
        """The reply to `request`: the next script entry if there is one, else the templates' answer."""
        entry: ScriptEntry | None = None
        if self._script_fn is not None:
            entry = self._script_fn(request)
        else:
            with self._lock:
                if self._script:
                    entry = self._script.pop(0)
        if entry is None:
            return template_reply(request)
        if isinstance(entry, str):
            return Reply(entry)
        return entry


def template_reply(request: Request) -> Reply:
    """The templates' answer: a tool call when a tool fits the question, else text."""
    tool = _templates.choose_tool(request.messages, request.tools, request.tool_choice)
    if tool is not None:
        name = _templates.tool_name(tool)
        return Reply(tool_calls=(ToolCall(name, _templates.tool_arguments(tool, request.messages)),))
    return Reply(_templates.answer(request.messages))
