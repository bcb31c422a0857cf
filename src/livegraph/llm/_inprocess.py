"""The embedded model where no socket can open (Pyodide, JupyterLite): an in-process httpx transport.

It answers what `EmbeddedServer` answers (same routes, auth, validation, wire format, records and scripted
faults, reusing the server's and `_wire`'s functions), as a response that streams: the sync transport sleeps
between paced tokens, the async one awaits, so `AsyncOpenAI` streams live on the event loop. A `drop` fault
raises httpx's `RemoteProtocolError` where a real connection would have closed. `install()` makes the openai
SDK's default HTTP clients use it for `IN_PROCESS_URL`, so `OpenAI()` built after `use_embedded()` works.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from livegraph.llm import _wire
from livegraph.llm._model import DEFAULT_MODEL, Fault, Request
from livegraph.llm._server import _ERROR_TYPES, RequestRecord, _fault_index, _validate

if TYPE_CHECKING:
    from livegraph.llm._server import EmbeddedServer

HOST = "livegraph.embedded"
IN_PROCESS_URL = f"http://{HOST}/v1"
"""The base URL of the in-process model (no request ever leaves the process)."""

DROPPED = "peer closed connection without sending complete message body (incomplete chunked read)"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a response body: send `data`, wait `seconds` first, or (`drop`) lose the connection."""

    data: bytes = b""
    seconds: float = 0.0
    token: bool = False
    drop: bool = False


@dataclass
class Answer:
    status: int
    content_type: str
    steps: list[Step]


def answer(app: EmbeddedServer, method: str, path: str, headers: Any, raw: bytes) -> Answer:
    """What the server would send for one request, as steps (nothing waits here)."""
    path = path.split("?", 1)[0].rstrip("/")
    route = path[3:] if path.startswith("/v1/") else path
    record = RequestRecord(method, path)
    app.requests.append(record)
    reply = _route(app, record, method, route, headers, raw)
    record.status = reply.status
    return reply


def _json(status: int, obj: Any) -> Answer:
    return Answer(status, "application/json", [Step(json.dumps(obj).encode())])


def _error(status: int, message: str, *, code: str | None = None, param: str | None = None) -> Answer:
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return _json(status, _wire.error_body(message, kind, code, param))


def _route(app: EmbeddedServer, record: RequestRecord, method: str, route: str, headers: Any, raw: bytes) -> Answer:
    if app.api_key is not None:
        sent = headers.get("Authorization", "")
        if not sent.startswith("Bearer "):
            return _error(401, "No API key provided: send the header `Authorization: Bearer <key>`.")
        if sent != f"Bearer {app.api_key}":
            shown = sent[7:11] + "..." if len(sent) > 11 else "..."
            return _error(401, f"Incorrect API key provided: {shown}.", code="invalid_api_key")
    if route == "/models" and method == "GET":
        return _json(200, _wire.models_list(app.models or [DEFAULT_MODEL]))
    if route.startswith("/models/") and method == "GET":
        name = route[len("/models/"):]
        if app.models is not None and name not in app.models:
            return _not_found(app, name)
        return _json(200, _wire.model_object(name))
    if route in ("/chat/completions", "/responses"):
        if method != "POST":
            return _error(405, f"Use POST for /v1{route}, not {method}.")
        return _generate(app, record, route, raw)
    return _error(404, f"Unknown endpoint {method} /v1{route}.", code="unknown_url")


def _not_found(app: EmbeddedServer, name: str) -> Answer:
    known = ", ".join(f"`{m}`" for m in app.models or [])
    message = f"The model `{name}` does not exist on this server (it serves {known})."
    return _error(404, message, code="model_not_found", param="model")


