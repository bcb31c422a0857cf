"""Chat graphs (LangChain's fake chat models, `MessagesState`, `ToolNode`, `create_react_agent`), streamed
through LangGraph's public API on whichever engine is named: `python chat_scenarios.py langgraph|livegraph`.

Prints one JSON object `{scenario: {how: normalized output}}`. Messages become their LangChain dicts; ids
that are random on both engines (uuids, `lc_run--...`, task ids) become `M1`, `T1`, ... in order of
appearance, so the two outputs can be compared exactly.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import sys
import time
from typing import Annotated, Any, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, RemoveMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from langchain_core.utils.function_calling import convert_to_openai_tool

G: Any = None  # the engine's modules, set by `use()`


def use(engine: str) -> None:
    global G

    class Engine:
        graph = importlib.import_module(f"{engine}.graph")
        message = importlib.import_module(f"{engine}.graph.message")
        prebuilt = importlib.import_module(f"{engine}.prebuilt")
        types = importlib.import_module(f"{engine}.types")

    G = Engine


class FakeToolModel(BaseChatModel):
    """Answers with the next of `responses` (AIMessages, maybe with tool calls), streaming word by word and
    each tool call as one chunk, as real tool-calling models do."""

    responses: list[AIMessage]
    index: list[int] = [0]

    @property
    def _llm_type(self) -> str:
        return "fake-tool-model"

    def _next(self, messages: Any) -> AIMessage:
        message = self.responses[self.index[0] % len(self.responses)]
        self.index[0] += 1
        if "{last}" in str(message.content):  # answers about what it was given
            message = message.model_copy(update={"content": str(message.content).format(last=messages[-1].content)})
        return message

    def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Any:
        message = self._next(messages)
        for word in re.findall(r"\S+\s*", str(message.content)):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=word, id=message.id))
            if run_manager:
                run_manager.on_llm_new_token(word, chunk=chunk)
            yield chunk
        for i, call in enumerate(message.tool_calls):
            piece = {"name": call["name"], "args": json.dumps(call["args"]), "id": call["id"], "index": i}
            chunk = ChatGenerationChunk(message=AIMessageChunk(content="", id=message.id, tool_call_chunks=[piece]))
            if run_manager:
                run_manager.on_llm_new_token("", chunk=chunk)
            yield chunk

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)


class Norm:
    """Replaces random ids by stable names, in order of appearance."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def name(self, value: str, prefix: str) -> str:
        if value not in self.names:
            self.names[value] = f"{prefix}{sum(1 for v in self.names.values() if v.startswith(prefix)) + 1}"
        return self.names[value]

    def text(self, s: str) -> str:
        s = re.sub(r"lc_run--[0-9a-f-]+", lambda m: self.name(m.group(0), "R"), s)
        s = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", lambda m: self.name(m.group(0), "U"), s)
        return s

    def __call__(self, obj: Any) -> Any:
        if isinstance(obj, BaseMessage):
            data = obj.model_dump()
            data["__class__"] = type(obj).__name__
            return self(data)
        if isinstance(obj, dict):
            return {str(k): self(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self(v) for v in obj]
        if isinstance(obj, str):
            return self.text(obj)
        if obj is None or isinstance(obj, (int, float, bool)):
            return obj
        if type(obj).__name__ == "Interrupt":
            return {"interrupt": self(obj.value)}
        return type(obj).__name__


def words(text: str, id: str | None = None) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(content=text, id=id)]))


def chat_graph(node: Any, state: Any = None) -> Any:
    return G.graph.StateGraph(state or G.graph.MessagesState).add_node("agent", node).add_edge(
        G.graph.START, "agent").compile()


# -- scenarios: each returns (graph, input, config) --------------------------------------------------------------
def invoke_model() -> Any:
    model = words("hello there friend", id="ai-1")
    return chat_graph(lambda s: {"messages": [model.invoke(s["messages"])]}), {"messages": [("user", "hi")]}, None


def list_model_stream() -> Any:
    model = FakeListChatModel(responses=["ab cd"])

    def node(state: Any) -> Any:
        full = None
        for chunk in model.stream(state["messages"]):
            full = chunk if full is None else full + chunk
        return {"messages": [full]}

    return chat_graph(node), {"messages": "hi"}, None


