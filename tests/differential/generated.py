"""Random graphs for the differential tests: a seeded generator, a runner for either engine, and shrinking.

A graph is plain JSON-able data (`generate(seed)`), so the same description can be sent to a Python that has
LangGraph and to one that has livegraph: `python generated.py langgraph|livegraph` reads a JSON list of
descriptions on stdin and prints a JSON list of normalized outcomes. The graphs mix what tends to go wrong:
joins inside loops, `Send`s to join sources, conditional edges, `Command`, nodes that write nothing, async
nodes, errors and recursion limits hit exactly. Every choice a node or router makes depends only on the
state it is given, so both engines see the same run.

`shrink(desc, diverges)` makes a failing description smaller (fewer nodes, edges and features) while
`diverges` still says the engines disagree; `to_code(desc)` prints it as the builder calls a person reads.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import operator
import random
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypedDict

ACTIONS = ("write", "write", "write", "none", "empty", "x", "command", "raise", "steps")
RemainingSteps: Any = None  # the engine's managed values, set by `Api`
IsLastStep: Any = None


class State(TypedDict):
    x: int
    log: Annotated[list[str], operator.add]
    remaining: RemainingSteps
    last: IsLastStep


def generate(seed: int) -> dict[str, Any]:
    """A random graph description: nodes, edges, joins, routers, how it is run."""
    rnd = random.Random(seed)
    names = [f"n{i}" for i in range(rnd.randint(1, 6))]
    nodes = []
    for name in names:
        action = rnd.choice(ACTIONS)
        node: dict[str, Any] = {"name": name, "action": action, "async": rnd.random() < 0.2,
                                "custom": rnd.random() < 0.3, "defer": rnd.random() < 0.1, "k": rnd.randint(1 if action == "raise" else 0, 2)}
        if action == "command":
            node["goto"] = rnd.sample([*names, "END"], rnd.randint(0, 2))
            node["send"] = rnd.random() < 0.3
            node["update"] = rnd.random() < 0.7
        nodes.append(node)
    edges = [["START", rnd.choice(names)]]
    for _ in range(rnd.randint(0, len(names) + 1)):
        src = rnd.choice(["START", *names])
        dst = rnd.choice([*names, "END"])
        if [src, dst] not in edges:
            edges.append([src, dst])
    joins = []
    for _ in range(rnd.choice([0, 0, 1, 1, 2])):
        if len(names) >= 2:
            sources = sorted(rnd.sample(names, rnd.randint(2, min(3, len(names)))))
            joins.append([sources, rnd.choice([*names, "END"])])
    routers = []
    for i in range(rnd.randint(0, 2)):
        src = rnd.choice(["START", *names] if rnd.random() < 0.2 else names)
        kind = rnd.choice(["loop", "loop", "send", "pick", "budget"])
        routers.append({"id": i, "src": src, "kind": kind, "k": rnd.randint(0, 2),
                        "to": rnd.sample(names, rnd.randint(1, min(2, len(names)))),
                        "else": rnd.choice(["END", *names])})
    return {
        "seed": seed,
        "nodes": nodes,
        "edges": edges,
        "joins": joins,
        "routers": routers,
        "input": rnd.choice([{"log": []}, {"x": 0}, {}, {"x": 1, "log": ["in"]}]),
        "limit": rnd.choice([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 25, 25, 25]),
        "async": rnd.random() < 0.3,
        "invoke": rnd.random() < 0.5,
    }


# -- building and running a description on one engine ---------------------------------------------------------
class Api:
    """LangGraph's public names, imported from `langgraph` or `livegraph`."""

    def __init__(self, engine: str) -> None:
        graph = importlib.import_module(f"{engine}.graph")
        types = importlib.import_module(f"{engine}.types")
        self.StateGraph, self.START, self.END = graph.StateGraph, graph.START, graph.END
        self.Send, self.Command = types.Send, types.Command
        self.get_stream_writer = importlib.import_module(f"{engine}.config").get_stream_writer
        global RemainingSteps, IsLastStep
        managed = importlib.import_module(f"{engine}.managed")
        RemainingSteps, IsLastStep = managed.RemainingSteps, managed.IsLastStep


