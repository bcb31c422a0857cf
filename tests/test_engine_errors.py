"""When things go wrong: errors that name the node and key, a node's own exception with a note, retries."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine_helpers import Log, appender, kind_fixture, mode_fixture, node, run_invoke, run_stream  # noqa: F401 - pytest fixtures
from livegraph import (
    START,
    Command,
    InvalidUpdateError,
    NodeNotFoundError,
    RetryPolicy,
    Send,
    StateGraph,
)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def notes(exc: BaseException) -> list[str]:
    """The exception's notes with task ids replaced by `<id>`."""
    return [UUID.sub("<id>", note) for note in getattr(exc, "__notes__", [])]


def _parallel(**writers: Any) -> Any:
    builder = StateGraph(Log)
    for name, fn in writers.items():
        builder.add_node(name, fn).add_edge(START, name)
    return builder.compile()


def test_two_writes_to_a_plain_key_in_one_step_name_the_key_and_both_nodes(mode: str, kind: str) -> None:
    graph = _parallel(a=node(kind, lambda s: {"x": 1}), b=node(kind, lambda s: {"x": 2}),
                      c=node(kind, lambda s: {"log": ["c"]}))
    with pytest.raises(InvalidUpdateError) as info:
        run_invoke(mode, graph, {"x": 0})
    assert str(info.value) == (
        "At key `x`: Can receive only one value per step, but `a` and `b` wrote it in the same step. Give the key "
        "a reducer to combine them (`x: Annotated[<type>, <reducer>]`, e.g. `Annotated[list, operator.add]` for a "
        "list), or write it from one node."
    )


def test_three_writers_are_all_named(mode: str) -> None:
    graph = _parallel(a=lambda s: {"x": 1}, b=lambda s: {"x": 2}, c=lambda s: {"x": 3})
    with pytest.raises(InvalidUpdateError, match=r"^At key `x`: Can receive only one value per step, but `a`, `b` "
                                                 r"and `c` wrote it in the same step\."):
        run_invoke(mode, graph, {"x": 0})


def test_send_workers_writing_a_plain_key_collide_too(mode: str) -> None:
    graph = (StateGraph(Log).add_node("w", lambda arg: {"x": arg})
             .add_conditional_edges(START, lambda s: [Send("w", 1), Send("w", 2)]).compile())
    with pytest.raises(InvalidUpdateError, match=r"^At key `x`: Can receive only one value per step, but `w` and "
                                                 r"`w` wrote it"):
        run_invoke(mode, graph, {"x": 0})


class Boom(Exception):
    pass


@pytest.mark.parametrize("siblings", [0, 2])
def test_a_node_s_exception_propagates_with_its_type_and_a_note_naming_the_node(
        mode: str, kind: str, siblings: int) -> None:
    def explode(state: Log) -> dict[str, Any]:
        raise Boom("no fuel")

    builder = StateGraph(Log).add_node("explode", node(kind, explode)).add_edge(START, "explode")
    for i in range(siblings):
        builder.add_node(f"calm{i}", node(kind, appender(f"calm{i}"))).add_edge(START, f"calm{i}")
    with pytest.raises(Boom) as info:
        run_invoke(mode, builder.compile(), {"x": 0})
    assert str(info.value) == "no fuel"
    assert notes(info.value) == ["During task with name 'explode' and id '<id>' (node `explode`, step 1)"]


def test_an_error_in_a_subgraph_names_the_inner_node_and_the_subgraph(mode: str) -> None:
    def explode(state: Log) -> dict[str, Any]:
        raise KeyError("missing")

    sub = StateGraph(Log).add_node("explode", explode).add_edge(START, "explode").compile()
    graph = StateGraph(Log).add_node("outer", sub).add_edge(START, "outer").compile()
    with pytest.raises(KeyError) as info:
        run_invoke(mode, graph, {"x": 0})
    assert notes(info.value) == [
        "During task with name 'explode' and id '<id>' (node `explode`, step 1 in subgraph `outer:<id>`)",
        "During task with name 'outer' and id '<id>' (node `outer`, step 1)",
    ]


