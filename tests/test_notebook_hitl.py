"""The approve / edit / reject form: what it shows and the answer each button sends (plain functions), the
form resuming a real graph without a kernel, and in a real kernel, with the click sent both from a cell
(`button.click()`) and as the browser sends it (a comm message to the button)."""

from __future__ import annotations

import json
import operator
import textwrap
from collections.abc import Iterator
from typing import Annotated, Any, TypedDict

import pytest

from kernel_helpers import Kernel, started_kernel
from livegraph import Command, Interrupt
from livegraph.checkpoint.memory import InMemorySaver
from livegraph.config import get_stream_writer
from livegraph.graph import END, START, StateGraph
from livegraph.types import interrupt

hitl = pytest.importorskip("livegraph.notebook._hitl")
pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

Pending, Decision = hitl.Pending, hitl.Decision
MONO = "font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:12px"


# -- what the form shows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"draft": "Hi <b>", "n": 2}, '{\n  "draft": "Hi <b>",\n  "n": 2\n}'),
        (["a", 1, None], '[\n  "a",\n  1,\n  null\n]'),
        (("t", True), '[\n  "t",\n  true\n]'),
        ("Send the mail?\nyes/no", "Send the mail?\nyes/no"),
        (3.5, "3.5"),
        (None, "null"),
        ({"when": Interrupt("x", "i1")}, '{\n  "when": "Interrupt(value=\'x\', id=\'i1\', response_schema=None)"\n}'),
        ({"naïve": "café"}, '{\n  "naïve": "café"\n}'),
    ],
    ids=repr,
)
def test_the_text_area_is_prefilled_with_the_text_or_pretty_json(value: Any, text: str) -> None:
    assert hitl.value_text(value) == text


def test_the_value_is_shown_escaped_in_a_pre() -> None:
    assert hitl.value_html({"draft": "Hi <b>&"}) == (
        f'<pre class="lg-interrupt-value" style="{MONO};white-space:pre-wrap;word-break:break-word;margin:4px 0;'
        'padding:6px 8px;background:rgba(127,127,127,.08);border-radius:4px">'
        "{\n  &quot;draft&quot;: &quot;Hi &lt;b&gt;&amp;&quot;\n}</pre>"
    )


def test_the_title_names_the_node_and_counts_when_several_wait() -> None:
    one = Pending("review <x>", Interrupt("v", "i1"))
    assert hitl.title_html(one, 0, 1) == (
        '<div class="lg-interrupt-title"><b>Interrupted at <code>review &lt;x&gt;</code></b></div>'
    )
    assert hitl.title_html(one, 1, 2) == (
        '<div class="lg-interrupt-title"><b>Interrupted at <code>review &lt;x&gt;</code></b>'
        ' <span style="color:#64748b">· 2 of 2</span></div>'
    )


# -- what the buttons send -------------------------------------------------------------------------------

DICT = Pending("review", Interrupt({"draft": "Hi", "n": 2}, "i1"))
TEXT = Pending("ask", Interrupt("Send it?", "i2"))


@pytest.mark.parametrize(
    ("pending", "action", "text", "answer"),
    [
        (DICT, "approve", None, {"action": "approve", "value": {"draft": "Hi", "n": 2}}),
        (DICT, "edit", '{"draft": "Hello", "n": 3}', {"action": "edit", "value": {"draft": "Hello", "n": 3}}),
        (DICT, "edit", '"just text"', {"action": "edit", "value": "just text"}),
        (DICT, "reject", "ignored", {"action": "reject"}),
        (TEXT, "approve", "ignored", {"action": "approve", "value": "Send it?"}),
        (TEXT, "edit", "Send it tomorrow", {"action": "edit", "value": "Send it tomorrow"}),
        (TEXT, "reject", None, {"action": "reject"}),
    ],
)
def test_each_button_sends_its_answer(pending: Any, action: str, text: str | None, answer: Any) -> None:
    assert hitl.default_answer(hitl.decide(action, pending, text)) == answer


def test_an_edit_that_is_not_json_says_where_and_what_to_do() -> None:
    with pytest.raises(ValueError) as info:
        hitl.decide("edit", DICT, '{"draft": Hello}')
    assert str(info.value) == (
        "The edited value is not valid JSON (Expecting value: line 1, column 11); "
        'fix it, or quote it as a JSON string ("...")'
    )


