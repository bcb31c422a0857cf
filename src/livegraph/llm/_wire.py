"""The OpenAI wire format: the JSON objects the embedded server sends, as pure functions.

Chat completions (`chat.completion`, `chat.completion.chunk` with tool-call deltas and the usage chunk),
the Responses API event stream, `/v1/models` and error bodies. Streams are iterators of `(object, is_token)`
pairs: the server paces and counts the token frames and frames each object as a server-sent event.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from livegraph.llm._model import Reply, tokenize
from livegraph.llm._templates import text_of

Frame = tuple[dict[str, Any], bool]


@dataclass(frozen=True, slots=True)
class Meta:
    """What every object of one response repeats: its id, model, creation time and prompt size."""

    id: str
    model: str
    created: int
    prompt_tokens: int

    @property
    def suffix(self) -> str:
        """The serial part of the id (`chatcmpl-lg7` -> `lg7`), reused in tool-call and item ids."""
        return self.id.replace("_", "-").rpartition("-")[2]


def sse(data: Mapping[str, Any] | str, event: str | None = None) -> bytes:
    """One server-sent event: an optional `event:` line, a `data:` line and the blank line ending it."""
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {text}\n\n".encode()


def error_body(message: str, type: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    """An OpenAI error body: `{"error": {"message", "type", "param", "code"}}`."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def models_list(names: Sequence[str]) -> dict[str, Any]:
    """The body of `GET /v1/models`."""
    return {"object": "list", "data": [model_object(name) for name in names]}


def model_object(name: str) -> dict[str, Any]:
    """One entry of `GET /v1/models`."""
    return {"id": name, "object": "model", "created": 0, "owned_by": "livegraph"}


def count_prompt_tokens(messages: Sequence[Mapping[str, Any]]) -> int:
    """Prompt size in the model's tokens (what `usage.prompt_tokens` reports)."""
    return sum(len(tokenize(text_of(message))) for message in messages)


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    """A chat completions `usage` object."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def call_id(meta: Meta, index: int) -> str:
    """The id of tool call `index` of a response."""
    return f"call_{meta.suffix}_{index}"


# --- chat completions --------------------------------------------------------------------------


def chat_chunk(meta: Meta, delta: dict[str, Any], finish_reason: str | None, with_usage: bool) -> dict[str, Any]:
    """One `chat.completion.chunk` with a single choice."""
    chunk: dict[str, Any] = {
        "id": meta.id,
        "object": "chat.completion.chunk",
        "created": meta.created,
        "model": meta.model,
        "system_fingerprint": None,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }
    if with_usage:
        chunk["usage"] = None
    return chunk


def chat_stream(reply: Reply, meta: Meta, include_usage: bool) -> Iterator[Frame]:
    """The chunks of a streamed chat completion, as real servers send them.

    A first chunk with the role, one chunk per text token or per fragment of a tool call's JSON
    arguments (the name and id come first, with empty arguments), a chunk with the finish reason and,
    when `stream_options.include_usage` is set, a last chunk with no choices and the usage.
    """
    produced = 0
    if reply.tool_calls:
        for index, call in enumerate(reply.tool_calls):
            head = {"index": index, "id": call_id(meta, index), "type": "function"}
            head["function"] = {"name": call.name, "arguments": ""}
            delta: dict[str, Any] = {"tool_calls": [head]}
            if index == 0:
                delta = {"role": "assistant", "content": None, **delta}
            yield chat_chunk(meta, delta, None, include_usage), False
            for fragment in tokenize(call.arguments):
                produced += 1
                part = {"index": index, "function": {"arguments": fragment}}
                yield chat_chunk(meta, {"tool_calls": [part]}, None, include_usage), True
        finish = "tool_calls"
    else:
        yield chat_chunk(meta, {"role": "assistant", "content": ""}, None, include_usage), False
        for token in tokenize(reply.text):
            produced += 1
            yield chat_chunk(meta, {"content": token}, None, include_usage), True
        finish = "stop"
    yield chat_chunk(meta, {}, finish, include_usage), False
    if include_usage:
        last = chat_chunk(meta, {}, None, True)
        last["choices"] = []
        last["usage"] = usage(meta.prompt_tokens, produced)
        yield last, False


def chat_completion(reply: Reply, meta: Meta) -> dict[str, Any]:
    """A whole (non-streamed) `chat.completion`."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
    produced = len(tokenize(reply.text))
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": call_id(meta, i), "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for i, c in enumerate(reply.tool_calls)
        ]
        produced += sum(len(tokenize(call.arguments)) for call in reply.tool_calls)
    return {
        "id": meta.id,
        "object": "chat.completion",
        "created": meta.created,
        "model": meta.model,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if reply.tool_calls else "stop",
            }
        ],
        "usage": usage(meta.prompt_tokens, produced),
    }


