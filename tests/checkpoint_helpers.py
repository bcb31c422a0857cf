"""What the checkpoint tests share: every saver as one fixture, a small chain graph, and history in brief.

Every persistence behaviour runs over `InMemorySaver`, a `SqliteSaver` on a real file in `tmp_path` and a
`PostgresSaver` on a real server (`pg_server.py`: started once per session, its tables emptied for each
test) (the `saver` fixture; a test module imports `saver_fixture`, `saver_factory_fixture`,
`saver_kind_fixture`, which pytest registers without the suffix; the server's fixtures are in conftest.py);
`saver_factory` makes more savers of the same kind (a second process or thread opening the same database
gets its own).
"""

from __future__ import annotations

import itertools
import operator
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest

from livegraph import START, StateGraph
from livegraph.checkpoint.memory import InMemorySaver
from livegraph.checkpoint.sqlite import SqliteSaver

SAVERS = ("memory", "sqlite", "postgres")


@pytest.fixture(params=SAVERS, name="saver_kind")
def saver_kind_fixture(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def empty_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS livegraph_meta, livegraph_checkpoints, livegraph_heads, "
                     "livegraph_writes")


@pytest.fixture(name="saver_factory")
def saver_factory_fixture(saver_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[], Any]:
    """Makes savers of this test's kind; SQLite ones all open `tmp_path/checkpoints.db`, PostgreSQL ones
    the session's test database (emptied first)."""
    opened: list[Any] = []
    memory = InMemorySaver()
    url = ""
    if saver_kind == "postgres":
        url = request.getfixturevalue("postgres_db")
        empty_postgres(url)

    def make() -> Any:
        if saver_kind == "memory":
            return memory
        if saver_kind == "postgres":
            import psycopg

            from livegraph.checkpoint.postgres import PostgresSaver

            pg = PostgresSaver(psycopg.connect(url, autocommit=True))
            opened.append(pg)
            return pg
        saver = SqliteSaver(tmp_path / "checkpoints.db")
        opened.append(saver)
        return saver

    yield make
    for saver in opened:
        if isinstance(saver, SqliteSaver):
            saver.close()
        else:
            saver.conn.close()


@pytest.fixture(name="saver")
def saver_fixture(saver_factory: Callable[[], Any]) -> Any:
    return saver_factory()


class Log(TypedDict):
    x: int
    log: Annotated[list[str], operator.add]


def thread(tid: str = "1", checkpoint_id: str | None = None) -> dict[str, Any]:
    conf: dict[str, Any] = {"thread_id": tid}
    if checkpoint_id is not None:
        conf["checkpoint_id"] = checkpoint_id
    return {"configurable": conf}


def appender(name: str) -> Callable[[Log], dict[str, Any]]:
    def fn(state: Log) -> dict[str, Any]:
        return {"log": [name]}

    fn.__name__ = name
    return fn


def chain(*names: str, checkpointer: Any = None, **compile_kw: Any) -> Any:
    """START -> names[0] -> names[1] -> ... ; each node appends its name to `log`."""
    builder = StateGraph(Log)
    for name in names:
        builder.add_node(name, appender(name))
    builder.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    return builder.compile(checkpointer=checkpointer, **compile_kw)


def invoke_on_threads(graph: Any, input: Any, thread_ids: list[str], timeout: float) -> dict[str, Any]:
    """`graph.invoke(input)` on every thread id at once, one Python thread each: the results by thread id."""
    results: dict[str, Any] = {}
    workers = [threading.Thread(target=lambda t=t: results.update({t: graph.invoke(input, thread(t))}))
               for t in thread_ids]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout)
    return results


def brief(history: Any) -> list[tuple[Any, ...]]:
    """Snapshots as `(step, source, next, values)`."""
    return [(s.metadata["step"], s.metadata["source"], s.next, s.values) for s in history]


def cid(snapshot_or_config: Any) -> str | None:
    """The checkpoint id of a snapshot or a config."""
    config = getattr(snapshot_or_config, "config", snapshot_or_config)
    return None if config is None else config["configurable"]["checkpoint_id"]


def assert_linked(history: list[Any]) -> None:
    """Newest first, each snapshot's parent is the next (older) one; the oldest has none."""
    for newer, older in itertools.pairwise(history):
        assert cid(newer.parent_config) == cid(older)
    assert history[-1].parent_config is None
