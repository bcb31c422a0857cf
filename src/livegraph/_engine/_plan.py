"""The planning core: pure functions over plain data, shared by the sync and async drivers.

One superstep: `prepare_tasks` turns what was triggered into ordered tasks; the drivers run them; then
`apply_writes` folds their writes into the state in task order (never completion order) and
`next_triggers` works out what runs next. Updates from step N are visible in step N+1 only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._constants import END, INTERRUPT, START
from ._errors import InvalidUpdateError, NodeNotFoundError
from ._node import Branch, NodeSpec
from ._schema import MISSING, Channel, object_updates
from ._types import OVERWRITE, Command, Overwrite, Send


@dataclass(slots=True)
class Task:
    """One node to run in one step.

    Attributes:
        id: Unique in the run, stable for the same step and position (so a resumed step gets the same ids).
        name: The node's name.
        node: The node.
        input: What the node receives: the state as its schema sees it, or a `Send`'s argument.
        triggers: Why it runs (LangGraph's `branch:to:<node>`, `join:...`, `__pregel_push`).
        push: True for a `Send` task.
        path: Its place in the step's order.
    """

    id: str
    name: str
    node: NodeSpec
    input: Any
    triggers: tuple[str, ...]
    push: bool
    path: tuple[Any, ...]


@dataclass(slots=True)
class TaskResult:
    """What a finished task produced."""

    writes: list[tuple[str, Any]] = field(default_factory=list)
    goto: list[str | Send] = field(default_factory=list)
    update: Any = None  # what `updates` mode shows for the task
    interrupts: tuple[Any, ...] = ()
    parent_command: Command[Any] | None = None
    sub: Any = None  # for an interrupted subgraph node: where the subgraph stood (`_persist.sub_state`)
    view: dict[str, Any] | None = None  # the step's state plus these writes, when a router needed it
    cached: bool = False  # replayed from the graph's cache (`CachePolicy`) instead of run
    handler: Task | None = None  # the error handler's task that produced it, when the node itself failed


@dataclass(slots=True)
class Pending:
    """What the next step will run: pulled nodes (with their triggers) and pushed `Send`s."""

    pull: dict[str, list[str]] = field(default_factory=dict)
    push: list[Send] = field(default_factory=list)
    joins: dict[str, frozenset[str]] = field(default_factory=dict)  # join key -> sources seen so far

    def __bool__(self) -> bool:
        return bool(self.pull or self.push)


def task_id(run_key: str, step: int, index: int, name: str) -> str:
    digest = hashlib.blake2b(f"{run_key}|{step}|{index}|{name}".encode(), digest_size=16).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"


def prepare_tasks(
    nodes: Mapping[str, NodeSpec], values: Mapping[str, Any], pending: Pending, step: int, run_key: str
) -> list[Task]:
    """The tasks of the next step in LangGraph's order: sends first, then pulled nodes by name. (Their writes
    are applied pulled nodes first: see `apply_order`.)"""
    pull = pending.pull
    if len(pull) == 1 and not pending.push:  # the common step: one node, nothing sent
        ((name, triggers),) = pull.items()
        node = nodes[name]
        pending.pull = {}
        return [
            Task(
                task_id(run_key, step, 0, name),
                name,
                node,
                node.view.read(values),
                tuple(triggers),
                False,
                ("__pregel_pull", name),
            )
        ]
    tasks: list[Task] = []
    deferred = [n for n in pending.pull if nodes[n].defer]
    names = sorted(n for n in pending.pull if not nodes[n].defer)
    if not names:  # as LangGraph: deferred nodes run once no other node is pulled (pending `Send`s run with them)
        names = sorted(deferred)
        deferred = []
    for i, send in enumerate(pending.push):
        node = nodes[send.node]
        index = len(tasks)
        tasks.append(
            Task(
                task_id(run_key, step, index, send.node),
                send.node,
                node,
                send.arg,
                ("__pregel_push",),
                True,
                ("__pregel_push", i, False),  # LangGraph's path for a Send (True would be a call)
            )
        )
    for name in names:
        node = nodes[name]
        index = len(tasks)
        tasks.append(
            Task(
                task_id(run_key, step, index, name),
                name,
                node,
                node.view.read(values),
                tuple(pending.pull[name]),
                False,
                ("__pregel_pull", name),
            )
        )
    pending.pull = {n: pending.pull[n] for n in deferred}
    pending.push = []
    return tasks


def apply_order(tasks: Sequence[Task], results: Sequence[TaskResult]) -> list[tuple[Task, TaskResult]]:
    """`(task, result)` in the order LangGraph applies a step's writes (by task path): pulled nodes, then sends."""
    pairs = list(zip(tasks, results))
    if len(tasks) > 1 and tasks[0].push and not tasks[-1].push:
        return [p for p in pairs if not p[0].push] + [p for p in pairs if p[0].push]
    return pairs


