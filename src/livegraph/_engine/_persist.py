"""Checkpoints in a run: loading a thread, saving after every superstep, interrupts and resuming.

Shared by both drivers. Without a checkpointer every function here is a cheap no-op.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._constants import START
from ._context import CURRENT
from ._errors import CheckpointError, EmptyInputError, GraphInterrupt, mark_invalid_resume
from ._plan import Pending, Task, TaskResult, apply_writes, prepare_tasks
from ._types import Command, Interrupt, Send

if TYPE_CHECKING:
    from ._run import Run

RESUMED: Any = object()

NEEDS_THREAD = (
    "A graph compiled with a checkpointer needs a thread id: pass "
    "`config={'configurable': {'thread_id': '1'}}` to invoke/stream"
)


def saver_of(graph: Any) -> Any:
    cp = graph.checkpointer
    return None if cp in (None, False, True) else cp


def setup(run: Run, data: Any) -> Any:
    """Load the run's thread. Returns the input to apply, or `RESUMED` to continue where it stopped."""
    resume = data is None or isinstance(data, Command)
    if run.restored:
        return RESUMED  # a subgraph continuing where it was interrupted
    if run.parent_scope is None and run.graph.checkpointer is True:
        raise RuntimeError(
            "checkpointer=True cannot be used for root graphs: it makes a subgraph save under its parent's "
            "thread. Run this graph inside a node of a graph compiled with a checkpointer, or compile it with "
            "one of its own (e.g. `checkpointer=InMemorySaver()`)"
        )
    saver = saver_of(run.graph) if run.parent_scope is None else None
    if saver is None:
        if run.parent_scope is None and (run.interrupt_before or run.interrupt_after):
            raise CheckpointError(
                "interrupt_before / interrupt_after need a checkpointer to resume from: "
                "compile(checkpointer=InMemorySaver()) and pass a thread_id"
            )
        if resume and run.parent_scope is None:
            raise EmptyInputError(
                "Received no input: with no checkpointer there is nothing to resume. Pass the initial state, "
                "e.g. `graph.invoke({'topic': 'cats'})`"
            )
        return data
    conf = run.config.get("configurable") or {}
    if conf.get("thread_id") is None:
        raise CheckpointError(NEEDS_THREAD)
    run.saver = saver
    run.thread_id = str(conf["thread_id"])
    run.cp_ns = str(conf.get("checkpoint_ns") or "")
    run.head = saver.head(run.thread_id, run.cp_ns)
    wanted = conf.get("checkpoint_id")
    cp = saver.load(run.thread_id, run.cp_ns, wanted) if (wanted or run.head) else None
    if wanted and cp is None:
        raise CheckpointError(
            f"Thread `{run.thread_id}` has no checkpoint `{wanted}`; list its checkpoints with "
            "`graph.get_state_history(config)`"
        )
    if cp is not None:
        run.values = dict(cp.values)
        run.step = cp.step
        run.cp_id = cp.id
        run.run_key = f"{run.thread_id}:{cp.id}"
    if not resume:
        # As LangGraph: the input gets a checkpoint of its own (the state before it, `next` = __start__,
        # the input kept to apply), then the state after it is the loop's first checkpoint.
        from ..checkpoint.serde import state_to_data
        from ._run import input_writes

        pairs = input_writes(run, data)
        state_to_data(dict(pairs))  # an input that cannot be stored is refused before anything is saved
        run.step = cp.step + 1 if cp is not None else -1
        save(run, "input", pending={"start": [[k, v] for k, v in pairs]})
        run.step += 1
        return data
    if cp is None:
        raise EmptyInputError(
            f"Nothing to resume on thread `{run.thread_id}`: it has no checkpoints. Start it with an input: "
            "`graph.invoke(inputs, config)`"
        )
    start = cp.pending.get("start")
    if start is not None and data is None:
        # The run that saved this input stopped before applying it (killed, or its START router failed):
        # apply it now, after the input's checkpoint.
        run.step = cp.step + 1
        return dict(start)
    run.pending = pending_from(cp.pending)
    tasks = cp.tasks
    forks = bool(wanted) and _forks(cp, run.head, data)
    if forks:  # time travel: the steps it replays run again (nothing of an interrupted step is reused)
        tasks = {"skip_before": True} if tasks.get("skip_before") else {}
    run.saved = {tid: result_from(r) for tid, r in (tasks.get("done") or {}).items()}
    run.resume = {tid: list(v) for tid, v in (tasks.get("resume") or {}).items()}
    run.owners = dict(tasks.get("owners") or {})
    run.subs = dict(tasks.get("subs") or {})
    run.skip_before = bool(tasks.get("skip_before"))
    if isinstance(data, Command):
        if data.resume is not None:
            add_resume(run, tasks.get("interrupts") or {}, data.resume)
        if data.update is not None:
            from ._run import input_writes

            apply_writes(run.spec.channels, run.values, [("__update__", input_writes(run, data.update))])
        for g in [data.goto] if isinstance(data.goto, (str, Send)) else list(data.goto):
            if isinstance(g, Send):
                run.pending.push.append(g)
            else:
                run.pending.pull.setdefault(g, []).append(f"branch:to:{g}")
    if forks:
        # As LangGraph: the new branch starts from a `fork` copy of the checkpoint (with the Command's update).
        run.step = cp.step + 1
        save(run, "fork", None, tasks)
    return RESUMED


