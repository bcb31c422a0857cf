"""Chat graphs on LangGraph and on livegraph (`chat_scenarios.py`): LangChain's fake chat models called in
nodes, `MessagesState`, `ToolNode`, `tools_condition` and `create_react_agent` give the same final states and
the same `messages` (chunks and their metadata), `updates` and `values` streams, item by item."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("langchain_core")
from chat_scenarios import RUNS, SCENARIOS  # noqa: E402
from engines import needs_langgraph, on_both  # noqa: E402

pytestmark = [pytest.mark.slow, needs_langgraph]

# livegraph runs `async def` nodes from `invoke`/`stream` too; LangGraph raises there.
ASYNC_ONLY = {"async_node", "async_tools"}
# Parallel tasks: livegraph streams a step's `updates` when the step ends, in task order (the engine's rule);
# LangGraph interleaves them with the tasks' messages as they finish. Each mode's own sequence is the same.
INTERLEAVED = {("react_agent", "messages+updates")}

@pytest.fixture(scope="module")
def chat_outputs() -> tuple[dict[str, Any], dict[str, Any]]:
    """`(langgraph's, livegraph's)` outputs: `{scenario: {how: normalized output}}`."""
    return on_both("chat_scenarios.py")  # type: ignore[no-any-return]


def _pairs() -> list[Any]:
    return [
        pytest.param(scenario, how, id=f"{scenario}-{how}")
        for scenario in SCENARIOS
        for how in ["invoke", *RUNS]
        if scenario not in ASYNC_ONLY or how.startswith("a")
    ]


@pytest.mark.parametrize(("scenario", "how"), _pairs())
def test_chat_graph_streams_what_langgraph_streams(chat_outputs: Any, scenario: str, how: str) -> None:
    langgraph, livegraph = chat_outputs
    expected, got = langgraph[scenario][how], livegraph[scenario][how]
    if (scenario, how) in INTERLEAVED:
        for mode in ("messages", "updates"):
            assert [c for m, c in got if m == mode] == [c for m, c in expected if m == mode]
        assert got != expected, "the streams now interleave the same: drop the pair from INTERLEAVED"
    else:
        assert got == expected


def test_the_scenarios_cover_what_the_issue_lists(chat_outputs: Any) -> None:
    langgraph, _ = chat_outputs
    chunks = langgraph["invoke_model"]["messages"]
    assert [c[0]["content"] for c in chunks] == ["hello", " ", "there", " ", "friend"]  # invoke streams per token
    # a `nostream` model's tokens are not streamed; its message shows when the node returns it
    assert [(c[0]["content"], c[0]["__class__"]) for c in langgraph["nostream"]["messages"]] == [
        ("streamed", "AIMessageChunk"),
        ("not streamed", "AIMessage"),
    ]
    tool_chunks = [c[0]["tool_call_chunks"] for c in langgraph["react_agent"]["messages"] if c[0].get("tool_call_chunks")]
    assert [t[0]["name"] for t in tool_chunks] == ["add", "shout"]
    assert langgraph["tool_raises"]["invoke"] == {"error": "RuntimeError", "message": "boom 1"}