def _generate(app: EmbeddedServer, record: RequestRecord, route: str, raw: bytes) -> Answer:
    try:
        body = json.loads(raw or b"")
    except ValueError as exc:
        return _error(400, f"The request body is not valid JSON ({exc}).")
    record.body = body
    if not isinstance(body, dict):
        return _error(400, f"The request body must be a JSON object, not {type(body).__name__}.")
    chat = route == "/chat/completions"
    problem = _validate(body, chat)
    if problem is not None:
        return _error(400, problem[1], param=problem[0])
    name = body["model"]
    if app.models is not None and name not in app.models:
        return _not_found(app, name)
    messages = body["messages"] if chat else _wire.responses_input_to_messages(body)
    outcome = app.model.respond(Request(messages, body.get("tools") or (), body.get("tool_choice", "auto"), name))
    fault = outcome if isinstance(outcome, Fault) else None
    reply = outcome.reply if isinstance(outcome, Fault) else outcome
    if fault is not None and fault.kind == "http_error":
        return _error(fault.status, f"Scripted fault: HTTP {fault.status}.")
    meta = _wire.Meta(
        app.next_id("chatcmpl-" if chat else "resp_"), name, int(time.time()), _wire.count_prompt_tokens(messages)
    )
    if body.get("stream"):
        if chat:
            options = body.get("stream_options") or {}
            frames = list(_wire.chat_stream(reply, meta, bool(options.get("include_usage"))))
        else:
            frames = list(_wire.responses_stream(reply, meta, body))
        return Answer(200, "text/event-stream; charset=utf-8", _stream_steps(app, frames, fault, chat))
    if fault is None:
        whole = _wire.chat_completion(reply, meta) if chat else _wire.response_object(reply, meta, body)
        return _json(200, whole)
    if fault.kind == "drop":
        return Answer(200, "application/json", [Step(drop=True)])
    if fault.kind == "malformed":
        return Answer(200, "application/json", [Step(b'{"id": "chatcmpl-broken", "choices": [')])
    stalled = _error(500, "Scripted fault: stalled, then failed.")
    return Answer(500, stalled.content_type, [Step(seconds=fault.seconds), *stalled.steps])


def _stream_steps(app: EmbeddedServer, frames: list[_wire.Frame], fault: Fault | None, chat: bool) -> list[Step]:
    rate = app.model.tokens_per_second
    interval = 1.0 / rate if rate else 0.0
    fault_at = _fault_index(frames, fault.after) if fault is not None else -1
    steps: list[Step] = []
    first = True
    for index, (obj, is_token) in enumerate(frames):
        if index == fault_at and fault is not None:
            if fault.kind == "drop":
                return [*steps, Step(drop=True)]
            if fault.kind == "malformed":
                return [*steps, Step(b'data: {"id": "chatcmpl-broken", "choices": [\n\n')]
            steps.append(Step(seconds=fault.seconds))
            first = True
        wait = interval if is_token and not first else 0.0
        first = first and not is_token
        steps.append(Step(_wire.sse(obj, None if chat else obj["type"]), wait, is_token))
    if chat:
        steps.append(Step(_wire.sse("[DONE]")))
    return steps


def httpx_module() -> ModuleType:
    """The httpx the installed openai SDK uses (`httpx`, or `httpx2` for openai 3)."""
    from openai import _base_client

    found: ModuleType = getattr(_base_client, "httpx2", None) or getattr(_base_client, "httpx")  # noqa: B009
    return found


_classes: dict[str, Any] = {}


def transport_classes() -> tuple[type[Any], type[Any]]:
    """`(SyncTransport, AsyncTransport)`, built once on the SDK's httpx."""
    if not _classes:
        _classes.update(_build(httpx_module()))
    return _classes["sync"], _classes["async"]


