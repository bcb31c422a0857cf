# %% [markdown]
# # Any LLM
#
# A node can stream tokens from anything: the OpenAI SDK (sync or async), any server that speaks the
# OpenAI protocol (Ollama, vLLM, llama.cpp, LM Studio), or a plain Python iterable of text.
# `livegraph.llm` has one small helper for each, and they all feed the same two stream modes.
#
# | you have | in a node call | returns |
# |---|---|---|
# | `OpenAI().chat.completions.create(..., stream=True)` | `llm.stream_chat(stream)` | the assistant message |
# | the same from `AsyncOpenAI()` | `await llm.astream_chat(stream)` | the assistant message |
# | any iterable of text | `llm.stream_text(pieces)` | the text |
# | a Responses API stream (`client.responses.create`) | `llm.stream_response(stream)` | the assistant message |
# | just a prompt | `llm.chat(messages)` / `await llm.achat(messages)` | the assistant message |

# %%
import os

from livegraph import llm

# The embedded model streams this notebook at 60 tokens a second; LIVEGRAPH_TOKENS_PER_SECOND, when set
# (say before `make lab`), wins: a teacher can speed a whole room up or slow it down.
os.environ.setdefault("LIVEGRAPH_TOKENS_PER_SECOND", "60")
if os.environ.get("LIVEGRAPH_EMBEDDED") != "0":  # LIVEGRAPH_EMBEDDED=0 keeps your own OPENAI_* settings
    llm.use_embedded()
llm.warm_up()  # load the OpenAI SDK and start the model now, so that the first run streams at once

# %% [markdown]
# ## Where the model lives
#
# livegraph reads the OpenAI SDK's own variables, plus one of its own:
#
# - `OPENAI_BASE_URL`, `OPENAI_API_KEY`: the endpoint. With neither set, livegraph starts the embedded
#   server on first use. `llm.use_embedded()` (the first cell) starts it and sets both to point at it.
# - `LIVEGRAPH_MODEL`: the model name (default `livegraph-tiny` on the embedded server).
#
# The embedded server is an OpenAI-compatible server like any other:

# %%
from openai import OpenAI

base_url = os.environ["OPENAI_BASE_URL"]  # http://127.0.0.1:<port>/v1 for the embedded server
local = OpenAI(base_url=base_url, api_key="anything")
print([model.id for model in local.models.list()])
print(llm.default_model())

# %% [markdown]
# To use a local server, set the variables **before starting Jupyter**, with `LIVEGRAPH_EMBEDDED=0` so
# that the first cell of each notebook leaves them alone:
#
# | server | `OPENAI_BASE_URL` | `OPENAI_API_KEY` | `LIVEGRAPH_MODEL` |
# |---|---|---|---|
# | Ollama | `http://localhost:11434/v1` | `ollama` | `llama3.2` (any pulled model) |
# | vLLM | `http://localhost:8000/v1` | `EMPTY` | the served model |
# | llama.cpp `llama-server` | `http://localhost:8080/v1` | `none` | any name |
# | LM Studio | `http://localhost:1234/v1` | `lm-studio` | the loaded model |
# | OpenAI | *(unset)* | your key | `gpt-4o-mini` (the default) |
#
# Or change them in a running kernel: livegraph reads them at each call. Here the embedded server plays
# Ollama's part:

# %%
os.environ.update(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="ollama", LIVEGRAPH_MODEL="llama3.2")

reply = llm.chat([{"role": "user", "content": "Hello!"}])
print(llm.default_model(), "->", reply["content"])

del os.environ["LIVEGRAPH_MODEL"]
llm.use_embedded()  # back to the embedded model
print(llm.default_model())

# %% [markdown]
# ## The OpenAI SDK in a node
#
# Make the call with `stream=True` as usual, and hand the stream to `llm.stream_chat`. It passes each
# token to the graph's stream as it arrives and returns the assembled message.

# %%
from typing import TypedDict

from livegraph.graph import END, START, StateGraph

client = llm.client()  # an openai.OpenAI; OpenAI() works too after use_embedded()


class QA(TypedDict):
    question: str
    answer: str


def answer(state: QA):
    stream = client.chat.completions.create(
        model=llm.default_model(),
        messages=[{"role": "user", "content": state["question"]}],
        stream=True,
    )
    reply = llm.stream_chat(stream)
    return {"answer": reply["content"]}


qa = StateGraph(QA).add_node(answer).add_edge(START, "answer").add_edge("answer", END).compile()

for token, metadata in qa.stream({"question": "What is streaming?"}, stream_mode="messages"):
    if token.content:  # the last chunks carry only the finish reason and token usage
        print(token.content, end="|")

# %% [markdown]
# That is `messages` mode: `(message_chunk, metadata)` pairs, as in LangGraph, but from a raw OpenAI
# client, with no LangChain involved. The chunk is a small dataclass, `livegraph.MessageChunk`
# (`content`, `role`, `id`, `tool_call_chunks`, `usage`, ...). The metadata says where it came from:

# %%
token, metadata = next(iter(qa.stream({"question": "What is streaming?"}, stream_mode="messages")))
print(type(token).__name__, repr(token.content))
print({key: metadata[key] for key in ("langgraph_node", "langgraph_step", "langgraph_triggers")})

