"""The state of a live run view, built from `livegraph.Event`s, and what changed since the last refresh.

`RunModel.apply` folds one event in (one panel per task, node states, step, tokens); `take_update` says
what the view must send: new panels, only the text added since the last call, changed states, and the
status line when it reads differently. Plain data only: the widgets just carry out an `Update`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from livegraph import END, START, Event, MessageChunk
from livegraph._engine._messages import echoed

from ._format import (
    STREAM_MODES,
    Formatter,
    PanelRecord,
    PanelState,
    Phase,
    Status,
    compact_line,
    error_note,
    format_chunk,
    node_path,
    panel_title,
    send_label,
    status_line,
)


def event_of(item: Any, caller: str) -> Event | None:
    """The event in an item of `graph.stream(..., stream_mode="events")`, whatever its shape (bare, with
    `subgraphs=True`, among several modes); None for another mode's item. TypeError for anything else."""
    if isinstance(item, Event):
        return item
    if isinstance(item, tuple) and item:
        if isinstance(item[-1], Event):
            return item[-1]
        if len(item) >= 2 and item[-2] in STREAM_MODES:
            return None
    raise TypeError(
        f"{caller} takes events, not {type(item).__name__}: stream with "
        '`graph.stream(inputs, stream_mode="events")`, or show plain chunks with `Panel().append(chunk)`'
    )


class Once:
    """Lets each piece of an LLM reply through once, whatever modes it travelled through.

    The LLM adapters with `custom=...` write a piece as a `MessageChunk` (to `messages`) and then as its
    echo (to `custom`); a consumer fed both sees the first of the two and skips the other. Pieces are
    matched by identity, and only the latest `KEEP` are remembered (an echo follows its message at once).
    """

    KEEP = 64

    def __init__(self) -> None:
        self._seen: dict[int, tuple[MessageChunk, bool]] = {}  # id(piece) -> (piece, seen as its echo)

    def new(self, payload: Any) -> bool:
        """Whether `payload` (a message chunk or a `custom` chunk) has text not shown yet."""
        piece = echoed(payload)
        as_echo = piece is not None
        if piece is None:
            if not isinstance(payload, MessageChunk):
                return True
            piece = payload
        key = id(piece)
        seen = self._seen.get(key)
        if seen is not None and seen[0] is piece and seen[1] != as_echo:
            del self._seen[key]
            return False
        self._seen[key] = (piece, as_echo)
        if len(self._seen) > self.KEEP:
            del self._seen[next(iter(self._seen))]
        return True


def incomplete_line(payload: Any) -> str | None:
    """The line a panel shows under a reply the model did not finish (the LLM adapters' last piece says
    so in `response_metadata["incomplete"]`), else None."""
    if isinstance(payload, MessageChunk):
        why = payload.response_metadata.get("incomplete")
        if why:
            return f"⚠ incomplete: {why}"
    return None


@dataclass(eq=False)
class TextPanel:
    """The text of one panel, kept as pieces; `take()` hands out what was added since the last call.

    Attributes:
        key: The task id (any unique string for a panel fed by hand).
        title: What the panel's header says.
        step: The superstep the task ran in.
        path: The node's id in the diagram, None for a panel fed by hand.
        state: `running` until the task ends.
        note: The error (or other remark) shown under the text.
        size: The number of characters so far.
        label: A `Send` worker's argument, short (which input it handles), else None.
        lane: The panels of one node in one run (its title without `#k`): `Send` workers, loop turns.
    """

    key: str
    title: str
    step: int = 0
    path: str | None = None
    state: PanelState = "running"
    note: str | None = None
    size: int = 0
    label: str | None = None
    lane: str = ""
    _parts: list[str] = field(default_factory=list)
    _sent: int = 0
    _last: str = ""

    def add(self, text: str, line: bool = False) -> None:
        """Append `text`; a `line` goes on a line of its own."""
        if line:
            text = ("\n" if self._last and not self._last.endswith("\n") else "") + text + "\n"
        if text:
            self._parts.append(text)
            self._last = text
            self.size += len(text)

    def take(self) -> str:
        """The text added since the last `take()` (pieces are merged, so the list stays short)."""
        if self._sent == len(self._parts):
            return ""
        new = "".join(self._parts[self._sent :])
        self._parts[self._sent :] = [new]
        self._sent = len(self._parts)
        return new

    @property
    def text(self) -> str:
        """All the text so far."""
        return "".join(self._parts)

    def record(self) -> PanelRecord:
        return PanelRecord(self.title, self.step, self.state, self.text, self.note, self.label)


