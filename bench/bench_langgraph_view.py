"""The live view's overhead on a graph that LangGraph itself runs (a measurement, not a test).

One LangGraph node streams N tokens as fast as it can, through `get_stream_writer()` (`custom`) or a
LangChain chat model (`messages`). Tokens per CPU second of the process (all threads), best of R runs, for:

- `stream`: plain `graph.stream(inputs, stream_mode=<that mode>)`, what LangGraph users do today;
- `stream, view's modes`: `graph.stream` with the modes the view reads (tasks, updates, custom, messages,
  checkpoints, values; subgraphs=True, version="v2"): what asking LangGraph for more costs;
- `events`: those parts translated into livegraph Events (`livegraph.notebook.stream_events`);
- `RunView`: the whole live view, fed as `lgn.run` feeds it, its refresh loop sending at most 20 updates a
  second to the widgets (in-process: the widgets have no frontend, so this is the kernel side's cost).

    .venv/bin/python bench/bench_langgraph_view.py [--tokens 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage  # noqa: E402
from langgraph.config import get_stream_writer  # noqa: E402
from langgraph.graph import END, START, StateGraph  # noqa: E402

from livegraph.notebook import RunView, stream_events  # noqa: E402
from livegraph.notebook._langgraph import MODES  # noqa: E402


class State(TypedDict, total=False):
    n: int
    text: str


def custom(state: State) -> State:
    write = get_stream_writer()
    for i in range(state["n"]):
        write(f"t{i} ")
    return {"text": "done"}


def messages(state: State) -> State:
    words = "".join(f"t{i} " for i in range(state["n"] // 2))  # a word and a space: n tokens
    model = GenericFakeChatModel(messages=iter([AIMessage(words)]))
    return {"text": str(model.invoke("go").content)}


def graph_of(node: Callable[[State], State]) -> Any:
    return StateGraph(State).add_node("llm", node).add_edge(START, "llm").add_edge("llm", END).compile()


def plain(graph: Any, n: int, mode: str) -> None:
    for _ in graph.stream({"n": n}, stream_mode=mode):
        pass


def view_modes(graph: Any, n: int, mode: str) -> None:
    for _ in graph.stream({"n": n}, stream_mode=MODES, subgraphs=True, version="v2"):
        pass


def events(graph: Any, n: int, mode: str) -> None:
    for _ in stream_events(graph, {"n": n}, None):
        pass


def view(graph: Any, n: int, mode: str) -> None:
    run_view = RunView(graph)
    with run_view:
        for event in stream_events(graph, {"n": n}, None):
            run_view.feed(event)
    assert run_view.model.tokens == n, (run_view.model.tokens, n)


WAYS: dict[str, Callable[[Any, int, str], None]] = {
    "stream": plain,
    "stream, view's modes": view_modes,
    "events": events,
    "RunView": view,
}


def rate(way: Callable[[Any, int, str], None], graph: Any, n: int, mode: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()  # CPU seconds of every thread: steadier than wall time on a busy machine
        way(graph, n, mode)
        best = min(best, time.process_time() - start)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{args.tokens:,} tokens from one LangGraph node, best of {args.repeat}")
    for mode, node in (("custom", custom), ("messages", messages)):
        graph = graph_of(node)
        base = None
        for name, way in WAYS.items():
            tps = rate(way, graph, args.tokens, mode, args.repeat)
            base = base or tps
            print(f"  {mode:9} {name:22} {tps:>10,.0f} tokens/CPU-s  ({tps / base:.2f}x)")


if __name__ == "__main__":
    main()