def _forks(cp: Any, head: str | None, data: Any) -> bool:
    """True when resuming from an addressed checkpoint starts a new branch (LangGraph's `fork`): not for an
    answer to an interrupt, nor at an `update`/`fork` checkpoint the thread has not moved past."""
    if isinstance(data, Command) and data.resume is not None:
        return False
    return cp.metadata.get("source") not in ("update", "fork") or cp.id != head


def add_resume(run: Run, interrupts: Mapping[str, list[Interrupt]], value: Any) -> None:
    owners = run.owners  # interrupt id -> the task that asked (inside a subgraph: the inner task)
    by_id = {i.id: owners.get(i.id, tid) for tid, items in interrupts.items() for i in items}
    if isinstance(value, dict) and value and all(k in by_id for k in value):
        for iid, answer in value.items():
            run.resume.setdefault(by_id[iid], []).append(answer)
        return
    if len(by_id) == 1:
        run.resume.setdefault(next(iter(by_id.values())), []).append(value)
        return
    if not interrupts:
        raise CheckpointError(
            f"Thread `{run.thread_id}` is not waiting at an interrupt, so Command(resume=...) has nothing to "
            "answer; continue it with `graph.invoke(None, config)` or start it with an input"
        )
    ids = ", ".join(repr(i) for i in by_id)
    raise CheckpointError(
        f"Thread `{run.thread_id}` has {len(interrupts)} interrupts waiting; answer them by id with "
        f"`Command(resume={{interrupt_id: value, ...}})` (ids: {ids})"
    )


# -- saving ----------------------------------------------------------------------------------------------------
def save(
    run: Run,
    source: str,
    writes: Any = None,
    tasks: dict[str, Any] | None = None,
    pending: dict[str, Any] | None = None,
) -> None:
    """Save the run's state as the thread's newest checkpoint. `writes` is the step's `{node: update}`;
    `pending` what runs next (by default the run's plan)."""
    if run.saver is None:
        return
    from ..checkpoint.base import Checkpoint, new_id, now_iso

    if writes and START in writes and not isinstance(writes.get(START), (Mapping, type(None))):
        from ._run import input_writes  # an instance of the state schema: store its keys, not the object

        writes = {START: dict(input_writes(run, writes[START]))}
    meta = {k: v for k, v in (run.config.get("metadata") or {}).items()
            if isinstance(k, str) and not k.startswith(("langgraph_", "__"))}
    meta.update(source=source, step=run.step, parents={}, writes=writes)
    cp = Checkpoint(
        str(run.thread_id),
        run.cp_ns,
        new_id(),
        run.cp_id,
        run.step,
        dict(run.values),
        pending if pending is not None else pending_to(run.pending),
        meta,
        now_iso(),
        tasks or {},
    )
    run.saver.append(cp, head=run.head)
    run.head = run.cp_id = cp.id
    run.run_key = f"{run.thread_id}:{cp.id}"
    emit_checkpoint(run, cp)


