"""inspector.units: sizes and durations read and written, both sides of each boundary."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.units import MAX_TEXT, format_duration, format_size, parse_duration, parse_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("0", 0),
        ("100", 100),
        ("100 B", 100),
        ("100MiB", 100 * 2**20),
        ("100 mib", 100 * 2**20),
        ("10m", 10 * 2**20),
        ("64 KiB", 65536),
        ("64k", 65536),
        ("1.5 KiB", 1536),
        ("2 GiB", 2 * 2**30),
        ("1 kB", 1000),
        ("3 MB", 3_000_000),
        ("1GB", 10**9),
        ("  8 KiB  ", 8192),
    ],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30", 30.0),
        ("30s", 30.0),
        ("1.5 s", 1.5),
        ("500ms", 0.5),
        ("2 min", 120.0),
        ("2m", 120.0),
        ("1h", 3600.0),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text", ["", "MiB", "-1", "1e3", "1 2", "10 TiB", "10 parsecs", "ten", "1,5 KiB", "0x10", "½ KiB"]
)
def test_not_sizes(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_size(text)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("text", ["", "s", "-5s", "5 days", "5 ss", "1:30"])
def test_not_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_size, "ten", "not a size: 'ten'"),
        (parse_size, "1" * (MAX_TEXT + 1), f"size is too long: {'1' * MAX_TEXT!r}…"),
        (parse_size, " 10 TiB ", "unknown size unit 'tib' in '10 TiB' (use B, KiB, MiB, GiB, kB, MB, GB)"),
        (parse_duration, "5 ss", "unknown time unit 'ss' in '5 ss' (use ms, s, min, h)"),
        (parse_duration, "1:30", "not a duration: '1:30'"),
        (parse_duration, "9" * (MAX_TEXT + 1), f"duration is too long: {'9' * MAX_TEXT!r}…"),
    ],
)
def test_each_refusal_says_what_was_wrong_in_one_line(
    parse: Callable[[str], float], text: str, message: str
) -> None:
    """The messages the command line and the settings dialog show as they are."""
    with pytest.raises(ValueError) as caught:
        parse(text)
    assert str(caught.value) == message


def test_bounds_on_both_sides() -> None:
    assert parse_size("1 KiB", minimum=1024) == 1024
    with pytest.raises(ValueError, match="at least 1 KiB"):
        parse_size("1023", minimum=1024)
    assert parse_size("1 GiB", maximum=2**30) == 2**30
    with pytest.raises(ValueError, match="at most 1 GiB"):
        parse_size("1.001 GiB", maximum=2**30)
    assert parse_duration("0.1 s", minimum=0.1) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="at least 100 ms"):
        parse_duration("99ms", minimum=0.1)
    with pytest.raises(ValueError, match="at most 5 min"):
        parse_duration("301", maximum=300)


def test_long_text_is_refused_at_once() -> None:
    assert parse_size(" " * (MAX_TEXT - 1) + "1") == 1
    for text in (" " * MAX_TEXT + "1", "1" * 100_000, "1." + "0" * 100_000):
        with pytest.raises(ValueError):
            parse_size(text)


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (1000, "1000 B"), (1024, "1 KiB"), (1536, "1536 B"), (10 * 2**20, "10 MiB")],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (30.0, "30 s"),
        (1.5, "1.5 s"),
        (0.25, "250 ms"),
        (300.0, "5 min"),
        (90.0, "90 s"),
        (60.0, "1 min"),
        (120.0, "2 min"),
        (1.0, "1 s"),
        (0.999, "999 ms"),
        (2.0, "2 s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@given(st.integers(min_value=0, max_value=2**40))
def test_size_round_trip(size: int) -> None:
    assert parse_size(format_size(size)) == size


@given(st.integers(min_value=1, max_value=10**7).map(lambda ms: ms / 1000))
def test_duration_round_trip(seconds: float) -> None:
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds)


@given(st.text(max_size=60))
def test_any_text_is_a_size_or_one_line_error(text: str) -> None:
    try:
        assert parse_size(text) >= 0
    except ValueError as exc:
        assert "\n" not in str(exc).replace(repr(text), "")
