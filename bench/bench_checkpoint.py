"""Checkpoint overhead per superstep: livegraph and LangGraph, each with no saver, its in-memory saver, its
SQLite saver and its PostgreSQL saver (LangGraph's `langgraph-checkpoint-postgres`, on the same server),
side by side in one run; bytes stored per step; and throughput of 8 processes sharing one database.

    python bench/bench_checkpoint.py            # 3 rounds x 5 repetitions per (engine, case, saver)
    python bench/bench_checkpoint.py --quick    # 1 round x 3 repetitions, shorter graphs
    python bench/bench_checkpoint.py --postgres-url postgresql://...   # else a temporary server is started

Cases: `chain` is a 1000-step chain of nodes that each add 1 to one key; `wide` is a 200-step chain over a
state of 50 keys (each a 64-character string and a 4-item list), each node rewriting one key; `chat` is a
200-step chain that appends one ~200-character message per step to a `messages` list (a long chat
thread). Every (engine, case, saver) runs in a fresh process of the interpreter that has
the engine (livegraph: this interpreter with `src/` on the path; LangGraph: `--langgraph-python`, else
`LANGGRAPH_PYTHON`, else bench/.venv-langgraph or /tmp/lgvenv), engines alternating, every cell once per
round (rounds spread a busy machine's noise); medians are over all rounds. Each process builds
the graph (not timed), runs it once to warm up, then times `invoke` on a new thread id per repetition
(SQLite: one file per process, so later repetitions also pay for a growing file, as a real app does).

Columns: the median run, per step, and the overhead per step = (median run with the saver - median run
without) / steps; then LangGraph/livegraph ratios of the time per step and of the overhead. The target
(issue 5): livegraph no worse than LangGraph with the same kind of saver (ratios >= 1).

Bytes per step: what one run of each case left in the SQLite file / PostgreSQL tables (the stored text or
blobs, summed, without indexes or page overhead), divided by its steps. Throughput: 8 processes, each
running its own thread (a 200-step chain) against one SQLite file / one PostgreSQL database at once; steps
per second over all of them, from a common start to the last one's end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import operator
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, TypedDict

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
ENGINES = ("langgraph", "livegraph")
SAVERS = ("none", "memory", "sqlite", "postgres")
WIDE_KEYS = 50
PROCESSES = 8


class Chat(TypedDict):
    messages: Annotated[list, operator.add]


def build(engine: str, case: str, saver: str, steps: int, db: str) -> tuple[object, dict, object]:
    """(graph, input, saver or None) for one measurement, built with `engine`'s own classes."""
    from typing import Any, TypedDict

    if engine == "livegraph":
        from livegraph import START, StateGraph
        from livegraph.checkpoint.memory import InMemorySaver
        from livegraph.checkpoint.sqlite import SqliteSaver

        def sqlite_saver() -> Any:
            return SqliteSaver(db)

        def postgres_saver() -> Any:
            import psycopg

            from livegraph.checkpoint.postgres import PostgresSaver

            saver = PostgresSaver(psycopg.connect(db, autocommit=True))
            saver.setup()
            return saver
    else:
        import sqlite3

        from langgraph.checkpoint.memory import InMemorySaver
        from langgraph.checkpoint.sqlite import SqliteSaver
        from langgraph.graph import START, StateGraph

        def sqlite_saver() -> Any:
            return SqliteSaver(sqlite3.connect(db, check_same_thread=False))

        def postgres_saver() -> Any:
            import psycopg
            from langgraph.checkpoint.postgres import PostgresSaver
            from psycopg.rows import dict_row

            conn = psycopg.connect(db, autocommit=True, prepare_threshold=0, row_factory=dict_row)
            saver = PostgresSaver(conn)
            saver.setup()
            return saver

    if case == "chain":
        state: Any = TypedDict("Chain", {"x": int})
        inputs: dict[str, Any] = {"x": 0}

        def node(i: int) -> Any:
            return lambda s: {"x": s["x"] + 1}
    elif case == "chat":
        state = Chat
        inputs = {"messages": [{"role": "system", "content": "You are a helpful assistant."}]}

        def node(i: int) -> Any:
            role = "user" if i % 2 == 0 else "assistant"
            text = f"message {i}: " + "lorem ipsum dolor sit amet " * 7
            return lambda s: {"messages": [{"role": role, "content": text}]}
    else:
        keys = [f"k{i:02d}" for i in range(WIDE_KEYS)]
        state = TypedDict("Wide", {k: dict for k in keys})
        inputs = {k: {"text": k * 32, "items": [1, 2, 3, 4]} for k in keys}

        def node(i: int) -> Any:
            key = keys[i % WIDE_KEYS]
            return lambda s: {key: {"text": s[key]["text"][::-1], "items": [*s[key]["items"][1:], i]}}

    builder = StateGraph(state)
    names = [f"n{i}" for i in range(steps)]
    for i, name in enumerate(names):
        builder.add_node(name, node(i))
    builder.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    checkpointer = {"none": lambda: None, "memory": InMemorySaver, "sqlite": sqlite_saver,
                    "postgres": postgres_saver}[saver]()
    return builder.compile(checkpointer=checkpointer), inputs, checkpointer


