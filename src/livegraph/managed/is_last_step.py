"""LangGraph's `langgraph.managed.is_last_step` path."""

from livegraph._engine._schema import IsLastStep, IsLastStepManager, RemainingSteps, RemainingStepsManager

__all__ = ["IsLastStep", "IsLastStepManager", "RemainingSteps", "RemainingStepsManager"]
