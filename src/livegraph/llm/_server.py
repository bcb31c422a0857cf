"""The embedded OpenAI-compatible HTTP server (standard library only).

`EmbeddedServer` serves `POST /v1/chat/completions` (server-sent events when `stream` is true),
`POST /v1/responses`, `GET /v1/models` and `GET /v1/models/{id}` from an `OfflineModel`, on loopback,
in a daemon thread (`start()`) or in the foreground (`serve_forever()`, used by `python -m livegraph serve`).
Connections are kept alive between requests (HTTP/1.1), as real servers do. Errors are OpenAI error
bodies with the status codes OpenAI uses. While it streams, the server watches the socket: a client that
goes away stops the generation at once (`RequestRecord.disconnected_at`).
"""

from __future__ import annotations

import itertools
import json
import select
import socket
import socketserver
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from livegraph.llm import _wire
from livegraph.llm._model import DEFAULT_MODEL, Fault, OfflineModel, Request

# How often the accept loop checks for `stop()`: it bounds how long stopping takes.
_POLL_SECONDS = 0.05
# The process-wide server lives as long as a notebook: keep only the latest requests' records.
_KEEP_RECORDS = 256
_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)  # not on Windows, where `select` said readable anyway
_ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
                405: "invalid_request_error", 429: "rate_limit_error"}


@dataclass
class RequestRecord:
    """What the server saw of one request (`EmbeddedServer.requests` keeps the latest 256).

    Attributes:
        method: `GET` or `POST`.
        path: The request path.
        body: The parsed JSON body (None for GET or a body that is not JSON).
        status: The HTTP status sent (0 if the connection was dropped before any).
        tokens_sent: Token frames written before the response ended.
        disconnected_at: `time.monotonic()` when the server saw the client go away mid-stream, else None.
        finished: Set when the server is done with the request.
    """

    method: str
    path: str
    body: Any = None
    status: int = 0
    tokens_sent: int = 0
    disconnected_at: float | None = None
    finished: threading.Event = field(default_factory=threading.Event)


class _ClientGone(Exception):
    """The client closed the connection while we were streaming to it."""


