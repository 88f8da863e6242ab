"""Sizes and durations as people write them (Qt-free): ``100MiB``, ``64 KiB``, ``30s``, ``1.5 min``.

One home for reading and writing the listener's limits, for the command line
(``--max-body 100MiB``) and the window's settings alike (docs/ARCHITECTURE.md,
"Limits and deadlines").

Sizes: a number (decimal point allowed) and an optional unit, case-insensitive,
spaces allowed between them. ``B`` or no unit is bytes; ``KiB``, ``MiB``,
``GiB`` and the bare ``K``, ``M``, ``G`` (as nginx reads ``10m``) are powers of
1024; ``kB``, ``MB``, ``GB`` are powers of 1000. Durations: ``ms``, ``s``
(or no unit), ``m``/``min`` and ``h``. The text is read once, left to right, and
is capped in length, so no input is slow to refuse.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Final

#: longest text read as a size or a duration
MAX_TEXT: Final = 40

SIZE_UNITS: Final[dict[str, int]] = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gib": 1024**3,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
}
DURATION_UNITS: Final[dict[str, float]] = {
    "": 1.0,
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
}

# digits, an optional fraction, optional spaces, letters: no nested repetition
_QUANTITY: Final = re.compile(r"\s*(\d{1,15}(?:\.\d{1,9})?)\s*([a-zA-Z]{0,3})\s*")


def _split(text: str, what: str) -> tuple[float, str]:
    if len(text) > MAX_TEXT:
        raise ValueError(f"{what} is too long: {text[:MAX_TEXT]!r}…")
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise ValueError(f"not a {what}: {text!r}")
    return float(match.group(1)), match.group(2).lower()


def parse_size(text: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """Bytes in ``text`` (``"10 MiB"`` -> 10485760), rounded down to a whole byte.

    Raises:
        ValueError: not a size, an unknown unit, or outside ``minimum``..``maximum``
            (the message is one line, fit to show as it is).
    """
    number, unit = _split(text, "size")
    factor = SIZE_UNITS.get(unit)
    if factor is None:
        raise ValueError(f"unknown size unit {unit!r} in {text.strip()!r} (use B, KiB, MiB, GiB, kB, MB, GB)")
    size = int(number * factor)
    _check(size, minimum, maximum, format_size)
    return size


def parse_duration(text: str, *, minimum: float = 0.0, maximum: float | None = None) -> float:
    """Seconds in ``text`` (``"500ms"`` -> 0.5, ``"2 min"`` -> 120.0).

    Raises:
        ValueError: not a duration, an unknown unit, or outside ``minimum``..``maximum``.
    """
    number, unit = _split(text, "duration")
    factor = DURATION_UNITS.get(unit)
    if factor is None:
        raise ValueError(f"unknown time unit {unit!r} in {text.strip()!r} (use ms, s, min, h)")
    seconds = number * factor
    _check(seconds, minimum, maximum, format_duration)
    return seconds


def _check(value: float, minimum: float, maximum: float | None, write: Callable[[float], str]) -> None:
    if value < minimum:
        raise ValueError(f"must be at least {write(minimum)}")
    if maximum is not None and value > maximum:
        raise ValueError(f"must be at most {write(maximum)}")


def format_size(size: float) -> str:
    """The shortest exact spelling that :func:`parse_size` reads back: ``10 MiB``,
    ``1536 KiB``, ``1000 B``."""
    size = int(size)
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} B"


def format_duration(seconds: float) -> str:
    """A spelling that :func:`parse_duration` reads back, to the millisecond:
    ``30 s``, ``1.5 s``, ``250 ms``, ``5 min``."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)} min"
    millis = seconds * 1000
    if seconds < 1 and math.isclose(millis, round(millis)):
        return f"{round(millis)} ms"
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + " s"  # to the millisecond
