"""Coverage-guided fuzzing of request parsing and record building (atheris).

    .venv/bin/pip install atheris
    mkdir -p /tmp/fuzz-corpus && cp tests/data/fuzz-seeds/* /tmp/fuzz-corpus/
    .venv/bin/python tools/fuzz_parser.py -max_total_time=600 /tmp/fuzz-corpus

Each input is one byte stream for one connection, plus split points. The target
checks what the tests promise for any input:

* parsing yields events or a rejection, never another exception;
* the same bytes fed whole and in the fuzzer's pieces give equal records;
* every record survives its JSONL round trip (``to_json`` / ``from_json``);
* a response echoing request text never carries CR or LF into its head;
* the raw bytes of an accepted request are exactly the bytes that made it;
* parsing at most one request at a time (``max_requests``, ``resume``) gives
  the same events as parsing everything at once;
* ending the connection midway (``abort``) gives records that serialise, and
  the memory budget the parser shared is back to zero afterwards.

A crash writes its input to ``crash-*``; keep it as a regression case in
``tests/data/fuzz-regressions/`` (tests/http/test_fuzz_regressions.py replays them).
Seeds for a fresh corpus folder are in ``tests/data/fuzz-seeds/``.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys

from inspector.http.limits import InFlight, Limits
from inspector.http.parser import Event, RequestParser, RequestReceived, RequestRejected
from inspector.http.record import CaptureRecord
from inspector.http.response import Response, serialise

# Small limits so the fuzzer reaches every limit branch with short inputs.
LIMITS = Limits(max_request_line=64, max_head=256, max_header_fields=8, max_body=512, max_chunk_line=32)


def _parser(budget: InFlight | None = None) -> RequestParser:
    ids = itertools.count(1)
    return RequestParser(
        client="127.0.0.1:1",
        server="127.0.0.1:2",
        next_id=ids.__next__,
        limits=LIMITS,
        wall_clock=lambda: 0.0,
        budget=budget,
    )


def _parse(pieces: list[bytes], eof: bool, most: int | None = None) -> list[Event]:
    parser = _parser()
    events: list[Event] = []
    for piece in pieces:
        events += parser.receive_data(piece, 0.0, most)
        while parser.paused:
            events += parser.resume(0.0, most)
    if eof:
        events += parser.receive_data(b"", 0.0)
    events += parser.check_timeouts(1000.0)
    return events


def _check_abort(pieces: list[bytes]) -> None:
    budget = InFlight(LIMITS.memory_budget)
    parser = _parser(budget)
    for piece in pieces:
        parser.receive_data(piece, 0.0, 1)
    for record in parser.abort("not answered: fuzzing", 1.0):
        CaptureRecord.from_json(json.loads(json.dumps(record.to_json())))
    if not parser.closed or budget.held != 0:
        raise AssertionError(f"abort left the parser open or {budget.held} bytes in the budget")


def _records(events: list[Event]) -> list[CaptureRecord]:
    return [e.record for e in events if isinstance(e, RequestReceived | RequestRejected)]


def _without_raw(record: CaptureRecord) -> CaptureRecord:
    if not record.error:
        return record
    notes = tuple(n for n in record.notes if n != "raw bytes truncated")
    return dataclasses.replace(record, raw_head=b"", raw_body=None, notes=notes)


def check(data: bytes) -> None:
    """The properties above, for one input (also used by the regression test)."""
    if len(data) < 2:
        return
    cuts = sorted({b % (len(data) - 1) + 1 for b in data[:2]})
    stream = data[2:]
    pieces = [
        stream[i:j] for i, j in itertools.pairwise([0, *[c for c in cuts if c < len(stream)], len(stream)])
    ]
    eof = bool(data[0] & 1)
    whole_events = _parse([stream], eof)
    if _parse(pieces, eof, most=1) != _parse(pieces, eof):
        raise AssertionError("parsing one request at a time changed the events")
    _check_abort(pieces)
    whole = _records(whole_events)
    split = _records(_parse(pieces, eof))
    # A rejection keeps the bytes received until it was detected, so with
    # pieces it may hold fewer of them: a prefix of the whole-stream ones.
    if [_without_raw(r) for r in whole] != [_without_raw(r) for r in split]:
        raise AssertionError(f"split changed the records:\n{whole}\n{split}")
    for a, b in zip(whole, split, strict=True):
        if a.raw != b.raw and not (a.error and a.raw.startswith(b.raw)):
            raise AssertionError(f"split changed the raw bytes:\n{a}\n{b}")
    for record in whole:
        again = CaptureRecord.from_json(json.loads(json.dumps(record.to_json())))
        if again.raw != record.raw or dataclasses.replace(
            again, raw_head=b"", raw_body=None
        ) != dataclasses.replace(record, raw_head=b"", raw_body=None):
            raise AssertionError(f"JSONL round trip changed {record}")
        echoed = Response(
            status=200,
            headers=tuple((name, value) for name, value in record.headers),
            body=record.body,
        )
        wire, *_ = serialise(echoed, method=record.method or "GET", keep_alive=True)
        head = wire[: wire.index(b"\r\n\r\n")]
        if b"\n" in head.replace(b"\r\n", b"") or b"\r" in head.replace(b"\r\n", b""):
            raise AssertionError("CR or LF reached a response head")
    # Accepted requests' raw bytes are the stream itself, message after message
    # (empty lines between messages are skipped, RFC 9112 §2.2).
    pos = 0
    for event in whole_events:
        if not isinstance(event, RequestReceived) or "raw chunked bytes truncated" in event.record.notes:
            break
        while stream[pos : pos + 2] == b"\r\n":
            pos += 2
        if not stream.startswith(event.record.raw, pos):
            raise AssertionError(f"raw bytes of {event.record} are not the bytes sent")
        pos += len(event.record.raw)


def main() -> None:
    import atheris  # only the fuzzer needs it; the regression test imports check()

    atheris.instrument_all()
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
