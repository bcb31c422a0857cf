"""Ctrl-C (and a notebook's stop button, which sends SIGINT to the kernel) while a run waits on an event loop.

Python's default handler raises KeyboardInterrupt wherever the main thread happens to be: inside some task's
step, which it kills. `asyncio.run`'s handler and ipykernel's (for cells that `await`) only cancel a task,
and only once the loop gets to it, which a run that holds the loop (a sync consumer) or a kernel whose
handler schedules on another loop may never let happen. So while a run waits on a loop in the main thread,
one handler of ours is installed: it asks each such run to stop (the `stop` it registered, called from the
handler: it must only schedule work, e.g. with `loop.call_soon_threadsafe`), then calls the handler it
replaced unless that is Python's default (whose KeyboardInterrupt the run raises itself, in a safe place).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

_stops: dict[int, Callable[[], None]] = {}
_previous: Any = None
_serial = 0


def on_sigint(stop: Callable[[], None]) -> Callable[[], None]:
    """Call `stop` on Ctrl-C until the returned remover is called. Only in the main thread (signals are
    delivered there); elsewhere nothing is registered."""
    global _previous, _serial
    if threading.current_thread() is not threading.main_thread():
        return _nothing
    if not _stops and signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        return _nothing  # the process ignores Ctrl-C on purpose
    _serial += 1
    key = _serial
    if not _stops:
        _previous = signal.signal(signal.SIGINT, _handle)
    _stops[key] = stop
    return lambda: _remove(key)


def _remove(key: int) -> None:
    global _previous
    if _stops.pop(key, None) is not None and not _stops:
        if signal.getsignal(signal.SIGINT) is _handle:  # nobody replaced ours meanwhile
            signal.signal(signal.SIGINT, _previous)
        _previous = None


def _handle(signum: int, frame: Any) -> None:
    for stop in list(_stops.values()):
        stop()
    previous = _previous
    if callable(previous) and previous is not signal.default_int_handler:
        previous(signum, frame)


def _nothing() -> None:
    return None
