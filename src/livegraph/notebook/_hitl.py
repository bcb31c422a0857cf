"""Answering a run that stopped at `interrupt()`: an approve / edit / reject form per pending interrupt,
which resumes the run in the cell with `Command(resume=...)` and streams it live under the form.

    from livegraph.notebook._hitl import resume_form

    state = lgn.run(graph, inputs, config)     # stops at interrupt(...)
    resume_form(graph, config)                 # shows the form; a click resumes the run

What a button sends (the default `to_answer`, `default_answer`):

- Approve: `{"action": "approve", "value": <the interrupt's value, as given>}`
- Edit & resume: `{"action": "edit", "value": <the text area, parsed as JSON unless the value was a str>}`
- Reject: `{"action": "reject"}`

Pass `to_answer(decision) -> answer` to send something else (for example `True` / `False`). The run is
resumed once every pending interrupt has an answer, always by interrupt id
(`Command(resume={interrupt_id: answer, ...})`), so one form or several resume the same way.

What the form shows and sends is plain functions of plain data; the widgets (`ResumeForm`) only carry
them out. ipywidgets is imported when a form is made.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

from livegraph import Command, Interrupt, StateSnapshot

from ._format import Formatter, compact_line, error_note
from ._langgraph import stream_events
from ._view import RunView, require, widget_bundle

Action = Literal["approve", "edit", "reject"]
ACTIONS: tuple[Action, ...] = ("approve", "edit", "reject")
BUTTON_LABELS: dict[Action, str] = {"approve": "Approve", "edit": "Edit & resume", "reject": "Reject"}
DONE_WORDS: dict[Action, str] = {"approve": "approved", "edit": "edited", "reject": "rejected"}

_MONO = "font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:12px"


@dataclass(frozen=True)
class Pending:
    """One interrupt a thread waits at.

    Attributes:
        node: The node that called `interrupt()`.
        interrupt: What it raised (`value`, `id`).
    """

    node: str
    interrupt: Interrupt


@dataclass(frozen=True)
class Decision:
    """What the user decided for one interrupt: what `to_answer` turns into the resume value.

    Attributes:
        action: `approve`, `edit` or `reject`.
        value: For `approve` the interrupt's value; for `edit` the edited value; for `reject` None.
        pending: The interrupt answered (and the node that raised it).
    """

    action: Action
    value: Any
    pending: Pending


FormPhase = Literal["waiting", "resuming", "done", "interrupted", "error", "stopped"]
"""Where a form is: `waiting` for answers, `resuming`, then how the resumed run ended."""

ToAnswer = Callable[[Decision], Any]
"""`to_answer(decision) -> answer`: the value `interrupt()` returns in the node for a decision."""


# -- what the form shows ---------------------------------------------------------------------------------


def pending_interrupts(snapshot: StateSnapshot) -> list[Pending]:
    """The interrupts `snapshot` waits at, in task order, each with the node that raised it."""
    found = [Pending(task.name, i) for task in snapshot.tasks for i in task.interrupts]
    seen = {p.interrupt.id for p in found}
    found += [Pending("?", i) for i in snapshot.interrupts if i.id not in seen]
    return found


def is_text(value: Any) -> bool:
    """True when the interrupt's value is edited as plain text (a `str`); anything else is edited as JSON."""
    return isinstance(value, str)


def value_text(value: Any) -> str:
    """The value as the text area shows it: a `str` as it is, anything else as indented JSON (values JSON
    cannot hold, such as objects, appear as their `repr` string)."""
    if is_text(value):
        return str(value)
    return json.dumps(value, indent=2, ensure_ascii=False, default=repr)


def value_html(value: Any) -> str:
    """The interrupt's value for the form: a `<pre>` with the text (or pretty JSON), escaped."""
    return (
        f'<pre class="lg-interrupt-value" style="{_MONO};white-space:pre-wrap;word-break:break-word;'
        'margin:4px 0;padding:6px 8px;background:rgba(127,127,127,.08);border-radius:4px">'
        f"{html.escape(value_text(value))}</pre>"
    )


