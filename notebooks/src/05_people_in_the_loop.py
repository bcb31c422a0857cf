# %% [markdown]
# # People in the loop
#
# A graph can stop and wait for a person. Inside a node, `interrupt(value)` pauses the run and hands
# `value` to whoever is running it; `Command(resume=answer)` carries on, and `interrupt()` returns the
# answer. To wait, the run must be kept somewhere: a **checkpointer** saves the state after every step,
# per thread (`{"configurable": {"thread_id": ...}}`). Here it is SQLite, one file in a temporary folder.

# %%
import os

from livegraph import llm

# The embedded model streams this notebook at 30 tokens a second; LIVEGRAPH_TOKENS_PER_SECOND, when set
# (say before `make lab`), wins: a teacher can speed a whole room up or slow it down.
os.environ.setdefault("LIVEGRAPH_TOKENS_PER_SECOND", "30")
if os.environ.get("LIVEGRAPH_EMBEDDED") != "0":  # LIVEGRAPH_EMBEDDED=0 keeps your own OPENAI_* settings
    llm.use_embedded()
llm.warm_up()  # load the OpenAI SDK and start the model now, so that the first run streams at once

import tempfile
from pathlib import Path
from typing import TypedDict

from livegraph.checkpoint.sqlite import SqliteSaver
from livegraph.graph import END, START, StateGraph
from livegraph.types import Command, interrupt

workdir = Path(tempfile.mkdtemp(prefix="livegraph-"))
saver = SqliteSaver(workdir / "checkpoints.db")


# %% [markdown]
# ## A graph that asks before it publishes
#
# `write` drafts a post with the model, `review` shows the draft to a person, `publish` publishes it.
# The person can approve, edit or reject.

# %%
class Post(TypedDict):
    topic: str
    draft: str
    post: str


def write(state: Post):
    reply = llm.chat([{"role": "user", "content": f"Tell me about {state['topic']}"}])
    return {"draft": reply["content"]}


def review(state: Post):
    answer = interrupt(state["draft"])  # the run stops here until someone answers
    if answer["action"] == "reject":
        return Command(goto=END)
    return Command(update={"draft": answer.get("value", state["draft"])}, goto="publish")


def publish(state: Post):
    return {"post": "PUBLISHED: " + state["draft"]}


builder = (
    StateGraph(Post)
    .add_node(write)
    .add_node(review, destinations=("publish", END))
    .add_node(publish)
    .add_edge(START, "write")
    .add_edge("write", "review")
    .add_edge("publish", END)
)
graph = builder.compile(checkpointer=saver)
graph

# %% [markdown]
# ## Stop, look, resume
#
# The run stops at `review`. Its result says why, under `__interrupt__`, and the thread's state says
# what runs next:

# %%
config = {"configurable": {"thread_id": "post-1"}}

result = graph.invoke({"topic": "cats"}, config)
waiting = result["__interrupt__"][0]
print("waiting with:", waiting.value)
print("next:", graph.get_state(config).next)

# %% [markdown]
# Answer with `Command(resume=...)` on the same thread. The node runs again from its start, and this
# time `interrupt()` returns the answer:

# %%
result = graph.invoke(Command(resume={"action": "edit", "value": "Cats purr when they are content."}), config)
print(result["post"])

# %% [markdown]
# ## Answer in the cell
#
# In a notebook you can answer with the mouse. Run the graph with the live view: it stops at the
# interrupt and shows the draft under the view with **Approve**, **Edit & resume** and **Reject**; a
# click resumes the run, which streams on under the form.

# %% tags=["nbval-ignore-output"]
import livegraph.notebook as lgn
from livegraph.notebook import resume_form

config = {"configurable": {"thread_id": "post-2"}}
state = lgn.run(graph, {"topic": "dogs"}, config)

# %% [markdown]
# Change the text and click **Edit & resume** (or **Approve**). So that the notebook also runs from top
# to bottom without you, the next cell does what that click does: `resume_form(graph, config)` hands out
# the form shown above (or a new one, in a cell of its own, when there is none). After a click of yours
# it does nothing.

# %%
form = resume_form(graph, config)
draft = form.forms[0]
if not draft.answered:
    draft.text.value = "Dogs read human gestures remarkably well."
    draft.buttons["edit"].click()
print(form.phase)

# %%
print(graph.get_state(config).values["post"])

# %% [markdown]
# What a button sends is `{"action": "approve", "value": ...}`, `{"action": "edit", "value": ...}` or
# `{"action": "reject"}`: the `review` node above reads exactly that. Pass `to_answer=` to
# `resume_form` to send something else.
#
# ## History
#
# The checkpointer kept every step of the thread. `get_state_history` lists them, newest first, as LangGraph
# does (the input has a checkpoint of its own at step -1, before it is applied):

# %%
for snapshot in graph.get_state_history(config):
    meta = snapshot.metadata
    print(f"step {meta['step']:>2}  {meta['source']:6} next {snapshot.next}")

# %% [markdown]
# ## Time travel
#
# Any checkpoint can be a starting point. Take the one where `review` was about to run, give it another
# draft (`update_state` writes as if `write` had returned it), and run on from there: the thread forks,
# and `review` asks again, about the new draft.

# %%
before_review = next(s for s in graph.get_state_history(config) if s.next == ("review",))

new_draft = {"draft": "Dogs can smell far better than we can."}
fork = graph.update_state(before_review.config, new_draft, as_node="write")
result = graph.invoke(None, fork)
print("waiting with:", result["__interrupt__"][0].value)

result = graph.invoke(Command(resume={"action": "approve"}), config)
print(result["post"])

# %% [markdown]
# ## Replay
#
# `replay` steps through a thread with a slider: the diagram lights the node that ran at each step,
# and the panel side shows what the step did and the state after it.

# %%
from livegraph.notebook import replay

steps = replay(graph, config)
steps

# %%
for step in steps.steps:
    print(f"step {step.step}  {step.source:6} {', '.join(step.nodes):10} -> {', '.join(step.next) or 'end'}")

# %% [markdown]
# ## It is all in the file
#
# SQLite keeps the checkpoints in one file, so another saver on that file (another process, tomorrow)
# finds the thread where it was:

# %%
reopened = builder.compile(checkpointer=SqliteSaver(workdir / "checkpoints.db"))
print(reopened.get_state(config).values["post"])
print(sorted(path.name for path in workdir.iterdir()))

# %% [markdown]
# For quick experiments, `livegraph.checkpoint.memory.InMemorySaver()` does the same in memory.
# `compile(interrupt_before=["publish"])` (or `interrupt_after=`) stops before or after a node without
# touching its code.
#
# Done: close the savers and remove the temporary folder.

# %%
import shutil

saver.close()
reopened.checkpointer.close()
shutil.rmtree(workdir)

# %% [markdown]
# **Next:** [06 Coming from LangGraph](06_coming_from_langgraph.ipynb).
