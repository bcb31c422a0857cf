"""LangGraph 1.2's newer API (`api_scenarios.py`) prints the same on livegraph as on LangGraph.

`api_langgraph.json` is what LangGraph 1.2.24 printed for every scenario (regenerate it with
`python api_scenarios.py langgraph > api_langgraph.json` under a Python that has LangGraph). livegraph's
output is compared with it on every test run; when a Python with LangGraph is around, LangGraph's current
output is compared with it too, so the file cannot drift from what LangGraph does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from api_scenarios import SCENARIOS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXPECTED: dict[str, list[str]] = json.loads((HERE / "api_langgraph.json").read_text())


def _run(python: str, engine: str, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([python, str(HERE / "api_scenarios.py"), engine], capture_output=True, text=True,
                          timeout=300, env=env, cwd=HERE)
    assert proc.returncode == 0, f"{engine} under {python} failed:\n{proc.stderr}"
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def livegraph_output() -> dict[str, Any]:
    return _run(sys.executable, "livegraph", {**os.environ, "PYTHONPATH": str(ROOT / "src")})


def test_every_scenario_has_langgraph_s_output() -> None:
    assert sorted(EXPECTED) == sorted(SCENARIOS)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_livegraph_prints_what_langgraph_prints(livegraph_output: dict[str, Any], scenario: str) -> None:
    assert livegraph_output[scenario] == EXPECTED[scenario]


def _langgraph_python() -> str | None:
    explicit = os.environ.get("LIVEGRAPH_LANGGRAPH_PYTHON")
    if explicit:
        return explicit
    for candidate in (Path("/tmp/lgvenv/bin/python"), ROOT / "bench" / ".venv-langgraph" / "bin" / "python"):
        if candidate.exists():
            return str(candidate)
    return None


@pytest.mark.slow
@pytest.mark.skipif(_langgraph_python() is None, reason="no Python with LangGraph: set LIVEGRAPH_LANGGRAPH_PYTHON")
def test_the_recorded_output_is_still_langgraph_s() -> None:
    python = _langgraph_python()
    assert python is not None
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    assert _run(python, "langgraph", env) == EXPECTED
