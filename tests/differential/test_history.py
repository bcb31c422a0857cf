"""Differential tests of persistence: the threads of `history.py`, run on LangGraph and on livegraph, give the
same history, snapshots (metadata, parents, task results, interrupts, subgraph snapshots), `checkpoints`
stream and checkpointer answers. Where livegraph differs on purpose, a test states the difference exactly."""

from __future__ import annotations

from typing import Any

import pytest
from engines import needs_langgraph, on_both
from history import SCENARIOS

pytestmark = [pytest.mark.slow, needs_langgraph]


@pytest.fixture(scope="module")
def outputs() -> tuple[dict[str, Any], dict[str, Any]]:
    return on_both("history.py")  # type: ignore[no-any-return]


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