def test_an_unknown_action_names_the_right_ones() -> None:
    with pytest.raises(ValueError, match=r"^Unknown action `maybe`; use one of: approve, edit, reject$"):
        hitl.decide("maybe", DICT)


def test_the_command_answers_every_interrupt_by_id() -> None:
    command = hitl.resume_command({"i1": {"action": "reject"}, "i2": True})
    assert command == Command(resume={"i1": {"action": "reject"}, "i2": True})
    with pytest.raises(ValueError, match=r"^No answers to resume with: answer at least one interrupt$"):
        hitl.resume_command({})


def test_status_lines() -> None:
    assert hitl.answered_line(Decision("approve", 1, DICT), 0) == "approved"
    assert hitl.answered_line(Decision("reject", None, DICT), 1) == "rejected · waiting for 1 more answer"
    assert hitl.answered_line(Decision("edit", {"a": 1}, DICT), 2) == (
        "edited: {'a': 1} · waiting for 2 more answers"
    )
    assert hitl.outcome_line("done") == "resumed · done"
    assert hitl.outcome_line("interrupted", "at x") == "resumed · interrupted again"
    assert hitl.outcome_line("error", "ValueError: no") == "resumed · failed: ValueError: no"


# -- the form on a real graph, without a kernel ----------------------------------------------------------


class S(TypedDict, total=False):
    draft: str
    verdict: Any


def review_graph(kind: str = "def", again: bool = False) -> Any:
    def write(state: S) -> dict[str, Any]:
        get_stream_writer()("Hello")
        return {"draft": "Hello world"}

    def review(state: S) -> dict[str, Any]:
        verdict = interrupt({"draft": state["draft"], "question": "ok?"})
        if again and verdict.get("action") == "reject":
            verdict = interrupt("Why?")
        return {"verdict": verdict}

    async def areview(state: S) -> dict[str, Any]:
        return review(state)

    return (
        StateGraph(S)
        .add_node("write", write)
        .add_node("review", review if kind == "def" else areview)
        .add_edge(START, "write")
        .add_edge("write", "review")
        .add_edge("review", END)
        .compile(checkpointer=InMemorySaver())
    )


def started(graph: Any, thread: str = "t") -> dict[str, Any]:
    config = {"configurable": {"thread_id": thread}}
    graph.invoke({"draft": ""}, config)
    return config


def status(form: Any) -> str:
    return str(form.status.value)


def ok(text: str) -> str:
    return f'<div class="lg-form-status" style="{MONO};color:#16a34a">{text}</div>'


@pytest.mark.parametrize("kind", ["def", "async def"])
def test_approve_resumes_the_run_under_the_form(kind: str) -> None:
    graph = review_graph(kind)
    config = started(graph)
    form = hitl.resume_form(graph, config)
    (one,) = form.forms
    assert one.title.value == '<div class="lg-interrupt-title"><b>Interrupted at <code>review</code></b></div>'
    assert one.text.value == '{\n  "draft": "Hello world",\n  "question": "ok?"\n}'
    assert [b.description for b in one.buttons.values()] == ["Approve", "Edit & resume", "Reject"]
    assert repr(form) == "<ResumeForm 1 interrupt(s) at review waiting>"

    one.buttons["approve"].click()

    final = {"draft": "Hello world", "verdict": {"action": "approve", "value": {"draft": "Hello world", "question": "ok?"}}}
    assert form.result == final
    assert graph.get_state(config).values == final
    assert form.phase == "done" and form.error is None and form.next is None
    assert status(one) == ok("resumed · done")
    assert one.text.disabled and all(b.disabled for b in one.buttons.values())
    (record,) = form.output.outputs
    assert record["output_type"] == "display_data"
    assert record["data"]["text/plain"].startswith("done · 2 steps · ")
    assert record["data"]["text/plain"].endswith("\n── review · step 2 · done ──")
    assert '<div class="lg-record"' in record["data"]["text/html"]


