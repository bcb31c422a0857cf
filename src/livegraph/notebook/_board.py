"""What the browser shows of a run's tasks, and what to send it each refresh within a byte budget.

A run of three nodes shows one panel (a card) per task, as it always did. A lane (the tasks of one node in a
run: `Send` workers, the turns of a loop) with more than `FOLD_AT` tasks folds into one card: a grid of
tiles coloured by state, and one panel that follows the most recently active task (or the one the reader
picked). So the page holds a few elements per lane, and what crosses to the browser per refresh is bounded
by `budget` bytes of text plus a few short operations, whatever the number of tasks or chunks.

`Board.take(update)` turns a `RunModel` update into operations (JSON lists) for `static/board.js`:

    ["status", line]                                  the status line
    ["card", n, title, label, step, state]            a task's own panel (n: its number on the page)
    ["text", n, piece] / ["skip", n, chars]            text appended to card n / left out of the live view
    ["state", n, state, note]                         card n ended
    ["fold", lane, title, [n, ...]]                   cards n... make way for lane card `lane`
    ["tiles", lane, states, i, [[step, count], ...]]  one letter per task of the lane (r d e i s), and its
                                                      steps as runs, from run i on (the runs before i stand)
    ["focus", lane, k, title, label, step, state, note, skipped, text]
                                                      the lane's panel shows its task k (from this text on)
    ["ltext", lane, piece] / ["lskip", lane, chars]   text appended to the lane's panel
    ["lstate", lane, state, note]                     the lane's shown task ended
    ["head", lane, k, title, label, step, state, note, first lines, size]
                                                      what a tile shows when picked

The browser asks for a task with `{"want": [lane, k]}` (the lane's panel then follows that task, with up to
`WANT_CHARS` of its text) and goes back to following with `{"follow": lane}`: `Board.want` / `Board.follow`.
Text left out live (`skip`) is never lost: the model keeps all of it for the record.

Plain data only; `RunView` sends what `take` returns as one custom message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ._format import FOLD_AT, HEAD_CHARS, head_text
from ._model import RunModel, TextPanel, Update

BYTES_PER_SECOND = 400_000
"""The text a view sends per second at most (Jupyter Server drops IOPub traffic above about 1 MB/s)."""

FOCUS_CHARS = 2_000
"""The end of a task's text sent when a lane's panel moves to it on its own."""

WANT_CHARS = 200_000
"""The end of a task's text sent when the reader picks it."""

_LETTER = {"running": "r", "done": "d", "error": "e", "interrupted": "i", "stopped": "s"}

Op = list[Any]


@dataclass(eq=False)
class Lane:
    """One lane on the page: its tasks, and once folded, what its card shows."""

    id: int
    title: str
    keys: list[str] = field(default_factory=list)
    folded: bool = False
    focus: str | None = None
    pinned: str | None = None
    tiles: tuple[str, list[list[int]]] | None = None  # as last sent
    dirty: bool = False


