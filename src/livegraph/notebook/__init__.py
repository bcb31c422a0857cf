"""Watch a graph run in Jupyter: the diagram with the running nodes lit, one panel per task that appends
each streamed chunk in place (a node with many tasks, `Send` workers or loop turns, shows a grid of tiles
and one panel), a status line, and a static record that a saved notebook keeps.

    import livegraph.notebook as lgn
    state = lgn.run(graph, {"topic": "cats"})          # or: await lgn.arun(graph, ...)

Outside Jupyter, `run()` prints a plain-text live view. `Panel` is a text panel to feed by hand inside
your own `for chunk in graph.stream(...)` loop; `RunView` is the whole view, fed with `events`. When a run
stops at an `interrupt()`, `run()` leaves an approve / edit / reject form in the cell (`resume_form`);
`replay(graph, config)` steps through a recorded thread.

All of it works for graphs that LangGraph itself compiled: their streams are translated into livegraph's
events (`stream_events(graph, inputs)`), and LangGraph is imported only when such a graph is passed.

ipywidgets and anywidget are imported only when a view is made (`pip install 'livegraph[notebook]'`).
"""

from __future__ import annotations

from ._format import chunk_text, compact_line, format_chunk, status_line
from ._hitl import Decision, ResumeForm, resume_form
from ._langgraph import astream_events, stream_events
from ._replay import Replay, replay
from ._run import TextView, arun, run
from ._view import Panel, RunView

__all__ = [
    "run",
    "arun",
    "RunView",
    "Panel",
    "TextView",
    "resume_form",
    "ResumeForm",
    "Decision",
    "replay",
    "Replay",
    "stream_events",
    "astream_events",
    "chunk_text",
    "compact_line",
    "format_chunk",
    "status_line",
]