def test_edit_sends_the_edited_json_and_a_bad_edit_waits_for_a_fix() -> None:
    graph = review_graph()
    config = started(graph)
    form = hitl.resume_form(graph, config)
    (one,) = form.forms
    one.text.value = '{"draft": "Hi'
    one.buttons["edit"].click()
    assert form.phase == "waiting" and not one.answered and not one.buttons["edit"].disabled
    assert status(one) == (
        f'<div class="lg-form-status" style="{MONO};color:#dc2626">The edited value is not valid JSON '
        "(Unterminated string starting at: line 1, column 11); fix it, or quote it as a JSON string "
        '(&quot;...&quot;)</div>'
    )
    one.text.value = '{"draft": "Hi there"}'
    one.buttons["edit"].click()
    assert graph.get_state(config).values == {"draft": "Hello world", "verdict": {"action": "edit", "value": {"draft": "Hi there"}}}
    assert status(one) == ok("resumed · done")


def test_reject_with_an_answer_of_ones_own() -> None:
    graph = review_graph()
    config = started(graph)
    seen: list[Any] = []

    def to_answer(decision: Any) -> Any:
        seen.append(decision)
        return decision.action != "reject"

    form = hitl.resume_form(graph, config, to_answer=to_answer)
    form.forms[0].buttons["reject"].click()
    assert graph.get_state(config).values == {"draft": "Hello world", "verdict": False}
    assert seen == [Decision("reject", None, form.pending[0])]


def test_an_interrupt_after_resuming_shows_a_new_form_under_the_run() -> None:
    graph = review_graph(again=True)
    config = started(graph)
    form = hitl.resume_form(graph, config)
    form.forms[0].buttons["reject"].click()
    assert form.phase == "interrupted"
    assert status(form.forms[0]) == ok("resumed · interrupted again")
    nxt = form.next
    assert nxt is not None and [p.node for p in nxt.pending] == ["review"]
    assert nxt.pending[0].interrupt.value == "Why?"
    assert nxt.forms[0].text.value == "Why?"
    assert [o["data"].get("application/vnd.jupyter.widget-view+json", {}).get("model_id") for o in form.output.outputs] == [
        None,
        nxt.widget.model_id,
    ]
    nxt.forms[0].text.value = "Too long"
    nxt.forms[0].buttons["edit"].click()
    assert graph.get_state(config).values == {"draft": "Hello world", "verdict": {"action": "edit", "value": "Too long"}}


class Two(TypedDict, total=False):
    out: Annotated[list, operator.add]


def two_graph() -> Any:
    def a(state: Two) -> dict[str, Any]:
        return {"out": [["a", interrupt("A?")]]}

    def b(state: Two) -> dict[str, Any]:
        return {"out": [["b", interrupt(["B", 1])]]}

    return (
        StateGraph(Two).add_node("a", a).add_node("b", b).add_edge(START, "a").add_edge(START, "b")
        .compile(checkpointer=InMemorySaver())
    )


def test_several_interrupts_get_one_form_each_and_resume_together_by_id() -> None:
    graph = two_graph()
    config = {"configurable": {"thread_id": "two"}}
    graph.invoke({"out": []}, config)
    form = hitl.resume_form(graph, config)
    a, b = form.forms
    assert [f.pending.node for f in form.forms] == ["a", "b"]
    assert b.title.value.endswith('<span style="color:#64748b">· 2 of 2</span></div>')
    assert b.text.value == '[\n  "B",\n  1\n]'
    b.text.value = '["B", 2]'
    b.buttons["edit"].click()
    assert form.phase == "waiting"
    assert status(b) == ok("edited: [&#x27;B&#x27;, 2] · waiting for 1 more answer")
    assert graph.get_state(config).next == ("a", "b")
    assert form.command() == Command(resume={b.pending.interrupt.id: {"action": "edit", "value": ["B", 2]}})
    a.buttons["approve"].click()
    assert graph.get_state(config).values == {
        "out": [["a", {"action": "approve", "value": "A?"}], ["b", {"action": "edit", "value": ["B", 2]}]]
    }
    assert status(a) == status(b) == ok("resumed · done")