@pytest.mark.parametrize(("returned", "message"), [
    ({"x": 1, "typo": 2, "also": 3},
     "Node `bad` returned `typo`, `also`, not in the state schema (keys: x, log); add the key to the state schema "
     "or drop it from the update"),
    (Command(update={"typo": 1}),
     "Node `bad` returned `typo`, not in the state schema (keys: x, log); add the key to the state schema or drop "
     "it from the update"),
    ("text",
     "Node `bad` returned 'text' (str); a node must return a dict of state updates, a Command, or None. "
     "Expected dict, got str"),
])
def test_what_a_node_returns_is_checked(mode: str, returned: Any, message: str) -> None:
    graph = StateGraph(Log).add_node("bad", lambda s: returned).add_edge(START, "bad").compile()
    with pytest.raises(InvalidUpdateError) as info:
        run_invoke(mode, graph, {"x": 0})
    assert str(info.value) == message


@pytest.mark.parametrize(("route", "path_map", "message"), [
    (lambda s: "nowhere", None,
     "Router `<lambda>` after `a` sent the run to `nowhere`, which is not a node of this graph (nodes: a, b); "
     "add the node or fix the name"),
    (lambda s: [Send("nowhere", 1)], None,
     "Router `<lambda>` after `a` sent the run to `nowhere`, which is not a node of this graph (nodes: a, b); "
     "add the node or fix the name"),
    (lambda s: "maybe", {"yes": "b"},
     "Router `<lambda>` after `a` returned 'maybe', which is not a key of its path_map ('yes'); return one of "
     "those keys"),
])
def test_unknown_route_targets_raise_naming_the_router(mode: str, route: Any, path_map: Any, message: str) -> None:
    graph = (StateGraph(Log).add_node("a", appender("a")).add_node("b", appender("b")).add_edge(START, "a")
             .add_conditional_edges("a", route, path_map).compile())
    with pytest.raises(NodeNotFoundError) as info:
        run_invoke(mode, graph, {"x": 0})
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_a_command_to_an_unknown_node_names_the_node(mode: str, kind: str) -> None:
    graph = (StateGraph(Log).add_node("a", node(kind, lambda s: Command(goto="nowhere")))
             .add_edge(START, "a").compile())
    with pytest.raises(NodeNotFoundError) as info:
        run_invoke(mode, graph, {"x": 0})
    assert str(info.value) == ("Node `a` (via Command(goto=...)) sent the run to `nowhere`, which is not a node "
                               "of this graph (nodes: a); add the node or fix the name")


def test_unknown_input_keys_are_named(mode: str) -> None:
    graph = StateGraph(Log).add_node("a", appender("a")).add_edge(START, "a").compile()
    with pytest.raises(InvalidUpdateError) as info:
        run_invoke(mode, graph, {"x": 0, "y": 1})
    assert str(info.value) == ("Input key(s) `y` are not in the state schema (keys: x, log); fix the key names or "
                               "add them to the schema")


def test_a_plain_function_returning_a_coroutine_is_refused(mode: str) -> None:
    async def real(state: Log) -> dict[str, Any]:
        return {}

    graph = StateGraph(Log).add_node("sneaky", lambda s: real(s)).add_edge(START, "sneaky").compile()
    with pytest.raises(TypeError) as info:
        run_invoke(mode, graph, {"x": 0})
    assert str(info.value) == ("Node `sneaky` returned an awaitable from a plain function; define it with "
                               "`async def` so livegraph runs it on an event loop")


def test_an_unknown_stream_mode_lists_the_known_ones(mode: str) -> None:
    graph = StateGraph(Log).add_node("a", appender("a")).add_edge(START, "a").compile()
    with pytest.raises(ValueError) as info:
        run_stream(mode, graph, {"x": 0}, stream_mode=["updates", "everything"])
    assert str(info.value) == ("Unknown stream_mode 'everything'; use one of 'values', 'updates', 'custom', "
                               "'messages', 'tasks', 'debug', 'checkpoints', 'events', or a list of them")


# -- retries -------------------------------------------------------------------------------------------------
def _flaky(kind: str, failures: int, exc: type[Exception] = ConnectionError) -> tuple[Any, list[int]]:
    attempts: list[int] = []

    def flaky(state: Log) -> dict[str, Any]:
        attempts.append(len(attempts) + 1)
        if len(attempts) <= failures:
            raise exc(f"attempt {len(attempts)}")
        return {"log": [f"ok after {len(attempts)}"]}

    return node(kind, flaky), attempts


FAST = {"initial_interval": 0.001, "backoff_factor": 1.0, "jitter": False}