@dataclass(frozen=True)
class Update:
    """What a refresh sends, in this order.

    Attributes:
        opened: `(key, title)` of each panel opened since the last refresh, in start order.
        appended: `(key, text)`: the text each panel gained (only panels that gained some).
        changed: `(key, state, note)` of each panel whose state or note changed.
        states: The diagram's node states, when they differ from the last ones sent, else None.
        status: The status line, when it reads differently from the last one sent, else None.
    """

    opened: tuple[tuple[str, str], ...] = ()
    appended: tuple[tuple[str, str], ...] = ()
    changed: tuple[tuple[str, PanelState, str | None], ...] = ()
    states: dict[str, str] | None = None
    status: str | None = None

    def __bool__(self) -> bool:
        return bool(self.opened or self.appended or self.changed or self.states is not None or self.status)


_DIAGRAM_STATE: dict[PanelState, str] = {
    "running": "running",
    "done": "done",
    "error": "error",
    "interrupted": "interrupted",
    "stopped": "pending",
}
_PRIORITY = {"error": 4, "interrupted": 3, "running": 2, "pending": 1, "done": 0}

STATUS_INTERVAL = 0.25
"""Seconds between two status lines while the run goes on (its clock and counters change every refresh;
four a second reads as live). A line whose tasks opened or ended, or a finished run's, is sent at once, in
the same update as the panels it describes."""


