"""What the llm tests share: a fresh embedded server per test, real OpenAI clients for it, and helpers to run
one graph in sync or async mode. Nothing here talks to a remote service.

A test module imports the fixtures it uses (`from llm_fakes import FIXTURES` style: `server_fixture` provides
the fixture `server`, and so on), since tests/conftest.py is shared with the other layers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from livegraph import llm
from livegraph.llm import EmbeddedServer, OfflineModel
from livegraph.llm._model import Script

MODES = ["sync", "async"]
ENV = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "LIVEGRAPH_MODEL", "LIVEGRAPH_TOKENS_PER_SECOND")


def serve(script: Script | None = None, *, tokens_per_second: float = 0, **options: Any) -> EmbeddedServer:
    """A started server of its own (stop it, or use it as a context manager)."""
    return EmbeddedServer(OfflineModel(script, tokens_per_second=tokens_per_second), **options).start()


@pytest.fixture(name="server")
def server_fixture() -> Iterator[EmbeddedServer]:
    """A fresh server streaming as fast as it can, so ids start at `chatcmpl-lg1` in every test."""
    with serve() as running:
        yield running


@pytest.fixture(name="clean_env")
def clean_env_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No OpenAI or livegraph variables, whatever the developer's shell has."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture(name="embedded")
def embedded_fixture(clean_env: None) -> Iterator[EmbeddedServer]:
    """The process-wide embedded server with a fresh template model at full speed."""
    yield llm.embedded_server(tokens_per_second=0)
    os.environ.pop("OPENAI_BASE_URL", None)
    os.environ.pop("OPENAI_API_KEY", None)


def sync_client(server: EmbeddedServer, **options: Any) -> openai.OpenAI:
    """A real client for `server`, validating every response against the SDK's types."""
    options = {"api_key": "sk-test", "max_retries": 0, **options}
    return openai.OpenAI(base_url=server.base_url, _strict_response_validation=True, **options)


def async_client(server: EmbeddedServer, **options: Any) -> openai.AsyncOpenAI:
    options = {"api_key": "sk-test", "max_retries": 0, **options}
    return openai.AsyncOpenAI(base_url=server.base_url, _strict_response_validation=True, **options)


def chat_node(mode: str, server: EmbeddedServer, *, custom: Any = False, timeout: float | None = None,
              **create: Any) -> Any:
    """A node that asks `server` with the OpenAI SDK (sync or async) and streams the reply via the adapter."""
    request = {"model": "livegraph-tiny", "stream": True, **create}
    if "messages" not in request:
        request["messages"] = [{"role": "user", "content": "Tell me about cats"}]
    options = {} if timeout is None else {"timeout": timeout}

    def ask(state: dict[str, Any]) -> dict[str, Any]:
        with sync_client(server, **options) as client:
            stream = client.chat.completions.create(**request)
            return {"reply": llm.stream_chat(stream, custom=custom)}

    async def aask(state: dict[str, Any]) -> dict[str, Any]:
        async with async_client(server, **options) as client:
            stream = await client.chat.completions.create(**request)
            return {"reply": await llm.astream_chat(stream, custom=custom)}

    return ask if mode == "sync" else aask


def run(graph: Any, inputs: Any, mode: str, stream_mode: Any) -> list[Any]:
    """Everything `graph.stream` (sync) or `graph.astream` (async) yields."""
    if mode == "sync":
        return list(graph.stream(inputs, stream_mode=stream_mode))

    async def main() -> list[Any]:
        return [chunk async for chunk in graph.astream(inputs, stream_mode=stream_mode)]

    return asyncio.run(main())


def run_until_error(graph: Any, inputs: Any, mode: str, stream_mode: Any) -> tuple[list[Any], BaseException]:
    """What the stream yielded before it raised, and the exception."""
    seen: list[Any] = []

    def consume() -> None:
        for chunk in graph.stream(inputs, stream_mode=stream_mode):
            seen.append(chunk)

    async def aconsume() -> None:
        async for chunk in graph.astream(inputs, stream_mode=stream_mode):
            seen.append(chunk)

    try:
        consume() if mode == "sync" else asyncio.run(aconsume())
    except Exception as exc:
        return seen, exc
    raise AssertionError(f"the run did not fail; it yielded {seen!r}")


def pieces(chunks: list[Any]) -> list[Any]:
    """`messages` events as `(MessageChunk, langgraph_node)` and `custom` chunks as they are."""
    out: list[Any] = []
    for mode, payload in chunks:
        if mode == "messages":
            out.append((payload[0], payload[1]["langgraph_node"]))
        else:
            out.append(payload)
    return out
