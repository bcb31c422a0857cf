"""The render layer: DOT and Mermaid text, SVG/PNG through a real Graphviz executable (graphviz-pure in the
dev environment), the fast state restyle, and what Jupyter shows with and without a renderer."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import pytest

import livegraph.render as render
from livegraph._engine._drawable import DrawEdge, DrawGraph, DrawNode
from livegraph.render import (
    RenderError,
    _renderer,
    find_renderer,
    mimebundle,
    svg_with_states,
    to_dot,
    to_mermaid,
    to_png,
    to_svg,
)

SVG_NS = "{http://www.w3.org/2000/svg}"
START = DrawNode("__start__", "__start__", "start")
END = DrawNode("__end__", "__end__", "end")
HEAD = """\
	graph [id="{s}graph", class="lg-graph", fontname="Helvetica", fontsize=11];
	node [shape="box", style="rounded,filled", fillcolor="#f8fafc", color="#475569", fontname="Helvetica", fontsize=12, height=0.4];
	edge [color="#475569", fontname="Helvetica", fontsize=10, arrowsize=0.7];
"""
START_LINE = '"__start__" [id="{s}node-__start__", class="lg-node lg-start", label="__start__", shape="oval", style="filled", fillcolor="#e2e8f0", fontsize=10, height=0.3];'
END_LINE = '"__end__" [id="{s}node-__end__", class="lg-node lg-end", label="__end__", shape="oval", style="filled", fillcolor="#e2e8f0", fontsize=10, height=0.3];'


def graph(name: str, nodes: list[DrawNode | str], edges: list[tuple[str, ...]]) -> DrawGraph:
    """A graph from START, `nodes` (names or nodes) and END, with `(source, target[, kind[, label]])` edges."""
    drawn = [START, *(DrawNode(n, n) if isinstance(n, str) else n for n in nodes), END]
    return DrawGraph(name, {n.id: n for n in drawn}, [DrawEdge(*e) for e in edges])  # type: ignore[arg-type]


SMALL = graph(
    "demo",
    ["router", "a", "b", "c"],
    [
        ("__start__", "router"),
        ("router", "a", "conditional", "go"),
        ("router", "b", "send"),
        ("a", "c", "join"),
        ("b", "c", "join"),
        ("c", "__end__", "command"),
        ("router", "__end__", "conditional"),
    ],
)
DEEP = graph("deep", ["d"], [("__start__", "d"), ("d", "__end__")])
INNER = graph(
    "inner",
    ["x", DrawNode("deep", "deep", subgraph=DEEP)],
    [("__start__", "x"), ("x", "deep"), ("deep", "__end__")],
)
NESTED = graph(
    "outer",
    [DrawNode("sub", "sub", subgraph=INNER), "end"],
    [("__start__", "sub"), ("sub", "end", "conditional", "finish"), ("end", "__end__")],
)


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LIVEGRAPH_DOT", raising=False)
    _renderer._run.cache_clear()
    yield
    _renderer._run.cache_clear()


def fake_renderer(tmp_path: Path, body: str) -> Path:
    """An executable shell script standing in for `dot`; it appends a line to `<script>.log` per run."""
    script = tmp_path / "fake-dot"
    script.write_text(f'#!/bin/sh\necho "$@" >> "$0.log"\ncat > /dev/null\n{body}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def runs(script: Path) -> list[str]:
    log = Path(f"{script}.log")
    return log.read_text().splitlines() if log.exists() else []


# --- DOT ---------------------------------------------------------------------------------------------------


def test_dot_draws_every_edge_kind() -> None:
    assert to_dot(SMALL) == (
        'digraph "demo" {\n'
        + HEAD.format(s="")
        + "\t"
        + START_LINE.format(s="")
        + """
	"router" [id="node-router", class="lg-node", label="router"];
	"a" [id="node-a", class="lg-node", label="a"];
	"b" [id="node-b", class="lg-node", label="b"];
	"c" [id="node-c", class="lg-node", label="c"];
	"""
        + END_LINE.format(s="")
        + """
	"__start__" -> "router" [id="edge-0", class="lg-edge"];
	"router" -> "a" [id="edge-1", class="lg-edge lg-conditional", style="dashed", label="go"];
	"router" -> "b" [id="edge-2", class="lg-edge lg-send", style="dashed", arrowhead="vee", label="Send"];
	"a" -> "c" [id="edge-3", class="lg-edge lg-join", color="#7c3aed", arrowhead="empty"];
	"b" -> "c" [id="edge-4", class="lg-edge lg-join", color="#7c3aed", arrowhead="empty"];
	"c" -> "__end__" [id="edge-5", class="lg-edge lg-command", style="dotted"];
	"router" -> "__end__" [id="edge-6", class="lg-edge lg-conditional", style="dashed"];
	graph [label="violet: join (waits for all) · dashed: conditional\\ndashed, open head: Send · dotted: Command", labelloc="b", labeljust="l", fontsize=9, fontcolor="#64748b"];
}
"""
    )


ODD = ['say "hi"', "back\\slash", "node", "<b>&amp;", "café ☕", "two\nlines", "100%"]


def test_dot_escapes_odd_names() -> None:
    lines = to_dot(graph('odd "graph"', ODD, [("node", 'say "hi"')])).splitlines()
    assert lines[0] == 'digraph "odd \\"graph\\"" {'
    assert lines[5:12] == [
        '\t"say \\"hi\\"" [id="node-say-20--22-hi-22-", class="lg-node", label="say \\"hi\\""];',
        '\t"back%5Cslash" [id="node-back-5c-slash", class="lg-node", label="back\\\\slash"];',
        '\t"node" [id="node-node", class="lg-node", label="node"];',
        '\t"<b>&amp;" [id="node--3c-b-3e--26-amp-3b-", class="lg-node", label="<b>&amp;amp;"];',
        '\t"café ☕" [id="node-caf-e9--20--2615-", class="lg-node", label="café ☕"];',
        '\t"two%0Alines" [id="node-two-a-lines", class="lg-node", label="two\\nlines"];',
        '\t"100%25" [id="node-100-25-", class="lg-node", label="100%"];',
    ]
    assert lines[13] == '\t"node" -> "say \\"hi\\"" [id="edge-0", class="lg-edge"];'


def test_xray_draws_subgraphs_as_clusters_to_the_given_depth() -> None:
    # xray=1 opens `sub` but leaves its own subgraph `deep` as one double-bordered node.
    assert to_dot(NESTED, xray=1, scope="t-") == (
        'digraph "outer" {\n'
        + HEAD.format(s="t-")
        + "\t"
        + START_LINE.format(s="t-")
        + """
	subgraph "cluster_sub" {
		graph [id="t-node-sub", class="lg-cluster", label="sub", labeljust="l", style="rounded,dashed", color="#94a3b8", fontcolor="#475569"];
		"sub:__start__" [id="t-node-sub-3a-__start__", class="lg-node lg-entry", label="", shape="point", width=0.12];
		"sub:x" [id="t-node-sub-3a-x", class="lg-node", label="x"];
		"sub:deep" [id="t-node-sub-3a-deep", class="lg-node lg-subgraph", label="deep", peripheries=2];
		"sub:__end__" [id="t-node-sub-3a-__end__", class="lg-node lg-exit", label="", shape="point", width=0.12, peripheries=2];
		"sub:__start__" -> "sub:x" [id="t-edge-0", class="lg-edge"];
		"sub:x" -> "sub:deep" [id="t-edge-1", class="lg-edge"];
		"sub:deep" -> "sub:__end__" [id="t-edge-2", class="lg-edge"];
	}
	"end" [id="t-node-end", class="lg-node", label="end"];
	"""
        + END_LINE.format(s="t-")
        + """
	"__start__" -> "sub:__start__" [id="t-edge-3", class="lg-edge"];
	"sub:__end__" -> "end" [id="t-edge-4", class="lg-edge lg-conditional", style="dashed", label="finish"];
	"end" -> "__end__" [id="t-edge-5", class="lg-edge"];
	graph [label="dashed: conditional", labelloc="b", labeljust="l", fontsize=9, fontcolor="#64748b"];
}
"""
    )


def test_xray_true_opens_every_level_and_false_none() -> None:
    full, flat = to_dot(NESTED, xray=True), to_dot(NESTED)
    assert 'subgraph "cluster_sub:deep" {' in full
    assert '"sub:x" -> "sub:deep:__start__"' in full
    assert '"sub:deep:__end__" -> "sub:__end__"' in full
    assert "cluster" not in flat
    assert '\t"sub" [id="node-sub", class="lg-node lg-subgraph", label="sub", peripheries=2];' in flat


def test_dot_states_recolor_nodes_and_frames() -> None:
    dot = to_dot(
        NESTED, xray=1, states={"__start__": "done", "sub": "running", "sub:x": "error", "end": "pending"}
    )
    lines = [line.strip() for line in dot.splitlines()]
    assert lines[4] == (
        '"__start__" [id="node-__start__", class="lg-node lg-start lg-done", label="__start__", shape="oval", '
        'style="filled", fillcolor="#dcfce7", fontsize=10, height=0.3, color="#16a34a", penwidth=2];'
    )
    assert lines[6] == (
        'graph [id="node-sub", class="lg-cluster lg-running", label="sub", labeljust="l", style="rounded,dashed", '
        'color="#ea580c", fontcolor="#475569", penwidth=3];'
    )
    assert lines[8] == (
        '"sub:x" [id="node-sub-3a-x", class="lg-node lg-error", label="x", style="rounded,filled", '
        'color="#dc2626", fillcolor="#fee2e2", penwidth=2];'
    )
    assert lines[15] == (
        '"end" [id="node-end", class="lg-node lg-pending", label="end", style="rounded,filled,dashed", '
        'color="#94a3b8", fillcolor="#f8fafc", penwidth=1];'
    )


def test_bad_states_and_scopes_are_named() -> None:
    with pytest.raises(ValueError) as caught:
        to_dot(SMALL, states={"a": "finished", "b": "done", "c": "?"})
    assert str(caught.value) == (
        "Unknown node state (`a`: `finished`, `c`: `?`); use one of: running, done, error, interrupted, pending"
    )
    with pytest.raises(ValueError) as caught:
        to_dot(SMALL, scope="1 x")
    assert str(caught.value) == (
        "scope `1 x` cannot prefix an SVG id: use letters, digits, `_` and `-`, "
        "starting with a letter or `_` (for example `lg1-`)"
    )


# --- Mermaid -----------------------------------------------------------------------------------------------


def test_mermaid_text() -> None:
    assert (
        to_mermaid(SMALL)
        == """\
