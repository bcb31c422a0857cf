"""What the platform can do, decided in one place.

Under Pyodide (`sys.platform == "emscripten"`, as in JupyterLite) a Python program can start no thread,
open no socket and run no subprocess. The engine and the layers above ask `HAS_THREADS` before they start a
thread or a loopback server and take their single-threaded path when it is False (`_nothreads.py`, the
refresh loop and the in-process model transport). In a browser with JSPI, Pyodide can block on the event
loop instead (`can_block_on_loop`), which is how sync calls on async graphs work there. Tests set
`HAS_THREADS` to False to run those paths on CPython.
"""

from __future__ import annotations

import sys

IS_PYODIDE = sys.platform == "emscripten"
HAS_THREADS = not IS_PYODIDE
"""False where starting a thread raises (`RuntimeError: can't start new thread`)."""


def can_block_on_loop() -> bool:
    """Whether this thread may wait for the event loop (Pyodide in a browser with JSPI: `pyodide.ffi.run_sync`),
    which lets a sync call on an async graph run without a thread."""
    if not IS_PYODIDE:
        return False
    try:
        from pyodide.ffi import can_run_sync  # type: ignore[import-not-found]
    except ImportError:
        return False
    return bool(can_run_sync())


def no_threads(what: str, instead: str) -> RuntimeError:
    """The error for a sync call that needs a thread, naming the async call that works without one."""
    return RuntimeError(
        f"{what} needs a thread, which this Python ({sys.platform}: Pyodide, as in JupyterLite) cannot "
        f"start; use `{instead}` instead (a notebook cell can `await` at the top level)"
    )