def explicit_config() -> Any:
    model = words("with config", id="ai-1")

    def node(state: Any, config: RunnableConfig) -> Any:
        return {"messages": [model.invoke(state["messages"], config)]}

    conf = {"configurable": {"thread_id": "t1"}, "metadata": {"user": "ada"}, "tags": ["mine"]}
    return chat_graph(node), {"messages": [{"role": "user", "content": "hi"}]}, conf


def nostream() -> Any:
    model = words("not streamed", id="ai-1").with_config(tags=["nostream"])
    other = words("streamed", id="ai-2")
    return chat_graph(lambda s: {"messages": [model.invoke(s["messages"]), other.invoke(s["messages"])]}), {
        "messages": [HumanMessage("hi", id="h1")]}, None


def returned_messages() -> Any:
    def node(state: Any) -> Any:
        return {"messages": [AIMessage("plain"), ("ai", "tuple"), {"role": "assistant", "content": "dict"}]}

    return chat_graph(node), {"messages": [("user", "hi")]}, None


def async_node() -> Any:
    model = FakeListChatModel(responses=["async words"])

    async def node(state: Any) -> Any:
        return {"messages": [await model.ainvoke(state["messages"])]}

    return chat_graph(node), {"messages": [("user", "hi")]}, None


def subgraph() -> Any:
    model = words("from inside", id="ai-sub")
    inner = chat_graph(lambda s: {"messages": [model.invoke(s["messages"])]})
    outer = G.graph.StateGraph(G.graph.MessagesState).add_node("outer", inner).add_edge(G.graph.START, "outer").compile()
    return outer, {"messages": [("user", "hi")]}, None


def message_edits() -> Any:
    def node(state: Any) -> Any:
        first = state["messages"][0]
        return {"messages": [RemoveMessage(id=first.id), AIMessage("new", id="a1"), HumanMessage("again", id="h2")]}

    def clear(state: Any) -> Any:
        return {"messages": [RemoveMessage(id=G.message.REMOVE_ALL_MESSAGES), AIMessage("only", id="a9")]}

    g = (G.graph.StateGraph(G.graph.MessagesState).add_node("edit", node).add_node("clear", clear)
         .add_edge(G.graph.START, "edit").add_edge("edit", "clear").compile())
    return g, {"messages": [HumanMessage("one", id="h1"), ("ai", "two")]}, None


