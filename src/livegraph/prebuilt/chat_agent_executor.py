"""`create_react_agent` at LangGraph's path: a model node and a tool node in a loop.

The graph is LangGraph's: `agent` calls the model (bound to the tools) on the prompt and the messages;
when the answer asks for tools, each call goes to `tools` with its own `Send` (version `v2`, the default)
or all at once (`v1`); the tool answers go back to `agent`, until the model answers without tool calls.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable, RunnableBinding, RunnableLambda, RunnableSequence
from langchain_core.tools import BaseTool
from typing_extensions import NotRequired

from livegraph._engine._builder import StateGraph
from livegraph._engine._constants import END, START
from livegraph._engine._message_state import add_messages
from livegraph._engine._schema import RemainingSteps
from livegraph._engine._types import Send
from livegraph.prebuilt.tool_node import ToolNode

__all__ = ["AgentState", "AgentStateWithStructuredResponse", "create_react_agent", "create_tool_calling_executor"]

NEED_MORE_STEPS = "Sorry, need more steps to process this request."


class AgentState(TypedDict):
    """The agent's state: the conversation."""

    messages: Annotated[Sequence[BaseMessage], add_messages]

    remaining_steps: NotRequired[RemainingSteps]


class AgentStateWithStructuredResponse(AgentState):
    """The agent's state when it is asked for a `response_format`: the answer as that schema."""

    structured_response: Any


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


def _chat_model(model: Any) -> BaseChatModel:
    """The chat model under a prompt sequence or a binding (for `with_structured_output`)."""
    if isinstance(model, RunnableSequence):
        model = next((s for s in model.steps if isinstance(s, (RunnableBinding, BaseChatModel))), model)
    if isinstance(model, RunnableBinding):
        model = model.bound
    if not isinstance(model, BaseChatModel):
        raise TypeError(
            f"Expected `model` to be a ChatModel or RunnableBinding (e.g. model.bind_tools(...)), got {type(model)}"
        )
    return model


