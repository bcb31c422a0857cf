# %% [markdown]
# # Routing and control
#
# How a graph decides what runs next: conditional edges, `Send` for map-reduce, `Command` to update and
# jump in one go, and subgraphs. Then what livegraph says when something is wrong.

# %%
import os

from livegraph import llm

# The embedded model streams this notebook at 30 tokens a second; LIVEGRAPH_TOKENS_PER_SECOND, when set
# (say before `make lab`), wins: a teacher can speed a whole room up or slow it down.
os.environ.setdefault("LIVEGRAPH_TOKENS_PER_SECOND", "30")
if os.environ.get("LIVEGRAPH_EMBEDDED") != "0":  # LIVEGRAPH_EMBEDDED=0 keeps your own OPENAI_* settings
    llm.use_embedded()
llm.warm_up()  # load the OpenAI SDK and start the model now, so that the first run streams at once

import operator
from typing import Annotated, Literal, TypedDict

from livegraph.graph import END, START, StateGraph
from livegraph.types import Command, Send


# %% [markdown]
# ## Conditional edges
#
# A router reads the state and names the next node. A `Literal` return type (or a `path_map`) tells
# the diagram where it may go: those edges are drawn dashed.

# %%
class Ticket(TypedDict):
    text: str
    route: str
    reply: str


def classify(state: Ticket):
    return {"route": "refund" if "money back" in state["text"] else "question"}


def refund(state: Ticket):
    return {"reply": "A refund is on its way."}


def question(state: Ticket):
    answer = llm.chat([{"role": "user", "content": state["text"]}])
    return {"reply": answer["content"]}


def by_route(state: Ticket) -> Literal["refund", "question"]:
    return state["route"]


support = (
    StateGraph(Ticket)
    .add_node(classify)
    .add_node(refund)
    .add_node(question)
    .add_edge(START, "classify")
    .add_conditional_edges("classify", by_route)
    .add_edge("refund", END)
    .add_edge("question", END)
    .compile()
)
support

# %%
for text in ["I want my money back", "Tell me about graphs"]:
    print(support.invoke({"text": text})["reply"])

# %% [markdown]
# `stream_mode="updates"` shows the path taken, one node at a time:

# %%
for update in support.stream({"text": "I want my money back"}, stream_mode="updates"):
    print(update)


# %% [markdown]
# ## Map-reduce with `Send`
#
# When the number of branches depends on the data, the router returns `Send(node, input)` objects:
# one task per item, all in the same step, each with its own input. A reducer
# (`Annotated[list, operator.add]`) collects their results.

# %%
class Review(TypedDict):
    places: list[str]
    findings: Annotated[list[str], operator.add]
    summary: str


def per_place(state: Review):
    return [Send("inspect", {"place": place}) for place in state["places"]]


def inspect(task: dict):
    answer = llm.chat([{"role": "user", "content": f"What items are in the {task['place']}?"}])
    return {"findings": [answer["content"]]}


def summarize(state: Review):
    return {"summary": f"{len(state['findings'])} places inspected"}


review = (
    StateGraph(Review)
    .add_node(inspect)
    .add_node(summarize)
    .add_conditional_edges(START, per_place, ["inspect"])
    .add_edge("inspect", "summarize")
    .add_edge("summarize", END)
    .compile()
)
result = review.invoke({"places": ["kitchen", "garage", "garden"]})
print(result["summary"])
for finding in result["findings"]:
    print("-", finding)


# %% [markdown]
# ## `Command`: update and go
#
# A node can return `Command(update=..., goto=...)` to change the state and choose the next node in one
# value, with no router. Declare where it may go (`destinations=`) so the diagram can draw it.

# %%
class Counter(TypedDict):
    count: int
    trail: Annotated[list[str], operator.add]


def decide(state: Counter):
    if state["count"] >= 3:
        return Command(update={"trail": ["decide: stop"]}, goto=END)
    return Command(update={"trail": [f"decide: {state['count']}"]}, goto="increment")


def increment(state: Counter):
    return {"count": state["count"] + 1, "trail": ["increment"]}


loop = (
    StateGraph(Counter)
    .add_node(decide, destinations=("increment", END))
    .add_node(increment)
    .add_edge(START, "decide")
    .add_edge("increment", "decide")
    .compile()
)
print(loop.invoke({"count": 1})["trail"])
loop


# %% [markdown]
# ## Subgraphs
#
# A compiled graph can be a node of another. The parent passes the keys they share and takes back the
# subgraph's result. `subgraphs=True` streams from inside it too: each item is tagged with a namespace,
# `()` for the parent graph, `("node:<task id>",)` inside the subgraph.

