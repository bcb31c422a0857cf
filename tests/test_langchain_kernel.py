"""`ChatOpenAI` (langchain-openai) against the embedded model over real HTTP, in a real kernel: its tokens
stream into the node's panel of the live view as they arrive, sync (`lgn.run`) and async (`await lgn.arun`)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

from kernel_helpers import Kernel, appends, board_messages, of, panels, seconds, started_kernel

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(180)]
pytest.importorskip("jupyter_client")
pytest.importorskip("langchain_openai")


SETUP = textwrap.dedent(
    """
    from langchain_openai import ChatOpenAI
    from livegraph import llm
    from livegraph.graph import START, MessagesState, StateGraph
    import livegraph.notebook as lgn

    server = llm.embedded_server(tokens_per_second=150)
    model = ChatOpenAI(base_url=server.base_url, api_key="none", model="livegraph-tiny")

    def chatbot(state: MessagesState):
        return {"messages": [model.invoke(state["messages"])]}

    async def achatbot(state: MessagesState):
        return {"messages": [await model.ainvoke(state["messages"])]}

    def build(node):
        return StateGraph(MessagesState).add_node("chatbot", node).add_edge(START, "chatbot").compile()

    graph, agraph = build(chatbot), build(achatbot)
    """
)


@pytest.fixture(scope="module")
def kernel() -> Iterator[Kernel]:
    yield from started_kernel(SETUP)


@pytest.mark.parametrize("call", ["lgn.run(graph, {0})", "await lgn.arun(agraph, {0})"])
def test_chatopenai_tokens_stream_into_the_nodes_panel(kernel: Kernel, call: str) -> None:
    inputs = '{"messages": [("user", "Tell me about cats")]}'
    _, msgs, reply = kernel.execute(f"state = {call.format(inputs)}\nprint(state['messages'][-1].content)")
    assert reply["status"] == "ok", reply
    answer = "".join(m["content"]["text"] for m in of(msgs, "stream")).rstrip("\n")
    assert answer.startswith("Cats are ")

    titles = {title: card for card, title in panels(msgs).items()}
    assert sorted(titles) == ["chatbot"]
    card = titles["chatbot"]
    assert "".join(appends(msgs, card)) == answer
    # live: the text crossed in several messages while the model streamed, not once at the end
    sent = [m for m in board_messages(msgs)
            if any(op[0] == "text" and op[1] == card for op in m["content"]["data"]["content"]["ops"])]
    assert len(sent) >= 3 and seconds(sent[0], sent[-1]) > 0.2
    (record,) = of(msgs, "update_display_data")
    assert answer in _html_text(record)


def _html_text(record: dict[str, Any]) -> str:
    import html

    return html.unescape(record["content"]["data"]["text/html"])