MAX_LOG = 60  # a run whose log grows past this stops looping
MAX_SENDS = 3  # `Send`s nest at most this deep, and routers send only in the first steps: fan-outs stay small


def _sends_left(log: list[str]) -> bool:
    return sum(">" in entry for entry in log) < MAX_SENDS


def _target(api: Api, name: str) -> str:
    return {"END": api.END, "START": api.START}.get(name, name)


def _node(api: Api, spec: dict[str, Any]) -> Callable[..., Any]:
    name, action, k = spec["name"], spec["action"], spec["k"]

    def body(state: Any) -> Any:
        log = list(state.get("log") or [])
        if spec["custom"]:
            api.get_stream_writer()({"from": name, "seen": len(log)})
        if action == "none":
            return None
        if action == "empty":
            return {}
        if action == "x":
            return {"x": len(log)}
        if action == "steps":
            return {"log": [f"{name} remaining={state.get('remaining')} last={state.get('last')}"]}
        if action == "raise" and log.count(name) >= k:
            raise ValueError(f"{name} fails")
        if action == "command":
            goto: list[Any] = []
            if log.count(name) <= k and len(log) < MAX_LOG:
                for t in spec["goto"]:
                    if spec["send"] and t != "END" and _sends_left(log):
                        goto.append(api.Send(t, {"log": [*log, f"{name}>{t}"]}))
                    else:
                        goto.append(_target(api, t))
            return api.Command(update={"log": [name]} if spec["update"] else None, goto=goto)
        return {"log": [name]}

    if spec["async"]:
        async def anode(state: Any) -> Any:
            await asyncio.sleep(0)
            return body(state)

        anode.__name__ = name
        return anode
    body.__name__ = name
    return body


def _router(api: Api, spec: dict[str, Any], limit: int) -> Callable[[Any], Any]:
    src, kind, k, to, other = spec["src"], spec["kind"], spec["k"], spec["to"], _target(api, spec["else"])

    def route(state: Any) -> Any:
        log = list(state.get("log") or [])
        going = log.count(src) <= k and len(log) < MAX_LOG
        if kind == "send":  # a router reads the graph's state, whatever its node was sent: count steps instead
            going = going and limit - state["remaining"] <= MAX_SENDS
            return [api.Send(t, {"log": [*log, f"{src}>{t}"]}) for t in to] if going else other
        if kind == "pick":
            return to[len(log) % len(to)] if going else other
        if kind == "budget":  # loops until the managed step budget runs low
            return to if state["remaining"] > 2 and len(log) < MAX_LOG else other
        return to if going else other

    route.__name__ = f"route{spec['id']}"  # LangGraph refuses two routers of one name after one node
    return route


def build(api: Api, desc: dict[str, Any]) -> Any:
    builder = api.StateGraph(State)
    for spec in desc["nodes"]:
        builder.add_node(spec["name"], _node(api, spec), defer=spec.get("defer", False))
    for src, dst in desc["edges"]:
        builder.add_edge(_target(api, src), _target(api, dst))
    for sources, dst in desc["joins"]:
        builder.add_edge(sources, _target(api, dst))
    for spec in desc["routers"]:
        builder.add_conditional_edges(_target(api, spec["src"]), _router(api, spec, desc["limit"]))
    return builder.compile()


