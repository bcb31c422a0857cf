"""The adapters inside real graphs: every token reaches `messages` (and `custom` when asked) as it streams,
and the node gets the assembled message back. Real `openai` clients, real loopback HTTP; each behaviour is
written once and run with a sync node + `graph.stream` and an async node + `graph.astream`."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypedDict

import pytest

from livegraph import MessageChunk, llm
from livegraph.graph import START, StateGraph
from livegraph.llm import EmbeddedServer, Reply, ToolCall
from llm_fakes import (  # noqa: F401 - fixtures
    MODES,
    async_client,
    chat_node,
    clean_env_fixture,
    embedded_fixture,
    pieces,
    run,
    serve,
    server_fixture,
    sync_client,
)

USAGE = {"stream_options": {"include_usage": True}}
FINISH = {"finish_reason": "stop", "model_name": "livegraph-tiny"}


class State(TypedDict, total=False):
    question: str
    reply: Any


def graph_of(node: Any, name: str = "ask") -> Any:
    return StateGraph(State).add_node(name, node).add_edge(START, name).compile()


def piece(content: str = "", id: str = "chatcmpl-lg1", **fields: Any) -> MessageChunk:
    return MessageChunk(content=content, id=id, **fields)


@pytest.mark.parametrize("mode", MODES)
def test_every_token_goes_to_messages_and_custom_and_the_node_gets_the_message(mode: str) -> None:
    with serve(["Hi there!"]) as server:
        graph = graph_of(chat_node(mode, server, custom=True, **USAGE))
        chunks = run(graph, {"question": "hi"}, mode, ["messages", "custom", "values"])
    assert pieces([c for c in chunks if c[0] != "values"]) == [
        (piece("Hi"), "ask"), {"role": "assistant", "content": "Hi"},
        (piece(" there"), "ask"), {"role": "assistant", "content": " there"},
        (piece("!"), "ask"), {"role": "assistant", "content": "!"},
        (piece(response_metadata=FINISH), "ask"),
        (piece(usage={"input_tokens": 4, "output_tokens": 3, "total_tokens": 7}), "ask"),
    ]
    assert chunks[-1] == ("values", {"question": "hi", "reply": {
        "role": "assistant", "content": "Hi there!",
        "usage": {"prompt_tokens": 4, "completion_tokens": 3, "total_tokens": 7},
    }})


@pytest.mark.parametrize("mode", MODES)
def test_messages_metadata_has_langgraphs_keys(mode: str) -> None:
    with serve(["Hi"]) as server:
        chunks = run(graph_of(chat_node(mode, server)), {}, mode, "messages")
    _, metadata = chunks[0]
    assert sorted(metadata) == ["langgraph_checkpoint_ns", "langgraph_node", "langgraph_path", "langgraph_step",
                                "langgraph_triggers"]
    assert (metadata["langgraph_node"], metadata["langgraph_step"]) == ("ask", 1)


@pytest.mark.parametrize("mode", MODES)
def test_tool_calls_are_assembled_from_their_deltas(mode: str) -> None:
    reply = Reply(tool_calls=(ToolCall("get_items", '{"place": "bedroom"}'), ToolCall("now", "{}")))
    with serve([reply]) as server:
        chunks = run(graph_of(chat_node(mode, server, custom=True)), {}, mode, ["messages", "custom", "values"])

    def call(index: int, id: str | None = None, name: str | None = None, args: str | None = "") -> MessageChunk:
        return piece(tool_call_chunks=[{"index": index, "id": id, "name": name, "args": args}])

    assert pieces([c for c in chunks if c[0] != "values"]) == [
        (call(0, "call_lg1_0", "get_items", ""), "ask"),
        (call(0, args='{"'), "ask"), (call(0, args="place"), "ask"), (call(0, args='":'), "ask"),
        (call(0, args=' "'), "ask"), (call(0, args="bedroom"), "ask"), (call(0, args='"}'), "ask"),
        (call(1, "call_lg1_1", "now", ""), "ask"),
        (call(1, args="{}"), "ask"),
        (piece(response_metadata={"finish_reason": "tool_calls", "model_name": "livegraph-tiny"}), "ask"),
    ]  # no custom chunks: custom=True sends text only
    assert chunks[-1][1]["reply"] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_lg1_0", "type": "function", "function": {"name": "get_items", "arguments": '{"place": "bedroom"}'}},
            {"id": "call_lg1_1", "type": "function", "function": {"name": "now", "arguments": "{}"}},
        ],
    }


@pytest.mark.parametrize("mode", MODES)
def test_custom_can_be_a_function_and_messages_can_be_off(mode: str) -> None:
    def shape(chunk: MessageChunk) -> Any:
        return {"custom_llm_chunk": chunk.content} if chunk.content else None

    with serve(["a b"]) as server:
        with sync_client(server) as client:
            def ask(state: State) -> State:
                stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}], stream=True)
                return {"reply": llm.stream_chat(stream, custom=shape, messages=False)}

            async def aask(state: State) -> State:
                async with async_client(server) as aclient:
                    stream = await aclient.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}], stream=True)
                    return {"reply": await llm.astream_chat(stream, custom=shape, messages=False)}

            chunks = run(graph_of(ask if mode == "sync" else aask), {}, mode, ["messages", "custom"])
    assert chunks == [("custom", {"custom_llm_chunk": "a"}), ("custom", {"custom_llm_chunk": " b"})]


@pytest.mark.parametrize("mode", MODES)
def test_a_responses_api_stream_is_adapted_to_the_same_shapes(mode: str) -> None:
    with serve(["Hi there", Reply(tool_calls=(ToolCall("get_items", '{"place": "x"}'),))]) as server:

        def ask(state: State) -> State:
            with sync_client(server) as client:
                first = llm.stream_response(client.responses.create(model="m", input="hi", stream=True), custom=True)
                second = llm.stream_response(client.responses.create(model="m", input="hi", stream=True))
                return {"reply": [first, second]}

        async def aask(state: State) -> State:
            async with async_client(server) as client:
                first = await llm.astream_response(await client.responses.create(model="m", input="hi", stream=True), custom=True)
                second = await llm.astream_response(await client.responses.create(model="m", input="hi", stream=True))
                return {"reply": [first, second]}

        chunks = run(graph_of(ask if mode == "sync" else aask), {}, mode, ["messages", "custom", "values"])
    usage = {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}
    finish = {"finish_reason": "tool_calls", "model_name": "m"}
    assert pieces([c for c in chunks if c[0] != "values"]) == [
        (piece("Hi", "resp_lg1"), "ask"), {"role": "assistant", "content": "Hi"},
        (piece(" there", "resp_lg1"), "ask"), {"role": "assistant", "content": " there"},
        (piece("", "resp_lg1", usage=usage, response_metadata={"finish_reason": "stop", "model_name": "m"}), "ask"),
        (piece("", "resp_lg2", tool_call_chunks=[{"index": 0, "id": "call_lg2_0", "name": "get_items", "args": ""}]), "ask"),
        *[(piece("", "resp_lg2", tool_call_chunks=[{"index": 0, "id": None, "name": None, "args": a}]), "ask")
          for a in ['{"', "place", '":', ' "', "x", '"}']],
        (piece("", "resp_lg2", usage={"input_tokens": 1, "output_tokens": 6, "total_tokens": 7}, response_metadata=finish), "ask"),
    ]
    assert chunks[-1][1]["reply"] == [
        {"role": "assistant", "content": "Hi there", "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}},
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "call_lg2_0", "type": "function", "function": {"name": "get_items", "arguments": '{"place": "x"}'}}],
         "usage": {"prompt_tokens": 1, "completion_tokens": 6, "total_tokens": 7}},
    ]


def words() -> Iterator[str]:
    yield from ("any ", "", "code ", "that yields text")


async def awords() -> AsyncIterator[str]:
    for word in words():
        await asyncio.sleep(0)
        yield word


@pytest.mark.parametrize("mode", MODES)
def test_stream_text_streams_any_iterable_of_text(mode: str) -> None:
    def tell(state: State) -> State:
        return {"reply": llm.stream_text(words(), custom=True, id="m1")}

    async def atell(state: State) -> State:
        return {"reply": await llm.astream_text(awords(), custom=True, id="m1")}

    chunks = run(graph_of(tell if mode == "sync" else atell, "tell"), {}, mode, ["messages", "custom", "values"])
    assert pieces([c for c in chunks if c[0] != "values"]) == [
        (MessageChunk("any ", id="m1"), "tell"), {"role": "assistant", "content": "any "},
        (MessageChunk("code ", id="m1"), "tell"), {"role": "assistant", "content": "code "},
        (MessageChunk("that yields text", id="m1"), "tell"), {"role": "assistant", "content": "that yields text"},
    ]
    assert chunks[-1] == ("values", {"reply": "any code that yields text"})


def test_stream_text_gives_every_message_a_fresh_id() -> None:
    def tell(state: State) -> State:
        llm.stream_text(["a"])
        llm.stream_text(["b"])
        return {}

    (first, _), (second, _) = run(graph_of(tell), {}, "sync", "messages")
    assert first.id != second.id and first.id.startswith("run-") and second.id.startswith("run-")


def test_stream_text_rejects_pieces_that_are_not_text() -> None:
    with pytest.raises(TypeError) as caught:
        llm.stream_text([{"content": "x"}])  # type: ignore[list-item]
    assert str(caught.value) == (
        "stream_text() takes an iterable of str, but it yielded a dict: {'content': 'x'}. "
        "Yield the text of each piece (for an OpenAI stream, use stream_chat())."
    )


def test_outside_a_graph_the_adapters_return_the_message_silently(server: EmbeddedServer) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with sync_client(server) as client:
            stream = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], stream=True)
            assert llm.stream_chat(stream, custom=True) == {
                "role": "assistant", "content": "Hello! I am livegraph-tiny, a small offline model. Ask me about any topic."
            }
        assert llm.stream_text(["a", "b"], custom=True) == "ab"


@pytest.mark.parametrize("mode", MODES)
def test_chat_calls_the_configured_model_with_python_functions_as_tools(mode: str, embedded: EmbeddedServer) -> None:
    def get_items(place: str) -> str:
        """Use this tool to list items one might find in a place you're asked about."""
        return place

    question = [{"role": "user", "content": "What items are in the bedroom?"}]

    def ask(state: State) -> State:
        return {"reply": llm.chat(question, tools=[get_items], custom=True)}

    async def aask(state: State) -> State:
        return {"reply": await llm.achat(question, tools=[get_items], custom=True)}

    chunks = run(graph_of(ask if mode == "sync" else aask), {}, mode, ["messages", "values"])
    reply = chunks[-1][1]["reply"]
    assert reply["tool_calls"][0]["function"] == {"name": "get_items", "arguments": '{"place": "bedroom"}'}
    assert reply["usage"] == {"prompt_tokens": 7, "completion_tokens": 6, "total_tokens": 13}
    streamed = [c[1][0].tool_call_chunks[0]["args"] for c in chunks if c[0] == "messages" and c[1][0].tool_call_chunks]
    assert streamed == ["", '{"', "place", '":', ' "', "bedroom", '"}']


def test_tool_schema_describes_a_function() -> None:
    def book(city: str, people: int, vegan: bool = False, tags: list[str] | None = None) -> str:
        """Book a table.

        More details that the model does not need.
        """
        return city

    assert llm.tool_schema(book) == {
        "type": "function",
        "function": {
            "name": "book",
            "description": "Book a table.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "people": {"type": "integer"},
                               "vegan": {"type": "boolean"}, "tags": {"type": "string"}},
                "required": ["city", "people"],
            },
        },
    }
