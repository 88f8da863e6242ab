"""Record fields beyond the core set, as plain JSON: one generic codec.

The store keeps the core fields of a capture record in columns of their own and
HAR maps them to its own fields (docs/ARCHITECTURE.md, "The capture record").
Every other field of :class:`~inspector.http.record.CaptureRecord` and
:class:`~inspector.http.record.SentResponse` (``scheme`` today; TLS, upstream
and answer-sequence fields as they are added) travels as one JSON object built
here from the dataclass fields and their type hints, so a new record field
needs no schema or format change: only fields whose value differs from their
default are written, and reading turns the JSON back into the annotated types
(nested dataclasses, tuples, bytes as base64, enums).
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from typing import Any, Final, Union

from inspector.http.record import CaptureRecord, SentResponse

#: CaptureRecord fields the store and HAR hold in places of their own
CORE_RECORD_FIELDS: Final = frozenset(
    {
        "id", "received_at", "client", "server", "method", "target", "path", "query",
        "http_version", "headers", "trailers", "body", "body_size", "body_truncated",
        "error", "notes", "raw_head", "raw_body", "response",
    }
)  # fmt: skip
#: SentResponse fields the store and HAR hold in places of their own
CORE_RESPONSE_FIELDS: Final = frozenset(
    {"status", "reason", "headers", "body", "rule", "bytes", "duration_ms", "error"}
)
#: the key of the response's extension fields inside a record's extension object
RESPONSE_KEY: Final = "response"

_MISSING: Final = object()


def _extras(cls: type[Any], core: frozenset[str]) -> tuple[tuple[str, Any], ...]:
    """(name, default) of the fields of ``cls`` that are not in ``core``."""
    out = []
    for item in dataclasses.fields(cls):
        if item.name in core:
            continue
        if item.default is not dataclasses.MISSING:
            default = item.default
        elif item.default_factory is not dataclasses.MISSING:
            default = item.default_factory()
        else:
            default = _MISSING
        out.append((item.name, default))
    return tuple(out)


_hint_cache: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _hint_cache.get(cls)
    if hints is None:
        # localns={}: SentResponse has a field named ``bytes``, which would
        # otherwise stand for the builtin in its own annotations
        hints = _hint_cache[cls] = typing.get_type_hints(cls, localns={})
    return hints


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data (dataclasses as objects of all their fields).

    Raises:
        TypeError: a type this codec does not know.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): encode(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot store a {type(value).__name__} in a capture record")


def decode(hint: Any, value: Any) -> Any:
    """Data written by :func:`encode` back as the type ``hint`` names."""
    if value is None or hint is Any:
        return value
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        options = [arg for arg in args if arg is not type(None)]
        if len(options) == 1:
            return decode(options[0], value)
        for option in options:  # a union of plain types: the first that fits
            if isinstance(option, type) and isinstance(value, option):
                return value
        return value
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], item) for item in value)
        return tuple(decode(arg, item) for arg, item in zip(args, value, strict=False))
    if origin is list:
        return [decode(args[0], item) for item in value] if args else list(value)
    if origin is dict or origin is Mapping:
        return {key: decode(args[1], item) for key, item in value.items()} if args else dict(value)
    if hint is bytes:
        return base64.b64decode(_checked(str, value), validate=True)
    if hint is float:
        return float(_checked(int | float, value))
    if hint in (str, int, bool):
        return _checked(hint, value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value)
    return value


def _checked(kind: Any, value: Any) -> Any:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise TypeError(f"expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value


def _build(cls: type[Any], data: Mapping[str, Any]) -> Any:
    hints = _hints(cls)
    return cls(**{name: decode(hints[name], item) for name, item in data.items() if name in hints})


def _collect(obj: Any, extras: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    out = {}
    for name, default in extras:
        value = getattr(obj, name)
        if default is _MISSING or value != default:
            out[name] = encode(value)
    return out


_RECORD_EXTRAS: Final = _extras(CaptureRecord, CORE_RECORD_FIELDS)
_RESPONSE_EXTRAS: Final = _extras(SentResponse, CORE_RESPONSE_FIELDS)


def record_extensions(record: CaptureRecord) -> dict[str, Any] | None:
    """The record's fields outside the core set whose values are not their defaults
    (the response's under ``"response"``); None when there are none."""
    out = _collect(record, _RECORD_EXTRAS)
    response = record.response
    if response is not None:
        sent = _collect(response, _RESPONSE_EXTRAS)
        if sent:
            out[RESPONSE_KEY] = sent
    return out or None


def _decoded(cls: type[Any], core: frozenset[str], data: Mapping[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    return {
        name: decode(hints[name], value)
        for name, value in data.items()
        if name in hints and name not in core  # a field this version lacks is ignored
    }


def record_fields(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments for :class:`CaptureRecord` from :func:`record_extensions` data
    (without the response's, see :func:`response_fields`)."""
    return _decoded(CaptureRecord, CORE_RECORD_FIELDS, data) if data else {}


def response_fields(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Keyword arguments for :class:`SentResponse` from :func:`record_extensions` data."""
    sent = data.get(RESPONSE_KEY) if data else None
    return _decoded(SentResponse, CORE_RESPONSE_FIELDS, sent) if isinstance(sent, Mapping) else {}
