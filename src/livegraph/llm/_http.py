"""The HTTP clients livegraph's OpenAI SDK clients use: safe on any event loop, and stoppable at any moment.

- Async (`async_client()`): one connection pool per event loop. A pooled keep-alive connection belongs to
  the loop that opened it; reusing it from another loop fails ("bound to a different event loop"). With one
  pool per loop, one client works from `graph.stream`, `await graph.astream`, a cell's own `await`, and
  successive `asyncio.run` calls alike. Pools of loops that have closed are dropped.
- Sync (`client()`): a stopped run (break, close, Ctrl-C) cuts the call's connection from the stopping
  thread at any moment of the call: while connecting, while waiting for the response headers or its first
  byte, while streaming. A blocked `recv` does not wake when its socket is closed from another thread;
  shutting the socket down wakes it, and connecting waits in short slices that check for the stop.

The SDK's own HTTP package is used (`httpx`, or `httpx2` for newer SDKs), with its transport and connection
pool; only how a pool is chosen (async) and how sockets are opened and watched (sync) change.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import importlib
import select
import socket
import threading
import weakref
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import Any

from livegraph.config import on_cancel

CONNECT_SLICE = 0.05  # seconds a connect waits before it checks for a stop again
_IN_PROGRESS = (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN)


def http_modules(openai: ModuleType) -> tuple[ModuleType, ModuleType]:
    """`(httpx, httpcore)` as the installed SDK uses them (`httpx2`/`httpcore2` for newer SDKs)."""
    base = importlib.import_module("openai._base_client")
    if hasattr(base, "httpx2"):
        return base.httpx2, importlib.import_module("httpcore2")
    return base.httpx, importlib.import_module("httpcore")


def connection_limits(openai: ModuleType) -> Any:
    constants = importlib.import_module("openai._constants")
    return constants.DEFAULT_CONNECTION_LIMITS


# -- async: a pool per loop ------------------------------------------------------------------------------------
def per_loop_transport(openai: ModuleType) -> Any:
    """An async transport that keeps one connection pool per event loop."""
    httpx, _ = http_modules(openai)
    limits = connection_limits(openai)

    class PerLoopTransport(httpx.AsyncBaseTransport):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()
            self._lock = threading.Lock()

        def _pool(self) -> Any:
            loop = asyncio.get_running_loop()
            with self._lock:
                pool = self._pools.get(loop)
                if pool is None:
                    for old in [old for old in self._pools if old.is_closed()]:
                        del self._pools[old]  # its sockets close when it is collected
                    pool = self._pools[loop] = httpx.AsyncHTTPTransport(limits=limits)
                return pool

        async def handle_async_request(self, request: Any) -> Any:
            return await self._pool().handle_async_request(request)

        async def aclose(self) -> None:
            loop = asyncio.get_running_loop()
            with self._lock:
                pool = self._pools.pop(loop, None)
                self._pools.clear()  # the others belong to loops we cannot await on from here
            if pool is not None:
                await pool.aclose()

    return PerLoopTransport()


# -- sync: cut at any moment -----------------------------------------------------------------------------------
class _Call:
    """One request in flight on a thread: the socket it waits on, and whether the run was stopped."""

    __slots__ = ("sock", "stopped")

    def __init__(self) -> None:
        self.sock: socket.socket | None = None
        self.stopped = False

    def cut(self) -> None:
        self.stopped = True
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


_calls: dict[int, _Call] = {}  # thread id -> its request in flight


def _current() -> _Call | None:
    return _calls.get(threading.get_ident())


def stoppable_transport(openai: ModuleType) -> Any:
    """A sync transport whose requests a stopped run cuts at any moment (see the module docstring)."""
    httpx, httpcore = http_modules(openai)
    limits = connection_limits(openai)
    stream_class = importlib.import_module(f"{httpcore.__name__}._backends.sync").SyncStream

    class WatchedStream(httpcore.NetworkStream):  # type: ignore[misc,name-defined]
        def __init__(self, inner: Any) -> None:
            self._inner = inner
            self._sock = inner.get_extra_info("socket")

        def _watch(self, error: type[Exception]) -> None:
            call = _current()
            if call is not None:
                if call.stopped:
                    raise error("the run was stopped")
                call.sock = self._sock

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            self._watch(httpcore.ReadError)
            return self._inner.read(max_bytes, timeout)  # type: ignore[no-any-return]

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._watch(httpcore.WriteError)
            self._inner.write(buffer, timeout)

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                      timeout: float | None = None) -> Any:
            self._watch(httpcore.ConnectError)
            return WatchedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

        def get_extra_info(self, info: str) -> Any:
            return self._inner.get_extra_info(info)

    class StoppableBackend(httpcore.SyncBackend):  # type: ignore[misc,name-defined]
        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None,
                        socket_options: Iterable[Any] | None = None) -> Any:
            try:
                sock = _connect(host, port, timeout, local_address)
            except TimeoutError as exc:
                raise httpcore.ConnectTimeout(str(exc) or "timed out") from exc
            except OSError as exc:
                raise httpcore.ConnectError(str(exc)) from exc
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return WatchedStream(stream_class(sock))

    class StoppableTransport(httpx.HTTPTransport):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__(limits=limits)
            default: Any = getattr(self, "_pool")  # noqa: B009 - set by the base class, untyped
            self._pool = httpcore.ConnectionPool(
                ssl_context=default._ssl_context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                network_backend=StoppableBackend(),
            )

        def handle_request(self, request: Any) -> Any:
            me, call = threading.get_ident(), _Call()
            _calls[me] = call
            unregister = on_cancel(call.cut)  # outside a run: nothing to stop it

            def done() -> None:
                unregister()
                if _calls.get(me) is call:
                    del _calls[me]

            try:
                response = super().handle_request(request)
            except BaseException:
                done()
                raise
            response.stream = Closing(response.stream, done)
            return response

    class Closing(httpx.SyncByteStream):  # type: ignore[misc,name-defined]
        """The response body; closing it ends the call (its stop hook is dropped)."""

        def __init__(self, inner: Any, done: Any) -> None:
            self._inner = inner
            self._done = done

        def __iter__(self) -> Iterator[bytes]:
            yield from self._inner

        def close(self) -> None:
            try:
                self._inner.close()
            finally:
                done, self._done = self._done, None
                if done is not None:
                    done()

    return StoppableTransport()


def _connect(host: str, port: int, timeout: float | None, local_address: str | None) -> socket.socket:
    """`socket.create_connection`, in slices that give up as soon as the run is stopped."""
    error: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            if local_address is not None:
                sock.bind((local_address, 0))
            _connect_one(sock, address, timeout)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
            if isinstance(exc, TimeoutError) or (_current() or _Call()).stopped:
                raise
    raise error if error is not None else OSError(f"could not resolve {host}")


def _connect_one(sock: socket.socket, address: Any, timeout: float | None) -> None:
    call = _current()
    sock.setblocking(False)
    if call is not None:
        call.sock = sock
    code = sock.connect_ex(address)
    if code not in (0, *_IN_PROGRESS):
        raise OSError(code, f"connect to {address[0]}:{address[1]} failed")
    waited = 0.0
    while code != 0:
        if call is not None and call.stopped:
            raise ConnectionAbortedError("the run was stopped while connecting")
        if timeout is not None and waited >= timeout:
            raise TimeoutError(f"timed out connecting to {address[0]}:{address[1]}")
        _, writable, _ = select.select([], [sock], [], CONNECT_SLICE)
        waited += CONNECT_SLICE
        if writable:
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, f"connect to {address[0]}:{address[1]} failed")
    sock.setblocking(True)

