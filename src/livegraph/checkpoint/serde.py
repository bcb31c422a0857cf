"""The checkpoint format: JSON, with a small set of tagged types and types the user registers.

Nothing read from a checkpoint file is ever executed: decoding only builds the JSON types, the built-in
tagged types below, and types registered with `register()`. A value of any other type is refused when it is
saved, with an error that names the state key.

Tagged values are objects with one key `"__lg__"` naming the type and `"v"` the value:
`tuple`, `set`, `frozenset`, `bytes` (base64), `datetime`, `date`, `Send`, `Interrupt`, `MessageChunk`,
`Command`, registered dataclasses and pydantic models (by the name given to `register`), and a plain dict
whose keys are not all strings (`dict`, as a list of pairs).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from .._errors import CheckpointError
from .._messages import MessageChunk
from .._types import Command, Interrupt, Send

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


_builtin_codecs()


class UnstorableValue(TypeError):
    pass


def _enc(obj: Any, path: str) -> Any:
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            return {TAG: "float", "v": repr(obj)}
        return obj
    if isinstance(obj, list):
        return [_enc(v, f"{path}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj) and TAG not in obj:
            return {k: _enc(v, f"{path}[{k!r}]") for k, v in obj.items()}
        return {TAG: "dict", "v": [[_enc(k, path), _enc(v, f"{path}[{k!r}]")] for k, v in obj.items()]}
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return {TAG: "tuple", "v": [_enc(v, f"{path}[{i}]") for i, v in enumerate(obj)]}
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
    if codec is not None:
        return {TAG: codec.name, "v": _enc(codec.dump(obj), path)}
    raise UnstorableValue(path, obj)


def _dec(obj: Any) -> Any:
    if isinstance(obj, list):
        return [_dec(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    tag = obj.get(TAG)
    if tag is None:
        return {k: _dec(v) for k, v in obj.items()}
    v: Any = obj.get("v")
    if tag == "tuple":
        return tuple(_dec(x) for x in v)
    if tag == "set":
        return {_dec(x) for x in v}
    if tag == "frozenset":
        return frozenset(_dec(x) for x in v)
    if tag == "dict":
        return {_dec(k): _dec(x) for k, x in v}
    if tag == "bytes":
        return base64.b64decode(v)
    if tag == "datetime":
        return dt.datetime.fromisoformat(v)
    if tag == "date":
        return dt.date.fromisoformat(v)
    if tag == "float":
        return float(v)
    codec = _by_name.get(tag)
    if codec is None:
        raise CheckpointError(
            f"The checkpoint holds a value of type `{tag}`, which is not registered in this process; call "
            f"`livegraph.checkpoint.serde.register(<that class>)` before loading it"
        )
    return codec.load(_dec(v))


def dumps(obj: Any, what: str = "value") -> str:
    """Encode `obj` as checkpoint JSON; raise `CheckpointError` naming the key that cannot be stored."""
    try:
        return json.dumps(_enc(obj, what), separators=(",", ":"), ensure_ascii=False)
    except UnstorableValue as exc:
        path, value = exc.args
        raise CheckpointError(
            f"{path} holds a {type(value).__module__}.{type(value).__qualname__}, which livegraph cannot store "
            "in a checkpoint (it stores JSON and registered types only, so loading never runs code). Store "
            "plain data there, or register the type: `livegraph.checkpoint.serde.register(YourType)`"
        ) from None


def loads(text: str) -> Any:
    return _dec(json.loads(text))


def dumps_state(values: dict[str, Any]) -> str:
    """Encode a state dict, naming the offending key as `State key `k``."""
    return "{" + ",".join(f"{json.dumps(k)}:{dumps(v, f'State key `{k}`')}" for k, v in values.items()) + "}"
