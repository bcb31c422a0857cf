"""Differential tests: the graphs of `scenarios.py`, run on LangGraph and on livegraph, give the same streams.

`scenarios.py` runs once under a Python that has LangGraph (`$LIVEGRAPH_LANGGRAPH_PYTHON`, else
/tmp/lgvenv/bin/python or the benchmark's venv when present) and once under this one with livegraph; every
(scenario, way of running it) pair is compared exactly. Where livegraph differs on purpose, a test below
states the difference precisely instead (a difference by mistake would be a strict xfail naming the bug).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from engines import needs_langgraph, on_both
from scenarios import RUNS, SCENARIOS

pytestmark = [pytest.mark.slow, needs_langgraph]


@pytest.fixture(scope="module")
def outputs() -> tuple[dict[str, Any], dict[str, Any]]:
    """`(langgraph's, livegraph's)` outputs: `{scenario: {how: normalized output}}`."""
    return on_both("scenarios.py")  # type: ignore[no-any-return]


# -- differences on purpose (each stated precisely by a test below) ----------------------------------------------
RAISES_WHERE_LANGGRAPH_IGNORES = {"unknown_update_key": "InvalidUpdateError", "unknown_route": "NodeNotFoundError"}
TASK_ORDER = {"completion_order"}  # parallel tasks finish out of task order
INTERLEAVED = {("send_fanout", how) for how in ("values+updates+custom", "updates+custom/subgraphs", "updates+custom/v2")}


def _pairs() -> list[Any]:
    """Every (scenario, how) pair without a difference on purpose."""
    pairs = []
    for scenario in SCENARIOS:
        if scenario in RAISES_WHERE_LANGGRAPH_IGNORES or scenario in TASK_ORDER:
            continue
        for how in ["invoke", *RUNS]:
            if (scenario, how) in INTERLEAVED:
                continue
            pairs.append(pytest.param(scenario, how, id=f"{scenario}-{how}"))
    return pairs


@pytest.mark.parametrize(("scenario", "how"), _pairs())
def test_livegraph_streams_what_langgraph_streams(outputs: Any, scenario: str, how: str) -> None:
    langgraph, livegraph = outputs
    assert livegraph[scenario][how] == langgraph[scenario][how]


@pytest.mark.parametrize("scenario", sorted(RAISES_WHERE_LANGGRAPH_IGNORES))
def test_livegraph_raises_where_langgraph_silently_ignores(outputs: Any, scenario: str) -> None:
    # LangGraph drops an update to an unknown key, and a route to an unknown node, with at most a log line;
    # livegraph raises naming the node and the key (test_engine_errors.py has the messages).
    langgraph, livegraph = outputs
    for how in ["invoke", *RUNS]:
        assert "raised" not in langgraph[scenario][how]
        assert livegraph[scenario][how]["raised"] == {"error": RAISES_WHERE_LANGGRAPH_IGNORES[scenario]}


def _by_mode(chunks: list[Any]) -> dict[str, list[Any]]:
    """Each mode's own sequence, from a stream of `(mode, chunk)`, `(ns, mode, chunk)` or v2 parts."""
    out: dict[str, list[Any]] = {}
    for c in chunks:
        if isinstance(c, dict) and "type" in c:
            out.setdefault(c["type"], []).append((c["ns"], c["data"]))
        else:
            *ns, mode, data = c["()"]
            out.setdefault(mode, []).append((ns, data))
    return out


def _counted(chunks: list[Any]) -> Counter[str]:
    return Counter(json.dumps(c, sort_keys=True) for c in chunks)


def _modes(chunks: list[Any]) -> list[str]:
    return [c["type"] if "type" in c else c["()"][-2] for c in chunks]


@pytest.mark.parametrize(("scenario", "how"), sorted(INTERLEAVED))
def test_a_step_s_updates_follow_its_custom_chunks(outputs: Any, scenario: str, how: str) -> None:
    # livegraph streams a step's updates when the step ends, in task order; LangGraph streams each as its task
    # ends. Each mode's own sequence is the same; only how the modes interleave differs.
    langgraph, livegraph = outputs
    lg, lv = langgraph[scenario][how], livegraph[scenario][how]
    assert _by_mode(lv) == _by_mode(lg)
    assert _counted(lv) == _counted(lg)
    plan = ["values", "updates", "values"] if how.startswith("values") else ["updates"]
    write = ["custom"] * 3 + ["updates"] * 3 + (["values"] if how.startswith("values") else [])
    summarize = ["updates", "values"] if how.startswith("values") else ["updates"]
    assert _modes(lv) == plan + write + summarize


def test_updates_come_in_task_order_not_completion_order(outputs: Any) -> None:
    langgraph, livegraph = outputs
    lg, lv = langgraph["completion_order"], livegraph["completion_order"]
    a, b = {"a": {"log": ["a"]}}, {"b": {"log": ["b"]}}
    assert (lg["updates"], lv["updates"]) == ([b, a], [a, b])  # `b` finishes first
    for how in ["invoke", *RUNS]:
        assert _counted(lv[how] if isinstance(lv[how], list) else [lv[how]]) == \
            _counted(lg[how] if isinstance(lg[how], list) else [lg[how]])
