"""Checkpoint overhead per superstep: livegraph and LangGraph, each with no saver, its in-memory saver and
its SQLite saver, side by side in one run.

    python bench/bench_checkpoint.py            # 3 rounds x 5 repetitions per (engine, case, saver)
    python bench/bench_checkpoint.py --quick    # 1 round x 3 repetitions, shorter graphs

Cases: `chain` is a 1000-step chain of nodes that each add 1 to one key; `wide` is a 200-step chain over a
state of 50 keys (each a 64-character string and a 4-item list), each node rewriting one key, so every
checkpoint stores all 50. Every (engine, case, saver) runs in a fresh process of the interpreter that has
the engine (livegraph: this interpreter with `src/` on the path; LangGraph: `--langgraph-python`, else
`LANGGRAPH_PYTHON`, else bench/.venv-langgraph or /tmp/lgvenv), engines alternating, every cell once per
round (rounds spread a busy machine's noise); medians are over all rounds. Each process builds
the graph (not timed), runs it once to warm up, then times `invoke` on a new thread id per repetition
(SQLite: one file per process, so later repetitions also pay for a growing file, as a real app does).

Columns: the median run, per step, and the overhead per step = (median run with the saver - median run
without) / steps; then LangGraph/livegraph ratios of the time per step and of the overhead. The target
(issue 5): livegraph no worse than LangGraph with the same kind of saver (ratios >= 1).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
ENGINES = ("langgraph", "livegraph")
SAVERS = ("none", "memory", "sqlite")
WIDE_KEYS = 50


def build(engine: str, case: str, saver: str, steps: int, db: str) -> tuple[object, dict, object]:
    """(graph, input, saver or None) for one measurement, built with `engine`'s own classes."""
    from typing import Any, TypedDict

    if engine == "livegraph":
        from livegraph import START, StateGraph
        from livegraph.checkpoint.memory import InMemorySaver
        from livegraph.checkpoint.sqlite import SqliteSaver

        def sqlite_saver() -> Any:
            return SqliteSaver(db)
    else:
        import sqlite3

        from langgraph.checkpoint.memory import InMemorySaver
        from langgraph.checkpoint.sqlite import SqliteSaver
        from langgraph.graph import START, StateGraph

        def sqlite_saver() -> Any:
            return SqliteSaver(sqlite3.connect(db, check_same_thread=False))

    if case == "chain":
        state: Any = TypedDict("Chain", {"x": int})
        inputs: dict[str, Any] = {"x": 0}

        def node(i: int) -> Any:
            return lambda s: {"x": s["x"] + 1}
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
    checkpointer = {"none": lambda: None, "memory": InMemorySaver, "sqlite": sqlite_saver}[saver]()
    return builder.compile(checkpointer=checkpointer), inputs, checkpointer


def child(engine: str, case: str, saver: str, steps: int, reps: int) -> dict:
    """Measure one (engine, case, saver) in this process; the result as JSON-ready data."""
    with tempfile.TemporaryDirectory() as tmp:
        graph, inputs, _ = build(engine, case, saver, steps, os.path.join(tmp, "checkpoints.db"))
        samples = []
        for rep in range(reps + 1):  # the first run warms up
            config = {"recursion_limit": steps + 10, "configurable": {"thread_id": f"t{rep}"}}
            start = time.perf_counter()
            graph.invoke(dict(inputs), config)  # type: ignore[attr-defined]
            elapsed = time.perf_counter() - start
            if rep:
                samples.append(elapsed)
        return {"samples": samples}


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


def spawn(python: str, engine: str, case: str, saver: str, steps: int, reps: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if engine == "livegraph":
        env["PYTHONPATH"] = str(SRC)
    out = subprocess.run(
        [python, __file__, "--child", engine, case, saver, str(steps), str(reps)],
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
    parser.add_argument(
        "--child", nargs=5, metavar=("ENGINE", "CASE", "SAVER", "STEPS", "REPS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        engine, case, saver, steps, reps = args.child
        print(json.dumps(child(engine, case, saver, int(steps), int(reps))))
        return

    reps = 3 if args.quick else 5
    rounds = 1 if args.quick else 3
    cases = {"chain": 300 if args.quick else 1000, "wide": 100 if args.quick else 200}
    pythons = {"livegraph": sys.executable, "langgraph": langgraph_python(args.langgraph_python)}
    lg_savers = SAVERS
    if pythons["langgraph"] is None:
        print("LangGraph not found (set LANGGRAPH_PYTHON): measuring livegraph only", file=sys.stderr)
    elif not has_langgraph_sqlite(pythons["langgraph"]):
        print(
            "langgraph-checkpoint-sqlite is not installed for LangGraph: no LangGraph SQLite column",
            file=sys.stderr,
        )
        lg_savers = ("none", "memory")

    samples: dict[tuple[str, str, str], list[float]] = {}
    for round_ in range(rounds):  # rounds spread a busy machine's noise over every cell
        for case, steps in cases.items():
            for saver in SAVERS:
                for engine in ENGINES:
                    if engine == "langgraph" and (pythons["langgraph"] is None or saver not in lg_savers):
                        continue
                    result = spawn(pythons[engine], engine, case, saver, steps, reps)  # type: ignore[arg-type]
                    samples.setdefault((engine, case, saver), []).extend(result["samples"])
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
        for saver in SAVERS:
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
    if args.json:
        args.json.write_text(json.dumps({" ".join(k): v for k, v in medians.items()}, indent=2))


if __name__ == "__main__":
    main()
