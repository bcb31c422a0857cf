"""The JupyterLite edition of the workshop notebooks: the same notebooks, with only the calls that must change.

    python scripts/lite_notebooks.py SOURCE_DIR OUT_DIR

Pyodide starts no thread, so a sync call cannot stream while a node waits for the model, and a sync call on a
graph with async nodes fails. The edition therefore (from the notebooks' Python, whatever tool wrote them):
- makes every plain `def` that calls `llm.chat(...)` an `async def` that awaits `llm.achat(...)`, and so on up
  through the functions that call those (generators are left alone);
- awaits the graphs that now have an async node (or had one): `G.invoke(...)` -> `await G.ainvoke(...)`,
  `for x in G.stream(...)` -> `async for x in G.astream(...)`, any other `G.stream(...)` -> a list of
  `G.astream(...)`; `lgn.run(...)` -> `await lgn.arun(...)`, so the live view refreshes while nodes await;
- opens with a cell that installs livegraph from the site (`%pip install`, served by the site itself).
Notebooks that need what Pyodide lacks (LangGraph itself) are left out and listed; so are cells tagged
`not-in-lite` (a section that needs LangChain's OpenAI client), replaced by a line that says so.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

NOT_IN_LITE = "not-in-lite"
LEFT_OUT = (
    "*Left out of the JupyterLite edition: this part needs LangChain's OpenAI client (`langchain-openai`), "
    "which the site does not ship. It runs as it is in JupyterLab.*"
)
SKIP = {"07_watch_your_langgraph_graph.ipynb": "needs LangGraph and LangChain, which the site does not ship"}
INSTALL = "%pip install -q livegraph openai anywidget ipywidgets"
NOTE = (
    "*JupyterLite edition*: this notebook runs in your browser (Pyodide), with no install and no server. It "
    "was generated from the workshop notebook: nodes that call the model are `async def` and graphs run with "
    "`await`, because Pyodide has no threads. The first cell installs livegraph from this site."
)
FLAGS = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def _parse(source: str) -> ast.Module | None:
    try:
        tree: ast.Module = compile(source, "<cell>", "exec", flags=FLAGS)
        return tree
    except SyntaxError:  # magics and shell escapes: left as they are
        return None


def _is_llm_chat(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "chat"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "llm")


def _called_names(fn: ast.AST) -> set[str]:
    return {n.func.id for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def _is_generator(fn: ast.FunctionDef) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in ast.walk(fn))


class Plan:
    """What becomes async, decided over the whole notebook (a function defined in one cell is called in others)."""

    def __init__(self, trees: list[ast.Module]) -> None:
        defs = [n for t in trees for n in t.body if isinstance(n, ast.FunctionDef) and not _is_generator(n)]
        self.functions = {d.name for d in defs if any(_is_llm_chat(n) for n in ast.walk(d))}
        while True:
            more = {d.name for d in defs if _called_names(d) & self.functions} - self.functions
            if not more:
                break
            self.functions |= more
        asyncs = {n.name for t in trees for n in t.body if isinstance(n, ast.AsyncFunctionDef)}
        assigned = [(n.targets[0].id, n.value) for t in trees for n in t.body
                    if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)]
        # `builder.add_node(write)` as a statement: `builder` is built with `write` (and so is its compile()).
        assigned += [(_receiver(n.value), n.value) for t in trees for n in t.body
                     if isinstance(n, ast.Expr) and _receiver(n.value)]
        self.graphs: set[str] = set()
        while True:
            marked = self.functions | asyncs | self.graphs
            more = {name for name, value in assigned if _builds_graph(value) and _names(value) & marked}
            more -= self.graphs
            if not more:
                break
            self.graphs |= more


def _builds_graph(value: ast.AST) -> bool:
    text = ast.unparse(value)
    return "compile" in text or "add_node" in text


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _receiver(node: ast.AST) -> str:
    """`builder` for `builder.add_node(...)...` (the name a chain of method calls starts from), else ""."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    return node.id if isinstance(node, ast.Name) else ""


