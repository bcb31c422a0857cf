"""What the live view shows, as plain functions of plain data: the text a chunk adds to a panel, panel
titles, the status line, and the static record (HTML and plain text) a finished run leaves in the cell.

Nothing here imports a widget library, so all of it is tested without a kernel.
"""

from __future__ import annotations

import html
import reprlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from livegraph import Event
from livegraph.types import StreamMode

STREAM_MODES: frozenset[str] = frozenset(get_args(StreamMode))

Formatter = Callable[[Any], "str | None"]
"""A user's chunk formatter: the text to append for a chunk, or None to let livegraph format it."""

PanelState = Literal["running", "done", "error", "interrupted", "stopped"]
Phase = Literal["running", "done", "error", "interrupted", "stopped"]

MIN_RATE_SECONDS = 0.5
"""Tokens/s is shown once tokens have streamed for this long (a rate over less says little)."""

LINE_WIDTH = 160
"""The most characters a chunk that is not text takes in a panel (one line)."""

FOLD_AT = 8
"""A node (a lane) with more tasks than this in one run (`Send` workers, loop turns) shows them as tiles with
one panel for the selected task (live), and as a summary (in the record), instead of one panel each."""

TEXT_TASKS = 20
"""The tasks of a folded lane that the plain-text record lists one a line (the HTML lists all)."""

HEAD_CHARS = 160
"""What a folded task's first lines may take, in the record and in a tile's preview."""


class _Repr(reprlib.Repr):
    def repr_instance(self, obj: Any, level: int) -> str:
        try:
            text = repr(obj)
        except Exception as exc:  # a broken __repr__ must not break the view
            return f"<{type(obj).__name__} (repr failed: {exc!r})>"
        if len(text) > self.maxother:
            half = max(0, (self.maxother - 3) // 2)
            text = text[:half] + "..." + text[len(text) - half :]
        return text


_repr = _Repr()
_repr.maxlevel = 3
_repr.maxdict = _repr.maxlist = _repr.maxtuple = _repr.maxset = 8
_repr.maxstring = 80
_repr.maxother = 80


def chunk_text(chunk: Any) -> str | None:
    """The text a streamed chunk carries, or None when it carries none.

    Text is: a `str`; an object with a `str` `content` (`livegraph.MessageChunk`, LangChain's message
    chunks), followed by its streamed tool calls (`→ name {"arg": ...}`); a dict `{"custom_llm_chunk": ...}`
    around any of these; a chat dict with `role` and `content` (a `None` content, as in a tool-call delta,
    is empty text); OpenAI-style content parts (`[{"type": "text", "text": ...}]`).
    """
    if isinstance(chunk, str):
        return chunk
    if isinstance(chunk, dict):
        if len(chunk) == 1 and "custom_llm_chunk" in chunk:
            return chunk_text(chunk["custom_llm_chunk"])
        if "role" in chunk and "content" in chunk:
            return _content_text(chunk["content"])
        return None
    content = getattr(chunk, "content", None)
    if content is not None and not isinstance(chunk, type):
        text = _content_text(content)
        calls = getattr(chunk, "tool_call_chunks", None)
        if calls and isinstance(calls, list) and text is not None:
            text += "".join(_tool_call_text(call) for call in calls if isinstance(call, dict))
        return text
    return None


def _tool_call_text(call: dict[str, Any]) -> str:
    """A streamed tool call as the panel shows it: `→ name ` when it starts, then its JSON arguments."""
    name, args = call.get("name"), call.get("args")
    return (f"\n→ {name} " if name else "") + (args if isinstance(args, str) else "")


def _content_text(content: Any) -> str | None:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) and isinstance(p.get("text"), str)
                                         for p in content):
        return "".join(part["text"] for part in content)
    return None


