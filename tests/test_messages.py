"""Chat messages: livegraph's own classes (no LangChain), `add_messages` on both kinds, checkpoints of both,
and LangChain chat models streaming into `messages` mode and the live view's `message` events."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from livegraph import MessageChunk
from livegraph import messages as own
from livegraph._engine import _message_state as state_mod
from livegraph.checkpoint import serde
from livegraph.graph import START, MessagesState, StateGraph
from livegraph.graph.message import REMOVE_ALL_MESSAGES, add_messages

lc = pytest.importorskip("langchain_core.messages")


@pytest.fixture
def without_langchain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_mod, "langchain_installed", lambda: False)


def test_own_messages_merge_as_langgraph_merges(without_langchain: None) -> None:
    left = add_messages([], [("user", "hi"), {"role": "assistant", "content": "yo", "id": "a1"}, "again"])
    assert [(type(m).__name__, m.type, m.content) for m in left] == [
        ("HumanMessage", "human", "hi"), ("AIMessage", "ai", "yo"), ("HumanMessage", "human", "again")]
    assert left[1].id == "a1" and all(m.id for m in left)
    merged = add_messages(left, [own.AIMessage("edited", id="a1"), own.RemoveMessage(left[0].id)])
    assert [m.content for m in merged] == ["edited", "again"]
    assert add_messages(merged, [own.RemoveMessage(REMOVE_ALL_MESSAGES), ("ai", "only")])[0].content == "only"
    with pytest.raises(ValueError, match=r"^Attempting to delete a message with an ID that doesn't exist \('nope'\)$"):
        add_messages(merged, own.RemoveMessage("nope"))
    with pytest.raises(ValueError, match=r"needs langchain-core: pip install 'livegraph\[langchain\]'"):
        add_messages(format="langchain-openai")([], [])


def test_own_messages_read_like_langchains(without_langchain: None) -> None:
    chunk = MessageChunk(content="", id="r1", tool_call_chunks=[{"index": 0, "id": "c1", "name": "add", "args": '{"a": 1}'}],
                         usage={"input_tokens": 3, "output_tokens": 4, "total_tokens": 7})
    assert chunk.usage_metadata == {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7}
    (ai,) = add_messages([], [chunk])
    assert ai == own.AIMessage(content="", id="r1", tool_calls=[{"name": "add", "args": {"a": 1}, "id": "c1", "type": "tool_call"}],
                               usage_metadata={"input_tokens": 3, "output_tokens": 4, "total_tokens": 7})
    theirs = lc.AIMessage(content="", id="r1", tool_calls=[{"name": "add", "args": {"a": 1}, "id": "c1"}])
    assert ai.pretty_repr() == theirs.pretty_repr()
    for html in (False, True):
        mine, theirs_ = own.HumanMessage("hi", name="ada"), lc.HumanMessage("hi", name="ada")
        assert mine.pretty_repr(html=html) == theirs_.pretty_repr(html=html)
    assert own.to_openai(ai) == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}]}
    assert own.to_openai(lc.ToolMessage("2", tool_call_id="c1")) == {"role": "tool", "content": "2", "tool_call_id": "c1"}


def test_with_langchain_messages_are_langchains() -> None:
    merged = add_messages([], [("user", "hi"), own.AIMessage("mine", id="a1"), MessageChunk(content="chunk", id="c1")])
    assert [type(m).__name__ for m in merged] == ["HumanMessage", "AIMessage", "AIMessage"]
    assert merged[1] == lc.AIMessage("mine", id="a1")


def test_checkpoints_store_both_kinds() -> None:
    values = [lc.HumanMessage("hi", id="1"), lc.AIMessageChunk("x", id="2"), lc.ToolMessage("r", tool_call_id="c", id="3"),
              own.AIMessage("o", id="o2", usage_metadata={"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}),
              own.RemoveMessage("o3")]
    assert serde.loads(serde.dumps({"messages": values}))["messages"] == values


def test_a_fresh_process_loads_langchain_messages_from_a_checkpoint() -> None:
    text = serde.dumps([lc.AIMessage("saved", id="a")])
    code = ("import sys\nfrom livegraph.checkpoint import serde\n"
            f"m = serde.loads({text!r})[0]\nprint(type(m).__module__, m.content, m.id)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["langchain_core.messages.ai", "saved", "a"]


def _graph(node: Any) -> Any:
    return StateGraph(MessagesState).add_node("agent", node).add_edge(START, "agent").compile()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_langchain_model_streams_into_the_live_views_events(mode: str) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    model = FakeListChatModel(responses=["ab c"])
    if mode == "sync":
        graph = _graph(lambda s: {"messages": [model.invoke(s["messages"])]})
        events = list(graph.stream({"messages": "hi"}, stream_mode="events"))
    else:
        import asyncio

        async def node(s: Any) -> Any:
            return {"messages": [await model.ainvoke(s["messages"])]}

        async def collect() -> list[Any]:
            return [e async for e in _graph(node).astream({"messages": "hi"}, stream_mode="events")]

        events = asyncio.run(collect())
    messages = [e for e in events if e.kind == "message"]
    assert [(e.node, e.data[0].content, e.data[1]["langgraph_node"]) for e in messages] == [
        ("agent", "a", "agent"), ("agent", "b", "agent"), ("agent", " ", "agent"), ("agent", "c", "agent")]
    assert len({e.data[0].id for e in messages}) == 1


@pytest.mark.parametrize("kind", ["livegraph", "langchain"])
def test_a_thread_of_messages_survives_a_new_saver_on_the_same_file(kind: str, tmp_path: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from livegraph.checkpoint.sqlite import SqliteSaver

    if kind == "livegraph":
        monkeypatch.setattr(state_mod, "langchain_installed", lambda: False)
    path = str(tmp_path / "chat.db")
    config = {"configurable": {"thread_id": "t"}}

    def reply(state: MessagesState) -> dict[str, Any]:
        return {"messages": [("ai", f"you said {state['messages'][-1].content}")]}

    builder = StateGraph(MessagesState).add_node("reply", reply).add_edge(START, "reply")
    builder.compile(checkpointer=SqliteSaver(path)).invoke({"messages": "one"}, config)
    again = builder.compile(checkpointer=SqliteSaver(path)).invoke({"messages": "two"}, config)
    cls = own if kind == "livegraph" else lc
    assert [(type(m), m.content) for m in again["messages"]] == [
        (cls.HumanMessage, "one"), (cls.AIMessage, "you said one"), (cls.HumanMessage, "two"), (cls.AIMessage, "you said two")]


def test_panels_show_streamed_tool_calls() -> None:
    from livegraph.notebook._format import chunk_text

    start = lc.AIMessageChunk(content="", tool_call_chunks=[{"name": "get_weather", "args": '{"city": ', "id": "c", "index": 0}])
    rest = MessageChunk(tool_call_chunks=[{"index": 0, "id": None, "name": None, "args": '"Paris"}'}])
    assert chunk_text(start) + chunk_text(rest) == '\n→ get_weather {"city": "Paris"}'
    assert chunk_text(own.AIMessage("plain")) == "plain"


def test_without_langchain_returned_messages_stream_once_when_the_node_ends() -> None:
    code = """
import sys
sys.modules["langchain_core"] = None
from livegraph import MessageChunk
from livegraph.config import get_message_writer
from livegraph.graph import START, MessagesState, StateGraph
from livegraph.messages import AIMessage

def node(state):
    get_message_writer()(MessageChunk("stream", id="s1"))
    return {"messages": [AIMessage("streamed", id="s1"), AIMessage("returned", id="r1"), state["messages"][0],
                         ("ai", "a tuple is not a message yet")]}

g = StateGraph(MessagesState).add_node("n", node).add_edge(START, "n").compile()
for chunk, meta in g.stream({"messages": [("user", "hi")]}, stream_mode="messages"):
    print(type(chunk).__name__, chunk.content, meta["langgraph_node"])
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.splitlines() == ["MessageChunk stream n", "AIMessage returned n"]
