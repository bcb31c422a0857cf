"""Graphs written once against LangGraph's API, built by either engine: `build(source, "langgraph")` runs the
code as written, `build(source, "livegraph")` after `langgraph` -> `livegraph` in its imports (the promise
the project makes). `tokens(pieces)` streams an LLM's tokens to `messages` mode by each engine's own
means: a LangChain chat model for LangGraph, `livegraph.llm.stream_text` for livegraph.

The notebook tests watch both through the live view's model and compare what it records.
"""

from __future__ import annotations

import itertools
import re
import sys
import textwrap
import types
from typing import Any

TEXT = "Cats are curious."
_count = itertools.count()
PIECES = re.split(r"(\s)", TEXT)  # how LangChain's fake chat model splits a reply into tokens


def _tokens(engine: str) -> Any:
    if engine == "livegraph":
        from livegraph import llm

        return lambda pieces: llm.stream_text(pieces)

    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    def tokens(pieces: list[str]) -> str:
        model = GenericFakeChatModel(messages=iter([AIMessage("".join(pieces))]))
        return str(model.invoke("go").content)

    return tokens


def build(source: str, engine: str) -> dict[str, Any]:
    """Run `source` (written for LangGraph) with `engine`'s imports; its names, `graph` among them."""
    code = textwrap.dedent(source)
    if engine == "livegraph":
        code = re.sub(r"\blanggraph\b", "livegraph", code)
    module = types.ModuleType(f"scenario_{engine}_{next(_count)}")
    sys.modules[module.__name__] = module  # where `get_type_hints` looks the state's annotations up
    names: dict[str, Any] = module.__dict__
    names["tokens"] = _tokens(engine)
    exec(compile(code, f"<{engine} scenario>", "exec", dont_inherit=True), names)
    return names


PIPELINE = """
    import operator
    from typing import Annotated, TypedDict
    from langgraph.config import get_stream_writer
    from langgraph.graph import END, START, StateGraph

    class State(TypedDict):
        topic: str
        notes: Annotated[list, operator.add]

    def research(state):
        writer = get_stream_writer()
        for word in ["whiskers", " and", " naps"]:
            writer({"custom_llm_chunk": word})
        return {"notes": ["researched"]}

    def write(state):
        tokens(["Cats", " ", "are", " ", "curious."])
        return {"notes": ["written"]}

    def polish(state):
        get_stream_writer()({"step": "polish"})
        return {"notes": ["polished"]}

    inner = StateGraph(State).add_node(polish).add_edge(START, "polish").compile()
    graph = (
        StateGraph(State)
        .add_node(research).add_node(write).add_node("review", inner)
        .add_edge(START, "research").add_edge("research", "write").add_edge("write", "review")
        .add_edge("review", END)
        .compile()
    )
"""

FAN_OUT = """
    import operator
    from typing import Annotated, TypedDict
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send

    class State(TypedDict):
        topics: list
        drafts: Annotated[list, operator.add]

    def plan(state):
        return {}

    def draft(arg):
        text = tokens([arg["topic"], " ", "is", " ", "fine."])
        return {"drafts": [text]}

    graph = (
        StateGraph(State)
        .add_node(plan).add_node(draft)
        .add_edge(START, "plan")
        .add_conditional_edges("plan", lambda s: [Send("draft", {"topic": t}) for t in s["topics"]], ["draft"])
        .add_edge("draft", END)
        .compile()
    )
"""

REVIEW = """
    import operator
    from typing import Annotated, TypedDict
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.config import get_stream_writer
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import interrupt

    class State(TypedDict):
        draft: str
        verdict: str

    def write(state):
        writer = get_stream_writer()
        for word in ["A", " draft"]:
            writer(word)
        return {"draft": "A draft"}

    def review(state):
        answer = interrupt({"draft": state["draft"]})
        get_stream_writer()(f"answer: {answer}")
        return {"verdict": str(answer)}

    def fail(state):
        raise ValueError(f"no way: {state['verdict']}")

    graph = (
        StateGraph(State)
        .add_node(write).add_node(review).add_node(fail)
        .add_edge(START, "write").add_edge("write", "review").add_edge("review", "fail")
        .add_edge("fail", END)
        .compile(checkpointer=InMemorySaver())
    )
"""

PARALLEL_CUSTOM = """
    import operator
    import threading
    from typing import Annotated, TypedDict
    from langgraph.config import get_stream_writer
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send

    class State(TypedDict):
        topics: list
        out: Annotated[list, operator.add]

    both = threading.Barrier(2)  # both workers run while either writes

    def plan(state):
        return {}

    def work(arg):
        writer = get_stream_writer()
        both.wait(10)
        writer(arg["topic"] + "1 ")
        writer(arg["topic"] + "2 ")
        both.wait(10)
        return {"out": [arg["topic"]]}

    graph = (
        StateGraph(State)
        .add_node(plan).add_node(work)
        .add_edge(START, "plan")
        .add_conditional_edges("plan", lambda s: [Send("work", {"topic": t}) for t in s["topics"]], ["work"])
        .add_edge("work", END)
        .compile()
    )
"""

NESTED_REVIEW = """
    import operator
    from typing import Annotated, TypedDict
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.config import get_stream_writer
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import interrupt

    class State(TypedDict):
        log: Annotated[list, operator.add]

    def draft(state):
        get_stream_writer()("drafting")
        return {"log": ["draft"]}

    def check(state):
        answer = interrupt("ok?")
        get_stream_writer()(f"checked: {answer}")
        return {"log": [answer]}

    inner = StateGraph(State).add_node(check).add_edge(START, "check").add_edge("check", END).compile()
    graph = (
        StateGraph(State)
        .add_node(draft).add_node("review", inner)
        .add_edge(START, "draft").add_edge("draft", "review").add_edge("review", END)
        .compile(checkpointer=InMemorySaver())
    )
"""