def compact_line(value: Any, width: int = LINE_WIDTH) -> str:
    """`value` as one short line: a bounded `repr` (deep or long values are cut with `...`), its
    whitespace runs folded to one space, at most `width` characters (the last one `…` when cut)."""
    text = " ".join(_repr.repr(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def unwrap(item: Any) -> Any:
    """The payload of one item of `graph.stream(...)`, whatever the stream mode.

    Strips `(mode, chunk)` (several modes), `(namespace, chunk)` and `(namespace, mode, chunk)`
    (`subgraphs=True`), and a `messages` pair `(message_chunk, metadata)` down to the message chunk. An
    `Event` of kind `chunk` or `message` gives its chunk. Anything else is returned as it is.
    """
    if isinstance(item, Event):
        if item.kind == "chunk":
            return item.data
        return unwrap(item.data) if item.kind == "message" else item
    if isinstance(item, tuple):
        if len(item) == 3 and isinstance(item[0], tuple) and item[1] in STREAM_MODES:
            return unwrap(item[2])
        if len(item) == 2:
            head, payload = item
            if isinstance(head, str) and head in STREAM_MODES:
                return unwrap(payload)
            if isinstance(head, tuple) and all(isinstance(part, str) for part in head):
                return unwrap(payload)
            if isinstance(payload, dict) and chunk_text(head) is not None and not isinstance(head, str):
                return head  # messages mode: (message_chunk, metadata)
    return item


def format_chunk(chunk: Any, formatter: Formatter | None = None) -> tuple[str, bool]:
    """What a panel appends for `chunk`: `(text, is_line)`.

    `is_line` is True for a chunk that carries no text: `text` is then its `compact_line`, which the panel
    shows on a line of its own. A `formatter` is asked first; when it returns None, livegraph formats the
    chunk; when it raises, the failure is the line (the run goes on).
    """
    if formatter is not None:
        try:
            mine = formatter(chunk)
        except Exception as exc:
            return f"formatter failed on {compact_line(chunk, 60)}: {exc!r}", True
        if mine is not None:
            return str(mine), False
    text = chunk_text(chunk)
    if text is not None:
        return text, False
    return compact_line(chunk), True


def panel_title(node: str, ns: Sequence[str] = (), index: int = 0) -> str:
    """A panel's title: the node's name, `#k` for the k-th of several tasks of that node in one step
    (parallel `Send` workers), after the names of the subgraph nodes it runs inside (`outer › inner`)."""
    path = [part.split(":", 1)[0] for part in ns] + [node]
    title = " › ".join(path)
    return f"{title} #{index}" if index else title


def send_label(value: Any, width: int = 48) -> str:
    """A short form of a `Send` argument, to tell workers apart: `topic='cats', n=3` for a mapping, else
    its `compact_line`."""
    if isinstance(value, Mapping):
        text = ", ".join(f"{key}={compact_line(item, width)}" for key, item in value.items())
        text = " ".join(text.split())
        return text if len(text) <= width else text[: width - 1] + "…"
    return compact_line(value, width)


def lane_of(title: str) -> str:
    """The lane a panel title belongs to: the title without its `#k` (`write #2` -> `write`)."""
    head, sep, tail = title.rpartition(" #")
    return head if sep and tail.isdigit() else title


def node_path(node: str, ns: Sequence[str] = ()) -> str:
    """The diagram id of a node: its name, or `outer:inner` for a node inside an expanded subgraph."""
    return ":".join([part.split(":", 1)[0] for part in ns] + [node])


@dataclass(frozen=True)
class Status:
    """What the status line says.

    Attributes:
        phase: Where the run is.
        step: The current (or last) superstep.
        running: Titles of the tasks running now.
        elapsed: Seconds since the run started.
        tokens: Text chunks streamed so far (one per LLM token for token streams).
        problem: For `error` / `interrupted`: what happened and where.
        streaming: Seconds from the first token to now (or to the end): what tokens/s is measured over,
            so that the time a model takes to start does not count.
    """

    phase: Phase
    step: int
    running: tuple[str, ...]
    elapsed: float
    tokens: int
    problem: str | None = None
    streaming: float = 0.0


def status_line(status: Status) -> str:
    """One line of plain text, for example
    `step 2 · running: write #1, write #2 · 3.4 s · 41 tokens, 12 tok/s`."""
    parts: list[str]
    if status.phase == "running":
        parts = [f"step {status.step}" if status.step else "starting"]
        if status.running:
            parts.append("running: " + running_text(status.running))
    else:
        steps = f"{status.step} step" + ("" if status.step == 1 else "s")
        parts = [status.phase, steps]
        if status.problem:
            parts.insert(1, status.problem)
    parts.append(duration(status.elapsed))
    if status.tokens:
        tokens = f"{status.tokens} token" + ("" if status.tokens == 1 else "s")
        if status.streaming >= MIN_RATE_SECONDS:
            tokens += f", {status.tokens / status.streaming:.0f} tok/s"
        parts.append(tokens)
    return " · ".join(parts)


def running_text(titles: Sequence[str], most: int = 4) -> str:
    """The running tasks for the status line: their titles, or per lane a count when there are more than
    `most` (`write ×998, review`)."""
    if len(titles) <= most:
        return ", ".join(titles)
    counts = Counter(lane_of(title) for title in titles)
    return ", ".join(lane if n == 1 else f"{lane} ×{n}" for lane, n in counts.items())


def duration(seconds: float) -> str:
    """`seconds` for a status line: `< 1 ms`, `4 ms`, `0.37 s`, `12.5 s` (never `0.00 s`)."""
    if seconds < 0.0005:
        return "< 1 ms"
    if seconds < 0.01:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 1 else f"{seconds:.1f} s"


@dataclass(frozen=True)
class PanelRecord:
    """What the static record keeps of one panel (`label`: a `Send` worker's short argument)."""

    title: str
    step: int
    state: PanelState
    text: str
    note: str | None = None
    label: str | None = None


_COLORS: dict[str, str] = {
    "running": "#ea580c",
    "done": "#16a34a",
    "error": "#dc2626",
    "interrupted": "#ca8a04",
    "stopped": "#64748b",
}
_FONT = "font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px"
_MONO = "font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:12px"


def panel_html(panel: PanelRecord) -> str:
    """One panel of the record: a `<details>` whose summary is the title, step and state (open when the
    panel has text or a note)."""
    color = _COLORS.get(panel.state, "#64748b")
    opened = " open" if panel.text or panel.note else ""
    label = f' <span style="color:#64748b">{html.escape(panel.label)}</span>' if panel.label else ""
    step = f"· step {panel.step} ·" if panel.step else "·"
    summary = (
        f'<summary style="cursor:pointer"><b>{html.escape(panel.title)}</b>{label} '
        f'<span style="color:#64748b">{step}</span> '
        f'<span style="color:{color}">{panel.state}</span></summary>'
    )
    body = ""
    if panel.text:
        body += (
            f'<pre style="{_MONO};white-space:pre-wrap;word-break:break-word;margin:4px 0 0 0;'
            f'padding:6px 8px;background:rgba(127,127,127,.08);border-radius:4px">'
            f"{html.escape(panel.text)}</pre>"
        )
    if panel.note:
        note_color = _COLORS["error"] if panel.state == "error" else "#64748b"
        body += f'<div style="{_MONO};color:{note_color};margin-top:4px">{html.escape(panel.note)}</div>'
    return (
        f'<details class="lg-record-panel"{opened} style="margin:0 0 6px 0;padding:4px 8px;'
        f'border-left:3px solid {color}">{summary}{body}</details>'
    )


def record_html(
    svg: str | None,
    panels: Sequence[PanelRecord],
    status: Status,
    final_state: Any = None,
) -> str:
    """The static record of a run as one self-contained HTML fragment (inline styles only, every text
    escaped): the diagram on the left, the status line, the panels and the final state on the right.

    Only what the HTML sanitizers of untrusted Jupyter notebooks, GitHub and nbviewer keep: the diagram is
    an `<img>` of the SVG as a data URI (inline `<svg>` is stripped), and without the inline styles the
    record still reads top to bottom (diagram, status line, one titled block per panel).
    """
    from livegraph.render import svg_data_uri

    color = _COLORS.get(status.phase, "#64748b")
    diagram = (
        '<div style="flex:0 1 auto;max-width:45%;overflow:auto">'
        f'<img class="lg-record-diagram" src="{svg_data_uri(svg)}" alt="the graph\'s diagram" '
        'style="max-width:100%;height:auto"></div>'
        if svg
        else ""
    )
    state = final_state_html(final_state) if final_state is not None else ""
    return (
        f'<div class="lg-record" style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start;{_FONT}">'
        f"{diagram}"
        '<div style="flex:1 1 320px;min-width:0">'
        f'<div class="lg-status" style="margin:0 0 6px 0;color:{color}">'
        f"{html.escape(status_line(status))}</div>"
        f"{panels_html(panels)}{state}</div></div>"
    )


def lanes(panels: Sequence[PanelRecord]) -> list[tuple[str, list[PanelRecord]]]:
    """The panels in start order, those of a lane with more than `FOLD_AT` tasks gathered at its first."""
    groups: dict[str, list[PanelRecord]] = {}
    for panel in panels:
        groups.setdefault(lane_of(panel.title), []).append(panel)
    out: list[tuple[str, list[PanelRecord]]] = []
    for panel in panels:
        lane = lane_of(panel.title)
        members = groups[lane]
        if len(members) <= FOLD_AT:
            out.append((lane, [panel]))
        elif members[0] is panel:
            out.append((lane, members))
    return out


def panels_html(panels: Sequence[PanelRecord]) -> str:
    """Every panel as `panel_html`, but a lane of many tasks as one `lane_html` summary."""
    return "".join(
        panel_html(group[0]) if len(group) == 1 else lane_html(lane, group) for lane, group in lanes(panels)
    )


def head_text(text: str, width: int = HEAD_CHARS) -> str:
    """The first lines of a transcript, at most `width` characters, newlines shown as ` ⏎ `."""
    text = " ⏎ ".join(line.strip() for line in text.strip().splitlines()[:3] if line.strip())
    return text if len(text) <= width else text[: width - 1] + "…"


def lane_counts(group: Sequence[PanelRecord]) -> str:
    """`1,000 tasks · 998 done, 2 error`."""
    counts = Counter(panel.state for panel in group)
    return f"{len(group):,} tasks · " + ", ".join(f"{n:,} {state}" for state, n in counts.most_common())


def lane_html(lane: str, group: Sequence[PanelRecord]) -> str:
    """Many tasks of one lane as a summary: the counts per state, every failure in full (as `panel_html`),
    and a closed list of every task's title, input, state and first lines (one `<pre>`: one line a task)."""
    worst = next((s for s in ("error", "interrupted", "stopped", "running") if any(p.state == s for p in group)),
                 "done")
    color = _COLORS.get(worst, "#64748b")
    failures = "".join(panel_html(p) for p in group if p.state == "error")
    lines = "\n".join(html.escape(task_line(p)) for p in group)
    return (
        f'<details class="lg-record-lane" open style="margin:0 0 6px 0;padding:4px 8px;'
        f'border-left:3px solid {color}"><summary style="cursor:pointer"><b>{html.escape(lane)}</b> '
        f'<span style="color:#64748b">· {lane_counts(group)}</span></summary>{failures}'
        f'<details><summary style="cursor:pointer">first lines of each task</summary>'
        f'<pre style="{_MONO};white-space:pre;overflow-x:auto;max-height:24em;margin:4px 0 0 0">{lines}</pre>'
        "</details></details>"
    )


def task_line(panel: PanelRecord, width: int = 80) -> str:
    """One task of a folded lane in one line: `work #17 · doc=16 · done · first lines`."""
    parts = [panel.title, panel.label, panel.state, head_text(panel.text, width) or panel.note]
    return " · ".join(part for part in parts if part)


def final_state_html(state: Any) -> str:
    """The final state as a closed `<details>`: one `key: value` line per key, escaped."""
    return (
        '<details class="lg-final"><summary style="cursor:pointer"><b>final state</b></summary>'
        f'<pre style="{_MONO};white-space:pre-wrap;word-break:break-word;margin:4px 0 0 0">'
        f"{html.escape(state_text(state))}</pre></details>"
    )


def record_text(panels: Sequence[PanelRecord], status: Status, limit: int = 1000) -> str:
    """The static record as plain text, for viewers without HTML. Each panel's text is cut after `limit`
    characters, and a folded lane lists its first `TEXT_TASKS` tasks (the HTML has all of it; a saved
    notebook need not carry the transcript twice)."""
    lines = [status_line(status)]
    for lane, group in lanes(panels):
        if len(group) > 1:
            lines.append(f"── {lane} · {lane_counts(group)} ──")
            lines.extend(f"  {task_line(p)}" for p in group[:TEXT_TASKS])
            if len(group) > TEXT_TASKS:
                lines.append(f"  … {len(group) - TEXT_TASKS:,} more tasks (the HTML record lists each)")
        lines.extend(panel_text(panel, limit) for panel in (group if len(group) == 1 else
                                                            [p for p in group if p.state == "error"]))
    return "\n".join(lines)


def panel_text(panel: PanelRecord, limit: int = 1000) -> str:
    """One panel as plain text (a standalone `Panel`'s fallback where widgets do not run): its header
    line, its text (cut after `limit` characters) and its note."""
    lines = [header_line(panel.title, panel.step, panel.state)]
    text = panel.text.rstrip("\n")
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text) - limit:,} more characters)"
    lines += [part for part in (text, panel.note) if part]
    return "\n".join(lines)


def header_line(title: str, step: int, state: str | None = None) -> str:
    """A panel's header in plain text: `── write #2 · step 2 ──` (no step for a panel fed by hand)."""
    where = f" · step {step}" if step else ""
    tail = f" · {state}" if state else ""
    return f"── {title}{where}{tail} ──"


def state_text(state: Any, width: int = 2000) -> str:
    """The final state, one `key: value` line per key, each value a bounded `repr` (a state that is not
    a mapping is one such line)."""
    if not isinstance(state, Mapping):
        return compact_line(state, width)
    return "\n".join(f"{key}: {compact_line(value, width)}" for key, value in state.items())


def error_note(exc: BaseException) -> str:
    """How a panel shows the error its task raised: `ValueError: boom`."""
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
