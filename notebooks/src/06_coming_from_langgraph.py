# %% [markdown]
# # Coming from LangGraph
#
# livegraph implements LangGraph's `StateGraph` API, under the same module paths (`.graph`, `.types`,
# `.config`, `.errors`, `.runtime`). Moving a graph over usually means changing the imports:
#
# ```diff
# - from langgraph.graph import StateGraph, START, END
# - from langgraph.types import Send, Command, interrupt
# - from langgraph.checkpoint.memory import InMemorySaver
# + from livegraph.graph import StateGraph, START, END
# + from livegraph.types import Send, Command, interrupt
# + from livegraph.checkpoint.memory import InMemorySaver
# ```
#
# Then you get what LangGraph does not have: an event stream that says who wrote each chunk, the live
# view, an offline model, sync calls on async graphs in Jupyter, and a warning when an async node
# blocks the event loop.

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
# ## A LangGraph graph, moved over
#
# A typical LangGraph program: a typed state with a reducer, a planner fanning out with `Send`, workers
# writing with `get_stream_writer()`, a join. Apart from the imports, nothing below is specific to
# livegraph.

# %%
import operator
import time
from typing import Annotated, TypedDict

from livegraph.config import get_stream_writer
from livegraph.graph import END, START, StateGraph
from livegraph.types import Send


class Trip(TypedDict):
    city: str
    stops: list[str]
    plans: Annotated[list[str], operator.add]
    itinerary: str


def plan_stops(state: Trip):
    return {"stops": ["museum", "market"]}


def visit_each(state: Trip):
    return [Send("visit", {"city": state["city"], "stop": stop}) for stop in state["stops"]]


def visit(task: dict):
    writer = get_stream_writer()
    for step in ("walk", "look", "leave"):
        writer({"step": step})
        time.sleep(0.3)  # stands for real work (and leaves something to watch)
    return {"plans": [f"{task['stop']} in {task['city']}"]}


def itinerary(state: Trip):
    return {"itinerary": " -> ".join(state["plans"])}


trip = (
    StateGraph(Trip)
    .add_node(plan_stops)
    .add_node(visit)
    .add_node(itinerary)
    .add_edge(START, "plan_stops")
    .add_conditional_edges("plan_stops", visit_each, ["visit"])
    .add_edge("visit", "itinerary")
    .add_edge("itinerary", END)
    .compile()
)

print(trip.invoke({"city": "Lisbon"})["itinerary"])
print(len(list(trip.stream({"city": "Lisbon"}, stream_mode="custom"))), "custom chunks")

# %% [markdown]
# Everything LangGraph streams is there: `values`, `updates`, `custom`, `messages`, `tasks`, `debug`,
# several at once, `subgraphs=True`, and `version="v2"` dicts.
#
# ## 1. Who wrote that chunk? The `events` stream
#
# Those six `custom` chunks say nothing of who wrote them: the two `visit` workers run at once, and
# their `{"step": ...}` chunks arrive mixed. livegraph's `events` mode attributes everything (task
# starts and ends, chunks, messages, errors) to its task. Each `Event` has `kind`, `node`, `task_id`,
# `step`, `ns` (the subgraph path), `time` and `data`. The live view is built on it.

# %%
workers, written = {}, {}
for event in trip.stream({"city": "Lisbon"}, stream_mode="events"):
    if event.kind == "task_start" and event.node == "visit":
        workers[event.task_id] = f"visit({event.data['input']['stop']})"
    elif event.kind == "chunk":
        written.setdefault(workers[event.task_id], []).append(event.data["step"])

for worker in sorted(written):
    print(worker, "wrote", written[worker])

# %% [markdown]
# ## 2. Watch it run
#
# `livegraph.notebook.run` shows the diagram with the running nodes lit and a panel per task
# (see [03 The live view](03_live_view.ipynb)).

# %% tags=["nbval-ignore-output"]
import livegraph.notebook as lgn

state = lgn.run(trip, {"city": "Lisbon"})

# %%
print(state["itinerary"])


# %% [markdown]
# ## 3. A model that needs no network
#
# LangGraph's `messages` mode streams tokens only from LangChain chat models. livegraph streams them
# from the OpenAI SDK, any OpenAI-compatible server, or any iterable (see [02 Any LLM](02_any_llm.ipynb)),
# and ships an embedded offline model, so this works on a train:

# %%
class Question(TypedDict):
    question: str
    answer: str


def answer(state: Question):
    return {"answer": llm.chat([{"role": "user", "content": state["question"]}])["content"]}


qa = StateGraph(Question).add_node(answer).add_edge(START, "answer").add_edge("answer", END).compile()

for token, metadata in qa.stream({"question": "Tell me a joke about graphs"}, stream_mode="messages"):
    if token.content:
        print(token.content, end="|")


# %% [markdown]
# ## 4. Sync calls on async graphs, in Jupyter
#
# In LangGraph, a graph with an `async def` node must be run with `ainvoke` / `astream`, and
# `asyncio.run` fails inside Jupyter (the notebook's own loop is already running). livegraph's
# `invoke` and `stream` work on async graphs everywhere, including a cell: they run the graph on a
# background event loop and stream its output back live.