# %% [markdown]
# ### Async
#
# The same with `AsyncOpenAI` and `astream_chat`, in an `async def` node. `llm.achat(messages)` is the
# shortcut for both steps (it makes the call with the configured client and streams it).

# %%
from openai import AsyncOpenAI

aclient = AsyncOpenAI()


async def answer_async(state: QA):
    stream = await aclient.chat.completions.create(
        model=llm.default_model(),
        messages=[{"role": "user", "content": state["question"]}],
        stream=True,
    )
    reply = await llm.astream_chat(stream)
    return {"answer": reply["content"]}


qa_async = (
    StateGraph(QA).add_node("answer", answer_async).add_edge(START, "answer").add_edge("answer", END).compile()
)

async for token, metadata in qa_async.astream({"question": "Tell me about graphs"}, stream_mode="messages"):
    if token.content:
        print(token.content, end="|")


# %% [markdown]
# ## Any iterable of text
#
# A client with its own streaming interface (a local library, a websocket, a test double) only has to
# give you text pieces. `llm.stream_text` takes any iterable (`astream_text` any async iterable):

# %%
import time


def my_model(prompt: str):
    """A stand-in for any client that yields text."""
    for word in f"You asked: {prompt}. Here is my answer, one word at a time.".split(" "):
        time.sleep(0.01)
        yield word + " "


def echo(state: QA):
    return {"answer": llm.stream_text(my_model(state["question"]))}


echo_graph = StateGraph(QA).add_node(echo).add_edge(START, "echo").add_edge("echo", END).compile()

for token, _ in echo_graph.stream({"question": "why is the sky blue"}, stream_mode="messages"):
    print(token.content, end="|")


# %% [markdown]
# ## `messages` or `custom`?
#
# - **`messages`**: LangGraph's token stream. Every helper above writes to it. Consumers that already
#   read LangGraph's `messages` mode (a chat UI, a notebook panel) keep working.
# - **`custom`**: whatever the node writes with `get_stream_writer()`. Ask a helper with `custom=True`
#   and it also writes `{"role": ..., "content": ...}` per token, the shape of LangGraph's own example;
#   pass a function instead to choose the shape.
#
# Asking for both shows the two views of one token stream:

# %%
def shout(state: QA):
    reply = llm.chat(
        [{"role": "user", "content": state["question"]}],
        custom=lambda piece: {"loud": piece.content.upper()} if piece.content else None,
    )
    return {"answer": reply["content"]}


shout_graph = StateGraph(QA).add_node(shout).add_edge(START, "shout").add_edge("shout", END).compile()

for mode, item in shout_graph.stream({"question": "Hello there"}, stream_mode=["messages", "custom"]):
    if mode == "custom":
        print(f"custom    {item}")
    elif item[0].content:
        print(f"messages  {item[0].content!r}")

# %% [markdown]
# ## Tool calls
#
# Pass `tools=` (OpenAI tool definitions, or plain functions: `llm.tool_schema` builds the definition
# from the signature and docstring). The model's tool calls stream in as deltas
# (`MessageChunk.tool_call_chunks`); the helper returns them assembled, with complete JSON arguments.
# The embedded model calls a tool when the question matches its description.
#
# A small agent: the model asks for a tool, a node runs it, the model answers with the result.

# %%
import json
import operator
from typing import Annotated, Literal


def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"sunny and 21 degrees in {city}"


TOOLS = {"get_weather": get_weather}


class Chat(TypedDict):
    messages: Annotated[list[dict], operator.add]


def agent(state: Chat):
    reply = llm.chat(state["messages"], tools=[get_weather])
    reply.pop("usage", None)  # token counts: not part of the conversation
    return {"messages": [reply]}


def tools(state: Chat):
    results = []
    for call in state["messages"][-1]["tool_calls"]:
        name, arguments = call["function"]["name"], json.loads(call["function"]["arguments"])
        results.append({"role": "tool", "tool_call_id": call["id"], "name": name,
                        "content": TOOLS[name](**arguments)})
    return {"messages": results}


def next_step(state: Chat) -> Literal["tools", "__end__"]:
    return "tools" if state["messages"][-1].get("tool_calls") else END


agent_graph = (
    StateGraph(Chat)
    .add_node(agent)
    .add_node(tools)
    .add_edge(START, "agent")
    .add_conditional_edges("agent", next_step)
    .add_edge("tools", "agent")
    .compile()
)
agent_graph

# %%
question = {"messages": [{"role": "user", "content": "What is the weather in Paris?"}]}

in_text = False
for mode, item in agent_graph.stream(question, stream_mode=["messages", "updates"]):
    if mode == "messages":
        token, metadata = item
        for delta in token.tool_call_chunks:
            print("tool call delta:", delta)
        if token.content:
            print(token.content, end="")
            in_text = True
    else:
        print(("\n" if in_text else "") + f"[{next(iter(item))} done]")
        in_text = False

# %%
final = agent_graph.invoke(question)
for message in final["messages"]:
    print(f"{message['role']:9}", message.get("tool_calls") or message["content"])

# %% [markdown]
# **Next:** [03 The live view](03_live_view.ipynb) shows these streams as they happen.
