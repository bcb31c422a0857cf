"""Faults and bad input around checkpoints: a process killed mid-run, threads and processes sharing one
SQLite file, one thread id used by two runs at once, and every wrong thing a caller can pass."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from checkpoint_helpers import (  # noqa: F401
    Log,
    appender,
    assert_linked,
    brief,
    chain,
    cid,
    empty_postgres,
    invoke_on_threads,
    saver_factory_fixture,
    saver_fixture,
    saver_kind_fixture,
    thread,
)
from engine_helpers import mode_fixture, run_invoke, run_stream  # noqa: F401
from livegraph import START, CheckpointError, EmptyInputError, StateGraph
from livegraph.checkpoint.sqlite import SqliteSaver
from livegraph.types import StateSnapshot

SRC = str(Path(__file__).resolve().parents[1] / "src")

# A script that runs a chain on a SQLite file or a PostgreSQL database (a `postgresql://` URL); each node
# records that it ran (in `calls`) and node `sleep_in` waits (until `<calls>.release` exists, at most a
# minute) when asked to, so the test can kill the process there or run another one meanwhile.
CHAIN_SCRIPT = textwrap.dedent("""
    import json, operator, os, sys, time
    from typing import Annotated, TypedDict
    from livegraph import START, CheckpointError, StateGraph
    from livegraph.checkpoint.sqlite import SqliteSaver

    db, calls, thread_id, steps, sleep_in = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]

    class S(TypedDict):
        x: int
        log: Annotated[list[str], operator.add]

    def make(name):
        def fn(state):
            with open(calls, "a") as f:
                f.write(name + "\\n")
            if name == sleep_in:
                open(calls + ".sleeping", "w").close()
                deadline = time.time() + 60
                while not os.path.exists(calls + ".release") and time.time() < deadline:
                    time.sleep(0.01)
            return {"x": state["x"] + 1, "log": [name]}
        return fn

    builder = StateGraph(S)
    names = [f"n{i}" for i in range(1, steps + 1)]
    for n in names:
        builder.add_node(n, make(n))
    builder.add_edge(START, names[0])
    for a, b in zip(names, names[1:]):
        builder.add_edge(a, b)
    if db.startswith("postgresql://"):
        import psycopg
        from livegraph.checkpoint.postgres import PostgresSaver
        saver = PostgresSaver(psycopg.connect(db, autocommit=True))
    else:
        saver = SqliteSaver(db)
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": thread_id}, "recursion_limit": 1000}
    start = None if os.environ.get("RESUME") else {"x": 0}
    while os.environ.get("GO") and not os.path.exists(os.environ["GO"]):  # start together with the others
        time.sleep(0.001)
    try:
        print(json.dumps(graph.invoke(start, config)))
    except CheckpointError as exc:
        print(json.dumps({"error": str(exc)}))
        sys.exit(3)
""")


@pytest.fixture(params=["sqlite", "postgres"], name="store")
def store_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the processes keep their checkpoints: a SQLite file, or a PostgreSQL database (emptied)."""
    if request.param == "sqlite":
        return str(tmp_path / "checkpoints.db")
    url: str = request.getfixturevalue("postgres_db")
    empty_postgres(url)
    return url


def open_saver(store: str) -> Any:
    if store.startswith("postgresql://"):
        import psycopg

        from livegraph.checkpoint.postgres import PostgresSaver

        return PostgresSaver(psycopg.connect(store, autocommit=True))
    return SqliteSaver(store)


def close_saver(saver: Any) -> None:
    if isinstance(saver, SqliteSaver):
        saver.close()
    else:
        saver.conn.close()


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "chain.py"
    path.write_text(CHAIN_SCRIPT)
    return path


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC, **extra}


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.01)