# --- Responses API -----------------------------------------------------------------------------


def responses_input_to_messages(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The conversation of a Responses API request (`instructions` + `input`) in chat format."""
    messages: list[dict[str, Any]] = []
    if body.get("instructions"):
        messages.append({"role": "system", "content": str(body["instructions"])})
    items = body.get("input", "")
    if isinstance(items, str):
        return [*messages, {"role": "user", "content": items}]
    for item in items:
        kind = item.get("type", "message")
        if kind == "function_call_output":
            messages.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": str(item.get("output"))})
        elif kind == "function_call":
            function = {"name": item.get("name"), "arguments": item.get("arguments")}
            call = {"id": item.get("call_id"), "type": "function", "function": function}
            messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        else:
            messages.append({"role": item.get("role", "user"), "content": text_of(item)})
    return messages


def response_object(reply: Reply | None, meta: Meta, body: Mapping[str, Any]) -> dict[str, Any]:
    """A Responses API `response`: in progress (no `reply` yet) or completed."""
    output = [] if reply is None else response_output(reply, meta)
    produced = 0 if reply is None else _count(reply)
    return {
        "id": meta.id,
        "object": "response",
        "created_at": meta.created,
        "status": "in_progress" if reply is None else "completed",
        "model": meta.model,
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": list(body.get("tools") or []),
        "instructions": body.get("instructions"),
        "error": None,
        "incomplete_details": None,
        "usage": None
        if reply is None
        else {
            "input_tokens": meta.prompt_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": produced,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": meta.prompt_tokens + produced,
        },
    }


def response_output(reply: Reply, meta: Meta) -> list[dict[str, Any]]:
    """The finished output items of a response: function calls, or one assistant message."""
    if reply.tool_calls:
        calls = enumerate(reply.tool_calls)
        return [_function_item(meta, i, call.name, call.arguments, "completed") for i, call in calls]
    return [_message_item(meta, reply.text, "completed")]


def responses_stream(reply: Reply, meta: Meta, body: Mapping[str, Any]) -> Iterator[Frame]:
    """The events of a streamed Responses API call (each object carries its `type` and `sequence_number`)."""
    events = _response_events(reply, meta, body)
    for number, (event, is_token) in enumerate(events):
        event["sequence_number"] = number
        yield event, is_token


def _response_events(reply: Reply, meta: Meta, body: Mapping[str, Any]) -> Iterator[Frame]:
    yield {"type": "response.created", "response": response_object(None, meta, body)}, False
    yield {"type": "response.in_progress", "response": response_object(None, meta, body)}, False
    for index, call in enumerate(reply.tool_calls):
        item = _function_item(meta, index, call.name, "", "in_progress")
        at = {"item_id": item["id"], "output_index": index}
        yield {"type": "response.output_item.added", "output_index": index, "item": item}, False
        for fragment in tokenize(call.arguments):
            yield {"type": "response.function_call_arguments.delta", **at, "delta": fragment}, True
        yield {"type": "response.function_call_arguments.done", **at, "arguments": call.arguments}, False
        done = _function_item(meta, index, call.name, call.arguments, "completed")
        yield {"type": "response.output_item.done", "output_index": index, "item": done}, False
    if not reply.tool_calls:
        item = _message_item(meta, "", "in_progress")
        at = {"item_id": item["id"], "output_index": 0, "content_index": 0}
        yield {"type": "response.output_item.added", "output_index": 0, "item": {**item, "content": []}}, False
        yield {"type": "response.content_part.added", **at, "part": _text_part("")}, False
        for token in tokenize(reply.text):
            yield {"type": "response.output_text.delta", **at, "delta": token, "logprobs": []}, True
        yield {"type": "response.output_text.done", **at, "text": reply.text, "logprobs": []}, False
        yield {"type": "response.content_part.done", **at, "part": _text_part(reply.text)}, False
        done = _message_item(meta, reply.text, "completed")
        yield {"type": "response.output_item.done", "output_index": 0, "item": done}, False
    yield {"type": "response.completed", "response": response_object(reply, meta, body)}, False


def _count(reply: Reply) -> int:
    return len(tokenize(reply.text)) + sum(len(tokenize(call.arguments)) for call in reply.tool_calls)


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _message_item(meta: Meta, text: str, status: str) -> dict[str, Any]:
    item_id = f"msg_{meta.suffix}"
    content = [_text_part(text)]
    return {"id": item_id, "type": "message", "role": "assistant", "status": status, "content": content}


def _function_item(meta: Meta, index: int, name: str, arguments: str, status: str) -> dict[str, Any]:
    return {
        "id": f"fc_{meta.suffix}_{index}",
        "type": "function_call",
        "call_id": call_id(meta, index),
        "name": name,
        "arguments": arguments,
        "status": status,
    }
