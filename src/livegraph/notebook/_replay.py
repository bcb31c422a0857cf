"""Stepping through a recorded thread: `replay(graph, config)` shows one checkpoint at a time (a slider and
Prev / Next buttons), with the diagram lighting the node(s) that ran in that step, one panel per task with
what it streamed, and the state after the step.

Checkpoints keep each step's writes, not what nodes streamed. So the views that run a graph also keep the
run's events here (`RECORDINGS`, per checkpointer and thread id); a step shows its streamed chunks when a
recorded run has them, and the node's update from the checkpoint otherwise.

What a step shows is plain functions of plain data (`replay_steps`, `step_states`, `step_html`); the
`Replay` widget only carries them out. ipywidgets is imported when a replay is made.
"""

from __future__ import annotations

import html
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from livegraph import END, Event, StateSnapshot

from ._format import Formatter, PanelRecord, compact_line, panel_html, panel_text, state_text
from ._hitl import Pending, pending_interrupts
from ._model import RunModel
from ._view import draw, require, widget_bundle

MAX_RUNS = 50
"""The most runs kept per thread (the oldest are dropped first)."""

_MONO = "font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:12px"
_FONT = "font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px"


# -- the recorder ----------------------------------------------------------------------------------------


def as_events(items: Iterable[Any]) -> list[Event]:
    """The `Event`s among items of `graph.stream(..., stream_mode="events")`, whatever their shape."""
    out = []
    for item in items:
        if isinstance(item, tuple) and item:
            item = item[-1]
        if isinstance(item, Event):
            out.append(item)
    return out


def thread_of(config: Mapping[str, Any] | None) -> str | None:
    value = ((config or {}).get("configurable") or {}).get("thread_id")
    return None if value is None else str(value)


class Recordings:
    """The events of recorded runs, per (checkpointer, thread id), oldest run first.

    Args:
        max_runs: The most runs kept per thread.
    """

    def __init__(self, max_runs: int = MAX_RUNS) -> None:
        self.max_runs = max_runs
        self._lock = threading.Lock()
        # Keyed by the saver's id; the value holds the saver, so the id cannot be reused while recorded.
        self._threads: dict[tuple[int, str], tuple[Any, deque[list[Event]]]] = {}

    def add(self, graph: Any, config: Mapping[str, Any] | None, items: Iterable[Any]) -> None:
        """Keep one run's events (a graph without checkpointer or a config without thread id: ignored)."""
        saver, thread = getattr(graph, "checkpointer", None), thread_of(config)
        if saver in (None, False, True) or thread is None:
            return
        events = as_events(items)
        if not events:
            return
        with self._lock:
            entry = self._threads.get((id(saver), thread))
            if entry is None:
                entry = self._threads[(id(saver), thread)] = (saver, deque(maxlen=self.max_runs))
            entry[1].append(events)

    def runs(self, graph: Any, config: Mapping[str, Any] | None) -> list[list[Event]]:
        """The recorded runs of the thread of `config`, oldest first."""
        saver, thread = getattr(graph, "checkpointer", None), thread_of(config)
        with self._lock:
            entry = self._threads.get((id(saver), thread or ""))
            return list(entry[1]) if entry else []

    def recorder(self, graph: Any) -> Callable[[Mapping[str, Any], list[Any]], None]:
        """`record(config, items)`: keeps a run of `graph` (what `ResumeForm(on_events=...)` takes)."""
        return lambda config, items: self.add(graph, config, items)

    def clear(self) -> None:
        with self._lock:
            self._threads.clear()


RECORDINGS = Recordings()
"""Where livegraph's notebook views keep the events of the runs they show."""


# -- what a step shows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayStep:
    """One checkpoint of a thread, as the replay shows it.

    Attributes:
        step: The checkpoint's superstep (0: the input).
        source: `input`, `loop` or `update` (how the checkpoint was made).
        nodes: The nodes whose writes this checkpoint holds (`__start__` for the input).
        writes: `{node: update}`: the results of the previous checkpoint's tasks (for an `update_state`
            checkpoint, the keys it changed, under `update_state`).
        values: The state after the step.
        next: The nodes to run next.
        waiting: The interrupts the thread waited at after this step (answered since, unless it is the
            newest step).
        panels: One record per task of the step: what it streamed when recorded, else its update.
        checkpoint_id: The checkpoint's id.
    """

    step: int
    source: str
    nodes: tuple[str, ...]
    writes: Mapping[str, Any]
    values: Mapping[str, Any]
    next: tuple[str, ...]
    waiting: tuple[Pending, ...]
    panels: tuple[PanelRecord, ...]
    checkpoint_id: str | None = None