class Board:
    """The tasks' side of a run view (see the module docstring).

    Args:
        model: The run's model (read only).
        budget: Bytes of text per `take` at most (`BYTES_PER_SECOND / refreshes per second`).
        fold_at: A lane folds when it has more tasks than this.
    """

    def __init__(self, model: RunModel, budget: float, fold_at: int = FOLD_AT) -> None:
        self.model = model
        self.budget = budget
        self.fold_at = fold_at
        self.lanes: dict[str, Lane] = {}
        self.cards: dict[str, int] = {}  # task key -> its card's number, while it has a card
        self._where: dict[str, int] = {}  # task key -> its place in its lane
        self._pending: dict[str, str] = {}  # task key -> text not sent yet (cards and lane focuses)
        self._active: dict[str, int] = {}  # task key -> when it last started or grew (a counter)
        self._tick = 0
        self._heads: dict[str, None] = {}  # ordered set of ended folded tasks whose preview is owed
        self._out: list[Op] = []

    # -- what the page should do ---------------------------------------------------------------------

    def take(self, update: Update) -> list[Op]:
        """The operations that carry out `update` on the page, with at most `budget` bytes of text."""
        out = self._out = []
        if update.status is not None:
            out.append(["status", update.status])
        for key, _ in update.opened:
            self._open(self.model.panels[key])
        for key, text in update.appended:
            self._tick += 1
            self._active[key] = self._tick
            if key in self._pending:
                self._pending[key] += text
        for key, state, note in update.changed:
            self._changed(self.model.panels[key], state, note)
        for lane in self.lanes.values():
            if lane.folded and lane.dirty:
                self._refocus(lane)
                self._send_tiles(lane)
                lane.dirty = False
        left = self.budget - sum(size(op) for op in out)
        left = self._send_text(left)
        while self._heads and left > 0:
            key = next(iter(self._heads))
            del self._heads[key]
            op = self._head(self.model.panels[key])
            out.append(op)
            left -= size(op)
        return out

    @property
    def owes(self) -> bool:
        """True while tiles' previews wait for room in the budget (a refresh with no news still sends)."""
        return bool(self._heads)

    def want(self, lane_id: int, k: int) -> list[Op]:
        """The reader picked task `k` of a lane: its panel follows it (with up to `WANT_CHARS` of text)."""
        lane = next((lane for lane in self.lanes.values() if lane.id == lane_id and lane.folded), None)
        if lane is None or not 0 <= k < len(lane.keys):
            return []
        lane.pinned = lane.keys[k]
        self._out = []
        self._focus(lane, lane.pinned, WANT_CHARS)
        return self._out

    def follow(self, lane_id: int) -> list[Op]:
        """The reader let go: the lane's panel follows the most recently active task again."""
        self._out = []
        for lane in self.lanes.values():
            if lane.id == lane_id and lane.pinned is not None:
                lane.pinned = None
                self._refocus(lane)
        return self._out

    def snapshot(self) -> list[Op]:
        """Operations that draw the whole board as it is now on an empty page (every card's whole text)."""
        out: list[Op] = []
        for lane in self.lanes.values():
            if lane.folded:
                out.append(["fold", lane.id, lane.title, []])
                states, runs = tiles(self.model, lane.keys)
                out.append(["tiles", lane.id, states, 0, runs])
                if lane.focus is not None:
                    panel = self.model.panels[lane.focus]
                    out.append(self._focus_op(lane, panel, len(panel.text)))
            else:
                for key in lane.keys:
                    panel = self.model.panels[key]
                    n = self.cards[key]
                    out.append(["card", n, panel.title, panel.label, panel.step, panel.state])
                    out.append(["text", n, panel.text])
                    if panel.state != "running":
                        out.append(["state", n, panel.state, panel.note])
        return sorted(out, key=lambda op: 0 if op[0] in ("card", "fold") else 1)

    # -- the steps of `take` -------------------------------------------------------------------------

    def _open(self, panel: TextPanel) -> None:
        name = panel.lane or panel.key
        lane = self.lanes.get(name)
        if lane is None:
            lane = self.lanes[name] = Lane(len(self.lanes), name)
        self._where[panel.key] = len(lane.keys)
        lane.keys.append(panel.key)
        self._tick += 1
        self._active[panel.key] = self._tick
        if lane.folded:
            lane.dirty = True
        elif len(lane.keys) > self.fold_at:
            cards = [self.cards.pop(key) for key in lane.keys if key in self.cards]
            for key in lane.keys:
                self._pending.pop(key, None)
                if self.model.panels[key].state != "running":
                    self._heads[key] = None
            lane.folded = lane.dirty = True
            self._out.append(["fold", lane.id, lane.title, cards])
        else:
            n = len(self._where) - 1
            self.cards[panel.key] = n
            self._pending[panel.key] = ""
            self._out.append(["card", n, panel.title, panel.label, panel.step, panel.state])

    def _changed(self, panel: TextPanel, state: str, note: str | None) -> None:
        if panel.key in self.cards:
            self._out.append(["state", self.cards[panel.key], state, note])
            return
        lane = self.lanes[panel.lane or panel.key]
        lane.dirty = True
        if state != "running":
            self._heads[panel.key] = None
        if lane.focus == panel.key:
            self._out.append(["lstate", lane.id, state, note])

    def _refocus(self, lane: Lane) -> None:
        """Keep the shown task while it runs (or while picked); else move to the most recently active one
        that runs, or when none runs (a loop's turn that began and ended between two refreshes), to the most
        recently active one."""
        if lane.pinned is not None:
            return
        panels = self.model.panels
        if lane.focus is not None and panels[lane.focus].state == "running":
            return
        running = [key for key in lane.keys if panels[key].state == "running"]
        best = max(running or lane.keys, key=lambda key: self._active.get(key, 0))
        if best != lane.focus:
            self._focus(lane, best, FOCUS_CHARS)

    def _focus(self, lane: Lane, key: str, chars: int) -> None:
        if lane.focus is not None and lane.focus != key:
            self._pending.pop(lane.focus, None)
        lane.focus = key
        self._pending[key] = ""
        self._out.append(self._focus_op(lane, self.model.panels[key], chars))

    def _focus_op(self, lane: Lane, panel: TextPanel, chars: int) -> Op:
        text = panel.text
        shown = text[-chars:] if chars < len(text) else text
        return ["focus", lane.id, self._where[panel.key], panel.title, panel.label, panel.step,
                panel.state, panel.note, len(text) - len(shown), shown]

    def _send_tiles(self, lane: Lane) -> None:
        now = tiles(self.model, lane.keys)
        if now == lane.tiles:
            return
        runs, before = now[1], (lane.tiles[1] if lane.tiles else [])
        same = 0
        while same < min(len(runs), len(before)) and runs[same] == before[same]:
            same += 1
        lane.tiles = (now[0], [list(run) for run in runs])
        self._out.append(["tiles", lane.id, now[0], same, runs[same:]])

    def _send_text(self, left: float) -> float:
        """Append what the shown tasks gained; when it is more than `left`, each gets an equal share and
        the rest of its text is skipped (the oldest part: the reader sees the newest)."""
        owed = [(key, text) for key, text in self._pending.items() if text]
        if not owed:
            return left
        share = max(left, 0.0) / len(owed)
        total = sum(len(text.encode()) for _, text in owed)
        for key, text in owed:
            self._pending[key] = ""
            skipped = 0
            if total > left and len(text.encode()) > share:
                keep = text[-int(share // 4):] if share >= 4 else ""  # UTF-8 takes at most 4 bytes
                skipped, text = len(text) - len(keep), keep
            lane = None if key in self.cards else self.lanes[self.model.panels[key].lane or key]
            if skipped:
                self._out.append(["skip", self.cards[key], skipped] if lane is None else ["lskip", lane.id, skipped])
            if text:
                self._out.append(["text", self.cards[key], text] if lane is None else ["ltext", lane.id, text])
            left -= len(text.encode()) + 24
        return left

    def _head(self, panel: TextPanel) -> Op:
        lane = self.lanes[panel.lane or panel.key]
        return ["head", lane.id, self._where[panel.key], panel.title, panel.label, panel.step, panel.state,
                panel.note, head_text(panel.text, HEAD_CHARS), panel.size]


def tiles(model: RunModel, keys: list[str]) -> tuple[str, list[list[int]]]:
    """A lane's tiles: one state letter per task, and its steps as `[step, count]` runs."""
    states = "".join(_LETTER.get(model.panels[key].state, "s") for key in keys)
    steps: list[list[int]] = []
    for key in keys:
        step = model.panels[key].step
        if steps and steps[-1][0] == step:
            steps[-1][1] += 1
        else:
            steps.append([step, 1])
    return states, steps


def size(op: Op) -> int:
    """About how many bytes an operation takes on the wire."""
    return len(json.dumps(op, ensure_ascii=False, default=str).encode())
