"""`chat()` / `achat()`: call the configured model with streaming on and stream the reply into the graph."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from livegraph.llm._adapters import Custom, astream_chat, current_node, stream_chat
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
    messages: Sequence[Mapping[str, Any]],
    *,
    model: str | None = None,
    tools: Tools | None = None,
    custom: Custom = False,
    client: OpenAI | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Ask the model, stream its reply into the graph as it arrives, and return the whole reply.

    Args:
        messages: The conversation in OpenAI's chat format.
        model: The model; `default_model()` if None.
        tools: Tool definitions in OpenAI's format, or plain functions (see `tool_schema`).
        custom: Also write to `custom` mode (see `stream_chat`).
        client: The `openai.OpenAI` to use; by default one configured by `client()`, reused.
        **options: More arguments for `chat.completions.create` (`temperature`, `tool_choice`, ...).

    Returns:
        The assistant message, as `stream_chat` returns it (with `usage`).

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
    return stream_chat(stream, custom=custom, model=name)


async def achat(
    messages: Sequence[Mapping[str, Any]],
    *,
    model: str | None = None,
    tools: Tools | None = None,
    custom: Custom = False,
    client: AsyncOpenAI | None = None,
    **options: Any,
) -> dict[str, Any]:
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
    return await astream_chat(stream, custom=custom, model=name)


def _arguments(messages: Sequence[Mapping[str, Any]], model: str, tools: Tools | None,
               options: dict[str, Any]) -> dict[str, Any]:
    arguments: dict[str, Any] = {"model": model, "messages": list(messages), "stream": True,
                                 "stream_options": {"include_usage": True}}
    if tools:
        arguments["tools"] = tool_definitions(tools)
    arguments.update(options)
    return arguments


def _failed(exc: BaseException, model: str, sdk: Any) -> LLMStreamError:
    base_url = str(getattr(sdk, "base_url", "") or "") or None
    return stream_error(exc, node=current_node(), model=model, streamed=None, partial_text="", base_url=base_url)
