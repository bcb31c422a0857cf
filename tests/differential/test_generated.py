"""Generated differential tests: a few hundred seeded random graphs (`generated.py`), each run on LangGraph and
on livegraph, must stream the same. A divergence is shrunk to a minimal graph, printed in the failure.

The graphs cover joins inside loops, `Send`s to join sources, conditional edges, `Command`, nodes that write
nothing, async nodes, errors, managed values and recursion limits hit exactly. What `generated.compare`
leaves out is documented there (the order of one step's `updates`, and what siblings of a failing task
stream on LangGraph, where they race with the failure).
"""

from __future__ import annotations

import json
import os
from typing import Any

import generated
import pytest
from engines import needs_langgraph, run_script

# `LIVEGRAPH_GENERATED_SEEDS=5000-6000` runs other seeds (a fresh sample after a change to the engine).
_first, _, _end = os.environ.get("LIVEGRAPH_GENERATED_SEEDS", "0-300").partition("-")
SEEDS = range(int(_first), int(_end))
SHRINK_AT_MOST = 3  # failing graphs shrunk per run (each shrink round runs both engines once)

def _outcomes(engine: str, descs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return run_script("generated.py", engine, json.dumps(descs))  # type: ignore[no-any-return]


def _divergences(descs: list[dict[str, Any]]) -> list[str | None]:
    return [generated.compare(lg, lv) for lg, lv in
            zip(_outcomes("langgraph", descs), _outcomes("livegraph", descs))]


def _kind(divergence: str) -> str:
    return divergence.split(":")[0]


@pytest.mark.slow
@needs_langgraph
def test_random_graphs_stream_the_same_on_both_engines() -> None:
    descs = [generated.generate(seed) for seed in SEEDS]
    failing = [(d, why) for d, why in zip(descs, _divergences(descs)) if why is not None]
    report = []
    for desc, why in failing[:SHRINK_AT_MOST]:
        def still(batch: list[dict[str, Any]], kind: str = _kind(why)) -> list[bool]:
            return [w is not None and _kind(w) == kind for w in _divergences(batch)]

        small = generated.shrink(desc, still)
        report.append(f"{generated.to_code(small)}\n  -> {_divergences([small])[0]}")
    assert not failing, (
        f"{len(failing)} of {len(descs)} generated graphs diverge (seeds "
        f"{', '.join(str(d['seed']) for d, _ in failing)}); the first ones, shrunk:\n\n" + "\n\n".join(report)
    )


def test_the_shrinker_finds_a_minimal_graph() -> None:
    # A stand-in for a divergence: "any graph with a join". Shrinking keeps it and drops everything else.
    desc = next(d for d in map(generated.generate, range(100)) if d["joins"] and len(d["nodes"]) >= 4)

    def has_join(batch: list[dict[str, Any]]) -> list[bool]:
        return [bool(d["joins"]) for d in batch]

    small = generated.shrink(desc, has_join)
    assert small["edges"] == [] and small["routers"] == [] and len(small["joins"]) == 1
    (source,), target = small["joins"][0]
    assert {n["name"] for n in small["nodes"]} == {source, target} - {"END"}  # only what the join names
    assert all(n["action"] == "write" and not n["async"] for n in small["nodes"])
    assert "builder.add_edge(['n" in generated.to_code(small)