def _plain(value: Any) -> Any:
    """JSON-able: `Send`s and `Command`s by their fields, anything else by repr."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def run(api: Api, desc: dict[str, Any]) -> dict[str, Any]:
    """One description's outcome: the chunks of each mode, the output (when invoked) and the error raised."""
    try:
        graph = build(api, desc)
    except ValueError as exc:  # livegraph's GraphValidationError is a ValueError too
        return {"build_error": "ValueError", "message": str(exc)}
    config = {"recursion_limit": desc["limit"]}
    modes = ["values", "updates", "custom"]
    chunks: list[Any] = []
    out: dict[str, Any] = {}
    try:
        if desc["invoke"]:
            if desc["async"] or any(n["async"] for n in desc["nodes"]):
                out["output"] = _plain(asyncio.run(graph.ainvoke(dict(desc["input"]), config)))
            else:
                out["output"] = _plain(graph.invoke(dict(desc["input"]), config))
        elif desc["async"] or any(n["async"] for n in desc["nodes"]):
            async def collect() -> None:
                async for chunk in graph.astream(dict(desc["input"]), config, stream_mode=modes):
                    chunks.append(chunk)

            asyncio.run(collect())
        else:
            for chunk in graph.stream(dict(desc["input"]), config, stream_mode=modes):
                chunks.append(chunk)
    except Exception as exc:
        out["raised"] = type(exc).__name__
    for mode in modes:
        out[mode] = [_plain(c) for m, c in chunks if m == mode]
    return out


def compare(lg: dict[str, Any], lv: dict[str, Any]) -> str | None:
    """Where livegraph's outcome differs from LangGraph's, or None.

    `values` chunks and the output must be equal. `updates` and `custom` chunks are compared as multisets:
    LangGraph streams a step's updates as its tasks finish, livegraph in task order (a documented difference).
    After a node's error, siblings of the failing task may or may not have streamed on LangGraph (they race
    with it), so then only `values` and the error are compared.
    """
    for key in ("build_error", "raised", "output", "values"):
        if lg.get(key) != lv.get(key):
            return f"{key}: langgraph {lg.get(key)!r} != livegraph {lv.get(key)!r}"
    if lg.get("raised") in (None, "GraphRecursionError", "InvalidUpdateError"):
        for key in ("updates", "custom"):
            a = sorted(json.dumps(c, sort_keys=True) for c in lg.get(key, []))
            b = sorted(json.dumps(c, sort_keys=True) for c in lv.get(key, []))
            if a != b:
                return f"{key} (as multisets): langgraph {lg.get(key)!r} != livegraph {lv.get(key)!r}"
    return None


# -- shrinking ------------------------------------------------------------------------------------------------
def _without_node(desc: dict[str, Any], name: str) -> dict[str, Any] | None:
    d = json.loads(json.dumps(desc))
    d["nodes"] = [n for n in d["nodes"] if n["name"] != name]
    if not d["nodes"]:
        return None
    for n in d["nodes"]:
        if "goto" in n:
            n["goto"] = [t for t in n["goto"] if t != name]
    d["edges"] = [e for e in d["edges"] if name not in e]
    d["joins"] = [[[s for s in j[0] if s != name], j[1]] for j in d["joins"] if j[1] != name]
    d["joins"] = [j for j in d["joins"] if len(j[0]) >= 1]
    for r in d["routers"]:
        r["to"] = [t for t in r["to"] if t != name]
        if r["else"] == name:
            r["else"] = "END"
    d["routers"] = [r for r in d["routers"] if r["src"] != name and r["to"]]
    return d