def child(engine: str, case: str, saver: str, steps: int, reps: int, url: str = "") -> dict:
    """Measure one (engine, case, saver) in this process; the result as JSON-ready data."""
    with tempfile.TemporaryDirectory() as tmp:
        db = url if saver == "postgres" else os.path.join(tmp, "checkpoints.db")
        graph, inputs, _ = build(engine, case, saver, steps, db)
        samples = []
        for rep in range(reps + 1):  # the first run warms up
            config = {"recursion_limit": steps + 10, "configurable": {"thread_id": f"t{rep}"}}
            start = time.perf_counter()
            graph.invoke(dict(inputs), config)  # type: ignore[attr-defined]
            elapsed = time.perf_counter() - start
            if rep:
                samples.append(elapsed)
        return {"samples": samples, "bytes": stored_bytes(engine, saver, db) / (steps + 2) / (reps + 1)}


def stored_bytes(engine: str, saver: str, db: str) -> float:
    """What the saver's tables hold: the stored text / blobs, summed (no indexes, no page overhead)."""
    if saver not in ("sqlite", "postgres"):
        return 0.0
    if engine == "livegraph":
        sums = {"livegraph_checkpoints": "state, pending, metadata, tasks", "livegraph_writes": "value"}
    else:
        sums = {"checkpoints": "checkpoint, metadata", "checkpoint_writes": "blob", "checkpoint_blobs": "blob"}
    total = 0
    if saver == "sqlite":
        import sqlite3

        conn = sqlite3.connect(db)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table, cols in sums.items():
            if table in tables:
                expr = " + ".join(f"coalesce(length(CAST({c} AS BLOB)), 0)" for c in cols.split(", "))
                total += conn.execute(f"SELECT coalesce(sum({expr}), 0) FROM {table}").fetchone()[0]
        conn.close()
        return float(total)
    import psycopg

    with psycopg.connect(db) as conn:
        for table, cols in sums.items():
            expr = " + ".join(f"coalesce(pg_column_size({c}), 0)" for c in cols.split(", "))
            total += conn.execute(f"SELECT coalesce(sum({expr}), 0) FROM {table}").fetchone()[0]
    return float(total)


def throughput_child(engine: str, saver: str, steps: int, db: str, thread_id: str, go: str) -> dict:
    """One of the processes of the throughput run: build, wait for `go`, run its own thread."""
    graph, inputs, _ = build(engine, "chain", saver, steps, db)
    Path(f"{go}.ready.{thread_id}").touch()
    while not os.path.exists(go):
        time.sleep(0.001)
    config = {"recursion_limit": steps + 10, "configurable": {"thread_id": thread_id}}
    graph.invoke(dict(inputs), config)  # type: ignore[attr-defined]
    return {"end": time.time()}