def updates_of(
    node: str, output: Any, channels: Mapping[str, Channel], state_keys: tuple[str, ...]
) -> TaskResult:
    """Turn what a node returned into writes, gotos and the `updates` entry. Raises for bad returns."""
    result = TaskResult()
    commands: list[Command[Any]] = []
    if isinstance(output, Command):
        commands = [output]
    elif isinstance(output, (list, tuple)) and output and all(isinstance(c, Command) for c in output):
        commands = list(output)
    elif output is None:
        return result
    else:
        result.writes = _pairs(node, output, state_keys)
        result.update = (output or None) if isinstance(output, dict) else dict(result.writes)
        if type(output) is not dict or not output.keys() <= channels.keys():
            _check_keys(node, result.writes, channels)
        return result
    updates: dict[str, Any] = {}
    for cmd in commands:
        if cmd.graph == Command.PARENT:
            result.parent_command = cmd
            continue
        if cmd.update is not None:
            pairs = _pairs(node, cmd.update, state_keys)
            _check_keys(node, pairs, channels)
            result.writes.extend(pairs)
            for k, v in pairs:
                updates[k] = v
        goto = cmd.goto
        if isinstance(goto, (str, Send)):
            result.goto.append(goto)
        else:
            result.goto.extend(goto)
    result.update = updates or None
    return result


def _pairs(node: str, update: Any, state_keys: tuple[str, ...]) -> list[tuple[str, Any]]:
    if isinstance(update, dict):
        return list(update.items())
    if isinstance(update, (list, tuple)) and all(isinstance(p, tuple) and len(p) == 2 for p in update):
        return [(str(k), v) for k, v in update]
    pairs = object_updates(update, state_keys)
    if pairs is not None:
        return pairs
    raise InvalidUpdateError(
        f"Node `{node}` returned {update!r} ({type(update).__name__}); a node must return a dict of state "
        "updates, a Command, or None. Expected dict, got "
        f"{type(update).__name__}"
    )


def _check_keys(node: str, pairs: Iterable[tuple[str, Any]], channels: Mapping[str, Channel]) -> None:
    unknown = [k for k, _ in pairs if k not in channels and k != INTERRUPT]
    if unknown:
        keys = ", ".join(f"`{k}`" for k in unknown)
        raise InvalidUpdateError(
            f"Node `{node}` returned {keys}, not in the state schema (keys: {', '.join(channels) or 'none'}); "
            "add the key to the state schema or drop it from the update"
        )


def apply_writes(
    channels: Mapping[str, Channel],
    values: dict[str, Any],
    writes: Sequence[tuple[str, Sequence[tuple[str, Any]]]],
) -> set[str]:
    """Fold `[(task name, [(key, value), ...]), ...]` into `values` in the order given. Returns changed keys.

    A key without a reducer takes one value per step: two writers raise `InvalidUpdateError` naming both.
    """
    changed: set[str] = set()
    overwritten: set[str] | None = None  # keys an `Overwrite` set this step: later updates do not apply
    size = len(values)
    for _, pairs in writes:
        for key, value in pairs:
            ch = channels[key]
            reducer = ch.reducer
            if reducer is None:
                if key in changed:
                    raise _one_value_per_step(key, writes)
                values[key] = value
            elif (type(value) is Overwrite or type(value) is dict) and (replace := overwrite_of(value)) is not MISSING:
                if overwritten is None:
                    overwritten = set()
                elif key in overwritten:
                    raise InvalidUpdateError(
                        f"At key `{key}`: Can receive only one Overwrite value per super-step; write "
                        "`Overwrite(...)` to it from one node per step"
                    )
                overwritten.add(key)
                values[key] = replace
            elif overwritten is None or key not in overwritten:
                current = values.get(key, MISSING)
                if current is MISSING:
                    current = ch.empty()
                values[key] = value if current is MISSING else reducer(current, value)
            changed.add(key)
    if len(values) != size:  # a key was written for the first time: keep the state in the schema's order
        ordered = {k: values[k] for k in channels if k in values}
        if len(ordered) == len(values):
            values.clear()
            values.update(ordered)
    return changed