def _task_of(ns: tuple[str, ...]) -> str | None:
    return ns[0].split(":", 1)[1] if ns and ":" in ns[0] else None


def split_steps(run: Sequence[Event]) -> dict[int, list[Event]]:
    """The events of `run` by top-level superstep; a subgraph's events go with the step of the task that
    runs the subgraph. The run's own start and end are left out."""
    steps: dict[int, list[Event]] = {}
    task_step: dict[str, int] = {}
    for event in run:
        if not event.ns:
            if event.kind in ("run_start", "run_end", "run_error"):
                continue
            if event.task_id is not None:
                task_step[event.task_id] = event.step
            step: int | None = event.step
        else:
            step = task_step.get(_task_of(event.ns) or "")
        if step is not None:
            steps.setdefault(step, []).append(event)
    return steps


def step_events(run: Sequence[Event], step: int) -> list[Event]:
    """The events of `run` that belong to top-level superstep `step` (with its subgraphs' events)."""
    return split_steps(run).get(step, [])


def pick_events(
    runs: Sequence[Mapping[int, list[Event]]], step: int, values: Mapping[str, Any]
) -> list[Event]:
    """The events of `step` from the recorded run that made this checkpoint: the newest run whose step
    ended with these `values`, else the newest whose step ended, else the newest that reached it.

    Args:
        runs: Each recorded run split by step (`split_steps`), oldest first.
        step: The checkpoint's step.
        values: The checkpoint's state.
    """
    matched: list[Event] | None = None
    ended: list[list[Event]] = []
    reached: list[list[Event]] = []
    for run in runs:
        events = run.get(step, [])
        if not any(e.kind in ("task_start", "chunk", "message") for e in events):
            continue
        reached.append(events)
        ends = [e for e in events if e.kind == "step_end" and not e.ns]
        if ends:
            ended.append(events)
            if ends[-1].data == dict(values):
                matched = events
    if matched is not None:
        return matched
    if ended:
        return ended[-1]
    return reached[-1] if reached else []


def recorded_panels(events: Sequence[Event], formatter: Formatter | None = None) -> list[PanelRecord]:
    """One record per task in `events` (as the live view titles them), with what it streamed; a task that
    streamed nothing notes its update instead."""
    model = RunModel(formatter)
    updates: dict[str, Any] = {}
    for event in events:
        model.apply(event)
        if event.kind == "task_end" and event.task_id is not None:
            updates[event.task_id] = event.data
    records = []
    for key, panel in model.panels.items():
        record = panel.record()
        if not record.text and not record.note and key in updates:
            record = replace(record, note=f"update: {compact_line(updates[key])}")
        records.append(record)
    return records


def written_panels(step: int, writes: Mapping[str, Any]) -> list[PanelRecord]:
    """Records for a step nobody recorded: one per node, noting its update (or the input)."""
    what = "input" if step == 0 else "update"
    return [
        PanelRecord(node, step, "done", "", f"{what}: {compact_line(update)}")
        for node, update in writes.items()
    ]


