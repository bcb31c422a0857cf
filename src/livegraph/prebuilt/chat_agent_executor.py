"""`create_react_agent` at LangGraph's path: a model node and a tool node in a loop.

The graph is LangGraph's: `agent` calls the model (bound to the tools) on the prompt and the messages;
when the answer asks for tools, each call goes to `tools` with its own `Send` (version `v2`, the default)
or all at once (`v1`); the tool answers go back to `agent`, until the model answers without tool calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable, RunnableBinding, RunnableLambda, RunnableSequence
from langchain_core.tools import BaseTool

from livegraph._builder import StateGraph
from livegraph._constants import END, START
from livegraph._message_state import add_messages
from livegraph._types import Send
from livegraph.prebuilt.tool_node import ToolNode

__all__ = ["AgentState", "create_react_agent"]

NEED_MORE_STEPS = "Sorry, need more steps to process this request."


class AgentState(TypedDict):
    """The agent's state: the conversation."""

    messages: Annotated[Sequence[BaseMessage], add_messages]


def _messages(state: Any) -> list[Any]:
    return list(state["messages"] if isinstance(state, dict) else state.messages)


def _prompt(prompt: Any) -> Runnable[Any, Any]:
    if prompt is None:
        return RunnableLambda(_messages, name="Prompt")
    if isinstance(prompt, str):
        prompt = SystemMessage(content=prompt)
    if isinstance(prompt, SystemMessage):
        return RunnableLambda(lambda state: [prompt, *_messages(state)], name="Prompt")
    if isinstance(prompt, Runnable):
        return prompt
    if callable(prompt):
        return RunnableLambda(prompt, name="Prompt")
    raise ValueError(f"Got unexpected type for `prompt`: {type(prompt)}")


def _bound(model: Any, tools: list[Any]) -> Any:
    """The model with the tools bound, unless the caller bound them already."""
    inner = model.steps[-1] if isinstance(model, RunnableSequence) else model
    if not tools or (isinstance(inner, RunnableBinding) and "tools" in inner.kwargs):
        return model
    if not isinstance(model, BaseChatModel):
        raise ValueError(
            f"create_react_agent: cannot bind tools to {type(model).__name__}; give a chat model, or one "
            "with the tools already bound (`model.bind_tools(tools)`)"
        )
    return model.bind_tools(tools)


def create_react_agent(
    model: str | Runnable[Any, Any],
    tools: Sequence[BaseTool | Callable[..., Any] | dict[str, Any]] | ToolNode,
    *,
    prompt: Any = None,
    response_format: Any = None,
    pre_model_hook: Any = None,
    post_model_hook: Any = None,
    state_schema: Any = None,
    context_schema: Any = None,
    checkpointer: Any = None,
    store: Any = None,
    interrupt_before: list[str] | None = None,
    interrupt_after: list[str] | None = None,
    debug: bool = False,
    version: Literal["v1", "v2"] = "v2",
    name: str | None = None,
) -> Any:
    """A tool-calling agent (LangGraph's `create_react_agent`), compiled.

    Args:
        model: A chat model (tools are bound to it), or `"provider:model"` for `init_chat_model`.
        tools: Tools (or plain functions), or a `ToolNode`.
        prompt: A system prompt string, a `SystemMessage`, a function of the state, or a Runnable.
        state_schema: The state (default `AgentState`); it must have `messages`.
        version: `v2` sends each tool call to `tools` on its own; `v1` runs them in one task.
        name: The compiled graph's name, also put on the model's answers.
    """
    if response_format is not None or pre_model_hook is not None or post_model_hook is not None:
        unsupported = [n for n, v in (("response_format", response_format), ("pre_model_hook", pre_model_hook),
                                      ("post_model_hook", post_model_hook)) if v is not None]
        raise NotImplementedError(
            f"create_react_agent: {', '.join(f'`{n}`' for n in unsupported)} is not supported by livegraph yet; "
            "build the graph with StateGraph, ToolNode and tools_condition instead"
        )
    if version not in ("v1", "v2"):
        raise ValueError(f"Invalid version {version!r}; use 'v1' or 'v2'")
    if isinstance(model, str):
        try:
            from langchain.chat_models import init_chat_model  # type: ignore[import-not-found]
        except ImportError as exc:
            raise ImportError(
                f"create_react_agent({model!r}): a model given by name needs `pip install langchain` "
                "(for init_chat_model); or pass a chat model object"
            ) from exc
        model = init_chat_model(model)
    # Provider-side tools (dicts) are bound to the model but run by the provider, not by `tools`.
    builtin = [] if isinstance(tools, ToolNode) else [t for t in tools if isinstance(t, dict)]
    tool_node = tools if isinstance(tools, ToolNode) else ToolNode([t for t in tools if not isinstance(t, dict)])
    tool_classes = list(tool_node.tools_by_name.values())
    bound = _prompt(prompt) | _bound(model, [*tool_classes, *builtin])
    return_direct = {t.name for t in tool_classes if t.return_direct}

    def agent(state: Any, config: Any) -> dict[str, Any]:
        response = bound.invoke(state, config)
        response.name = name
        calls = response.tool_calls if isinstance(response, AIMessage) else []
        remaining = config.get("recursion_limit", 25) - config["metadata"]["langgraph_step"]
        if (calls and remaining < 2) or (calls and remaining < 1 and all(c["name"] in return_direct for c in calls)):
            return {"messages": [AIMessage(id=response.id, content=NEED_MORE_STEPS)]}
        return {"messages": [response]}

    def should_continue(state: Any) -> Any:
        last = _messages(state)[-1]
        if not isinstance(last, AIMessage) or not last.tool_calls:
            return END
        if version == "v1":
            return "tools"
        return [
            Send("tools", {"__type": "tool_call_with_context", "tool_call": call, "state": state})
            for call in last.tool_calls
        ]

    builder = StateGraph(state_schema or AgentState, context_schema=context_schema)
    builder.add_node("agent", agent)
    builder.add_edge(START, "agent")
    if not tool_classes:
        builder.add_edge("agent", END)
    else:
        builder.add_node("tools", tool_node)
        builder.add_conditional_edges("agent", should_continue, ["tools", END])
        if return_direct:

            def route_tool_responses(state: Any) -> str:
                for m in reversed(_messages(state)):
                    if not isinstance(m, ToolMessage):
                        break
                    if m.name in return_direct:
                        return END
                return "agent"

            builder.add_conditional_edges("tools", route_tool_responses, ["agent", END])
        else:
            builder.add_edge("tools", "agent")
    return builder.compile(
        checkpointer=checkpointer,
        store=store,
        interrupt_before=interrupt_before,
        interrupt_after=interrupt_after,
        debug=debug,
        name=name,
    )