def emit_checkpoint(run: Run, cp: Any) -> None:
    modes = run.modes
    if "checkpoints" not in modes and "debug" not in modes:
        return
    from ..checkpoint.base import public_metadata

    if cp.metadata.get("source") == "input":
        named = [(input_task_id(cp.id), START)]
    else:
        pending = pending_from(pending_to(run.pending))
        named = [(t.id, t.name) for t in prepare_tasks(run.spec.nodes, run.values, pending, run.step + 1,
                                                         run.run_key)]
    payload = {
        "config": config_of(run.thread_id, run.cp_ns, cp.id),
        "parent_config": config_of(run.thread_id, run.cp_ns, cp.parent_id) if cp.parent_id else None,
        "values": run.spec.channel_values(run.values),
        "metadata": public_metadata(cp.metadata),
        "next": [name for _, name in named],
        "tasks": [{"id": tid, "name": name, "interrupts": (), "state": None} for tid, name in named],
    }
    if "checkpoints" in modes:
        run.put(("checkpoints", run.ns, payload))
    if "debug" in modes:
        from ._run import _debug

        run.put(("debug", run.ns, _debug(run.step, "checkpoint", payload)))


def save_interrupted(run: Run, tasks: list[Task], results: list[TaskResult]) -> list[Interrupt]:
    """An interrupt stopped the step: keep finished tasks' results and the questions asked."""
    interrupts = {t.id: list(r.interrupts) for t, r in zip(tasks, results) if r.interrupts}
    if run.saver is not None and run.cp_id is not None:
        done = {t.id: result_to(r) for t, r in zip(tasks, results) if not r.interrupts}
        subs = {t.id: r.sub for t, r in zip(tasks, results) if r.sub is not None}
        asked = {i.id for items in interrupts.values() for i in items}
        owners = {k: v for k, v in run.owners.items() if k in asked}
        run.saver.set_tasks(
            run.thread_id,
            run.cp_ns,
            run.cp_id,
            {"done": done, "interrupts": interrupts, "resume": run.resume, "owners": owners, "subs": subs},
        )
    return [i for items in interrupts.values() for i in items]


def sub_state(run: Run, tasks: list[Task], results: list[TaskResult]) -> dict[str, Any]:
    """Where an interrupted subgraph stands: its state before the step, the step's finished results and
    its own interrupted subgraphs. Resuming the parent node restores it (`restore`) instead of starting
    the subgraph over, so its finished nodes do not run again."""
    return {
        "values": dict(run.step_values),
        "pending": run.step_pending,
        "step": run.step - 1,
        "done": {t.id: result_to(r) for t, r in zip(tasks, results) if not r.interrupts},
        "subs": {t.id: r.sub for t, r in zip(tasks, results) if r.sub is not None},
    }


def restore(run: Run, state: Mapping[str, Any]) -> None:
    """Put a subgraph run back where `sub_state` left it (its task ids come out the same: its run key is
    the parent task's id)."""
    run.values = dict(state["values"])
    run.pending = pending_from(state["pending"])
    run.step = int(state["step"])
    run.saved = {tid: result_from(r) for tid, r in (state.get("done") or {}).items()}
    run.subs = dict(state.get("subs") or {})
    run.restored = True


def keeps_state(run: Run) -> bool:
    """True when the run is a subgraph of a run that saves checkpoints (so its steps must be resumable)."""
    scope = run.parent_scope
    while scope is not None:
        if scope.run.parent_scope is None:
            return scope.run.saver is not None
        scope = scope.run.parent_scope
    return False


def stop_before(run: Run, tasks: list[Task]) -> bool:
    """True when `interrupt_before` stops the run before `tasks` (once: resuming runs them)."""
    names = run.interrupt_before
    if not names or run.skip_before:
        run.skip_before = False
        return False
    if "*" not in names and not any(t.name in names for t in tasks):
        return False
    if run.saver is not None and run.cp_id is not None:
        run.saver.set_tasks(run.thread_id, run.cp_ns, run.cp_id, {"skip_before": True})
    return True


def stop_after(run: Run, tasks: list[Task]) -> bool:
    names = run.interrupt_after
    return bool(names) and ("*" in names or any(t.name in names for t in tasks))


