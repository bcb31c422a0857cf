# %% [markdown]
# # Quickstart: stream from any LLM
#
# livegraph speaks LangGraph's `StateGraph` API. This notebook runs the two examples of LangGraph's
# *"Use with any LLM"* page as they are written there, with `langgraph` changed to `livegraph` in the
# imports.
#
# No network and no API key needed: the first cell starts livegraph's **embedded model**, a small
# offline server that speaks OpenAI's chat completions protocol and answers deterministically.
# It also sets `OPENAI_BASE_URL` and `OPENAI_API_KEY`, so any OpenAI client made afterwards talks to it.

# %%
import os

from livegraph import llm

# The embedded model streams this notebook at 30 tokens a second; LIVEGRAPH_TOKENS_PER_SECOND, when set
# (say before `make lab`), wins: a teacher can speed a whole room up or slow it down.
os.environ.setdefault("LIVEGRAPH_TOKENS_PER_SECOND", "30")
if os.environ.get("LIVEGRAPH_EMBEDDED") != "0":  # LIVEGRAPH_EMBEDDED=0 keeps your own OPENAI_* settings
    llm.use_embedded()
llm.warm_up()  # load the OpenAI SDK and start the model now, so that the first run streams at once

# %% [markdown]
# ## 1. A custom streaming client
#
# The page's first example assumes `your_custom_streaming_client(topic)`, something that yields text
# as a model produces it. Here is one, written with the OpenAI SDK (`llm.client()` is an `openai.OpenAI`
# configured for the current endpoint):

# %%
from typing import TypedDict

from livegraph.graph import START, StateGraph

openai_client = llm.client()


def your_custom_streaming_client(topic: str):
    """Yield the pieces of a model's answer about `topic` as they arrive."""
    stream = openai_client.chat.completions.create(
        model=llm.default_model(),
        messages=[{"role": "user", "content": f"Tell me about {topic}"}],
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            yield chunk.choices[0].delta.content


class State(TypedDict):
    topic: str
    result: str


# %% [markdown]
# Now the page's code. The only addition is the edge from `START`, where the page says
# *"Add other nodes and edges as needed"*: a graph needs an entry point.

# %%
from livegraph.config import get_stream_writer

def call_arbitrary_model(state):
    """Example node that calls an arbitrary model and streams the output"""
    writer = get_stream_writer()
    # Assume you have a streaming client that yields chunks
    for chunk in your_custom_streaming_client(state["topic"]):
        writer({"custom_llm_chunk": chunk})
    return {"result": "completed"}

graph = (
    StateGraph(State)
    .add_node(call_arbitrary_model)
    # Add other nodes and edges as needed
    .add_edge(START, "call_arbitrary_model")
    .compile()
)

for chunk in graph.stream(
    {"topic": "cats"},
    stream_mode="custom",
):
    # The chunk will contain the custom data streamed from the llm
    print(chunk)

# %% [markdown]
# ## What `custom` mode is
#
# A node gets a **stream writer** with `get_stream_writer()`. Whatever it passes to the writer comes out
# of `graph.stream(..., stream_mode="custom")` right away, while the node is still running: the shape is
# yours (here `{"custom_llm_chunk": ...}`), and the model can be anything that yields text.
#
# That is the point of the page: LangGraph's `messages` mode only sees LangChain chat models, while
# `custom` mode works with any client. Modes combine; with a list you get `(mode, chunk)` pairs:

# %%
for mode, chunk in graph.stream({"topic": "dogs"}, stream_mode=["custom", "updates"]):
    if mode == "custom":
        print(chunk["custom_llm_chunk"], end="")
    else:
        print(f"\n{mode}: {chunk}")

# %% [markdown]
# ## 2. The extended example: a tool that streams a completion
#
# The page's second example is async. It makes a module-level `AsyncOpenAI()` client, which finds the
# embedded server through the variables the first cell set. The model name is the page's; the
# embedded server answers to any name.

# %%
import operator
import json

from typing import TypedDict
from typing_extensions import Annotated
from livegraph.graph import StateGraph, START

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

# %% [markdown]
# Invoke it with an assistant message that calls the tool, as the page does. Jupyter runs top-level
# `async for`, so the page's loop works as written:

# %%
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


# %% [markdown]
# The tool's answer ends up in the state as a `tool` message:

# %%
final = await graph.ainvoke(inputs)
print(final["messages"][-1]["content"])

# %% [markdown]
# ## Watch it
#
# Printing chunks is the start. `livegraph.notebook` runs the same graph in the cell and shows it
# live: the diagram with the running node lit, and a panel that fills with the tokens as they stream.
# When the run ends, the cell keeps a static record (diagram and transcript), which a saved notebook
# shows without a kernel. It returns the final state.
#
# This graph is async and its `AsyncOpenAI()` client already lives on the notebook's event loop, so
# we `await lgn.arun(...)`; for other graphs, a plain `lgn.run(graph, inputs)` does the same.

# %% tags=["nbval-ignore-output"]
import livegraph.notebook as lgn

state = await lgn.arun(graph, inputs)

# %%
print(state["messages"][-1]["content"])

# %% [markdown]
# **Next:** [02 Any LLM](02_any_llm.ipynb) covers the OpenAI SDK, local servers and tool calls;
# [03 The live view](03_live_view.ipynb) is all about watching graphs run.
