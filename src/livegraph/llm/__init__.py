"""Stream any LLM into livegraph's `messages` and `custom` modes, with an offline model as the default.

In a node::

    from livegraph import llm

    def answer(state):
        reply = llm.chat([{"role": "user", "content": state["question"]}])  # tokens stream as they come
        return {"answer": reply["content"]}

or with your own client::

    stream = client.chat.completions.create(model=..., messages=..., stream=True)
    reply = llm.stream_chat(stream, custom=True)

Which endpoint: the OpenAI SDK's own variables plus one of ours.

- `OPENAI_BASE_URL`, `OPENAI_API_KEY`: any OpenAI-compatible server. With neither set, livegraph starts an
  embedded server on loopback (an offline, deterministic model, no weights, no network) on first use.
- `LIVEGRAPH_MODEL`: the model name (default `livegraph-tiny` on the embedded server, `gpt-4o-mini` on OpenAI).
- `LIVEGRAPH_TOKENS_PER_SECOND`: the embedded model's pace (default 100; 0 = as fast as possible).

Local servers, for example:

- Ollama: `OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_API_KEY=ollama LIVEGRAPH_MODEL=llama3.2`
- vLLM: `OPENAI_BASE_URL=http://localhost:8000/v1 OPENAI_API_KEY=EMPTY LIVEGRAPH_MODEL=<served model>`
- llama.cpp (`llama-server`): `OPENAI_BASE_URL=http://localhost:8080/v1 OPENAI_API_KEY=none LIVEGRAPH_MODEL=any`
- LM Studio: `OPENAI_BASE_URL=http://localhost:1234/v1 OPENAI_API_KEY=lm-studio LIVEGRAPH_MODEL=<loaded model>`

`async_client()` keeps one connection pool per event loop, so one client (even at module level) works from
`graph.stream`, `await graph.astream`, your own awaits and successive `asyncio.run` calls; with `client()`,
stopping the run cuts a call at any moment (connecting, waiting for the answer, streaming).

`warm_up()` does the one-time work (importing the OpenAI SDK, starting the embedded server) ahead of the
first call; `warm_up(background=True)` starts it in a thread and returns at once.

`use_embedded()` sets `OPENAI_BASE_URL`/`OPENAI_API_KEY` to the embedded server, so code that builds its own
`OpenAI()` or `AsyncOpenAI()` talks to it too. `python -m livegraph serve` runs the same server on its own.

This package needs the `openai` extra (`pip install 'livegraph[openai]'`) only when a client is made;
importing it does not import `openai`.
"""

from __future__ import annotations

from livegraph.llm._adapters import (
    astream_chat,
    astream_response,
    astream_text,
    stream_chat,
    stream_response,
    stream_text,
)
from livegraph.llm._chat import achat, chat
from livegraph.llm._client import async_client, client, default_model, embedded_server, use_embedded, warm_up
from livegraph.llm._errors import LLMStreamError
from livegraph.llm._model import DEFAULT_MODEL, Fault, OfflineModel, Reply, Request, ToolCall, tokenize
from livegraph.llm._server import EmbeddedServer, RequestRecord
from livegraph.llm._tools import tool_schema

__all__ = [
    # calling a model from a node
    "chat",
    "achat",
    "stream_chat",
    "astream_chat",
    "stream_response",
    "astream_response",
    "stream_text",
    "astream_text",
    "tool_schema",
    "LLMStreamError",
    # choosing the endpoint
    "client",
    "async_client",
    "default_model",
    "use_embedded",
    "embedded_server",
    "warm_up",
    # the embedded server and its offline model
    "EmbeddedServer",
    "RequestRecord",
    "OfflineModel",
    "Reply",
    "ToolCall",
    "Fault",
    "Request",
    "tokenize",
    "DEFAULT_MODEL",
]