# -- interrupt() -----------------------------------------------------------------------------------------------
def interrupt(value: Any, *, response_schema: Any = None) -> Any:
    """Pause the run here and show `value` to a person; returns their answer when the run is resumed with
    `graph.invoke(Command(resume=answer), config)`.

    The node runs again from its start on resume: each `interrupt()` call in it is matched to an answer
    by order. Needs a checkpointer and a thread id.

    Args:
        value: What to show (any value a checkpoint can store).
        response_schema: The shape of the answer, shown on `Interrupt.response_schema` for clients that
            render a form: a JSON Schema dict (shown as given; answers are not checked), or a pydantic
            model, `TypedDict` or dataclass (shown as its JSON Schema; the answer is validated with
            pydantic and returned as that type, as LangGraph does: an invalid answer raises
            `pydantic.ValidationError` and the interrupt can be answered again).
    """
    scope = CURRENT.get()
    if scope is None:
        raise RuntimeError("interrupt() was called outside a running graph; call it inside a node")
    root = scope
    while root.run.parent_scope is not None:
        root = root.run.parent_scope
    run = root.run
    if run.saver is None:
        raise CheckpointError(
            "interrupt() needs a checkpointer to resume from: compile the graph with "
            "`checkpointer=InMemorySaver()` (or SqliteSaver) and run it with "
            "`config={'configurable': {'thread_id': '1'}}`"
        )
    adapter = _adapter(response_schema)
    # Answers are kept per task, the innermost one: a subgraph resumes at its interrupted node, and each
    # `interrupt()` call in that node is matched to an answer by order.
    index = scope.interrupt_index
    scope.interrupt_index += 1
    answers = run.resume.get(scope.task.id, ())
    if index < len(answers):
        return answers[index] if adapter is None else _validated(adapter, answers[index])
    schema = response_schema if adapter is None else adapter.json_schema()
    asked = Interrupt(value=value, id=interrupt_id(scope.task.id, index), response_schema=schema)
    run.owners[asked.id] = scope.task.id
    raise GraphInterrupt([asked])


def input_task_id(checkpoint_id: str) -> str:
    """The id of the `__start__` task of an input checkpoint (the task that applies the input)."""
    return hashlib.blake2b(f"{checkpoint_id}|__start__".encode(), digest_size=16).hexdigest()


def _adapter(response_schema: Any) -> Any:
    """A pydantic `TypeAdapter` for a type given as `response_schema`; None for a dict or None."""
    if response_schema is None or isinstance(response_schema, Mapping):
        return None
    try:
        from pydantic import TypeAdapter
    except ImportError:  # pragma: no cover - pydantic is there wherever LangChain or openai are
        raise ImportError(
            f"interrupt(response_schema={response_schema!r}) needs pydantic to describe and check the answer: "
            "`pip install pydantic`, or give the JSON Schema as a dict"
        ) from None
    return TypeAdapter(response_schema)


def _validated(adapter: Any, answer: Any) -> Any:
    from pydantic import ValidationError

    try:
        return adapter.validate_python(answer)
    except ValidationError as exc:
        mark_invalid_resume(exc)
        raise


def interrupt_id(task_id: str, index: int) -> str:
    return hashlib.blake2b(f"{task_id}|{index}".encode(), digest_size=16).hexdigest()


# -- plain data <-> checkpoint ------------------------------------------------------------------------------
def pending_to(p: Pending) -> dict[str, Any]:
    return {
        "pull": {k: list(v) for k, v in p.pull.items()},
        "push": list(p.push),
        "joins": {k: sorted(v) for k, v in p.joins.items()},
    }


def pending_from(d: Mapping[str, Any]) -> Pending:
    return Pending(
        {k: list(v) for k, v in (d.get("pull") or {}).items()},
        list(d.get("push") or []),
        {k: frozenset(v) for k, v in (d.get("joins") or {}).items()},
    )


def result_to(r: TaskResult) -> dict[str, Any]:
    return {"writes": [list(w) for w in r.writes], "goto": list(r.goto), "update": r.update}


def result_from(d: Mapping[str, Any]) -> TaskResult:
    return TaskResult([(k, v) for k, v in d.get("writes") or []], list(d.get("goto") or []), d.get("update"))


def config_of(thread_id: str | None, ns: str, checkpoint_id: str | None) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}}
