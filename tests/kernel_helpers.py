"""What the kernel tests share: a real Jupyter kernel to run cells in, and readers of what it sent.

`Kernel` starts a kernel with this tree's sources first on its path; `execute` runs a cell and `send` sends a
comm message as the page does, each returning every IOPub message the request caused until the kernel is
idle again. `started_kernel(setup)` is the body of a fixture: a kernel that has run `setup`, closed after.
The readers (`of`, `board_ops`, `panels`, `appends`, `board_messages`, `seconds`) pick out of those messages
what the live view sent. jupyter_client is imported when a kernel starts, so importing this module needs it
not; a test module that needs it says so with `pytest.importorskip("jupyter_client")`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src"


def kernel_env() -> dict[str, str]:
    """This process's environment with this tree's sources first on PYTHONPATH."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


class Kernel:
    """A kernel and a client: `execute` a cell, or `send` a comm message as the page does; each returns
    every IOPub message the request caused, until the kernel is idle again. `models` holds every widget's
    state as the page would hold it."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        import jupyter_client

        self.km, self.kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", env=env or kernel_env())
        self.models: dict[str, dict[str, Any]] = {}

    def execute(self, code: str, timeout: float = 60) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        """The request's id, its IOPub messages and its reply's content."""
        msg_id = self.kc.execute(code)
        msgs = self._until_idle(msg_id, timeout)
        while True:  # replies to requests made while the kernel started (kernel_info) may come first
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                return msg_id, msgs, reply["content"]

    def run(self, code: str) -> str:
        """The cell's printed text, or its error as `Name: value`."""
        _, msgs, reply = self.execute(code)
        if reply["status"] != "ok":
            return f"{reply['ename']}: {reply['evalue']}"
        return "".join(m["content"]["text"] for m in of(msgs, "stream")).strip()

    def value(self, expr: str) -> Any:
        """`expr` evaluated in the kernel, through JSON (the kernel's namespace must have `json`)."""
        _, msgs, reply = self.execute(f"print(json.dumps({expr}))")
        assert reply["status"] == "ok", reply
        return json.loads("".join(m["content"]["text"] for m in of(msgs, "stream")))

    def send(self, comm_id: str, data: dict[str, Any]) -> list[dict[str, Any]]:
        msg = self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        self.kc.shell_channel.send(msg)
        return self._until_idle(msg["header"]["msg_id"], 60)

    def _until_idle(self, msg_id: str, timeout: float) -> list[dict[str, Any]]:
        msgs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            msgs.append(msg)
            content = msg["content"]
            if msg["msg_type"] in ("comm_open", "comm_msg") and "state" in content.get("data", {}):
                self.models.setdefault(content["comm_id"], {}).update(content["data"]["state"])
            if (msg["msg_type"] == "status" and content["execution_state"] == "idle"
                    and msg["parent_header"].get("msg_id") == msg_id):
                return msgs

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def started_kernel(setup: str) -> Iterator[Kernel]:
    """A kernel that has run `setup` (which must succeed), closed when the caller is done with it."""
    k = Kernel()
    try:
        _, _, reply = k.execute(setup)
        assert reply["status"] == "ok", reply
        yield k
    finally:
        k.close()


def of(msgs: list[dict[str, Any]], *types: str) -> list[dict[str, Any]]:
    return [m for m in msgs if m["msg_type"] in types]


def board_messages(msgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages sent to run views' boards."""
    return [m for m in of(msgs, "comm_msg")
            if m["content"]["data"].get("method") == "custom" and "ops" in m["content"]["data"]["content"]]


def board_ops(msgs: list[dict[str, Any]]) -> list[list[Any]]:
    """Every operation sent to run views' boards, in order."""
    return [op for m in board_messages(msgs) for op in m["content"]["data"]["content"]["ops"]]


def panels(msgs: list[dict[str, Any]]) -> dict[int, str]:
    """card number -> title, for every task card opened."""
    return {op[1]: op[2] for op in board_ops(msgs) if op[0] == "card"}


def appends(msgs: list[dict[str, Any]], card: int) -> list[str]:
    return [op[2] for op in board_ops(msgs) if op[0] == "text" and op[1] == card]


def seconds(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The time between two messages, by the kernel's clock."""

    def at(m: dict[str, Any]) -> datetime:
        date = m["header"]["date"]
        return date if isinstance(date, datetime) else datetime.fromisoformat(date)

    return (at(b) - at(a)).total_seconds()