# -- a process killed mid-run -------------------------------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_process_killed_in_step_3_resumes_in_a_new_process_from_step_2(tmp_path: Path, store: str) -> None:
    script, calls = _script(tmp_path), tmp_path / "calls.txt"
    args = [sys.executable, str(script), store, str(calls), "job", "5"]
    proc = subprocess.Popen([*args, "n3"], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(Path(f"{calls}.sleeping"), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert calls.read_text().split() == ["n1", "n2", "n3"]

    done = subprocess.run([*args, "-"], env=_env(RESUME="1"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"x": 5, "log": ["n1", "n2", "n3", "n4", "n5"]}
    assert calls.read_text().split() == ["n1", "n2", "n3", "n3", "n4", "n5"]  # n1 and n2 did not run again

    saver = open_saver(store)
    graph = chain("n1", "n2", "n3", "n4", "n5", checkpointer=saver)  # the same graph, for `next`
    history = list(graph.get_state_history(thread("job")))
    close_saver(saver)
    assert [(s.metadata["step"], s.metadata["source"], s.values.get("x")) for s in history] == [
        (5, "loop", 5), (4, "loop", 4), (3, "loop", 3), (2, "loop", 2), (1, "loop", 1), (0, "loop", 0),
        (-1, "input", None),
    ]
    assert_linked(history)


def test_a_run_that_fails_resumes_from_its_last_completed_step(mode: str, saver: Any) -> None:
    calls: list[str] = []
    broken = {"b": True}

    def step(name: str) -> Any:
        def fn(state: Log) -> dict[str, Any]:
            calls.append(name)
            if broken.get(name):
                raise ConnectionError(f"{name} lost its connection")
            return {"log": [name]}
        return fn

    graph = (StateGraph(Log).add_node("a", step("a")).add_node("b", step("b")).add_node("c", step("c"))
             .add_edge(START, "a").add_edge("a", "b").add_edge("b", "c").compile(checkpointer=saver))
    with pytest.raises(ConnectionError) as info:
        run_invoke(mode, graph, {"x": 1}, thread())
    assert str(info.value) == "b lost its connection"
    state = graph.get_state(thread())
    assert (state.values, state.next, state.metadata["step"]) == ({"x": 1, "log": ["a"]}, ("b",), 1)
    broken.clear()
    assert run_invoke(mode, graph, None, thread()) == {"x": 1, "log": ["a", "b", "c"]}
    assert calls == ["a", "b", "b", "c"]
    assert_linked(list(graph.get_state_history(thread())))


def test_a_run_stopped_before_applying_its_input_applies_it_on_resume(mode: str, saver: Any) -> None:
    # The input's checkpoint keeps the input: a run killed (or whose START router failed) after saving it
    # and before the first step's checkpoint loses nothing.
    calls: list[str] = []

    def route(state: Log) -> str:
        calls.append(f"route x={state['x']}")
        if len(calls) == 1:
            raise ConnectionError("the router's model is down")
        return "a"

    graph = (StateGraph(Log).add_node("a", appender("a")).add_conditional_edges(START, route, ["a"])
             .compile(checkpointer=saver))
    with pytest.raises(ConnectionError):
        run_invoke(mode, graph, {"x": 7}, thread())
    assert brief(graph.get_state_history(thread())) == [(-1, "input", ("__start__",), {"log": []})]
    assert run_invoke(mode, graph, None, thread()) == {"x": 7, "log": ["a"]}
    assert calls == ["route x=7", "route x=7"]
    history = list(graph.get_state_history(thread()))
    assert brief(history) == [
        (1, "loop", (), {"x": 7, "log": ["a"]}),
        (0, "loop", ("a",), {"x": 7, "log": []}),
        (-1, "input", ("__start__",), {"log": []}),
    ]
    assert [[(t.name, t.result) for t in s.tasks] for s in history][1:] == [[("a", {"log": ["a"]})],
                                                                          [("__start__", {"x": 7})]]
    assert_linked(history)


# -- sharing one file ---------------------------------------------------------------------------------------------
def test_threads_on_different_thread_ids_do_not_interfere(saver_factory: Any) -> None:
    names = [f"n{i}" for i in range(100)]
    results: dict[str, Any] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(tid: str) -> None:
        try:
            graph = chain(*names, checkpointer=saver_factory())  # SQLite: each thread opens the file itself
            barrier.wait(10)
            results[tid] = graph.invoke({"x": int(tid[1:])}, {**thread(tid), "recursion_limit": 200})
        except BaseException as exc:  # handed to the test
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert errors == []
    assert results == {f"t{i}": {"x": i, "log": names} for i in range(4)}
    graph = chain(*names, checkpointer=saver_factory())
    for i in range(4):
        history = list(graph.get_state_history(thread(f"t{i}")))
        assert [s.metadata["step"] for s in history] == list(range(100, -2, -1))
        assert [s.values.get("x") for s in history] == [i] * 101 + [None]
        assert_linked(history)


def test_threads_sharing_one_saver_do_not_interfere(saver: Any) -> None:
    names = [f"n{i}" for i in range(20)]
    graph = chain(*names, checkpointer=saver)
    with_threads = invoke_on_threads(graph, {"x": 0}, [f"s{i}" for i in range(4)], 60)
    assert with_threads == {f"s{i}": {"x": 0, "log": names} for i in range(4)}
    for i in range(4):
        assert len(list(graph.get_state_history(thread(f"s{i}")))) == 22


def test_processes_on_different_thread_ids_do_not_interfere(tmp_path: Path, store: str) -> None:
    script, go = _script(tmp_path), tmp_path / "go"
    saver = open_saver(store)  # created before, so both processes open an existing store
    saver.head("none")
    close_saver(saver)
    procs = [subprocess.Popen([sys.executable, str(script), store, str(tmp_path / f"calls{i}.txt"), f"p{i}", "300",
                               "-"], env=_env(GO=str(go)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    time.sleep(0.5)  # both have imported livegraph and built the graph, and are waiting for `go`
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    names = [f"n{i}" for i in range(1, 301)]
    assert [json.loads(out) for out, _ in outs] == [{"x": 300, "log": names}] * 2
    saver = open_saver(store)
    graph = chain(*names, checkpointer=saver)
    for i in range(2):
        history = list(graph.get_state_history(thread(f"p{i}")))
        assert [s.values.get("x") for s in history] == [*range(300, -1, -1), None]
        assert_linked(history)
    close_saver(saver)


def test_a_second_process_advancing_the_same_thread_is_refused_and_history_stays_linked(
        tmp_path: Path, store: str) -> None:
    script, calls = _script(tmp_path), tmp_path / "calls.txt"
    first = subprocess.Popen([sys.executable, str(script), store, str(calls), "same", "3", "n2"], env=_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(Path(f"{calls}.sleeping"), first)  # the first process is in its step 2 (n2)
    second = subprocess.run([sys.executable, str(script), store, str(tmp_path / "calls2.txt"), "same", "3", "-"],
                            env=_env(), capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == {"x": 3, "log": ["n1", "n1", "n2", "n3"]}
    Path(f"{calls}.release").touch()
    out, err = first.communicate(timeout=60)
    assert first.returncode == 3, err

    saver = open_saver(store)
    graph = chain("n1", "n2", "n3", checkpointer=saver)
    history = list(graph.get_state_history(thread("same")))
    close_saver(saver)
    # the first process's input and step 1, then the second's whole run; the first's step 2 was refused
    assert [(s.metadata["step"], s.metadata["source"], s.values.get("x")) for s in history] == [
        (6, "loop", 3), (5, "loop", 2), (4, "loop", 1), (3, "loop", 0), (2, "input", 1), (1, "loop", 1),
        (0, "loop", 0), (-1, "input", None),
    ]
    assert_linked(history)
    assert json.loads(out) == {"error": (
        f"Thread `same` was changed by another run while this run was going (expected its newest checkpoint to "
        f"be {cid(history[5])!r}, found {cid(history[0])!r}); nothing was overwritten. Run one graph at a time "
        "per thread_id, or give concurrent runs different thread_ids."
    )}


def test_one_thread_id_used_by_two_runs_at_once_is_refused_and_history_stays_linked(saver_factory: Any) -> None:
    started, go = threading.Event(), threading.Event()

    def slow(state: Log) -> dict[str, Any]:
        if state["x"] == 1:  # the first run waits here until the second has finished
            started.set()
            go.wait(10)
        return {"log": [f"slow{state['x']}"]}

    def build() -> Any:
        return StateGraph(Log).add_node("slow", slow).add_edge(START, "slow").compile(checkpointer=saver_factory())

    first_error: list[BaseException] = []

    def first() -> None:
        try:
            build().invoke({"x": 1}, thread())
        except BaseException as exc:  # handed to the test
            first_error.append(exc)

    worker = threading.Thread(target=first)
    worker.start()
    assert started.wait(10)
    graph = build()
    assert graph.invoke({"x": 2}, thread()) == {"x": 2, "log": ["slow2"]}
    go.set()
    worker.join(10)

    history = list(graph.get_state_history(thread()))
    assert brief(history) == [
        (3, "loop", (), {"x": 2, "log": ["slow2"]}),
        (2, "loop", ("slow",), {"x": 2, "log": []}),
        (1, "input", ("__start__",), {"x": 1, "log": []}),
        (0, "loop", ("slow",), {"x": 1, "log": []}),
        (-1, "input", ("__start__",), {"log": []}),
    ]
    assert_linked(history)
    assert len(first_error) == 1 and isinstance(first_error[0], CheckpointError)
    assert str(first_error[0]) == (
        f"Thread `1` was changed by another run while this run was going (expected its newest checkpoint to be "
        f"{cid(history[3])!r}, found {cid(history[0])!r}); nothing was overwritten. Run one graph at a time per "
        "thread_id, or give concurrent runs different thread_ids."
    )


# -- what a caller can get wrong ----------------------------------------------------------------------------------
NEEDS_THREAD = (
    "A graph compiled with a checkpointer needs a thread id: pass "
    "`config={'configurable': {'thread_id': '1'}}` to invoke/stream"
)


@pytest.mark.parametrize("config", [None, {}, {"configurable": {}}, {"configurable": {"thread_id": None}}])
def test_a_checkpointer_without_a_thread_id_says_what_to_pass(mode: str, saver: Any, config: Any) -> None:
    graph = chain("a", checkpointer=saver)
    with pytest.raises(CheckpointError) as info:
        run_invoke(mode, graph, {"x": 1}, config)
    assert str(info.value) == NEEDS_THREAD
    with pytest.raises(CheckpointError) as info:
        run_stream(mode, graph, {"x": 1}, config, stream_mode="values")
    assert str(info.value) == NEEDS_THREAD
    for call in (lambda: graph.get_state(config), lambda: list(graph.get_state_history(config)),
                 lambda: graph.update_state(config, {"x": 1})):
        with pytest.raises(CheckpointError) as info:
            call()
        assert str(info.value) == NEEDS_THREAD


def test_state_methods_without_a_checkpointer_say_what_to_pass() -> None:
    graph = chain("a")
    for call in (lambda: graph.get_state(thread()), lambda: list(graph.get_state_history(thread())),
                 lambda: graph.update_state(thread(), {"x": 1})):
        with pytest.raises(CheckpointError) as info:
            call()
        assert str(info.value) == (
            "This graph has no checkpointer: compile it with `checkpointer=InMemorySaver()` (or SqliteSaver) to "
            "keep state between runs"
        )


def test_continuing_an_unknown_thread_says_to_start_it(mode: str, saver: Any) -> None:
    graph = chain("a", checkpointer=saver)
    with pytest.raises(EmptyInputError) as info:
        run_invoke(mode, graph, None, thread("nobody"))
    assert str(info.value) == (
        "Nothing to resume on thread `nobody`: it has no checkpoints. Start it with an input: "
        "`graph.invoke(inputs, config)`"
    )
    assert list(graph.get_state_history(thread("nobody"))) == []


@pytest.mark.parametrize("start", [None, {"x": 2}])
def test_an_unknown_checkpoint_id_says_where_to_find_the_ids(mode: str, saver: Any, start: Any) -> None:
    graph = chain("a", checkpointer=saver)
    run_invoke(mode, graph, {"x": 1}, thread())
    before = list(graph.get_state_history(thread()))
    message = ("Thread `1` has no checkpoint `nope`; list its checkpoints with "
               "`graph.get_state_history(config)`")
    with pytest.raises(CheckpointError) as info:
        run_invoke(mode, graph, start, thread("1", "nope"))
    assert str(info.value) == message
    # get_state answers LangGraph's empty snapshot, also for a checkpoint id of another thread
    for config in (thread("1", "nope"), thread("2", cid(before[0]))):
        assert graph.get_state(config) == StateSnapshot({}, (), config, None, None, None)
    assert list(graph.get_state_history(thread())) == before


def test_update_state_at_an_unknown_checkpoint_id_says_where_to_find_the_ids(saver: Any) -> None:
    graph = chain("a", checkpointer=saver)
    graph.invoke({"x": 1}, thread())
    with pytest.raises(CheckpointError) as info:
        graph.update_state(thread("1", "nope"), {"x": 2})
    assert str(info.value) == ("Thread `1` has no checkpoint `nope`; list its checkpoints with "
                               "`graph.get_state_history(config)`")


@pytest.mark.parametrize("content", [bytes(random.Random(5).randrange(256) for _ in range(4096)),
                                     b"just some text\n" * 10], ids=["random bytes", "text"])
def test_a_corrupt_file_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "checkpoints.db"
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as info:
        SqliteSaver(path)
    assert str(info.value) == (
        f"{path} cannot be opened as a livegraph checkpoint file (file is not a database); it is corrupt or not "
        "SQLite: give SqliteSaver a new file path"
    )
    assert path.read_bytes() == content  # left as it was


def test_a_foreign_sqlite_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE users (id INTEGER); CREATE TABLE orders (id INTEGER); INSERT INTO users VALUES (1);")
    conn.close()
    with pytest.raises(CheckpointError) as info:
        SqliteSaver(path)
    assert str(info.value) == (
        f"{path} is a SQLite database, but not a livegraph checkpoint file (it has tables orders, users); give "
        "SqliteSaver a new file path"
    )
    conn = sqlite3.connect(path)
    assert sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master")) == ["orders", "users"]
    conn.close()


def test_a_file_of_another_format_with_our_table_names_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE livegraph_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                       "INSERT INTO livegraph_meta VALUES ('format', 'something-else');")
    conn.close()
    with pytest.raises(CheckpointError) as info:
        SqliteSaver(path)
    assert str(info.value) == f"{path} is not a livegraph checkpoint file (format 'something-else')"


def test_a_livegraph_file_opens_again_and_keeps_its_threads(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.db"
    saver = SqliteSaver(path)
    chain("a", checkpointer=saver).invoke({"x": 1}, thread())
    saver.close()
    with SqliteSaver.from_conn_string(str(path)) as again:
        graph = chain("a", "b", checkpointer=again)
        assert graph.get_state(thread()).values == {"x": 1, "log": ["a"]}
        assert graph.invoke({"x": 2}, thread()) == {"x": 2, "log": ["a", "a", "b"]}


@pytest.mark.parametrize("target", [":memory:", "connection"])
def test_sqlite_in_memory_and_on_a_given_connection(mode: str, target: str) -> None:
    conn = sqlite3.connect(":memory:", check_same_thread=False) if target == "connection" else None
    saver = SqliteSaver(conn if conn is not None else ":memory:")
    graph = chain("a", "b", checkpointer=saver)
    assert run_invoke(mode, graph, {"x": 1}, thread()) == {"x": 1, "log": ["a", "b"]}
    assert [s.metadata["step"] for s in graph.get_state_history(thread())] == [2, 1, 0, -1]
    if conn is not None:
        assert conn.execute("SELECT count(*) FROM livegraph_checkpoints").fetchone() == (4,)
        conn.close()


def test_delete_thread_forgets_only_that_thread(saver: Any) -> None:
    graph = chain("a", checkpointer=saver)
    graph.invoke({"x": 1}, thread("1"))
    graph.invoke({"x": 2}, thread("2"))
    saver.delete_thread("1")
    assert list(graph.get_state_history(thread("1"))) == []
    assert graph.get_state(thread("2")).values == {"x": 2, "log": ["a"]}


@pytest.mark.parametrize(("given", "pragma"), [(None, 1), ("full", 2), ("EXTRA", 3)])
def test_sqlite_syncs_at_wal_checkpoints_by_default_and_on_every_commit_when_asked(
        tmp_path: Path, given: str | None, pragma: int) -> None:
    saver = SqliteSaver(tmp_path / "checkpoints.db", **({"synchronous": given} if given else {}))
    conn = saver._conn()
    assert conn.execute("PRAGMA synchronous").fetchone() == (pragma,)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    saver.close()


def test_sqlite_refuses_an_unknown_synchronous_setting(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as info:
        SqliteSaver(tmp_path / "checkpoints.db", synchronous="sometimes")
    assert str(info.value) == (
        "SqliteSaver(synchronous='sometimes'): use 'NORMAL' (the default), 'FULL' (sync every commit: safe "
        "against power cuts, slower) or 'EXTRA'"
    )
    assert not (tmp_path / "checkpoints.db").exists()