# %%
async def answer_async(state: Question):
    reply = await llm.achat([{"role": "user", "content": state["question"]}])
    return {"answer": reply["content"]}


qa_async = (
    StateGraph(Question)
    .add_node("answer", answer_async)
    .add_edge(START, "answer")
    .add_edge("answer", END)
    .compile()
)

print(qa_async.invoke({"question": "What is streaming?"})["answer"])

# %% [markdown]
# `await qa_async.ainvoke(...)` works as well. One caveat for async clients you make yourself: a client
# such as `AsyncOpenAI()` keeps its connections on the event loop that first used it, so use one client
# per loop, or `llm.achat`, which does that for you.
#
# ## 5. A warning when an async node blocks the loop
#
# An `async def` node that calls blocking code (`time.sleep`, a sync HTTP client) freezes the event loop:
# nothing streams until it awaits, then everything arrives at once. LangGraph stays silent; livegraph
# warns, naming the node, and adds a `loop_blocked` event to the `events` stream:

# %%
import time
import warnings


async def slow_lookup(state: Question):
    time.sleep(0.8)  # blocking! use `await asyncio.sleep(...)` or a plain `def` node
    return {"answer": "42"}


slow = StateGraph(Question).add_node(slow_lookup).add_edge(START, "slow_lookup").compile()

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for event in slow.stream({"question": "?"}, stream_mode="events"):
        if event.kind == "loop_blocked":
            print(f"event: loop_blocked by `{event.node}`")

for warning in caught:
    print(f"{warning.category.__name__}: {warning.message}")


# %% [markdown]
# (`catch_warnings` only collects the warning to print it here; without it, it shows as a normal
# warning in the cell.)
#
# ## 6. Errors that say what to do
#
# Errors keep LangGraph's classes and add the node, the key and a fix to the message:

# %%
def a(state: Trip):
    return {"itinerary": "a"}


def b(state: Trip):
    return {"itinerary": "b"}


both = StateGraph(Trip).add_node(a).add_node(b).add_edge(START, "a").add_edge(START, "b").compile()
try:
    both.invoke({"city": "Lisbon"})
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")

# %% [markdown] tags=["not-in-lite"]
# ## 7. ChatOpenAI, `ToolNode` and `create_react_agent`
#
# Chat code written for LangGraph (`MessagesState`, a LangChain chat model, `livegraph.prebuilt`) runs as
# it is with `pip install 'livegraph[langchain]'`. `ChatOpenAI` reads the same `OPENAI_*` variables, so
# here it talks to the embedded model over HTTP. Its tokens stream in `messages` mode as
# `(AIMessageChunk, metadata)`, with LangGraph's metadata, even though the node calls `invoke`:

# %% tags=["not-in-lite"]
from langchain_openai import ChatOpenAI

from livegraph.graph import MessagesState

model = ChatOpenAI(model=llm.default_model())


def chatbot(state: MessagesState):
    return {"messages": [model.invoke(state["messages"])]}


chat = StateGraph(MessagesState).add_node(chatbot).add_edge(START, "chatbot").compile()

for token, metadata in chat.stream({"messages": [("user", "Tell me a joke about graphs")]}, stream_mode="messages"):
    print(token.content, end="|")
print("\n" + metadata["langgraph_node"], metadata["ls_provider"], metadata["ls_model_name"])


# %% [markdown] tags=["not-in-lite"]
# The same with `ainvoke` in an `async def` node, streamed with `astream`:

# %% tags=["not-in-lite"]
async def achatbot(state: MessagesState):
    return {"messages": [await model.ainvoke(state["messages"])]}


achat = StateGraph(MessagesState).add_node("chatbot", achatbot).add_edge(START, "chatbot").compile()

async for token, metadata in achat.astream({"messages": [("user", "What is streaming?")]}, stream_mode="messages"):
    print(token.content, end="")


# %% [markdown] tags=["not-in-lite"]
# `create_react_agent` builds LangGraph's tool-calling loop: an `agent` node calls the model, a `tools`
# node (a `ToolNode`) runs the tools it asks for, and back, until the model answers. In the live view the
# loop is visible and each node streams into its own panel:

# %% tags=["nbval-ignore-output", "not-in-lite"]
from langchain_core.tools import tool

from livegraph.prebuilt import create_react_agent


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"sunny and 21 degrees in {city}"


agent = create_react_agent(model, [get_weather])
state = lgn.run(agent, {"messages": [("user", "What is the weather in Paris?")]})

# %% tags=["not-in-lite"]
for message in state["messages"]:
    message.pretty_print()

# %% [markdown]
# ## What is different
#
# - Without `langchain-core`, messages are livegraph's own small classes (`livegraph.messages`: the same
#   `content`, `type`, `id`, `tool_calls`, `usage_metadata`, `pretty_print()`), and `livegraph.llm` streams
#   `livegraph.MessageChunk`s (LangChain's `AIMessageChunk` in shape: `content`, `id`, `tool_call_chunks`,
#   `usage_metadata`, `response_metadata`). With it, they are LangChain's classes, as in LangGraph.
# - The engine uses only the standard library; the model, diagrams and notebook views are extras.
# - LangGraph Platform pieces (the server, the SDK client, LangSmith) are not part of livegraph.
