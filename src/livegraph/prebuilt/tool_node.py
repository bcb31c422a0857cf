"""`ToolNode` and `tools_condition` at LangGraph's path, on LangChain tools (`pip install 'livegraph[langchain]'`).

A `ToolNode` runs the tool calls of the last `AIMessage` in parallel (threads, each with the node's context,
so tools can stream) and answers each with a `ToolMessage`. As in LangGraph, by default a call whose
arguments do not validate, or that names an unknown tool, becomes an error `ToolMessage` the model can read
and fix; an exception raised by the tool itself fails the node unless `handle_tool_errors` says otherwise.
Tool parameters annotated `InjectedState` / `InjectedStore` get the graph's state / store, hidden from the model.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Sequence
from copy import copy
from typing import Annotated, Any, get_args, get_origin

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables.config import get_executor_for_config
from langchain_core.tools import BaseTool, InjectedToolArg
from langchain_core.tools import tool as create_tool
from langchain_core.tools.base import get_all_basemodel_annotations
from pydantic import ValidationError

from livegraph._engine._constants import END
from livegraph._engine._context import get_config, get_store
from livegraph._engine._errors import GraphBubbleUp
from livegraph._engine._types import Command, Send

__all__ = ["InjectedState", "InjectedStore", "ToolNode", "tools_condition"]

INVALID_TOOL_NAME = "Error: {requested_tool} is not a valid tool, try one of [{available_tools}]."
TOOL_CALL_ERROR = "Error: {error}\n Please fix your mistakes."
TOOL_INVOCATION_ERROR = (
    "Error invoking tool '{tool_name}' with kwargs {tool_kwargs} with error:\n {error}\n"
    " Please fix the error and try again."
)
ErrorHandling = bool | str | Callable[..., str] | type[Exception] | tuple[type[Exception], ...]


class InjectedState(InjectedToolArg):
    """Annotate a tool parameter `Annotated[dict, InjectedState]` to get the graph state (or
    `InjectedState("key")` for one key of it); the model never sees the parameter."""

    def __init__(self, field: str | None = None) -> None:
        self.field = field


class InjectedStore(InjectedToolArg):
    """Annotate a tool parameter `Annotated[Any, InjectedStore()]` to get the graph's store."""


class ToolInvocationError(Exception):
    """A tool call whose arguments do not fit the tool's schema (shown to the model by default)."""

    def __init__(self, name: str, source: ValidationError, args: Any, injected: set[str]) -> None:
        errors = [e for e in source.errors() if not (e.get("loc") and e["loc"][0] in injected)]
        shown = "\n".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in errors)
        self.message = TOOL_INVOCATION_ERROR.format(tool_name=name, tool_kwargs=args, error=shown)
        super().__init__(self.message)


def _default_handle_tool_errors(e: Exception) -> str:
    """Arguments that do not validate go back to the model; anything else is raised."""
    if isinstance(e, ToolInvocationError):
        return e.message
    raise e


def _handled(flag: ErrorHandling, exc: Exception) -> bool:
    if not flag:
        return False
    if isinstance(flag, type):
        return isinstance(exc, flag)
    if isinstance(flag, tuple):
        return isinstance(exc, flag)
    if callable(flag) and flag is not _default_handle_tool_errors:
        hint = next(iter(inspect.signature(flag).parameters.values()), None)
        kinds = hint.annotation if hint is not None else Exception
        if isinstance(kinds, type) and issubclass(kinds, Exception):
            return isinstance(exc, kinds)
        args = get_args(kinds)
        if args and all(isinstance(a, type) for a in args):
            return isinstance(exc, args)
    return True


def _error_content(flag: ErrorHandling, exc: Exception) -> str:
    if isinstance(flag, str):
        return flag
    if callable(flag) and not isinstance(flag, type):
        return str(flag(exc))
    return TOOL_CALL_ERROR.format(error=repr(exc))


def _injected(tool: BaseTool) -> tuple[dict[str, str | None], str | None]:
    """The tool's parameters that take the state (parameter -> state key or None) and the store."""
    state: dict[str, str | None] = {}
    store = None
    try:
        annotations = get_all_basemodel_annotations(tool.get_input_schema())
    except Exception:
        return state, store
    for name, hint in annotations.items():
        if get_origin(hint) is not Annotated:
            continue
        for marker in get_args(hint)[1:]:
            if marker is InjectedState or isinstance(marker, InjectedState):
                state[name] = marker.field if isinstance(marker, InjectedState) else None
            elif marker is InjectedStore or isinstance(marker, InjectedStore):
                store = name
    return state, store


