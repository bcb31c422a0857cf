"""LangGraph's `langgraph.managed` path: state keys the run fills in for each task.

`remaining_steps: RemainingSteps` is how many supersteps the recursion limit still allows;
`is_last_step: IsLastStep` is True in the step before the last one. A graph that checks them can stop
itself before `GraphRecursionError`.
"""

from livegraph._engine._schema import IsLastStep, RemainingSteps

__all__ = ["IsLastStep", "RemainingSteps"]