def candidates(desc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Smaller variants of `desc`, biggest cuts first."""
    for n in desc["nodes"]:
        d = _without_node(desc, n["name"])
        if d is not None:
            yield d
    for key in ("edges", "joins", "routers"):
        for i in range(len(desc[key])):
            d = json.loads(json.dumps(desc))
            del d[key][i]
            yield d
    for i, j in enumerate(desc["joins"]):
        for s in j[0]:
            if len(j[0]) > 1:
                d = json.loads(json.dumps(desc))
                d["joins"][i][0] = [x for x in j[0] if x != s]
                yield d
    for i, n in enumerate(desc["nodes"]):
        simpler = [("async", False), ("custom", False), ("defer", False), ("k", 0)]
        if n["action"] != "write":
            simpler.insert(0, ("action", "write"))
        for field, value in simpler:
            if n.get(field) != value:
                d = json.loads(json.dumps(desc))
                d["nodes"][i][field] = value
                yield d
        for t in n.get("goto", []):
            d = json.loads(json.dumps(desc))
            d["nodes"][i]["goto"] = [x for x in n["goto"] if x != t]
            yield d
    for i, r in enumerate(desc["routers"]):
        for t in r["to"][1:] if len(r["to"]) > 1 else []:
            d = json.loads(json.dumps(desc))
            d["routers"][i]["to"] = [x for x in r["to"] if x != t]
            yield d
        if r["k"]:
            d = json.loads(json.dumps(desc))
            d["routers"][i]["k"] = 0
            yield d
    for field, value in (("async", False), ("input", {"log": []})):
        if desc[field] != value:
            d = json.loads(json.dumps(desc))
            d[field] = value
            yield d


def shrink(desc: dict[str, Any], diverging: Callable[[list[dict[str, Any]]], list[bool]]) -> dict[str, Any]:
    """The smallest variant of `desc` found that still diverges. `diverging` checks a batch of variants
    at once (one run of each engine per round)."""
    while True:
        batch = list(candidates(desc))
        if not batch:
            return desc
        flags = diverging(batch)
        smaller = next((d for d, bad in zip(batch, flags) if bad), None)
        if smaller is None:
            return desc
        desc = smaller


def to_code(desc: dict[str, Any]) -> str:
    """The description as the builder calls that make it (what a failure message shows)."""
    def t(name: str) -> str:
        return name if name in ("START", "END") else repr(name)

    lines = [f"# seed {desc['seed']}: input {desc['input']!r}, recursion_limit={desc['limit']}, "
             f"{'ainvoke/astream' if desc['async'] else 'invoke/stream'}"
             f"{' (invoke)' if desc['invoke'] else ' (stream values+updates+custom)'}",
             "builder = StateGraph(State)  # x: int, log: Annotated[list[str], operator.add], remaining: "
             "RemainingSteps, last: IsLastStep"]
    for n in desc["nodes"]:
        what = {"write": "returns {'log': [name]}", "none": "returns None", "empty": "returns {}",
                "x": "returns {'x': len(log)}", "steps": "appends its name, RemainingSteps and IsLastStep",
                "raise": f"raises ValueError once log.count(name) >= {n['k']}, "
                "else appends its name",
                "command": f"returns Command(update={{'log': [name]}} if {n.get('update')}, goto="
                f"{'Send(t, {log: log + [...]}) for t in ' if n.get('send') else ''}{n.get('goto')} while "
                f"log.count(name) <= {n['k']})"}[n["action"]]
        flags = ", ".join(f for f in ("async" if n["async"] else "", "writes custom" if n["custom"] else "",
                                      "defer=True" if n.get("defer") else "") if f)
        lines.append(f"builder.add_node({n['name']!r}, ...)  # {what}{'; ' + flags if flags else ''}")
    for src, dst in desc["edges"]:
        lines.append(f"builder.add_edge({t(src)}, {t(dst)})")
    for sources, dst in desc["joins"]:
        lines.append(f"builder.add_edge({sources!r}, {t(dst)})")
    for r in desc["routers"]:
        go = {"loop": f"{r['to']!r}", "send": f"[Send(t, ...) for t in {r['to']!r}]",
              "pick": f"{r['to']!r}[len(log) % {len(r['to'])}]", "budget": f"{r['to']!r}"}[r["kind"]]
        cond = "s['remaining'] > 2" if r["kind"] == "budget" else f"log.count({r['src']!r}) <= {r['k']}"
        lines.append(f"builder.add_conditional_edges({t(r['src'])}, lambda s: {go} if {cond} else {t(r['else'])})")
    return "\n".join(lines)


if __name__ == "__main__":
    api = Api(sys.argv[1])
    print(json.dumps([run(api, d) for d in json.load(sys.stdin)]))
