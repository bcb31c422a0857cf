"""Adapters a node calls: they pass an LLM's tokens to the graph's stream as they arrive.

Each adapter drains one stream (an OpenAI SDK chat completions stream, a Responses API stream, or any
iterable of text), and for every piece:

- writes a `MessageChunk` to `messages` mode (all pieces of one reply share its `id`; tool-call deltas
  ride in `tool_call_chunks`; the last piece carries `usage` when the server sent it);
- when asked, writes a chunk to `custom` mode: with `custom=True`, `{"role": role, "content": text}` for
  each piece of text (the shape of LangGraph's "use with any LLM" example); with a function, whatever it
  returns for the `MessageChunk` (None skips the piece). A dict or str written there is marked as an echo
  of its `MessageChunk` (it still equals the plain value), so livegraph's views show the text once.

It returns the assembled assistant message in OpenAI's format (text adapters return the text). A failure
while streaming raises `LLMStreamError` after every piece before it was written; leaving early (an error
in the consumer, cancellation, closing the run) closes the HTTP stream. The sync and async twins share all
per-piece logic (`_Assembly` subclasses) and differ only in how they iterate.
"""

from __future__ import annotations

import contextlib
import inspect
import socket
import uuid
from collections.abc import AsyncIterable, Callable, Iterable
from typing import Any

from livegraph._engine._messages import MessageChunk, echo
from livegraph.config import get_config, get_message_writer, get_stream_writer, on_cancel
from livegraph.llm._errors import INCOMPLETE, LLMStreamError, stream_error

Custom = bool | Callable[[MessageChunk], Any]


def _drop(chunk: Any) -> None:
    return None


class _Assembly:
    """What one reply has streamed so far, and where its pieces go."""

    complete_by_end = False  # True where the end of the stream is the end of the reply (plain text)

    def __init__(self, custom: Custom, messages: bool, model: str | None, id: str | None = None) -> None:
        self.model = model
        self.id = id
        self.role = "assistant"
        self.parts: list[str] = []
        self.calls: dict[int, dict[str, Any]] = {}
        self.usage: dict[str, int] | None = None
        self.finish_reason: str | None = None
        self.streamed = 0  # pieces written to the stream so far
        self.incomplete: str | None = None
        self.to_custom = custom if callable(custom) else None
        try:
            metadata = get_config().get("metadata") or {}
        except RuntimeError:  # outside a run: nothing to stream to, and no warning either
            self.node: str | None = None
            self.write_message: Callable[[Any], None] = _drop
            self.write_custom: Callable[[Any], None] = _drop
            return
        self.node = metadata.get("langgraph_node")
        self.write_message = get_message_writer() if messages else _drop
        self.write_custom = get_stream_writer() if custom else _drop

    def emit(self, piece: MessageChunk) -> None:
        """Send one piece to `messages` mode and, if asked, to `custom` mode."""
        self.streamed += 1
        self.write_message(piece)
        if self.write_custom is not _drop:
            # Marked as an echo of `piece`, so a view fed both modes shows the text once.
            if self.to_custom is not None:
                chunk = self.to_custom(piece)
                if chunk is not None:
                    self.write_custom(echo(chunk, piece))
            elif piece.content:
                self.write_custom(echo({"role": piece.role, "content": piece.content}, piece))

    def failure(self, cause: BaseException | str) -> LLMStreamError:
        """The error for a fault of the stream, with what streamed before it."""
        partial = "".join(self.parts)
        return stream_error(cause, node=self.node, model=self.model, streamed=self.streamed, partial_text=partial)

    def feed(self, item: Any) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called when the stream ends without error. A reply the model did not finish (no `finish_reason`:
        a proxy that lost its upstream) is kept, marked incomplete, and a last piece tells the stream."""
        if self.finish_reason is None and self.complete_by_end:
            return
        if self.finish_reason is None:
            self.incomplete = INCOMPLETE
            metadata = {"finish_reason": None, "incomplete": INCOMPLETE, "model_name": self.model}
            self.emit(MessageChunk("", self.role, self.id, [], None, metadata))

    def tool_chunk(self, index: int, id: str | None, name: str | None, args: str | None) -> dict[str, Any]:
        """Merge one tool-call delta into the assembled calls; returns it as a `tool_call_chunks` entry."""
        call = self.calls.get(index)
        if call is None:
            call = self.calls[index] = {"id": None, "type": "function", "function": {"name": "", "arguments": ""}}
        function = call["function"]
        if id and not call["id"]:
            call["id"] = id
        if name and name != function["name"]:  # some servers repeat the whole name in every delta
            function["name"] += name
        if args:
            function["arguments"] += args
        return {"index": index, "id": id, "name": name, "args": args}

    def message(self) -> dict[str, Any]:
        """The assembled assistant message in OpenAI's format."""
        text = "".join(self.parts)
        message: dict[str, Any] = {"role": self.role, "content": text}
        if self.calls:
            message["content"] = text or None
            message["tool_calls"] = [self.calls[index] for index in sorted(self.calls)]
        if self.usage is not None:
            message["usage"] = self.usage
        if self.incomplete is not None:
            message["incomplete"] = self.incomplete
        return message