def title_html(pending: Pending, index: int, count: int) -> str:
    """The form's header: `Interrupted at review` (with `· 1 of 2` when several wait)."""
    tail = f' <span style="color:#64748b">· {index + 1} of {count}</span>' if count > 1 else ""
    return f'<div class="lg-interrupt-title"><b>Interrupted at <code>{html.escape(pending.node)}</code></b>{tail}</div>'


# -- what the buttons send -------------------------------------------------------------------------------


def parse_edit(text: str, original: Any) -> Any:
    """The edited value: the text itself when the original value was a `str`, else the text parsed as JSON.

    Raises:
        ValueError: The text is not valid JSON (the message says where, and what to do).
    """
    if is_text(original):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"The edited value is not valid JSON ({exc.msg}: line {exc.lineno}, column {exc.colno}); "
            'fix it, or quote it as a JSON string ("...")'
        ) from None


def decide(action: Action, pending: Pending, text: str | None = None) -> Decision:
    """The decision a button makes: `text` is the text area's content (used by `edit` only)."""
    if action == "approve":
        return Decision("approve", pending.interrupt.value, pending)
    if action == "edit":
        if text is None:
            raise ValueError("An `edit` decision needs the edited text")
        return Decision("edit", parse_edit(text, pending.interrupt.value), pending)
    if action == "reject":
        return Decision("reject", None, pending)
    raise ValueError(f"Unknown action `{action}`; use one of: {', '.join(ACTIONS)}")


def default_answer(decision: Decision) -> Any:
    """livegraph's answers: `{"action": "approve", "value": v}`, `{"action": "edit", "value": edited}`,
    `{"action": "reject"}`."""
    if decision.action == "reject":
        return {"action": "reject"}
    return {"action": decision.action, "value": decision.value}


def resume_command(answers: Mapping[str, Any]) -> Command[Any]:
    """The command that resumes a thread: every answer keyed by its interrupt's id."""
    if not answers:
        raise ValueError("No answers to resume with: answer at least one interrupt")
    return Command(resume=dict(answers))


def answered_line(decision: Decision, waiting: int) -> str:
    """The status under a form once answered, e.g. `approved · waiting for 1 more answer`."""
    line = DONE_WORDS[decision.action]
    if decision.action == "edit":
        line += f": {compact_line(decision.value, 80)}"
    if waiting:
        line += f" · waiting for {waiting} more answer" + ("" if waiting == 1 else "s")
    return line


def outcome_line(phase: str, problem: str | None = None) -> str:
    """What the form says after the resumed run: `resumed · done`, `resumed · interrupted again`, ..."""
    words = {"done": "done", "interrupted": "interrupted again", "error": "failed", "stopped": "stopped"}
    line = f"resumed · {words.get(phase, phase)}"
    return f"{line}: {problem}" if problem and phase == "error" else line


def waiting_text(pending: Pending, decision: Decision | None) -> str:
    """One interrupt where widgets do not run: `Interrupted at review: 'Draft...' · answered: approve`
    (or `· waiting for an answer`)."""
    head = f"Interrupted at {pending.node}: {compact_line(pending.interrupt.value, 120)}"
    if decision is None:
        return f"{head} · waiting for an answer"
    edited = f" {compact_line(decision.value, 80)}" if decision.action == "edit" else ""
    return f"{head} · answered: {decision.action}{edited}"


def status_html(text: str, kind: str = "info") -> str:
    color = {"info": "#64748b", "ok": "#16a34a", "error": "#dc2626"}.get(kind, "#64748b")
    return f'<div class="lg-form-status" style="{_MONO};color:{color}">{html.escape(text)}</div>'


# -- the widgets -----------------------------------------------------------------------------------------