class EmbeddedServer:
    """An OpenAI-compatible server on loopback, backed by an offline model.

    Args:
        model: The model that answers (a default `OfflineModel` if None). Replaceable while running.
        host: Interface to bind (loopback by default).
        port: Port to bind; 0 picks a free one.
        api_key: When set, requests must send `Authorization: Bearer <api_key>` (else 401).
        models: When set, the only model names accepted (else 404); by default any name is accepted.
    """

    def __init__(
        self,
        model: OfflineModel | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        models: Sequence[str] | None = None,
    ) -> None:
        self.model = model if model is not None else OfflineModel()
        self.api_key = api_key
        self.models = list(models) if models is not None else None
        self.requests: deque[RequestRecord] = deque(maxlen=_KEEP_RECORDS)
        self._address = (host, port)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._serial = itertools.count(1)
        self._active: set[socket.socket] = set()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = self.base_url if self._httpd else "not started"
        return f"<EmbeddedServer {where} {self.model!r}>"

    @property
    def base_url(self) -> str:
        """`http://host:port/v1`, what `OPENAI_BASE_URL` should be (binds the port if not yet bound)."""
        httpd = self._bind()
        return f"http://{httpd.server_name}:{httpd.server_port}/v1"

    @property
    def running(self) -> bool:
        """Whether the server thread is serving."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> EmbeddedServer:
        """Serve in a daemon thread (idempotent). Returns self."""
        with self._lock:
            if not self.running:
                httpd = self._bind()
                self._thread = threading.Thread(
                    target=httpd.serve_forever, args=(_POLL_SECONDS,), name="livegraph-llm-server", daemon=True
                )
                self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until `stop()` or KeyboardInterrupt."""
        try:
            self._bind().serve_forever(_POLL_SECONDS)
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving, cut the connections still open and free the port (idempotent)."""
        with self._lock:
            httpd, self._httpd = self._httpd, None
            thread, self._thread = self._thread, None
        if httpd is None:
            return
        if thread is not None:
            httpd.shutdown()
        for sock in list(self._active):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def next_id(self, prefix: str) -> str:
        """A fresh id like `chatcmpl-lg1` (the serial counts every response of this server)."""
        return f"{prefix}lg{next(self._serial)}"

    def _bind(self) -> _HTTPServer:
        if self._httpd is None:
            self._httpd = _HTTPServer(self._address, _Handler, self)
        return self._httpd


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type[_Handler], app: EmbeddedServer) -> None:
        self.app = app
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away between requests (a kept-alive connection reset at exit) is normal; any other
        # error is a bug and keeps socketserver's traceback.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (getfqdn), which can hang without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    record: RequestRecord

    def setup(self) -> None:
        super().setup()
        # Tokens are tiny writes: without NODELAY, Nagle + delayed ACK hold them back for ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.app._active.add(self.connection)

    def finish(self) -> None:
        self.server.app._active.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a library's server must not write to stderr on every request

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    # --- routing ----------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        route = path[3:] if path.startswith("/v1/") else path
        self.record = RequestRecord(method, path)
        self.server.app.requests.append(self.record)
        try:
            self._route(method, route)
        except _ClientGone:
            self.record.disconnected_at = time.monotonic()
            self.close_connection = True
        finally:
            self.record.finished.set()

    def _route(self, method: str, route: str) -> None:
        app = self.server.app
        if not self._authorized():
            return
        if route == "/models" and method == "GET":
            return self._send_json(200, _wire.models_list(app.models or [DEFAULT_MODEL]))
        if route.startswith("/models/") and method == "GET":
            name = route[len("/models/"):]
            if app.models is not None and name not in app.models:
                return self._model_not_found(name)
            return self._send_json(200, _wire.model_object(name))
        if route in ("/chat/completions", "/responses"):
            if method != "POST":
                return self._send_error(405, f"Use POST for {self.path}, not {method}.")
            return self._generate(route)
        self._send_error(404, f"Unknown endpoint {method} {self.path}.", code="unknown_url")

    def _authorized(self) -> bool:
        key = self.server.app.api_key
        if key is None:
            return True
        sent = self.headers.get("Authorization", "")
        if sent == f"Bearer {key}":
            return True
        if not sent.startswith("Bearer "):
            self._send_error(401, "No API key provided: send the header `Authorization: Bearer <key>`.")
        else:
            shown = sent[7:11] + "..." if len(sent) > 11 else "..."
            self._send_error(401, f"Incorrect API key provided: {shown}.", code="invalid_api_key")
        return False

    # --- generation -------------------------------------------------------------------------

    def _generate(self, route: str) -> None:
        body = self._read_json()
        if body is None:
            return
        chat = route == "/chat/completions"
        problem = _validate(body, chat)
        if problem is not None:
            return self._send_error(400, problem[1], param=problem[0])
        app = self.server.app
        name = body["model"]
        if app.models is not None and name not in app.models:
            return self._model_not_found(name)
        messages = body["messages"] if chat else _wire.responses_input_to_messages(body)
        request = Request(messages, body.get("tools") or (), body.get("tool_choice", "auto"), name)
        outcome = app.model.respond(request)
        fault = outcome if isinstance(outcome, Fault) else None
        reply = outcome.reply if isinstance(outcome, Fault) else outcome
        if fault is not None and fault.kind == "http_error":
            return self._send_error(fault.status, f"Scripted fault: HTTP {fault.status}.")
        prompt_tokens = _wire.count_prompt_tokens(messages)
        meta = _wire.Meta(app.next_id("chatcmpl-" if chat else "resp_"), name, int(time.time()), prompt_tokens)
        if body.get("stream"):
            if chat:
                options = body.get("stream_options") or {}
                frames = _wire.chat_stream(reply, meta, bool(options.get("include_usage")))
            else:
                frames = _wire.responses_stream(reply, meta, body)
            return self._stream(list(frames), fault, chat)
        if fault is not None:
            return self._fail_whole(fault)
        whole = _wire.chat_completion(reply, meta) if chat else _wire.response_object(reply, meta, body)
        self._send_json(200, whole)

    def _stream(self, frames: list[_wire.Frame], fault: Fault | None, chat: bool) -> None:
        self._send_head(200, "text/event-stream; charset=utf-8", chunked=True)
        tokens_per_second = self.server.app.model.tokens_per_second
        interval = 1.0 / tokens_per_second if tokens_per_second else 0.0
        fault_at = _fault_index(frames, fault.after) if fault is not None else -1
        last = time.monotonic() - interval
        sent = 0
        for index, (obj, is_token) in enumerate(frames):
            if index == fault_at and fault is not None:
                if not self._act_out(fault):
                    return
                last = time.monotonic() - interval
            if is_token:
                if interval:
                    # Paced from the previous token, not from a fixed schedule: a token sent late (a busy
                    # machine) is not followed by a burst, so tokens never come faster than asked.
                    self._wait_until(last + interval)
                    last = time.monotonic()
                elif self._client_gone():
                    raise _ClientGone
                sent += 1
                self.record.tokens_sent = sent
            self._write_chunk(_wire.sse(obj, None if chat else obj["type"]))
        if chat:
            self._write_chunk(_wire.sse("[DONE]"))
        self._write_chunk(b"")

    def _act_out(self, fault: Fault) -> bool:
        """Act out a mid-stream fault; True if the stream then carries on."""
        if fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return False
        if fault.kind == "malformed":
            self._write_chunk(b'data: {"id": "chatcmpl-broken", "choices": [\n\n')
            self._write_chunk(b"")
            return False
        self._wait_until(time.monotonic() + fault.seconds)  # stall
        return True

    def _fail_whole(self, fault: Fault) -> None:
        if fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif fault.kind == "malformed":
            self._send_raw(200, "application/json", b'{"id": "chatcmpl-broken", "choices": [')
        else:
            self._wait_until(time.monotonic() + fault.seconds)
            self._send_error(500, "Scripted fault: stalled, then failed.")

    # --- the socket -------------------------------------------------------------------------

    def _wait_until(self, deadline: float) -> None:
        """Sleep until `deadline`, waking at once (and raising `_ClientGone`) if the client leaves."""
        while (remaining := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], remaining)
            if readable:
                if self._peer_closed():
                    raise _ClientGone
                time.sleep(remaining)  # the client sent data: not a close, just wait
                return

    def _client_gone(self) -> bool:
        readable, _, _ = select.select([self.connection], [], [], 0)
        return bool(readable) and self._peer_closed()

    def _peer_closed(self) -> bool:
        """After `select` said readable: an orderly close reads as b"" (peeking leaves any data in place)."""
        try:
            data: bytes = self.connection.recv(1, socket.MSG_PEEK | _DONTWAIT)
            return data == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def _write_chunk(self, data: bytes) -> None:
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        except OSError as exc:
            raise _ClientGone from exc

    def _send_head(self, status: int, content_type: str, *, chunked: bool = False, length: int = 0) -> None:
        self.record.status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("x-request-id", f"req_lg{len(self.server.app.requests)}")
        if chunked:
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        # Connections stay open for the next request (HTTP/1.1 persistent connections), as on OpenAI, vLLM,
        # Ollama or LiteLLM: clients pool them, so code tested here meets what it meets there.
        try:
            self.end_headers()
        except OSError as exc:
            raise _ClientGone from exc

    def _send_raw(self, status: int, content_type: str, data: bytes) -> None:
        self._send_head(status, content_type, length=len(data))
        try:
            self.wfile.write(data)
        except OSError as exc:
            raise _ClientGone from exc

    def _send_json(self, status: int, obj: Any) -> None:
        self._send_raw(status, "application/json", json.dumps(obj).encode())

    def _send_error(self, status: int, message: str, *, code: str | None = None, param: str | None = None) -> None:
        kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
        self._send_json(status, _wire.error_body(message, kind, code, param))

    def _model_not_found(self, name: str) -> None:
        known = ", ".join(f"`{m}`" for m in self.server.app.models or [])
        message = f"The model `{name}` does not exist on this server (it serves {known})."
        self._send_error(404, message, code="model_not_found", param="model")

    def _read_json(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw)
        except ValueError as exc:
            self._send_error(400, f"The request body is not valid JSON ({exc}).")
            return None
        self.record.body = body
        if not isinstance(body, dict):
            self._send_error(400, f"The request body must be a JSON object, not {type(body).__name__}.")
            return None
        return body


def _validate(body: dict[str, Any], chat: bool) -> tuple[str, str] | None:
    """The first problem with a request body as `(param, message)`, or None."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model", "Missing required parameter `model` (a model name, e.g. `livegraph-tiny`)."
    if chat:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "messages", "Missing required parameter `messages` (a non-empty list of messages)."
        for index, message in enumerate(messages):
            if not isinstance(message, dict) or not isinstance(message.get("role"), str):
                return f"messages[{index}]", f"`messages[{index}]` must be an object with a `role`."
    elif not isinstance(body.get("input"), (str, list)):
        return "input", "Missing required parameter `input` (a string or a list of input items)."
    tools = body.get("tools")
    if tools is not None and not isinstance(tools, list):
        return "tools", "`tools` must be a list of tool definitions."
    return None


def _fault_index(frames: Sequence[_wire.Frame], after: int) -> int:
    """Index of the frame before which a fault fires: the token frame number `after`, else after the last token."""
    seen = 0
    last_token = 0
    for index, (_, is_token) in enumerate(frames):
        if is_token:
            if seen == after:
                return index
            seen += 1
            last_token = index
    return last_token + 1