def replay_steps(
    history: Iterable[StateSnapshot],
    runs: Sequence[Sequence[Event]] = (),
    formatter: Formatter | None = None,
    edits: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[ReplayStep]:
    """The thread's checkpoints, oldest first, as the replay shows them.

    Args:
        history: `graph.get_state_history(config)` (newest first, as it comes).
        runs: Recorded runs of the thread (lists of events), oldest first.
        formatter: As for the live view.
        edits: `{checkpoint_id: {node: update}}` of `update_state` checkpoints (`edits_of`); without it an
            edit shows the keys it changed, under `update_state`.
    """
    snapshots = list(history)[::-1]
    split = [split_steps(run) for run in runs]
    steps = []
    results: dict[str, Any] = {}  # what the previous checkpoint's tasks wrote: this step's writes
    previous: Mapping[str, Any] = {}
    input_source = False
    for snap in snapshots:
        meta = snap.metadata or {}
        if meta.get("source") == "input" and tuple(snap.next) == ("__start__",):
            # The input's own checkpoint (the state before it): the replay shows the input with the
            # checkpoint after it, as one step.
            results, previous, input_source = _results(snap), snap.values, True
            continue
        step = int(meta.get("step", 0))
        source = "input" if input_source else str(meta.get("source", ""))
        checkpoint_id = ((snap.config or {}).get("configurable") or {}).get("checkpoint_id")
        if source == "update":  # an edit by hand
            writes: dict[str, Any] = dict((edits or {}).get(checkpoint_id or "") or {
                "update_state": {k: v for k, v in snap.values.items() if previous.get(k) != v}})
        else:
            writes = dict(results)
        events = pick_events(split, step, snap.values) if step > 0 else []
        panels = recorded_panels(events, formatter) if events else written_panels(step, writes)
        steps.append(
            ReplayStep(
                step=step,
                source=source,
                nodes=tuple(writes),
                writes=writes,
                values=dict(snap.values),
                next=tuple(snap.next),
                waiting=tuple(pending_interrupts(snap)),
                panels=tuple(panels),
                checkpoint_id=checkpoint_id,
            )
        )
        results, previous, input_source = _results(snap), snap.values, False
    return steps


def edits_of(graph: Any, config: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """`{checkpoint_id: {node: update}}` of the thread's `update_state` checkpoints, from a livegraph saver
    (its LangGraph-form checkpoints carry each step's writes); empty for another checkpointer."""
    saver = getattr(graph, "checkpointer", None)
    try:
        tuples = list(saver.list(config, filter={"source": "update"})) if saver is not None else []
    except Exception:  # a checkpointer of another kind: the replay shows what the edits changed instead
        return {}
    out: dict[str, Mapping[str, Any]] = {}
    for t in tuples:
        writes = ((t.checkpoint or {}).get("livegraph") or {}).get("writes")
        if isinstance(writes, Mapping):
            out[t.config["configurable"]["checkpoint_id"]] = writes
    return out


def _results(snap: StateSnapshot) -> dict[str, Any]:
    """`{node: update}` of the tasks that ran from `snap` (LangGraph keeps them on the checkpoint they ran
    from)."""
    return {t.name: t.result for t in snap.tasks if t.result is not None}


def step_states(steps: Sequence[ReplayStep], index: int) -> dict[str, str]:
    """The diagram's node states at step `index`: nodes of earlier steps `done`, this step's `running`
    (lit), interrupts the thread waits at `interrupted` (amber, as in the live view), and `__end__` done
    after the last step of a finished thread."""
    states: dict[str, str] = {}
    for earlier in steps[:index]:
        for node in earlier.nodes:
            states[node] = "done"
    here = steps[index]
    for node in here.nodes:
        states[node] = "running"
    for pending in here.waiting:
        states.setdefault(pending.node, "interrupted")
    if index == len(steps) - 1 and not here.next and here.step > 0:
        states[END] = "done"
    return states


def step_line(steps: Sequence[ReplayStep], index: int) -> str:
    """The step's header: `2/3 · step 1 · loop · write`."""
    here = steps[index]
    parts = [f"{index + 1}/{len(steps)}", f"step {here.step}", here.source or "?"]
    if here.nodes:
        parts.append(", ".join(here.nodes))
    return " · ".join(parts)


def step_html(steps: Sequence[ReplayStep], index: int) -> str:
    """What the panels side shows for step `index` (every text escaped): the header, one panel per task,
    the interrupts waiting, and the state after the step."""
    here = steps[index]
    waiting = "".join(
        f'<div class="lg-replay-waiting" style="{_MONO};color:#ca8a04;margin:0 0 6px 0">'
        f"interrupt at {html.escape(p.node)}: {html.escape(compact_line(p.interrupt.value))}</div>"
        for p in here.waiting
    )
    return (
        f'<div class="lg-replay-step" style="{_FONT}">'
        f'<div class="lg-status" style="margin:0 0 6px 0;color:#64748b">'
        f"{html.escape(step_line(steps, index))}</div>"
        f"{''.join(panel_html(p) for p in here.panels)}{waiting}"
        '<details class="lg-replay-state" open><summary style="cursor:pointer"><b>state after step '
        f"{here.step}</b></summary>"
        f'<pre style="{_MONO};white-space:pre-wrap;word-break:break-word;margin:4px 0 0 0">'
        f"{html.escape(state_text(here.values))}</pre></details></div>"
    )


# -- the widget ------------------------------------------------------------------------------------------


class Replay:
    """Steps through a recorded thread: a slider and Prev / Next buttons, the diagram, and the step.

    Args:
        graph: The compiled graph (with a checkpointer).
        config: The thread's config.
        runs: Recorded runs (lists of events) to take chunks from (default: those `RECORDINGS` has).
        formatter: As for the live view.
        xray: Draw subgraphs expanded.

    Attributes:
        steps: What each step shows.
        slider: The step slider (`slider.value` is the index shown).
        prev, next: The buttons.
    """

    def __init__(
        self,
        graph: Any,
        config: Mapping[str, Any],
        *,
        runs: Sequence[Sequence[Event]] | None = None,
        formatter: Formatter | None = None,
        xray: bool | int = False,
    ) -> None:
        w = require()
        import ipywidgets

        if runs is None:
            runs = RECORDINGS.runs(graph, config)
        self.steps = replay_steps(graph.get_state_history(config), runs, formatter, edits_of(graph, config))
        if not self.steps:
            raise ValueError(
                f"Thread `{thread_of(config)}` has no checkpoints to replay; run it first with "
                "`livegraph.notebook.run(graph, inputs, config)`"
            )
        self._scope = f"lgr{id(self):x}-"
        self._svg, hint = draw(graph, xray, self._scope)
        last = len(self.steps) - 1
        self.slider = ipywidgets.IntSlider(
            value=last, min=0, max=last, description="step", continuous_update=True, readout=False
        )
        self.prev = ipywidgets.Button(description="◀ Prev", layout=ipywidgets.Layout(width="auto"))
        self.next = ipywidgets.Button(description="Next ▶", layout=ipywidgets.Layout(width="auto"))
        self.prev.on_click(lambda _b: self.show(self.slider.value - 1))
        self.next.on_click(lambda _b: self.show(self.slider.value + 1))
        self.diagram = w.DiagramWidget(svg=self._svg or html.escape(hint))
        self.body = ipywidgets.HTML()
        controls = ipywidgets.HBox([self.prev, self.slider, self.next])
        self.widget = w.layout(self.diagram, controls, self.body)
        self.widget.add_class("lg-replay")
        self.slider.observe(lambda change: self._draw(change["new"]), names="value")
        self._draw(last)

    def show(self, index: int) -> None:
        """Show step `index` (clamped to the steps there are)."""
        self.slider.value = max(0, min(index, len(self.steps) - 1))

    def _draw(self, index: int) -> None:
        from .. import render

        if self._svg is not None:
            self.diagram.svg = render.svg_with_states(self._svg, step_states(self.steps, index), self._scope)
        self.body.value = step_html(self.steps, index)
        self.prev.disabled = index == 0
        self.next.disabled = index == len(self.steps) - 1

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # Where widgets do not run: the step shown (the newest, unless moved), as the slider would show it.
        from .. import render

        index = self.slider.value
        here = self.steps[index]
        diagram = ""
        if self._svg is not None:
            svg = render.svg_with_states(self._svg, step_states(self.steps, index), self._scope)
            diagram = f'<img src="{render.svg_data_uri(svg)}" alt="the graph\'s diagram" style="max-width:100%">'
        text = "\n".join(
            [step_line(self.steps, index), *(panel_text(p) for p in here.panels)]
            + [f"interrupt at {p.node}: {compact_line(p.interrupt.value)}" for p in here.waiting]
            + [f"state after step {here.step}:", state_text(here.values)]
        )
        return widget_bundle(self.widget, text, f"<div>{diagram}{step_html(self.steps, index)}</div>")

    def __repr__(self) -> str:
        return f"<Replay {len(self.steps)} steps, showing {self.slider.value}>"


def replay(
    graph: Any,
    config: Mapping[str, Any],
    *,
    runs: Sequence[Sequence[Event]] | None = None,
    formatter: Formatter | None = None,
    xray: bool | int = False,
) -> Replay:
    """A widget that steps through the thread of `config`, from its input to its newest checkpoint (shown
    first). See `Replay`."""
    return Replay(graph, config, runs=runs, formatter=formatter, xray=xray)


__all__ = [
    "MAX_RUNS",
    "RECORDINGS",
    "Recordings",
    "Replay",
    "ReplayStep",
    "as_events",
    "pick_events",
    "recorded_panels",
    "replay",
    "replay_steps",
    "split_steps",
    "step_events",
    "step_html",
    "step_line",
    "step_states",
    "written_panels",
]
