"""Differential tests of persistence: the threads of `history.py`, run on LangGraph and on livegraph, give the
same history, snapshots (metadata, parents, task results, interrupts, subgraph snapshots), `checkpoints`
stream and checkpointer answers. Where livegraph differs on purpose, a test states the difference exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from history import SCENARIOS
from test_differential import LANGGRAPH_PYTHON

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(LANGGRAPH_PYTHON is None, reason="no Python with LangGraph: set LIVEGRAPH_LANGGRAPH_PYTHON"),
]


def _run(python: str, engine: str, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([python, str(HERE / "history.py"), engine], capture_output=True, text=True, timeout=300,
                          env=env, cwd=HERE)
    assert proc.returncode == 0, f"{engine} under {python} failed:\n{proc.stderr}"
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def outputs() -> tuple[dict[str, Any], dict[str, Any]]:
    assert LANGGRAPH_PYTHON is not None
    lg_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    lv_env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return _run(LANGGRAPH_PYTHON, "langgraph", lg_env), _run(sys.executable, "livegraph", lv_env)


@pytest.mark.parametrize("scenario", sorted(set(SCENARIOS) - {"saver_calls"}))
def test_livegraph_keeps_the_history_langgraph_keeps(outputs: Any, scenario: str) -> None:
    langgraph, livegraph = outputs
    assert "raised" not in langgraph[scenario]
    assert livegraph[scenario] == langgraph[scenario]


def test_the_saver_answers_as_langgraph_s_but_keeps_no_internal_channels(outputs: Any) -> None:
    # `checkpoint["channel_values"]`: LangGraph's also holds its routing channels (`branch:to:<node>`) and
    # leaves out a reducer channel nothing wrote yet; livegraph's holds the state, as `get_state` shows it.
    langgraph, livegraph = outputs
    lg, lv = dict(langgraph["saver_calls"]), dict(livegraph["saver_calls"])
    assert lg.pop("values") == {"x": 1, "branch:to:ask": None, "branch:to:a": None}
    assert lv.pop("values") == {"x": 1, "log": []}
    assert lv == lg
