"""`livegraph.prebuilt` beyond what the differential tests compare with LangGraph: the store injected into
tools, the errors that name the fix, and `ToolNode` on its own (lists of messages, tool-call lists)."""

from __future__ import annotations

from typing import Annotated, Any

import pytest

pytest.importorskip("langchain_core")
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage  # noqa: E402
from langchain_core.tools import tool  # noqa: E402

from livegraph.graph import START, MessagesState, StateGraph  # noqa: E402
from livegraph.prebuilt import InjectedState, InjectedStore, ToolNode, create_react_agent, tools_condition  # noqa: E402


class Store:
    def __init__(self) -> None:
        self.items: dict[str, str] = {"city": "Lisbon"}


@tool
def remembered(key: str, store: Annotated[Any, InjectedStore()]) -> str:
    """Read a remembered value."""
    return store.items[key]


@tool
def first_words(state: Annotated[list, InjectedState("messages")]) -> str:
    """The first message's text."""
    return state[0].content


def _call(name: str, args: dict[str, Any], id: str = "c1") -> AIMessage:
    return AIMessage("", id="ai", tool_calls=[{"name": name, "args": args, "id": id, "type": "tool_call"}])


def _tools_graph(node: ToolNode, store: Any = None) -> Any:
    return StateGraph(MessagesState).add_node("tools", node).add_edge(START, "tools").compile(store=store)


def test_tools_get_the_graphs_store_and_state() -> None:
    out = _tools_graph(ToolNode([remembered]), Store()).invoke({"messages": [_call("remembered", {"key": "city"})]})
    assert out["messages"][-1].content == "Lisbon"
    assert remembered.tool_call_schema.model_json_schema()["required"] == ["key"]  # hidden from the model
    out = _tools_graph(ToolNode([first_words])).invoke({"messages": [HumanMessage("hello"), _call("first_words", {})]})
    assert out["messages"][-1].content == "hello"


def test_a_store_tool_without_a_store_says_how_to_fix_it() -> None:
    with pytest.raises(ValueError, match=r"^Cannot inject store into tools with InjectedStore annotations - "
                                         r"please compile your graph with a store\.\n"):
        _tools_graph(ToolNode([remembered])).invoke({"messages": [_call("remembered", {"key": "city"})]})


def test_tools_condition_and_tool_node_repr() -> None:
    node = ToolNode([remembered, first_words])
    messages = [HumanMessage("hi"), _call("first_words", {})]
    assert tools_condition(messages) == "tools"
    assert tools_condition({"messages": [HumanMessage("hi")]}) == "__end__"
    with pytest.raises(ValueError, match=r"^No messages found in input state to tool_edge: \{'messages': \[\]\}$"):
        tools_condition({"messages": []})
    assert repr(node) == "ToolNode(tools=['remembered', 'first_words'])"


def test_tool_errors_as_asked() -> None:
    @tool
    def fails(x: int) -> str:
        """Fails."""
        raise KeyError(x)

    for flag, content in (("try again", "try again"), (True, "Error: KeyError(1)\n Please fix your mistakes."),
                          (KeyError, "Error: KeyError(1)\n Please fix your mistakes.")):
        out = _tools_graph(ToolNode([fails], handle_tool_errors=flag)).invoke({"messages": [_call("fails", {"x": 1})]})
        assert out["messages"][-1] == ToolMessage(content, name="fails", tool_call_id="c1", status="error",
                                                  id=out["messages"][-1].id)
    with pytest.raises(KeyError):
        _tools_graph(ToolNode([fails], handle_tool_errors=ValueError)).invoke({"messages": [_call("fails", {"x": 1})]})


def test_agent_errors_name_the_fix() -> None:
    async def pick(state: Any, runtime: Any) -> Any:
        return None

    with pytest.raises(NotImplementedError, match=r"^create_react_agent: an async model function is not supported "
                                                  r"by livegraph yet; give a sync function `\(state, runtime\) -> model`$"):
        create_react_agent(pick, [])
    with pytest.raises(ValueError, match=r"^Invalid version 'v3'; use 'v1' or 'v2'$"):
        create_react_agent(pick, [], version="v3")  # type: ignore[arg-type]
