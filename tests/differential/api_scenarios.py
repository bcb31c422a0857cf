"""LangGraph 1.2's newer public API, used as its documentation uses it, on whichever engine is named.

Run as `python api_scenarios.py langgraph` or `python api_scenarios.py livegraph` (optionally followed by
scenario names). Each scenario returns the lines a user would print; ids (task ids, interrupt ids), object
addresses and timestamps are masked so that the two engines' outputs compare exactly. Prints one JSON object
`{scenario: [line, ...]}`.
"""

from __future__ import annotations

import asyncio
import importlib
import itertools
import json
import operator
import re
import sys
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any, TypedDict

from pydantic import BaseModel

RunnableConfig = dict[str, Any]  # LangGraph injects `config` into a function that annotates it so


def use(engine: str) -> SimpleNamespace:
    """Every module of `engine` the scenarios import from (LangGraph's paths)."""
    names = ["graph", "graph.state", "graph.message", "types", "config", "errors", "constants", "runtime", "checkpoint.memory",
             "store.memory", "store.base", "cache.memory", "cache.base"]
    return SimpleNamespace(**{n.replace(".", "_"): importlib.import_module(f"{engine}.{n}") for n in names})


class Log(TypedDict, total=False):
    x: int
    log: Annotated[list, operator.add]
    status: str


def constants(e: SimpleNamespace) -> list[Any]:
    c = e.constants
    return [c.START, c.END, c.TAG_NOSTREAM, c.TAG_HIDDEN, c.CONF, c.TASKS, c.CONFIG_KEY_CHECKPOINTER,
            e.graph_state.START, e.graph_state.END, e.graph.START is c.START]


def invoke_v2(e: SimpleNamespace) -> list[Any]:
    def a(state: Log) -> dict[str, Any]:
        return {"x": state["x"] + 1, "log": ["a"]}

    def ask(state: Log) -> dict[str, Any]:
        return {"log": [e.types.interrupt("why?")]}

    graph = e.graph.StateGraph(Log).add_node("a", a).add_edge(e.graph.START, "a").compile()
    out = [graph.invoke({"x": 1}, version="v2"), asyncio.run(graph.ainvoke({"x": 1}, version="v2")),
           list(graph.stream({"x": 1}, stream_mode="values", version="v2")),
           list(graph.stream({"x": 1}, stream_mode=["values", "updates"], version="v2"))]
    builder = e.graph.StateGraph(Log).add_node("a", a).add_node("ask", ask)
    graph = builder.add_edge(e.graph.START, "a").add_edge("a", "ask").compile(
        checkpointer=e.checkpoint_memory.InMemorySaver())
    out.append(list(graph.stream({"x": 1}, {"configurable": {"thread_id": "1"}}, stream_mode=["values", "updates"],
                                 version="v2")))
    out.append(list(graph.stream({"x": 1}, {"configurable": {"thread_id": "2"}}, stream_mode=["values", "updates"])))
    config = {"configurable": {"thread_id": "3"}}
    stopped = graph.invoke({"x": 1}, config, version="v2")
    out += [stopped, type(stopped).__name__, stopped.value, stopped.interrupts[0].value]
    out.append(graph.invoke(e.types.Command(resume="because"), config, version="v2"))
    out.append(graph.invoke({"x": 1}, {"configurable": {"thread_id": "4"}}, stream_mode="updates", version="v2"))
    return out


class Decision(BaseModel):
    approved: bool
    note: str = ""


