"""The listener's limits a user may change, and how they are written (Qt-free).

One table (:data:`LIMIT_FIELDS`) says, for each field of
:class:`inspector.http.limits.Limits` that the window's settings and the
command line offer: its label, its kind (a size, a count or a duration, read and
written by :mod:`inspector.units`), the bounds it must keep and its flag
(``--max-body 100MiB``). The window's settings dialog is built from it, and the
command line can be (docs/ARCHITECTURE.md, "Limits and deadlines").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final

from inspector.http.limits import Limits
from inspector.units import format_duration, format_size, parse_duration, parse_size


class Kind(Enum):
    SIZE = "size"
    COUNT = "count"
    DURATION = "duration"


@dataclass(frozen=True, slots=True)
class LimitField:
    """One limit: the :class:`Limits` attribute, how it is shown and read."""

    name: str
    label: str
    kind: Kind
    minimum: float
    maximum: float
    help: str

    @property
    def flag(self) -> str:
        """The command-line flag (``max_body`` -> ``--max-body``)."""
        return "--" + self.name.replace("_", "-")

    def default(self) -> float:
        value: float = getattr(Limits(), self.name)
        return value

    def write(self, value: float) -> str:
        """``value`` as the user reads and types it."""
        if self.kind is Kind.SIZE:
            return format_size(value)
        if self.kind is Kind.DURATION:
            return format_duration(value)
        return str(int(value))

    def read(self, text: str) -> float:
        """The value in ``text``.

        Raises:
            ValueError: not a value of this kind, or outside the bounds (one line).
        """
        if self.kind is Kind.SIZE:
            return parse_size(text, minimum=int(self.minimum), maximum=int(self.maximum))
        if self.kind is Kind.DURATION:
            return parse_duration(text, minimum=self.minimum, maximum=self.maximum)
        stripped = text.strip()
        if not stripped.isascii() or not stripped.isdigit() or len(stripped) > 9:
            raise ValueError(f"not a whole number: {text.strip()[:40]!r}")
        number = int(stripped)
        if not self.minimum <= number <= self.maximum:
            raise ValueError(f"must be from {int(self.minimum)} to {int(self.maximum)}")
        return number


KIB: Final = 1024
MIB: Final = 1024 * 1024

LIMIT_FIELDS: Final = (
    LimitField("max_body", "Body", Kind.SIZE, 0, 1024 * MIB, "Larger bodies are answered 413"),
    LimitField("max_head", "Request head", Kind.SIZE, KIB, 16 * MIB, "A larger head is answered 431"),
    LimitField(
        "max_request_line", "Request line", Kind.SIZE, 256, 1 * MIB, "A longer request line is answered 414"
    ),
    LimitField("max_header_fields", "Header fields", Kind.COUNT, 1, 10_000, "More fields are answered 431"),
    LimitField("max_connections", "Connections", Kind.COUNT, 1, 100_000, "The next one is answered 503"),
    LimitField(
        "head_timeout",
        "Head timeout",
        Kind.DURATION,
        0.1,
        3600,
        "From the first byte to the end of the head: 408",
    ),
    LimitField("body_timeout", "Body timeout", Kind.DURATION, 0.1, 3600, "A body silent this long: 408"),
    LimitField(
        "idle_timeout",
        "Idle timeout",
        Kind.DURATION,
        0.1,
        86_400,
        "A keep-alive connection left idle is closed",
    ),
)


def check_limits(values: Mapping[str, float]) -> str | None:
    """What is wrong with the limits taken together (None: nothing)."""
    line, head = values.get("max_request_line"), values.get("max_head")
    if line is not None and head is not None and line > head:
        return "the request line cannot be longer than the whole head"
    return None


def limits_with(values: Mapping[str, float], base: Limits | None = None) -> Limits:
    """``base`` (the defaults) with the fields in ``values`` that :data:`LIMIT_FIELDS` names.

    Raises:
        ValueError: a value out of its bounds, or the limits do not fit together.
    """
    known = {field.name: field for field in LIMIT_FIELDS}
    changes: dict[str, float] = {}
    for name, value in values.items():
        field = known.get(name)
        if field is None:
            continue
        if not field.minimum <= value <= field.maximum:
            raise ValueError(
                f"{field.label}: must be from {field.write(field.minimum)} to {field.write(field.maximum)}"
            )
        changes[name] = int(value) if field.kind is not Kind.DURATION else float(value)
    limits = dataclasses.replace(base or Limits(), **changes)  # type: ignore[arg-type]
    problem = check_limits({field.name: getattr(limits, field.name) for field in LIMIT_FIELDS})
    if problem:
        raise ValueError(problem)
    return limits
