"""The layers point one way: the engine needs only the standard library, and the optional layers import
the engine, never the reverse (STYLE.md, convention 1)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "livegraph"
OPTIONAL_LAYERS = ("llm", "render", "notebook", "_langchain", "prebuilt")
# Subpackages that are not the engine; every other module of the package is (the modules at its top, and
# LangGraph's thin module paths such as `livegraph/graph/`).
NOT_ENGINE = {*OPTIONAL_LAYERS, "checkpoint"}
# What a plain `import livegraph` must not load: the optional layers' packages, and pydantic (supported for
# state schemas only when the user already has it).
HEAVY = (
    "ipywidgets",
    "IPython",
    "graphviz",
    "openai",
    "anywidget",
    "nest_asyncio",
    "pydantic",
    "langgraph",
    "langchain_core",
    "langchain_openai",
    "langsmith",
)
# Who may not import whom, anywhere in the module (also inside functions).
FORBIDDEN = {
    "llm": ("notebook",),
    "render": ("notebook", "llm"),
    "checkpoint": ("notebook", "render", "llm"),
    "_langchain": ("notebook", "render", "llm", "prebuilt"),
    "prebuilt": ("notebook", "render", "llm"),
}


def _imports(tree: ast.Module, module: str, *, module_level: bool) -> Iterator[tuple[int, str, bool]]:
    """Yields `(line, absolute module name, only for type checkers)` for each import in `tree`.

    With `module_level`, imports inside functions are left out: they run on call, not on import. Imports under
    `if TYPE_CHECKING:` are yielded with the flag set, since they never run.
    """
    package = module.rsplit(".", 1)[0] if not module.endswith(".__init__") else module[: -len(".__init__")]

    def resolve(node: ast.ImportFrom) -> list[str]:
        if node.level == 0:
            return [node.module or ""]
        parts = package.split(".")
        base = ".".join(parts[: len(parts) - node.level + 1])
        if node.module:
            return [f"{base}.{node.module}"]
        return [f"{base}.{alias.name}" for alias in node.names]

    def walk(nodes: list[ast.stmt], typing_only: bool) -> Iterator[tuple[int, str, bool]]:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield node.lineno, alias.name, typing_only
            elif isinstance(node, ast.ImportFrom):
                for name in resolve(node):
                    yield node.lineno, name, typing_only
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if not module_level:
                    yield from walk(node.body, typing_only)
            elif isinstance(node, ast.If):
                guard = _is_type_checking(node.test)
                yield from walk(node.body, typing_only or guard)
                yield from walk(node.orelse, typing_only)
            else:
                for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                    for child in getattr(node, field, ()):
                        body = (
                            child.body if isinstance(child, ast.ExceptHandler | ast.match_case) else [child]
                        )
                        yield from walk(body, typing_only)

    yield from walk(tree.body, False)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_name(path: Path) -> str:
    return ".".join(("livegraph", *path.relative_to(PACKAGE).with_suffix("").parts))


def _engine_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in NOT_ENGINE)


def _layer_files(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


PUBLIC_MODULES = (
    "livegraph",
    "livegraph.graph",
    "livegraph.types",
    "livegraph.config",
    "livegraph.errors",
    "livegraph.runtime",
)


def _python(code: str, cwd: Path, what: str = "The script") -> list[str]:
    """The lines `python -c code` printed, run in a fresh interpreter in `cwd`; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"{what} failed:\n{done.stderr}"
    return done.stdout.splitlines()


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_import_loads_no_optional_package(module: str, tmp_path: Path) -> None:
    code = (
        f"import sys, json, {module}\n"
        f"print(json.dumps(sorted({{m.partition('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))\n"
    )
    loaded = json.loads(_python(code, tmp_path, f"`import {module}`")[-1])
    assert loaded == [], f"`import {module}` loaded optional packages: {', '.join(loaded)}"


