"""`python -m livegraph serve` and `python -m livegraph demo`: the embedded server and a graph on it, in a terminal."""

from __future__ import annotations

import json
import operator
import sys
from typing import Annotated, Any, TextIO, TypedDict

from livegraph.llm._chat import chat
from livegraph.llm._client import EMBEDDED_API_KEY, use_embedded
from livegraph.llm._model import OfflineModel
from livegraph.llm._server import EmbeddedServer


def serve(host: str, port: int, tokens_per_second: float | None, api_key: str | None, models: list[str] | None,
          out: TextIO = sys.stdout) -> None:
    """Run the embedded server in the foreground until Ctrl-C."""
    server = EmbeddedServer(OfflineModel(tokens_per_second=tokens_per_second), host=host, port=port,
                            api_key=api_key, models=models or None)
    print(f"livegraph serving an OpenAI-compatible API at {server.base_url} (Ctrl-C to stop)", file=out)
    print(f"  export OPENAI_BASE_URL={server.base_url} OPENAI_API_KEY={api_key or EMBEDDED_API_KEY}", file=out,
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


class DemoState(TypedDict):
    messages: Annotated[list[dict[str, Any]], operator.add]


def get_items(place: str) -> str:
    """Use this tool to list items one might find in a place you're asked about."""
    prompt = (
        f"Can you tell me what kind of items i might find in the following place: '{place}'. "
        "List at least 3 such items separating them by a comma. And include a brief description of each item."
    )
    return str(chat([{"role": "user", "content": prompt}])["content"])


def agent(state: DemoState) -> dict[str, Any]:
    """Asks the model, which answers with a call to `get_items`."""
    reply = chat(state["messages"], tools=[get_items])
    reply.pop("usage", None)
    return {"messages": [reply]}


def tools(state: DemoState) -> dict[str, Any]:
    """Runs the tool the model called; the tool itself streams a completion."""
    call = state["messages"][-1]["tool_calls"][-1]
    result = get_items(**json.loads(call["function"]["arguments"]))
    return {"messages": [{"role": "tool", "tool_call_id": call["id"], "name": "get_items", "content": result}]}


def demo_graph() -> Any:
    """START -> agent -> tools -> END, the seed's tool-calling example as a two-node graph."""
    from livegraph.graph import END, START, StateGraph

    builder = StateGraph(DemoState).add_node(agent).add_node(tools)
    return builder.add_edge(START, "agent").add_edge("agent", "tools").add_edge("tools", END).compile()


def demo(place: str, tokens_per_second: float, out: TextIO = sys.stdout) -> None:
    """Run the demo graph on the embedded model, printing every token as it streams."""
    use_embedded(tokens_per_second=tokens_per_second)
    question = {"role": "user", "content": f"What items might I find in the {place}?"}
    print(f"[user] {question['content']}", file=out, flush=True)
    node = None
    for piece, metadata in demo_graph().stream({"messages": [question]}, stream_mode="messages"):
        if metadata["langgraph_node"] != node:
            node = metadata["langgraph_node"]
            print(f"\n[{node}] ", end="", file=out, flush=True)
        for call in piece.tool_call_chunks:
            text = f"calls {call['name']}(" if call["name"] else call["args"] or ""
            print(text, end="", file=out, flush=True)
        if piece.response_metadata.get("finish_reason") == "tool_calls":
            print(")", end="", file=out)
        print(piece.content, end="", file=out, flush=True)
    print(file=out, flush=True)