class InterruptForm:
    """The form of one interrupt: its value, a text area prefilled with it, and the three buttons.

    Attributes:
        pending: The interrupt.
        widget: The form (a VBox).
        text: The text area (`text.value` is what Edit & resume sends).
        buttons: `{action: Button}`; `buttons["approve"].click()` answers as a click would.
        status: The status line (an HTML widget).
        decision: The decision made, None while unanswered.
    """

    def __init__(self, pending: Pending, index: int, count: int, on_decide: Callable[[InterruptForm], None]):
        import ipywidgets as w

        self.pending = pending
        self.decision: Decision | None = None
        self._on_decide = on_decide
        self.title = w.HTML(title_html(pending, index, count))
        self.value = w.HTML(value_html(pending.interrupt.value))
        rows = min(12, max(2, value_text(pending.interrupt.value).count("\n") + 1))
        self.text = w.Textarea(
            value_text(pending.interrupt.value), rows=rows, layout=w.Layout(width="100%")
        )
        styles = {"approve": "success", "edit": "primary", "reject": "danger"}
        self.buttons: dict[Action, Any] = {}
        for action in ACTIONS:
            button = w.Button(description=BUTTON_LABELS[action], button_style=styles[action])
            button.on_click(lambda _b, action=action: self.submit(action))
            self.buttons[action] = button
        self.status = w.HTML(status_html(""))
        self.widget = w.VBox(
            [self.title, self.value, self.text, w.HBox(list(self.buttons.values())), self.status],
            layout=w.Layout(border_left="3px solid #ca8a04", padding="2px 8px", margin="0 0 6px 0"),
        )
        self.widget.add_class("lg-interrupt")

    @property
    def answered(self) -> bool:
        return self.decision is not None

    def submit(self, action: Action) -> None:
        """Answer with `action` (what a click does); an edit that does not parse shows the error instead."""
        if self.decision is not None:
            return
        try:
            self.decision = decide(action, self.pending, self.text.value)
        except ValueError as exc:
            self.show(str(exc), "error")
            return
        self.lock()
        self._on_decide(self)

    def lock(self) -> None:
        """Disable the text area and the buttons."""
        self.text.disabled = True
        for button in self.buttons.values():
            button.disabled = True

    def show(self, text: str, kind: str = "info") -> None:
        self.status.value = status_html(text, kind)