@pytest.mark.parametrize("path", _engine_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_engine_imports_only_the_standard_library(path: Path) -> None:
    module = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    offenders = []
    for line, name, typing_only in _imports(tree, module, module_level=True):
        top = name.partition(".")[0]
        if top == "livegraph":
            layer = name.split(".")[1] if "." in name else ""
            if layer in OPTIONAL_LAYERS:
                offenders.append(f"line {line}: `{name}` (an optional layer: import it inside the function)")
        elif top not in sys.stdlib_module_names and not typing_only:
            offenders.append(f"line {line}: `{name}` (not in the standard library)")
    assert offenders == [], f"`{module}` is part of the engine, but imports at module level:\n" + "\n".join(
        offenders
    )


@pytest.mark.parametrize(
    ("layer", "path"),
    [(layer, path) for layer in FORBIDDEN for path in _layer_files(layer)],
    ids=lambda v: v if isinstance(v, str) else str(v.relative_to(PACKAGE)),
)
def test_layer_does_not_import_a_layer_above_it(layer: str, path: Path) -> None:
    module = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    above = {f"livegraph.{name}" for name in FORBIDDEN[layer]}
    offenders = [
        f"line {line}: `{name}`"
        for line, name, _ in _imports(tree, module, module_level=False)
        if ".".join(name.split(".")[:2]) in above
    ]
    assert offenders == [], (
        f"`{module}` is in `livegraph.{layer}`, which must not import "
        + ", ".join(f"`{m}`" for m in sorted(above))
        + ":\n"
        + "\n".join(offenders)
    )


def test_the_import_scanner_sees_every_kind_of_import() -> None:
    source = (
        "import os.path\n"
        "from typing import TYPE_CHECKING\n"
        "from . import dot, svg\n"
        "from ..notebook import widget\n"
        "from .. import llm\n"
        "try:\n    import graphviz\nexcept ImportError:\n    graphviz = None\n"
        "if TYPE_CHECKING:\n    import ipywidgets\n"
        "class A:\n    import json\n"
        "def f():\n    import openai\n"
    )
    tree = ast.parse(source)
    assert list(_imports(tree, "livegraph.render._mime", module_level=True)) == [
        (1, "os.path", False),
        (2, "typing", False),
        (3, "livegraph.render.dot", False),
        (3, "livegraph.render.svg", False),
        (4, "livegraph.notebook", False),
        (5, "livegraph.llm", False),
        (7, "graphviz", False),
        (11, "ipywidgets", True),
        (13, "json", False),
    ]
    assert list(_imports(tree, "livegraph.render.__init__", module_level=False))[-1] == (15, "openai", False)


def test_running_a_graph_without_messages_loads_no_langchain(tmp_path: Path) -> None:
    """LangChain is imported by `add_messages` (when installed) and by user code, never by a plain run."""
    code = (
        "import sys, json\n"
        "from typing import TypedDict\n"
        "from livegraph.graph import START, StateGraph\n"
        "class S(TypedDict):\n    n: int\n"
        "g = StateGraph(S).add_node('a', lambda s: {'n': s['n'] + 1}).add_edge(START, 'a').compile()\n"
        "list(g.stream({'n': 1}, stream_mode=['messages', 'updates', 'events']))\n"
        "print(json.dumps(sorted({m.partition('.')[0] for m in sys.modules} & {'langchain_core', 'langsmith'})))\n"
    )
    assert json.loads(_python(code, tmp_path)[-1]) == []


def test_without_langchain_messages_are_livegraphs_and_prebuilt_says_what_to_install(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['langchain_core'] = None  # as if it were not installed\n"
        "from livegraph.graph import START, MessagesState, StateGraph\n"
        "g = StateGraph(MessagesState).add_node('a', lambda s: {'messages': [('ai', 'yo')]})"
        ".add_edge(START, 'a').compile()\n"
        "print([(type(m).__module__, m.type, m.content) for m in g.invoke({'messages': 'hi'})['messages']])\n"
        "try:\n    import livegraph.prebuilt\nexcept ImportError as exc:\n    print(exc)\n"
    )
    assert _python(code, tmp_path) == [
        "[('livegraph.messages', 'human', 'hi'), ('livegraph.messages', 'ai', 'yo')]",
        "livegraph.prebuilt runs LangChain tools and chat models: pip install 'livegraph[langchain]'",
    ]
