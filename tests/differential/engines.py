"""How the differential tests run a scenario script on each engine: LangGraph in an interpreter that has it
(`$LIVEGRAPH_LANGGRAPH_PYTHON`, else /tmp/lgvenv or the benchmark's venv), livegraph in this one with this
tree's `src/` first. Each script prints its outcomes as JSON on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _langgraph_python() -> str | None:
    explicit = os.environ.get("LIVEGRAPH_LANGGRAPH_PYTHON")
    if explicit:
        return explicit
    for candidate in (Path("/tmp/lgvenv/bin/python"), ROOT / "bench" / ".venv-langgraph" / "bin" / "python"):
        if candidate.exists():
            return str(candidate)
    return None


LANGGRAPH_PYTHON = _langgraph_python()
needs_langgraph = pytest.mark.skipif(
    LANGGRAPH_PYTHON is None, reason="no Python with LangGraph: set LIVEGRAPH_LANGGRAPH_PYTHON"
)


def run_script(script: str, engine: str, stdin: str | None = None) -> Any:
    """What `HERE/script engine` prints (JSON), run on `engine` ("langgraph" or "livegraph")."""
    if engine == "langgraph":
        assert LANGGRAPH_PYTHON is not None
        python, env = LANGGRAPH_PYTHON, {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    else:
        python, env = sys.executable, {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([python, str(HERE / script), engine], input=stdin, capture_output=True, text=True,
                          timeout=300, env=env, cwd=HERE)
    assert proc.returncode == 0, f"{script} on {engine} under {python} failed:\n{proc.stderr}"
    return json.loads(proc.stdout)


def on_both(script: str) -> tuple[Any, Any]:
    """`(langgraph's, livegraph's)` outputs of `script`."""
    return run_script(script, "langgraph"), run_script(script, "livegraph")
