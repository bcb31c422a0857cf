"""LangGraph's `langgraph.typing` path: the type variables its generic classes are written with."""

from typing import TypeVar

StateT = TypeVar("StateT")
StateT_co = TypeVar("StateT_co", covariant=True)
StateT_contra = TypeVar("StateT_contra", contravariant=True)
ContextT = TypeVar("ContextT")
InputT = TypeVar("InputT")
OutputT = TypeVar("OutputT")
NodeInputT = TypeVar("NodeInputT")

__all__ = ["ContextT", "InputT", "NodeInputT", "OutputT", "StateT", "StateT_co", "StateT_contra"]
