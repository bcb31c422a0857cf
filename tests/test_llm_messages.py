"""`livegraph.llm` with message objects: `chat(state["messages"])` on a `MessagesState` takes livegraph's or
LangChain's messages and returns an `AIMessage` of the same kind, whose id is the streamed chunks' id (so
`messages` mode does not show it twice) and whose `usage_metadata` has the server's counts."""

from __future__ import annotations

from typing import Any

import pytest

from livegraph import MessageChunk, llm
from livegraph import messages as own
from livegraph._engine import _message_state as state_mod
from livegraph.graph import START, MessagesState, StateGraph
from livegraph.llm import Reply, ToolCall
from llm_fakes import MODES, async_client, serve, sync_client

lc = pytest.importorskip("langchain_core.messages")


def _graph(server: Any, mode: str) -> Any:
    def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [llm.chat(state["messages"], client=sync_client(server))]}

    async def aagent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [await llm.achat(state["messages"], client=async_client(server))]}

    return StateGraph(MessagesState).add_node("agent", agent if mode == "sync" else aagent).add_edge(
        START, "agent").compile()


def _stream(graph: Any, mode: str) -> list[Any]:
    from llm_fakes import run

    return run(graph, {"messages": [("user", "Hi")]}, mode, ["messages", "values"])


USAGE = {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", ["livegraph", "langchain"])
def test_chat_takes_and_returns_message_objects(kind: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if kind == "livegraph":
        monkeypatch.setattr(state_mod, "langchain_installed", lambda: False)
    calls = (ToolCall("get_items", '{"place": "x"}'),)
    with serve(["Hi there", Reply(tool_calls=calls)]) as server:
        items = _stream(_graph(server, mode), mode)
        second = _stream(_graph(server, mode), mode)
    streamed = [payload[0] for m, payload in items if m == "messages"]
    assert all(isinstance(c, MessageChunk) for c in streamed)  # only the tokens: the reply is not repeated
    assert "".join(c.content for c in streamed) == "Hi there"
    final = [payload for m, payload in items if m == "values"][-1]["messages"]
    human, reply = final
    cls = own if kind == "livegraph" else lc
    assert type(human) is cls.HumanMessage and type(reply) is cls.AIMessage
    assert (reply.content, reply.id) == ("Hi there", streamed[0].id)
    assert reply.response_metadata == {"model_name": "livegraph-tiny", "finish_reason": "stop"}
    assert reply.usage_metadata is not None and set(reply.usage_metadata) >= set(USAGE)
    tool_reply = [payload for m, payload in second if m == "values"][-1]["messages"][-1]
    assert tool_reply.tool_calls == [{"name": "get_items", "args": {"place": "x"}, "id": tool_reply.tool_calls[0]["id"],
                                      "type": "tool_call"}]