class ToolNode:
    """A node that runs the tool calls of the last AI message (LangGraph's `ToolNode`).

    Args:
        tools: LangChain tools, or plain functions (made into tools with `@tool`).
        name: The node's name when added without one (`add_node(ToolNode(...))`).
        handle_tool_errors: What to do when a tool fails: by default only invalid arguments become an
            error `ToolMessage`; `True` turns every exception into one, a string is the message to send, a
            function makes it from the exception, exception types limit which ones; `False` raises.
        messages_key: The state key holding the messages.
    """

    def __init__(
        self,
        tools: Sequence[BaseTool | Callable[..., Any]],
        *,
        name: str = "tools",
        tags: list[str] | None = None,
        handle_tool_errors: ErrorHandling = _default_handle_tool_errors,
        messages_key: str = "messages",
    ) -> None:
        self.name = name
        self.tags = tags
        self.handle_tool_errors = handle_tool_errors
        self.messages_key = messages_key
        self.tools_by_name: dict[str, BaseTool] = {}
        self._injected: dict[str, tuple[dict[str, str | None], str | None]] = {}
        for t in tools:
            made = t if isinstance(t, BaseTool) else create_tool(t)
            self.tools_by_name[made.name] = made
            self._injected[made.name] = _injected(made)

    def __repr__(self) -> str:
        return f"ToolNode(tools={list(self.tools_by_name)})"

    def __call__(self, input: Any) -> Any:
        calls, kind, state = self._parse(input)
        config = get_config()
        store = get_store()
        with get_executor_for_config(config) as executor:  # type: ignore[arg-type]
            outputs = list(executor.map(lambda c: self._run_one(c, kind, state, config, store), calls))
        return self._combine(outputs, kind)

    # -- one call ---------------------------------------------------------------------------------------
    def _run_one(self, call: dict[str, Any], kind: str, state: Any, config: Any, store: Any) -> Any:
        tool = self.tools_by_name.get(call["name"])
        if tool is None:
            return ToolMessage(
                INVALID_TOOL_NAME.format(requested_tool=call["name"], available_tools=", ".join(self.tools_by_name)),
                name=call["name"],
                tool_call_id=call["id"],
                status="error",
            )
        try:
            args = {**self._inject(call, state, store), "type": "tool_call"}
            try:
                if getattr(tool, "func", 1) is None and getattr(tool, "coroutine", None) is not None:
                    response = asyncio.run(tool.ainvoke(args, config))  # async-only tool, on this worker thread
                else:
                    response = tool.invoke(args, config)
            except ValidationError as exc:
                injected = set(self._injected[call["name"]][0])
                raise ToolInvocationError(call["name"], exc, call["args"], injected) from exc
            return self._normalize(response, call)
        except GraphBubbleUp:
            raise
        except Exception as exc:
            if not _handled(self.handle_tool_errors, exc):
                raise
            return ToolMessage(
                _error_content(self.handle_tool_errors, exc), name=call["name"], tool_call_id=call["id"],
                status="error",
            )

    def _inject(self, call: dict[str, Any], state: Any, store: Any) -> dict[str, Any]:
        wants_state, wants_store = self._injected[call["name"]]
        if not wants_state and wants_store is None:
            return call
        call = copy(call)
        args = dict(call["args"])
        if isinstance(state, list):
            state = {self.messages_key: state}
        for param, key in wants_state.items():
            if key is None:
                args[param] = state
            elif isinstance(state, dict):
                args[param] = state[key]
            else:
                args[param] = getattr(state, key)
        if wants_store is not None:
            if store is None:
                raise ValueError(
                    "Cannot inject store into tools with InjectedStore annotations - "
                    "please compile your graph with a store."
                )
            args[wants_store] = store
        call["args"] = args
        return call

    def _normalize(self, response: Any, call: dict[str, Any]) -> Any:
        if isinstance(response, (Command, ToolMessage)):
            return response
        if isinstance(response, list) and all(isinstance(r, (Command, ToolMessage)) for r in response):
            return response
        raise TypeError(f"Tool {call['name']} returned unexpected type: {type(response)}")

    # -- input and output -------------------------------------------------------------------------------
    def _parse(self, input: Any) -> tuple[list[dict[str, Any]], str, Any]:
        if isinstance(input, dict) and input.get("__type") == "tool_call_with_context":
            return [input["tool_call"]], "tool_calls", input["state"]
        if isinstance(input, list):
            if input and isinstance(input[-1], dict) and input[-1].get("type") == "tool_call":
                return list(input), "tool_calls", {}
            kind, messages = "list", input
        elif isinstance(input, dict) and input.get(self.messages_key):
            kind, messages = "dict", input[self.messages_key]
        elif getattr(input, self.messages_key, None):
            kind, messages = "dict", getattr(input, self.messages_key)
        else:
            raise ValueError("No message found in input")
        last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
        if last is None:
            raise ValueError("No AIMessage found in input")
        return [dict(c) for c in last.tool_calls], kind, input

    def _combine(self, outputs: list[Any], kind: str) -> Any:
        flat: list[Any] = []
        for out in outputs:
            flat.extend(out if isinstance(out, list) else [out])
        if not any(isinstance(o, Command) for o in flat):
            return flat if kind == "list" else {self.messages_key: flat}
        combined: list[Any] = []
        sends: list[Any] = []
        for o in flat:
            if isinstance(o, Command):
                if o.graph == Command.PARENT and isinstance(o.goto, list) and all(isinstance(s, Send) for s in o.goto):
                    sends.extend(o.goto)
                else:
                    combined.append(o)
            else:
                combined.append([o] if kind == "list" else {self.messages_key: [o]})
        if sends:
            combined.append(Command(graph=Command.PARENT, goto=sends))
        return combined


def tools_condition(state: Any, messages_key: str = "messages") -> str:
    """Route to `tools` when the last message asks for tool calls, else to END."""
    if isinstance(state, list):
        messages = state
    elif isinstance(state, dict):
        messages = state.get(messages_key, [])
    else:
        messages = getattr(state, messages_key, [])
    if not messages:
        raise ValueError(f"No messages found in input state to tool_edge: {state}")
    last = messages[-1]
    if getattr(last, "tool_calls", None):
        return "tools"
    return END
