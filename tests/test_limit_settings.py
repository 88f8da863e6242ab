"""inspector.limit_settings: the limits a user may set, read, written and bounded."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from inspector.http.limits import Limits
from inspector.limit_settings import (
    LIMIT_FIELDS,
    MIB,
    LimitField,
    add_limit_arguments,
    limit_values,
    limits_with,
)


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


def field_named(name: str) -> LimitField:
    return next(f for f in LIMIT_FIELDS if f.name == name)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("max_connections", "0", "must be from 1 to 100000"),
        ("max_connections", "100001", "must be from 1 to 100000"),
        ("max_connections", "1234567890", "not a whole number: '1234567890'"),
        ("max_connections", " " + "9" * 50 + " ", f"not a whole number: {'9' * 40!r}"),
        ("max_header_fields", "10001", "must be from 1 to 10000"),
        ("idle_timeout", "25 h", "must be at most 1440 min"),
        ("head_timeout", "50ms", "must be at least 100 ms"),
        ("max_body", "1025 MiB", "must be at most 1 GiB"),
    ],
)
def test_each_refusal_is_its_one_line(name: str, text: str, message: str) -> None:
    """The line the Settings dialog and argparse show, bounds written as the user types them."""
    with pytest.raises(ValueError) as caught:
        field_named(name).read(text)
    assert str(caught.value) == message


def test_a_count_of_nine_digits_is_read_and_both_bounds_are_allowed() -> None:
    field = dataclasses.replace(field_named("max_connections"), maximum=999_999_999)
    assert field.read("999999999") == 999_999_999
    assert field_named("max_connections").read("1") == 1
    assert field_named("max_connections").read("100000") == 100_000
    assert field_named("request_timeout").read("24 h") == 86_400


def test_limits_with_checks_each_bound_and_the_limits_together() -> None:
    assert limits_with({"unknown": 5, "max_body": 1024}).max_body == 1024  # an unknown name is skipped
    assert limits_with({"max_connections": 1}).max_connections == 1
    assert limits_with({"max_connections": 100_000}).max_connections == 100_000
    with pytest.raises(ValueError) as caught:
        limits_with({"max_connections": 100_001})
    assert str(caught.value) == "Connections: must be from 1 to 100000"
    with pytest.raises(ValueError) as caught:
        limits_with({"head_timeout": 0.05})
    assert str(caught.value) == "Head timeout: must be from 100 ms to 60 min"
    # a request line as long as the whole head, and a budget exactly twice the body, fit
    same = limits_with({"max_request_line": 4096, "max_head": 4096})
    assert same.max_request_line == same.max_head == 4096
    twice = limits_with({"max_body": 32 * MIB, "memory_budget": 64 * MIB})
    assert twice.memory_budget == 2 * twice.max_body
    with pytest.raises(ValueError) as caught:
        limits_with({"max_request_line": 4097, "max_head": 4096})
    assert str(caught.value) == "the request line cannot be longer than the whole head"
    with pytest.raises(ValueError) as caught:
        limits_with({"max_body": 32 * MIB + 1, "memory_budget": 64 * MIB})
    assert str(caught.value) == (
        "the memory budget must be at least twice the body limit, or a body that large is answered 503"
    )


def test_the_flags_are_one_help_group_with_each_limits_kind_default_and_bounds() -> None:
    parser = argparse.ArgumentParser(prog="request-inspector", formatter_class=argparse.RawTextHelpFormatter)
    add_limit_arguments(parser)
    text = " ".join(parser.format_help().split())
    assert (
        "listener limits: Raise or lower what one request may use, typed as in the window's Settings "
        "(sizes: 100MiB, 64KiB, 1GB; durations: 500ms, 30s, 5min). They hold for this run; "
        "in the window they start from its Settings." in text
    )
    assert "--max-body SIZE Larger bodies are answered 413 (default 10 MiB; 0 B to 1 GiB)" in text
    assert "--max-connections COUNT The next one is answered 503 (default 1000; 1 to 100000)" in text
    assert "--idle-timeout DURATION A keep-alive connection left idle is closed (default" in text
    group = text.index("listener limits:")
    assert all(text.index(f"{field.flag} {field.kind.name} ") > group for field in LIMIT_FIELDS)
    assert vars(parser.parse_args(["--max-connections", "7"]))["limit_max_connections"] == 7


def test_limit_values_of_a_namespace_without_the_flags_is_empty() -> None:
    assert limit_values(argparse.Namespace()) == {}
    assert limit_values(argparse.Namespace(limit_max_body=5, other=1)) == {"max_body": 5}
