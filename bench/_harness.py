"""Measuring one (engine, case) in a fresh process, and starting such processes.

Run as a script, this is the child: `python bench/_harness.py ENGINE CASE [--budget SECONDS]` builds the case,
warms it up, measures it and prints one JSON object on stdout. `run.py` starts one child per measurement,
each with the interpreter that has the engine, so LangGraph and livegraph never share a process.

The module imports only `sys` and `time` at the top: the import case times the engine's import before anything
else (asyncio, typing, ...) is loaded, so what the engine pulls in is counted against it.
"""

from __future__ import annotations

import sys
import time

MAX_CALLS = 10_000


def measure_import(engine: str) -> dict:
    """Time `import <engine's public module>` in this process, which has imported nothing else yet."""
    target = {"livegraph": "livegraph", "langgraph": "langgraph.graph"}[engine]  # as cases.IMPORT_TARGET
    before = set(sys.modules)
    start = time.perf_counter()
    __import__(target)
    elapsed = time.perf_counter() - start
    loaded = sorted(set(sys.modules) - before)

    from cases import IMPORT_TARGET, OPTIONAL_PACKAGES

    assert IMPORT_TARGET[engine] == target, (IMPORT_TARGET, target)
    stdlib = sys.stdlib_module_names
    tops = {m.split(".")[0] for m in loaded} - set(stdlib) - {engine, "cython_runtime"}
    packages = sorted(
        t for t in tops if not t.startswith("_")
    )  # not __mp_main__, _cython_3_x, _sysconfigdata
    return {
        "samples": [elapsed],
        "extra": {
            "target": target,
            "modules": len(loaded),
            "stdlib_modules": sum(1 for m in loaded if m.split(".")[0] in stdlib),
            "third_party": packages,
            "optional_loaded": [p for p in OPTIONAL_PACKAGES if p in sys.modules],
        },
    }


def measure(engine: str, case_name: str, budget: float, quick: bool = False) -> dict:
    """Build the case (not timed), warm it up, then measure it until `budget` seconds are spent.

    Each case asks for a least number of timed calls; `quick` lowers it to 1.
    """
    import gc
    import statistics

    from cases import BY_NAME, load

    case = BY_NAME[case_name]
    run = case.build(load(engine))
    for _ in range(case.warmup):
        run()
    gc.collect()

    if case.kind == "memory":
        return _measure_memory(run)

    min_calls = 1 if quick else case.min_calls
    samples: list[float] = []
    cpu: list[float] = []  # CPU time of the whole process (all threads): steadier than wall time under load
    deadline = time.perf_counter() + budget
    while len(samples) < min_calls or (time.perf_counter() < deadline and len(samples) < MAX_CALLS):
        if case.kind == "value":
            samples.append(float(run()))
        else:
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            samples.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return {"samples": samples, "extra": {"cpu_median": statistics.median(cpu)} if cpu else {}}


def _measure_memory(run: object) -> dict:
    import gc
    import resource
    import tracemalloc

    assert callable(run)
    gc.collect()
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    return {"samples": [float(peak)], "extra": {"max_rss": max_rss}}


def child(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=["livegraph", "langgraph"])
    parser.add_argument("case")
    parser.add_argument("--budget", type=float, default=0.5, help="seconds of timed calls after the warm-up")
    parser.add_argument(
        "--quick", action="store_true", help="one timed call at least, then until the budget is spent"
    )
    parser.add_argument("--cpu", type=int, help="pin this process (and its threads) to one CPU, as `taskset -c`")
    args = parser.parse_args(argv)
    if args.cpu is not None:
        import os

        os.sched_setaffinity(0, {args.cpu})
    if args.case == "import":
        result = measure_import(args.engine)
    else:
        result = measure(args.engine, args.case, args.budget, args.quick)

    import json
    import platform

    from cases import engine_version

    result.update(
        engine=args.engine,
        case=args.case,
        version=engine_version(args.engine),
        python=platform.python_version(),
    )
    print(json.dumps(result))
    return 0


# -- the parent side: starting children ---------------------------------------------------------------


def spawn(
    python: str,
    engine: str,
    case: str,
    budget: float,
    env: dict[str, str],
    timeout: float,
    quick: bool = False,
    cpu: int | None = None,
) -> dict:
    """Run one child with `python` and return its JSON result (raises with the child's stderr on failure).

    With `cpu`, the child pins itself to that CPU before it measures anything.
    """
    import json
    import os
    import subprocess

    script = os.path.abspath(__file__)
    cmd = [python, script, engine, case, "--budget", str(budget), *(["--quick"] if quick else []), *(["--cpu", str(cpu)] if cpu is not None else [])]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} {case} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


if __name__ == "__main__":
    sys.exit(child(sys.argv[1:]))
