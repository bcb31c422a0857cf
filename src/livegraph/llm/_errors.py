"""`LLMStreamError`: the one error an LLM call made through `livegraph.llm` fails with, and its message.

Whatever went wrong (an HTTP error before the stream, a dropped connection, a chunk that is not JSON, a
timeout, a stream cut short), the node fails with an `LLMStreamError` that names the node and the model,
says what happened and how to fix it, and keeps what had streamed on `.partial_text`. The original error
is its `__cause__`.
"""

from __future__ import annotations

import ast
import json
import re

from livegraph.errors import LiveGraphError


class LLMStreamError(LiveGraphError, ConnectionError):
    """An LLM call or its token stream failed.

    It is a `ConnectionError`, so LangGraph's default `RetryPolicy` retries it; set
    `RetryPolicy(retry_on=lambda exc: getattr(exc, "transient", True))` to retry only transient faults.

    Attributes:
        node: The node that made the call (None outside a graph).
        model: The model asked (None if unknown).
        partial_text: The text streamed before the failure (every piece of it already reached the stream).
        status_code: The HTTP status when the server answered with an error, else None.
        transient: Whether trying again may help (connection faults, timeouts, 429 and 5xx answers).
    """

    def __init__(
        self,
        message: str,
        *,
        node: str | None = None,
        model: str | None = None,
        partial_text: str = "",
        status_code: int | None = None,
        transient: bool = True,
    ) -> None:
        super().__init__(message)
        self.node = node
        self.model = model
        self.partial_text = partial_text
        self.status_code = status_code
        self.transient = transient


INCOMPLETE = "the stream ended before the model finished (no `finish_reason` was sent)"


def stream_error(
    cause: BaseException | str,
    *,
    node: str | None,
    model: str | None,
    streamed: int | None,
    partial_text: str,
    base_url: str | None = None,
) -> LLMStreamError:
    """The `LLMStreamError` for `cause` (an exception, or a description of a fault found by the adapter).

    `streamed` is how many chunks had reached the stream, or None when the call failed before streaming.
    """
    what, hint, status, transient = _explain(cause, streaming=streamed is not None, base_url=base_url)
    where = f"Node `{node}`: the" if node else "The"
    about = f"LLM call to model `{model}`" if model else "LLM call"
    when = "before streaming" if streamed is None else f"after streaming {streamed} chunk{'s' if streamed != 1 else ''}"
    message = f"{where} {about} failed {when}: {what}."
    if hint:
        message += f" {hint}"
    if partial_text:
        message += f" The {len(partial_text)} characters streamed so far are on `.partial_text`."
    return LLMStreamError(
        message, node=node, model=model, partial_text=partial_text, status_code=status, transient=transient
    )


def _explain(cause: BaseException | str, *, streaming: bool, base_url: str | None) -> tuple[str, str, int | None, bool]:
    """`(what happened, how to fix it, HTTP status, transient)` for a failure."""
    if isinstance(cause, str):
        return cause, "", None, True
    name = type(cause).__name__
    status = getattr(cause, "status_code", None)
    if isinstance(status, int):
        return _explain_status(cause, status)
    if name == "APITimeoutError":
        hint = "Raise the client's `timeout=` if the model is slow."
        return "no data arrived within the client's timeout", hint, None, True
    # openai 2 lets httpx's `RemoteProtocolError` through when a stream is cut; openai 3 wraps it.
    if name == "APIConnectionError" or (streaming and name == "RemoteProtocolError"):
        if streaming:
            return "the connection was dropped mid-stream", "", None, True
        where = f"the server at {base_url}" if base_url else "the server"
        return f"could not connect to {where}", "Is it running? Check `OPENAI_BASE_URL`.", None, True
    if isinstance(cause, json.JSONDecodeError):
        return f"the server sent a chunk that is not valid JSON ({cause})", "", None, True
    detail = str(cause)
    return (f"{name}: {detail}" if detail else name), "", None, True


_HINTS = {
    401: "Check `OPENAI_API_KEY`.",
    403: "Check that `OPENAI_API_KEY` may use this model.",
    404: "Check the model name (`model=` or `LIVEGRAPH_MODEL`) and `OPENAI_BASE_URL`.",
    429: "The server is rate limiting; a node `RetryPolicy` waits and tries again.",
}
# Proxies (LiteLLM, some gateways) answer an unknown model or a bad key with a 400: read what they said.
_SAYS_BAD_MODEL = re.compile(r"model.{0,40}(not (be )?found|does not exist|not exist|unknown|not available|"
                             r"not supported)|(invalid|unknown|no such) model", re.IGNORECASE)
_SAYS_BAD_KEY = re.compile(r"api[ _-]?key|authenticat|unauthori[sz]ed|invalid (bearer )?token", re.IGNORECASE)


def _explain_status(cause: BaseException, status: int) -> tuple[str, str, int | None, bool]:
    said = server_said(getattr(cause, "body", None))
    what = f"the server answered HTTP {status}" + (f" ({said})" if said else "")
    hint = _HINTS.get(status, "A node `RetryPolicy` tries again." if status >= 500 else "")
    if status in (400, 422) and said:
        if _SAYS_BAD_MODEL.search(said):
            hint = _HINTS[404]
        elif _SAYS_BAD_KEY.search(said):
            hint = _HINTS[401]
    return what, hint, status, status >= 500 or status in (408, 409, 429)


def server_said(body: object) -> str:
    """The message of an error body, as one line of text.

    Takes OpenAI's `{"message": ...}` (the SDK hands over the inside of `{"error": ...}`), a bare string,
    and what proxies nest in it: a dict, or a dict's repr in a string (LiteLLM sends
    `"{'error': '/chat/completions: Invalid model name passed in model=x. ...'}"`). A leading endpoint path
    (`/chat/completions: `) is dropped.
    """
    for _ in range(4):  # unwrap nested bodies, a few levels at most
        if isinstance(body, dict):
            inner = next((body[k] for k in ("message", "error", "detail", "msg") if body.get(k)), None)
            if inner is None:
                return ""
            body = inner
        elif isinstance(body, str) and body[:1] in "{[" and body[-1:] in "}]":
            text = body
            try:
                body = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                try:
                    body = json.loads(text)
                except ValueError:
                    break
        else:
            break
    if not isinstance(body, str):
        return ""
    text = " ".join(body.split())
    return re.sub(r"^/[\w/.-]+: ", "", text)
