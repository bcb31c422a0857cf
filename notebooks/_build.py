"""Writes the workshop notebooks from the cell lists below, and optionally runs them to save their outputs.

    python notebooks/_build.py              # write every notebook (no outputs)
    python notebooks/_build.py --execute    # write, run each one in a fresh kernel, save outputs
    python notebooks/_build.py --execute 03 # only the notebooks whose name contains "03"

Edit the notebooks here, not in Jupyter: this file is the source, the .ipynb files are its output (with
the outputs of a run on the embedded model, which `pytest --nbval` compares against a fresh run).

Conventions:
- `md(...)` and `code(...)` make cells; the text is dedented, so it can be indented like the code here.
- A cell whose output cannot be compared (a live view, which nbval cannot replay because it updates its
  display in place) starts with the line `# NBVAL_IGNORE_OUTPUT`; print what matters in the next cell.
- Cell ids are stable (`<notebook>-<index>`), so regenerating does not churn the files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
IGNORE = "# NBVAL_IGNORE_OUTPUT\n"


def md(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(text: str, *, ignore_output: bool = False) -> nbformat.NotebookNode:
    source = textwrap.dedent(text).strip("\n")
    return nbformat.v4.new_code_cell((IGNORE if ignore_output else "") + source)


# Each notebook starts with this cell: the embedded offline model, unless `LIVEGRAPH_EMBEDDED=0` says to
# keep the OPENAI_* settings of the environment (see 02_any_llm).
def setup(tokens_per_second: int, extra: str = "") -> nbformat.NotebookNode:
    body = f"""
    import os

    from livegraph import llm

    if os.environ.get("LIVEGRAPH_EMBEDDED") != "0":  # LIVEGRAPH_EMBEDDED=0 keeps your own OPENAI_* settings
        llm.use_embedded(tokens_per_second={tokens_per_second})
    """
    return code(textwrap.dedent(body) + textwrap.dedent(extra))


NOTEBOOKS: dict[str, list[nbformat.NotebookNode]] = {}

# ---------------------------------------------------------------------------------------------------
NOTEBOOKS["01_quickstart"] = [
    md("""
    # Quickstart: stream from any LLM

    livegraph speaks LangGraph's `StateGraph` API. This notebook runs the two examples of LangGraph's
    *"Use with any LLM"* page as they are written there, with `langgraph` changed to `livegraph` in the
    imports.

    No network and no API key needed: the first cell starts livegraph's **embedded model**, a small
    offline server that speaks OpenAI's chat completions protocol and answers deterministically.
    It also sets `OPENAI_BASE_URL` and `OPENAI_API_KEY`, so any OpenAI client made afterwards talks to it.
    """),
    setup(0),
    md("""
    ## 1. A custom streaming client

    The page's first example assumes `your_custom_streaming_client(topic)`, something that yields text
    as a model produces it. Here is one, written with the OpenAI SDK (`llm.client()` is an `openai.OpenAI`
    configured for the current endpoint):
    """),
    code("""
    from typing import TypedDict

    from livegraph.graph import START, StateGraph

    openai_client = llm.client()


    def your_custom_streaming_client(topic: str):
        \"\"\"Yield the pieces of a model's answer about `topic` as they arrive.\"\"\"
        stream = openai_client.chat.completions.create(
            model=llm.default_model(),
            messages=[{"role": "user", "content": f"Tell me about {topic}"}],
            stream=True,
        )
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                yield chunk.choices[0].delta.content


    class State(TypedDict):
        topic: str
        result: str
    """),
    md("""
    Now the page's code. The only addition is the edge from `START`, where the page says
    *"Add other nodes and edges as needed"*: a graph needs an entry point.
    """),
    code("""
    from livegraph.config import get_stream_writer

    def call_arbitrary_model(state):
        \"\"\"Example node that calls an arbitrary model and streams the output\"\"\"
        writer = get_stream_writer()
        # Assume you have a streaming client that yields chunks
        for chunk in your_custom_streaming_client(state["topic"]):
            writer({"custom_llm_chunk": chunk})
        return {"result": "completed"}

    graph = (
        StateGraph(State)
        .add_node(call_arbitrary_model)
        # Add other nodes and edges as needed
        .add_edge(START, "call_arbitrary_model")
        .compile()
    )

    for chunk in graph.stream(
        {"topic": "cats"},
        stream_mode="custom",
    ):
        # The chunk will contain the custom data streamed from the llm
        print(chunk)
    """),
    md("""
    ## What `custom` mode is

    A node gets a **stream writer** with `get_stream_writer()`. Whatever it passes to the writer comes out
    of `graph.stream(..., stream_mode="custom")` right away, while the node is still running: the shape is
    yours (here `{"custom_llm_chunk": ...}`), and the model can be anything that yields text.

    That is the point of the page: LangGraph's `messages` mode only sees LangChain chat models, while
    `custom` mode works with any client. Modes combine; with a list you get `(mode, chunk)` pairs:
    """),
    code("""
    for mode, chunk in graph.stream({"topic": "dogs"}, stream_mode=["custom", "updates"]):
        if mode == "custom":
            print(chunk["custom_llm_chunk"], end="")
        else:
            print(f"\\n{mode}: {chunk}")
    """),
    md("""
    ## 2. The extended example: a tool that streams a completion

    The page's second example is async. It makes a module-level `AsyncOpenAI()` client, which finds the
    embedded server through the variables the first cell set. The model name is the page's; the
    embedded server answers to any name.
    """),
    code("""
    import operator
    import json

    from typing import TypedDict
    from typing_extensions import Annotated
    from livegraph.graph import StateGraph, START

    from openai import AsyncOpenAI

    openai_client = AsyncOpenAI()
    model_name = "gpt-4o-mini"


    async def stream_tokens(model_name: str, messages: list[dict]):
        response = await openai_client.chat.completions.create(
            messages=messages, model=model_name, stream=True
        )
        role = None
        async for chunk in response:
            delta = chunk.choices[0].delta

            if delta.role is not None:
                role = delta.role

            if delta.content:
                yield {"role": role, "content": delta.content}


    # this is our tool
    async def get_items(place: str) -> str:
        \"\"\"Use this tool to list items one might find in a place you're asked about.\"\"\"
        writer = get_stream_writer()
        response = ""
        async for msg_chunk in stream_tokens(
            model_name,
            [
                {
                    "role": "user",
                    "content": (
                        "Can you tell me what kind of items "
                        f"i might find in the following place: '{place}'. "
                        "List at least 3 such items separating them by a comma. "
                        "And include a brief description of each item."
                    ),
                }
            ],
        ):
            response += msg_chunk["content"]
            writer(msg_chunk)

        return response


    class State(TypedDict):
        messages: Annotated[list[dict], operator.add]


    # this is the tool-calling graph node
    async def call_tool(state: State):
        ai_message = state["messages"][-1]
        tool_call = ai_message["tool_calls"][-1]

        function_name = tool_call["function"]["name"]
        if function_name != "get_items":
            raise ValueError(f"Tool {function_name} not supported")

        function_arguments = tool_call["function"]["arguments"]
        arguments = json.loads(function_arguments)

        function_response = await get_items(**arguments)
        tool_message = {
            "tool_call_id": tool_call["id"],
            "role": "tool",
            "name": function_name,
            "content": function_response,
        }
        return {"messages": [tool_message]}


    graph = (
        StateGraph(State)
        .add_node(call_tool)
        .add_edge(START, "call_tool")
        .compile()
    )
    """),
    md("""
    Invoke it with an assistant message that calls the tool, as the page does. Jupyter runs top-level
    `async for`, so the page's loop works as written:
    """),
    code("""
    inputs = {
        "messages": [
            {
                "content": None,
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "1",
                        "function": {
                            "arguments": '{"place":"bedroom"}',
                            "name": "get_items",
                        },
                        "type": "function",
                    }
                ],
            }
        ]
    }

    async for chunk in graph.astream(
        inputs,
        stream_mode="custom",
    ):
        print(chunk["content"], end="|", flush=True)
    """),
    md("""
    The tool's answer ends up in the state as a `tool` message:
    """),
    code("""
    final = await graph.ainvoke(inputs)
    print(final["messages"][-1]["content"])
    """),
    md("""
    ## Watch it

    Printing chunks is the start. `livegraph.notebook` runs the same graph in the cell and shows it
    live: the diagram with the running node lit, and a panel that fills with the tokens as they stream.
    When the run ends, the cell keeps a static record (diagram and transcript), which a saved notebook
    shows without a kernel. It returns the final state.

    This graph is async and its `AsyncOpenAI()` client already lives on the notebook's event loop, so
    we `await lgn.arun(...)`; for other graphs, a plain `lgn.run(graph, inputs)` does the same.
    """),
    code("""
    import livegraph.notebook as lgn

    state = await lgn.arun(graph, inputs)
    """, ignore_output=True),
    md("""
    *(`# NBVAL_IGNORE_OUTPUT` tells the notebook tests not to compare that cell's output: a live view
    updates its display in place, which they do not replay. The next cell checks the result instead.)*
    """),
    code("""
    print(state["messages"][-1]["content"])
    """),
    md("""
    **Next:** [02 Any LLM](02_any_llm.ipynb) covers the OpenAI SDK, local servers and tool calls;
    [03 The live view](03_live_view.ipynb) is all about watching graphs run.
    """),
]

# ---------------------------------------------------------------------------------------------------
NOTEBOOKS["02_any_llm"] = [
    md("""
    # Any LLM

    A node can stream tokens from anything: the OpenAI SDK (sync or async), any server that speaks the
    OpenAI protocol (Ollama, vLLM, llama.cpp, LM Studio), or a plain Python iterable of text.
    `livegraph.llm` has one small helper for each, and they all feed the same two stream modes.

    | you have | in a node call | returns |
    |---|---|---|
    | `OpenAI().chat.completions.create(..., stream=True)` | `llm.stream_chat(stream)` | the assistant message |
    | the same from `AsyncOpenAI()` | `await llm.astream_chat(stream)` | the assistant message |
    | any iterable of text | `llm.stream_text(pieces)` | the text |
    | a Responses API stream (`client.responses.create`) | `llm.stream_response(stream)` | the assistant message |
    | just a prompt | `llm.chat(messages)` / `await llm.achat(messages)` | the assistant message |
    """),
    setup(0),
    md("""
    ## Where the model lives

    livegraph reads the OpenAI SDK's own variables, plus one of its own:

    - `OPENAI_BASE_URL`, `OPENAI_API_KEY`: the endpoint. With neither set, livegraph starts the embedded
      server on first use. `llm.use_embedded()` (the first cell) starts it and sets both to point at it.
    - `LIVEGRAPH_MODEL`: the model name (default `livegraph-tiny` on the embedded server).

    The embedded server is an OpenAI-compatible server like any other:
    """),
    code("""
    from openai import OpenAI

    base_url = os.environ["OPENAI_BASE_URL"]  # http://127.0.0.1:<port>/v1 for the embedded server
    local = OpenAI(base_url=base_url, api_key="anything")
    print([model.id for model in local.models.list()])
    print(llm.default_model())
    """),
    md("""
    To use a local server, set the variables **before starting Jupyter**, with `LIVEGRAPH_EMBEDDED=0` so
    that the first cell of each notebook leaves them alone:

    | server | `OPENAI_BASE_URL` | `OPENAI_API_KEY` | `LIVEGRAPH_MODEL` |
    |---|---|---|---|
    | Ollama | `http://localhost:11434/v1` | `ollama` | `llama3.2` (any pulled model) |
    | vLLM | `http://localhost:8000/v1` | `EMPTY` | the served model |
    | llama.cpp `llama-server` | `http://localhost:8080/v1` | `none` | any name |
    | LM Studio | `http://localhost:1234/v1` | `lm-studio` | the loaded model |
    | OpenAI | *(unset)* | your key | `gpt-4o-mini` (the default) |

    Or change them in a running kernel: livegraph reads them at each call. Here the embedded server plays
    Ollama's part:
    """),
    code("""
    os.environ.update(OPENAI_BASE_URL=base_url, OPENAI_API_KEY="ollama", LIVEGRAPH_MODEL="llama3.2")

    reply = llm.chat([{"role": "user", "content": "Hello!"}])
    print(llm.default_model(), "->", reply["content"])

    del os.environ["LIVEGRAPH_MODEL"]
    llm.use_embedded()  # back to the embedded model
    print(llm.default_model())
    """),
    md("""
    ## The OpenAI SDK in a node

    Make the call with `stream=True` as usual, and hand the stream to `llm.stream_chat`. It passes each
    token to the graph's stream as it arrives and returns the assembled message.
    """),
    code("""
    from typing import TypedDict

    from livegraph.graph import END, START, StateGraph

    client = llm.client()  # an openai.OpenAI; OpenAI() works too after use_embedded()


    class QA(TypedDict):
        question: str
        answer: str


    def answer(state: QA):
        stream = client.chat.completions.create(
            model=llm.default_model(),
            messages=[{"role": "user", "content": state["question"]}],
            stream=True,
        )
        reply = llm.stream_chat(stream)
        return {"answer": reply["content"]}


    qa = StateGraph(QA).add_node(answer).add_edge(START, "answer").add_edge("answer", END).compile()

    for token, metadata in qa.stream({"question": "What is streaming?"}, stream_mode="messages"):
        if token.content:  # the last chunks carry only the finish reason and token usage
            print(token.content, end="|")
    """),
    md("""
    That is `messages` mode: `(message_chunk, metadata)` pairs, as in LangGraph, but from a raw OpenAI
    client, with no LangChain involved. The chunk is a small dataclass, `livegraph.MessageChunk`
    (`content`, `role`, `id`, `tool_call_chunks`, `usage`, ...). The metadata says where it came from:
    """),
    code("""
    token, metadata = next(iter(qa.stream({"question": "What is streaming?"}, stream_mode="messages")))
    print(type(token).__name__, repr(token.content))
    print({key: metadata[key] for key in ("langgraph_node", "langgraph_step", "langgraph_triggers")})
    """),
    md("""
    ### Async

    The same with `AsyncOpenAI` and `astream_chat`, in an `async def` node. `llm.achat(messages)` is the
    shortcut for both steps (it makes the call with the configured client and streams it).
    """),
    code("""
    from openai import AsyncOpenAI

    aclient = AsyncOpenAI()


    async def answer_async(state: QA):
        stream = await aclient.chat.completions.create(
            model=llm.default_model(),
            messages=[{"role": "user", "content": state["question"]}],
            stream=True,
        )
        reply = await llm.astream_chat(stream)
        return {"answer": reply["content"]}


    qa_async = (
        StateGraph(QA).add_node("answer", answer_async).add_edge(START, "answer").add_edge("answer", END).compile()
    )

    async for token, metadata in qa_async.astream({"question": "Tell me about graphs"}, stream_mode="messages"):
        if token.content:
            print(token.content, end="|")
    """),
    md("""
    ## Any iterable of text

    A client with its own streaming interface (a local library, a websocket, a test double) only has to
    give you text pieces. `llm.stream_text` takes any iterable (`astream_text` any async iterable):
    """),
    code("""
    import time


    def my_model(prompt: str):
        \"\"\"A stand-in for any client that yields text.\"\"\"
        for word in f"You asked: {prompt}. Here is my answer, one word at a time.".split(" "):
            time.sleep(0.01)
            yield word + " "


    def echo(state: QA):
        return {"answer": llm.stream_text(my_model(state["question"]))}


    echo_graph = StateGraph(QA).add_node(echo).add_edge(START, "echo").add_edge("echo", END).compile()

    for token, _ in echo_graph.stream({"question": "why is the sky blue"}, stream_mode="messages"):
        print(token.content, end="|")
    """),
    md("""
    ## `messages` or `custom`?

    - **`messages`**: LangGraph's token stream. Every helper above writes to it. Consumers that already
      read LangGraph's `messages` mode (a chat UI, a notebook panel) keep working.
    - **`custom`**: whatever the node writes with `get_stream_writer()`. Ask a helper with `custom=True`
      and it also writes `{"role": ..., "content": ...}` per token, the shape of LangGraph's own example;
      pass a function instead to choose the shape.

    Asking for both shows the two views of one token stream:
    """),
    code("""
    def shout(state: QA):
        reply = llm.chat(
            [{"role": "user", "content": state["question"]}],
            custom=lambda piece: {"loud": piece.content.upper()} if piece.content else None,
        )
        return {"answer": reply["content"]}


    shout_graph = StateGraph(QA).add_node(shout).add_edge(START, "shout").add_edge("shout", END).compile()

    for mode, item in shout_graph.stream({"question": "Hello there"}, stream_mode=["messages", "custom"]):
        if mode == "custom":
            print(f"custom    {item}")
        elif item[0].content:
            print(f"messages  {item[0].content!r}")
    """),
    md("""
    ## Tool calls

    Pass `tools=` (OpenAI tool definitions, or plain functions: `llm.tool_schema` builds the definition
    from the signature and docstring). The model's tool calls stream in as deltas
    (`MessageChunk.tool_call_chunks`); the helper returns them assembled, with complete JSON arguments.
    The embedded model calls a tool when the question matches its description.

    A small agent: the model asks for a tool, a node runs it, the model answers with the result.
    """),
    code("""
    import json
    import operator
    from typing import Annotated, Literal


    def get_weather(city: str) -> str:
        \"\"\"Get the current weather in a city.\"\"\"
        return f"sunny and 21 degrees in {city}"


    TOOLS = {"get_weather": get_weather}


    class Chat(TypedDict):
        messages: Annotated[list[dict], operator.add]


    def agent(state: Chat):
        reply = llm.chat(state["messages"], tools=[get_weather])
        reply.pop("usage", None)  # token counts: not part of the conversation
        return {"messages": [reply]}


    def tools(state: Chat):
        results = []
        for call in state["messages"][-1]["tool_calls"]:
            name, arguments = call["function"]["name"], json.loads(call["function"]["arguments"])
            results.append({"role": "tool", "tool_call_id": call["id"], "name": name,
                            "content": TOOLS[name](**arguments)})
        return {"messages": results}


    def next_step(state: Chat) -> Literal["tools", "__end__"]:
        return "tools" if state["messages"][-1].get("tool_calls") else END


    agent_graph = (
        StateGraph(Chat)
        .add_node(agent)
        .add_node(tools)
        .add_edge(START, "agent")
        .add_conditional_edges("agent", next_step)
        .add_edge("tools", "agent")
        .compile()
    )
    agent_graph
    """),
    code("""
    question = {"messages": [{"role": "user", "content": "What is the weather in Paris?"}]}

    in_text = False
    for mode, item in agent_graph.stream(question, stream_mode=["messages", "updates"]):
        if mode == "messages":
            token, metadata = item
            for delta in token.tool_call_chunks:
                print("tool call delta:", delta)
            if token.content:
                print(token.content, end="")
                in_text = True
        else:
            print(("\\n" if in_text else "") + f"[{next(iter(item))} done]")
            in_text = False
    """),
    code("""
    final = agent_graph.invoke(question)
    for message in final["messages"]:
        print(f"{message['role']:9}", message.get("tool_calls") or message["content"])
    """),
    md("""
    **Next:** [03 The live view](03_live_view.ipynb) shows these streams as they happen.
    """),
]

# ---------------------------------------------------------------------------------------------------
NOTEBOOKS["03_live_view"] = [
    md("""
    # The live view

    `livegraph.notebook.run(graph, inputs)` runs a graph in the cell and lets you watch it:

    - the **diagram**, with the running node(s) lit in orange and finished ones in green;
    - a **status line**: step, running nodes, elapsed time, tokens per second;
    - a **panel per task** that fills with the node's streamed chunks as they arrive (parallel branches
      and `Send` workers each get their own);
    - when the run ends, a **static record** (diagram and transcript) that stays in the saved notebook.

    The embedded model streams at 80 tokens per second here, slow enough to watch.
    """),
    setup(80, """
    import livegraph.notebook as lgn
    """),
    md("""
    ## Diagrams

    A compiled graph shows itself as a diagram, drawn offline (Graphviz, bundled through the
    `graphviz-pure` package). Here is a small pipeline: research a topic, then write an intro and a
    body in parallel, then join them.
    """),
    code("""
    import operator
    from typing import Annotated, TypedDict

    from livegraph.graph import END, START, StateGraph


    class Article(TypedDict):
        topic: str
        facts: str
        sections: Annotated[list[str], operator.add]
        article: str


    def ask(prompt: str) -> str:
        return llm.chat([{"role": "user", "content": prompt}])["content"]


    def research(state: Article):
        return {"facts": ask(f"Tell me about {state['topic']}")}


    def intro(state: Article):
        return {"sections": ["Intro: " + ask(f"Tell me a joke about {state['topic']}")]}


    def body(state: Article):
        return {"sections": ["Body: " + ask("Explain streaming")]}


    def assemble(state: Article):
        return {"article": "\\n".join(sorted(state["sections"]))}


    pipeline = (
        StateGraph(Article)
        .add_node(research)
        .add_node(intro)
        .add_node(body)
        .add_node(assemble)
        .add_edge(START, "research")
        .add_edge("research", "intro")
        .add_edge("research", "body")
        .add_edge(["intro", "body"], "assemble")
        .add_edge("assemble", END)
        .compile()
    )
    pipeline
    """),
    md("""
    The drawing calls LangGraph users know work too, as text (no web service involved):
    """),
    code("""
    print(pipeline.get_graph().draw_mermaid())
    """),
    md("""
    ## Run it and watch

    Run the next cell and watch `research` light up and fill its panel, then `intro` and `body` stream
    side by side in their own panels. *(`# NBVAL_IGNORE_OUTPUT` keeps the notebook tests from comparing
    the live output, which updates in place; the cell after it checks the result.)*
    """),
    code("""
    state = lgn.run(pipeline, {"topic": "cats"})
    """, ignore_output=True),
    code("""
    print(state["article"])
    """),
    md("""
    ## `Send` fan-out: one panel per worker

    A router can return `Send(node, input)` objects to start one task per item, all in the same step.
    Each task gets its own panel: `write #1`, `write #2`, `write #3`.
    """),
    code("""
    from livegraph.types import Send


    class Notes(TypedDict):
        topics: list[str]
        notes: Annotated[list[str], operator.add]


    def plan(state: Notes):
        return {}


    def fan_out(state: Notes):
        return [Send("write", {"topic": topic}) for topic in state["topics"]]


    def write(task: dict):
        return {"notes": [ask(f"Tell me about {task['topic']}")]}


    notes = (
        StateGraph(Notes)
        .add_node(plan)
        .add_node(write)
        .add_edge(START, "plan")
        .add_conditional_edges("plan", fan_out, ["write"])
        .add_edge("write", END)
        .compile()
    )
    notes
    """),
    code("""
    state = lgn.run(notes, {"topics": ["cats", "dogs", "the ocean"]})
    """, ignore_output=True),
    code("""
    for note in state["notes"]:
        print("-", note[:60] + "...")
    """),
    md("""
    ## When a node fails

    The failing node's panel turns red and shows the error; the run's exception is raised as usual,
    after the view has recorded it.
    """),
    code("""
    def fragile(state: Notes):
        ask("Tell me about dogs")
        raise ValueError("the notes service is down")


    broken = StateGraph(Notes).add_node(fragile).add_edge(START, "fragile").compile()

    try:
        lgn.run(broken, {"topics": []})
    except ValueError as exc:
        error = exc
    """, ignore_output=True),
    code("""
    print(f"{type(error).__name__}: {error}")
    """),
    md("""
    ## Async graphs

    `run` works with `async def` nodes as well (livegraph runs them on its own event loop, so the cell
    can stay a plain call). Inside async code, `await lgn.arun(...)` runs on the notebook's loop.
    """),
    code("""
    async def haiku(state: Article):
        reply = await llm.achat([{"role": "user", "content": f"Tell me a joke about {state['topic']}"}])
        return {"article": reply["content"]}


    poet = StateGraph(Article).add_node(haiku).add_edge(START, "haiku").add_edge("haiku", END).compile()

    state = await lgn.arun(poet, {"topic": "robots"})
    """, ignore_output=True),
    code("""
    print(state["article"])
    """),
    md("""
    ## Your own loop: `Panel` and `RunView`

    `run` is a convenience. A `Panel` is a text panel you feed yourself, from any `graph.stream(...)` loop.
    It appends each chunk in place: text as text (message chunks, `{"custom_llm_chunk": ...}`,
    `{"role", "content"}` dicts), anything else as one compact line.
    """),
    code("""
    from IPython.display import display


    def tell(state: Article):
        return {"facts": ask(f"Tell me about {state['topic']}")}


    teller = StateGraph(Article).add_node(tell).add_edge(START, "tell").add_edge("tell", END).compile()

    panel = lgn.Panel("tell")
    display(panel)
    for mode, chunk in teller.stream({"topic": "the ocean"}, stream_mode=["messages", "updates"]):
        panel.append(chunk)
    """),
    code("""
    print(panel.text)
    """),
    md("""
    One panel shows one stream: tokens from parallel nodes would interleave in it. That is why the
    run view opens a panel per task.
    """),
    md("""
    A `RunView` is the whole view. Feed it livegraph's `events` stream (every task start, chunk, end and
    error, attributed to its task) and it does the rest; `record_bundle()` is the record it leaves.
    """),
    code("""
    view = lgn.RunView(notes)
    display(view)
    with view:
        for event in notes.stream({"topics": ["graphs", "streaming"]}, stream_mode="events"):
            view.feed(event)
    """, ignore_output=True),
    code("""
    print(view.record_bundle()["text/plain"])
    """),
    md("""
    Outside Jupyter (a script, a terminal), `lgn.run` prints the same run as plain text instead.

    **Next:** [04 Routing and control](04_routing_and_control.ipynb).
    """),
]

# ---------------------------------------------------------------------------------------------------
NOTEBOOKS["04_routing_and_control"] = [
    md("""
    # Routing and control

    How a graph decides what runs next: conditional edges, `Send` for map-reduce, `Command` to update and
    jump in one go, and subgraphs. Then what livegraph says when something is wrong.
    """),
    setup(0, """
    import operator
    from typing import Annotated, Literal, TypedDict

    from livegraph.graph import END, START, StateGraph
    from livegraph.types import Command, Send
    """),
    md("""
    ## Conditional edges

    A router reads the state and names the next node. A `Literal` return type (or a `path_map`) tells
    the diagram where it may go: those edges are drawn dashed.
    """),
    code("""
    class Ticket(TypedDict):
        text: str
        route: str
        reply: str


    def classify(state: Ticket):
        return {"route": "refund" if "money back" in state["text"] else "question"}


    def refund(state: Ticket):
        return {"reply": "A refund is on its way."}


    def question(state: Ticket):
        answer = llm.chat([{"role": "user", "content": state["text"]}])
        return {"reply": answer["content"]}


    def by_route(state: Ticket) -> Literal["refund", "question"]:
        return state["route"]


    support = (
        StateGraph(Ticket)
        .add_node(classify)
        .add_node(refund)
        .add_node(question)
        .add_edge(START, "classify")
        .add_conditional_edges("classify", by_route)
        .add_edge("refund", END)
        .add_edge("question", END)
        .compile()
    )
    support
    """),
    code("""
    for text in ["I want my money back", "Tell me about graphs"]:
        print(support.invoke({"text": text})["reply"])
    """),
    md("""
    `stream_mode="updates"` shows the path taken, one node at a time:
    """),
    code("""
    for update in support.stream({"text": "I want my money back"}, stream_mode="updates"):
        print(update)
    """),
    md("""
    ## Map-reduce with `Send`

    When the number of branches depends on the data, the router returns `Send(node, input)` objects:
    one task per item, all in the same step, each with its own input. A reducer
    (`Annotated[list, operator.add]`) collects their results.
    """),
    code("""
    class Review(TypedDict):
        places: list[str]
        findings: Annotated[list[str], operator.add]
        summary: str


    def per_place(state: Review):
        return [Send("inspect", {"place": place}) for place in state["places"]]


    def inspect(task: dict):
        answer = llm.chat([{"role": "user", "content": f"What items are in the {task['place']}?"}])
        return {"findings": [answer["content"]]}


    def summarize(state: Review):
        return {"summary": f"{len(state['findings'])} places inspected"}


    review = (
        StateGraph(Review)
        .add_node(inspect)
        .add_node(summarize)
        .add_conditional_edges(START, per_place, ["inspect"])
        .add_edge("inspect", "summarize")
        .add_edge("summarize", END)
        .compile()
    )
    result = review.invoke({"places": ["kitchen", "garage", "garden"]})
    print(result["summary"])
    for finding in result["findings"]:
        print("-", finding)
    """),
    md("""
    ## `Command`: update and go

    A node can return `Command(update=..., goto=...)` to change the state and choose the next node in one
    value, with no router. Declare where it may go (`destinations=`) so the diagram can draw it.
    """),
    code("""
    class Counter(TypedDict):
        count: int
        trail: Annotated[list[str], operator.add]


    def decide(state: Counter):
        if state["count"] >= 3:
            return Command(update={"trail": ["decide: stop"]}, goto=END)
        return Command(update={"trail": [f"decide: {state['count']}"]}, goto="increment")


    def increment(state: Counter):
        return {"count": state["count"] + 1, "trail": ["increment"]}


    loop = (
        StateGraph(Counter)
        .add_node(decide, destinations=("increment", END))
        .add_node(increment)
        .add_edge(START, "decide")
        .add_edge("increment", "decide")
        .compile()
    )
    print(loop.invoke({"count": 1})["trail"])
    loop
    """),
    md("""
    ## Subgraphs

    A compiled graph can be a node of another. The parent passes the keys they share and takes back the
    subgraph's result. `subgraphs=True` streams from inside it too: each item is tagged with a namespace,
    `()` for the parent graph, `("node:<task id>",)` inside the subgraph.
    """),
    code("""
    class Draft(TypedDict):
        topic: str
        text: str


    def draft(state: Draft):
        return {"text": llm.chat([{"role": "user", "content": f"Tell me about {state['topic']}"}])["content"]}


    def trim(state: Draft):
        return {"text": state["text"].split(". ")[0] + "."}


    writer = StateGraph(Draft).add_sequence([draft, trim]).add_edge(START, "draft").compile(name="writer")


    def publish(state: Draft):
        return {"text": state["text"].upper()}


    newsroom = (
        StateGraph(Draft)
        .add_node("writer", writer)
        .add_node(publish)
        .add_edge(START, "writer")
        .add_edge("writer", "publish")
        .add_edge("publish", END)
        .compile()
    )

    for namespace, update in newsroom.stream({"topic": "dogs"}, stream_mode="updates", subgraphs=True):
        print(namespace, update)
    """),
    md("""
    With `xray=True`, the live view draws the subgraph expanded, and lights its inner nodes as they run:
    """),
    code("""
    import livegraph.notebook as lgn

    state = lgn.run(newsroom, {"topic": "cats"}, xray=True)
    """, ignore_output=True),
    code("""
    print(state["text"])
    """),
    md("""
    ## Errors, and what they say

    livegraph's errors name the node, the key or the edge involved and say how to fix it. They keep
    LangGraph's classes (`InvalidUpdateError`, `GraphRecursionError`, ...), so existing `except` clauses
    still work.

    **Building.** `compile()` checks the whole graph and lists every problem at once:
    """),
    code("""
    def noop(state: Counter):
        return {}


    try:
        (
            StateGraph(Counter)
            .add_node(noop)
            .add_edge(START, "noop")
            .add_edge("noop", "nope")
            .add_edge("oops", END)
            .compile()
        )
    except ValueError as exc:
        print(f"{type(exc).__name__}: {exc}")
    """),
    md("""
    **Two writers, one key.** Parallel nodes writing a key that has no reducer:
    """),
    code("""
    def left(state: Counter):
        return {"count": 1}


    def right(state: Counter):
        return {"count": 2}


    clash = (
        StateGraph(Counter).add_node(left).add_node(right)
        .add_edge(START, "left").add_edge(START, "right").compile()
    )
    try:
        clash.invoke({"count": 0})
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}")
    """),
    md("""
    **A loop that never ends** stops at `recursion_limit` (as in LangGraph: 10007 supersteps by default, or
    `LANGGRAPH_DEFAULT_RECURSION_LIMIT`); the last step it allows runs in full, then the run raises:
    """),
    code("""
    forever = (
        StateGraph(Counter).add_node(increment)
        .add_edge(START, "increment").add_edge("increment", "increment").compile()
    )
    try:
        forever.invoke({"count": 0}, {"recursion_limit": 5})
    except RecursionError as exc:
        print(f"{type(exc).__name__}: {exc}")
    """),
    md("""
    **A router that names an unknown node**, and **a node that returns the wrong thing**:
    """),
    code("""
    lost = (
        StateGraph(Ticket).add_node(classify).add_edge(START, "classify")
        .add_conditional_edges("classify", lambda state: "refunds").compile()
    )
    try:
        lost.invoke({"text": "I want my money back"})
    except ValueError as exc:
        print(f"{type(exc).__name__}: {exc}")


    def sloppy(state: Counter):
        return state["count"] + 1


    try:
        StateGraph(Counter).add_node(sloppy).add_edge(START, "sloppy").compile().invoke({"count": 0})
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}")
    """),
    md("""
    **An error inside a node** comes out as itself, with a note saying which task raised it:
    """),
    code("""
    def divide(state: Counter):
        return {"count": 10 // state["count"]}


    try:
        StateGraph(Counter).add_node(divide).add_edge(START, "divide").compile().invoke({"count": 0})
    except ZeroDivisionError as exc:
        print(f"{type(exc).__name__}: {exc}")
        print(*exc.__notes__, sep="\\n")
    """),
    md("""
    **An LLM stream that breaks** fails the node with one `LLMStreamError` naming the node and the model;
    what streamed before the break is kept on it. The embedded model can act out faults on request:
    """),
    code("""
    llm.use_embedded([llm.Fault("drop", after=4)], tokens_per_second=0)  # the next reply breaks off

    try:
        support.invoke({"text": "Tell me about graphs"})
    except llm.LLMStreamError as exc:
        print(f"{type(exc).__name__}: {exc}")
        print("partial text:", repr(exc.partial_text))
    """),
    md("""
    **Next:** [05 People in the loop](05_people_in_the_loop.ipynb).
    """),
]

# ---------------------------------------------------------------------------------------------------
NOTEBOOKS["05_people_in_the_loop"] = [
    md("""
    # People in the loop

    A graph can stop and wait for a person. Inside a node, `interrupt(value)` pauses the run and hands
    `value` to whoever is running it; `Command(resume=answer)` carries on, and `interrupt()` returns the
    answer. To wait, the run must be kept somewhere: a **checkpointer** saves the state after every step,
    per thread (`{"configurable": {"thread_id": ...}}`). Here it is SQLite, one file in a temporary folder.
    """),
    setup(0, """
    import tempfile
    from pathlib import Path
    from typing import TypedDict

    from livegraph.checkpoint.sqlite import SqliteSaver
    from livegraph.graph import END, START, StateGraph
    from livegraph.types import Command, interrupt

    workdir = Path(tempfile.mkdtemp(prefix="livegraph-"))
    saver = SqliteSaver(workdir / "checkpoints.db")
    """),
    md("""
    ## A graph that asks before it publishes

    `write` drafts a post with the model, `review` shows the draft to a person, `publish` publishes it.
    The person can approve, edit or reject.
    """),
    code("""
    class Post(TypedDict):
        topic: str
        draft: str
        post: str


    def write(state: Post):
        reply = llm.chat([{"role": "user", "content": f"Tell me about {state['topic']}"}])
        return {"draft": reply["content"]}


    def review(state: Post):
        answer = interrupt(state["draft"])  # the run stops here until someone answers
        if answer["action"] == "reject":
            return Command(goto=END)
        return Command(update={"draft": answer.get("value", state["draft"])}, goto="publish")


    def publish(state: Post):
        return {"post": "PUBLISHED: " + state["draft"]}


    builder = (
        StateGraph(Post)
        .add_node(write)
        .add_node(review, destinations=("publish", END))
        .add_node(publish)
        .add_edge(START, "write")
        .add_edge("write", "review")
        .add_edge("publish", END)
    )
    graph = builder.compile(checkpointer=saver)
    graph
    """),
    md("""
    ## Stop, look, resume

    The run stops at `review`. Its result says why, under `__interrupt__`, and the thread's state says
    what runs next:
    """),
    code("""
    config = {"configurable": {"thread_id": "post-1"}}

    result = graph.invoke({"topic": "cats"}, config)
    waiting = result["__interrupt__"][0]
    print("waiting with:", waiting.value)
    print("next:", graph.get_state(config).next)
    """),
    md("""
    Answer with `Command(resume=...)` on the same thread. The node runs again from its start, and this
    time `interrupt()` returns the answer:
    """),
    code("""
    result = graph.invoke(Command(resume={"action": "edit", "value": "Cats purr when they are content."}), config)
    print(result["post"])
    """),
    md("""
    ## Answer in the cell

    In a notebook you can answer with the mouse. Run the graph with the live view: it stops at the
    interrupt and shows the draft under the view with **Approve**, **Edit & resume** and **Reject**; a
    click resumes the run, which streams on under the form.
    """),
    code("""
    import livegraph.notebook as lgn
    from livegraph.notebook import resume_form

    config = {"configurable": {"thread_id": "post-2"}}
    state = lgn.run(graph, {"topic": "dogs"}, config)
    """, ignore_output=True),
    md("""
    Change the text and click **Edit & resume** (or **Approve**). So that the notebook also runs from top
    to bottom without you, the next cell does what that click does: `resume_form(graph, config)` hands out
    the form shown above (or a new one, in a cell of its own, when there is none). After a click of yours
    it does nothing.
    """),
    code("""
    form = resume_form(graph, config)
    draft = form.forms[0]
    if not draft.answered:
        draft.text.value = "Dogs read human gestures remarkably well."
        draft.buttons["edit"].click()
    print(form.phase)
    """),
    code("""
    print(graph.get_state(config).values["post"])
    """),
    md("""
    What a button sends is `{"action": "approve", "value": ...}`, `{"action": "edit", "value": ...}` or
    `{"action": "reject"}`: the `review` node above reads exactly that. Pass `to_answer=` to
    `resume_form` to send something else.

    ## History

    The checkpointer kept every step of the thread. `get_state_history` lists them, newest first:
    """),
    code("""
    for snapshot in graph.get_state_history(config):
        meta = snapshot.metadata
        print(f"step {meta['step']}  {meta['source']:6} wrote {list(meta['writes'])!s:14} next {snapshot.next}")
    """),
    md("""
    ## Time travel

    Any checkpoint can be a starting point. Take the one where `review` was about to run, give it another
    draft (`update_state` writes as if `write` had returned it), and run on from there: the thread forks,
    and `review` asks again, about the new draft.
    """),
    code("""
    before_review = next(s for s in graph.get_state_history(config) if s.next == ("review",))

    new_draft = {"draft": "Dogs can smell far better than we can."}
    fork = graph.update_state(before_review.config, new_draft, as_node="write")
    result = graph.invoke(None, fork)
    print("waiting with:", result["__interrupt__"][0].value)

    result = graph.invoke(Command(resume={"action": "approve"}), config)
    print(result["post"])
    """),
    md("""
    ## Replay

    `replay` steps through a thread with a slider: the diagram lights the node that ran at each step,
    and the panel side shows what the step did and the state after it.
    """),
    code("""
    from livegraph.notebook import replay

    steps = replay(graph, config)
    steps
    """),
    code("""
    for step in steps.steps:
        print(f"step {step.step}  {step.source:6} {', '.join(step.nodes):10} -> {', '.join(step.next) or 'end'}")
    """),
    md("""
    ## It is all in the file

    SQLite keeps the checkpoints in one file, so another saver on that file (another process, tomorrow)
    finds the thread where it was:
    """),
    code("""
    reopened = builder.compile(checkpointer=SqliteSaver(workdir / "checkpoints.db"))
    print(reopened.get_state(config).values["post"])
    print(sorted(path.name for path in workdir.iterdir()))
    """),
    md("""
    For quick experiments, `livegraph.checkpoint.memory.InMemorySaver()` does the same in memory.
    `compile(interrupt_before=["publish"])` (or `interrupt_after=`) stops before or after a node without
    touching its code.

    Done: close the savers and remove the temporary folder.
    """),
    code("""
    import shutil

    saver.close()
    reopened.checkpointer.close()
    shutil.rmtree(workdir)
    """),
    md("""
    **Next:** [06 Coming from LangGraph](06_coming_from_langgraph.ipynb).
    """),
]

# ---------------------------------------------------------------------------------------------------
NOTEBOOKS["06_coming_from_langgraph"] = [
    md("""
    # Coming from LangGraph

    livegraph implements LangGraph's `StateGraph` API, under the same module paths (`.graph`, `.types`,
    `.config`, `.errors`, `.runtime`). Moving a graph over usually means changing the imports:

    ```diff
    - from langgraph.graph import StateGraph, START, END
    - from langgraph.types import Send, Command, interrupt
    - from langgraph.checkpoint.memory import InMemorySaver
    + from livegraph.graph import StateGraph, START, END
    + from livegraph.types import Send, Command, interrupt
    + from livegraph.checkpoint.memory import InMemorySaver
    ```

    Then you get what LangGraph does not have: an event stream that says who wrote each chunk, the live
    view, an offline model, sync calls on async graphs in Jupyter, and a warning when an async node
    blocks the event loop.
    """),
    setup(0),
    md("""
    ## A LangGraph graph, moved over

    A typical LangGraph program: a typed state with a reducer, a planner fanning out with `Send`, workers
    writing with `get_stream_writer()`, a join. Apart from the imports, nothing below is specific to
    livegraph.
    """),
    code("""
    import operator
    from typing import Annotated, TypedDict

    from livegraph.config import get_stream_writer
    from livegraph.graph import END, START, StateGraph
    from livegraph.types import Send


    class Trip(TypedDict):
        city: str
        stops: list[str]
        plans: Annotated[list[str], operator.add]
        itinerary: str


    def plan_stops(state: Trip):
        return {"stops": ["museum", "market"]}


    def visit_each(state: Trip):
        return [Send("visit", {"city": state["city"], "stop": stop}) for stop in state["stops"]]


    def visit(task: dict):
        writer = get_stream_writer()
        for step in ("walk", "look", "leave"):
            writer({"step": step})
        return {"plans": [f"{task['stop']} in {task['city']}"]}


    def itinerary(state: Trip):
        return {"itinerary": " -> ".join(state["plans"])}


    trip = (
        StateGraph(Trip)
        .add_node(plan_stops)
        .add_node(visit)
        .add_node(itinerary)
        .add_edge(START, "plan_stops")
        .add_conditional_edges("plan_stops", visit_each, ["visit"])
        .add_edge("visit", "itinerary")
        .add_edge("itinerary", END)
        .compile()
    )

    print(trip.invoke({"city": "Lisbon"})["itinerary"])
    print(len(list(trip.stream({"city": "Lisbon"}, stream_mode="custom"))), "custom chunks")
    """),
    md("""
    Everything LangGraph streams is there: `values`, `updates`, `custom`, `messages`, `tasks`, `debug`,
    several at once, `subgraphs=True`, and `version="v2"` dicts.

    ## 1. Who wrote that chunk? The `events` stream

    Those six `custom` chunks say nothing of who wrote them: the two `visit` workers run at once, and
    their `{"step": ...}` chunks arrive mixed. livegraph's `events` mode attributes everything (task
    starts and ends, chunks, messages, errors) to its task. Each `Event` has `kind`, `node`, `task_id`,
    `step`, `ns` (the subgraph path), `time` and `data`. The live view is built on it.
    """),
    code("""
    workers, written = {}, {}
    for event in trip.stream({"city": "Lisbon"}, stream_mode="events"):
        if event.kind == "task_start" and event.node == "visit":
            workers[event.task_id] = f"visit({event.data['input']['stop']})"
        elif event.kind == "chunk":
            written.setdefault(workers[event.task_id], []).append(event.data["step"])

    for worker in sorted(written):
        print(worker, "wrote", written[worker])
    """),
    md("""
    ## 2. Watch it run

    `livegraph.notebook.run` shows the diagram with the running nodes lit and a panel per task
    (see [03 The live view](03_live_view.ipynb)).
    """),
    code("""
    import livegraph.notebook as lgn

    state = lgn.run(trip, {"city": "Lisbon"})
    """, ignore_output=True),
    code("""
    print(state["itinerary"])
    """),
    md("""
    ## 3. A model that needs no network

    LangGraph's `messages` mode streams tokens only from LangChain chat models. livegraph streams them
    from the OpenAI SDK, any OpenAI-compatible server, or any iterable (see [02 Any LLM](02_any_llm.ipynb)),
    and ships an embedded offline model, so this works on a train:
    """),
    code("""
    class Question(TypedDict):
        question: str
        answer: str


    def answer(state: Question):
        return {"answer": llm.chat([{"role": "user", "content": state["question"]}])["content"]}


    qa = StateGraph(Question).add_node(answer).add_edge(START, "answer").add_edge("answer", END).compile()

    for token, metadata in qa.stream({"question": "Tell me a joke about graphs"}, stream_mode="messages"):
        if token.content:
            print(token.content, end="|")
    """),
    md("""
    ## 4. Sync calls on async graphs, in Jupyter

    In LangGraph, a graph with an `async def` node must be run with `ainvoke` / `astream`, and
    `asyncio.run` fails inside Jupyter (the notebook's own loop is already running). livegraph's
    `invoke` and `stream` work on async graphs everywhere, including a cell: they run the graph on a
    background event loop and stream its output back live.
    """),
    code("""
    async def answer_async(state: Question):
        reply = await llm.achat([{"role": "user", "content": state["question"]}])
        return {"answer": reply["content"]}


    qa_async = (
        StateGraph(Question)
        .add_node("answer", answer_async)
        .add_edge(START, "answer")
        .add_edge("answer", END)
        .compile()
    )

    print(qa_async.invoke({"question": "What is streaming?"})["answer"])
    """),
    md("""
    `await qa_async.ainvoke(...)` works as well. One caveat for async clients you make yourself: a client
    such as `AsyncOpenAI()` keeps its connections on the event loop that first used it, so use one client
    per loop, or `llm.achat`, which does that for you.

    ## 5. A warning when an async node blocks the loop

    An `async def` node that calls blocking code (`time.sleep`, a sync HTTP client) freezes the event loop:
    nothing streams until it awaits, then everything arrives at once. LangGraph stays silent; livegraph
    warns, naming the node, and adds a `loop_blocked` event to the `events` stream:
    """),
    code("""
    import time
    import warnings


    async def slow_lookup(state: Question):
        time.sleep(0.8)  # blocking! use `await asyncio.sleep(...)` or a plain `def` node
        return {"answer": "42"}


    slow = StateGraph(Question).add_node(slow_lookup).add_edge(START, "slow_lookup").compile()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for event in slow.stream({"question": "?"}, stream_mode="events"):
            if event.kind == "loop_blocked":
                print(f"event: loop_blocked by `{event.node}`")

    for warning in caught:
        print(f"{warning.category.__name__}: {warning.message}")
    """),
    md("""
    (`catch_warnings` only collects the warning to print it here; without it, it shows as a normal
    warning in the cell.)

    ## 6. Errors that say what to do

    Errors keep LangGraph's classes and add the node, the key and a fix to the message:
    """),
    code("""
    def a(state: Trip):
        return {"itinerary": "a"}


    def b(state: Trip):
        return {"itinerary": "b"}


    both = StateGraph(Trip).add_node(a).add_node(b).add_edge(START, "a").add_edge(START, "b").compile()
    try:
        both.invoke({"city": "Lisbon"})
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}")
    """),
    md("""
    ## What is different

    - No LangChain: messages are plain OpenAI-style dicts, and `messages` mode yields
      `livegraph.MessageChunk` dataclasses (LangChain's `AIMessageChunk` in shape: `content`, `id`,
      `tool_call_chunks`, `usage`, `response_metadata`).
    - The engine uses only the standard library; the model, diagrams and notebook views are extras.
    - LangGraph Platform pieces (the server, the SDK client, LangSmith) are not part of livegraph.
    """),
]


# ---------------------------------------------------------------------------------------------------


def build(name: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nb.cells = NOTEBOOKS[name]
    for index, cell in enumerate(nb.cells):
        cell.id = f"{name[:2]}-{index:02d}"
    return nb


_MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")


def prune_widget_state(nb: nbformat.NotebookNode) -> None:
    """Keep only the widget models that outputs still show (and the models they refer to): views that were
    replaced by their static record leave dead entries behind in the state nbclient saves."""
    widgets = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
    if not widgets:
        return
    state = widgets["state"]
    todo = [
        out["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]
    keep: set[str] = set()
    while todo:
        model_id = todo.pop()
        if model_id in keep or model_id not in state:
            continue
        keep.add(model_id)
        todo.extend(_MODEL_REF.findall(json.dumps(state[model_id])))
    widgets["state"] = {k: v for k, v in state.items() if k in keep}
    if not widgets["state"]:
        del nb.metadata["widgets"]


def execute(nb: nbformat.NotebookNode) -> float:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    start = time.monotonic()
    try:
        NotebookClient(
            nb, timeout=120, kernel_name="python3", record_timing=False, resources={"metadata": {"path": str(HERE)}}
        ).execute()
    except CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
        raise SystemExit(f"{plain[:1500]}\n...\n{plain[-1500:]}") from None
    seconds = time.monotonic() - start
    prune_widget_state(nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                # Saved as the reference, a stray warning or traceback would fail every later test run.
                raise SystemExit(f"cell {cell.id} wrote to stderr; not saving:\n{out['text'][:2000]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", action="store_true", help="run each notebook and save its outputs")
    parser.add_argument("only", nargs="*", help="build only notebooks whose name contains one of these")
    args = parser.parse_args()
    for name in NOTEBOOKS:
        if args.only and not any(part in name for part in args.only):
            continue
        nb = build(name)
        path = HERE / f"{name}.ipynb"
        if args.execute:
            seconds = execute(nb)
            print(f"{path.name}: ran in {seconds:.1f} s", flush=True)
        nbformat.validate(nb)
        nbformat.write(nb, path)
        if not args.execute:
            print(f"{path.name}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
