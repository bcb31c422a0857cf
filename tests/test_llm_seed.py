"""LangGraph's "Use with any LLM" page, run with livegraph: both Python examples, verbatim but for the imports,
against the embedded model, print exactly what we expect."""

from __future__ import annotations

import asyncio
import contextlib
import io
import textwrap

from livegraph import llm
from livegraph.llm import EmbeddedServer
from llm_fakes import clean_env_fixture, embedded_fixture  # noqa: F401 - fixtures

# The page's first example. Its builder chain elides the entry edge ("Add other nodes and edges as needed"),
# which LangGraph requires too; it is the one line added. `State` and the streaming client are the reader's.
SEED_SYNC = '''
from livegraph.config import get_stream_writer
from livegraph.graph import StateGraph, START

def call_arbitrary_model(state):
    """Example node that calls an arbitrary model and streams the output"""
    # highlight-next-line
    writer = get_stream_writer() # (1)!
    # Assume you have a streaming client that yields chunks
    for chunk in your_custom_streaming_client(state["topic"]): # (2)!
        # highlight-next-line
        writer({"custom_llm_chunk": chunk}) # (3)!
    return {"result": "completed"}

graph = (
    StateGraph(State)
    .add_node(call_arbitrary_model)
    .add_edge(START, "call_arbitrary_model")
    # Add other nodes and edges as needed
    .compile()
)

for chunk in graph.stream(
    {"topic": "cats"},
    # highlight-next-line
    stream_mode="custom", # (4)!
):
    # The chunk will contain the custom data streamed from the llm
    print(chunk)
'''

READER_SYNC = '''
from typing import TypedDict
from livegraph import llm

class State(TypedDict):
    topic: str
    result: str

def your_custom_streaming_client(topic):
    client = llm.client()
    stream = client.chat.completions.create(
        model=llm.default_model(), messages=[{"role": "user", "content": f"Tell me about {topic}"}], stream=True
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content
'''

# The page's extended example, verbatim; `get_stream_writer` is used there without an import, so it is added.
SEED_ASYNC = '''
import operator
import json

from typing import TypedDict
from typing_extensions import Annotated
from livegraph.graph import StateGraph, START
from livegraph.config import get_stream_writer

from openai import AsyncOpenAI

openai_client = AsyncOpenAI()
model_name = "gpt-4o-mini"


async def stream_tokens(model_name: str, messages: list[dict]):
    response = await openai_client.chat.completions.create(
        messages=messages, model=model_name, stream=True
    )
    role = None
    async for chunk in response:
        delta = chunk.choices[0].delta

        if delta.role is not None:
            role = delta.role

        if delta.content:
            yield {"role": role, "content": delta.content}


# this is our tool
async def get_items(place: str) -> str:
    """Use this tool to list items one might find in a place you're asked about."""
    writer = get_stream_writer()
    response = ""
    async for msg_chunk in stream_tokens(
        model_name,
        [
            {
                "role": "user",
                "content": (
                    "Can you tell me what kind of items "
                    f"i might find in the following place: '{place}'. "
                    "List at least 3 such items separating them by a comma. "
                    "And include a brief description of each item."
                ),
            }
        ],
    ):
        response += msg_chunk["content"]
        writer(msg_chunk)

    return response


class State(TypedDict):
    messages: Annotated[list[dict], operator.add]


# this is the tool-calling graph node
async def call_tool(state: State):
    ai_message = state["messages"][-1]
    tool_call = ai_message["tool_calls"][-1]

    function_name = tool_call["function"]["name"]
    if function_name != "get_items":
        raise ValueError(f"Tool {function_name} not supported")

    function_arguments = tool_call["function"]["arguments"]
    arguments = json.loads(function_arguments)

    function_response = await get_items(**arguments)
    tool_message = {
        "tool_call_id": tool_call["id"],
        "role": "tool",
        "name": function_name,
        "content": function_response,
    }
    return {"messages": [tool_message]}


graph = (
    StateGraph(State)
    .add_node(call_tool)
    .add_edge(START, "call_tool")
    .compile()
)
'''

SEED_ASYNC_RUN = '''
inputs = {
    "messages": [
        {
            "content": None,
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "1",
                    "function": {
                        "arguments": '{"place":"bedroom"}',
                        "name": "get_items",
                    },
                    "type": "function",
                }
            ],
        }
    ]
}

async for chunk in graph.astream(
    inputs,
    stream_mode="custom",
):
    print(chunk["content"], end="|", flush=True)
'''

CATS = [
    "Cats", " are", " small", " carnivorous", " mammals", " that", " have", " lived", " alongside", " people",
    " for", " thousands", " of", " years", ".", " They", " sleep", " for", " most", " of", " the", " day", ",",
    " purr", " when", " they", " are", " content", " and", " use", " their", " whiskers", " to", " judge",
    " whether", " they", " fit", " through", " a", " gap", ".",
]
BEDROOM = [
    "In", " a", " bedroom", " you", " might", " find", ":", " bed", " (", "a", " soft", " place", " to", " sleep",
    " and", " rest", "),", " wardrobe", " (", "a", " tall", " cupboard", " for", " hanging", " clothes", "),",
    " nightstand", " (", "a", " small", " table", " beside", " the", " bed", " for", " a", " lamp", " or", " a",
    " book", "),", " alarm", " clock", " (", "wakes", " you", " up", " in", " the", " morning", ").",
]


def test_the_sync_example_streams_the_models_tokens_as_custom_chunks(embedded: EmbeddedServer) -> None:
    namespace: dict[str, object] = {}
    exec(textwrap.dedent(READER_SYNC), namespace)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(SEED_SYNC, "seed_sync", "exec"), namespace)
    assert printed.getvalue() == "".join(f"{ {'custom_llm_chunk': token} }\n" for token in CATS)


def test_the_async_tool_calling_example_runs_on_the_embedded_model(embedded: EmbeddedServer) -> None:
    llm.use_embedded()  # before the example builds its module-level AsyncOpenAI()
    namespace: dict[str, object] = {}
    exec(compile(SEED_ASYNC, "seed_async", "exec"), namespace)
    # Top-level `async for`, as in a notebook cell; one event loop, as the example's client is bound to it.
    body = SEED_ASYNC_RUN + "return await graph.ainvoke(inputs)\n"
    exec(compile("async def main():\n" + textwrap.indent(body, "    "), "seed_async_run", "exec"), namespace)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        final = asyncio.run(namespace["main"]())  # type: ignore[arg-type]
    assert printed.getvalue() == "".join(f"{token}|" for token in BEDROOM)
    assert final["messages"][-1] == {
        "tool_call_id": "1", "role": "tool", "name": "get_items", "content": "".join(BEDROOM),
    }
