"""What the browser tests and `bench/bench_notebook.py` share: Chromium's flags, a notebook file written from
cells, opening it in JupyterLab once its kernel is ready, and sampling a run's page until its record shows.

Plain functions over a Playwright `page` (no pytest here: the bench imports this module too, with
`tests/browser` put on its path).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = '.jp-Notebook-ExecutionIndicator[data-status="idle"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of these code cells, on the python3 kernel."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def wait_for_kernel(page: Any) -> None:
    """Waits until the notebook's kernel is connected and idle. The indicator can read idle before the kernel
    is connected: wait, pause, wait again, and accept the "Select Kernel" dialog if it opened anyway."""
    page.wait_for_selector(IDLE, timeout=90_000)
    page.wait_for_timeout(1500)
    page.wait_for_selector(IDLE, timeout=90_000)
    if page.locator(".jp-Dialog").count():
        page.locator(".jp-Dialog .jp-mod-accept").click()
        page.wait_for_selector(IDLE, timeout=90_000)


def sample_until_record(
    page: Any, script: str, seconds: float, each: Callable[[dict[str, Any]], None] | None = None
) -> list[dict[str, Any]]:
    """Every sample `script` took of the page, a tenth of a second apart, up to the first with a `record`;
    `each` sees every earlier one as it comes. A run that shows no record within `seconds` fails."""
    samples: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sample = page.evaluate(script)
        samples.append(sample)
        if sample["record"] is not None:
            return samples
        if each is not None:
            each(sample)
        page.wait_for_timeout(100)
    raise AssertionError(f"the run did not end; last sample: {samples[-1]}")
