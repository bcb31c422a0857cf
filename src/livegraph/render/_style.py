"""How run states look, and the fast restyle of an already drawn SVG.

The live view draws a graph once and then, for every state change, calls `svg_with_states`: a string
edit that adds one `<style>` block, with no new layout. Every rule names ids that start with the
diagram's `scope`, so two diagrams on one page never restyle each other.

The colors sit on the SVG's own white background (Graphviz paints one), so they read the same in light
and dark JupyterLab themes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Look:
    """Pen and fill of a node in one run state."""

    stroke: str
    fill: str
    width: int
    dashed: bool = False


LOOKS: dict[str, Look] = {
    "running": Look(stroke="#ea580c", fill="#ffedd5", width=3),
    "done": Look(stroke="#16a34a", fill="#dcfce7", width=2),
    "error": Look(stroke="#dc2626", fill="#fee2e2", width=2),
    # The amber of an interrupted panel: the node waits for an answer.
    "interrupted": Look(stroke="#ca8a04", fill="#fef9c3", width=3),
    "pending": Look(stroke="#94a3b8", fill="#f8fafc", width=1, dashed=True),
}
"""The run states a node can be drawn in, in the order their rules are written."""

_SCOPE = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_-]*)?")
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_STYLE_OPEN = '<style class="lg-states">'


def check_scope(scope: str) -> str:
    """Return `scope` if it can start an SVG id and a CSS selector, else raise ValueError."""
    if not _SCOPE.fullmatch(scope):
        raise ValueError(
            f"scope `{scope}` cannot prefix an SVG id: use letters, digits, `_` and `-`, "
            "starting with a letter or `_` (for example `lg1-`)"
        )
    return scope


def check_states(states: Mapping[str, str]) -> None:
    """Raise ValueError naming every node whose state is not one of `LOOKS`."""
    bad = [f"`{node}`: `{state}`" for node, state in states.items() if state not in LOOKS]
    if bad:
        raise ValueError(f"Unknown node state ({', '.join(bad)}); use one of: {', '.join(LOOKS)}")


def dom_id(scope: str, path: str) -> str:
    """The SVG id of a node: `<scope>node-<path>`, the path made safe for ids and CSS selectors.

    Letters, digits and `_` are kept; any other character becomes `-<hex code>-`, so the mapping never
    maps two paths to one id (`parent:child` becomes `parent-3a-child`).
    """
    return f"{scope}node-" + _UNSAFE.sub(lambda m: f"-{ord(m[0]):x}-", path)


def svg_with_states(svg: str, states: Mapping[str, str], scope: str = "") -> str:
    """Restyle a drawn graph for a run's node states, without laying it out again.

    Adds (or replaces) one `<style>` block right after the `<svg>` tag. Running nodes get a thick orange
    border, a pale orange fill and a slow pulse (none when the user asks for reduced motion); done nodes
    are green, errored ones red, interrupted ones amber (as their panels), pending ones get a dashed grey
    border. An expanded subgraph's frame
    takes its node's border color.

    Args:
        svg: An SVG made by `to_svg` with the same `scope`.
        states: Node path (`name`, or `parent:child` inside an expanded subgraph) to `running`, `done`,
            `error`, `interrupted` or `pending`. Nodes left out keep their normal look.
        scope: The `scope` the SVG was drawn with.

    Returns:
        The SVG with the states applied.

    Raises:
        ValueError: If a state is unknown, the scope is not id-safe, or `svg` has no `<svg>` tag.
    """
    check_scope(scope)
    check_states(states)
    start = svg.find(_STYLE_OPEN)
    if start >= 0:  # restyling our own output: drop the previous block
        svg = svg[:start] + svg[svg.index("</style>", start) + len("</style>") :]
    if not states:
        return svg
    tag = svg.find("<svg")
    if tag < 0:
        raise ValueError("svg_with_states() needs an SVG document: pass what `to_svg()` returned")
    at = svg.index(">", tag) + 1
    return svg[:at] + css_block(states, scope) + svg[at:]


def css_block(states: Mapping[str, str], scope: str) -> str:
    """The `<style>` element that `svg_with_states` adds."""
    by_state: dict[str, list[str]] = {state: [] for state in LOOKS}
    for path, state in states.items():
        by_state[state].append("#" + dom_id(scope, path))
    rules = []
    for state, ids in by_state.items():
        if not ids:
            continue
        look = LOOKS[state]
        dash = ";stroke-dasharray:5 3" if look.dashed else ""
        # `:not(text)` reaches every shape of the node; shapes Graphviz left unfilled (the outer ring of
        # a double border, a subgraph's frame) stay unfilled so the rings and inner nodes stay visible.
        rules.append(
            ",".join(f"{i}>:not(text)" for i in ids)
            + f"{{stroke:{look.stroke};stroke-width:{look.width}px{dash}}}"
        )
        rules.append(",".join(f'{i}>:not(text):not([fill="none"])' for i in ids) + f"{{fill:{look.fill}}}")
    if by_state["running"]:
        pulse = f"{scope}lg-pulse"
        running = ",".join(f"{i}>:not(text)" for i in by_state["running"])
        rules.append(
            "@media (prefers-reduced-motion:no-preference){"
            f"{running}{{animation:{pulse} 1.2s ease-in-out infinite}}}}"
        )
        rules.append(f"@keyframes {pulse}{{50%{{stroke-opacity:.35}}}}")
    return _STYLE_OPEN + "\n".join(rules) + "</style>"
