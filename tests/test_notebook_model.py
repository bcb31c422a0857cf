"""The live view's model, from hand-made event lists: one panel per task, titles, node states, the
status line, and coalesced updates that carry only new text (no kernel, no widgets)."""

from __future__ import annotations

from typing import Any

from livegraph import Event, Interrupt, MessageChunk
from livegraph.notebook._model import RunModel, TextPanel, Update


def ev(kind: Any, node: str | None = None, task: str | None = None, *, step: int = 1,
       ns: tuple[str, ...] = (), t: float = 0.0, data: Any = None) -> Event:
    return Event(kind, node, task, step, ns, t, data)


def fold(*events: Event, formatter: Any = None) -> RunModel:
    model = RunModel(formatter)
    for event in events:
        model.apply(event)
    return model


def test_a_run_gives_these_updates() -> None:
    model = RunModel()
    model.apply(ev("run_start", step=0, t=10.0, data={"input": {}}))
    model.apply(ev("step_start", data=["plan"], t=10.0))
    model.apply(ev("task_start", "plan", "p1", t=10.0))
    assert model.take_update(10.5) == Update(
        opened=(("p1", "plan"),),
        states={"__start__": "done", "plan": "running"},
        status="step 1 · running: plan · 0.50 s",
    )
    model.apply(ev("chunk", "plan", "p1", t=10.2, data={"custom_llm_chunk": "Think"}))
    model.apply(ev("chunk", "plan", "p1", t=10.3, data={"custom_llm_chunk": "ing"}))
    model.apply(ev("message", "plan", "p1", t=10.4, data=(MessageChunk(content="."), {})))
    # the status line waits for STATUS_INTERVAL after the last one; the text does not wait
    assert model.take_update(10.6) == Update(appended=(("p1", "Thinking."),))
    assert model.take_update(10.8) == Update(status="step 1 · running: plan · 0.80 s · 3 tokens, 5 tok/s")
    assert model.take_update(10.8) == Update()
    model.apply(ev("task_end", "plan", "p1", t=11.0, data={"plan": "x"}))
    model.apply(ev("step_end", data={}))
    model.apply(ev("step_start", step=2, data=["write", "write"]))
    model.apply(ev("task_start", "write", "w1", step=2))
    model.apply(ev("task_start", "write", "w2", step=2))
    model.apply(ev("chunk", "write", "w2", step=2, data="b"))
    model.apply(ev("chunk", "write", "w1", step=2, data="a"))
    model.apply(ev("chunk", "write", "w2", step=2, data={"progress": 1}))
    model.apply(ev("task_error", "write", "w2", step=2, t=11.5, data=ValueError("boom")))
    model.apply(ev("run_error", step=2, t=12.0, data=ValueError("boom")))
    assert model.take_update(99.0) == Update(
        opened=(("w1", "write #1"), ("w2", "write #2")),
        appended=(("w2", "b\n{'progress': 1}\n"), ("w1", "a")),
        changed=(("p1", "done", None), ("w2", "error", "ValueError: boom"), ("w1", "stopped", None)),
        states={"__start__": "done", "plan": "done", "write": "error"},
        status="error · in write #2: ValueError: boom · 2 steps · 2.0 s · 5 tokens, 3 tok/s",
    )
    assert [p.record() for p in model.panels.values()] == model.records()
    assert [(r.title, r.step, r.state, r.text, r.note) for r in model.records()] == [
        ("plan", 1, "done", "Thinking.", None),
        ("write #1", 2, "stopped", "a", None),
        ("write #2", 2, "error", "b\n{'progress': 1}\n", "ValueError: boom"),
    ]


def test_ten_thousand_chunks_coalesce_into_one_message_per_refresh() -> None:
    model = fold(ev("step_start", data=["talk"]), ev("task_start", "talk", "t1"))
    model.take_update(0.0)
    sent: list[str] = []
    for i in range(10_000):
        model.apply(ev("chunk", "talk", "t1", data=f"{i},"))
        if i % 1000 == 999:
            update = model.take_update(0.0)
            assert [key for key, _ in update.appended] == ["t1"]
            sent.append(update.appended[0][1])
    assert sent == ["".join(f"{i}," for i in range(k, k + 1000)) for k in range(0, 10_000, 1000)]
    assert model.panels["t1"].text == "".join(sent)
    assert model.tokens == 10_000
    assert len(model.panels["t1"]._parts) == 10  # one piece per refresh, not per chunk


def test_text_panel_puts_lines_on_their_own_line() -> None:
    panel = TextPanel("k", "t")
    panel.add("{'a': 1}", line=True)
    panel.add("text")
    panel.add("{'b': 2}", line=True)
    panel.add("more\n")
    panel.add("{'c': 3}", line=True)
    panel.add("")
    assert panel.text == "{'a': 1}\ntext\n{'b': 2}\nmore\n{'c': 3}\n"
    assert panel.size == len(panel.text)
    assert panel.take() == panel.text
    assert panel.take() == ""


