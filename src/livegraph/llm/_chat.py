"""`chat()` / `achat()`: call the configured model with streaming on and stream the reply into the graph."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from livegraph import messages as _messages
from livegraph.llm._adapters import Custom, _adrain, _ChatAssembly, _drain, current_node
from livegraph.llm._client import (
    default_model,
    require_openai,
    shared_async_client,
    shared_client,
    warm_up,
    warmed,
)
from livegraph.llm._errors import LLMStreamError, stream_error
from livegraph.llm._tools import tool_definitions

if TYPE_CHECKING:
    from openai import AsyncOpenAI, OpenAI

Tools = Sequence[Mapping[str, Any] | Callable[..., Any]]


def chat(
    messages: Sequence[Any],
    *,
    model: str | None = None,
    tools: Tools | None = None,
    custom: Custom = False,
    client: OpenAI | None = None,
    **options: Any,
) -> Any:
    """Ask the model, stream its reply into the graph as it arrives, and return the whole reply.

    Args:
        messages: The conversation: OpenAI-style dicts, or message objects (livegraph's or LangChain's, as
            `MessagesState` holds them).
        model: The model; `default_model()` if None.
        tools: Tool definitions in OpenAI's format, or plain functions (see `tool_schema`).
        custom: Also write to `custom` mode (see `stream_chat`).
        client: The `openai.OpenAI` to use; by default one configured by `client()`, reused.
        **options: More arguments for `chat.completions.create` (`temperature`, `tool_choice`, ...).

    Returns:
        The assistant message, as `stream_chat` returns it (with `usage`); when `messages` holds message
        objects, an `AIMessage` of the same kind (its `id` is the streamed chunks' id, `usage_metadata` set).

    Raises:
        LLMStreamError: The call or its stream failed.
    """
    openai = require_openai()
    name = model or default_model()
    sdk = client if client is not None else shared_client()
    try:
        stream = sdk.chat.completions.create(**_arguments(messages, name, tools, options))
    except openai.APIError as exc:
        raise _failed(exc, name, sdk) from exc
    assembly = _ChatAssembly(custom, True, name)
    _drain(stream, assembly)
    return _reply(assembly, messages)


async def achat(
    messages: Sequence[Any],
    *,
    model: str | None = None,
    tools: Tools | None = None,
    custom: Custom = False,
    client: AsyncOpenAI | None = None,
    **options: Any,
) -> Any:
    """`chat` for async nodes (uses an `openai.AsyncOpenAI`)."""
    if not warmed():
        await asyncio.to_thread(warm_up)  # the one-time imports and server start, off the event loop
    openai = require_openai()
    name = model or default_model()
    sdk = client if client is not None else shared_async_client()
    try:
        stream = await sdk.chat.completions.create(**_arguments(messages, name, tools, options))
    except openai.APIError as exc:
        raise _failed(exc, name, sdk) from exc
    assembly = _ChatAssembly(custom, True, name)
    await _adrain(stream, assembly)
    return _reply(assembly, messages)


def _reply(assembly: _ChatAssembly, messages: Sequence[Any]) -> Any:
    """The assembled reply: a dict for dict messages, else an `AIMessage` of the messages' kind."""
    reply = assembly.message()
    objects = [m for m in messages if not isinstance(m, (dict, str, tuple))]
    if not objects:
        return reply
    meta = {"model_name": assembly.model, "finish_reason": assembly.finish_reason}
    message = _messages.reply_message(reply, assembly.id, {k: v for k, v in meta.items() if v is not None})
    if type(objects[0]).__module__.startswith("langchain_core"):
        from livegraph._langchain import to_langchain

        return to_langchain(message)
    return message


def _arguments(messages: Sequence[Any], model: str, tools: Tools | None,
               options: dict[str, Any]) -> dict[str, Any]:
    arguments: dict[str, Any] = {"model": model, "messages": [_messages.to_openai(m) for m in messages],
                                 "stream": True,
                                 "stream_options": {"include_usage": True}}
    if tools:
        arguments["tools"] = tool_definitions(tools)
    arguments.update(options)
    return arguments


def _failed(exc: BaseException, model: str, sdk: Any) -> LLMStreamError:
    base_url = str(getattr(sdk, "base_url", "") or "") or None
    return stream_error(exc, node=current_node(), model=model, streamed=None, partial_text="", base_url=base_url)
