"""Which endpoint the LLM helpers talk to, and OpenAI SDK clients configured for it.

The usual variables choose the endpoint: `OPENAI_BASE_URL` and `OPENAI_API_KEY` (read by the SDK
itself), plus `LIVEGRAPH_MODEL` for the model name. With neither OpenAI variable set, the clients talk to
the process-wide embedded server, started on first use and stopped at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

from livegraph._engine import _platform
from livegraph._engine._watchdog import own_work
from livegraph.llm._http import per_loop_transport, stoppable_transport
from livegraph.llm._model import DEFAULT_MODEL, OfflineModel, Script
from livegraph.llm._server import EmbeddedServer

if TYPE_CHECKING:
    from openai import AsyncOpenAI, OpenAI

BASE_URL_ENV = "OPENAI_BASE_URL"
API_KEY_ENV = "OPENAI_API_KEY"
MODEL_ENV = "LIVEGRAPH_MODEL"
EMBEDDED_API_KEY = "livegraph-local"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
NO_KEY = "no-key"

_shared: EmbeddedServer | None = None
_shared_lock = threading.Lock()
_sync_clients: dict[tuple[str, str], OpenAI] = {}
_async_client: tuple[tuple[str, str], AsyncOpenAI] | None = None


def require_openai() -> ModuleType:
    """The `openai` module, or an ImportError that says how to install it."""
    # A second or so on a cold start: never blamed on the node whose loop it held. (Once loaded, the import
    # statement only looks it up, and waits while another thread is still importing it.)
    first = "openai" not in sys.modules
    try:
        with own_work() if first else contextlib.nullcontext():
            import openai
    except ImportError as exc:
        raise ImportError(
            "livegraph.llm talks to LLMs through the OpenAI SDK, which is not installed: "
            "pip install 'livegraph[openai]'"
        ) from exc
    return openai


# What the SDK imports lazily on a client's first request (a few tens of ms more on the loop otherwise).
_FIRST_CALL_IMPORTS = ("openai.resources.chat", "openai.resources.responses", "anyio._backends._asyncio", "jiter")
_warm = threading.Event()
_warm_lock = threading.Lock()


def warm_up(*, background: bool = False) -> None:
    """Do livegraph's one-time LLM work now: import the OpenAI SDK (and the parts of it the first call
    loads) and, when no endpoint is configured, start the embedded server.

    `chat()`/`achat()` do it on first use anyway (`achat` in a worker thread, off the event loop); calling
    it first (a notebook's setup cell) makes the first call fast. Idempotent, thread-safe and cheap once
    done.

    Args:
        background: Start the work in a daemon thread and return at once (a later call waits for it).
    """
    if _warm.is_set():
        return
    if background:
        threading.Thread(target=_warm_up_quietly, name="livegraph-warm-up", daemon=True).start()
        return
    with _warm_lock, own_work():
        if _warm.is_set():
            return
        require_openai()
        for name in _FIRST_CALL_IMPORTS:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        if not endpoint_configured():
            embedded_server()
        _warm.set()


def warmed() -> bool:
    """Whether `warm_up()` has been done."""
    return _warm.is_set()


def _warm_up_quietly() -> None:
    with contextlib.suppress(Exception):  # the call that needs the SDK reports a missing one
        warm_up()


def embedded_server(script: Script | None = None, *, tokens_per_second: float | None = None) -> EmbeddedServer:
    """The process-wide embedded server, started on first use and stopped at exit.

    Args:
        script: When given (or with `tokens_per_second`), the server's model is replaced by
            `OfflineModel(script, tokens_per_second=...)`.
        tokens_per_second: Streaming pace of the new model (0 = as fast as possible).
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = EmbeddedServer()
            atexit.register(_shared.stop)
        server = _shared
    if script is not None or tokens_per_second is not None:
        server.model = OfflineModel(script, tokens_per_second=tokens_per_second)
    if not _platform.HAS_THREADS:  # no socket to serve on: the SDK reaches the model in-process
        from livegraph.llm import _inprocess

        _inprocess.install(server)
        return server
    return server.start()


def _embedded_url(server: EmbeddedServer) -> str:
    if not _platform.HAS_THREADS:
        from livegraph.llm._inprocess import IN_PROCESS_URL

        return IN_PROCESS_URL
    return server.base_url


def use_embedded(script: Script | None = None, *, tokens_per_second: float | None = None) -> str:
    """Start the embedded server and point `OPENAI_BASE_URL`/`OPENAI_API_KEY` at it.

    Code that builds its own `OpenAI()` or `AsyncOpenAI()` afterwards (even at module level) talks to the
    embedded model. Arguments as for `embedded_server`. Returns the base URL.
    """
    base_url = _embedded_url(embedded_server(script, tokens_per_second=tokens_per_second))
    os.environ[BASE_URL_ENV] = base_url
    os.environ[API_KEY_ENV] = EMBEDDED_API_KEY
    return base_url


def endpoint_configured() -> bool:
    """Whether the environment chooses an endpoint (`OPENAI_BASE_URL` or `OPENAI_API_KEY` is set)."""
    return bool(os.environ.get(BASE_URL_ENV) or os.environ.get(API_KEY_ENV))


def default_model() -> str:
    """The model to ask when the caller names none.

    `LIVEGRAPH_MODEL` if set; else `livegraph-tiny` on the embedded server and `gpt-4o-mini` on OpenAI.

    Raises:
        ValueError: `OPENAI_BASE_URL` names another server and `LIVEGRAPH_MODEL` is not set (livegraph
            cannot guess which models that server has).
    """
    named = os.environ.get(MODEL_ENV)
    if named:
        return named
    base_url = os.environ.get(BASE_URL_ENV)
    if not endpoint_configured() or (base_url and _is_embedded(base_url)):
        return DEFAULT_MODEL
    if not base_url:
        return OPENAI_DEFAULT_MODEL
    raise ValueError(
        f"`OPENAI_BASE_URL` is {base_url}, so livegraph cannot guess the model: set `LIVEGRAPH_MODEL` "
        f"(e.g. `LIVEGRAPH_MODEL=llama3.2` for Ollama) or pass `model=`."
    )


def client(**kwargs: Any) -> OpenAI:
    """An `openai.OpenAI` for the configured endpoint, or for the embedded server if none is configured.

    Keyword arguments go to `openai.OpenAI`. `max_retries` defaults to 0: retries are the node's
    `RetryPolicy`'s job, so a failing call fails once, with what it streamed. Unless you pass your own
    `http_client`, stopping the run cuts a call made with it at any moment (connecting, waiting for the
    answer, streaming) and frees the node's thread within a second.
    """
    openai = require_openai()
    with own_work():
        options = _client_kwargs(kwargs)
        if "http_client" not in options and _platform.HAS_THREADS:  # (else the in-process transport)
            options["http_client"] = openai.DefaultHttpxClient(transport=stoppable_transport(openai))
        return openai.OpenAI(**options)  # type: ignore[no-any-return]


def async_client(**kwargs: Any) -> AsyncOpenAI:
    """An `openai.AsyncOpenAI`, configured as `client()`, that works on any event loop.

    Unless you pass your own `http_client`, it keeps one connection pool per event loop, so one client
    (even at module level) serves `graph.stream`, `await graph.astream`, a cell's own `await` and successive
    `asyncio.run` calls alike.
    """
    openai = require_openai()
    with own_work():  # an SSL context is loaded per client: tens of ms, on the loop if called there
        options = _client_kwargs(kwargs)
        if "http_client" not in options and _platform.HAS_THREADS:  # (else the in-process transport)
            options["http_client"] = openai.DefaultAsyncHttpxClient(transport=per_loop_transport(openai))
        return openai.AsyncOpenAI(**options)  # type: ignore[no-any-return]


def shared_client() -> OpenAI:
    """A `client()` reused by `chat()` while the environment does not change."""
    key = _config_key()
    found = _sync_clients.get(key)
    if found is None:
        found = _sync_clients[key] = client()
    return found


def shared_async_client() -> AsyncOpenAI:
    """An `async_client()` reused by `achat()` while the environment does not change (on any loop)."""
    global _async_client
    key = _config_key()
    if _async_client is None or _async_client[0] != key:
        _async_client = (key, async_client())
    return _async_client[1]


def _client_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    options = {"max_retries": 0, **kwargs}
    if not endpoint_configured() and "base_url" not in options:
        options["base_url"] = _embedded_url(embedded_server())
        options.setdefault("api_key", EMBEDDED_API_KEY)
    elif not os.environ.get(API_KEY_ENV):
        options.setdefault("api_key", NO_KEY)  # local servers need none, but the SDK insists on one
    return options


def _config_key() -> tuple[str, str]:
    return os.environ.get(BASE_URL_ENV, ""), os.environ.get(API_KEY_ENV, "")


def _is_embedded(base_url: str) -> bool:
    if _shared is not None and not _platform.HAS_THREADS:
        return base_url.rstrip("/") == _embedded_url(_shared)
    return _shared is not None and _shared.running and base_url.rstrip("/") == _shared.base_url
