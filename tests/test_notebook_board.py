"""The tasks' board of a run view, without a kernel: cards for a few tasks, tiles and one followed panel
for a node with many, and a byte budget per refresh that text never exceeds (the record keeps it all)."""

from __future__ import annotations

import json
from typing import Any

from livegraph import Event
from livegraph.notebook._board import FOCUS_CHARS, Board, size
from livegraph.notebook._model import RunModel

PUSH = {"triggers": ("__pregel_push",)}


def ev(kind: Any, node: str | None = None, task: str | None = None, *, step: int = 1, data: Any = None) -> Event:
    return Event(kind, node, task, step, (), 0.0, data)


def board(budget: float = 20_000, fold_at: int = 3) -> tuple[RunModel, Board]:
    model = RunModel()
    return model, Board(model, budget, fold_at)


def take(model: RunModel, b: Board, *events: Event) -> list[list[Any]]:
    for event in events:
        model.apply(event)
    return b.take(model.take_update(0.0))


def test_a_few_tasks_get_a_card_each_with_their_send_label() -> None:
    model, b = board()
    ops = take(model, b, ev("step_start", data=["w", "w"]),
               ev("task_start", "w", "a", data={"input": {"topic": "cats"}, **PUSH}),
               ev("task_start", "w", "b", data={"input": {"topic": "dogs"}, **PUSH}),
               ev("chunk", "w", "b", data="woof"))
    assert ops == [["status", "step 1 · running: w #1, w #2 · < 1 ms · 1 token"],
                   ["card", 0, "w #1", "topic='cats'", 1, "running"], ["card", 1, "w #2", "topic='dogs'", 1, "running"],
                   ["text", 1, "woof"]]
    assert take(model, b, ev("task_end", "w", "a")) == [["status", "step 1 · running: w #2 · < 1 ms · 1 token"],
                                                         ["state", 0, "done", None]]


def test_loop_turns_fold_into_one_lane_that_follows_the_newest_turn() -> None:
    model, b = board(fold_at=2)
    ops: list[list[Any]] = []
    for turn in range(1, 4):
        ops += take(model, b, ev("step_start", step=turn, data=["agent"]), ev("task_start", "agent", f"t{turn}", step=turn),
                    ev("chunk", "agent", f"t{turn}", step=turn, data=f"turn {turn}"))
        ops += take(model, b, ev("task_end", "agent", f"t{turn}", step=turn))
    ops = [op for op in ops if op[0] != "status"]
    assert ops == [
        ["card", 0, "agent", None, 1, "running"], ["text", 0, "turn 1"], ["state", 0, "done", None],
        ["card", 1, "agent", None, 2, "running"], ["text", 1, "turn 2"], ["state", 1, "done", None],
        ["fold", 0, "agent", [0, 1]],
        ["focus", 0, 2, "agent", None, 3, "running", None, 0, "turn 3"],
        ["tiles", 0, "ddr", 0, [[1, 1], [2, 1], [3, 1]]],
        ["head", 0, 0, "agent", None, 1, "done", None, "turn 1", 6],
        ["head", 0, 1, "agent", None, 2, "done", None, "turn 2", 6],
        ["lstate", 0, "done", None], ["tiles", 0, "ddd", 3, []],
        ["head", 0, 2, "agent", None, 3, "done", None, "turn 3", 6],
    ]
    assert b.want(0, 0) == [["focus", 0, 0, "agent", None, 1, "done", None, 0, "turn 1"]]
    assert b.want(0, 7) == []
    assert b.follow(0) == [["focus", 0, 2, "agent", None, 3, "done", None, 0, "turn 3"]]  # the newest turn


def test_a_firehose_is_cut_to_the_budget_and_the_newest_text_is_kept() -> None:
    model, b = board(budget=1_000)
    take(model, b, ev("step_start", data=["talk"]), ev("task_start", "talk", "t"))
    text = "".join(f"{i:05d}" for i in range(2_000))  # 10,000 characters in one refresh
    ops = take(model, b, *(ev("chunk", "talk", "t", data=text[i : i + 5]) for i in range(0, len(text), 5)))
    assert sum(size(op) for op in ops) <= 1_100
    (skip, piece) = [op for op in ops if op[0] in ("skip", "text")]
    assert skip == ["skip", 0, len(text) - len(piece[2])] and text.endswith(piece[2])
    assert model.panels["t"].text == text  # the record has it all


def test_many_running_workers_keep_the_shown_one_until_it_ends() -> None:
    model, b = board(fold_at=2)
    take(model, b, ev("step_start", data=["w"] * 5), *(ev("task_start", "w", f"w{i}", data=PUSH) for i in range(5)))
    ops = take(model, b, ev("chunk", "w", "w1", data="x" * (FOCUS_CHARS + 10)), ev("chunk", "w", "w3", data="y"))
    assert [op for op in ops if op[0] != "status"] == []  # w4 (the newest) is shown and said nothing
    ops = take(model, b, ev("task_end", "w", "w4"))
    focus = next(op for op in ops if op[0] == "focus")
    assert focus[:3] == ["focus", 0, 3] and focus[-1] == "y"  # the one that wrote last
    ops = take(model, b, ev("task_end", "w", "w3"))
    focus = next(op for op in ops if op[0] == "focus")
    assert focus[2] == 1 and focus[-2:] == [10, "x" * FOCUS_CHARS]  # only the end of a long text
    assert json.dumps(b.snapshot())  # plain data


def test_turns_that_begin_and_end_between_two_refreshes_are_still_followed() -> None:
    model, b = board(fold_at=2)
    for turn in range(1, 6):
        ops = take(model, b, ev("step_start", step=turn, data=["tool"]), ev("task_start", "tool", f"t{turn}", step=turn),
                   ev("chunk", "tool", f"t{turn}", step=turn, data=f"result {turn}"),
                   ev("task_end", "tool", f"t{turn}", step=turn))
    focus = [op for op in ops if op[0] == "focus"]
    assert focus == [["focus", 0, 4, "tool", None, 5, "done", None, 0, "result 5"]]