def openai_format() -> Any:
    class S(TypedDict):
        messages: Annotated[list, G.message.add_messages(format="langchain-openai")]

    def node(state: Any) -> Any:
        return {"messages": [{"role": "user", "content": [{"type": "text", "text": "look"},
                                                            {"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}]}

    return chat_graph(node, S), {"messages": [("user", "hi")]}, None


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool
def shout(text: str) -> str:
    """Shout the text."""
    time.sleep(0.2)  # finishes after `add`, on both engines (parallel tools stream in completion order)
    return text.upper()


@tool
def boom(x: int) -> str:
    """Always fails."""
    raise RuntimeError(f"boom {x}")


def calls(*specs: tuple[str, dict[str, Any]], content: str = "", id: str = "ai-t") -> AIMessage:
    return AIMessage(content=content, id=id,
                     tool_calls=[{"name": n, "args": a, "id": f"call-{i}", "type": "tool_call"} for i, (n, a) in enumerate(specs)])


def tool_graph() -> Any:
    @tool
    def count_messages(state: Annotated[dict, G.prebuilt.InjectedState]) -> int:
        """How many messages there are."""
        return len(state["messages"])

    model = FakeToolModel(responses=[
        calls(("add", {"a": 2, "b": 3}), ("shout", {"text": "hey"}), ("count_messages", {}), ("nope", {}),
              ("add", {"a": "x"}), content="let me see"),
        AIMessage("done: 5 HEY", id="ai-2"),
    ]).bind_tools([add, shout, count_messages])

    def agent(state: Any) -> Any:
        return {"messages": [model.invoke(state["messages"])]}

    g = (G.graph.StateGraph(G.graph.MessagesState).add_node("agent", agent)
         .add_node("tools", G.prebuilt.ToolNode([add, shout, count_messages]))
         .add_edge(G.graph.START, "agent").add_conditional_edges("agent", G.prebuilt.tools_condition)
         .add_edge("tools", "agent").compile())
    return g, {"messages": [("user", "add and shout")]}, None


def tool_errors() -> Any:
    model = FakeToolModel(responses=[calls(("boom", {"x": 1}), ("add", {"a": 1})), AIMessage("sorry", id="ai-2")])
    g = (G.graph.StateGraph(G.graph.MessagesState).add_node("agent", lambda s: {"messages": [model.invoke(s["messages"])]})
         .add_node("tools", G.prebuilt.ToolNode([boom, add], handle_tool_errors=True))
         .add_edge(G.graph.START, "agent").add_conditional_edges("agent", G.prebuilt.tools_condition)
         .add_edge("tools", "agent").compile())
    return g, {"messages": [("user", "go")]}, None


def tool_raises() -> Any:
    model = FakeToolModel(responses=[calls(("boom", {"x": 1}))])
    g = (G.graph.StateGraph(G.graph.MessagesState).add_node("agent", lambda s: {"messages": [model.invoke(s["messages"])]})
         .add_node("tools", G.prebuilt.ToolNode([boom]))
         .add_edge(G.graph.START, "agent").add_conditional_edges("agent", G.prebuilt.tools_condition)
         .add_edge("tools", "agent").compile())
    return g, {"messages": [("user", "go")]}, None


def react_agent() -> Any:
    model = FakeToolModel(responses=[
        calls(("add", {"a": 20, "b": 22}), ("shout", {"text": "ok"}), content="Working on it."),
        AIMessage("The answer is 42. OK", id="ai-2"),
    ])
    agent = G.prebuilt.create_react_agent(model, [add, shout], prompt="You add.")
    return agent, {"messages": [("user", "what is 20 + 22?")]}, None


def react_agent_v1() -> Any:
    model = FakeToolModel(responses=[calls(("add", {"a": 1, "b": 2}), ("add", {"a": 3, "b": 4})), AIMessage("3 and 7", id="ai-2")])
    agent = G.prebuilt.create_react_agent(model, [add], version="v1", name="adder")
    return agent, {"messages": [("user", "sums")]}, None


@tool
async def lookup(city: str) -> str:
    """Look a city up (an async-only tool)."""
    await asyncio.sleep(0.01)
    return f"{city}: 21 degrees"


def async_tools() -> Any:
    model = FakeToolModel(responses=[calls(("lookup", {"city": "Paris"}), ("add", {"a": 1, "b": 1})), AIMessage("ok", id="ai-2")])
    return G.prebuilt.create_react_agent(model, [lookup, add]), {"messages": [("user", "weather?")]}, None


@tool(return_direct=True)
def final_answer(answer: str) -> str:
    """Give the final answer directly."""
    return answer


def return_direct() -> Any:
    model = FakeToolModel(responses=[calls(("final_answer", {"answer": "42"}))])
    return G.prebuilt.create_react_agent(model, [final_answer, add]), {"messages": [("user", "answer")]}, None


def out_of_steps() -> Any:
    model = FakeToolModel(responses=[calls(("add", {"a": 1, "b": 1}))])
    return G.prebuilt.create_react_agent(model, [add]), {"messages": [("user", "loop")]}, {"recursion_limit": 6}


def error_strings() -> Any:
    model = FakeToolModel(responses=[calls(("boom", {"x": 2})), AIMessage("k", id="ai-2")])
    node = G.prebuilt.ToolNode([boom], handle_tool_errors=lambda e: f"handled: {e}")
    g = (G.graph.StateGraph(G.graph.MessagesState).add_node("agent", lambda s: {"messages": [model.invoke(s["messages"])]})
         .add_node("tools", node).add_edge(G.graph.START, "agent")
         .add_conditional_edges("agent", G.prebuilt.tools_condition).add_edge("tools", "agent").compile())
    return g, {"messages": [("user", "go")]}, None


def tool_interrupt() -> Any:
    checkpoint = importlib.import_module(f"{G.graph.__name__.split('.')[0]}.checkpoint.memory")

    @tool
    def book(hotel: str) -> str:
        """Book a hotel, once a person approves."""
        answer = G.types.interrupt({"book": hotel})
        return f"{hotel}: {answer}"

    model = FakeToolModel(responses=[calls(("book", {"hotel": "Ritz"})), AIMessage("Booked.", id="ai-2")])
    agent = G.prebuilt.create_react_agent(model, [book], checkpointer=checkpoint.InMemorySaver())
    return agent, {"messages": [("user", "book it")]}, {"configurable": {"thread_id": "1"}}


class Weather(TypedDict):
    """The weather in a city."""

    city: str
    degrees: int


def structured() -> Any:
    model = FakeToolModel(responses=[calls(("add", {"a": 20, "b": 1})), AIMessage("21 degrees in Paris", id="ai-2"),
                                     calls(("Weather", {"city": "Paris", "degrees": 21}), id="ai-3")])
    agent = G.prebuilt.create_react_agent(model, [add], response_format=("Answer as Weather.", Weather))
    return agent, {"messages": [("user", "weather?")]}, None


def hooks() -> Any:
    def pre(state: Any) -> Any:
        return {"llm_input_messages": [HumanMessage(f"{len(state['messages'])} messages so far", id="pre")]}

    def post(state: Any) -> Any:
        if state["messages"][-1].tool_calls:
            return {"messages": []}
        return {"messages": [AIMessage(f"checked {len(state['messages'])}", id="post")]}

    model = FakeToolModel(responses=[calls(("add", {"a": 1, "b": 2})), AIMessage("three, given: {last}", id="ai-2")])
    agent = G.prebuilt.create_react_agent(model, [add], pre_model_hook=pre, post_model_hook=post)
    return agent, {"messages": [("user", "1+2")]}, None


def dynamic_model() -> Any:
    small = FakeToolModel(responses=[calls(("add", {"a": 2, "b": 2}))]).bind_tools([add])
    large = FakeToolModel(responses=[AIMessage("four", id="ai-big")]).bind_tools([add])

    def pick(state: Any, runtime: Any) -> Any:
        return small if len(state["messages"]) < 2 else large

    return G.prebuilt.create_react_agent(pick, [add]), {"messages": [("user", "2+2")]}, None


def no_tools() -> Any:
    model = FakeToolModel(responses=[AIMessage("just talk", id="ai-1")])
    return G.prebuilt.create_react_agent(model, [], prompt=lambda s: [("system", "be brief"), *s["messages"]]), {
        "messages": [("user", "hi")]}, None


def bad_history() -> Any:
    model = FakeToolModel(responses=[AIMessage("never", id="ai-1")])
    return G.prebuilt.create_react_agent(model, [add]), {"messages": [("user", "hi"), calls(("add", {"a": 1, "b": 1}))]}, None


def invoked_inside() -> Any:
    model = words("inner words", id="ai-in")
    inner = chat_graph(lambda s: {"messages": [model.invoke(s["messages"])]})

    def call_inner(state: Any) -> Any:
        return {"messages": inner.invoke({"messages": state["messages"]})["messages"]}

    outer = G.graph.StateGraph(G.graph.MessagesState).add_node("call_inner", call_inner).add_edge(
        G.graph.START, "call_inner").compile()
    return outer, {"messages": [("user", "hi")]}, None


SCENARIOS = {f.__name__: f for f in (invoke_model, list_model_stream, explicit_config, nostream, returned_messages,
                                     async_node, subgraph, message_edits, openai_format, tool_graph, tool_errors,
                                     tool_raises, react_agent, react_agent_v1, async_tools, return_direct,
                                     out_of_steps, error_strings, tool_interrupt, structured, hooks, dynamic_model,
                                     no_tools, bad_history, invoked_inside)}
RUNS: dict[str, dict[str, Any]] = {
    "messages": {"stream_mode": "messages"},
    "updates": {"stream_mode": "updates"},
    "values": {"stream_mode": "values"},
    "messages+updates": {"stream_mode": ["messages", "updates"]},
    "messages/subgraphs": {"stream_mode": "messages", "subgraphs": True},
    "messages/v2": {"stream_mode": "messages", "version": "v2"},
    "amessages": {"stream_mode": "messages", "async": True},
}


def run(name: str, how: str) -> Any:
    graph, inputs, config = SCENARIOS[name]()
    norm = Norm()
    try:
        if how == "invoke":
            return norm(graph.invoke(inputs, config))
        kwargs = dict(RUNS[how])
        if kwargs.pop("async", False):

            async def collect() -> list[Any]:
                return [item async for item in graph.astream(inputs, config, **kwargs)]

            items = asyncio.run(collect())
        else:
            items = list(graph.stream(inputs, config, **kwargs))
            if name == "tool_interrupt":
                items += list(graph.stream(G.types.Command(resume="approved"), config, **kwargs))
                items.append(graph.get_state(config).values)
        return norm(items)
    except Exception as exc:
        return {"error": type(exc).__name__, "message": norm(str(exc).split("\n")[0])}


def main() -> None:
    engine = sys.argv[1]
    use(engine)
    names = sys.argv[2:] or list(SCENARIOS)
    print(json.dumps({name: {how: run(name, how) for how in ["invoke", *RUNS]} for name in names}))


if __name__ == "__main__":
    main()