class RunModel:
    """Everything the live view of one run shows, folded from its events.

    Not thread-safe on purpose: producers queue events, and the one refresh loop applies them.
    """

    def __init__(self, formatter: Formatter | None = None) -> None:
        self.formatter = formatter
        self.panels: dict[str, TextPanel] = {}
        self.lanes: dict[str, list[str]] = {}  # lane -> its panels' keys, in start order
        self.phase: Phase = "running"
        self.step = 0
        self.tokens = 0
        self.first_token: float | None = None
        self.started: float | None = None
        self.ended: float | None = None
        self.final_state: Any = None
        self.problem: str | None = None
        self._once = Once()
        self._asked: dict[str, tuple[Any, ...]] = {}  # task id -> the interrupts it stopped at
        self._step_names: dict[tuple[str, ...], Counter[str]] = {}
        self._step_seen: dict[tuple[str, ...], Counter[str]] = {}
        self._ends: dict[str, str] = {}  # START / END of subgraphs that ran: `outer:__start__` -> done
        self._opened: list[str] = []
        self._grown: dict[str, None] = {}  # an ordered set
        self._changed: dict[str, None] = {}
        self._states_sent: dict[str, str] = {}
        self._status_sent = ""
        self._status_at = float("-inf")

    # -- folding events in ---------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Fold one event into the model."""
        if self.started is None:
            self.started = event.time
        if not event.ns and event.step > self.step:
            self.step = event.step
        kind = event.kind
        if kind == "chunk" or kind == "message":
            payload = event.data[0] if kind == "message" else event.data
            if not self._once.new(payload):
                return
            note = incomplete_line(payload)
            if note is not None:
                self._add(self._panel(event), note, True)
                return
            text, line = format_chunk(payload, self.formatter)
            self._add(self._panel(event), text, line)
            if text and not line:
                self.tokens += 1
                if self.first_token is None:
                    self.first_token = event.time
        elif kind == "task_start":
            panel = self._panel(event)
            start = event.data if isinstance(event.data, dict) else {}
            if "__pregel_push" in (start.get("triggers") or ()):
                panel.label = send_label(start.get("input"))
        elif kind == "task_end":
            self._set(self._panel(event), "done")
        elif kind == "task_error":
            self._set(self._panel(event), "error", error_note(event.data))
        elif kind == "step_start":
            self._step_names[event.ns] = Counter(event.data or ())
            self._step_seen[event.ns] = Counter()
        elif kind == "loop_blocked" and (event.task_id or event.node):
            seconds = (event.data or {}).get("seconds", 0.0)
            self._add(self._panel(event), f"⚠ blocked the event loop for {seconds:.2f} s", True)
        elif kind == "interrupt" and not event.ns:
            # The run still ends with `run_end`, which gives the time and the state.
            self.phase = "interrupted"
            if event.task_id is not None:
                self._asked[event.task_id] = tuple(event.data or ())
            values = "; ".join(compact_line(getattr(i, "value", i), 80) for i in event.data or ())
            where = f"at {self._where(event)}" if event.node or event.task_id else ""
            self.problem = ": ".join(part for part in (where, values) if part) or None
            self._close_running("interrupted")
        elif (kind == "run_start" or kind == "run_end") and event.ns:
            self._ends[node_path(START if kind == "run_start" else END, event.ns)] = "done"
        elif kind == "run_end":
            self.final_state = event.data
            self._end(event, "done" if self.phase == "running" else self.phase)
        elif kind == "run_error" and not event.ns:
            failed = [p.title for p in self.panels.values() if p.state == "error"]
            where = f"in {failed[0]}: " if failed else ""
            self.problem = where + error_note(event.data)
            self._end(event, "error")

    def stop(self, now: float) -> None:
        """The view stops before the run ended (the loop was left, or the kernel interrupted)."""
        if self.phase == "running":
            self.phase = "stopped"
            self.ended = now
            self._close_running("stopped")

    def _panel(self, event: Event) -> TextPanel:
        key = event.task_id or f"{event.node}@{event.step}:{'/'.join(event.ns)}"
        panel = self.panels.get(key)
        if panel is None:
            node = event.node or "?"
            index = 0
            if self._step_names.get(event.ns, Counter())[node] > 1:
                seen = self._step_seen.setdefault(event.ns, Counter())
                seen[node] += 1
                index = seen[node]
            lane = panel_title(node, event.ns)
            title = panel_title(node, event.ns, index)
            panel = TextPanel(key, title, event.step, node_path(node, event.ns), lane=lane)
            self.panels[key] = panel
            self.lanes.setdefault(lane, []).append(key)
            self._opened.append(key)
        return panel

    def _add(self, panel: TextPanel, text: str, line: bool) -> None:
        panel.add(text, line)
        self._grown[panel.key] = None

    def _set(self, panel: TextPanel, state: PanelState, note: str | None = None) -> None:
        panel.state = state
        if note is not None:
            panel.note = note
        self._changed[panel.key] = None

    def _where(self, event: Event) -> str:
        panel = self.panels.get(event.task_id or "")
        return panel.title if panel is not None else event.node or "?"

    def _end(self, event: Event, phase: Phase) -> None:
        self.phase = phase
        self.ended = event.time
        self._close_running("stopped")

    def _close_running(self, state: PanelState) -> None:
        for panel in self.panels.values():
            if panel.state == "running":
                self._set(panel, state)

    # -- reading it out ------------------------------------------------------------------------------

    @property
    def output(self) -> Any:
        """What `graph.invoke` returns for this run: the final state, plus `__interrupt__` (the interrupts
        in task order) when the run stopped at `interrupt()`."""
        asked = [i for key in self.panels if key in self._asked for i in self._asked[key]]
        if asked and isinstance(self.final_state, dict):
            return {**self.final_state, "__interrupt__": asked}
        return self.final_state

    def status(self, now: float) -> Status:
        """The status at time `now` (a `time.monotonic()` value, as event times are)."""
        start = self.started if self.started is not None else now
        end = self.ended if self.ended is not None else now
        running = tuple(p.title for p in self.panels.values() if p.state == "running")
        streaming = max(0.0, end - self.first_token) if self.first_token is not None else 0.0
        return Status(self.phase, self.step, running, max(0.0, end - start), self.tokens, self.problem, streaming)

    def node_states(self) -> dict[str, str]:
        """Diagram path -> `running` / `done` / `error` / `interrupted` / `pending`, for every node that has run."""
        states: dict[str, str] = {START: "done"} if self.started is not None else {}
        states.update(self._ends)
        for panel in self.panels.values():
            if panel.path is None:
                continue
            state = _DIAGRAM_STATE[panel.state]
            old = states.get(panel.path)
            if old is None or _PRIORITY[state] > _PRIORITY[old]:
                states[panel.path] = state
        if self.phase == "done":
            states[END] = "done"
        return states

    def records(self) -> list[PanelRecord]:
        """Every panel, in start order, for the static record."""
        return [panel.record() for panel in self.panels.values()]

    def take_update(self, now: float) -> Update:
        """What changed since the last call; marks it all as sent."""
        opened = tuple((key, self.panels[key].title) for key in self._opened)
        appended = tuple((key, text) for key in self._grown if (text := self.panels[key].take()))
        changed = tuple((key, self.panels[key].state, self.panels[key].note) for key in self._changed)
        self._opened.clear()
        self._grown.clear()
        self._changed.clear()
        states = self.node_states()
        new_states = None if states == self._states_sent else states
        self._states_sent = states
        status: str | None = None
        # Sent with the panels it describes (a task opened or ended), else at most every STATUS_INTERVAL.
        if opened or changed or self.phase != "running" or now - self._status_at >= STATUS_INTERVAL:
            status = status_line(self.status(now))
            if status == self._status_sent:
                status = None
            else:
                self._status_sent, self._status_at = status, now
        return Update(opened, appended, changed, new_states, status)