class ResumeForm:
    """The forms of every interrupt a thread waits at, and the resumed run under them.

    Once each interrupt has an answer, the run resumes (`Command(resume={id: answer, ...})`) and streams
    live into a run view under the forms; when it stops at an interrupt again, a new `ResumeForm` for it
    appears under that run (`next`).

    Args:
        graph: The compiled graph (with a checkpointer).
        config: The thread's config (`{"configurable": {"thread_id": ...}}`).
        to_answer: `to_answer(decision) -> answer` (default: `default_answer`).
        formatter: As for `livegraph.notebook.run`.
        xray: As for `livegraph.notebook.run`.
        auto_resume: False: answering does not resume; call `resume()` yourself.
        on_events: Called with the list of the resumed run's events when it ends (a replay recorder).

    Raises:
        ValueError: The thread waits at no interrupt.
    """

    def __init__(
        self,
        graph: Any,
        config: Mapping[str, Any],
        *,
        to_answer: ToAnswer | None = None,
        formatter: Formatter | None = None,
        xray: bool | int = False,
        auto_resume: bool = True,
        on_events: Callable[[Mapping[str, Any], list[Any]], None] | None = None,
    ) -> None:
        import ipywidgets as w

        require()
        self.graph = graph
        self.config = dict(config)
        self.to_answer = to_answer or default_answer
        self.formatter = formatter
        self.xray = xray
        self.auto_resume = auto_resume
        self.on_events = on_events
        self.pending = pending_interrupts(graph.get_state(self.config))
        if not self.pending:
            thread = (self.config.get("configurable") or {}).get("thread_id")
            raise ValueError(
                f"Thread `{thread}` is not waiting at an interrupt, so there is nothing to answer; run it "
                "with `livegraph.notebook.run(graph, inputs, config)` until a node calls `interrupt()`"
            )
        self.answers: dict[str, Any] = {}
        self.result: Any = None
        self.error: BaseException | None = None
        self.view: RunView | None = None
        self.next: ResumeForm | None = None
        self.phase: FormPhase = "waiting"
        count = len(self.pending)
        self.forms = [InterruptForm(p, i, count, self._decided) for i, p in enumerate(self.pending)]
        self.output = w.Output()
        self.widget = w.VBox([f.widget for f in self.forms] + [self.output])
        self.widget.add_class("lg-resume-form")
        self._display_id = uuid.uuid4().hex
        self._displayed = False

    # -- answering -------------------------------------------------------------------------------------

    def _decided(self, form: InterruptForm) -> None:
        assert form.decision is not None
        try:
            self.answers[form.pending.interrupt.id] = self.to_answer(form.decision)
        except Exception as exc:
            form.decision = None
            form.show(f"to_answer failed: {error_note(exc)}", "error")
            return
        waiting = sum(1 for f in self.forms if not f.answered)
        form.show(answered_line(form.decision, waiting), "ok")
        if not waiting and self.auto_resume:
            self.resume()
        else:
            self._update_display()

    def command(self) -> Command[Any]:
        """The `Command` that resumes the thread with the answers given so far."""
        return resume_command(self.answers)

    # -- resuming --------------------------------------------------------------------------------------

    def resume(self) -> Any:
        """Resume the thread with the answers (streamed live under the forms); returns the final state.

        An error of the run is shown in its panel and kept in `error`, not raised (a button's callback has
        nobody to raise to).
        """
        if self.phase != "waiting":
            raise RuntimeError(f"This form was already used (it is {self.phase}); make a new one")
        command = self.command()
        self.phase = "resuming"
        for form in self.forms:
            form.lock()
        view = self.view = RunView(self.graph, xray=self.xray, formatter=self.formatter)
        self._show(view._repr_mimebundle_())
        events: list[Any] = []
        try:
            with view:
                for item in stream_events(self.graph, command, self.config):
                    view.feed(item)
                    events.append(item)
        except Exception as exc:
            self.error = exc
        self.result = view.model.final_state
        self.phase = "error" if self.error is not None else cast(FormPhase, view.model.phase)
        outputs = [view.record_bundle()]
        if self.on_events is not None:
            self.on_events(self.config, events)
        if self.phase == "interrupted":
            self.next = ResumeForm(
                self.graph,
                self.config,
                to_answer=self.to_answer,
                formatter=self.formatter,
                xray=self.xray,
                auto_resume=self.auto_resume,
                on_events=self.on_events,
            )
            outputs.append(self.next._repr_mimebundle_())
        self._show(*outputs)
        kind = "error" if self.phase == "error" else "ok"
        problem = error_note(self.error) if self.error is not None else view.model.problem
        for form in self.forms:
            form.show(outcome_line(self.phase, problem), kind)
        self._update_display()
        return self.result

    def _show(self, *bundles: Mapping[str, Any]) -> None:
        # Set as the Output widget's `outputs` trait: it reaches the page from any thread or callback
        # (capturing with `with output:` depends on the parent message, which a button click changes).
        self.output.outputs = tuple(
            {"output_type": "display_data", "data": dict(b), "metadata": {}} for b in bundles
        )

    # -- display ---------------------------------------------------------------------------------------

    def fallback(self) -> tuple[str, str]:
        """`(text, html)`: what the form shows where widgets do not run (a saved notebook opened untrusted
        or without a kernel, GitHub, nbviewer): each interrupt and its answer, the resumed run's record, and
        the next form when it stopped again."""
        texts = [waiting_text(f.pending, f.decision) for f in self.forms]
        htmls = [
            title_html(f.pending, i, len(self.forms))
            + value_html(f.pending.interrupt.value)
            + status_html(waiting_text(f.pending, f.decision).rsplit(" · ", 1)[1], "ok" if f.answered else "info")
            for i, f in enumerate(self.forms)
        ]
        if self.view is not None:
            record = self.view.record_bundle()
            texts.append(record["text/plain"])
            htmls.append(record["text/html"])
        if self.next is not None:
            text, markup = self.next.fallback()
            texts.append(text)
            htmls.append(markup)
        return "\n".join(texts), f'<div class="lg-resume-record">{"".join(htmls)}</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return widget_bundle(self.widget, *self.fallback())

    def _ipython_display_(self) -> None:
        from ._view import ipython_display

        ipython_display().display(self._repr_mimebundle_(), raw=True, display_id=self._display_id)
        self._displayed = True

    def _update_display(self) -> None:
        """Bring the saved fallback up to date (every place the form is shown shares one display id)."""
        if self._displayed:
            from ._view import ipython_display

            ipython_display().update_display(self._repr_mimebundle_(), raw=True, display_id=self._display_id)

    def __repr__(self) -> str:
        nodes = ", ".join(p.node for p in self.pending)
        return f"<ResumeForm {len(self.pending)} interrupt(s) at {nodes} {self.phase}>"