def _check_history(messages: Sequence[Any]) -> None:
    """Every tool call in the history must have its answer, as the model providers require."""
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    missing = [c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls if c["id"] not in answered]
    if missing:
        raise ValueError(
            "Found AIMessages with tool_calls that do not have a corresponding ToolMessage. "
            f"Here are the first few of those tool calls: {missing[:3]}.\n\n"
            "Every tool call (LLM requesting to call a tool) in the message history MUST have a corresponding "
            "ToolMessage (result of a tool invocation to return to the LLM) - this is required by most LLM "
            "providers."
        )


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
    model: str | Runnable[Any, Any] | Callable[..., Any],
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
        model: A chat model (tools are bound to it), `"provider:model"` for `init_chat_model`, or a function
            `(state, runtime) -> model` that picks the model on each call.
        tools: Tools (or plain functions; dicts are provider-side tools, only bound), or a `ToolNode`.
        prompt: A system prompt string, a `SystemMessage`, a function of the state, or a Runnable.
        response_format: A schema (or `(system prompt, schema)`): after the loop, a last model call answers
            in it, into `structured_response`.
        pre_model_hook: A node run before each model call (it may return `llm_input_messages`: what the
            model sees instead of `messages`).
        post_model_hook: A node run after each model call.
        state_schema: The state (default `AgentState`); it must have `messages`.
        version: `v2` sends each tool call to `tools` on its own; `v1` runs them in one task.
        name: The compiled graph's name, also put on the model's answers.
    """
    if version not in ("v1", "v2"):
        raise ValueError(f"Invalid version {version!r}; use 'v1' or 'v2'")
    if state_schema is None:
        state_schema = AgentStateWithStructuredResponse if response_format is not None else AgentState
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
    dynamic = not isinstance(model, Runnable) and callable(model)
    if dynamic and inspect.iscoroutinefunction(model):
        raise NotImplementedError(
            "create_react_agent: an async model function is not supported by livegraph yet; "
            "give a sync function `(state, runtime) -> model`"
        )
    static = None if dynamic else _prompt(prompt) | _bound(model, [*tool_classes, *builtin])
    return_direct = {t.name for t in tool_classes if t.return_direct}

    def resolve(state: Any, runtime: Any) -> Any:
        return _prompt(prompt) | model(state, runtime) if dynamic else static  # type: ignore[operator]

    def model_input(state: Any) -> Any:
        messages = (state.get("llm_input_messages") if pre_model_hook is not None else None) or _messages(state)
        _check_history(messages)
        return {**state, "messages": messages}

    def agent(state: Any, config: Any, runtime: Any) -> dict[str, Any]:
        response = resolve(state, runtime).invoke(model_input(state), config)
        response.name = name
        calls = response.tool_calls if isinstance(response, AIMessage) else []
        remaining = state.get("remaining_steps") if isinstance(state, dict) else getattr(state, "remaining_steps", None)
        if remaining is not None and (
            (calls and remaining < 2) or (remaining < 1 and all(c["name"] in return_direct for c in calls))
        ):
            return {"messages": [AIMessage(id=response.id, content=NEED_MORE_STEPS)]}
        return {"messages": [response]}

    def structured(state: Any, config: Any, runtime: Any) -> dict[str, Any]:
        messages = _messages(state)
        schema = response_format
        if isinstance(response_format, tuple):
            system, schema = response_format
            messages = [SystemMessage(content=system), *messages]
        chat_model = _chat_model(resolve(state, runtime))
        return {"structured_response": chat_model.with_structured_output(schema).invoke(messages, config)}

    def tool_sends(state: Any, calls: Sequence[Any]) -> list[Send]:
        return [Send("tools", {"__type": "tool_call_with_context", "tool_call": c, "state": state}) for c in calls]

    after_loop = "generate_structured_response" if response_format is not None else END
    entry = "pre_model_hook" if pre_model_hook is not None else "agent"
    builder = StateGraph(state_schema, context_schema=context_schema)
    if pre_model_hook is not None:

        class CallModelInput(state_schema):  # type: ignore[misc]
            llm_input_messages: list[Any]

        builder.add_node("agent", agent, input_schema=CallModelInput)
        builder.add_node("pre_model_hook", pre_model_hook)
        builder.add_edge("pre_model_hook", "agent")
    else:
        builder.add_node("agent", agent)
    builder.add_edge(START, entry)
    if post_model_hook is not None:
        builder.add_node("post_model_hook", post_model_hook)
        builder.add_edge("agent", "post_model_hook")
    if response_format is not None:
        builder.add_node("generate_structured_response", structured)
    if not tool_classes:
        last = "post_model_hook" if post_model_hook is not None else "agent"
        builder.add_edge(last, after_loop)
        return _compile(builder, checkpointer, store, interrupt_before, interrupt_after, debug, name)

    builder.add_node("tools", tool_node)

    def should_continue(state: Any) -> Any:
        last = _messages(state)[-1]
        if not isinstance(last, AIMessage) or not last.tool_calls:
            return "post_model_hook" if post_model_hook is not None else after_loop
        if version == "v1":
            return "tools"
        return "post_model_hook" if post_model_hook is not None else tool_sends(state, last.tool_calls)

    if post_model_hook is not None:

        def after_hook(state: Any) -> Any:
            messages = _messages(state)
            answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
            last_ai = next(m for m in reversed(messages) if isinstance(m, AIMessage))
            pending = [c for c in last_ai.tool_calls if c["id"] not in answered]
            if pending:
                return tool_sends(state, pending)
            if isinstance(messages[-1], ToolMessage):
                return entry
            return after_loop

        builder.add_conditional_edges("post_model_hook", after_hook, [entry, "tools", after_loop])
    else:
        builder.add_conditional_edges("agent", should_continue, ["tools", after_loop])

    if return_direct:

        def route_tool_responses(state: Any) -> str:
            m: Any = None
            for m in reversed(_messages(state)):
                if not isinstance(m, ToolMessage):
                    break
                if m.name in return_direct:
                    return END
            if isinstance(m, AIMessage) and any(c["name"] in return_direct for c in m.tool_calls):
                return END  # a return_direct tool ran in another `Send` of the same step
            return entry

        builder.add_conditional_edges("tools", route_tool_responses, [entry, END])
    else:
        builder.add_edge("tools", entry)
    return _compile(builder, checkpointer, store, interrupt_before, interrupt_after, debug, name)


def _compile(builder: StateGraph[Any], checkpointer: Any, store: Any, interrupt_before: Any, interrupt_after: Any,
             debug: bool, name: str | None) -> Any:
    return builder.compile(
        checkpointer=checkpointer,
        store=store,
        interrupt_before=interrupt_before,
        interrupt_after=interrupt_after,
        debug=debug,
        name=name,
    )


create_tool_calling_executor = create_react_agent  # LangGraph's older name
