"""LangGraph 1.2's newer API (`api_scenarios.py`) prints the same on livegraph as on LangGraph.

`api_langgraph.json` is what LangGraph 1.2.24 printed for every scenario (regenerate it with
`python api_scenarios.py langgraph > api_langgraph.json` under a Python that has LangGraph). livegraph's
output is compared with it on every test run; when a Python with LangGraph is around, LangGraph's current
output is compared with it too, so the file cannot drift from what LangGraph does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_scenarios import SCENARIOS
from engines import HERE, needs_langgraph, run_script

EXPECTED: dict[str, list[str]] = json.loads((HERE / "api_langgraph.json").read_text())


@pytest.fixture(scope="module")
def livegraph_output() -> dict[str, Any]:
    return run_script("api_scenarios.py", "livegraph")  # type: ignore[no-any-return]


def test_every_scenario_has_langgraph_s_output() -> None:
    assert sorted(EXPECTED) == sorted(SCENARIOS)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_livegraph_prints_what_langgraph_prints(livegraph_output: dict[str, Any], scenario: str) -> None:
    assert livegraph_output[scenario] == EXPECTED[scenario]


@pytest.mark.slow
@needs_langgraph
def test_the_recorded_output_is_still_langgraph_s() -> None:
    assert run_script("api_scenarios.py", "langgraph") == EXPECTED
