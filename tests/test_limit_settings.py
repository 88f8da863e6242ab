"""inspector.limit_settings: the limits a user may set, read, written and bounded."""

from __future__ import annotations

import dataclasses

import pytest

from inspector.http.limits import Limits
from inspector.limit_settings import LIMIT_FIELDS, limits_with


def test_every_field_is_a_limit_with_its_default_inside_its_bounds() -> None:
    names = {field.name for field in dataclasses.fields(Limits)}
    for field in LIMIT_FIELDS:
        assert field.name in names
        assert field.minimum <= field.default() <= field.maximum, field.name
        assert field.read(field.write(field.default())) == pytest.approx(field.default())
    assert [f.flag for f in LIMIT_FIELDS][:2] == ["--max-body", "--max-head"]


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [("max_body", "100 MiB", 100 * 2**20), ("head_timeout", "500ms", 0.5), ("max_connections", " 20 ", 20)],
)
def test_read(name: str, text: str, value: float) -> None:
    field = next(f for f in LIMIT_FIELDS if f.name == name)
    assert field.read(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("max_body", "2 GiB"),
        ("max_head", "1000"),
        ("max_connections", "0"),
        ("max_connections", "1.5"),
        ("max_connections", "1e3"),
        ("max_header_fields", "٣"),
        ("idle_timeout", "2 days"),
        ("head_timeout", "50ms"),
    ],
)
def test_out_of_bounds_or_unreadable(name: str, text: str) -> None:
    field = next(f for f in LIMIT_FIELDS if f.name == name)
    with pytest.raises(ValueError):
        field.read(text)


def test_limits_with_values_and_together() -> None:
    limits = limits_with({"max_body": 1024, "idle_timeout": 2, "unknown": 5})
    assert limits.max_body == 1024 and limits.idle_timeout == 2.0
    assert isinstance(limits.max_body, int) and isinstance(limits.idle_timeout, float)
    assert limits.max_head == Limits().max_head
    with pytest.raises(ValueError, match="request line cannot be longer"):
        limits_with({"max_request_line": 8192, "max_head": 4096})
    with pytest.raises(ValueError, match="Connections"):
        limits_with({"max_connections": 0})
