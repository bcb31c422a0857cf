"""Choosing the endpoint: the environment's OpenAI-compatible server if one is configured, else the embedded
one; the package imports `openai` only when a client is made; `python -m livegraph demo` runs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, TypedDict

import openai
import pytest

import livegraph.llm as llm
from livegraph.graph import START, StateGraph
from livegraph.llm import EmbeddedServer
from llm_fakes import ENV, clean_env_fixture, embedded_fixture  # noqa: F401 - fixtures

SRC = Path(__file__).resolve().parent.parent / "src"


def python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENV}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**clean, "PYTHONPATH": str(SRC), **env}, check=False)


def test_with_no_endpoint_configured_clients_talk_to_the_embedded_server(embedded: EmbeddedServer) -> None:
    client = llm.client()
    assert (str(client.base_url), client.api_key, client.max_retries) == (embedded.base_url + "/", "livegraph-local", 0)
    assert llm.default_model() == "livegraph-tiny"
    reply = client.chat.completions.create(model=llm.default_model(), messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == "Hello! I am livegraph-tiny, a small offline model. Ask me about any topic."
    aclient = llm.async_client(timeout=3)
    assert (str(aclient.base_url), aclient.timeout) == (embedded.base_url + "/", 3)


def test_the_environment_chooses_the_endpoint(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    client = llm.client()
    assert (str(client.base_url), client.api_key) == ("http://localhost:11434/v1/", "no-key")
    monkeypatch.setenv("OPENAI_API_KEY", "ollama")
    assert llm.async_client().api_key == "ollama"
    with pytest.raises(ValueError) as caught:
        llm.default_model()
    assert str(caught.value) == (
        "`OPENAI_BASE_URL` is http://localhost:11434/v1, so livegraph cannot guess the model: set "
        "`LIVEGRAPH_MODEL` (e.g. `LIVEGRAPH_MODEL=llama3.2` for Ollama) or pass `model=`."
    )
    monkeypatch.setenv("LIVEGRAPH_MODEL", "llama3.2")
    assert llm.default_model() == "llama3.2"
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.delenv("LIVEGRAPH_MODEL")
    assert (str(llm.client().base_url), llm.default_model()) == ("https://api.openai.com/v1/", "gpt-4o-mini")


def test_use_embedded_points_clients_built_later_at_the_embedded_server(embedded: EmbeddedServer) -> None:
    base_url = llm.use_embedded(["scripted reply"], tokens_per_second=0)
    assert (base_url, os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"]) == (
        embedded.base_url, embedded.base_url, "livegraph-local")
    assert llm.default_model() == "livegraph-tiny"

    async def ask() -> str | None:
        async with openai.AsyncOpenAI() as client:
            reply = await client.chat.completions.create(model="any", messages=[{"role": "user", "content": "hi"}])
            return reply.choices[0].message.content

    assert asyncio.run(ask()) == "scripted reply"


def test_the_embedded_server_is_one_per_process_and_started_on_demand(embedded: EmbeddedServer) -> None:
    assert llm.embedded_server() is embedded and embedded.running
    assert repr(embedded) == f"<EmbeddedServer {embedded.base_url} OfflineModel(0 scripted, tokens_per_second=0)>"


def test_a_graph_streams_chat_on_the_embedded_model_in_messages_mode(embedded: EmbeddedServer) -> None:
    class State(TypedDict, total=False):
        reply: Any

    def ask(state: State) -> State:
        return {"reply": llm.chat([{"role": "user", "content": "Tell me a joke"}])["content"]}

    graph = StateGraph(State).add_node(ask).add_edge(START, "ask").compile()
    tokens = [(chunk.content, meta["langgraph_node"]) for chunk, meta in graph.stream({}, stream_mode="messages")]
    assert tokens[:3] == [("Why", "ask"), (" did", "ask"), (" the", "ask")]
    assert "".join(text for text, _ in tokens) == "Why did the chicken cross the graph? To get to the other node!"


def test_importing_livegraph_llm_does_not_import_openai() -> None:
    done = python("import sys, livegraph.llm; print('openai' in sys.modules)")
    assert (done.returncode, done.stdout, done.stderr) == (0, "False\n", "")


def test_without_openai_a_client_says_how_to_install_it() -> None:
    done = python(
        "import sys; sys.modules['openai'] = None\n"
        "import livegraph.llm\n"
        "try:\n    livegraph.llm.client()\nexcept ImportError as exc:\n    print(exc)\n"
    )
    assert done.stdout == (
        "livegraph.llm talks to LLMs through the OpenAI SDK, which is not installed: pip install 'livegraph[openai]'\n"
    )


def test_all_lists_every_public_name() -> None:
    public = {name for name in vars(llm) if not name.startswith("_") and not isinstance(getattr(llm, name), type(llm))}
    public -= {"annotations"}
    assert sorted(llm.__all__) == sorted(public)


def test_python_m_livegraph_demo_prints_tokens_as_they_stream() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "livegraph", "demo", "--tokens-per-second", "0", "--place", "kitchen"],
        capture_output=True, text=True, timeout=60, check=False,
        env={**{k: v for k, v in os.environ.items() if k not in ENV}, "PYTHONPATH": str(SRC)},
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        "[user] What items might I find in the kitchen?\n"
        "\n[agent] calls get_items({\"place\": \"kitchen\"})"
        "\n[tools] In a kitchen you might find: refrigerator (keeps food cold and fresh), stove (heats pots and pans "
        "for cooking), kettle (boils water for tea or coffee), cutting board (a flat surface for chopping vegetables).\n"
    )


def test_python_m_livegraph_without_a_command_prints_help() -> None:
    done = subprocess.run([sys.executable, "-m", "livegraph"], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert done.returncode == 2
    assert done.stdout.startswith("usage: python -m livegraph [-h] COMMAND ...")


@pytest.mark.skipif(
    not os.environ.get("LIVEGRAPH_TEST_REAL_LLM"),
    reason="talks to a real OpenAI-compatible endpoint: set LIVEGRAPH_TEST_REAL_LLM=1 and OPENAI_BASE_URL/"
    "OPENAI_API_KEY/LIVEGRAPH_MODEL (e.g. a local Ollama)",
)
def test_a_real_endpoint_streams_through_the_adapters() -> None:
    class State(TypedDict, total=False):
        reply: Any

    def ask(state: State) -> State:
        return {"reply": llm.chat([{"role": "user", "content": "Say hello in five words."}], custom=True)}

    graph = StateGraph(State).add_node(ask).add_edge(START, "ask").compile()
    chunks = list(graph.stream({}, stream_mode=["custom", "values"]))
    text = "".join(payload["content"] for mode, payload in chunks if mode == "custom")
    assert text and text == chunks[-1][1]["reply"]["content"]