class _ChatAssembly(_Assembly):
    """Assembles `chat.completion.chunk`s (OpenAI SDK objects or anything shaped like them)."""

    def feed(self, chunk: Any) -> None:
        if self.id is None:
            self.id = chunk.id
            if self.model is None:
                self.model = chunk.model
        choices = chunk.choices
        usage = getattr(chunk, "usage", None)
        content = ""
        tool_chunks: list[dict[str, Any]] = []
        finish = None
        if choices:
            choice = choices[0]
            delta = choice.delta
            content = delta.content or ""
            if delta.role:
                self.role = delta.role
            if delta.tool_calls:
                for call in delta.tool_calls:
                    function = call.function
                    name, args = (function.name, function.arguments) if function is not None else (None, None)
                    tool_chunks.append(self.tool_chunk(call.index, call.id, name, args))
            finish = choice.finish_reason
        if not (content or tool_chunks or finish or usage):
            return  # the role-only opening chunk, keep-alives
        if content:
            self.parts.append(content)
        metadata: dict[str, Any] = {}
        if finish:
            self.finish_reason = finish
            metadata = {"finish_reason": finish, "model_name": self.model}
        counts = None
        if usage is not None:
            self.usage = {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
                          "total_tokens": usage.total_tokens}
            counts = {"input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens,
                      "total_tokens": usage.total_tokens}
        self.emit(MessageChunk(content, self.role, self.id, tool_chunks, counts, metadata))



class _ResponsesAssembly(_Assembly):
    """Assembles Responses API stream events (`client.responses.create(..., stream=True)`)."""

    def __init__(self, custom: Custom, messages: bool, model: str | None) -> None:
        super().__init__(custom, messages, model)
        self.items: dict[str, int] = {}

    def feed(self, event: Any) -> None:
        kind = event.type
        if kind == "response.output_text.delta":
            self.parts.append(event.delta)
            self.emit(MessageChunk(event.delta, self.role, self.id))
        elif kind == "response.function_call_arguments.delta":
            index = self.items.get(event.item_id, 0)
            self.emit(MessageChunk("", self.role, self.id, [self.tool_chunk(index, None, None, event.delta)]))
        elif kind == "response.output_item.added" and event.item.type == "function_call":
            item = event.item
            index = self.items[item.id or item.call_id] = len(self.calls)
            chunk = self.tool_chunk(index, item.call_id, item.name, item.arguments)
            self.emit(MessageChunk("", self.role, self.id, [chunk]))
        elif kind == "response.created":
            self.id = event.response.id
            self.model = self.model or event.response.model
        elif kind == "response.completed":
            self._complete(event.response)
        elif kind in ("response.failed", "response.incomplete", "error"):
            raise self.failure(_reported(event))

    def _complete(self, response: Any) -> None:
        self.finish_reason = "tool_calls" if self.calls else "stop"
        counts = None
        usage = response.usage
        if usage is not None:
            self.usage = {"prompt_tokens": usage.input_tokens, "completion_tokens": usage.output_tokens,
                          "total_tokens": usage.total_tokens}
            counts = {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                      "total_tokens": usage.total_tokens}
        metadata = {"finish_reason": self.finish_reason, "model_name": self.model}
        self.emit(MessageChunk("", self.role, self.id, [], counts, metadata))



class _TextAssembly(_Assembly):
    """Assembles plain text pieces from any (async) iterable."""

    complete_by_end = True

    def feed(self, piece: Any) -> None:
        if not isinstance(piece, str):
            raise TypeError(
                f"stream_text() takes an iterable of str, but it yielded a {type(piece).__name__}: {piece!r:.80}. "
                "Yield the text of each piece (for an OpenAI stream, use stream_chat())."
            )
        if piece:
            self.parts.append(piece)
            self.emit(MessageChunk(piece, self.role, self.id))


def current_node() -> str | None:
    """The name of the node running here, or None outside a graph."""
    try:
        metadata = get_config().get("metadata") or {}
    except RuntimeError:
        return None
    node = metadata.get("langgraph_node")
    return None if node is None else str(node)


def _reported(event: Any) -> str:
    response = getattr(event, "response", None)
    error = getattr(response, "error", None) or event
    message = getattr(error, "message", None) or getattr(event, "type", "error")
    return f"the server reported an error ({message})"


# --- the sync and async drivers: iterate, feed, close ------------------------------------------


def _drain(stream: Iterable[Any], assembly: _Assembly) -> None:
    iterator = iter(stream)
    feed = assembly.feed
    # A sync node blocked reading a stalled server never reaches its next write, so stopping the run
    # would not reach it: cut the connection from the stopping thread instead.
    unregister = on_cancel(lambda: _abort(stream))
    try:
        while True:
            try:
                item = next(iterator)
            except StopIteration:
                break
            except Exception as exc:  # a fault of the stream itself; errors from the writers pass as they are
                raise assembly.failure(exc) from exc
            feed(item)
    finally:
        unregister()
        _close(stream, iterator)
    assembly.finish()


