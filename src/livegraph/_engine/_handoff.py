"""How a driver hands what a run streams to its consumer: the items in order, a `StepDone` after each step
(the next step starts only when the consumer asks for more), then `DONE` or `(DONE, error)`.

Shared by the sync driver (a driver thread and a queue), the async driver and the bridge that runs an async
graph for a sync caller.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

DONE = object()


class StepDone:
    """Put by a driver that runs ahead of its consumer after each step: the step after runs only once the
    consumer has taken everything before it and asks for more (`ack`), so stopping a stream between steps
    starts no further node, as with LangGraph's lazy stream."""

    __slots__ = ("ack",)

    def __init__(self, ack: Callable[[], None]) -> None:
        self.ack = ack


def consume(get: Callable[[], Any]) -> Generator[Any, None, None]:
    """Yield a driver's items until its outcome: return on DONE, raise its error, ack each step."""
    while True:
        item = get()
        if type(item) is StepDone:
            item.ack()
        elif item is DONE:
            return
        elif type(item) is tuple and item[0] is DONE:
            raise item[1]
        else:
            yield item


__all__ = ["DONE", "StepDone", "consume"]
