"""Benchmark of livegraph.llm (not a test): the adapter's per-token overhead and the embedded server's rate.

    PYTHONPATH=src python bench/bench_llm.py [--tokens 20000] [--repeat 5]

1. Adapter overhead: the same parsed `ChatCompletionChunk`s (the SDK's objects) consumed by a hand loop (what
   a node does without livegraph.llm) and by `stream_chat` doing the same writes: outside a graph (no writers),
   and in a graph for `custom`, `messages` and both. The difference per token is what the adapter adds
   between the SDK and the consumer; the rest is the engine's cost of a stream event.
2. The embedded server's rate to one client at full speed: raw HTTP (SSE bytes read and split by lines) and
   through the OpenAI SDK (which parses every chunk into a pydantic object).
Best of `--repeat` runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import time
from collections.abc import Callable
from typing import Any, TypedDict
from urllib.parse import urlsplit

import openai

from livegraph import MessageChunk, llm
from livegraph.config import get_message_writer, get_stream_writer
from livegraph.graph import START, StateGraph


def best(repeat: int, run: Callable[[], Any], clock: Callable[[], float] = time.perf_counter) -> float:
    """The fastest of `repeat` runs, by `clock` (wall time, or `time.process_time` for CPU time)."""
    times = []
    for _ in range(repeat):
        started = clock()
        run()
        times.append(clock() - started)
    return min(times)


def collect_chunks(server: llm.EmbeddedServer, tokens: int) -> list[Any]:
    with openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0) as client:
        stream = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}], stream=True,
            stream_options={"include_usage": True},
        )
        chunks = list(stream)
    assert len(chunks) >= tokens
    return chunks


class State(TypedDict, total=False):
    reply: Any


def graph_of(node: Callable[[State], State]) -> Any:
    return StateGraph(State).add_node("node", node).add_edge(START, "node").compile()


def adapter_overhead(chunks: list[Any], tokens: int, repeat: int) -> None:
    """The same writes done by a hand loop and by `stream_chat`; the difference is the adapter's cost."""

    def hand(messages: bool, custom: bool) -> Callable[[], None]:
        def loop() -> None:
            write_message = get_message_writer() if messages else None
            write_custom = get_stream_writer() if custom else None
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    content = chunk.choices[0].delta.content
                    if write_message is not None:
                        write_message(MessageChunk(content, id=chunk.id))
                    if write_custom is not None:
                        write_custom({"role": "assistant", "content": content})
        return loop

    def adapter(messages: bool, custom: bool) -> Callable[[], None]:
        return lambda: llm.stream_chat(chunks, custom=custom, messages=messages)  # type: ignore[return-value]

    def in_graph(body: Callable[[], None], modes: list[str]) -> Callable[[], None]:
        def node(state: State) -> State:
            body()
            return {}

        graph = graph_of(node)

        def run() -> None:
            for _ in graph.stream({}, stream_mode=modes):
                pass

        return run

    per = 1e6 / tokens
    print(f"adapter, per token ({tokens} tokens, best of {repeat}): hand loop -> stream_chat (adapter's cost);"
          " in a graph: CPU time")
    outside_hand = best(repeat, hand(False, False)) * per
    outside_adapter = best(repeat, adapter(True, False)) * per
    print(f"  {'outside a graph (no writers)':<48}{outside_hand:6.2f} us -> {outside_adapter:6.2f} us"
          f"  (+{outside_adapter - outside_hand:.2f} us)")
    for modes, messages, custom in ((["custom"], False, True), (["messages"], True, False),
                                    (["messages", "custom"], True, True)):
        # CPU time of the whole process: the node's thread and the consumer run concurrently, so wall time
        # mostly measures how the two threads were scheduled.
        by_hand = best(repeat, in_graph(hand(messages, custom), modes), time.process_time) * per
        by_adapter = best(repeat, in_graph(adapter(messages, custom), modes), time.process_time) * per
        label = f"in a graph, stream_mode={modes}"
        print(f"  {label:<48}{by_hand:6.2f} us -> {by_adapter:6.2f} us  (+{by_adapter - by_hand:.2f} us)")


def server_rate(server: llm.EmbeddedServer, tokens: int, repeat: int) -> None:
    url = urlsplit(server.base_url)
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": True})

    def raw() -> None:
        connection = http.client.HTTPConnection(url.hostname or "", url.port)
        connection.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        lines = sum(1 for line in response if line.startswith(b"data: "))
        assert lines >= tokens
        connection.close()

    client = openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0)

    def sdk() -> None:
        stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}], stream=True)
        assert sum(1 for _ in stream) >= tokens

    def sdk_adapter() -> None:
        stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}], stream=True)
        llm.stream_chat(stream)

    print(f"embedded server, tokens/s to one client ({tokens} tokens, best of {repeat}):")
    for name, run in (("raw HTTP, SSE lines", raw), ("OpenAI SDK stream", sdk), ("SDK + stream_chat", sdk_adapter)):
        server.model = llm.OfflineModel([" ".join(["word"] * tokens)] * repeat, tokens_per_second=0)
        print(f"  {name:<22} {tokens / best(repeat, run):>9,.0f} tokens/s")
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = " ".join(["word"] * args.tokens)
    with llm.EmbeddedServer(llm.OfflineModel([text], tokens_per_second=0)) as server:
        chunks = collect_chunks(server, args.tokens)
        adapter_overhead(chunks, args.tokens, args.repeat)
        server_rate(server, args.tokens, args.repeat)


if __name__ == "__main__":
    main()