def test_a_failing_resumed_run_shows_the_error_and_does_not_raise() -> None:
    def review(state: S) -> dict[str, Any]:
        if interrupt("go?")["action"] == "reject":
            raise ValueError("rejected <here>")
        return {}

    graph = (
        StateGraph(S).add_node("review", review).add_edge(START, "review")
        .compile(checkpointer=InMemorySaver())
    )
    config = started(graph)
    form = hitl.resume_form(graph, config)
    form.forms[0].buttons["reject"].click()
    assert form.phase == "error" and isinstance(form.error, ValueError)
    assert status(form.forms[0]) == (
        f'<div class="lg-form-status" style="{MONO};color:#dc2626">resumed · failed: ValueError: rejected &lt;here&gt;</div>'
    )
    assert "rejected &lt;here&gt;" in form.output.outputs[0]["data"]["text/html"]


def test_a_thread_that_waits_at_nothing_has_no_form() -> None:
    graph = review_graph()
    with pytest.raises(ValueError) as info:
        hitl.resume_form(graph, {"configurable": {"thread_id": "never"}})
    assert str(info.value) == (
        "Thread `never` is not waiting at an interrupt, so there is nothing to answer; run it with "
        "`livegraph.notebook.run(graph, inputs, config)` until a node calls `interrupt()`"
    )


def test_a_form_is_used_once() -> None:
    graph = review_graph()
    form = hitl.resume_form(graph, started(graph))
    form.forms[0].buttons["approve"].click()
    form.forms[0].buttons["reject"].click()  # disabled in the page; a second call changes nothing
    assert form.forms[0].decision.action == "approve"
    with pytest.raises(RuntimeError, match=r"^This form was already used \(it is done\); make a new one$"):
        form.resume()


def test_after_a_run_outside_jupyter_the_events_are_kept_and_no_form_is_shown() -> None:
    from livegraph.notebook._replay import RECORDINGS

    graph = review_graph()
    config = {"configurable": {"thread_id": "after"}}
    items = list(graph.stream({"draft": ""}, config, stream_mode="events"))
    assert hitl.after_run(graph, config, items) is None
    (kept,) = RECORDINGS.runs(graph, config)
    assert kept == items
    assert hitl.after_run(graph, None, items) is None  # no thread: nothing to keep or resume


# -- in a real kernel ------------------------------------------------------------------------------------

KERNEL_GRAPH = textwrap.dedent(
    """
    import json
    from typing import Any, TypedDict
    from livegraph.checkpoint.memory import InMemorySaver
    from livegraph.config import get_stream_writer
    from livegraph.graph import END, START, StateGraph
    from livegraph.types import interrupt
    import livegraph.notebook as lgn
    from livegraph.notebook._hitl import resume_form

    class S(TypedDict, total=False):
        draft: str
        verdict: Any

    def write(state):
        for piece in ["Hello", " world"]:
            get_stream_writer()(piece)
        return {"draft": "Hello world"}

    def review(state):
        return {"verdict": interrupt({"draft": state["draft"], "question": "ok?"})}

    def send(state):
        get_stream_writer()("sent: " + json.dumps(state["verdict"]))
        return {}

    graph = (StateGraph(S).add_node("write", write).add_node("review", review).add_node("send", send)
             .add_edge(START, "write").add_edge("write", "review").add_edge("review", "send")
             .add_edge("send", END).compile(checkpointer=InMemorySaver()))
    """
)


@pytest.fixture
def kernel() -> Iterator[Kernel]:
    pytest.importorskip("jupyter_client")
    yield from started_kernel(KERNEL_GRAPH)


FINAL = {"draft": "Hello world", "verdict": {"action": "edit", "value": {"draft": "Hi", "question": "ok?"}}}


WAITING = "Interrupted at review: {'draft': 'Hello world', 'question': 'ok?'} · waiting for an answer"


def start_and_show_the_form(kernel: Kernel) -> str:
    _, msgs, reply = kernel.execute('config = {"configurable": {"thread_id": "k1"}}\nlgn.run(graph, {"draft": ""}, config)')
    assert reply["status"] == "ok", reply
    assert kernel.value("graph.get_state(config).next") == ["review"]
    _, msgs, reply = kernel.execute("form = resume_form(graph, config)\nform")
    assert reply["status"] == "ok", reply
    (shown,) = [m for m in msgs if m["msg_type"] == "display_data"]
    model_id = shown["content"]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
    # What shows where widgets do not run (a notebook opened untrusted, GitHub): the interrupt, in words.
    assert shown["content"]["data"]["text/plain"] == WAITING
    assert model_id == kernel.value("form.widget.model_id")
    return str(model_id)


