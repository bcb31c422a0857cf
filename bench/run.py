"""livegraph against LangGraph, side by side, as ratios.

    python bench/run.py            # 5 repetitions, about 4-5 minutes on 2 cores
    python bench/run.py --quick    # 3 repetitions, short time budgets, about 1-1.5 minutes
    make bench                     # creates bench/.venv-langgraph (LangGraph) and runs the default

Every (engine, case) is measured in a fresh process of the interpreter that has the engine (livegraph: this
interpreter with `src/` on the path; LangGraph: `LANGGRAPH_PYTHON`), engines alternating run by run. Prints a
Markdown table (medians, [min-max] over the runs, LangGraph/livegraph ratio, the issue's target) and writes
`bench/results.json`.
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import json
import os
import platform
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _harness import spawn  # noqa: E402
from cases import CASES, OPTIONAL_PACKAGES, TARGETS, Case  # noqa: E402

ENGINES = ("langgraph", "livegraph")  # the order of each pair of runs: L, G, L, G, ...
NAMES = {"langgraph": "LangGraph", "livegraph": "livegraph"}
LANGGRAPH_CANDIDATES = (HERE / ".venv-langgraph" / "bin" / "python", Path("/tmp/lgvenv/bin/python"))
README_START = "<!-- results:start -->"
README_END = "<!-- results:end -->"


def langgraph_python(explicit: str | None) -> str:
    """`--langgraph-python`, else `LANGGRAPH_PYTHON`, else bench/.venv-langgraph, else /tmp/lgvenv."""
    chosen = explicit or os.environ.get("LANGGRAPH_PYTHON")
    if chosen:
        return chosen
    for candidate in LANGGRAPH_CANDIDATES:
        if candidate.exists():
            return str(candidate)
    sys.exit(
        "No interpreter with LangGraph: run `make bench` (it creates bench/.venv-langgraph), "
        "or set LANGGRAPH_PYTHON=/path/to/python that has `pip install langgraph`."
    )


def child_envs(livegraph_src: Path) -> dict[str, dict[str, str]]:
    base = dict(os.environ)
    base.pop("PYTHONPATH", None)
    # Users' imports read cached bytecode; let the untimed first import write it (src/ changes often).
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    livegraph = {**base, "PYTHONPATH": str(livegraph_src)}
    return {"langgraph": base, "livegraph": livegraph}


def select(patterns: str | None) -> list[Case]:
    if not patterns:
        return list(CASES)
    wanted = [p.strip() for p in patterns.split(",") if p.strip()]
    chosen = [c for c in CASES if any(fnmatch.fnmatch(c.name, p) for p in wanted)]
    if not chosen:
        sys.exit(f"No case matches {patterns!r}; cases: {', '.join(c.name for c in CASES)}")
    return chosen


# -- formatting ---------------------------------------------------------------------------------------


def fmt_seconds(value: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def fmt_bytes(value: float) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.0f} B"


def fmt(value: float, kind: str) -> str:
    return fmt_bytes(value) if kind == "memory" else fmt_seconds(value)


def spread(summary: dict, kind: str) -> str:
    return f"{fmt(summary['median'], kind)} [{fmt(summary['min'], kind)}–{fmt(summary['max'], kind)}]"


# -- measuring ----------------------------------------------------------------------------------------


def summarize(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def measure_all(args: argparse.Namespace, cases: list[Case], pythons: dict[str, str]) -> dict[str, dict]:
    """Every case, `reps` times, each engine in a fresh process, alternating engines run by run."""
    envs = child_envs(ROOT / "src")
    runs: dict[str, dict[str, list[dict]]] = {c.name: {e: [] for e in ENGINES} for c in cases}
    # The first import of a package may compile its .pyc files; do it once, untimed, before the import case.
    for engine in ENGINES:
        spawn(pythons[engine], engine, "import", 0.0, envs[engine], timeout=120, quick=True, cpu=args.pin)
    for rep in range(args.reps):
        print(f"run {rep + 1}/{args.reps}:", end="", file=sys.stderr, flush=True)
        for case in cases:
            if case.kind == "memory" and rep >= (1 if args.quick else 3):
                continue  # peak memory varies by well under 1% from run to run
            for engine in ENGINES:
                result = spawn(
                    pythons[engine],
                    engine,
                    case.name,
                    args.budget,
                    envs[engine],
                    timeout=300,
                    quick=args.quick,
                    cpu=args.pin,
                )
                runs[case.name][engine].append(result)
            print(f" {case.name}", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr, flush=True)
    return runs


def analyse(cases: list[Case], runs: dict[str, dict[str, list[dict]]]) -> list[dict]:
    """One row per number: per engine the median over runs of each run's median, the spread, the ratio."""
    rows = []
    for case in cases:
        per_engine = runs[case.name]
        metrics = [("value", case.title, lambda r: statistics.median(r["samples"]))]
        if case.kind == "memory":
            metrics = [
                ("tracemalloc", f"{case.title}: tracemalloc peak of the run", lambda r: r["samples"][0]),
                ("max_rss", f"{case.title}: max RSS of the process", lambda r: r["extra"]["max_rss"]),
            ]
        for metric, title, pick in metrics:
            summary = {e: summarize([pick(r) for r in per_engine[e]]) for e in ENGINES}
            ratio = summary["langgraph"]["median"] / summary["livegraph"]["median"]
            target = TARGETS[case.target]
            row = {
                "case": case.name,
                "metric": metric,
                "title": title,
                "kind": case.kind,
                "unit": case.unit,
                "units": case.units,
                "summary": summary,
                "ratio": ratio,
                "target": target.label,
                "target_ratio": target.ratio,
                "met": ratio >= target.ratio,
                "runs": {e: [_run_record(r, pick) for r in per_engine[e]] for e in ENGINES},
            }
            if case.kind == "time":
                cpu = {e: statistics.median(r["extra"]["cpu_median"] for r in per_engine[e]) for e in ENGINES}
                row["cpu_median"] = cpu
                row["cpu_ratio"] = cpu["langgraph"] / cpu["livegraph"] if cpu["livegraph"] else None
            if case.kind == "import":
                optional = sorted({p for r in per_engine["livegraph"] for p in r["extra"]["optional_loaded"]})
                row["livegraph_optional_loaded"] = optional
                row["met"] = row["met"] and not optional
            rows.append(row)
    return rows


