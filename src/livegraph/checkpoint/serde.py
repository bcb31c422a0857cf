"""The checkpoint format: JSON, with a small set of tagged types and types the user registers.

Nothing read from a checkpoint file is ever executed: decoding only builds the JSON types, the built-in
tagged types below, and types registered with `register()`. A value of any other type is refused when it is
saved, with an error that names the state key.

Tagged values are objects with one key `"__lg__"` naming the type and `"v"` the value:
`tuple`, `set`, `frozenset`, `bytes` (base64), `datetime`, `date`, `Send`, `Interrupt`, `MessageChunk`,
`Command`, chat messages (livegraph's own, and LangChain's once `langchain_core` is there), registered
dataclasses and pydantic models (by the name given to `register`), and a plain dict
whose keys are not all strings (`dict`, as a list of pairs).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from .. import messages as _own
from .._engine._errors import CheckpointError
from .._engine._messages import MessageChunk
from .._engine._types import Command, Interrupt, Send

TAG = "__lg__"


@dataclasses.dataclass(frozen=True)
class _Codec:
    cls: type
    name: str
    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


_by_name: dict[str, _Codec] = {}
_by_type: dict[type, _Codec] = {}


def register(
    cls: type,
    name: str | None = None,
    *,
    dump: Callable[[Any], Any] | None = None,
    load: Callable[[Any], Any] | None = None,
) -> type:
    """Allow instances of `cls` in checkpoints. Dataclasses and pydantic models need no `dump`/`load`.

    Usable as a decorator: `@register` on a dataclass.
    """
    key = name or f"{cls.__module__}.{cls.__qualname__}"
    if dump is None or load is None:
        if dataclasses.is_dataclass(cls):
            dump = dump or (lambda o: {f.name: getattr(o, f.name) for f in dataclasses.fields(o)})
            load = load or (lambda v: cls(**v))
        elif hasattr(cls, "model_dump") and hasattr(cls, "model_validate"):
            dump = dump or (lambda o: o.model_dump(mode="python"))
            load = load or cls.model_validate
        else:
            raise TypeError(
                f"register({cls.__name__}): give `dump=` and `load=` for a type that is not a "
                "dataclass or a pydantic model"
            )
    codec = _Codec(cls, key, dump, load)
    _by_name[key] = codec
    _by_type[cls] = codec
    return cls


def _builtin_codecs() -> None:
    register(Send, "Send", dump=lambda s: [s.node, s.arg], load=lambda v: Send(v[0], v[1]))
    register(Interrupt, "Interrupt")
    register(MessageChunk, "MessageChunk")
    register(
        Command,
        "Command",
        dump=lambda c: {"graph": c.graph, "update": c.update, "resume": c.resume, "goto": c.goto},
        load=lambda v: Command(**v),
    )
    for cls in (_own.HumanMessage, _own.AIMessage, _own.SystemMessage, _own.ToolMessage):
        register(cls, f"livegraph.{cls.__name__}")
    register(_own.RemoveMessage, "livegraph.RemoveMessage", dump=lambda m: m.id, load=_own.RemoveMessage)


_LANGCHAIN = "langchain_core.messages."  # LangChain's messages: registered on first use (pydantic models)


def _register_langchain() -> bool:
    """Register LangChain's message classes (once `langchain_core` is there); True if anything was added."""
    try:
        import langchain_core.messages as lc
    except ImportError:
        return False
    added = False
    for name in ("HumanMessage", "AIMessage", "SystemMessage", "ToolMessage", "RemoveMessage", "ChatMessage",
                 "FunctionMessage", "AIMessageChunk", "HumanMessageChunk", "SystemMessageChunk",
                 "ToolMessageChunk", "ChatMessageChunk", "FunctionMessageChunk"):
        cls = getattr(lc, name, None)
        if cls is not None and cls not in _by_type:
            register(cls, _LANGCHAIN + name)
            added = True
    return added


_builtin_codecs()


class UnstorableValue(TypeError):
    pass


_INF = (float("inf"), float("-inf"))
_PLAIN = frozenset({str, int, bool, type(None)})  # stored as they are


def _sub(path: str | None, key: Any) -> str | None:
    return None if path is None else f"{path}[{key!r}]"


def _enc(obj: Any, path: str | None = None) -> Any:
    """`obj` as JSON data. `path` names where `obj` is, for the error; None (the fast way) skips it, and
    `dumps` encodes again with paths only when a value cannot be stored."""
    t = type(obj)
    if t in _PLAIN:
        return obj
    if t is float:
        return obj if obj == obj and obj not in _INF else {TAG: "float", "v": repr(obj)}
    if t is list:
        if path is None:
            return [v if type(v) in _PLAIN else _enc(v) for v in obj]
        return [_enc(v, f"{path}[{i}]") for i, v in enumerate(obj)]
    if t is dict:
        for k in obj:
            if type(k) is not str:
                break
        else:
            if TAG not in obj:
                if path is None:
                    return {k: v if type(v) in _PLAIN else _enc(v) for k, v in obj.items()}
                return {k: _enc(v, _sub(path, k)) for k, v in obj.items()}
        return {TAG: "dict", "v": [[_enc(k, path), _enc(v, _sub(path, k))] for k, v in obj.items()]}
    return _enc_other(obj, path)


