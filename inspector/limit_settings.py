"""The listener's limits a user may change, and how they are written (Qt-free).

One table (:data:`LIMIT_FIELDS`) says, for each field of
:class:`inspector.http.limits.Limits` that the window's settings and the
command line offer: its label, its kind (a size, a count or a duration, read and
written by :mod:`inspector.units`), the bounds it must keep and its flag
(``--max-body 100MiB``). The window's settings dialog is built from it, and so
are the command line's flags (:func:`add_limit_arguments`, read back with
:func:`limit_values`), for headless mode and the window alike
(docs/ARCHITECTURE.md, "Limits and deadlines").
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Mapping
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
        "request_timeout",
        "Request timeout",
        Kind.DURATION,
        1,
        86_400,
        "A whole request (head and body) not complete this long after its first byte: 408",
    ),
    LimitField(
        "idle_timeout",
        "Idle timeout",
        Kind.DURATION,
        0.1,
        86_400,
        "A keep-alive connection left idle is closed",
    ),
    LimitField(
        "memory_budget",
        "Memory budget",
        Kind.SIZE,
        16 * MIB,
        16 * 1024 * MIB,
        "Bytes held for requests and answers in flight; past it new bodies are answered 503",
    ),
)


def check_limits(values: Mapping[str, float]) -> str | None:
    """What is wrong with the limits taken together (None: nothing)."""
    line, head = values.get("max_request_line"), values.get("max_head")
    if line is not None and head is not None and line > head:
        return "the request line cannot be longer than the whole head"
    body, budget = values.get("max_body"), values.get("memory_budget")
    if body is not None and budget is not None and 2 * body > budget:
        # a chunked body is held twice (as body and as raw bytes) while it arrives
        return "the memory budget must be at least twice the body limit, or a body that large is answered 503"
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


def _argument_type(field: LimitField) -> Callable[[str], float]:
    """argparse's ``type`` for one flag: read as the window's Settings reads it,
    a bad value being argparse's one-line error."""

    def read(text: str) -> float:
        try:
            return field.read(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return read


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per :data:`LIMIT_FIELDS` entry (``--max-body SIZE`` ...), in a group of their own."""
    group = parser.add_argument_group(
        "listener limits",
        "Raise or lower what one request may use, typed as in the window's Settings "
        "(sizes: 100MiB, 64KiB, 1GB; durations: 500ms, 30s, 5min). They hold for this run; "
        "in the window they start from its Settings.",
    )
    for field in LIMIT_FIELDS:
        group.add_argument(
            field.flag,
            dest=f"limit_{field.name}",
            type=_argument_type(field),
            metavar=field.kind.name,
            help=f"{field.help} (default {field.write(field.default())}; "
            f"{field.write(field.minimum)} to {field.write(field.maximum)})",
        )


def limit_values(args: argparse.Namespace) -> dict[str, float]:
    """The limits the command line set (:func:`add_limit_arguments`), by field name;
    empty for a namespace without those flags."""
    values = {field.name: getattr(args, f"limit_{field.name}", None) for field in LIMIT_FIELDS}
    return {name: value for name, value in values.items() if value is not None}