def _run_record(result: dict, pick: object) -> dict:
    samples = result["samples"]
    assert callable(pick)
    return {
        "value": pick(result),
        "calls": len(samples),
        "min": min(samples),
        "process_seconds": round(result["wall"], 3),
        "extra": result["extra"],
    }


# -- reporting ----------------------------------------------------------------------------------------


def per_unit(row: dict) -> str:
    if not row["unit"]:
        return ""
    lg, g = (row["summary"][e]["median"] / row["units"] for e in ENGINES)
    text = f"{fmt_seconds(lg)} → {fmt_seconds(g)} /{row['unit']}"
    if row["unit"] == "chunk":
        text += f" ({1 / lg / 1e6:.2g} → {1 / g / 1e6:.2g} M chunks/s)"
    return text


def table(rows: list[dict]) -> str:
    lines = [
        "| case | LangGraph median [min–max] | livegraph median [min–max] | per step / worker / chunk "
        "| LangGraph / livegraph | same, CPU time | target | |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        kind = "memory" if row["kind"] == "memory" else "time"
        verdict = "met" if row["met"] else "**missed**"
        cpu = f"{row['cpu_ratio']:.1f}x" if row.get("cpu_ratio") else ""
        lines.append(
            f"| {row['title']} | {spread(row['summary']['langgraph'], kind)} | {spread(row['summary']['livegraph'], kind)} "
            f"| {per_unit(row)} | **{row['ratio']:.1f}x** | {cpu} | {row['target']} | {verdict} |"
        )
    return "\n".join(lines)


def import_notes(runs: dict[str, dict[str, list[dict]]]) -> str:
    if "import" not in runs:
        return ""
    lines = []
    for engine in ENGINES:
        extra = runs["import"][engine][-1]["extra"]
        third = ", ".join(extra["third_party"]) or "none"
        lines.append(
            f"- `import {extra['target']}` loads {extra['modules']} modules "
            f"({extra['stdlib_modules']} from the standard library); third-party packages: {third}."
        )
    optional = sorted({p for r in runs["import"]["livegraph"] for p in r["extra"]["optional_loaded"]})
    names = ", ".join(OPTIONAL_PACKAGES)
    if optional:
        lines.append(f"- **FAIL**: `import livegraph` loaded optional packages: {', '.join(optional)}.")
    else:
        lines.append(f"- `import livegraph` loaded none of {names} (checked in every run).")
    return "\n".join(lines)


def header(meta: dict) -> str:
    memory_runs = min(meta["reps"], 1 if meta["quick"] else 3)
    load = " → ".join(f"{x:.1f}" for x in meta["load_average"])
    pinned = f"every process pinned to CPU {meta['pinned_cpu']}, " if meta.get("pinned_cpu") is not None else ""
    return (
        f"LangGraph {meta['versions']['langgraph']} vs livegraph {meta['versions']['livegraph']}, "
        f"Python {meta['python']['livegraph']}, {meta['cpus']} CPUs (load average {load} from start to end), "
        f"{pinned}{meta['reps']} fresh-process runs per engine and case, {memory_runs} for peak memory "
        f"({'--quick' if meta['quick'] else 'default'}), {meta['date']}, {meta['seconds']:.0f} s. "
        "Ratio = LangGraph / livegraph: higher means livegraph is faster (or smaller); the verdict uses "
        "wall time, the CPU-time ratio (all threads of the process) is steadier on a busy machine."
    )


def update_readme(report: str) -> None:
    path = HERE / "README.md"
    text = path.read_text()
    if README_START not in text or README_END not in text:
        sys.exit(f"{path} has no {README_START} ... {README_END} block to update")
    before, rest = text.split(README_START, 1)
    _, after = rest.split(README_END, 1)
    path.write_text(f"{before}{README_START}\n{report}\n{README_END}{after}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="livegraph against LangGraph, as ratios.")
    parser.add_argument("--quick", action="store_true", help="3 runs and short time budgets (about a minute)")
    parser.add_argument(
        "--reps", type=int, help="fresh-process runs per engine and case (default 5, --quick 3)"
    )
    parser.add_argument(
        "--budget", type=float, help="seconds of timed calls per process (default 0.5, --quick 0.1)"
    )
    parser.add_argument("--cases", help="comma-separated case names or globs (default: all)")
    parser.add_argument(
        "--langgraph-python",
        help="interpreter with LangGraph (default: $LANGGRAPH_PYTHON, "
        "then bench/.venv-langgraph/bin/python, then /tmp/lgvenv/bin/python)",
    )
    parser.add_argument(
        "--livegraph-python", default=sys.executable, help="interpreter for livegraph (default: this one)"
    )
    parser.add_argument(
        "--pin",
        type=int,
        metavar="CPU",
        help="pin every measured process to this one CPU (as `taskset -c CPU`), e.g. --pin 0",
    )
    parser.add_argument("--json", default=str(HERE / "results.json"), help="where to write the results")
    parser.add_argument("--update-readme", action="store_true", help="replace the table in bench/README.md")
    args = parser.parse_args(argv)
    args.reps = args.reps or (3 if args.quick else 5)
    args.budget = args.budget if args.budget is not None else (0.1 if args.quick else 0.5)

    cases = select(args.cases)
    pythons = {"langgraph": langgraph_python(args.langgraph_python), "livegraph": args.livegraph_python}
    started = datetime.datetime.now()
    load_start = os.getloadavg()[0]
    runs = measure_all(args, cases, pythons)
    rows = analyse(cases, runs)

    first = {e: runs[cases[0].name][e][0] for e in ENGINES}
    meta = {
        "date": started.strftime("%Y-%m-%d %H:%M"),
        "seconds": round((datetime.datetime.now() - started).total_seconds(), 1),
        "machine": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "load_average": [load_start, os.getloadavg()[0]],
        "reps": args.reps,
        "budget": args.budget,
        "quick": args.quick,
        "pinned_cpu": args.pin,
        "order": "each case: LangGraph then livegraph, one fresh process each, repeated",
        "interpreters": pythons,
        "python": {e: first[e]["python"] for e in ENGINES},
        "versions": {e: first[e]["version"] for e in ENGINES},
    }
    report = "\n\n".join(p for p in (header(meta), table(rows), import_notes(runs)) if p)
    print(report)
    print(f"\n({meta['seconds']} s in all; results in {args.json})", file=sys.stderr)
    Path(args.json).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1) + "\n")
    if args.update_readme:
        update_readme(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
