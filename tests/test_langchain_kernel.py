"""`ChatOpenAI` (langchain-openai) against the embedded model over real HTTP, in a real kernel: its tokens
stream into the node's panel of the live view as they arrive, sync (`lgn.run`) and async (`await lgn.arun`)."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(180)]
pytest.importorskip("langchain_openai")
jupyter_client = pytest.importorskip("jupyter_client")

SRC = Path(__file__).resolve().parent.parent / "src"


class Kernel:
    """A kernel (with this tree's sources first on its path); `execute` returns every IOPub message of a
    request until the kernel is idle again, and the reply."""

    def __init__(self) -> None:
        path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "PYTHONPATH": path}
        self.km, self.kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", env=env)

    def execute(self, code: str, timeout: float = 60) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        msg_id = self.kc.execute(code)
        msgs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            msgs.append(msg)
            if (msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
                    and msg["parent_header"].get("msg_id") == msg_id):
                break
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=timeout)
        return msg_id, msgs, reply["content"]

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def of(msgs: list[dict[str, Any]], *types: str) -> list[dict[str, Any]]:
    return [m for m in msgs if m["msg_type"] in types]


def panels(msgs: list[dict[str, Any]]) -> dict[str, str]:
    """comm id -> title, for every panel widget opened."""
    return {
        m["content"]["comm_id"]: m["content"]["data"]["state"]["title"]
        for m in of(msgs, "comm_open")
        if "lg-panel" in m["content"]["data"]["state"].get("_esm", "")
    }


def appends(msgs: list[dict[str, Any]], comm_id: str) -> list[dict[str, Any]]:
    return [
        m for m in of(msgs, "comm_msg")
        if m["content"]["comm_id"] == comm_id and m["content"]["data"].get("method") == "custom"
    ]


def seconds(a: dict[str, Any], b: dict[str, Any]) -> float:
    def at(m: dict[str, Any]) -> datetime:
        date = m["header"]["date"]
        return date if isinstance(date, datetime) else datetime.fromisoformat(date)

    return (at(b) - at(a)).total_seconds()

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
    k = Kernel()
    _, _, reply = k.execute(SETUP)
    assert reply["status"] == "ok", reply
    yield k
    k.close()


@pytest.mark.parametrize("call", ["lgn.run(graph, {0})", "await lgn.arun(agraph, {0})"])
def test_chatopenai_tokens_stream_into_the_nodes_panel(kernel: Kernel, call: str) -> None:
    inputs = '{"messages": [("user", "Tell me about cats")]}'
    _, msgs, reply = kernel.execute(f"state = {call.format(inputs)}\nprint(state['messages'][-1].content)")
    assert reply["status"] == "ok", reply
    answer = "".join(m["content"]["text"] for m in of(msgs, "stream")).rstrip("\n")
    assert answer.startswith("Cats are ")

    titles = {title: comm for comm, title in panels(msgs).items()}
    assert sorted(titles) == ["chatbot"]
    sent = appends(msgs, titles["chatbot"])
    assert "".join(m["content"]["data"]["content"]["append"] for m in sent) == answer
    # live: the text crossed in several pieces while the model streamed, not once at the end
    assert len(sent) >= 3 and seconds(sent[0], sent[-1]) > 0.2
    (record,) = of(msgs, "update_display_data")
    assert answer in _html_text(record)


def _html_text(record: dict[str, Any]) -> str:
    import html

    return html.unescape(record["content"]["data"]["text/html"])