def throughput(python: str, engine: str, saver: str, steps: int, db: str) -> float:
    """Steps per second of `PROCESSES` processes, each running its own thread on one database."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if engine == "livegraph":
        env["PYTHONPATH"] = str(SRC)
    with tempfile.TemporaryDirectory() as tmp:
        go = os.path.join(tmp, "go")
        if saver == "sqlite":
            db = os.path.join(tmp, "shared.db")
        else:  # the tables exist before the processes start (LangGraph's setup() is not safe to race)
            spawn(python, engine, "chain", saver, 2, 0, db)
        procs = [subprocess.Popen([python, __file__, "--throughput-child", engine, saver, str(steps), db, f"p{i}", go],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for i in range(PROCESSES)]
        deadline = time.monotonic() + 300
        while not all(os.path.exists(f"{go}.ready.p{i}") for i in range(PROCESSES)):  # all built their graph
            if any(proc.poll() is not None for proc in procs) or time.monotonic() > deadline:
                raise SystemExit(f"{engine} {saver} throughput child failed:\n{procs[0].communicate()[1]}")
            time.sleep(0.01)
        start = time.time()
        Path(go).touch()
        ends = []
        for proc in procs:
            out, err = proc.communicate(timeout=1800)
            if proc.returncode:
                raise SystemExit(f"{engine} {saver} throughput child failed:\n{err}")
            ends.append(json.loads(out)["end"])
    return PROCESSES * steps / (max(ends) - start)


def langgraph_python(explicit: str | None) -> str | None:
    for candidate in (
        explicit,
        os.environ.get("LANGGRAPH_PYTHON"),
        HERE / ".venv-langgraph" / "bin" / "python",
        "/tmp/lgvenv/bin/python",
    ):
        if candidate and Path(candidate).exists():
            return str(candidate)
    return None


def has_langgraph_sqlite(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import langgraph.checkpoint.sqlite"], capture_output=True)
    return probe.returncode == 0


def spawn(python: str, engine: str, case: str, saver: str, steps: int, reps: int, url: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if engine == "livegraph":
        env["PYTHONPATH"] = str(SRC)
    out = subprocess.run(
        [python, __file__, "--child", engine, case, saver, str(steps), str(reps), url],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    if out.returncode:
        raise SystemExit(f"{engine} {case} {saver} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repetitions, shorter graphs")
    parser.add_argument(
        "--langgraph-python", help="interpreter that has langgraph (and langgraph-checkpoint-sqlite)"
    )
    parser.add_argument("--json", type=Path, help="also write the medians here")
    parser.add_argument("--postgres-url", help="a PostgreSQL server to create the benchmark's databases on "
                        "(default: start a temporary one, as the tests do)")
    parser.add_argument("--throughput-only", action="store_true", help="only the 8-process throughput")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    parser.add_argument("--throughput-child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, case, saver, steps, reps, url = args.child
        print(json.dumps(child(engine, case, saver, int(steps), int(reps), url)))
        return
    if args.throughput_child:
        engine, saver, steps, db, thread_id, go = args.throughput_child
        print(json.dumps(throughput_child(engine, saver, int(steps), db, thread_id, go)))
        return

    reps = 3 if args.quick else 5
    rounds = 1 if args.quick else 3
    cases = {"chain": 300 if args.quick else 1000, "wide": 100 if args.quick else 200, "chat": 200}
    server, url = postgres(args.postgres_url)
    try:
        if args.throughput_only:
            pythons = {"livegraph": sys.executable, "langgraph": langgraph_python(args.langgraph_python)}
            run_throughput(args, rounds, pythons, SAVERS, url)
        else:
            run_all(args, reps, rounds, cases, url)
    finally:
        if server is not None:
            server.stop()


def postgres(explicit: str | None) -> tuple[object, str | None]:
    """(a server this run started or None, its URL or None when there is no PostgreSQL)."""
    if explicit:
        return None, explicit
    sys.path.insert(0, str(HERE.parent / "tests"))
    try:
        from pg_server import start_server

        server = start_server()
    except BaseException as exc:  # pytest's skip when no server is installed, or a failed start
        print(f"No PostgreSQL server ({exc}): no PostgreSQL column", file=sys.stderr)
        return None, None
    return server, server.url


def fresh(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


def run_all(args: argparse.Namespace, reps: int, rounds: int, cases: dict[str, int], url: str | None) -> None:
    pythons = {"livegraph": sys.executable, "langgraph": langgraph_python(args.langgraph_python)}
    lg_savers: tuple[str, ...] = SAVERS
    savers = SAVERS if url else SAVERS[:-1]
    if pythons["langgraph"] is None:
        print("LangGraph not found (set LANGGRAPH_PYTHON): measuring livegraph only", file=sys.stderr)
    elif not has_langgraph_sqlite(pythons["langgraph"]):
        print(
            "langgraph-checkpoint-sqlite is not installed for LangGraph: no LangGraph SQLite column",
            file=sys.stderr,
        )
        lg_savers = ("none", "memory")

    samples: dict[tuple[str, str, str], list[float]] = {}
    stored: dict[tuple[str, str, str], float] = {}
    for round_ in range(rounds):  # rounds spread a busy machine's noise over every cell
        for case, steps in cases.items():
            for saver in savers:
                for engine in ENGINES:
                    if engine == "langgraph" and (pythons["langgraph"] is None or saver not in lg_savers):
                        continue
                    db = fresh(url, f"bench_{engine}_{case}") if url and saver == "postgres" else ""
                    result = spawn(pythons[engine], engine, case, saver, steps, reps, db)  # type: ignore[arg-type]
                    samples.setdefault((engine, case, saver), []).extend(result["samples"])
                    stored[(engine, case, saver)] = result["bytes"]
                    print(
                        f"  round {round_ + 1}/{rounds} {engine:9} {case:5} {saver:6} "
                        f"{statistics.median(result['samples']) * 1e3:9.1f} ms",
                        file=sys.stderr,
                    )
    medians = {key: statistics.median(values) for key, values in samples.items()}

    print(
        f"\nCheckpoint overhead per superstep (median of {rounds} x {reps} runs; chain = {cases['chain']} steps "
        f"of one int key, wide = {cases['wide']} steps over {WIDE_KEYS} keys)\n"
    )
    print(
        "| case | saver | livegraph run | livegraph µs/step | overhead µs/step | LangGraph run | "
        "LangGraph µs/step | overhead µs/step | µs/step LG/lg | overhead LG/lg |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for case, steps in cases.items():
        for saver in savers:
            cells = [case, saver]
            overheads = {}
            for engine in ("livegraph", "langgraph"):
                run = medians.get((engine, case, saver))
                base = medians.get((engine, case, "none"))
                if run is None or base is None:
                    cells += ["-", "-", "-"]
                    continue
                overheads[engine] = (run - base) / steps * 1e6
                cells += [
                    f"{run * 1e3:.1f} ms",
                    f"{run / steps * 1e6:.1f}",
                    "-" if saver == "none" else f"{overheads[engine]:.1f}",
                ]
            runs = {e: medians.get((e, case, saver)) for e in ("livegraph", "langgraph")}
            cells.append(
                f"{runs['langgraph'] / runs['livegraph']:.1f}x" if None not in runs.values() else "-"
            )
            ratio = "-"
            if saver != "none" and len(overheads) == 2 and overheads["livegraph"] > 0:
                ratio = f"{overheads['langgraph'] / overheads['livegraph']:.2f}x"
            cells.append(ratio)
            rows.append(cells)
            print("| " + " | ".join(cells) + " |")
    print("\nBytes stored per step (one run of each case; text / blobs summed, no indexes)\n")
    print("| case | saver | livegraph B/step | LangGraph B/step | LG/lg |")
    print("|---|---|---:|---:|---:|")
    for case in cases:
        for saver in ("sqlite", "postgres"):
            lv, lg = stored.get(("livegraph", case, saver)), stored.get(("langgraph", case, saver))
            if lv is None:
                continue
            print(f"| {case} | {saver} | {lv:,.0f} | {'-' if lg is None else f'{lg:,.0f}'} | "
                  f"{'-' if not lg else f'{lg / lv:.1f}x'} |")

    run_throughput(args, rounds, pythons, lg_savers, url)
    if args.json:
        args.json.write_text(json.dumps({" ".join(k): v for k, v in medians.items()}, indent=2))


def run_throughput(args: argparse.Namespace, rounds: int, pythons: dict[str, str | None],
                   lg_savers: tuple[str, ...], url: str | None) -> None:
    steps = 100 if args.quick else 200
    print(f"\nThroughput: {PROCESSES} processes, each its own thread (a {steps}-step chain), one database "
          f"(median of {rounds})\n")
    print("| saver | livegraph steps/s | LangGraph steps/s | lg/LG |")
    print("|---|---:|---:|---:|")
    rates: dict[tuple[str, str], list[float]] = {}
    for saver in ("sqlite", "postgres") if url else ("sqlite",):
        for _ in range(rounds):
            for engine in ENGINES:
                if engine == "langgraph" and (pythons["langgraph"] is None or saver not in lg_savers):
                    continue
                db = fresh(url, f"bench_throughput_{engine}") if saver == "postgres" and url else ""
                rate = throughput(pythons[engine], engine, saver, steps, db)  # type: ignore[arg-type]
                rates.setdefault((engine, saver), []).append(rate)
                print(f"  {engine:9} {saver:8} {rate:,.0f} steps/s", file=sys.stderr)
        lv, lg = (statistics.median(rates[(e, saver)]) if (e, saver) in rates else None for e in ENGINES[::-1])
        print(f"| {saver} | {lv:,.0f} | {'-' if lg is None else f'{lg:,.0f}'} | "
              f"{'-' if not lg or not lv else f'{lv / lg:.1f}x'} |")


if __name__ == "__main__":
    main()
