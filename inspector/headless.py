"""Headless mode: listen, answer, record, and print one line per request; no Qt.

Headless mode is also the contract for end-to-end tests: it never imports Qt,
prints ``listening on http://HOST:PORT`` on stderr once bound, one short line
per request, appends records to ``--jsonl`` flushed per record, exits 2 on a
bind failure and 0 on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, BinaryIO, TextIO

import orjson

from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT, is_loopback
from inspector.http.record import CaptureRecord
from inspector.http.response import Responder, default_responder
from inspector.responses import Responder as RuleResponder
from inspector.responses import RulesFileError, load_rules
from inspector.server import BindError, Server
from inspector.store import CaptureStore
from inspector.store.opening import open_history
from inspector.text import visible

#: exit status for a bind failure or unusable arguments
EXIT_USAGE = 2
#: how much of a target the per-request stderr line shows
LINE_TARGET_LIMIT = 200


def request_line(record: CaptureRecord) -> str:
    """The one human line per request, with hostile characters escaped."""
    status = record.response.status if record.response else "-"
    if record.error:
        what = f"{record.method} {record.target}".strip() or "(no request line)"
        line = f"{record.client} {what} -> {status} ({record.error})"
    else:
        line = f"{record.client} {record.method} {record.target} -> {status}"
        if record.response and record.response.error:
            line += f" ({record.response.error})"
    return visible(line, LINE_TARGET_LIMIT * 2)


def jsonl_line(record: CaptureRecord) -> bytes:
    """One record as a JSONL line (UTF-8, no newline).

    orjson encodes a record about ten times faster than ``json.dumps``, which
    at thousands of requests a second is a large share of the listener's time.
    """
    obj: dict[str, Any] = record.to_json()
    try:
        return orjson.dumps(obj)
    except (TypeError, orjson.JSONEncodeError):  # e.g. a lone surrogate: the stdlib escapes it
        return json.dumps(obj).encode("ascii")


class _HeadlessSink:
    """Where headless records go: the store, the JSONL file and one stderr line each.

    Lines are gathered during a server loop round and written with one call
    per stream at its end, before that round's answers are sent: the JSONL file
    holds every record by the time its client sees the response (the contract
    of "flushed per record"), at a fraction of the system calls.
    """

    def __init__(self, store: CaptureStore, jsonl: BinaryIO | None, err: TextIO) -> None:
        self._store = store
        self._jsonl = jsonl
        self._err = err
        self._json_lines: list[bytes] = []
        self._human_lines: list[str] = []
        self._ids = itertools.count(store.max_id() + 1)

    def next_id(self) -> int:
        return next(self._ids)

    def finished(self, record: CaptureRecord) -> None:
        self._store.add(record)
        if self._jsonl is not None:
            self._json_lines.append(jsonl_line(record))
        self._human_lines.append(request_line(record))

    def end_round(self) -> None:
        if self._json_lines and self._jsonl is not None:
            self._jsonl.write(b"\n".join(self._json_lines) + b"\n")
            self._jsonl.flush()
            self._json_lines.clear()
        if self._human_lines:
            self._err.write("\n".join(self._human_lines) + "\n")
            self._err.flush()
            self._human_lines.clear()


@contextlib.contextmanager
def _open_jsonl(path: str | None) -> Iterator[BinaryIO | None]:
    if path is None:
        yield None
    elif path == "-":
        yield sys.stdout.buffer
    else:
        with open(path, "ab") as handle:
            yield handle


def _install_stop_signals(stop: Callable[[], None]) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def open_store(args: argparse.Namespace, err: TextIO) -> CaptureStore:
    """The history store ``--db``/``--no-db`` ask for; memory when the file is unusable."""
    store, problem = open_history(args.db, no_db=args.no_db, max_records=args.history_limit)
    if problem:
        print(f"warning: {problem}; keeping history in memory only", file=err, flush=True)
    return store


def load_responder(args: argparse.Namespace) -> Responder:
    """The rules of ``--rules FILE``, or the built-in ``hello world``.

    Raises:
        RulesFileError: the file cannot be used (one line naming it).
    """
    if not args.rules:
        return default_responder
    # strict: a template that does not compile is refused at start, with its
    # line, rather than discovered as 500s once traffic arrives
    return RuleResponder(load_rules(args.rules, strict=True))


def run_headless(args: argparse.Namespace, err: TextIO = sys.stderr) -> int:
    """Listen until SIGINT/SIGTERM, printing and recording every request."""
    host = args.bind or DEFAULT_HOST
    port = DEFAULT_PORT if args.port is None else args.port
    try:
        responder = load_responder(args)
    except RulesFileError as exc:
        print(f"error: {exc}", file=err, flush=True)
        return EXIT_USAGE
    store = open_store(args, err)
    with contextlib.closing(store), _open_jsonl(args.jsonl) as jsonl:
        sink = _HeadlessSink(store, jsonl, err)
        try:
            server = Server(
                host,
                port,
                sink=sink,
                responder=responder,
            )
        except BindError as exc:
            print(f"error: {exc}", file=err, flush=True)
            return EXIT_USAGE
        _install_stop_signals(server.stop)
        print(f"listening on {server.url}", file=err, flush=True)
        if not is_loopback(server.host):
            print(
                f"warning: {server.host} can be reached from other machines: anyone who can reach "
                f"port {server.port} can send requests, and they are recorded",
                file=err,
                flush=True,
            )
        # Serve on a worker thread so the main thread stays free for signals.
        worker = threading.Thread(target=server.serve_forever, name="listener")
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
        print("stopped", file=err, flush=True)
    return 0