def overwrite_of(value: Any) -> Any:
    """What an `Overwrite` (or its JSON forms `{"__overwrite__": v}`, `{"type": "__overwrite__", "value": v}`)
    sets a reduced key to, bypassing the reducer; MISSING for any other update."""
    t = type(value)
    if t is Overwrite:
        return value.value
    if t is dict and value:
        if len(value) == 1 and OVERWRITE in value:
            return value[OVERWRITE]
        if value.get("type") == OVERWRITE and "value" in value:
            return value["value"]
    return MISSING


def _one_value_per_step(
    key: str, writes: Sequence[tuple[str, Sequence[tuple[str, Any]]]]
) -> InvalidUpdateError:
    names = [f"`{name}`" for name, pairs in writes for k, _ in pairs if k == key]
    writers = ", ".join(names[:-1]) + " and " + names[-1]
    return InvalidUpdateError(
        f"At key `{key}`: Can receive only one value per step, but {writers} wrote it in the "
        f"same step. Give the key a reducer to combine them (`{key}: Annotated[<type>, <reducer>]`, "
        "e.g. `Annotated[list, operator.add]` for a list), or write it from one node."
    )


def route(branch: Branch, answer: Any, nodes: Mapping[str, NodeSpec]) -> list[str | Send]:
    """Map a router's answer to node names and `Send`s; raise naming the router for unknown targets."""
    answers = answer if isinstance(answer, (list, tuple)) else [answer]
    out: list[str | Send] = []
    for a in answers:
        if isinstance(a, Send):
            out.append(a)
            continue
        if branch.path_map is not None:
            if a not in branch.path_map:
                raise NodeNotFoundError(
                    f"Router `{branch.name}` after `{branch.source}` returned {a!r}, which is not a key of its "
                    f"path_map ({', '.join(repr(k) for k in branch.path_map)}); return one of those keys"
                )
            a = branch.path_map[a]
        if a is None:
            continue
        out.append(a)
    check_targets(out, nodes, f"Router `{branch.name}` after `{branch.source}`")
    return out


def check_targets(targets: Iterable[str | Send], nodes: Mapping[str, NodeSpec], who: str) -> None:
    for t in targets:
        name = t.node if isinstance(t, Send) else t
        if name == END or name in nodes:
            continue
        raise NodeNotFoundError(
            f"{who} sent the run to `{name}`, which is not a node of this graph "
            f"(nodes: {', '.join(nodes) or 'none'}); add the node or fix the name"
        )


def next_triggers(
    edges: Mapping[str, tuple[str, ...]],
    joins: Sequence[tuple[frozenset[str], str, str]],
    finished: Sequence[tuple[str, list[str | Send]]],
    pending: Pending,
    pulled: Iterable[str] = (),
) -> None:
    """Record in `pending` what the finished `(node, gotos)` trigger: edges, joins, routes and sends.

    A join works as LangGraph's barrier: the sources that finish in one step count as one batch (a source
    finishing twice counts once), the target runs when the batch completes the set, and the set starts over
    when the target (one of the `pulled` nodes that just ran) takes it. Node names never change the outcome.

    A pulled node's triggers are all the channels that can trigger it, sorted, as LangGraph reports them
    (`branch:to:<node>` and the key of every join that ends at it), whichever of them fired.
    """

    def pull(node: str) -> None:
        if node not in pending.pull:
            pending.pull[node] = sorted([f"branch:to:{node}", *(key for _, t, key in joins if t == node)])

    seen_by = pending.joins
    for name in pulled:
        for sources, target, key in joins:
            if target == name and seen_by.get(key) == sources:
                del seen_by[key]
    for name, gotos in finished:
        for dst in edges.get(name, ()):
            if dst != END:
                pull(dst)
        for g in gotos:
            if isinstance(g, Send):
                if g.node != END:
                    pending.push.append(g)
            elif g != END:
                pull(g)
    for sources, target, key in joins:
        seen = seen_by.get(key, frozenset())
        now = seen.union(name for name, _ in finished if name in sources)
        if now != seen:
            seen_by[key] = now
            if now == sources:
                pull(target)


def start_triggers(
    edges: Mapping[str, tuple[str, ...]],
    joins: Sequence[tuple[frozenset[str], str, str]],
    gotos: list[str | Send],
) -> Pending:
    pending = Pending()
    next_triggers(edges, joins, [(START, gotos)], pending)
    return pending
