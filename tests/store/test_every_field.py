"""Every field of the capture record survives the store and HAR, fields added later too.

The record is built from the dataclasses themselves: each field gets a value
unlike its default, made from its type hint (nested dataclasses, tuples,
optionals, enums...). A field added to CaptureRecord or SentResponse tomorrow
is covered without touching this file; if the store or HAR drops it, the
comparison of ``to_json()`` (and of the records) fails and names the key.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import types
import typing
from pathlib import Path
from typing import Any, Union

import pytest

from inspector.formats import import_har, to_har
from inspector.http.record import CaptureRecord, SentResponse
from inspector.store import CaptureStore

_counter = itertools.count(1)


def unlike(hint: Any, default: Any, name: str) -> Any:
    """A value of type ``hint`` that differs from ``default``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return unlike(options[0], default, name)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return (unlike(args[0], None, name), unlike(args[0], None, name))
        return tuple(unlike(arg, None, name) for arg in args)
    if origin is list:
        return [unlike(args[0], None, name)]
    if origin is dict:
        return {f"k{next(_counter)}": unlike(args[1], None, name)}
    if hint is bool:
        return not default if isinstance(default, bool) else True
    if hint is int:
        return (default or 0) + 7 + next(_counter)
    if hint is float:
        return (default or 0.0) + 0.25 + next(_counter)
    if hint is str:
        return f"{name}-{next(_counter)}-é"
    if hint is bytes:
        return b"\x00\xff" + name.encode()
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        members = [m for m in hint if m != default]
        return members[0]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return build(hint)
    raise AssertionError(f"no value for {name}: {hint!r}")


def build(cls: type[Any], **fixed: Any) -> Any:
    hints = typing.get_type_hints(cls, localns={})  # not SentResponse.bytes for ``bytes``
    values = {}
    for field in dataclasses.fields(cls):
        if field.name in fixed:
            continue
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = None
        values[field.name] = unlike(hints[field.name], default, field.name)
    return cls(**values, **fixed)


def full_record(record_id: int) -> CaptureRecord:
    """Every field set, unlike its default (the raw bytes consistent with the body)."""
    body = b"\x00body\xff"
    record: CaptureRecord = build(
        CaptureRecord,
        id=record_id,
        received_at=1_700_000_000.5,
        body=body,
        body_size=len(body),
        raw_head=b"POST / HTTP/1.1\r\n\r\n",
        raw_body=b"7\r\n\x00body\xff\r\n0\r\n\r\n",
        response=build(SentResponse, status=201),
    )
    return record


def test_every_record_field_differs_from_its_default() -> None:
    record = full_record(1)
    for cls, obj in ((CaptureRecord, record), (SentResponse, record.response)):
        for field in dataclasses.fields(cls):
            if field.default is not dataclasses.MISSING:
                assert getattr(obj, field.name) != field.default, field.name


@pytest.mark.parametrize("in_memory", [False, True])
def test_every_to_json_key_round_trips_through_the_store(tmp_path: Path, in_memory: bool) -> None:
    path = None if in_memory else tmp_path / "h.sqlite3"
    records = [full_record(1), full_record(2)]
    with CaptureStore(path) as store:
        store.add_many(records)
        assert store.flush(5)
        back = [store.get(1), store.get(2)]
    if path is not None:  # and after a reopen
        with CaptureStore(path) as store:
            assert [store.get(1), store.get(2)] == back
    for before, after in zip(records, back, strict=True):
        expected, got = before.to_json(), after.to_json()
        for key in expected:
            assert got[key] == expected[key], key
        assert after == before


def test_every_to_json_key_round_trips_through_har() -> None:
    record = full_record(3)
    (back,) = import_har(to_har([record]))
    expected, got = record.to_json(), back.to_json()
    for key in expected:
        assert got[key] == expected[key], key
    assert back == record


def test_default_extension_fields_take_no_room(tmp_path: Path) -> None:
    """Only fields unlike their default are written to the extra column."""
    plain = dataclasses.replace(full_record(4), scheme="http")
    with CaptureStore(tmp_path / "h.sqlite3") as store:
        store.add(plain)
        store.add(dataclasses.replace(plain, id=5, scheme="https"))
        assert store.flush(5)
        rows = dict(store._read("SELECT id, extra FROM requests"))
        assert store.get(5).scheme == "https" and store.get(4).scheme == "http"
    assert '"scheme":"https"' in rows[5]
    assert rows[4] is None or "scheme" not in rows[4]