def _abort(stream: object) -> None:
    """Wake a read blocked on `stream`'s socket (closing a socket does not wake a blocked `recv` on
    Linux; shutting it down does), then let the normal close run in the reading thread."""
    response = getattr(stream, "response", None)
    network = getattr(response, "extensions", {}).get("network_stream") if response is not None else None
    sock = network.get_extra_info("socket") if network is not None else None
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


async def _adrain(stream: AsyncIterable[Any], assembly: _Assembly) -> None:
    iterator = aiter(stream)
    feed = assembly.feed
    try:
        while True:
            try:
                item = await anext(iterator)
            except StopAsyncIteration:
                break
            except Exception as exc:
                raise assembly.failure(exc) from exc
            feed(item)
    finally:
        await _aclose(stream, iterator)
    assembly.finish()


def _close(stream: object, iterator: object) -> None:
    """Close the stream (the SDK's closes its HTTP response) and the iterator made from it."""
    for obj in (stream, iterator) if iterator is not stream else (stream,):
        close = getattr(obj, "close", None)
        if close is not None:
            close()


async def _aclose(stream: object, iterator: object) -> None:
    for obj in (stream, iterator) if iterator is not stream else (stream,):
        close = getattr(obj, "aclose", None) or getattr(obj, "close", None)
        if close is not None:
            result = close()
            if inspect.isawaitable(result):
                await result


# --- public adapters ---------------------------------------------------------------------------


def stream_chat(stream: Iterable[Any], *, custom: Custom = False, messages: bool = True,
                model: str | None = None) -> dict[str, Any]:
    """Stream a chat completion into the graph's stream and return the assembled assistant message.

    Args:
        stream: What `OpenAI().chat.completions.create(..., stream=True)` returns (any iterable of
            `chat.completion.chunk`-shaped objects).
        custom: Also write to `custom` mode: True for `{"role": ..., "content": ...}` per text piece,
            or a function from `MessageChunk` to the chunk to write (None skips it).
        messages: Write a `MessageChunk` per piece to `messages` mode.
        model: The model's name for error messages (else taken from the chunks).

    Returns:
        `{"role": "assistant", "content": str | None}`, plus `"tool_calls"` (OpenAI format, complete JSON
        arguments) when the model called tools and `"usage"` (`prompt_tokens`, `completion_tokens`,
        `total_tokens`) when the server sent it (`stream_options={"include_usage": True}`), plus
        `"incomplete"` (why) when the stream ended before the model finished (no `finish_reason`, as when a
        proxy loses its upstream): the text is what came, and the live view says so. Drop `usage` and
        `incomplete` before sending the message back to a server that rejects unknown keys.

    Raises:
        LLMStreamError: The stream failed (an HTTP error, a dropped connection, a malformed chunk, a
            timeout); see its `.partial_text`.
    """
    assembly = _ChatAssembly(custom, messages, model)
    _drain(stream, assembly)
    return assembly.message()


async def astream_chat(stream: AsyncIterable[Any], *, custom: Custom = False, messages: bool = True,
                       model: str | None = None) -> dict[str, Any]:
    """`stream_chat` for an `AsyncOpenAI` stream (any async iterable of chunks)."""
    assembly = _ChatAssembly(custom, messages, model)
    await _adrain(stream, assembly)
    return assembly.message()


def stream_response(stream: Iterable[Any], *, custom: Custom = False, messages: bool = True,
                    model: str | None = None) -> dict[str, Any]:
    """`stream_chat` for a Responses API stream (`client.responses.create(..., stream=True)`).

    Returns the reply in the same chat format as `stream_chat` (function calls become `tool_calls` whose
    `id` is the call's `call_id`).
    """
    assembly = _ResponsesAssembly(custom, messages, model)
    _drain(stream, assembly)
    return assembly.message()


async def astream_response(stream: AsyncIterable[Any], *, custom: Custom = False, messages: bool = True,
                           model: str | None = None) -> dict[str, Any]:
    """`stream_response` for an `AsyncOpenAI` Responses API stream."""
    assembly = _ResponsesAssembly(custom, messages, model)
    await _adrain(stream, assembly)
    return assembly.message()


def stream_text(pieces: Iterable[str], *, custom: Custom = False, messages: bool = True,
                model: str | None = None, id: str | None = None) -> str:
    """Stream any iterable of text pieces (any LLM client, any generator) and return the whole text.

    Each piece becomes a `MessageChunk` (all sharing `id`, a fresh one by default); `custom` as in
    `stream_chat`. An exception from the iterable becomes an `LLMStreamError` naming the node and `model`.
    """
    assembly = _TextAssembly(custom, messages, model, id or f"run-{uuid.uuid4()}")
    _drain(pieces, assembly)
    return "".join(assembly.parts)


async def astream_text(pieces: AsyncIterable[str], *, custom: Custom = False, messages: bool = True,
                       model: str | None = None, id: str | None = None) -> str:
    """`stream_text` for an async iterable of text pieces."""
    assembly = _TextAssembly(custom, messages, model, id or f"run-{uuid.uuid4()}")
    await _adrain(pieces, assembly)
    return "".join(assembly.parts)
