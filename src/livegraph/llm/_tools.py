"""Tool definitions in OpenAI's format, written by hand or derived from a Python function's signature."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_JSON_TYPES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean",
                               list: "array", tuple: "array", dict: "object"}


def tool_schema(function: Callable[..., Any]) -> dict[str, Any]:
    """The OpenAI tool definition of `function`: its name, its docstring's first paragraph, its parameters.

    Parameter types come from the annotations (`str`, `int`, `float`, `bool`, `list`, `dict`); a parameter
    without a default is required.
    """
    hints = typing.get_type_hints(function)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation = hints.get(name, str)
        properties[name] = {"type": _JSON_TYPES.get(typing.get_origin(annotation) or annotation, "string")}
        if parameter.default is parameter.empty:
            required.append(name)
    description = (inspect.getdoc(function) or "").split("\n\n", 1)[0].replace("\n", " ")
    parameters = {"type": "object", "properties": properties, "required": required}
    return {"type": "function", "function": {"name": function.__name__, "description": description,
                                             "parameters": parameters}}


def tool_definitions(tools: Sequence[Mapping[str, Any] | Callable[..., Any]]) -> list[Mapping[str, Any]]:
    """`tools` in OpenAI's format: definitions pass through, functions go through `tool_schema`."""
    return [tool_schema(tool) if callable(tool) else tool for tool in tools]