def test_send_workers_and_parallel_branches_get_their_own_numbered_panels() -> None:
    model = fold(
        ev("step_start", data=["a", "fan", "fan", "fan"]),
        ev("task_start", "a", "ta"),
        ev("task_start", "fan", "f1"),
        ev("task_start", "fan", "f2"),
        ev("task_start", "fan", "f3"),
        ev("step_start", step=2, data=["fan"]),
        ev("task_start", "fan", "f4", step=2),
    )
    assert [p.title for p in model.panels.values()] == ["a", "fan #1", "fan #2", "fan #3", "fan"]


def test_subgraph_tasks_are_titled_by_their_path_and_lit_in_the_cluster() -> None:
    inner = ("outer:t0",)
    model = fold(
        ev("step_start", data=["outer"]),
        ev("task_start", "outer", "t0"),
        ev("step_start", ns=inner, data=["leaf", "leaf"]),
        ev("task_start", "leaf", "l1", ns=inner),
        ev("task_start", "leaf", "l2", ns=inner),
        ev("task_end", "leaf", "l1", ns=inner),
        ev("run_end", ns=inner, data={}),
    )
    assert [p.title for p in model.panels.values()] == ["outer", "outer › leaf #1", "outer › leaf #2"]
    assert model.step == 1 and model.phase == "running"
    assert model.node_states() == {
        "__start__": "done", "outer:__end__": "done", "outer": "running", "outer:leaf": "running"
    }


def test_node_states_rank_error_over_running_over_done() -> None:
    model = fold(
        ev("step_start", data=["a", "a", "b", "b"]),
        ev("task_start", "a", "a1"), ev("task_start", "a", "a2"),
        ev("task_start", "b", "b1"), ev("task_start", "b", "b2"),
        ev("task_end", "a", "a1"), ev("task_error", "b", "b1", data=RuntimeError()),
    )
    assert model.node_states() == {"__start__": "done", "a": "running", "b": "error"}


def test_an_interrupted_run() -> None:
    model = fold(
        ev("run_start", step=0, t=1.0),
        ev("step_start", data=["review"]),
        ev("task_start", "review", "r1"),
        ev("task_end", "review", "r1"),
        ev("interrupt", t=2.0, data=(Interrupt(value={"draft": "x"}, id="i1"), Interrupt(value="ok?", id="i2"))),
        ev("run_end", t=3.0, data={"draft": "x"}),
    )
    assert model.phase == "interrupted"
    assert model.final_state == {"draft": "x"}
    assert model.take_update(50.0).status == "interrupted · {'draft': 'x'}; 'ok?' · 1 step · 2.0 s"


def test_an_interrupt_that_names_its_task_says_where() -> None:
    model = fold(
        ev("step_start", data=["review"]),
        ev("task_start", "review", "r1"),
        ev("interrupt", "review", "r1", data=(Interrupt(value="approve?"),)),
    )
    assert model.panels["r1"].state == "interrupted"
    assert model.node_states() == {"__start__": "done", "review": "interrupted"}  # amber, as its panel
    assert model.status(0.0).problem == "at review: 'approve?'"


def test_interrupt_before_a_node_has_no_value() -> None:
    model = fold(ev("step_start", data=["a"]), ev("interrupt", data=()), ev("run_end", data={}))
    assert (model.phase, model.problem) == ("interrupted", None)


def test_a_finished_run_marks_the_end_node_and_freezes_the_clock() -> None:
    model = fold(
        ev("run_start", step=0, t=1.0),
        ev("step_start", data=["a"]), ev("task_start", "a", "a1"), ev("task_end", "a", "a1"),
        ev("run_end", t=4.0, data={"k": 1}),
    )
    assert model.node_states() == {"__start__": "done", "a": "done", "__end__": "done"}
    assert model.status(100.0).elapsed == 3.0
    assert (model.phase, model.final_state) == ("done", {"k": 1})


def test_stopping_before_the_end() -> None:
    model = fold(ev("run_start", step=0, t=1.0), ev("step_start", data=["a"]), ev("task_start", "a", "a1"))
    model.stop(2.0)
    model.stop(9.0)
    assert model.phase == "stopped" and model.panels["a1"].state == "stopped"
    assert model.take_update(9.0).status == "stopped · 1 step · 1.0 s"


def test_a_blocked_event_loop_shows_in_the_panel() -> None:
    model = fold(ev("task_start", "slow", "s1"), ev("chunk", "slow", "s1", data="x"),
                 ev("loop_blocked", "slow", "s1", data={"seconds": 0.8, "over": False}))
    assert model.panels["s1"].text == "x\n⚠ blocked the event loop for 0.80 s\n"


def test_chunks_of_a_task_never_started_still_get_a_panel() -> None:
    model = fold(ev("chunk", "late", None, step=3, data="hi"))
    assert [(p.title, p.step, p.text) for p in model.panels.values()] == [("late", 3, "hi")]


def test_the_formatter_sees_the_chunk_and_the_message() -> None:
    seen: list[Any] = []

    def mine(chunk: Any) -> str | None:
        seen.append(chunk)
        return None

    message = MessageChunk(content="m")
    fold(ev("chunk", "a", "t", data={"x": 1}), ev("message", "a", "t", data=(message, {})), formatter=mine)
    assert seen == [{"x": 1}, message]
