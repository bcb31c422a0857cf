"""A second OpenAI-compatible server for the tests, written apart from livegraph's embedded one: raw sockets,
one thread per connection, HTTP/1.1 persistent connections (it serves request after request on a connection
until the client closes it), chat completions streamed as server-sent events in chunked encoding.

It can stall at each moment of a call, to test stopping there:

- `connect`: the listening socket's backlog is full and nothing is accepted, so a connect hangs;
- `headers`: it reads the request and sends nothing;
- `first_byte`: it sends the response headers and no body;
- `streaming`: it sends `STALL_AFTER` chunks, then nothing.

A stalled handler waits until the client goes away and records when (`released`), which is how a test
sees that the client's thread let go of the connection. `mode="no_finish"` ends the stream without a
`finish_reason`; `mode="bad_model"` answers 400 with LiteLLM's error body.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from typing import Any

WORDS = ["Cats", " are", " small", " carnivorous", " mammals", "."]
STALL_AFTER = 2
LITELLM_400 = {
    "error": {
        "message": "{'error': '/chat/completions: Invalid model name passed in model=gpt-nope. Call `/v1/models` "
                   "to view available models for your key.'}",
        "type": "None",
        "param": "None",
        "code": "400",
    }
}


class KeepAliveServer:
    """Serves on loopback in daemon threads; `with KeepAliveServer() as server: server.base_url`."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.connections = 0  # connections accepted
        self.requests = 0  # requests answered (more than `connections` means connections were reused)
        self.released: list[float] = []  # time.monotonic() when a stalled handler saw its client go away
        self.stalled = threading.Event()  # a handler has started to stall (or a connect is hanging)
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0 if mode == "connect" else 16)
        self._fillers: list[socket.socket] = []
        self._open: list[socket.socket] = []
        self._closed = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1"

    def __enter__(self) -> KeepAliveServer:
        if self.mode == "connect":
            self._fill_backlog()
        else:
            threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed = True
        for sock in [*self._open, *self._fillers, self._listener]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _fill_backlog(self) -> None:
        for _ in range(3):  # with backlog 0, later SYNs are dropped: the next connect hangs
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(self._listener.getsockname())
            except BlockingIOError:
                pass
            self._fillers.append(filler)
        time.sleep(0.1)
        self.stalled.set()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = conn.makefile("rb")
        try:
            while True:
                request = _read_request(reader)
                if request is None:
                    return  # the client closed the connection
                self._answer(conn, *request)
                self.requests += 1
        except OSError:
            return
        finally:
            reader.close()
            conn.close()

    def _answer(self, conn: socket.socket, path: str, body: dict[str, Any]) -> None:
        if self.mode == "headers":
            return self._stall(conn)
        if self.mode == "bad_model":
            data = json.dumps(LITELLM_400).encode()
            head = f"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
            conn.sendall(head.encode() + data)
            return None
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        if self.mode == "first_byte":
            return self._stall(conn)
        for index, word in enumerate(WORDS):
            if self.mode == "streaming" and index == STALL_AFTER:
                return self._stall(conn)
            _chunk(conn, _event(body, {"content": word} if index else {"role": "assistant", "content": word}, None))
        if self.mode != "no_finish":
            _chunk(conn, _event(body, {}, "stop"))
        _chunk(conn, b"data: [DONE]\n\n")
        conn.sendall(b"0\r\n\r\n")
        return None

    def _stall(self, conn: socket.socket) -> None:
        self.stalled.set()
        while not self._closed:
            readable, _, _ = select.select([conn], [], [], 0.02)
            if readable:
                try:
                    gone = conn.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    gone = True
                if gone:
                    self.released.append(time.monotonic())
                    raise OSError("client gone")
        raise OSError("server closed")


def _read_request(reader: Any) -> tuple[str, dict[str, Any]] | None:
    line = reader.readline()
    if not line:
        return None
    path = line.split()[1].decode()
    length = 0
    while (header := reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode().partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    body = json.loads(reader.read(length)) if length else {}
    return path, body


def _event(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> bytes:
    chunk = {"id": "chatcmpl-ka", "object": "chat.completion.chunk", "created": 0, "model": body.get("model", "m"),
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(chunk)}\n\n".encode()


def _chunk(conn: socket.socket, data: bytes) -> None:
    conn.sendall(b"%x\r\n%s\r\n" % (len(data), data))
