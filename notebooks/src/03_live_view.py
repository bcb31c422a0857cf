# %% [markdown]
# # The live view
#
# `livegraph.notebook.run(graph, inputs)` runs a graph in the cell and lets you watch it:
#
# - the **diagram**, with the running node(s) lit in orange and finished ones in green;
# - a **status line**: step, running nodes, elapsed time, tokens per second;
# - a **panel per task** that fills with the node's streamed chunks as they arrive (parallel branches
#   and `Send` workers each get their own);
# - when the run ends, a **static record** (diagram and transcript) that stays in the saved notebook.
#
# The embedded model streams at 50 tokens a second here, slow enough to watch.

# %%
import os

from livegraph import llm

# The embedded model streams this notebook at 50 tokens a second; LIVEGRAPH_TOKENS_PER_SECOND, when set
# (say before `make lab`), wins: a teacher can speed a whole room up or slow it down.
os.environ.setdefault("LIVEGRAPH_TOKENS_PER_SECOND", "50")
if os.environ.get("LIVEGRAPH_EMBEDDED") != "0":  # LIVEGRAPH_EMBEDDED=0 keeps your own OPENAI_* settings
    llm.use_embedded()
llm.warm_up()  # load the OpenAI SDK and start the model now, so that the first run streams at once

import livegraph.notebook as lgn

# %% [markdown]
# ## Diagrams
#
# A compiled graph shows itself as a diagram, drawn offline (Graphviz, bundled through the
# `graphviz-pure` package). Here is a small pipeline: research a topic, then write an intro and a
# body in parallel, then join them.

# %%
import operator
from typing import Annotated, TypedDict

from livegraph.graph import END, START, StateGraph


class Article(TypedDict):
    topic: str
    facts: str
    sections: Annotated[list[str], operator.add]
    article: str


def ask(prompt: str) -> str:
    return llm.chat([{"role": "user", "content": prompt}])["content"]


def research(state: Article):
    return {"facts": ask(f"Tell me about {state['topic']}")}


def intro(state: Article):
    return {"sections": ["Intro: " + ask(f"Tell me a joke about {state['topic']}")]}


def body(state: Article):
    return {"sections": ["Body: " + ask("Explain streaming")]}


def assemble(state: Article):
    return {"article": "\n".join(sorted(state["sections"]))}


pipeline = (
    StateGraph(Article)
    .add_node(research)
    .add_node(intro)
    .add_node(body)
    .add_node(assemble)
    .add_edge(START, "research")
    .add_edge("research", "intro")
    .add_edge("research", "body")
    .add_edge(["intro", "body"], "assemble")
    .add_edge("assemble", END)
    .compile()
)
pipeline

# %% [markdown]
# The drawing calls LangGraph users know work too, as text (no web service involved):

# %%
print(pipeline.get_graph().draw_mermaid())

# %% [markdown]
# ## Run it and watch
#
# Run the next cell and watch `research` light up and fill its panel, then `intro` and `body` stream
# side by side in their own panels.

# %% tags=["nbval-ignore-output"]
state = lgn.run(pipeline, {"topic": "cats"})

# %%
print(state["article"])

# %% [markdown]
# ## `Send` fan-out: one panel per worker
#
# A router can return `Send(node, input)` objects to start one task per item, all in the same step.
# Each task gets its own panel: `write #1`, `write #2`, `write #3`.

# %%
from livegraph.types import Send


class Notes(TypedDict):
    topics: list[str]
    notes: Annotated[list[str], operator.add]


def plan(state: Notes):
    return {}


def fan_out(state: Notes):
    return [Send("write", {"topic": topic}) for topic in state["topics"]]


def write(task: dict):
    return {"notes": [ask(f"Tell me about {task['topic']}")]}


notes = (
    StateGraph(Notes)
    .add_node(plan)
    .add_node(write)
    .add_edge(START, "plan")
    .add_conditional_edges("plan", fan_out, ["write"])
    .add_edge("write", END)
    .compile()
)
notes

# %% tags=["nbval-ignore-output"]
state = lgn.run(notes, {"topics": ["cats", "dogs", "the ocean"]})

# %%
for note in state["notes"]:
    print("-", note[:60] + "...")


# %% [markdown]
# ## When a node fails
#
# The failing node's panel turns red and shows the error; the run's exception is raised as usual,
# after the view has recorded it.

# %% tags=["nbval-ignore-output"]
def fragile(state: Notes):
    ask("Tell me about dogs")
    raise ValueError("the notes service is down")


broken = StateGraph(Notes).add_node(fragile).add_edge(START, "fragile").compile()

try:
    lgn.run(broken, {"topics": []})
except ValueError as exc:
    error = exc

# %%
print(f"{type(error).__name__}: {error}")


# %% [markdown]
# ## Async graphs
#
# `run` works with `async def` nodes as well (livegraph runs them on its own event loop, so the cell
# can stay a plain call). Inside async code, `await lgn.arun(...)` runs on the notebook's loop.

# %% tags=["nbval-ignore-output"]
async def haiku(state: Article):
    reply = await llm.achat([{"role": "user", "content": f"Tell me a joke about {state['topic']}"}])
    return {"article": reply["content"]}


poet = StateGraph(Article).add_node(haiku).add_edge(START, "haiku").add_edge("haiku", END).compile()

state = await lgn.arun(poet, {"topic": "robots"})

# %%
print(state["article"])

# %% [markdown]
# ## Your own loop: `Panel` and `RunView`
#
# `run` is a convenience. A `Panel` is a text panel you feed yourself, from any `graph.stream(...)` loop.
# It appends each chunk in place: text as text (message chunks, `{"custom_llm_chunk": ...}`,
# `{"role", "content"}` dicts), anything else as one compact line.

# %% tags=["nbval-ignore-output"]
from IPython.display import display


def tell(state: Article):
    return {"facts": ask(f"Tell me about {state['topic']}")}


teller = StateGraph(Article).add_node(tell).add_edge(START, "tell").add_edge("tell", END).compile()

panel = lgn.Panel("tell")
display(panel)
for mode, chunk in teller.stream({"topic": "the ocean"}, stream_mode=["messages", "updates"]):
    panel.append(chunk)

# %%
print(panel.text)

# %% [markdown]
# One panel shows one stream: tokens from parallel nodes would interleave in it. That is why the
# run view opens a panel per task.

# %% [markdown]
# A `RunView` is the whole view. Feed it livegraph's `events` stream (every task start, chunk, end and
# error, attributed to its task) and it does the rest; `record_bundle()` is the record it leaves.

# %% tags=["nbval-ignore-output"]
view = lgn.RunView(notes)
display(view)
with view:
    for event in notes.stream({"topics": ["graphs", "streaming"]}, stream_mode="events"):
        view.feed(event)

# %%
print(view.record_bundle()["text/plain"])

# %% [markdown]
# Outside Jupyter (a script, a terminal), `lgn.run` prints the same run as plain text instead.
#
# **Next:** [04 Routing and control](04_routing_and_control.ipynb).