def _build(httpx: ModuleType) -> dict[str, Any]:
    def dropped(request: Any) -> Exception:
        return httpx.RemoteProtocolError(DROPPED, request=request)  # type: ignore[no-any-return]

    def head(found: Answer) -> list[tuple[str, str]]:
        headers = [("content-type", found.content_type), ("connection", "close")]
        if not found.content_type.startswith("text/event-stream"):
            headers.append(("content-length", str(sum(len(s.data) for s in found.steps))))
        return headers

    class SyncBody(httpx.SyncByteStream):  # type: ignore[misc,name-defined]
        def __init__(self, steps: list[Step], record: RequestRecord, request: Any) -> None:
            self.steps, self.record, self.request = steps, record, request

        def __iter__(self) -> Iterator[bytes]:
            for step in self.steps:
                if step.seconds:
                    time.sleep(step.seconds)
                if step.drop:
                    raise dropped(self.request)
                if step.token:
                    self.record.tokens_sent += 1
                yield step.data
            self.record.finished.set()

    class AsyncBody(httpx.AsyncByteStream):  # type: ignore[misc,name-defined]
        def __init__(self, steps: list[Step], record: RequestRecord, request: Any) -> None:
            self.steps, self.record, self.request = steps, record, request

        async def __aiter__(self) -> AsyncIterator[bytes]:
            for step in self.steps:
                if step.seconds:
                    await asyncio.sleep(step.seconds)
                if step.drop:
                    raise dropped(self.request)
                if step.token:
                    self.record.tokens_sent += 1
                yield step.data
            self.record.finished.set()

    class SyncTransport(httpx.BaseTransport):  # type: ignore[misc,name-defined]
        """Answers requests to `IN_PROCESS_URL` from `app`, in this process."""

        def __init__(self, app: EmbeddedServer) -> None:
            self.app = app

        def handle_request(self, request: Any) -> Any:
            found = answer(self.app, request.method, request.url.path, request.headers, request.read())
            if found.steps and found.steps[0].drop:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
            body = SyncBody(found.steps, self.app.requests[-1], request)
            return httpx.Response(found.status, headers=head(found), stream=body)

    class AsyncTransport(httpx.AsyncBaseTransport):  # type: ignore[misc,name-defined]
        """The async twin of `SyncTransport`: paced tokens await instead of sleeping."""

        def __init__(self, app: EmbeddedServer) -> None:
            self.app = app

        async def handle_async_request(self, request: Any) -> Any:
            found = answer(self.app, request.method, request.url.path, request.headers, await request.aread())
            if found.steps and found.steps[0].drop:
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
            body = AsyncBody(found.steps, self.app.requests[-1], request)
            return httpx.Response(found.status, headers=head(found), stream=body)

    return {"sync": SyncTransport, "async": AsyncTransport}


def install(app: EmbeddedServer) -> None:
    """Make the openai SDK's default HTTP clients send requests for `IN_PROCESS_URL` to `app` (others go
    to httpx's usual transport). Idempotent; a later call points them at the new `app`."""
    from openai import _base_client as base

    _installed["app"] = app
    if "done" in _installed:
        return
    sync_cls, async_cls = transport_classes()
    httpx = httpx_module()

    class Router(httpx.BaseTransport):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            self.other: Any = None

        def handle_request(self, request: Any) -> Any:
            if request.url.host == HOST:
                return sync_cls(_installed["app"]).handle_request(request)
            self.other = self.other or httpx.HTTPTransport()
            return self.other.handle_request(request)

    class AsyncRouter(httpx.AsyncBaseTransport):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            self.other: Any = None

        async def handle_async_request(self, request: Any) -> Any:
            if request.url.host == HOST:
                return await async_cls(_installed["app"]).handle_async_request(request)
            self.other = self.other or httpx.AsyncHTTPTransport()
            return await self.other.handle_async_request(request)

    class SyncWrapper(base.SyncHttpxClientWrapper):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", Router())
            super().__init__(**kwargs)

    class AsyncWrapper(base.AsyncHttpxClientWrapper):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", AsyncRouter())
            super().__init__(**kwargs)

    base.SyncHttpxClientWrapper = SyncWrapper  # type: ignore[misc]
    base.AsyncHttpxClientWrapper = AsyncWrapper  # type: ignore[misc]
    _installed["done"] = True


_installed: dict[str, Any] = {}