def resume_form(
    graph: Any,
    config: Mapping[str, Any],
    *,
    to_answer: ToAnswer | None = None,
    formatter: Formatter | None = None,
    xray: bool | int = False,
) -> ResumeForm:
    """The approve / edit / reject form for every interrupt the thread of `config` waits at.

    When `livegraph.notebook.run` already showed a form for these interrupts under its live view, that
    form is returned (so code can answer it too); otherwise a new one, to show in a cell (the cell's last
    value, or `display(form)`). Answering every form resumes the run and streams it under the forms. See
    `ResumeForm` and the module docstring for what is sent.
    """
    from ._replay import RECORDINGS

    shown = _SHOWN.get(_thread_key(graph, config))
    if shown is not None and shown.phase == "waiting" and to_answer is None:
        waiting = {p.interrupt.id for p in pending_interrupts(graph.get_state(dict(config)))}
        if waiting == {p.interrupt.id for p in shown.pending}:
            return shown
    return ResumeForm(
        graph, config, to_answer=to_answer, formatter=formatter, xray=xray, on_events=RECORDINGS.recorder(graph)
    )


# The last form `run()` showed for each thread, so that `resume_form` can hand it out again.
_SHOWN: dict[tuple[int, Any], ResumeForm] = {}


def _thread_key(graph: Any, config: Mapping[str, Any] | None) -> tuple[int, Any]:
    return id(graph.checkpointer), ((config or {}).get("configurable") or {}).get("thread_id")


def after_run(
    graph: Any,
    config: Mapping[str, Any] | None,
    items: Sequence[Any],
    *,
    formatter: Formatter | None = None,
    xray: bool | int = False,
) -> ResumeForm | None:
    """What the live view does when a run has ended: keep its events for `replay`, and when it stopped at
    an `interrupt()` in Jupyter, show the resume form in the cell (returned; None when none is shown).

    Args:
        graph: The graph that ran.
        config: The run's config (a thread id is needed for both).
        items: What `graph.stream(..., stream_mode="events")` yielded.
        formatter: As for `livegraph.notebook.run` (the resumed run's view uses it).
        xray: As for `livegraph.notebook.run`.
    """
    from ._replay import RECORDINGS, as_events, thread_of
    from ._view import ipython_display, shell

    events = as_events(items)
    RECORDINGS.add(graph, config, events)
    stopped = any(e.kind == "interrupt" and not e.ns for e in events)
    if not stopped or shell() is None or thread_of(config) is None:
        return None
    form = ResumeForm(
        graph, config or {}, formatter=formatter, xray=xray, on_events=RECORDINGS.recorder(graph)
    )
    ipython_display().display(form)
    _SHOWN[_thread_key(graph, config)] = form
    return form


__all__ = [
    "ACTIONS",
    "after_run",
    "Decision",
    "FormPhase",
    "InterruptForm",
    "Pending",
    "ResumeForm",
    "ToAnswer",
    "answered_line",
    "decide",
    "default_answer",
    "is_text",
    "outcome_line",
    "parse_edit",
    "pending_interrupts",
    "resume_command",
    "resume_form",
    "title_html",
    "value_html",
    "value_text",
]
