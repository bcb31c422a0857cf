"""What only the PostgreSQL saver has: LangGraph's `from_conn_string` and `setup()`, the async saver, and a
server that restarts in the middle of a run. The behaviours every saver shares run over it in
test_checkpoint*.py; these tests use the session's real server (`pg_server.py`)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from checkpoint_helpers import (
    Log,
    appender,
    assert_linked,
    brief,
    chain,
    empty_postgres,
    invoke_on_threads,
    thread,
)
from livegraph import START, CheckpointError, StateGraph

psycopg = pytest.importorskip("psycopg")

from livegraph.checkpoint.postgres import AsyncPostgresSaver, PostgresSaver  # noqa: E402


@pytest.fixture(name="url")
def url_fixture(postgres_db: str) -> str:
    empty_postgres(postgres_db)
    return postgres_db


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def test_from_conn_string_and_setup_create_the_tables_once(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        saver.setup()  # again: nothing changes
        graph = chain("a", "b", checkpointer=saver)
        assert graph.invoke({"x": 1}, thread()) == {"x": 1, "log": ["a", "b"]}
    assert _tables(url) == ["livegraph_checkpoints", "livegraph_heads", "livegraph_meta", "livegraph_writes"]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT key, value FROM livegraph_meta ORDER BY key").fetchall() == [
            ("format", "livegraph-checkpoints"), ("version", "2"),
        ]
        rows = conn.execute("SELECT step, kind, state FROM livegraph_checkpoints ORDER BY seq").fetchall()
    # JSON text, and after the first checkpoint only what each step changed
    assert rows == [
        (-1, "full", '{"log":[]}'), (0, "delta", '{"set":{"x":1}}'), (1, "delta", '{"add":{"log":["a"]}}'),
        (2, "delta", '{"add":{"log":["b"]}}'),
    ]


def test_a_database_of_a_newer_livegraph_is_refused(url: str) -> None:
    with PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE livegraph_meta SET value='99' WHERE key='version'")
    with PostgresSaver.from_conn_string(url) as saver, pytest.raises(CheckpointError) as info:
        saver.setup()
    assert str(info.value) == ("The database holds checkpoints of a newer livegraph (format version 99; this one "
                               "reads up to 2); upgrade livegraph to use it")


def test_the_async_saver_runs_a_graph_and_answers_langgraph_s_async_calls(url: str) -> None:
    async def main() -> Any:
        async with AsyncPostgresSaver.from_conn_string(url) as saver:
            await saver.setup()
            graph = chain("a", "b", checkpointer=saver)
            result = await graph.ainvoke({"x": 1}, thread())
            head = await saver.aget_tuple(thread())
            listed = [t async for t in saver.alist(thread())]
            loops = [t.metadata["step"] async for t in saver.alist(thread(), filter={"source": "loop"}, limit=2)]
            sync = saver.get_tuple(thread()), list(saver.list(thread()))
            await saver.aput_writes(head.config, [("x", 9), ("log", ["w"])], "task-1")
            written = ([t.pending_writes async for t in saver.alist(thread(), limit=1)],
                       (await saver.aget_tuple(thread())).pending_writes)
            return result, head, listed, loops, *sync, written

    result, head, listed, loops, sync_head, sync_listed, written = asyncio.run(main())
    assert written == ([[("task-1", "x", 9), ("task-1", "log", ["w"])]], [("task-1", "x", 9), ("task-1", "log", ["w"])])
    assert result == {"x": 1, "log": ["a", "b"]}
    assert head == sync_head
    assert listed == sync_listed
    assert [t.metadata["step"] for t in listed] == [2, 1, 0, -1]
    assert loops == [2, 1]


# What a call says when the server restarted: it ends its connections with a message (psycopg's AdminShutdown).
LOST = (
    "Lost the connection to PostgreSQL (AdminShutdown: terminating connection due to administrator command); "
    "what this call was saving or reading did not happen. The thread keeps its last saved checkpoint: run again "
    "(`graph.invoke(None, config)`) to resume from it"
)


def test_a_server_restart_mid_run_is_a_clear_error_and_the_next_run_resumes(url: str, postgres_server: Any) -> None:
    ran: list[str] = []

    def restart(state: Any) -> dict[str, Any]:
        ran.append("restart")
        if ran.count("restart") == 1:
            postgres_server.stop()  # a fast shutdown: every connection is dropped
            postgres_server.start()
        return {"log": ["restart"]}

    builder = StateGraph(Log)
    builder.add_node("a", appender("a")).add_node("restart", restart).add_node("c", appender("c"))
    builder.add_edge(START, "a").add_edge("a", "restart").add_edge("restart", "c")
    with PostgresSaver.from_conn_string(url) as saver:
        graph = builder.compile(checkpointer=saver)
        with pytest.raises(CheckpointError) as info:
            graph.invoke({"x": 1}, thread())
        assert str(info.value) == LOST
        state = graph.get_state(thread())  # the saver reconnects by itself
        assert (state.values, state.next) == ({"x": 1, "log": ["a"]}, ("restart",))
        assert graph.invoke(None, thread()) == {"x": 1, "log": ["a", "restart", "c"]}
        history = list(graph.get_state_history(thread()))
    assert ran == ["restart", "restart"]
    assert brief(history)[:3] == [
        (3, "loop", (), {"x": 1, "log": ["a", "restart", "c"]}),
        (2, "loop", ("c",), {"x": 1, "log": ["a", "restart"]}),
        (1, "loop", ("restart",), {"x": 1, "log": ["a"]}),
    ]
    assert_linked(history)


def test_a_dropped_connection_given_by_the_caller_says_how_to_reconnect(url: str, postgres_server: Any) -> None:
    conn = psycopg.connect(url, autocommit=True)
    saver = PostgresSaver(conn)
    graph = chain("a", checkpointer=saver)
    graph.invoke({"x": 1}, thread())
    postgres_server.stop()
    postgres_server.start()
    with pytest.raises(CheckpointError) as info:
        graph.invoke({"x": 2}, thread())
    assert str(info.value) == LOST + (
        " with a new connection (a saver made by `PostgresSaver.from_conn_string` or given a ConnectionPool "
        "reconnects by itself)"
    )
    conn.close()
    with PostgresSaver.from_conn_string(url) as fresh:
        assert chain("a", checkpointer=fresh).get_state(thread()).values == {"x": 1, "log": ["a"]}


def test_a_connection_made_as_langgraph_s_docs_make_it_works(url: str) -> None:
    from psycopg.rows import dict_row

    with psycopg.connect(url, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        graph = chain("a", checkpointer=saver)
        assert graph.invoke({"x": 1}, thread()) == {"x": 1, "log": ["a"]}
        assert [s.metadata["step"] for s in graph.get_state_history(thread())] == [1, 0, -1]


def test_a_connection_outside_autocommit_is_refused(url: str) -> None:
    with psycopg.connect(url) as conn, pytest.raises(ValueError) as info:
        PostgresSaver(conn)
    assert str(info.value) == (
        "PostgresSaver needs a connection in autocommit mode (as LangGraph's does): "
        "`psycopg.connect(url, autocommit=True)`, or use `PostgresSaver.from_conn_string(url)`"
    )


def test_a_connection_pool_shared_by_threads(url: str) -> None:
    pool_module = pytest.importorskip("psycopg_pool")
    with pool_module.ConnectionPool(url, min_size=2, max_size=4, kwargs={"autocommit": True}) as pool:
        saver = PostgresSaver(pool)
        graph = chain("a", "b", checkpointer=saver)
        results = invoke_on_threads(graph, {"x": 1}, [f"t{i}" for i in range(4)], 30)
        assert results == {f"t{i}": {"x": 1, "log": ["a", "b"]} for i in range(4)}
        for i in range(4):
            assert_linked(list(graph.get_state_history(thread(f"t{i}"))))
