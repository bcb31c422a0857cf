"""DOT text -> SVG in a browser tab (Pyodide, as in JupyterLite), where no Graphviz executable can run.

The site ships Graphviz compiled to WebAssembly (npm `@viz-js/viz`, copied by `make lite` to
`static/livegraph/viz.js`, next to the site's other files: never a CDN). The kernel imports it once and
draws synchronously; the import waits on the page's event loop (`pyodide.ffi.run_sync`), so this works where
the browser lets Pyodide block on the loop (JSPI, in Chromium). Anywhere else `svg()` gives None and the
caller falls back to the DOT text.
"""

from __future__ import annotations

import json
from typing import Any

from .._engine import _platform

VIZ_PATH = "static/livegraph/viz.js"
"""Where the site keeps `@viz-js/viz`, from the site's root."""

_viz: list[Any] = []  # the Viz instance, once loaded
_drawn: dict[str, str] = {}


def svg(dot: str) -> str | None:
    """The SVG of `dot`, drawn in the browser; None when that cannot be done here."""
    if not _platform.IS_PYODIDE or not _platform.can_block_on_loop():
        return None
    found = _drawn.get(dot)
    if found is None:
        try:
            found = _draw(dot)
        except Exception:
            return None
        if len(_drawn) > 64:
            _drawn.clear()
        _drawn[dot] = found
    return found


def _draw(dot: str) -> str:
    import js  # type: ignore[import-not-found]
    from pyodide.code import run_js  # type: ignore[import-not-found]
    from pyodide.ffi import run_sync, to_js  # type: ignore[import-not-found]

    if not _viz:
        root = str(js.location.href).split("/extensions/")[0]
        module = run_sync(run_js(f"import({json.dumps(f'{root}/{VIZ_PATH}')})"))
        _viz.append(run_sync(module.instance()))
    options = to_js({"format": "svg"}, dict_converter=js.Object.fromEntries)
    return str(_viz[0].renderString(dot, options))