graph TD;
	__start__(["__start__"]):::first
	router["router"]
	a["a"]
	b["b"]
	c["c"]
	__end__(["__end__"]):::last
	__start__ --> router;
	router -.->|go| a;
	router -.->|Send| b;
	a --> c;
	b --> c;
	c -.-> __end__;
	router -.-> __end__;
	classDef default fill:#f8fafc,stroke:#475569
	classDef first fill:#e2e8f0,stroke:#475569
	classDef last fill:#e2e8f0,stroke:#475569
"""
    )


def test_mermaid_xray_ids_and_escapes() -> None:
    odd = graph(
        "odd",
        [DrawNode("sub", "sub", subgraph=INNER), 'a "b"|c', "a__b__c", "end"],
        [("sub", 'a "b"|c', "conditional", "x|y")],
    )
    assert to_mermaid(odd, xray=1).splitlines()[1:17] == [
        '\t__start__(["__start__"]):::first',
        '\tsubgraph sub["sub"]',
        '\t\tsub___start__(["__start__"]):::first',
        '\t\tsub_x["x"]',
        '\t\tsub_deep[["deep"]]',
        '\t\tsub___end__(["__end__"]):::last',
        "\t\tsub___start__ --> sub_x;",
        "\t\tsub_x --> sub_deep;",
        "\t\tsub_deep --> sub___end__;",
        "\tend",
        '\ta__b__c["a #34;b#34;#124;c"]',
        '\ta__b__c_2["a__b__c"]',  # the same safe id as the name above: numbered
        '\tn_end["end"]',
        '\t__end__(["__end__"]):::last',
        "\tsub___end__ -.->|x#124;y| a__b__c;",
        "\tclassDef default fill:#f8fafc,stroke:#475569",
    ]


# --- SVG and PNG through the real renderer --------------------------------------------------------------


def test_the_dev_environment_has_a_renderer() -> None:
    found = find_renderer()
    assert found is not None and Path(found).name in ("dot", "graphviz-pure")


def test_svg_embeds_in_html_with_scoped_ids() -> None:
    svg = to_svg(NESTED, xray=True, scope="s1-")
    assert svg.startswith("<svg") and "<?xml" not in svg and "<!DOCTYPE" not in svg
    root = ET.fromstring(svg)
    groups = {g.get("id"): g for g in root.iter(f"{SVG_NS}g")}
    titles = {g.get("id"): g.findtext(f"{SVG_NS}title") for g in groups.values()}
    assert titles["s1-node-sub-3a-x"] == "sub:x"
    assert titles["s1-node-sub-3a-deep-3a-d"] == "sub:deep:d"
    assert titles["s1-node-end"] == "end"
    assert titles["s1-node-sub"] == "cluster_sub"
    assert groups["s1-node-end"].get("class") == "node lg-node"
    assert all(i is not None and i.startswith("s1-") for i in groups)  # nothing collides with another diagram


def test_svg_shows_odd_names_as_written() -> None:
    root = ET.fromstring(to_svg(graph("odd", ODD, [])))
    texts = [
        "\n".join(t.text or "" for t in g.iter(f"{SVG_NS}text"))
        for g in root.iter(f"{SVG_NS}g")
        if "lg-node" in (g.get("class") or "")
    ]
    assert texts == ["__start__", *ODD, "__end__"]


def test_png_bytes_and_file(tmp_path: Path) -> None:
    png = to_png(SMALL)
    assert png is not None and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert to_png(SMALL, tmp_path / "g.png") is None
    assert (tmp_path / "g.png").read_bytes() == png


def test_same_dot_is_rendered_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = fake_renderer(tmp_path, 'printf \'<?xml version="1.0"?>\\n<svg>%s</svg>\' "$1"')
    monkeypatch.setenv("LIVEGRAPH_DOT", str(script))
    assert to_svg(SMALL) == "<svg>-Tsvg</svg>"
    assert to_svg(SMALL) == "<svg>-Tsvg</svg>"
    assert runs(script) == ["-Tsvg"]
    to_svg(SMALL, states={"a": "done"})  # other DOT text: drawn again
    assert runs(script) == ["-Tsvg", "-Tsvg"]


def test_renderer_failures_raise_render_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = fake_renderer(tmp_path, "echo 'Error: <stdin>: syntax error\n in line 2' >&2; exit 3")
    monkeypatch.setenv("LIVEGRAPH_DOT", str(script))
    with pytest.raises(RenderError) as caught:
        to_svg(SMALL)
    assert (
        str(caught.value)
        == f"`{script} -Tsvg` failed with exit code 3: Error: <stdin>: syntax error in line 2"
    )
    assert isinstance(caught.value, RuntimeError)

    monkeypatch.setattr(_renderer, "TIMEOUT", 0.2)
    fake_renderer(tmp_path, "sleep 5")
    with pytest.raises(RenderError) as caught:
        to_png(SMALL)
    assert str(caught.value) == f"`{script}` took more than 0.2 s to draw the graph"


# --- finding a renderer ------------------------------------------------------------------------------------


def test_find_renderer_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    pure = fake_renderer(scripts, "")
    pure = pure.rename(scripts / "graphviz-pure")
    monkeypatch.setattr(_renderer.sysconfig, "get_path", lambda name: str(scripts))
    monkeypatch.setattr(_renderer.sys, "executable", str(tmp_path / "nowhere" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_renderer() == str(pure)  # no `dot`: graphviz-pure from the scripts folder

    on_path = tmp_path / "bin"
    on_path.mkdir()
    dot = fake_renderer(on_path, "").rename(on_path / "dot")
    monkeypatch.setenv("PATH", str(on_path))
    assert find_renderer() == str(dot)  # a system `dot` comes first

    monkeypatch.setenv("LIVEGRAPH_DOT", str(pure))
    assert find_renderer() == str(pure)  # the variable forces a path
    monkeypatch.setenv("LIVEGRAPH_DOT", "none")
    assert find_renderer() is None
    monkeypatch.setenv("LIVEGRAPH_DOT", str(tmp_path / "missing"))
    assert find_renderer() is None  # forced means forced: no fallback


# --- what Jupyter shows ------------------------------------------------------------------------------------


def test_mimebundle_with_a_renderer() -> None:
    bundle = mimebundle(SMALL)
    assert sorted(bundle) == ["image/png", "image/svg+xml", "text/plain"]
    assert bundle["image/svg+xml"].startswith("<svg")
    # The same drawing as PNG (base64), for viewers that do not render the SVG of an untrusted notebook.
    assert base64.b64decode(bundle["image/png"]) == to_png(SMALL)
    assert bundle["text/plain"] == "<graph 'demo': 6 nodes, 7 edges>"


def test_mimebundle_without_a_renderer_shows_dot_and_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEGRAPH_DOT", "none")
    assert mimebundle(SMALL) == {
        "text/plain": "// no Graphviz renderer found: pip install 'livegraph[notebook]' (brings graphviz-pure) "
        "or install Graphviz (the `dot` command), or set LIVEGRAPH_DOT to its path\n" + to_dot(SMALL)
    }


def test_mimebundle_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVEGRAPH_DOT", str(fake_renderer(tmp_path, "exit 1")))
    assert mimebundle(SMALL)["text/plain"].startswith("// `")
    assert mimebundle(SMALL, scope="no spaces") == {
        "text/plain": "<graph 'demo': 6 nodes, 7 edges> cannot be drawn: scope `no spaces` cannot prefix an SVG id: "
        "use letters, digits, `_` and `-`, starting with a letter or `_` (for example `lg1-`)"
    }


# --- the live restyle --------------------------------------------------------------------------------------


def test_svg_with_states_injects_one_scoped_style_block() -> None:
    svg = '<svg width="10pt"\n viewBox="0 0 10 10"><g id="p-graph"></g></svg>'
    styled = svg_with_states(
        svg, {"a": "running", "b:c": "done", "d": "error", "e": "pending", "f": "done"}, "p-"
    )
    assert styled == (
        '<svg width="10pt"\n viewBox="0 0 10 10"><style class="lg-states">'
        "#p-node-a>:not(text){stroke:#ea580c;stroke-width:3px}\n"
        '#p-node-a>:not(text):not([fill="none"]){fill:#ffedd5}\n'
        "#p-node-b-3a-c>:not(text),#p-node-f>:not(text){stroke:#16a34a;stroke-width:2px}\n"
        '#p-node-b-3a-c>:not(text):not([fill="none"]),#p-node-f>:not(text):not([fill="none"]){fill:#dcfce7}\n'
        "#p-node-d>:not(text){stroke:#dc2626;stroke-width:2px}\n"
        '#p-node-d>:not(text):not([fill="none"]){fill:#fee2e2}\n'
        "#p-node-e>:not(text){stroke:#94a3b8;stroke-width:1px;stroke-dasharray:5 3}\n"
        '#p-node-e>:not(text):not([fill="none"]){fill:#f8fafc}\n'
        "@media (prefers-reduced-motion:no-preference){#p-node-a>:not(text){animation:p-lg-pulse 1.2s ease-in-out infinite}}\n"
        "@keyframes p-lg-pulse{50%{stroke-opacity:.35}}"
        '</style><g id="p-graph"></g></svg>'
    )
    # Restyling its own output replaces the block; no states at all removes it.
    assert svg_with_states(styled, {"b:c": "error"}, "p-") == (
        '<svg width="10pt"\n viewBox="0 0 10 10"><style class="lg-states">'
        "#p-node-b-3a-c>:not(text){stroke:#dc2626;stroke-width:2px}\n"
        '#p-node-b-3a-c>:not(text):not([fill="none"]){fill:#fee2e2}'
        '</style><g id="p-graph"></g></svg>'
    )
    assert svg_with_states(styled, {}, "p-") == svg


def test_svg_with_states_rejects_what_is_not_an_svg() -> None:
    with pytest.raises(ValueError) as caught:
        svg_with_states("digraph {}", {"a": "done"})
    assert str(caught.value) == "svg_with_states() needs an SVG document: pass what `to_svg()` returned"


def test_svg_with_states_is_fast_for_fifty_nodes() -> None:
    names = [f"step_{i}" for i in range(50)]
    big = graph("big", names, [(a, b) for a, b in zip(["__start__", *names], [*names, "__end__"])])
    svg = to_svg(big, scope="big-")
    states = {
        name: ("done" if i < 40 else "running" if i < 45 else "pending") for i, name in enumerate(names)
    }
    assert 'id="big&#45;node&#45;step_49"' in svg  # the ids the rules name are there
    rounds = 200
    begin = time.perf_counter()
    for _ in range(rounds):
        svg_with_states(svg, states, "big-")
    assert (time.perf_counter() - begin) / rounds < 0.001


@pytest.mark.browser
def test_svg_with_states_restyles_only_its_own_diagram_in_a_browser() -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs Debian's /usr/bin/chromium")
    live = to_svg(NESTED, xray=1, scope="one-")
    live = svg_with_states(live, {"sub": "running", "sub:x": "done", "sub:deep": "error"}, "one-")
    other = to_svg(SMALL, scope="two-")  # the same node names under another scope stay as drawn
    look = """([id, i]) => {
        const s = getComputedStyle(document.getElementById(id).children[i]);
        return [s.stroke, s.fill, s.strokeWidth, s.animationName];
    }"""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.set_content(f"<html><body>{live}{other}</body></html>")
            looks = {
                f"{i}/{n}": page.evaluate(look, [i, n])
                for i, n in [
                    ("one-node-sub", 1),  # the frame: border only
                    ("one-node-sub-3a-x", 1),
                    ("one-node-sub-3a-deep", 1),  # a double border: inner ring filled,
                    ("one-node-sub-3a-deep", 2),  # outer ring not
                    ("two-node-a", 1),
                ]
            }
        finally:
            browser.close()
    assert looks == {
        "one-node-sub/1": ["rgb(234, 88, 12)", "none", "3px", "one-lg-pulse"],
        "one-node-sub-3a-x/1": ["rgb(22, 163, 74)", "rgb(220, 252, 231)", "2px", "none"],
        "one-node-sub-3a-deep/1": ["rgb(220, 38, 38)", "rgb(254, 226, 226)", "2px", "none"],
        "one-node-sub-3a-deep/2": ["rgb(220, 38, 38)", "none", "2px", "none"],
        "two-node-a/1": ["rgb(71, 85, 105)", "rgb(248, 250, 252)", "1px", "none"],
    }


def test_the_engine_hooks_reach_this_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    assert SMALL.to_dot(scope="h-") == to_dot(SMALL, scope="h-")
    assert NESTED.draw_mermaid(xray=True) == to_mermaid(NESTED, xray=True)
    assert NESTED.draw_svg(xray=True) == to_svg(NESTED, xray=True)
    monkeypatch.setenv("LIVEGRAPH_DOT", "none")
    assert SMALL._repr_mimebundle_() == mimebundle(SMALL)


# --- the package -------------------------------------------------------------------------------------------


def test_all_lists_every_public_name() -> None:
    public = {name for name in vars(render) if not name.startswith("_")} - {"annotations"}
    assert sorted(render.__all__) == sorted(public)


def test_importing_render_loads_no_graphviz(tmp_path: Path) -> None:
    code = "import sys, json, livegraph.render; print(json.dumps('graphviz' in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) is False


def test_to_graphviz_hands_the_same_dot_text_to_the_graphviz_package() -> None:
    import graphviz

    from livegraph import END, START, StateGraph

    class S(TypedDict, total=False):
        x: int

    compiled = StateGraph(S).add_node("a", lambda s: {}).add_edge(START, "a").add_edge("a", END).compile()
    source = compiled.get_graph().to_graphviz()
    assert isinstance(source, graphviz.Source)
    assert source.source == render.to_dot(compiled.get_graph())


def test_an_interrupted_node_is_amber_as_its_panel() -> None:
    dot = to_dot(graph("wait", ["review"], [("__start__", "review"), ("review", "__end__")]), states={"review": "interrupted"})
    assert '\t"review" [id="node-review", class="lg-node lg-interrupted", label="review", style="rounded,filled", color="#ca8a04", fillcolor="#fef9c3", penwidth=3];' in dot
    assert "label=\"dashed" not in dot and "labelloc" not in dot  # plain edges only: no legend


def test_the_legend_names_only_the_edge_styles_the_graph_uses() -> None:
    sent = graph("fan", ["plan", "work"], [("__start__", "plan"), ("plan", "work", "send"), ("work", "__end__")])
    assert to_dot(sent).splitlines()[-2] == (
        '\tgraph [label="dashed, open head: Send", labelloc="b", labeljust="l", fontsize=9, fontcolor="#64748b"];'
    )