def assert_resumed(kernel: Kernel) -> None:
    assert kernel.value("graph.get_state(config).values") == FINAL
    assert kernel.value("form.phase") == "done"
    ids = kernel.value(
        '{"status": form.forms[0].status.model_id, "text": form.forms[0].text.model_id, '
        '"buttons": [b.model_id for b in form.forms[0].buttons.values()], "output": form.output.model_id}'
    )
    models = kernel.models
    assert models[ids["status"]]["value"] == ok("resumed · done")
    assert models[ids["text"]]["disabled"] is True
    assert [models[b]["disabled"] for b in ids["buttons"]] == [True, True, True]
    (record,) = models[ids["output"]]["outputs"]
    assert record["output_type"] == "display_data"
    text = record["data"]["text/plain"]
    assert text.startswith("done · 3 steps · ")
    assert text.endswith('\n── review · step 2 · done ──\n── send · step 3 · done ──\nsent: {"action": "edit", "value": {"draft": "Hi", "question": "ok?"}}')
    assert "sent: {&quot;action&quot;: &quot;edit&quot;" in record["data"]["text/html"]


@pytest.mark.kernel
@pytest.mark.timeout(120)
def test_in_a_kernel_a_click_from_the_next_cell_resumes_the_run(kernel: Kernel) -> None:
    start_and_show_the_form(kernel)
    _, msgs, reply = kernel.execute(
        'form.forms[0].text.value = json.dumps({"draft": "Hi", "question": "ok?"})\n'
        'form.forms[0].buttons["edit"].click()'
    )
    assert reply["status"] == "ok", reply
    assert [m for m in msgs if m["msg_type"] in ("error", "stream")] == []
    assert_resumed(kernel)


@pytest.mark.kernel
@pytest.mark.timeout(120)
def test_in_a_kernel_a_click_sent_as_the_page_sends_it_resumes_the_run(kernel: Kernel) -> None:
    start_and_show_the_form(kernel)
    text_id, edit_id = kernel.value('[form.forms[0].text.model_id, form.forms[0].buttons["edit"].model_id]')
    # What ipywidgets' front-end sends: the text area's new value, then the button's click event.
    kernel.send(text_id, {"method": "update", "state": {"value": json.dumps({"draft": "Hi", "question": "ok?"})},
                          "buffer_paths": []})
    msgs = kernel.send(edit_id, {"method": "custom", "content": {"event": "click"}})
    assert [m for m in msgs if m["msg_type"] in ("error", "stream")] == []
    assert_resumed(kernel)


@pytest.mark.kernel
@pytest.mark.timeout(120)
def test_in_a_kernel_the_run_view_hook_shows_the_form_in_the_cell_that_ran(kernel: Kernel) -> None:
    _, msgs, reply = kernel.execute(
        "from livegraph.notebook._hitl import after_run\n"
        'config = {"configurable": {"thread_id": "hook"}}\n'
        'items = list(graph.stream({"draft": ""}, config, stream_mode="events"))\n'
        "form = after_run(graph, config, items)"
    )
    assert reply["status"] == "ok", reply
    (shown,) = [m for m in msgs if m["msg_type"] == "display_data"]
    assert shown["content"]["data"]["text/plain"] == WAITING
    assert shown["content"]["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] == kernel.value(
        "form.widget.model_id"
    )
    # resume_form hands out the form already in the cell, so code can answer what the page shows
    assert kernel.value("resume_form(graph, config) is form") is True
    _, msgs, _ = kernel.execute('form.forms[0].buttons["approve"].click()')
    # The form's display (saved in the notebook) now says what was answered, and carries the resumed run.
    *_, update = [m for m in msgs if m["msg_type"] == "update_display_data"]
    assert update["content"]["transient"]["display_id"] == shown["content"]["transient"]["display_id"]
    text = update["content"]["data"]["text/plain"]
    assert text.startswith(WAITING.replace("waiting for an answer", "answered: approve") + "\ndone · 3 steps · ")
    assert '<img class="lg-record-diagram" src="data:image/svg+xml;base64,' in update["content"]["data"]["text/html"]
    assert kernel.value("graph.get_state(config).values")["verdict"] == {
        "action": "approve", "value": {"draft": "Hello world", "question": "ok?"}
    }
