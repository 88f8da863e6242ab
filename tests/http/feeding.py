"""Feeding bytes to a parser in tests: one factory for the parser tests and the
property tests, with a fixed client and clock so records compare equal."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from inspector.http.limits import Limits
from inspector.http.parser import Event, RequestParser
from inspector.http.record import CaptureRecord

WALL = 1_700_000_000.25
CLIENT = "192.0.2.7:5050"
SERVER = "127.0.0.1:8090"


def make_parser(limits: Limits | None = None) -> RequestParser:
    ids = itertools.count(1)
    return RequestParser(
        client=CLIENT, server=SERVER, next_id=ids.__next__, limits=limits, wall_clock=lambda: WALL
    )


def feed(pieces: Iterable[bytes], limits: Limits | None = None, *, eof: bool = True) -> list[Event]:
    """Every event of one connection fed ``pieces`` (then end of input, unless ``eof`` is False)."""
    parser = make_parser(limits)
    events: list[Event] = []
    for piece in pieces:
        events += parser.receive_data(piece, 0.0)
    if eof:
        events += parser.receive_data(b"", 0.0)
    return events


def bytewise(data: bytes) -> list[bytes]:
    """``data`` in pieces of one byte."""
    return [data[i : i + 1] for i in range(len(data))]


def records(pieces: Iterable[bytes], limits: Limits | None = None) -> list[CaptureRecord]:
    """The record of every event that carries one, of one connection fed ``pieces``."""
    return [record for event in feed(pieces, limits) if (record := getattr(event, "record", None))]
