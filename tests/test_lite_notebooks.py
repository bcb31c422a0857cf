"""The JupyterLite edition of the notebooks (scripts/lite_notebooks.py): only the calls that must change do."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from lite_notebooks import INSTALL, LEFT_OUT, NOTE, convert  # noqa: E402

CELLS = [
    '''def ask(prompt):
    return llm.chat([{"role": "user", "content": prompt}])["content"]


def research(state):
    return {"facts": "Facts: " + ask(state["topic"])}


def words(state):
    yield from state["topic"].split()


def plain(state):
    return {"facts": "none"}


builder = StateGraph(S).add_node(research)
builder.add_edge(START, "research")
graph = builder.compile()
other = StateGraph(S).add_node(plain).compile()''',
    '''state = lgn.run(graph, {"topic": "cats"})
print(graph.invoke({"topic": "dogs"})["facts"])
for chunk in graph.stream({"topic": "owls"}):
    print(chunk)
first = next(iter(graph.stream({"topic": "owls"})))
print(other.invoke({"topic": "x"}))''',
    "%pip install something",
]

EXPECTED = [
    '''async def ask(prompt):
    return (await llm.achat([{"role": "user", "content": prompt}]))["content"]


async def research(state):
    return {"facts": "Facts: " + await ask(state["topic"])}


def words(state):
    yield from state["topic"].split()


def plain(state):
    return {"facts": "none"}


builder = StateGraph(S).add_node(research)
builder.add_edge(START, "research")
graph = builder.compile()
other = StateGraph(S).add_node(plain).compile()''',
    '''state = await lgn.arun(graph, {"topic": "cats"})
print((await graph.ainvoke({"topic": "dogs"}))["facts"])
async for chunk in graph.astream({"topic": "owls"}):
    print(chunk)
first = next(iter([_c async for _c in graph.astream({"topic": "owls"})]))
print(other.invoke({"topic": "x"}))''',
    "%pip install something",
]


def test_the_edition_awaits_what_calls_the_model_and_nothing_else() -> None:
    notebook = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [{"x": 1}], "execution_count": 3}
                  for s in CELLS],
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    out = convert(notebook)
    assert [c["source"] for c in out["cells"]] == [NOTE, INSTALL, *EXPECTED]
    assert [(c.get("outputs"), c.get("execution_count")) for c in out["cells"][2:]] == [([], None)] * 3
    assert out["metadata"]["kernelspec"] == {"name": "python", "display_name": "Python (Pyodide)",
                                             "language": "python"}


def test_cells_tagged_not_in_lite_give_way_to_one_line_that_says_so() -> None:
    def cell(kind: str, source: str, *tags: str) -> dict[str, Any]:
        extra = {"outputs": [], "execution_count": None} if kind == "code" else {}
        return {"cell_type": kind, "metadata": {"tags": list(tags)} if tags else {}, "source": source, **extra}

    notebook = {"cells": [
        cell("code", "x = 1"),
        cell("markdown", "## LangChain", "not-in-lite"),
        cell("code", "from langchain_openai import ChatOpenAI", "not-in-lite"),
        cell("code", "agent = ...", "nbval-ignore-output", "not-in-lite"),
        cell("markdown", "## After"),
    ], "metadata": {}}
    out = convert(notebook)["cells"]
    assert [(c["cell_type"], c["source"]) for c in out] == [
        ("markdown", NOTE),
        ("code", INSTALL),
        ("code", "x = 1"),
        ("markdown", LEFT_OUT),
        ("markdown", "## After"),
    ]