def _enc_other(obj: Any, path: str | None) -> Any:
    if isinstance(obj, (bool, int, str)):  # subclasses, such as `class Color(str, Enum)`
        return obj
    if isinstance(obj, float):
        return {TAG: "float", "v": repr(obj)} if obj != obj or obj in _INF else obj
    if isinstance(obj, (list, dict)):
        return _enc(list(obj) if isinstance(obj, list) else dict(obj), path)
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return {TAG: "tuple", "v": [_enc(v, _sub(path, i)) for i, v in enumerate(obj)]}
    if isinstance(obj, (set, frozenset)):
        kind = "set" if isinstance(obj, set) else "frozenset"
        return {TAG: kind, "v": [_enc(v, path) for v in sorted(obj, key=repr)]}
    if isinstance(obj, bytes):
        return {TAG: "bytes", "v": base64.b64encode(obj).decode()}
    if isinstance(obj, dt.datetime):
        return {TAG: "datetime", "v": obj.isoformat()}
    if isinstance(obj, dt.date):
        return {TAG: "date", "v": obj.isoformat()}
    codec = _by_type.get(type(obj))
    if codec is None and type(obj).__module__.startswith("langchain_core.messages") and _register_langchain():
        codec = _by_type.get(type(obj))
    if codec is not None:
        return {TAG: codec.name, "v": _enc(codec.dump(obj), path)}
    raise UnstorableValue(path, obj)


def _decode_tagged(obj: dict[str, Any]) -> Any:
    """`json.loads`'s object hook: called for every JSON object, innermost first, so `v` is decoded."""
    tag = obj.get(TAG)
    if tag is None:
        return obj
    v: Any = obj.get("v")
    if tag == "tuple":
        return tuple(v)
    if tag == "set":
        return set(v)
    if tag == "frozenset":
        return frozenset(v)
    if tag == "dict":
        return dict(v)
    if tag == "bytes":
        return base64.b64decode(v)
    if tag == "datetime":
        return dt.datetime.fromisoformat(v)
    if tag == "date":
        return dt.date.fromisoformat(v)
    if tag == "float":
        return float(v)
    codec = _by_name.get(tag)
    if codec is None and tag.startswith(_LANGCHAIN) and _register_langchain():
        codec = _by_name.get(tag)
    if codec is None:
        raise CheckpointError(
            f"The checkpoint holds a value of type `{tag}`, which is not registered in this process; call "
            f"`livegraph.checkpoint.serde.register(<that class>)` before loading it"
        )
    try:
        return codec.load(v)
    except CheckpointError:
        raise
    except Exception as exc:  # the class changed since the checkpoint was written
        raise CheckpointError(
            f"The checkpoint holds a `{tag}` that no longer loads ({type(exc).__name__}: {exc}); if the class "
            "changed since it was saved, register it with a `load=` that also reads the old form"
        ) from exc


_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_decode = json.JSONDecoder(object_hook=_decode_tagged).decode


def _unstorable(exc: UnstorableValue) -> CheckpointError:
    path, value = exc.args
    return CheckpointError(
        f"{path} holds a {type(value).__module__}.{type(value).__qualname__}, which livegraph cannot store "
        "in a checkpoint (it stores JSON and registered types only, so loading never runs code). Store "
        "plain data there, or register the type: `livegraph.checkpoint.serde.register(YourType)`"
    )


def to_data(obj: Any, what: str = "value") -> Any:
    """`obj` as JSON data (new containers throughout); `CheckpointError` naming the key that cannot be stored."""
    try:
        return _enc(obj)
    except UnstorableValue:
        pass
    try:  # again, slowly, to say where
        _enc(obj, what)
    except UnstorableValue as exc:
        raise _unstorable(exc) from None
    raise AssertionError("unreachable")  # pragma: no cover


def state_to_data(values: dict[str, Any]) -> dict[str, Any]:
    """A state dict as JSON data, naming the offending key as `State key `k``."""
    try:
        return {k: _enc(v) for k, v in values.items()}
    except UnstorableValue:
        pass
    for k, v in values.items():
        try:
            _enc(v, f"State key `{k}`")
        except UnstorableValue as exc:
            raise _unstorable(exc) from None
    raise AssertionError("unreachable")  # pragma: no cover


def from_data(data: Any) -> Any:
    """What `to_data` made, back as values (new containers throughout, as `loads` of its JSON text)."""
    t = type(data)
    if t is list:
        return [v if type(v) in _PLAIN else from_data(v) for v in data]
    if t is dict:
        return _decode_tagged({k: v if type(v) in _PLAIN else from_data(v) for k, v in data.items()})
    return data


def dumps(obj: Any, what: str = "value") -> str:
    """Encode `obj` as checkpoint JSON; raise `CheckpointError` naming the key that cannot be stored."""
    return _encode(to_data(obj, what))


def loads(text: str) -> Any:
    return _decode(text)


def dumps_state(values: dict[str, Any]) -> str:
    """Encode a state dict, naming the offending key as `State key `k``."""
    return _encode(state_to_data(values))


def dumps_data(data: Any) -> str:
    """JSON text of data that is already checkpoint JSON data (`to_data`'s output)."""
    return _encode(data)


_plain_decode = json.JSONDecoder().decode


def loads_data(text: str) -> Any:
    """`dumps_data`'s text back as checkpoint JSON data (tagged values stay tagged: `from_data` decodes)."""
    return _plain_decode(text)