def convert_cell(source: str, plan: Plan) -> str:
    tree = _parse(source)
    if tree is None:
        return source
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def at(lineno: int, col: int) -> int:
        return starts[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode())

    edits: list[tuple[int, int, str]] = []  # (offset, how many characters to replace, by what)

    # `await` binds tighter than operators but looser than `.attr`, `[key]` and `(...)` after it.
    tight = {id(n.value) for n in ast.walk(tree) if isinstance(n, (ast.Attribute, ast.Subscript))}
    tight |= {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}

    def wrap_await(call: ast.Call) -> None:
        if id(call) not in tight:
            edits.append((at(call.lineno, call.col_offset), 0, "await "))
            return
        edits.append((at(call.lineno, call.col_offset), 0, "(await "))
        edits.append((at(call.end_lineno or call.lineno, call.end_col_offset or 0), 0, ")"))

    def rename(call: ast.Call, new: str) -> None:
        func = call.func
        assert isinstance(func, ast.Attribute)
        end = at(func.end_lineno or func.lineno, func.end_col_offset or 0)
        edits.append((end - len(func.attr), len(func.attr), new))

    def visit(node: ast.AST, top: bool, for_iter: ast.AST | None = None) -> None:
        if isinstance(node, ast.FunctionDef) and node.name in plan.functions:
            edits.append((at(node.lineno, node.col_offset), 0, "async "))
        inside = top and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        if isinstance(node, ast.For) and inside and _graph_call(node.iter, plan, "stream"):
            edits.append((at(node.lineno, node.col_offset), 0, "async "))
            assert isinstance(node.iter, ast.Call)
            rename(node.iter, "astream")
            for_iter = node.iter
        if isinstance(node, ast.Call):
            if _is_llm_chat(node):
                rename(node, "achat")
                wrap_await(node)
            elif isinstance(node.func, ast.Name) and node.func.id in plan.functions:
                wrap_await(node)
            elif top and _graph_call(node, plan, "invoke"):
                rename(node, "ainvoke")
                wrap_await(node)
            elif top and node is not for_iter and _graph_call(node, plan, "stream"):
                rename(node, "astream")
                edits.append((at(node.lineno, node.col_offset), 0, "[_c async for _c in "))
                edits.append((at(node.end_lineno or node.lineno, node.end_col_offset or 0), 0, "]"))
            elif top and isinstance(node.func, ast.Attribute) and node.func.attr == "run" and \
                    isinstance(node.func.value, ast.Name) and node.func.value.id == "lgn":
                rename(node, "arun")
                wrap_await(node)
        for child in ast.iter_child_nodes(node):
            visit(child, inside, for_iter)

    visit(tree, True)
    out = source
    for offset, length, text in sorted(edits, key=lambda e: e[0], reverse=True):
        out = out[:offset] + text + out[offset + length:]
    return out


def _graph_call(node: ast.AST, plan: Plan, method: str) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method
            and isinstance(node.func.value, ast.Name) and node.func.value.id in plan.graphs)


def convert(notebook: dict) -> dict:  # type: ignore[type-arg]
    cells = notebook["cells"]
    sources = ["".join(c["source"]) for c in cells]
    trees = [t for c, s in zip(cells, sources) if c["cell_type"] == "code" and (t := _parse(s)) is not None]
    plan = Plan(trees)
    converted = []
    for cell, source in zip(cells, sources):
        if NOT_IN_LITE in cell.get("metadata", {}).get("tags", []):
            if not converted or converted[-1].get("source") != LEFT_OUT:
                converted.append({"cell_type": "markdown", "metadata": {}, "source": LEFT_OUT})
            continue
        if cell["cell_type"] == "code":
            cell = {**cell, "source": convert_cell(source, plan), "outputs": [], "execution_count": None}
        converted.append(cell)
    head = [
        {"cell_type": "markdown", "metadata": {}, "source": NOTE},
        {"cell_type": "code", "metadata": {}, "source": INSTALL, "outputs": [], "execution_count": None},
    ]
    return {**notebook, "cells": [*head, *converted], "metadata": {
        **notebook.get("metadata", {}),
        "kernelspec": {"name": "python", "display_name": "Python (Pyodide)", "language": "python"},
    }}


def main(source: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.ipynb")):
        if path.name in SKIP:
            print(f"  left out {path.name}: {SKIP[path.name]}")
            continue
        notebook = convert(json.loads(path.read_text()))
        (out / path.name).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
        print(f"  {path.name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