def interrupt_response_schema(e: SimpleNamespace) -> list[Any]:
    def ask(state: Log) -> dict[str, Any]:
        decision = e.types.interrupt({"q": "ok?"}, response_schema=Decision)
        text = e.types.interrupt("second", response_schema={"type": "string"})
        return {"status": f"{decision!r} {text!r}"}

    graph = e.graph.StateGraph(Log).add_node("ask", ask).add_edge(e.graph.START, "ask").compile(
        checkpointer=e.checkpoint_memory.InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    first = graph.invoke({}, config)
    out: list[Any] = [first, first["__interrupt__"][0].response_schema]
    try:
        graph.invoke(e.types.Command(resume={"approved": "maybe"}), config)
    except Exception as exc:
        out += [type(exc).__name__, e.errors.is_invalid_resume(exc)]
    out += [graph.get_state(config).next, graph.invoke(e.types.Command(resume={"approved": True}), config),
            graph.invoke(e.types.Command(resume=5), config),
            e.types.Interrupt("v", "i"), e.types.Interrupt(value=1, id="x", response_schema={"a": 1})]
    return out


@dataclass
class Ctx:
    user: str


def runtime_execution_info(e: SimpleNamespace) -> list[Any]:
    seen: list[Any] = []

    def node(state: Log, runtime: e.runtime.Runtime[Ctx]) -> dict[str, Any]:  # type: ignore[name-defined]
        info = runtime.execution_info
        same = info.task_id == e.runtime.get_runtime(Ctx).execution_info.task_id
        seen.append([type(info).__name__, info.node_attempt, info.thread_id, info.run_id, bool(info.checkpoint_id),
                     info.checkpoint_ns.split(":")[0], same, info.node_first_attempt_time is not None,
                     runtime.context, runtime.store, runtime.previous, runtime.server_info,
                     type(runtime.control).__name__, runtime.drain_requested])
        if info.node_attempt < 3:
            raise ConnectionError("again")
        return {"x": info.node_attempt}

    policy = e.types.RetryPolicy(initial_interval=0.001, jitter=False)
    builder = e.graph.StateGraph(Log, context_schema=Ctx).add_node("node", node, retry_policy=policy)
    builder.add_edge(e.graph.START, "node")
    out: list[Any] = [builder.compile().invoke({}, context=Ctx("u")), list(seen)]
    seen.clear()
    graph = builder.compile(checkpointer=e.checkpoint_memory.InMemorySaver())
    config = {"configurable": {"thread_id": "t"}, "run_id": "5a1c5b4e-0000-4000-8000-000000000000"}
    out += [graph.invoke({}, config, context=Ctx("v")), seen]
    out += [e.runtime.Runtime(context=1).context, list(e.runtime.Runtime.__dataclass_fields__),
            list(e.runtime.ExecutionInfo.__dataclass_fields__),
            e.runtime.ExecutionInfo("c", "n", "t").patch(node_attempt=2).node_attempt]
    return out


def _items(items: list[Any]) -> list[Any]:
    return [(i.namespace, i.key, i.value, getattr(i, "score", "-"), type(i).__name__) for i in items]


def store(e: SimpleNamespace) -> list[Any]:
    s = e.store_memory.InMemoryStore()
    s.put(("users", "alice"), "prefs", {"tone": "short", "n": 3})
    s.put(("users", "bob"), "prefs", {"tone": "long", "n": 7})
    s.put(("users", "alice"), "notes", {"text": "hi", "tags": ["a", "b"], "meta": {"k": 1}, "n": 1})
    s.put(("docs",), "d1", {"n": 5})
    out: list[Any] = [_items(s.search(("users",))), _items(s.search(("users",), filter={"tone": "short"})),
                      _items(s.search(("users",), filter={"n": {"$gt": 4}})),
                      _items(s.search(("users",), filter={"n": {"$lte": 3, "$ne": 1}})),
                      _items(s.search(("users",), filter={"meta": {"k": 1}})),
                      _items(s.search(("users",), filter={"tags": ["a", "b"]})),
                      _items(s.search((), limit=2, offset=1)), _items(s.search(("users",), query="anything")),
                      s.list_namespaces(), s.list_namespaces(prefix=("users",)),
                      s.list_namespaces(suffix=("alice",)), s.list_namespaces(max_depth=1),
                      s.list_namespaces(prefix=("*", "bob")), s.list_namespaces(limit=1, offset=1)]
    item = s.get(("users", "alice"), "prefs")
    out += [type(item).__name__, item.namespace, item.key, item.value, item.created_at.tzinfo, sorted(item.dict())]
    out += [s.get(("users", "nobody"), "prefs"), s.list_namespaces()]
    s.delete(("users", "alice"), "prefs")
    out.append(s.get(("users", "alice"), "prefs"))
    s.put(("users", "alice"), "notes", {"text": "bye"})
    out.append(_items(s.search(("users", "alice"))))
    for bad in [(), ("a.b",), ("langgraph", "x"), ("",), (1,)]:
        try:
            s.put(bad, "k", {"v": 1})
        except Exception as exc:
            out.append([type(exc).__name__, isinstance(exc, ValueError), str(exc)])
    try:
        s.put(("x",), "k", {"v": 1}, ttl=5)
    except Exception as exc:
        out.append([type(exc).__name__, str(exc)])

    async def main() -> None:
        await s.aput(("a",), "k", {"v": 1})
        found = await s.aget(("a",), "k")
        out.append([found.value, _items(await s.asearch(("a",))), await s.alist_namespaces(prefix=("a",))])
        await s.adelete(("a",), "k")
        out.append(await s.aget(("a",), "k"))

    asyncio.run(main())
    ts = "2024-01-01T00:00:00+00:00"
    out += [e.store_base.Item(value={"a": 1}, key="k", namespace=("n",), created_at=ts, updated_at=ts),
            e.store_base.SearchItem(("n",), "k", {"a": 1}, ts, ts, 0.5),
            issubclass(e.store_memory.InMemoryStore, e.store_base.BaseStore)]

    def node(state: Log, runtime: e.runtime.Runtime) -> dict[str, Any]:  # type: ignore[name-defined]
        return {"log": [e.config.get_store() is runtime.store, runtime.store.get(("users", "bob"), "prefs").value]}

    BaseStore = e.store_base.BaseStore  # noqa: N806 - LangGraph injects `store` when annotated `BaseStore`

    def node2(state: Log, *, store: BaseStore) -> dict[str, Any]:  # type: ignore[valid-type]
        store.put(("mem",), "x", {"seen": True})
        return {"log": [store.get(("mem",), "x").value]}

    builder = e.graph.StateGraph(Log).add_node("node", node).add_node("node2", node2)
    builder.add_edge(e.graph.START, "node").add_edge("node", "node2")
    out.append(builder.compile(store=s).invoke({}))
    return out


def store_in_subgraph(e: SimpleNamespace) -> list[Any]:
    def inner_node(state: Log) -> dict[str, Any]:
        found = e.config.get_store()
        return {"log": [found is not None and found.get(("a",), "k").value]}

    inner = e.graph.StateGraph(Log).add_node("n", inner_node).add_edge(e.graph.START, "n").compile()
    s = e.store_memory.InMemoryStore()
    s.put(("a",), "k", {"v": 1})
    outer = e.graph.StateGraph(Log).add_node("sub", inner).add_edge(e.graph.START, "sub").compile(store=s)
    return [outer.invoke({})]


def error_handler_asks(e: SimpleNamespace) -> list[Any]:
    NodeError = e.errors.NodeError  # noqa: N806 - as users import it

    def boom(state: Log) -> dict[str, Any]:
        raise ValueError("bad")

    def ask(state: Log, error: NodeError) -> dict[str, Any]:  # type: ignore[valid-type]
        return {"log": [e.types.interrupt(f"{error.node} failed: {error.error}; what now?")]}

    graph = e.graph.StateGraph(Log).add_node("boom", boom, error_handler=ask).add_edge(e.graph.START, "boom")
    graph = graph.compile(checkpointer=e.checkpoint_memory.InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    return [graph.invoke({"log": []}, config), graph.get_state(config).next,
            graph.invoke(e.types.Command(resume="skip it"), config)]


def async_nodes(e: SimpleNamespace) -> list[Any]:
    calls: list[Any] = []
    store = e.store_memory.InMemoryStore()

    async def remember(state: Log, runtime: e.runtime.Runtime) -> dict[str, Any]:  # type: ignore[name-defined]
        calls.append(state["x"])
        await runtime.store.aput(("seen",), str(state["x"]), {"x": state["x"]})
        found = await runtime.store.asearch(("seen",))
        return {"log": [[i.key for i in found], runtime.execution_info.node_attempt]}

    async def flaky(state: Log) -> dict[str, Any]:
        raise RuntimeError("down")

    async def recover(state: Log, error: NodeError) -> Any:  # type: ignore[valid-type]
        return e.types.Command(update={"log": [f"recovered {error.node}"]}, goto="remember")

    NodeError = e.errors.NodeError  # noqa: N806 - the annotation above names it, as users write it
    builder = e.graph.StateGraph(Log).add_node("flaky", flaky, error_handler=recover)
    builder.add_node("remember", remember, cache_policy=e.types.CachePolicy(key_func=lambda s: str(s["x"])))
    graph = builder.add_edge(e.graph.START, "flaky").compile(store=store, cache=e.cache_memory.InMemoryCache())

    async def main() -> list[Any]:
        out = [await graph.ainvoke({"x": 1}), await graph.ainvoke({"x": 1}), await graph.ainvoke({"x": 2})]
        out.append([c async for c in graph.astream({"x": 2}, stream_mode="updates")])
        out.append(await graph.ainvoke({"x": 3}, version="v2"))
        return out

    return [*asyncio.run(main()), calls]  # (LangGraph cannot `invoke` a graph of async nodes; livegraph can)


def cache(e: SimpleNamespace) -> list[Any]:
    calls: list[Any] = []

    def slow(state: Log) -> dict[str, Any]:
        calls.append(state["x"])
        return {"log": [state["x"] * 10]}

    def after(state: Log) -> dict[str, Any]:
        return {"log": ["after"]}

    builder = e.graph.StateGraph(Log).add_node("slow", slow, cache_policy=e.types.CachePolicy(ttl=60))
    builder.add_node("after", after).add_edge(e.graph.START, "slow").add_edge("slow", "after")
    memory = e.cache_memory.InMemoryCache()
    graph = builder.compile(cache=memory)
    out: list[Any] = [graph.invoke({"x": 1}), list(calls),
                      list(graph.stream({"x": 1}, stream_mode=["updates", "values", "tasks"])), list(calls),
                      graph.invoke({"x": 2}), asyncio.run(graph.ainvoke({"x": 2})), list(calls)]
    memory.clear()
    out += [graph.invoke({"x": 1}), list(calls), builder.compile().invoke({"x": 1}), list(calls),
            e.types.CachePolicy().ttl, e.types.CachePolicy(key_func=str, ttl=5).ttl,
            isinstance(memory, e.cache_base.BaseCache)]
    builder = e.graph.StateGraph(Log).add_node("slow", slow, cache_policy=e.types.CachePolicy(key_func=lambda s: "k"))
    graph = builder.add_edge(e.graph.START, "slow").compile(cache=e.cache_memory.InMemoryCache())
    out += [graph.invoke({"x": 7}), graph.invoke({"x": 8}), list(calls),
            list(graph.stream({"x": 9}, stream_mode="updates", version="v2"))]
    short = e.graph.StateGraph(Log).add_node("slow", slow, cache_policy=e.types.CachePolicy(ttl=1))
    graph = short.add_edge(e.graph.START, "slow").compile(cache=e.cache_memory.InMemoryCache())
    graph.invoke({"x": 3})
    time.sleep(1.1)
    out += [graph.invoke({"x": 3}), list(calls)]
    return out


def _nodes(graph: Any) -> list[str]:
    # LangGraph's `graph.nodes` also lists `__start__` (its input node); livegraph's lists the graph's nodes
    return [name for name in graph.nodes if name != "__start__"]


def drain(e: SimpleNamespace) -> list[Any]:
    control = e.runtime.RunControl()
    seen: list[Any] = []

    def a(state: Log, runtime: e.runtime.Runtime) -> dict[str, Any]:  # type: ignore[name-defined]
        seen.append(runtime.control is control)
        control.request_drain("deploy")
        return {"log": ["a"]}

    def b(state: Log) -> dict[str, Any]:
        return {"log": ["b"]}

    builder = e.graph.StateGraph(Log).add_node("a", a).add_node("b", b)
    graph = builder.add_edge(e.graph.START, "a").add_edge("a", "b").compile(
        checkpointer=e.checkpoint_memory.InMemorySaver())
    config = {"configurable": {"thread_id": "1"}}
    chunks: list[Any] = []
    try:
        for chunk in graph.stream({"log": []}, config, control=control):
            chunks.append(chunk)
    except e.errors.GraphDrained as exc:
        chunks.append([type(exc).__name__, exc.reason, str(exc), isinstance(exc, e.errors.GraphBubbleUp)])
    state = graph.get_state(config)
    return [chunks, seen, control.drain_requested, control.drain_reason, state.values, state.next,
            graph.invoke(None, config)]


def error_handler(e: SimpleNamespace) -> list[Any]:
    NodeError = e.errors.NodeError  # noqa: N806 - the class, as users import it
    calls: list[str] = []

    def boom(state: Log) -> dict[str, Any]:
        calls.append("boom")
        raise ValueError("bad")

    def handler(state: Log, error: NodeError) -> dict[str, Any]:  # type: ignore[valid-type]
        return {"log": [f"handled {error.node}: {error.error!r}"], "status": "ok"}

    def to_after(state: Log, error: NodeError) -> Any:  # type: ignore[valid-type]
        return e.types.Command(update={"log": ["h2"]}, goto="after")

    def after(state: Log) -> dict[str, Any]:
        return {"log": ["after"]}

    def failing(state: Log, error: NodeError) -> Any:  # type: ignore[valid-type]
        raise KeyError("h")

    def untyped(state: Log, err: Any) -> Any:
        return {"log": ["never"]}

    def plain(state: Log) -> dict[str, Any]:
        return {"log": ["plain"]}

    async def aboom(state: Log) -> dict[str, Any]:
        raise ValueError("abad")

    async def ahandler(state: Log, error: NodeError, config: RunnableConfig) -> dict[str, Any]:  # type: ignore[valid-type]
        meta = config["metadata"]
        return {"log": [meta["langgraph_node"], str(meta["langgraph_path"]), str(meta["langgraph_triggers"])]}

    def graph(node: Any, handler: Any, **kw: Any) -> Any:
        b = e.graph.StateGraph(Log).add_node("boom", node, error_handler=handler, **kw).add_node("after", after)
        return b.add_edge(e.graph.START, "boom")

    out: list[Any] = []
    g = graph(boom, handler).add_edge("boom", "after").compile()
    out += [g.invoke({"log": []}), list(g.stream({"log": []}, stream_mode=["updates", "tasks", "values"])),
            _nodes(g)]
    retry = e.types.RetryPolicy(max_attempts=2, initial_interval=0.001, retry_on=ValueError)
    calls.clear()
    out += [graph(boom, to_after, retry_policy=retry).compile().invoke({"log": []}), list(calls)]
    for h in (failing, untyped):
        try:
            graph(boom, h).compile().invoke({"log": []})
        except Exception as exc:
            out.append([type(exc).__name__, str(exc).replace("untyped() m", "m"), getattr(exc, "__notes__", None)])
    out.append(graph(boom, plain).compile().invoke({"log": []}))
    out.append(asyncio.run(graph(aboom, ahandler).compile().ainvoke({"log": []})))
    defaults = e.graph.StateGraph(Log).set_node_defaults(error_handler=plain, retry_policy=retry)
    g = defaults.add_node("boom", boom).add_edge(e.graph.START, "boom").compile()
    calls.clear()
    out += [g.invoke({"log": []}), list(calls), _nodes(g), e.errors.NodeError("n", ValueError("v"))]
    return out


def overwrite(e: SimpleNamespace) -> list[Any]:
    class Msgs(TypedDict):
        messages: Annotated[list, operator.add]

    def node(update: Any) -> Any:
        return lambda state: {"messages": update}

    def build(*nodes: tuple[str, Any], parallel: bool = False) -> Any:
        b = e.graph.StateGraph(Msgs)
        for name, update in nodes:
            b.add_node(name, node(update))
        b.add_edge(e.graph.START, nodes[0][0])
        # `parallel`: the first node, then all the others in one step; else a chain
        for (x, _), (y, _) in itertools.pairwise(nodes):
            b.add_edge(nodes[0][0] if parallel else x, y)
        return b.compile()

    out: list[Any] = []
    ow = e.types.Overwrite
    g = build(("a", ["a"]), ("b", ow(value=["b"])))
    out += [g.invoke({"messages": ["START"]}), list(g.stream({"messages": ["S"]}, stream_mode="updates"))]
    out.append(build(("a", ["a"]), ("b", ow(["b"])), ("c", ["c"]), parallel=True).invoke({"messages": ["S"]}))
    out.append(build(("a", ["a"]), ("c", ["c"]), ("z", ow(["z"])), parallel=True).invoke({"messages": ["S"]}))
    out.append(build(("a", ["a"]), ("b", {"__overwrite__": ["d"]})).invoke({"messages": ["S"]}))
    out.append(build(("a", ["a"]), ("b", {"type": "__overwrite__", "value": ["t"]})).invoke({"messages": ["S"]}))
    try:
        build(("a", ["a"]), ("b", ow(["b"])), ("d", {"__overwrite__": ["d"]}), parallel=True).invoke({"messages": []})
    except Exception as exc:
        out.append(type(exc).__name__)
    out += [ow(value=[1]), ow([2]) == ow([2])]
    remove_all = e.graph_message.RemoveMessage(id=e.graph_message.REMOVE_ALL_MESSAGES)
    first = {"role": "user", "content": "hi", "id": "1"}
    kept = e.graph_message.add_messages([first], [remove_all, {"role": "user", "content": "new", "id": "2"}])
    out.append([(m["content"] if isinstance(m, dict) else m.content) for m in kept])  # LangChain makes messages
    return out


def graph_methods(e: SimpleNamespace) -> list[Any]:
    calls: list[Any] = []

    def slow(state: Log) -> dict[str, Any]:
        calls.append(state["x"])
        return {"log": ["slow"]}

    inner = e.graph.StateGraph(Log).add_node("slow", slow).add_edge(e.graph.START, "slow").compile()
    mid = e.graph.StateGraph(Log).add_node("inner", inner).add_edge(e.graph.START, "inner").compile()
    builder = e.graph.StateGraph(Log).add_node("slow", slow, cache_policy=e.types.CachePolicy())
    builder.add_node("mid", mid).add_edge(e.graph.START, "slow").add_edge("slow", "mid")
    graph = builder.compile(cache=e.cache_memory.InMemoryCache())
    stops = builder.compile(interrupt_before=["mid"], interrupt_after=["slow"])
    no_cache = builder.compile()
    graph.invoke({"x": 1}), graph.invoke({"x": 1})
    graph.clear_cache(["mid"])
    graph.invoke({"x": 1})
    graph.clear_cache()
    graph.invoke({"x": 1})
    out: list[Any] = [list(calls)]
    try:
        no_cache.clear_cache()
    except ValueError as exc:
        out.append(str(exc))

    async def aclear() -> None:
        await graph.aclear_cache()
        out.append([n async for n, _ in graph.aget_subgraphs(recurse=True)])

    asyncio.run(aclear())
    graph.invoke({"x": 1})
    out += [list(calls), [n for n, _ in graph.get_subgraphs()], [n for n, _ in graph.get_subgraphs(recurse=True)],
            [n for n, _ in graph.get_subgraphs(namespace="mid|inner", recurse=True)],
            [g is inner for _, g in graph.get_subgraphs(namespace="mid|inner", recurse=True)],
            graph.get_name(), graph.get_name("-x"), stops.interrupt_before_nodes, stops.interrupt_after_nodes,
            graph.interrupt_before_nodes]
    saver = e.checkpoint_memory.InMemorySaver()
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "h"}}
    graph.invoke({"x": 2}, config)

    async def history() -> list[Any]:
        return [s.next async for s in graph.aget_state_history(config)]

    out.append(asyncio.run(history()) == [s.next for s in graph.get_state_history(config)])
    out.append(sorted(n for n in asyncio.run(graph.aget_graph()).nodes if n != "__end__"))
    for bad in ("a saver", 3):
        try:
            e.types.ensure_valid_checkpointer(bad)
        except TypeError as exc:
            out.append(str(exc).replace("SqliteSaver", "AsyncPostgresSaver"))
    out += [e.types.ensure_valid_checkpointer(None), e.types.ensure_valid_checkpointer(saver) is saver,
            e.types.StateUpdate({"x": 1}), e.types.omit_payload(5)]
    return out


SCENARIOS = {f.__name__: f for f in (constants, invoke_v2, interrupt_response_schema, runtime_execution_info, store,
                                     cache, error_handler, drain, overwrite, graph_methods, store_in_subgraph,
                                     async_nodes, error_handler_asks)}
MASKS = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<id>"),
    (re.compile(r" at 0x[0-9a-f]+"), ""),
    (re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00"), "<ts>"),
    (re.compile(r"(During task with name '[^']*' and id '<uuid>') \(node `[^`]*`, step \d+\)"), r"\1"),
]


def mask(line: str) -> str:
    for pattern, replacement in MASKS:
        line = pattern.sub(replacement, line)
    return line


if __name__ == "__main__":
    engine = use(sys.argv[1])
    wanted = sys.argv[2:] or list(SCENARIOS)
    print(json.dumps({name: [mask(repr(x)) for x in SCENARIOS[name](engine)] for name in wanted}, indent=1))