def test_a_retry_policy_retries_until_the_node_succeeds(mode: str, kind: str) -> None:
    fn, attempts = _flaky(kind, failures=2)
    graph = (StateGraph(Log).add_node("flaky", fn, retry_policy=RetryPolicy(max_attempts=3, **FAST))
             .add_edge(START, "flaky").compile())
    assert run_stream(mode, graph, {"x": 0}, stream_mode="updates") == [{"flaky": {"log": ["ok after 3"]}}]
    assert attempts == [1, 2, 3]


def test_a_retry_policy_gives_up_after_max_attempts(mode: str, kind: str) -> None:
    fn, attempts = _flaky(kind, failures=10)
    graph = (StateGraph(Log).add_node("flaky", fn, retry_policy=RetryPolicy(max_attempts=4, **FAST))
             .add_edge(START, "flaky").compile())
    with pytest.raises(ConnectionError) as info:
        run_invoke(mode, graph, {"x": 0})
    assert str(info.value) == "attempt 4"
    assert attempts == [1, 2, 3, 4]


@pytest.mark.parametrize(("retry_on", "exc", "tries"), [
    ((ValueError,), ValueError, 3),  # a tuple of types
    (ValueError, KeyError, 1),  # not the type asked for
    (lambda e: "retry" in str(e), RuntimeError, 1),  # "attempt 1" has no "retry" in it
    (RetryPolicy().retry_on, ValueError, 1),  # the default: programming errors are not retried
])
def test_retry_on_chooses_which_errors_are_retried(mode: str, retry_on: Any, exc: type[Exception], tries: int) -> None:
    fn, attempts = _flaky("def", failures=10, exc=exc)
    policy = RetryPolicy(max_attempts=3, retry_on=retry_on, **FAST)
    graph = StateGraph(Log).add_node("flaky", fn, retry_policy=policy).add_edge(START, "flaky").compile()
    with pytest.raises(exc):
        run_invoke(mode, graph, {"x": 0})
    assert len(attempts) == tries


def test_retry_policies_are_tried_in_order(mode: str) -> None:
    fn, attempts = _flaky("def", failures=10, exc=KeyError)
    policies = [RetryPolicy(max_attempts=2, retry_on=ValueError, **FAST),
                RetryPolicy(max_attempts=5, retry_on=KeyError, **FAST)]
    graph = StateGraph(Log).add_node("flaky", fn, retry_policy=policies).add_edge(START, "flaky").compile()
    with pytest.raises(KeyError):
        run_invoke(mode, graph, {"x": 0})
    assert attempts == [1, 2, 3, 4, 5]


def test_retry_intervals_back_off_up_to_the_maximum() -> None:
    policy = RetryPolicy(initial_interval=0.5, backoff_factor=2.0, max_interval=3.0, jitter=False)
    assert [policy.interval(attempt) for attempt in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize("stream_mode", ["updates", ["updates", "custom"]], ids=["buffered", "live"])
def test_updates_of_the_failing_step_reach_the_consumer_before_the_error(mode: str, stream_mode: Any) -> None:
    graph = _parallel(a=lambda s: {"x": 1}, b=lambda s: {"x": 2})
    seen: list[Any] = []
    with pytest.raises(InvalidUpdateError):
        run_stream(mode, graph, {"x": 0}, stream_mode=stream_mode, on_chunk=seen.append)
    updates = [c[1] if isinstance(c, tuple) else c for c in seen]
    assert updates == [{"a": {"x": 1}}, {"b": {"x": 2}}]


def test_an_error_raised_from_a_cross_loop_error_gets_the_hint_that_names_the_fix(mode: str, kind: str) -> None:
    from livegraph._engine._run import CROSS_LOOP_HINT

    def call_model(state: Any) -> Any:
        try:
            raise RuntimeError("<asyncio.locks.Event object at 0x1 [unset]> is bound to a different event loop")
        except RuntimeError as exc:  # as an LLM adapter wraps what the SDK raised
            raise ConnectionError("the LLM call failed after streaming 0 chunks") from exc

    with pytest.raises(ConnectionError) as info:
        run_invoke(mode, _parallel(talk=node(kind, call_model)), {"x": 0})
    assert notes(info.value) == [
        "During task with name 'talk' and id '<id>' (node `talk`, step 1)",
        CROSS_LOOP_HINT,
    ]
