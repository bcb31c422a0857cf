"""LangGraph 1.2's newer API on livegraph, where livegraph says more than LangGraph or adds a seam.

What LangGraph itself prints for these features is compared in `differential/test_api_differential.py`;
this file pins livegraph's own messages and the behaviour a differential run cannot see (events, both
drivers, the checkpoint an attempt starts from).
"""

from __future__ import annotations

import asyncio
import operator
import warnings
from typing import Annotated, Any, TypedDict

import pytest

from livegraph.cache.memory import InMemoryCache
from livegraph.checkpoint.memory import InMemorySaver
from livegraph.errors import GraphDrained, InvalidUpdateError, NodeError
from livegraph.graph import START, StateGraph
from livegraph.runtime import RunControl, Runtime
from livegraph.store.memory import InMemoryStore
from livegraph.types import CachePolicy, GraphOutput, Interrupt, Overwrite, RetryPolicy, TimeoutPolicy


class Log(TypedDict, total=False):
    x: int
    log: Annotated[list, operator.add]


def _run(graph: Any, data: Any, config: Any = None, *, use_async: bool, **kw: Any) -> list[Any]:
    if use_async:
        async def collect() -> list[Any]:
            return [c async for c in graph.astream(data, config, **kw)]

        return asyncio.run(collect())
    return list(graph.stream(data, config, **kw))


BOTH = pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])


def test_a_node_timeout_is_refused_with_what_to_do_instead() -> None:
    with pytest.raises(NotImplementedError) as info:
        StateGraph(Log).add_node("slow", lambda s: s, timeout=5)
    assert str(info.value) == (
        "Node `slow`: livegraph has no node timeouts (LangGraph's `timeout=` / `TimeoutPolicy`); drop `timeout=` "
        "and bound the slow call itself (e.g. `asyncio.timeout(...)` or the client's timeout)"
    )
    with pytest.raises(NotImplementedError):
        StateGraph(Log).set_node_defaults(timeout=TimeoutPolicy(run_timeout=1.0))


def test_a_store_with_a_semantic_index_is_refused() -> None:
    with pytest.raises(NotImplementedError) as info:
        InMemoryStore(index={"dims": 3, "embed": lambda texts: [[0.0] * 3 for _ in texts]})
    assert str(info.value) == (
        "InMemoryStore(index=...): livegraph's store has no semantic search (it needs an embedding model); drop "
        "`index=` and search with `filter=`, or use LangGraph's store for embeddings"
    )


def test_two_overwrites_of_one_key_in_one_step_name_the_key() -> None:
    builder = StateGraph(Log).add_node("a", lambda s: {"log": Overwrite(["a"])})
    builder.add_node("b", lambda s: {"log": Overwrite(["b"])}).add_edge(START, "a").add_edge(START, "b")
    with pytest.raises(InvalidUpdateError) as info:
        builder.compile().invoke({"log": []})
    assert str(info.value) == (
        "At key `log`: Can receive only one Overwrite value per super-step; write `Overwrite(...)` to it from "
        "one node per step"
    )


@BOTH
def test_an_error_handler_replaces_the_failed_task_in_the_events_stream(use_async: bool) -> None:
    def boom(state: Log) -> dict[str, Any]:
        raise ValueError("bad")

    def handler(state: Log, error: NodeError) -> dict[str, Any]:
        return {"log": [f"{error.node}: {error.error}"]}

    graph = StateGraph(Log).add_node("boom", boom, error_handler=handler).add_edge(START, "boom").compile()
    events = _run(graph, {"log": []}, use_async=use_async, stream_mode="events")
    seen = [(e.kind, e.node) for e in events if e.kind not in ("run_start", "step_start", "step_end")]
    assert seen == [
        ("task_start", "boom"),
        ("task_error", "boom"),
        ("task_start", "__error_handler__boom"),
        ("task_end", "__error_handler__boom"),
        ("run_end", None),
    ]
    assert events[-1].data == {"log": ["boom: bad"]}


@BOTH
def test_runtime_execution_info_names_the_checkpoint_the_step_started_from(use_async: bool) -> None:
    seen: list[Any] = []

    def node(state: Log, runtime: Runtime[None]) -> dict[str, Any]:
        assert runtime.execution_info is not None
        seen.append((runtime.execution_info.checkpoint_id, runtime.execution_info.node_attempt))
        if runtime.execution_info.node_attempt == 1:
            raise ConnectionError("once more")
        return {"x": 1}

    policy = RetryPolicy(initial_interval=0.0, jitter=False)
    graph = StateGraph(Log).add_node("node", node, retry_policy=policy).add_edge(START, "node").compile(
        checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    _run(graph, {"x": 0}, config, use_async=use_async)
    after_input = [s for s in graph.get_state_history(config) if s.metadata and s.metadata["step"] == 0]
    started_from = after_input[0].config["configurable"]["checkpoint_id"]
    assert seen == [(started_from, 1), (started_from, 2)]


@BOTH
def test_a_drain_stops_before_the_next_step_and_the_thread_resumes_there(use_async: bool) -> None:
    control = RunControl()

    def a(state: Log) -> dict[str, Any]:
        control.request_drain()
        return {"log": ["a"]}

    builder = StateGraph(Log).add_node("a", a).add_node("b", lambda s: {"log": ["b"]})
    graph = builder.add_edge(START, "a").add_edge("a", "b").compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "d"}}
    with pytest.raises(GraphDrained) as info:
        _run(graph, {"log": []}, config, use_async=use_async, control=control)
    assert (info.value.reason, str(info.value)) == ("shutdown", "Graph drained: shutdown")
    assert graph.get_state(config).next == ("b",)
    assert graph.invoke(None, config) == {"log": ["a", "b"]}


@BOTH
def test_a_subgraph_caches_with_its_own_cache_not_its_parent_s(use_async: bool) -> None:
    calls: list[int] = []

    def work(state: Log) -> dict[str, Any]:
        calls.append(state["x"])
        return {"log": ["work"]}

    def inner(cache: Any) -> Any:
        builder = StateGraph(Log).add_node("work", work, cache_policy=CachePolicy()).add_edge(START, "work")
        return builder.compile(cache=cache)

    for inner_cache, outer_cache, expected in ((None, InMemoryCache(), [1, 1]), (InMemoryCache(), None, [1])):
        calls.clear()
        outer = StateGraph(Log).add_node("inner", inner(inner_cache)).add_edge(START, "inner").compile(
            cache=outer_cache)
        for _ in range(2):
            assert _run(outer, {"x": 1}, use_async=use_async, stream_mode="values")[-1] == {"x": 1, "log": ["work"]}
        assert calls == expected


def test_graph_output_still_answers_v1_style_access_with_a_deprecation_warning() -> None:
    out = GraphOutput({"x": 1}, (Interrupt("why?", "i"),))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert (out["x"], out["__interrupt__"], "x" in out, "__interrupt__" in out) == (
            1, (Interrupt("why?", "i"),), True, True)
    assert [type(w.message) for w in caught] == [DeprecationWarning] * 4
    assert str(caught[0].message) == (
        "Accessing GraphOutput via `result[key]` is deprecated. Use `result.value` to access the output value "
        "directly, or `result.interrupts` for interrupts."
    )


def test_send_and_interrupt_still_import_from_constants_with_a_warning() -> None:
    import livegraph.constants as constants
    import livegraph.types as types

    with pytest.warns(DeprecationWarning, match="use `from livegraph.types import Send`"):
        assert constants.Send is types.Send
    with pytest.raises(AttributeError):
        constants.Nope  # noqa: B018 - the attribute access is the test
