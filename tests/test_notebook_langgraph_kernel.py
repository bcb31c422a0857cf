"""LangGraph's own compiled graphs in the live view, in a real kernel: `lgn.run` on a LangGraph graph opens a
panel per task that streams its tokens, lights the diagram, and leaves the record; a run that stops at
`interrupt()` leaves the resume form, which resumes through the graph's own checkpointer with LangGraph's
`Command(resume=...)`."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator

import pytest

from kernel_helpers import Kernel, appends, of, panels, started_kernel

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(180)]

pytest.importorskip("jupyter_client")
pytest.importorskip("langgraph")

GRAPH = textwrap.dedent(
    """
    import operator, time
    from typing import Annotated, TypedDict
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.config import get_stream_writer
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Send, interrupt
    import livegraph.notebook as lgn

    class S(TypedDict):
        topics: list
        drafts: Annotated[list, operator.add]

    def plan(state):
        get_stream_writer()("planning ")
        return {}

    def draft(arg):
        words = " ".join(f"{arg['topic']}{i}" for i in range(40))
        model = GenericFakeChatModel(messages=iter([AIMessage(words)]))
        return {"drafts": [model.invoke("go").content]}

    fan = lambda state: [Send("draft", {"topic": t}) for t in state["topics"]]
    graph = (StateGraph(S).add_node("plan", plan).add_node("draft", draft).add_edge(START, "plan")
             .add_conditional_edges("plan", fan, ["draft"]).add_edge("draft", END).compile())

    class R(TypedDict):
        draft: str
        verdict: dict

    def write(state):
        get_stream_writer()("A draft")
        return {"draft": "A draft"}

    def review(state):
        answer = interrupt({"draft": state["draft"]})
        get_stream_writer()(f"got {answer['action']}")
        return {"verdict": answer}

    reviewed = (StateGraph(R).add_node("write", write).add_node("review", review).add_edge(START, "write")
                .add_edge("write", "review").add_edge("review", END).compile(checkpointer=InMemorySaver()))
    """
)


def words(topic: str) -> str:
    return " ".join(f"{topic}{i}" for i in range(40))


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    yield from started_kernel(GRAPH)


@pytest.mark.parametrize("call", ["lgn.run(graph, {})", "await lgn.arun(graph, {})"])
def test_a_langgraph_run_streams_each_task_into_its_panel_and_leaves_the_record(kernel: Kernel, call: str) -> None:
    msg_id, msgs, reply = kernel.execute(call.format('{"topics": ["a", "b"], "drafts": []}'))
    assert reply["status"] == "ok", reply
    assert {m["parent_header"].get("msg_id") for m in msgs} == {msg_id}

    titles = panels(msgs)
    assert sorted(titles.values()) == ["draft #1", "draft #2", "plan"]
    by_title = {title: comm_id for comm_id, title in titles.items()}
    for title, topic in (("draft #1", "a"), ("draft #2", "b")):
        pieces = appends(msgs, by_title[title])
        assert "".join(pieces) == words(topic)  # LangGraph's `messages` tokens, in their task's panel
    assert "".join(appends(msgs, by_title["plan"])) == "planning "

    (record,) = of(msgs, "update_display_data")
    html = record["content"]["data"]["text/html"]
    assert html.startswith('<div class="lg-record"') and '<img class="lg-record-diagram" src="data:image/svg+xml;base64,' in html
    assert words("a") in html and words("b") in html
    assert record["content"]["data"]["text/plain"].startswith("done · 2 steps · ")
    assert record["content"]["data"]["text/plain"].endswith(" · 159 tokens\n── plan · step 1 · done ──\nplanning \n"
                                                            f"── draft #1 · step 2 · done ──\n{words('a')}\n"
                                                            f"── draft #2 · step 2 · done ──\n{words('b')}")
    (result,) = of(msgs, "execute_result")
    assert ast.literal_eval(result["content"]["data"]["text/plain"]) == {
        "topics": ["a", "b"], "drafts": [words("a"), words("b")]
    }


def test_the_resume_form_resumes_a_langgraph_thread_through_its_checkpointer(kernel: Kernel) -> None:
    _, msgs, reply = kernel.execute(
        'config = {"configurable": {"thread_id": "k1"}}\nlgn.run(reviewed, {"draft": "", "verdict": {}}, config)'
    )
    assert reply["status"] == "ok", reply
    (record,) = of(msgs, "update_display_data")
    assert record["content"]["data"]["text/plain"].startswith("interrupted · at review: {'draft': 'A draft'} · 2 steps")
    shown = of(msgs, "display_data")
    assert len(shown) == 2  # the live view (then its record), and the resume form under it
    assert shown[1]["content"]["data"]["text/plain"] == (
        "Interrupted at review: {'draft': 'A draft'} · waiting for an answer"
    )

    _, msgs, reply = kernel.execute(
        "form = lgn.resume_form(reviewed, config)\n"
        'form.forms[0].submit("approve")\n'
        "print(form.phase, form.result, reviewed.get_state(config).next)\n"
        "print(form.view.record_bundle()['text/plain'].split(' · ', 1)[0])"
    )
    assert reply["status"] == "ok", reply
    printed = "".join(m["content"]["text"] for m in of(msgs, "stream"))
    assert printed == (
        "done {'draft': 'A draft', 'verdict': {'action': 'approve', 'value': {'draft': 'A draft'}}} ()\ndone\n"
    )
