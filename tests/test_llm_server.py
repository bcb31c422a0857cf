"""The embedded server speaks OpenAI's wire protocol: checked with raw HTTP and with the real `openai` client
(validating every response against the SDK's types) over loopback."""

from __future__ import annotations

import asyncio
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openai
import pytest

from livegraph.llm import EmbeddedServer, Fault, Reply, ToolCall
from llm_fakes import async_client, serve, server_fixture, sync_client  # noqa: F401 - a fixture

SRC = Path(__file__).resolve().parent.parent / "src"
HI = [{"role": "user", "content": "hi"}]


def post(server: EmbeddedServer, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`(status, content type, body text)` of a raw POST (a str body is sent as it is)."""
    url = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    data = body if isinstance(body, str) else json.dumps(body)
    connection.request("POST", path, data, {"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response.status, response.getheader("Content-Type") or "", text


def get(server: EmbeddedServer, path: str) -> tuple[int, Any]:
    url = urlsplit(server.base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    return response.status, body


def events(text: str) -> list[Any]:
    """The `data:` payloads of an SSE body, asserting the framing (one `data:` line, a blank line after)."""
    assert text.endswith("\n\n")
    out = []
    for block in text[:-2].split("\n\n"):
        assert block.startswith("data: ") and "\n" not in block, block
        data = block[len("data: "):]
        out.append(data if data == "[DONE]" else json.loads(data))
    return out


def chunk(delta: dict[str, Any], finish: str | None = None, *, id: str = "chatcmpl-lg1", usage: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": id, "object": "chat.completion.chunk", "created": 0, "model": "livegraph-tiny",
        "system_fingerprint": None,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
    }
    if usage:
        out["usage"] = None
    return out


def without_created(objects: list[Any]) -> list[Any]:
    for obj in objects:
        if isinstance(obj, dict) and "created" in obj:
            assert abs(obj["created"] - time.time()) < 60
            obj["created"] = 0
    return objects


def test_a_streamed_chat_completion_is_server_sent_events_ending_with_done() -> None:
    with serve(["Hi there!"]) as server:
        body = {"model": "livegraph-tiny", "messages": HI, "stream": True, "stream_options": {"include_usage": True}}
        status, content_type, text = post(server, "/v1/chat/completions", body)
    assert (status, content_type) == (200, "text/event-stream; charset=utf-8")
    last = chunk({}, None)
    last["choices"] = []
    last["usage"] = {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4}
    assert without_created(events(text)) == [
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": "Hi"}),
        chunk({"content": " there"}),
        chunk({"content": "!"}),
        chunk({}, "stop"),
        last,
        "[DONE]",
    ]


def test_without_include_usage_there_is_no_usage_chunk() -> None:
    with serve(["Hi"]) as server:
        _, _, text = post(server, "/v1/chat/completions", {"model": "livegraph-tiny", "messages": HI, "stream": True})
    assert without_created(events(text)) == [
        chunk({"role": "assistant", "content": ""}, usage=False),
        chunk({"content": "Hi"}, usage=False),
        chunk({}, "stop", usage=False),
        "[DONE]",
    ]


def test_tool_calls_stream_the_name_first_then_argument_fragments() -> None:
    reply = Reply(tool_calls=(ToolCall("get_items", '{"place": "bedroom"}'), ToolCall("now", "{}")))
    with serve([reply]) as server, sync_client(server) as client:
        stream = client.chat.completions.create(model="livegraph-tiny", messages=HI, stream=True)
        deltas = [c.choices[0].delta.model_dump(exclude_none=True) for c in stream]

    def args(index: int, fragment: str) -> dict[str, Any]:
        return {"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}

    assert deltas == [
        {"role": "assistant", "tool_calls": [
            {"index": 0, "id": "call_lg1_0", "type": "function", "function": {"name": "get_items", "arguments": ""}}]},
        args(0, '{"'), args(0, "place"), args(0, '":'), args(0, ' "'), args(0, "bedroom"), args(0, '"}'),
        {"tool_calls": [{"index": 1, "id": "call_lg1_1", "type": "function", "function": {"name": "now", "arguments": ""}}]},
        args(1, "{}"),
        {},
    ]


def test_a_completion_without_stream_is_one_chat_completion(server: EmbeddedServer) -> None:
    with sync_client(server) as client:
        completion = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hello"}])
    assert completion.model_dump(exclude={"created"}, exclude_none=True) == {
        "id": "chatcmpl-lg1",
        "object": "chat.completion",
        "model": "gpt-4o-mini",
        "choices": [{
            "index": 0, "finish_reason": "stop",
            "message": {"role": "assistant",
                        "content": "Hello! I am livegraph-tiny, a small offline model. Ask me about any topic."},
        }],
        "usage": {"prompt_tokens": 1, "completion_tokens": 19, "total_tokens": 20},
    }


def test_a_tool_call_without_stream(server: EmbeddedServer) -> None:
    tool = {"type": "function", "function": {"name": "get_items", "description": "items in a place",
                                             "parameters": {"type": "object", "properties": {"place": {"type": "string"}}}}}
    with sync_client(server) as client:
        completion = client.chat.completions.create(
            model="livegraph-tiny", messages=[{"role": "user", "content": "items in the kitchen"}], tools=[tool]  # type: ignore[list-item]
        )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.model_dump(exclude_none=True) == {
        "role": "assistant",
        "tool_calls": [{"id": "call_lg1_0", "type": "function", "function": {"name": "get_items", "arguments": '{"place": "kitchen"}'}}],
    }


def test_models_are_listed(server: EmbeddedServer) -> None:
    with sync_client(server) as client:
        assert [m.id for m in client.models.list()] == ["livegraph-tiny"]
        assert client.models.retrieve("anything").id == "anything"
    with serve(models=["a", "b"]) as restricted, sync_client(restricted) as client:
        assert [m.id for m in client.models.list()] == ["a", "b"]
        with pytest.raises(openai.NotFoundError):
            client.models.retrieve("c")


def error(message: str, type: str = "invalid_request_error", code: str | None = None, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


@pytest.mark.parametrize(
    ("body", "headers", "status", "expected"),
    [
        ("{not json", {}, 400, error("The request body is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1)).")),
        ("[1]", {}, 400, error("The request body must be a JSON object, not list.")),
        ({"messages": HI}, {}, 400, error("Missing required parameter `model` (a model name, e.g. `livegraph-tiny`).", param="model")),
        ({"model": "m"}, {}, 400, error("Missing required parameter `messages` (a non-empty list of messages).", param="messages")),
        ({"model": "m", "messages": [{"content": "x"}]}, {}, 400, error("`messages[0]` must be an object with a `role`.", param="messages[0]")),
        ({"model": "m", "messages": HI, "tools": {}}, {}, 400, error("`tools` must be a list of tool definitions.", param="tools")),
        ({"model": "nope", "messages": HI}, {"Authorization": "Bearer sk-right"}, 404,
         error("The model `nope` does not exist on this server (it serves `livegraph-tiny`).", code="model_not_found", param="model")),
        ({"model": "livegraph-tiny", "messages": HI}, {"Authorization": "Bearer sk-wrong-key"}, 401,
         error("Incorrect API key provided: sk-w....", code="invalid_api_key")),
        ({"model": "livegraph-tiny", "messages": HI}, {}, 401,
         error("No API key provided: send the header `Authorization: Bearer <key>`.")),
    ],
    ids=["bad-json", "not-object", "no-model", "no-messages", "no-role", "bad-tools", "unknown-model", "wrong-key", "no-key"],
)
def test_bad_requests_get_openai_error_bodies(body: Any, headers: dict[str, str], status: int, expected: Any) -> None:
    auth = status == 401 or "Bearer" in str(headers)
    with serve(api_key="sk-right" if auth else None, models=["livegraph-tiny"]) as server:
        got_status, content_type, text = post(server, "/v1/chat/completions", body, headers)
    assert (got_status, content_type, json.loads(text)) == (status, "application/json", expected)


def test_unknown_paths_and_methods(server: EmbeddedServer) -> None:
    assert post(server, "/v1/embeddings", {})[0::2] == (404, json.dumps(error("Unknown endpoint POST /v1/embeddings.", code="unknown_url")))
    assert get(server, "/v1/chat/completions") == (405, error("Use POST for /v1/chat/completions, not GET."))


@pytest.mark.parametrize(
    ("status", "exception", "kind"),
    [(500, openai.InternalServerError, "server_error"), (503, openai.InternalServerError, "server_error"),
     (429, openai.RateLimitError, "rate_limit_error")],
)
def test_a_scripted_http_error_reaches_the_sdk_as_its_error_class(status: int, exception: type[Exception], kind: str) -> None:
    with serve([Fault("http_error", status=status)]) as server, sync_client(server) as client:
        with pytest.raises(exception) as caught:
            client.chat.completions.create(model="livegraph-tiny", messages=HI, stream=True)
    assert caught.value.body == {"message": f"Scripted fault: HTTP {status}.", "type": kind, "param": None, "code": None}  # type: ignore[attr-defined]


def test_the_sdk_sees_wrong_keys_and_unknown_models_as_its_errors() -> None:
    with serve(api_key="sk-right", models=["livegraph-tiny"]) as server:
        with sync_client(server, api_key="sk-nope") as client, pytest.raises(openai.AuthenticationError):
            client.chat.completions.create(model="livegraph-tiny", messages=HI)
        with sync_client(server, api_key="sk-right") as client, pytest.raises(openai.NotFoundError):
            client.chat.completions.create(model="gpt-5", messages=HI)


def test_the_responses_api_streams_typed_events(server: EmbeddedServer) -> None:
    with sync_client(server) as client:
        assert hasattr(client, "responses")
        stream = client.responses.create(model="livegraph-tiny", input="Tell me a joke", stream=True)
        seen = [(e.type, e.sequence_number, getattr(e, "delta", None)) for e in stream]
    tokens = ["Why", " did", " the", " chicken", " cross", " the", " graph", "?", " To", " get", " to", " the",
              " other", " node", "!"]
    assert seen == [
        ("response.created", 0, None),
        ("response.in_progress", 1, None),
        ("response.output_item.added", 2, None),
        ("response.content_part.added", 3, None),
        *[("response.output_text.delta", 4 + i, token) for i, token in enumerate(tokens)],
        ("response.output_text.done", 19, None),
        ("response.content_part.done", 20, None),
        ("response.output_item.done", 21, None),
        ("response.completed", 22, None),
    ]


def test_the_responses_api_sends_event_lines_and_function_calls() -> None:
    tool = {"type": "function", "name": "get_items", "description": "items in a place",
            "parameters": {"type": "object", "properties": {"place": {"type": "string"}}}}
    with serve() as server:
        body = {"model": "m", "input": [{"role": "user", "content": [{"type": "input_text", "text": "items in the garage"}]}],
                "tools": [tool], "stream": True}
        _, content_type, text = post(server, "/v1/responses", body)
        with sync_client(server) as client:
            whole = client.responses.create(model="m", input="items in the garden", tools=[tool])  # type: ignore[list-item]
    assert content_type == "text/event-stream; charset=utf-8"
    blocks = text.rstrip("\n").split("\n\n")
    assert [b.split("\n")[0] for b in blocks] == [
        "event: response.created", "event: response.in_progress", "event: response.output_item.added",
        *["event: response.function_call_arguments.delta"] * 6,
        "event: response.function_call_arguments.done", "event: response.output_item.done", "event: response.completed",
    ]
    done = json.loads(blocks[-1].split("\n")[1][len("data: "):])
    assert done["response"]["output"] == [{"id": "fc_lg1_0", "type": "function_call", "call_id": "call_lg1_0",
                                           "name": "get_items", "arguments": '{"place": "garage"}', "status": "completed"}]
    assert [item.model_dump(exclude_none=True) for item in whole.output] == [
        {"id": "fc_lg2_0", "type": "function_call", "call_id": "call_lg2_0", "name": "get_items",
         "arguments": '{"place": "garden"}', "status": "completed"}
    ]
    assert whole.usage is not None and (whole.usage.input_tokens, whole.usage.output_tokens) == (4, 6)


def test_tokens_are_paced_at_tokens_per_second() -> None:
    with serve(["one two three four five six seven eight nine ten eleven"], tokens_per_second=50) as server:
        with sync_client(server) as client:
            started = time.monotonic()
            stream = client.chat.completions.create(model="m", messages=HI, stream=True)
            arrivals = [time.monotonic() - started for c in stream if c.choices and c.choices[0].delta.content]
    assert len(arrivals) == 11
    assert arrivals[-1] - arrivals[0] >= 0.19  # 10 intervals of 20 ms: never faster than asked


def test_at_full_speed_a_long_reply_streams_whole() -> None:
    text = " ".join(["word"] * 4000)
    with serve([text]) as server:
        _, _, raw = post(server, "/v1/chat/completions", {"model": "m", "messages": HI, "stream": True})
    assert raw.count('"content":" word"') == 3999  # the rate is measured by bench/bench_llm.py


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", [None, Fault("stall", after=2, seconds=30, reply=Reply("a b c d e"))], ids=["streaming", "stalled"])
def test_the_server_sees_a_client_leave_within_a_second(mode: str, fault: Fault | None) -> None:
    script = [fault or Reply(" ".join(["word"] * 100))]
    with serve(script, tokens_per_second=0 if fault else 5) as server:

        def read_two_and_close() -> float:
            with sync_client(server) as client:
                stream = client.chat.completions.create(model="m", messages=HI, stream=True)
                next(stream), next(stream), next(stream)
                stream.close()
                return time.monotonic()

        async def aread_two_and_close() -> float:
            async with async_client(server) as client:
                stream = await client.chat.completions.create(model="m", messages=HI, stream=True)
                await stream.__anext__(), await stream.__anext__(), await stream.__anext__()
                await stream.close()
                return time.monotonic()

        closed_at = read_two_and_close() if mode == "sync" else asyncio.run(aread_two_and_close())
        record = server.requests[-1]
        assert record.finished.wait(2)
    assert record.disconnected_at is not None
    assert record.disconnected_at - closed_at < 1.0
    assert record.tokens_sent == 2


def test_stop_cuts_open_streams_and_frees_the_port() -> None:
    server = serve([Reply("slow " * 100)], tokens_per_second=5)
    with sync_client(server) as client:
        stream = client.chat.completions.create(model="m", messages=HI, stream=True)
        next(stream)
        server.stop()
        with pytest.raises(openai.APIConnectionError):
            list(stream)
    assert not server.running
    assert server.requests[-1].finished.wait(2)


def test_two_clients_stream_at_the_same_time() -> None:
    with serve(tokens_per_second=100) as server:

        async def ask(question: str) -> tuple[str, float, float]:
            async with async_client(server) as client:
                messages = [{"role": "user", "content": question}]
                stream = await client.chat.completions.create(model="m", messages=messages, stream=True)  # type: ignore[arg-type]
                arrivals, text = [], ""
                async for c in stream:
                    text += c.choices[0].delta.content or ""
                    arrivals.append(time.monotonic())
                return text, arrivals[0], arrivals[-1]

        async def both() -> list[tuple[str, float, float]]:
            return list(await asyncio.gather(ask("Tell me about dogs"), ask("Tell me about the ocean")))

        (dogs, dogs_start, dogs_end), (ocean, ocean_start, ocean_end) = asyncio.run(both())
    assert dogs.startswith("Dogs were the first animals") and ocean.startswith("The ocean covers")
    assert dogs_start < ocean_end and ocean_start < dogs_end  # the two streams overlap in time


def test_python_m_livegraph_serve_runs_the_server_in_a_child_process() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "livegraph", "serve", "--port", "0", "--tokens-per-second", "0"],
        stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": str(SRC), "PATH": ""},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("livegraph serving an OpenAI-compatible API at http://127.0.0.1:")
        base_url = line.split(" at ")[1].split()[0]
        with openai.OpenAI(base_url=base_url, api_key="x", max_retries=0) as client:
            reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "Tell me a joke"}])
        assert reply.choices[0].message.content == "Why did the chicken cross the graph? To get to the other node!"
    finally:
        child.terminate()
        child.wait(5)