# %%
class Draft(TypedDict):
    topic: str
    text: str


def draft(state: Draft):
    return {"text": llm.chat([{"role": "user", "content": f"Tell me about {state['topic']}"}])["content"]}


def trim(state: Draft):
    return {"text": state["text"].split(". ")[0] + "."}


writer = StateGraph(Draft).add_sequence([draft, trim]).add_edge(START, "draft").compile(name="writer")


def publish(state: Draft):
    return {"text": state["text"].upper()}


newsroom = (
    StateGraph(Draft)
    .add_node("writer", writer)
    .add_node(publish)
    .add_edge(START, "writer")
    .add_edge("writer", "publish")
    .add_edge("publish", END)
    .compile()
)

for namespace, update in newsroom.stream({"topic": "dogs"}, stream_mode="updates", subgraphs=True):
    print(namespace, update)

# %% [markdown]
# With `xray=True`, the live view draws the subgraph expanded, and lights its inner nodes as they run:

# %% tags=["nbval-ignore-output"]
import livegraph.notebook as lgn

state = lgn.run(newsroom, {"topic": "cats"}, xray=True)

# %%
print(state["text"])


# %% [markdown]
# ## Errors, and what they say
#
# livegraph's errors name the node, the key or the edge involved and say how to fix it. They keep
# LangGraph's classes (`InvalidUpdateError`, `GraphRecursionError`, ...), so existing `except` clauses
# still work.
#
# **Building.** `compile()` checks the whole graph and lists every problem at once:

# %%
def noop(state: Counter):
    return {}


try:
    (
        StateGraph(Counter)
        .add_node(noop)
        .add_edge(START, "noop")
        .add_edge("noop", "nope")
        .add_edge("oops", END)
        .compile()
    )
except ValueError as exc:
    print(f"{type(exc).__name__}: {exc}")


# %% [markdown]
# **Two writers, one key.** Parallel nodes writing a key that has no reducer:

# %%
def left(state: Counter):
    return {"count": 1}


def right(state: Counter):
    return {"count": 2}


clash = (
    StateGraph(Counter).add_node(left).add_node(right)
    .add_edge(START, "left").add_edge(START, "right").compile()
)
try:
    clash.invoke({"count": 0})
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")

# %% [markdown]
# **A loop that never ends** stops at `recursion_limit` (as in LangGraph: 10007 supersteps by default, or
# `LANGGRAPH_DEFAULT_RECURSION_LIMIT`); the last step it allows runs in full, then the run raises:

# %%
forever = (
    StateGraph(Counter).add_node(increment)
    .add_edge(START, "increment").add_edge("increment", "increment").compile()
)
try:
    forever.invoke({"count": 0}, {"recursion_limit": 5})
except RecursionError as exc:
    print(f"{type(exc).__name__}: {exc}")

# %% [markdown]
# **A router that names an unknown node**, and **a node that returns the wrong thing**:

# %%
lost = (
    StateGraph(Ticket).add_node(classify).add_edge(START, "classify")
    .add_conditional_edges("classify", lambda state: "refunds").compile()
)
try:
    lost.invoke({"text": "I want my money back"})
except ValueError as exc:
    print(f"{type(exc).__name__}: {exc}")


def sloppy(state: Counter):
    return state["count"] + 1


try:
    StateGraph(Counter).add_node(sloppy).add_edge(START, "sloppy").compile().invoke({"count": 0})
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")


# %% [markdown]
# **An error inside a node** comes out as itself, with a note saying which task raised it:

# %%
def divide(state: Counter):
    return {"count": 10 // state["count"]}


try:
    StateGraph(Counter).add_node(divide).add_edge(START, "divide").compile().invoke({"count": 0})
except ZeroDivisionError as exc:
    print(f"{type(exc).__name__}: {exc}")
    print(*exc.__notes__, sep="\n")

# %% [markdown]
# **An LLM stream that breaks** fails the node with one `LLMStreamError` naming the node and the model;
# what streamed before the break is kept on it. The embedded model can act out faults on request:

# %%
llm.use_embedded([llm.Fault("drop", after=4)])  # the next reply breaks off

try:
    support.invoke({"text": "Tell me about graphs"})
except llm.LLMStreamError as exc:
    print(f"{type(exc).__name__}: {exc}")
    print("partial text:", repr(exc.partial_text))

# %% [markdown]
# **Next:** [05 People in the loop](05_people_in_the_loop.ipynb).
