"""DOT text -> SVG or PNG through a Graphviz executable found at call time, and what Jupyter shows.

The executable is called directly (`-Tsvg`, DOT on stdin, a timeout) rather than through the `graphviz`
package: that package can only be pointed at another binary by changing a process-wide setting, and its
`pipe()` has no timeout.
"""

from __future__ import annotations

import base64
import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from .._engine._drawable import DrawGraph
from .._engine._errors import LiveGraphError
from ._dot import to_dot
from ._langgraph import as_drawable

TIMEOUT = 10.0
"""Seconds a renderer may take for one drawing."""

_HINT = (
    "no Graphviz renderer found: pip install 'livegraph[notebook]' (brings graphviz-pure) "
    "or install Graphviz (the `dot` command)"
)


class RenderError(LiveGraphError, RuntimeError):
    """No Graphviz renderer was found, or it failed on the DOT text."""


def find_renderer() -> str | None:
    """The path of the Graphviz executable to draw with, looked up afresh on every call.

    Search order:
        1. `LIVEGRAPH_DOT`, when set: a path or a command name; `none` (or empty) means no renderer.
           When set, nothing else is tried.
        2. A system `dot` on PATH.
        3. `graphviz-pure` in this Python's scripts folder (`sysconfig.get_path("scripts")`).
        4. `graphviz-pure` next to `sys.executable`.
        5. `graphviz-pure` on PATH.

    Returns:
        The executable's path, or None when there is none.
    """
    forced = os.environ.get("LIVEGRAPH_DOT")
    if forced is not None:
        return None if forced.strip().lower() in ("", "none") else shutil.which(forced)
    found = shutil.which("dot")
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        found = found or shutil.which("graphviz-pure", path=folder)
    return found or shutil.which("graphviz-pure")


def to_svg(
    graph: DrawGraph | Any,
    *,
    xray: bool | int = False,
    states: Mapping[str, str] | None = None,
    scope: str = "",
) -> str:
    """Draw `graph` as an SVG element ready to embed in HTML (no XML prolog or doctype).

    Arguments are those of `to_dot`. The same DOT text is drawn once: later calls come from a cache.

    Raises:
        RenderError: If no renderer is found (the message says what to install) or it fails.
        ValueError: If `scope` or a state is invalid.
    """
    return _svg(to_dot(graph, xray=xray, states=states, scope=scope))


def to_png(
    graph: DrawGraph | Any,
    output_file_path: str | os.PathLike[str] | None = None,
    *,
    xray: bool | int = False,
    states: Mapping[str, str] | None = None,
    scope: str = "",
) -> bytes | None:
    """Draw `graph` as PNG, like LangGraph's `draw_png()`.

    Args:
        graph: The drawable graph.
        output_file_path: Where to write the PNG. When given, the file is written and None returned.
        xray: As in `to_dot`.
        states: As in `to_dot`.
        scope: As in `to_dot`.

    Returns:
        The PNG bytes, or None when they were written to `output_file_path`.

    Raises:
        RenderError: If no renderer is found or it fails.
    """
    png = _pipe(to_dot(graph, xray=xray, states=states, scope=scope), "png")
    if output_file_path is None:
        return png
    Path(output_file_path).write_bytes(png)
    return None


def mimebundle(
    graph: DrawGraph | Any,
    *,
    xray: bool | int = False,
    states: Mapping[str, str] | None = None,
    scope: str = "",
) -> dict[str, str]:
    """What Jupyter shows for `graph`; never raises and never touches the network.

    Returns:
        When a renderer works: `image/svg+xml`, the same drawing as `image/png` (base64), and a one-line
        `text/plain`. The PNG is what viewers that do not trust the notebook show (JupyterLab and Notebook
        7 do not render the SVG of a notebook opened from a clone; GitHub and VS Code prefer the PNG too).
        Else only `text/plain`: a `//` comment line saying why (with the install hint when there is no
        renderer), then the DOT text.
    """
    try:
        graph, xray = as_drawable(graph, xray)
    except TypeError as exc:
        return {"text/plain": str(exc)}
    summary = f"<graph {graph.name!r}: {len(graph.nodes)} nodes, {len(graph.edges)} edges>"
    try:
        dot = to_dot(graph, xray=xray, states=states, scope=scope)
    except Exception as exc:
        return {"text/plain": f"{summary} cannot be drawn: {exc}"}
    try:
        svg = _svg(dot)
        png = base64.b64encode(_pipe(dot, "png")).decode("ascii")
        return {"image/svg+xml": svg, "image/png": png, "text/plain": summary}
    except Exception as exc:
        return {"text/plain": f"// {' '.join(str(exc).split())}\n{dot}"}


def svg_data_uri(svg: str) -> str:
    """`svg` as a `data:image/svg+xml;base64,...` URI: an `<img src=...>` of it survives the HTML sanitizers
    of Jupyter (untrusted notebooks), GitHub and nbviewer, which strip inline `<svg>`."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _svg(dot: str) -> str:
    svg = _pipe(dot, "svg").decode("utf-8")
    return svg[svg.find("<svg") :]  # without the XML prolog and doctype, so it embeds in HTML


def _pipe(dot: str, fmt: Literal["svg", "png"]) -> bytes:
    exe = find_renderer()
    if exe is None and fmt == "svg":
        from ._browser import svg  # a browser tab (Pyodide): Graphviz as WebAssembly, shipped with the site

        drawn = svg(dot)
        if drawn is not None:
            return drawn.encode("utf-8")
    if exe is None:
        raise RenderError(_HINT + ", or set LIVEGRAPH_DOT to its path")
    return _run(exe, fmt, dot)


@functools.lru_cache(maxsize=32)
def _run(exe: str, fmt: str, dot: str) -> bytes:
    """Run the renderer; cached by its path, the format and the DOT text (failures are not cached)."""
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"], input=dot.encode("utf-8"), capture_output=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"`{exe}` took more than {TIMEOUT:g} s to draw the graph") from None
    except OSError as exc:
        raise RenderError(f"cannot run `{exe}`: {exc}") from exc
    if done.returncode != 0:
        why = " ".join(done.stderr.decode("utf-8", "replace").split()) or "no message"
        raise RenderError(f"`{exe} -T{fmt}` failed with exit code {done.returncode}: {why}")
    return done.stdout
