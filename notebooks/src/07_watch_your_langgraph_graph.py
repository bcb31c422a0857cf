# %% [markdown]
# # Already on LangGraph? Watch your graph
#
# You do not have to move a graph to livegraph to watch it run. `livegraph.notebook` takes the graphs
# LangGraph itself compiles: the same live view (the diagram with running nodes lit, a panel per task
# streaming its tokens, the status line, errors in the failing node's panel, the interrupt form, the
# replay) and a diagram drawn offline, with no web service and no system Graphviz.
#
# ```sh
# pip install "livegraph[notebook]"     # next to your langgraph install; nothing of yours changes
# ```
#
# LangGraph stays your engine here: livegraph only reads its public streams (`tasks`, `updates`,
# `custom`, `messages`, `checkpoints`, `values`) and turns them into its own events.

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
# ## 1. A LangGraph graph, as you wrote it
#
# Everything below imports from `langgraph`. `research` streams from any client through LangGraph's
# `get_stream_writer()` (here the OpenAI SDK, talking to livegraph's embedded offline model);
# `write` calls a LangChain chat model, whose tokens LangGraph streams in `messages` mode (here
# LangChain's fake model, so that nothing needs a key).

# %%
from typing import TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph

client = llm.client()  # an openai.OpenAI for the embedded model (or your OPENAI_* settings)
chat_model = GenericFakeChatModel(messages=iter([AIMessage("Cats nap, purr and judge; then nap again.")] * 10))


class Note(TypedDict):
    topic: str
    facts: str
    note: str


def research(state: Note):
    writer, facts = get_stream_writer(), ""
    stream = client.chat.completions.create(
        model=llm.default_model(),
        messages=[{"role": "user", "content": f"Three facts about {state['topic']}."}],
        stream=True,
    )
    for chunk in stream:
        piece = (chunk.choices[0].delta.content or "") if chunk.choices else ""
        writer(piece)
        facts += piece
    return {"facts": facts}


def write(state: Note):
    return {"note": chat_model.invoke(f"Write a note from: {state['facts']}").content}


graph = (
    StateGraph(Note)
    .add_node(research)
    .add_node(write)
    .add_edge(START, "research")
    .add_edge("research", "write")
    .add_edge("write", END)
    .compile()
)
print(type(graph).__module__)

# %% [markdown]
# ## 2. The diagram, offline
#
# LangGraph's `draw_mermaid_png()` sends the graph to a web service and `draw_png()` needs a system
# Graphviz built with C headers. `livegraph.render` draws `graph.get_graph(xray=...)` locally
# (graphviz-pure comes with `livegraph[notebook]`), subgraphs as clusters, joins and `Command` routes
# marked. `show` is for a cell's last line; `to_svg`, `to_png` and `to_mermaid` give the text or bytes.

# %%
from livegraph import render

render.show(graph)

# %% [markdown]
# ## 3. Watch it run
#
# `lgn.run` runs the graph with LangGraph's own `stream` and shows the live view; it returns the final
# state, as `graph.invoke` would. (`await lgn.arun(...)` runs it with `astream`.)

# %% tags=["nbval-ignore-output"]
import livegraph.notebook as lgn

state = lgn.run(graph, {"topic": "cats"})

# %%
print(state["note"])

# %% [markdown]
# ## 4. Parallel workers, and what LangGraph's streams leave out
#
# A `Send` fan-out runs its workers at once. LangGraph's `messages` metadata names each token's task,
# so each worker gets its own panel (`draft #1`, `draft #2`), numbered as in livegraph's own view.
#
# LangGraph's `custom` chunks name only the (sub)graph they were written in, not the task. When one task
# runs there, the chunk is its own; when several run at once, livegraph does not guess: the chunks go
# to a panel named for all of them (`draft #1 / #2`). On livegraph's engine every chunk carries its
# task, so this panel never appears there.
#
# `lgn.stream_events` gives the same events the view reads, for your own loop:

# %%
import operator
from typing import Annotated

from langgraph.types import Send


class Drafts(TypedDict):
    topics: list[str]
    drafts: Annotated[list[str], operator.add]


def draft(task: dict):
    model = GenericFakeChatModel(messages=iter([AIMessage(f"A short draft about {task['topic']}.")]))
    return {"drafts": [model.invoke("draft").content]}


fan_out = (
    StateGraph(Drafts)
    .add_node(draft)
    .add_conditional_edges(START, lambda s: [Send("draft", {"topic": t}) for t in s["topics"]], ["draft"])
    .add_edge("draft", END)
    .compile()
)

tokens = {}
for event in lgn.stream_events(fan_out, {"topics": ["cats", "owls"]}, None):
    if event.kind == "message":
        tokens.setdefault(event.task_id, []).append(event.data[0].content)
for pieces in sorted(tokens.values()):
    print(len(pieces), "tokens:", "".join(pieces))

# %% [markdown]
# ## 5. Interrupts: the form resumes through your checkpointer
#
# With a checkpointer, a run that stops at `interrupt()` leaves an approve / edit / reject form under
# its view. Answering resumes the thread with LangGraph's `Command(resume=...)`, through the graph's own
# checkpointer, and streams the rest under the form.

# %% tags=["nbval-ignore-output"]
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import interrupt


class Review(TypedDict):
    draft: str
    verdict: str


def propose(state: Review):
    get_stream_writer()("Cats rule the internet.")
    return {"draft": "Cats rule the internet."}


def review(state: Review):
    answer = interrupt({"draft": state["draft"]})
    return {"verdict": answer["action"]}


reviewed = (
    StateGraph(Review)
    .add_node(propose)
    .add_node(review)
    .add_edge(START, "propose")
    .add_edge("propose", "review")
    .add_edge("review", END)
    .compile(checkpointer=InMemorySaver())
)
config = {"configurable": {"thread_id": "review-1"}}
waiting = lgn.run(reviewed, {"draft": "", "verdict": ""}, config)

# %% [markdown]
# Click a button in the form above. Here the form is answered from code, as a click would:

# %%
form = lgn.resume_form(reviewed, config)
if form.phase == "waiting":
    form.forms[0].submit("approve")
print(reviewed.get_state(config).values)

# %%
print(reviewed.get_state(config).values["verdict"], reviewed.get_state(config).next)

# %% [markdown]
# ## 6. Replay a thread
#
# `lgn.replay` steps through the thread's checkpoints with LangGraph's `get_state_history`, lighting each
# step's nodes, with what the runs watched here streamed:

# %%
replay = lgn.replay(reviewed, config)
replay

# %%
for step in replay.steps:
    print(step.step, step.source, step.nodes, [(p.title, p.text) for p in step.panels])

# %% [markdown]
# ## 7. One import away
#
# Everything above ran on LangGraph's engine. The same code runs on livegraph's after `langgraph`
# becomes `livegraph` in the imports, and then the view has what LangGraph's streams cannot say (who
# wrote each `custom` chunk) plus what LangGraph does not have: an embedded model, sync calls on async
# graphs in Jupyter, a warning when an async node blocks the loop (see
# [06 Coming from LangGraph](06_coming_from_langgraph.ipynb)).
#
# Where the view differs on LangGraph's engine:
#
# - `custom` chunks written while several tasks of a (sub)graph run go to one panel named for them all.
# - Without a checkpointer, a step that starts with `Send` workers lights up when its first worker
#   streams or ends (LangGraph announces the step's tasks one by one; the panels are numbered once the
#   list is whole).
# - Messages come from LangChain chat models (what LangGraph's `messages` mode streams).
