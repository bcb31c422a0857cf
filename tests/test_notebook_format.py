"""What the live view shows, as plain functions: chunk text, compact lines, titles, the status line and
the static record (no kernel, no widgets)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from livegraph import Event, MessageChunk
from livegraph.notebook import chunk_text, compact_line, format_chunk, status_line
from livegraph.notebook._format import (
    PanelRecord,
    Status,
    header_line,
    lane_html,
    panel_html,
    panel_title,
    record_html,
    record_text,
    running_text,
    send_label,
    state_text,
    unwrap,
)


class Reply:
    """Has a `content` like a LangChain message chunk, without LangChain."""

    def __init__(self, content: Any) -> None:
        self.content = content


@pytest.mark.parametrize(
    ("chunk", "text"),
    [
        ("tok", "tok"),
        ("", ""),
        ({"custom_llm_chunk": "tok"}, "tok"),
        ({"custom_llm_chunk": {"role": "assistant", "content": "nested"}}, "nested"),
        ({"role": "assistant", "content": "hi"}, "hi"),
        ({"role": "assistant", "content": None}, ""),
        ({"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}, "ab"),
        (MessageChunk(content="piece"), "piece"),
        (Reply("duck"), "duck"),
        ({"progress": 3}, None),
        ({"custom_llm_chunk": 3}, None),
        ({"role": "assistant", "content": {"not": "text"}}, None),
        (42, None),
        (None, None),
        (["a", "b"], None),
        (Reply, None),
    ],
    ids=repr,
)
def test_chunk_text(chunk: Any, text: str | None) -> None:
    assert chunk_text(chunk) == text


def test_compact_line_is_one_bounded_line() -> None:
    assert compact_line({"progress": 3}) == "{'progress': 3}"
    assert compact_line("two\nlines\t and  spaces") == "'two\\nlines\\t and spaces'"
    assert compact_line({"a": {"b": {"c": {"d": 1}}}}) == "{'a': {'b': {'c': {...}}}}"
    assert compact_line(list(range(20))) == "[0, 1, 2, 3, 4, 5, 6, 7, ...]"
    assert compact_line("x" * 500) == "'" + "x" * 37 + "..." + "x" * 38 + "'"
    assert compact_line({"k": "v" * 70, "l": "w" * 70}, width=60) == "{'k': '" + "v" * 52 + "…"


def test_compact_line_folds_whitespace_of_any_repr() -> None:
    class Multi:
        def __repr__(self) -> str:
            return "Multi(\n    a=1,\n    b=2,\n)"

    assert compact_line(Multi()) == "Multi( a=1, b=2, )"


def test_compact_line_survives_a_broken_repr() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert compact_line(Broken()) == "<Broken (repr failed: RuntimeError('no'))>"


def test_format_chunk_text_and_lines() -> None:
    assert format_chunk({"custom_llm_chunk": "tok"}) == ("tok", False)
    assert format_chunk({"progress": 3}) == ("{'progress': 3}", True)


def test_format_chunk_asks_the_formatter_first() -> None:
    def mine(chunk: Any) -> str | None:
        return f"<{chunk['progress']}%>" if isinstance(chunk, dict) and "progress" in chunk else None

    assert format_chunk({"progress": 3}, mine) == ("<3%>", False)
    assert format_chunk("tok", mine) == ("tok", False)
    assert format_chunk({"other": 1}, mine) == ("{'other': 1}", True)


def test_a_failing_formatter_shows_as_a_line() -> None:
    def broken(chunk: Any) -> str | None:
        raise KeyError("x")

    assert format_chunk("tok", broken) == ("formatter failed on 'tok': KeyError('x')", True)


def test_unwrap_strips_every_stream_shape() -> None:
    message = MessageChunk(content="hi")
    meta = {"langgraph_node": "a"}
    assert unwrap({"custom_llm_chunk": "t"}) == {"custom_llm_chunk": "t"}
    assert unwrap(("custom", "t")) == "t"
    assert unwrap(("messages", (message, meta))) is message
    assert unwrap((message, meta)) is message
    assert unwrap((("sub:1",), "t")) == "t"
    assert unwrap(((), "custom", "t")) == "t"
    assert unwrap(("not a mode", "t")) == ("not a mode", "t")
    assert unwrap(Event("chunk", "a", "t1", 1, (), 0.0, "t")) == "t"
    assert unwrap(Event("message", "a", "t1", 1, (), 0.0, (message, meta))) is message
    start = Event("task_start", "a", "t1", 1, (), 0.0, {})
    assert unwrap(start) is start


def test_panel_titles() -> None:
    assert panel_title("write") == "write"
    assert panel_title("write", (), 2) == "write #2"
    assert panel_title("inner", ("outer:3f2a",)) == "outer › inner"
    assert panel_title("leaf", ("outer:1", "mid:2"), 1) == "outer › mid › leaf #1"


@pytest.mark.parametrize(
    ("status", "line"),
    [
        (Status("running", 0, (), 0.01, 0), "starting · 0.01 s"),
        (Status("running", 2, ("write #1", "write #2"), 3.44, 41, None, 2.05), "step 2 · running: write #1, write #2 · 3.4 s · 41 tokens, 20 tok/s"),
        (Status("running", 1, ("talk",), 3.0, 4, None, 0.4), "step 1 · running: talk · 3.0 s · 4 tokens"),
        (Status("running", 1, ("talk",), 3.0, 1, None, 0.0), "step 1 · running: talk · 3.0 s · 1 token"),
        (Status("running", 1, (), 1.0, 0), "step 1 · 1.0 s"),
        (Status("running", 2, ("review", *tuple(f"write #{i}" for i in range(1, 999))), 1.0, 0),
         "step 2 · running: review, write ×998 · 1.0 s"),
        (Status("done", 3, (), 5.0, 100, None, 4.0), "done · 3 steps · 5.0 s · 100 tokens, 25 tok/s"),
        (Status("done", 1, (), 0.5, 0), "done · 1 step · 0.50 s"),
        (Status("error", 2, (), 1.25, 0, "in write #2: ValueError: boom"), "error · in write #2: ValueError: boom · 2 steps · 1.2 s"),
        (Status("interrupted", 1, (), 2.0, 0, "at review: 'ok?'"), "interrupted · at review: 'ok?' · 1 step · 2.0 s"),
        (Status("stopped", 4, (), 9.0, 0), "stopped · 4 steps · 9.0 s"),
        (Status("done", 1, (), 0.0, 5), "done · 1 step · < 1 ms · 5 tokens"),
        (Status("done", 3, (), 0.0042, 0), "done · 3 steps · 4 ms"),
        (Status("done", 3, (), 0.0123, 0), "done · 3 steps · 0.01 s"),
    ],
)
def test_status_line(status: Status, line: str) -> None:
    assert status_line(status) == line


def test_panel_html_escapes_and_shows_the_state() -> None:
    panel = PanelRecord("w<1>", 2, "error", "<script>alert(1)</script> & more", "ValueError: <b>")
    assert panel_html(panel) == (
        '<details class="lg-record-panel" open style="margin:0 0 6px 0;padding:4px 8px;border-left:3px solid #dc2626">'
        '<summary style="cursor:pointer"><b>w&lt;1&gt;</b> <span style="color:#64748b">· step 2 ·</span> '
        '<span style="color:#dc2626">error</span></summary>'
        '<pre style="font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:12px;'
        "white-space:pre-wrap;word-break:break-word;margin:4px 0 0 0;padding:6px 8px;"
        'background:rgba(127,127,127,.08);border-radius:4px">&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</pre>'
        '<div style="font-family:var(--jp-code-font-family,ui-monospace,monospace);font-size:12px;color:#dc2626;'
        'margin-top:4px">ValueError: &lt;b&gt;</div></details>'
    )


def test_an_empty_panel_is_closed() -> None:
    html = panel_html(PanelRecord("route", 1, "done", ""))
    assert html.startswith('<details class="lg-record-panel" style=')
    assert "<pre" not in html


def test_record_html_has_the_diagram_status_panels_and_state_all_escaped() -> None:
    panels = [PanelRecord("plan", 1, "done", "a < b"), PanelRecord("write", 2, "done", "")]
    html = record_html('<svg id="x"></svg>', panels, Status("done", 2, (), 1.5, 3, None, 1.5), {"out": "<i>"})
    assert html.startswith('<div class="lg-record" style="display:flex;flex-wrap:wrap;')
    # The diagram as an <img> of a data URI: inline <svg> does not survive the sanitizers of untrusted
    # notebooks, GitHub and nbviewer.
    uri = "data:image/svg+xml;base64," + base64.b64encode(b'<svg id="x"></svg>').decode()
    assert f'<img class="lg-record-diagram" src="{uri}" alt="the graph\'s diagram"' in html
    assert "<svg" not in html
    assert ">done · 2 steps · 1.5 s · 3 tokens, 2 tok/s</div>" in html
    assert "a &lt; b</pre>" in html
    assert "out: &#x27;&lt;i&gt;&#x27;</pre>" in html
    assert "<i>" not in html
    assert html.count('<details class="lg-record-panel"') == 2


def test_record_html_without_a_diagram_or_state() -> None:
    html = record_html(None, [], Status("stopped", 0, (), 0.0, 0))
    assert "<svg" not in html and "final state" not in html


def test_record_text() -> None:
    panels = [PanelRecord("plan", 1, "done", "thinking\n"), PanelRecord("write #2", 2, "error", "", "ValueError: x")]
    assert record_text(panels, Status("error", 2, (), 1.0, 1, "in write #2: ValueError: x")) == (
        "error · in write #2: ValueError: x · 2 steps · 1.0 s · 1 token\n"
        "── plan · step 1 · done ──\n"
        "thinking\n"
        "── write #2 · step 2 · error ──\n"
        "ValueError: x"
    )


def test_record_text_cuts_long_texts() -> None:
    panels = [PanelRecord("talk", 1, "done", "x" * 1500 + "\n")]
    assert record_text(panels, Status("done", 1, (), 1.0, 0)) == (
        "done · 1 step · 1.0 s\n── talk · step 1 · done ──\n" + "x" * 1000 + "… (500 more characters)"
    )


def test_header_line_and_state_text() -> None:
    assert header_line("write #2", 3) == "── write #2 · step 3 ──"
    assert state_text({"topic": "cats", "out": ["a\nb"]}) == "topic: 'cats'\nout: ['a\\nb']"


def test_header_line_of_a_panel_fed_by_hand_has_no_step() -> None:
    assert header_line("talk", 0, "done") == "── talk · done ──"
    html = panel_html(PanelRecord("talk", 0, "done", "hi"))
    assert "step" not in html and '<span style="color:#64748b">·</span>' in html


def test_running_text_lists_a_few_tasks_and_counts_many() -> None:
    assert running_text(("write #1", "write #2", "review")) == "write #1, write #2, review"
    assert running_text(("a", "b #1", "b #2", "b #3", "outer › leaf #1", "outer › leaf #2")) == "a, b ×3, outer › leaf ×2"


def test_send_label_is_short_and_names_the_input() -> None:
    assert send_label({"topic": "cats", "n": 3}) == "topic='cats', n=3"
    long = send_label({"doc": "x" * 100})
    assert (len(long), long[:10], long[-1]) == (48, "doc='xxxxx", "…")
    assert send_label(["a", "b"]) == "['a', 'b']"
    panel = PanelRecord("write #1", 2, "done", "hi", None, "topic='cats'")
    assert '<b>write #1</b> <span style="color:#64748b">topic=&#x27;cats&#x27;</span>' in panel_html(panel)


def test_a_lane_of_many_tasks_is_summarised_in_the_record() -> None:
    panels = [PanelRecord("plan", 1, "done", "planned")]
    panels += [PanelRecord(f"work #{i}", 2, "done", f"line one {i}\nline two\n", None, f"doc={i}") for i in range(1, 11)]
    panels[4] = PanelRecord("work #4", 2, "error", "partial <b>", "ValueError: no", "doc=4")
    panels.append(PanelRecord("reduce", 3, "done", "ok"))
    status = Status("done", 3, (), 1.0, 0)
    html = record_html(None, panels, status)
    assert html.count('<details class="lg-record-panel"') == 3  # plan, the failure in full, reduce
    assert html.count('<details class="lg-record-lane"') == 1
    assert html.index(">plan</b>") < html.index("<b>work</b>") < html.index(">reduce</b>")
    lane = lane_html("work", panels[1:11])
    assert '<b>work</b> <span style="color:#64748b">· 10 tasks · 9 done, 1 error</span>' in lane
    assert ">work #1 · doc=1 · done · line one 1 ⏎ line two\nwork #2 · doc=2 · done · line one 2 ⏎ line two\n" in lane
    assert "partial &lt;b&gt;</pre>" in lane and "ValueError: no</div>" in lane
    assert record_text(panels, status).splitlines() == [
        "done · 3 steps · 1.0 s",
        "── plan · step 1 · done ──",
        "planned",
        "── work · 10 tasks · 9 done, 1 error ──",
        *(f"  work #{i} · doc={i} · done · line one {i} ⏎ line two" if i != 4 else "  work #4 · doc=4 · error · partial <b>"
          for i in range(1, 11)),
        "── work #4 · step 2 · error ──",
        "partial <b>",
        "ValueError: no",
        "── reduce · step 3 · done ──",
        "ok",
    ]
