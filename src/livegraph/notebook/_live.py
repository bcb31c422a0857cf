"""The refresh loop of a live view, after rich's `Live`: producers only store; one thread calls
`refresh()` at most `per_second` times a second, and `stop()` joins it and refreshes once more, so the
last update is never lost.

The loop runs in a copy of the context that started it. In a Jupyter kernel that copy carries the cell's
parent message, so what the loop sends from its thread is attributed to the cell that started the view
(ipykernel keeps the parent in a context variable and threads do not inherit it).

Where no thread can start (Pyodide, JupyterLite), the loop is a callback on the event loop, due every
interval: it refreshes whenever the run awaits (an async node, `await lgn.arun(...)`).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
import warnings
from collections.abc import Callable

from livegraph._engine import _platform

JOIN_TIMEOUT = 2.0
"""Seconds `stop()` waits for the loop's thread before giving up on it (it is a daemon thread)."""


class Live:
    """Calls `refresh` on a thread at most `per_second` times a second while started.

    Args:
        refresh: Sends what changed; called with a lock held, never twice at once.
        per_second: The most refreshes a second.
        auto_refresh: False starts no thread: call `refresh()` yourself (tests do).
        clock: A monotonic clock (a test seam).
        wait: `wait(seconds) -> stop?`; by default it waits on the stop signal (a test seam).
    """

    def __init__(
        self,
        refresh: Callable[[], None],
        *,
        per_second: float = 20.0,
        auto_refresh: bool = True,
        clock: Callable[[], float] = time.monotonic,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        if per_second <= 0:
            raise ValueError(f"per_second must be > 0, not {per_second!r}")
        self._refresh = refresh
        self.interval = 1.0 / per_second
        self.auto_refresh = auto_refresh
        self._clock = clock
        self._stopping = threading.Event()
        self._wait = wait or self._stopping.wait
        self._lock = threading.RLock()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._tick: asyncio.TimerHandle | None = None
        self._context: contextvars.Context | None = None
        self.error: BaseException | None = None

    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return self._context is not None

    def start(self) -> bool:
        """Start the loop; False when it runs already. Call it from the thread that owns the output."""
        with self._start_lock:
            if self._context is not None:
                return False
            self._context = contextvars.copy_context()
            self._stopping.clear()
            if self.auto_refresh and not _platform.HAS_THREADS:
                self._schedule(_current_loop())
            elif self.auto_refresh:
                self._thread = threading.Thread(
                    target=self._context.run, args=(self._loop,), name="livegraph-refresh", daemon=True
                )
                self._thread.start()
            return True

    def stop(self) -> None:
        """Stop the loop and refresh one last time; never raises (a failure is kept in `error`)."""
        with self._start_lock:
            context, thread = self._context, self._thread
            if context is None:
                return
            self._stopping.set()
            if self._tick is not None:
                self._tick.cancel()
                self._tick = None
            if thread is not None and thread is not threading.current_thread():
                thread.join(JOIN_TIMEOUT)
            self._thread = None
            self._context = None
        # A copy, as the loop's thread may still be inside the original if the join timed out.
        context.copy().run(self._guarded_refresh)

    def refresh(self) -> None:
        """Send what changed now."""
        with self._lock:
            self._refresh()

    def _guarded_refresh(self) -> None:
        try:
            self.refresh()
        except Exception as exc:
            if self.error is None:
                self.error = exc
                warnings.warn(
                    f"livegraph: the live view could not refresh: {exc!r}", RuntimeWarning, stacklevel=2
                )

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        self._tick = loop.call_later(self.interval, self._on_tick, loop, context=self._context)

    def _on_tick(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._stopping.is_set():
            return
        self._guarded_refresh()
        if self.error is None:
            self._schedule(loop)

    def _loop(self) -> None:
        # Each refresh starts at least `interval` after the previous one started.
        due = self._clock() + self.interval
        while not self._wait(max(0.0, due - self._clock())):
            due = self._clock() + self.interval
            self._guarded_refresh()
            if self.error is not None:
                return


def _current_loop() -> asyncio.AbstractEventLoop:
    """The running loop, else the thread's loop (Pyodide's always-present WebLoop in a kernel cell)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()
