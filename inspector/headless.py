"""Headless mode: listen, answer, record, and print one line per request; no Qt.

Headless mode is also the contract for end-to-end tests: it never imports Qt,
prints ``listening on http://HOST:PORT`` on stderr once bound, one short line
per request, appends records to ``--jsonl`` flushed per record, exits 2 on a
bind failure and 0 on SIGINT/SIGTERM.

Records go through the same :class:`~inspector.capture.Recorder` as in the
window (docs/ARCHITECTURE.md, "The capture path"); this module only watches
it: a line per request on stderr after the round's JSONL lines are written,
and each problem the recorder reports (a damaged history moved aside, a full
disk, a closed JSONL pipe) once, as a ``warning:`` line. When records were
lost (not stored, or not written to the JSONL file) it says how many at the
end and exits with :data:`EXIT_RECORDS_LOST`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TextIO

from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT, is_loopback
from inspector.capture import JsonlOutput, Losses, Recorder, RecorderObserver
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
#: exit status when records were lost (the history or the JSONL file could not take them)
EXIT_RECORDS_LOST = 1
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


class _Terminal(RecorderObserver):
    """stderr: one line per request, written once per loop round after the JSONL
    lines (so a line on stderr means its record is in the file), and each
    problem as a ``warning:`` line. A closed stderr is given up on quietly."""

    def __init__(self, err: TextIO) -> None:
        self._err = err
        self._lines: list[str] = []
        self._lock = threading.Lock()  # problems come from the store's writer thread too
        self._broken = False

    def say(self, line: str) -> None:
        with self._lock:
            self._write(line + "\n")

    def request_finished(self, record: CaptureRecord) -> None:
        self._lines.append(request_line(record))

    def round_ended(self) -> None:
        if self._lines:
            text = "\n".join(self._lines) + "\n"
            self._lines.clear()
            with self._lock:
                self._write(text)

    def problem(self, message: str) -> None:
        self.say(f"warning: {visible(message, 1000)}")

    def _write(self, text: str) -> None:
        if self._broken:
            return
        try:
            self._err.write(text)
            self._err.flush()
        except (BrokenPipeError, ValueError):  # nobody reads stderr any more
            self._broken = True
        except OSError:  # a full disk under a redirected stderr: this line is lost
            pass


def _install_stop_signals(stop: Callable[[], None]) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def open_store(args: argparse.Namespace, terminal: _Terminal) -> CaptureStore:
    """The history store ``--db``/``--no-db`` ask for; a damaged file is replaced,
    an unusable one means memory (said once)."""
    store, notice = open_history(args.db, no_db=args.no_db, max_records=args.history_limit)
    if notice:
        terminal.problem(notice)
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


def _losses_line(losses: Losses, jsonl: JsonlOutput | None) -> str:
    parts = []
    if losses.store:
        parts.append(f"{losses.store:,} not stored in the history")
    if losses.jsonl and jsonl is not None:
        parts.append(f"{losses.jsonl:,} not written to {jsonl.name}")
    return f"error: requests were lost: {'; '.join(parts)}"


def run_headless(args: argparse.Namespace, err: TextIO = sys.stderr) -> int:
    """Listen until SIGINT/SIGTERM, printing and recording every request."""
    host = args.bind or DEFAULT_HOST
    port = DEFAULT_PORT if args.port is None else args.port
    terminal = _Terminal(err)
    try:
        responder = load_responder(args)
    except RulesFileError as exc:
        terminal.say(f"error: {exc}")
        return EXIT_USAGE
    jsonl = None
    if args.jsonl is not None:
        try:
            jsonl = JsonlOutput.open(args.jsonl)
        except OSError as exc:
            terminal.say(f"error: cannot open JSONL file {args.jsonl}: {exc.strerror or exc}")
            return EXIT_USAGE
    recorder = Recorder(open_store(args, terminal), jsonl)
    recorder.add_observer(terminal)
    try:
        try:
            server = Server(host, port, sink=recorder, responder=responder)
        except BindError as exc:
            terminal.say(f"error: {exc}")
            return EXIT_USAGE
        _install_stop_signals(server.stop)
        terminal.say(f"listening on {server.url}")
        if not is_loopback(server.host):
            terminal.say(
                f"warning: {server.host} can be reached from other machines: anyone who can reach "
                f"port {server.port} can send requests, and they are recorded"
            )
        # Serve on a worker thread so the main thread stays free for signals.
        worker = threading.Thread(target=server.serve_forever, name="listener")
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
    finally:
        losses = recorder.close()
    terminal.say("stopped")
    if losses:
        terminal.say(_losses_line(losses, jsonl))
        return EXIT_RECORDS_LOST
    return 0
