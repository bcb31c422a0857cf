"""LangGraph's `langgraph.prebuilt` path: `ToolNode`, `tools_condition`, `create_react_agent`,
`InjectedState`, `InjectedStore`. Needs `langchain-core` (`pip install 'livegraph[langchain]'`)."""

try:
    import langchain_core  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by tests/test_layers.py
    raise ImportError(
        "livegraph.prebuilt runs LangChain tools and chat models: pip install 'livegraph[langchain]'"
    ) from exc

from livegraph.prebuilt.chat_agent_executor import AgentState, create_react_agent
from livegraph.prebuilt.tool_node import InjectedState, InjectedStore, ToolNode, tools_condition

__all__ = ["AgentState", "InjectedState", "InjectedStore", "ToolNode", "create_react_agent", "tools_condition"]
