"""Headless mode: listen, answer, record, and print one line per request; no Qt.

Headless mode is also the contract for end-to-end tests: it never imports Qt,
prints ``listening on http://HOST:PORT`` on stderr for each listener once all
are bound (``--listen``, repeatable; a wildcard's next line lists the URLs
that reach it), one short line per request, appends records to ``--jsonl``
flushed per record, exits 2 on a bind failure (all listeners or none) and 0 on
SIGINT/SIGTERM. It answers from the same rules as the window: ``--rules
FILE``, else the file the window's editor saves (the app-data ``rules.json``),
else the built-in ``hello world``; the line after the listening lines names
which (``rules: PATH`` or ``rules: built-in default``). For scripts, ``--until
N`` stops it (status 0) once N requests are recorded and ``--timeout S``
(status 1) after S seconds, with a one-line summary of what arrived, whichever
comes first.

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
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TextIO

from inspector.addresses import is_loopback
from inspector.capture import JsonlOutput, Losses, Recorder, RecorderObserver
from inspector.http.record import CaptureRecord
from inspector.http.response import Responder, default_responder
from inspector.limit_settings import limit_values, limits_with
from inspector.listen import ListenError, ListenSpec, reachable_urls, resolve_listeners
from inspector.responses import Responder as RuleResponder
from inspector.responses import RulesFileError, default_rules_path, load_rules
from inspector.responses.pausing import pauses_ignored
from inspector.server import BindError, Server
from inspector.store import CaptureStore
from inspector.store.opening import open_history
from inspector.testing.lines import Tally, request_line
from inspector.text import visible
from inspector.tls.contexts import from_command_line

#: exit status for a bind failure or unusable arguments
EXIT_USAGE = 2
#: exit status when records were lost (the history or the JSONL file could not take them)
EXIT_RECORDS_LOST = 1
#: exit status when ``--timeout`` passed first
EXIT_TIMEOUT = 1


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


class _Progress(RecorderObserver):
    """``--until`` and ``--timeout``: counts the records and stops the listening
    once ``until`` of them are written (at the end of a loop round, so the JSONL
    file already holds them); tallies them for the timeout's summary line."""

    def __init__(self, until: int | None, stop: Callable[[], None]) -> None:
        self.until = until
        self.reached = False
        self.tally = Tally()
        self._stop = stop

    def request_finished(self, record: CaptureRecord) -> None:
        self.tally.add(record)

    def round_ended(self) -> None:
        if self.until is not None and not self.reached and self.tally.total >= self.until:
            self.reached = True
            self._stop()

    def timeout_line(self, seconds: float) -> str:
        """``timeout: 1 of 2 requests in 10 s: GET /a -> 200``."""
        count = self.tally.total
        if self.until is not None:
            got = f"{count:,} of {self.until:,} requests"
        else:
            got = f"{count:,} request" if count == 1 else f"{count:,} requests"
        summary = self.tally.summary()
        return f"timeout: {got} in {seconds:g} s" + (f": {summary}" if summary else "")


def _serve_until(worker: threading.Thread, stop: Callable[[], None], timeout: float | None) -> bool:
    """Wait for the listener thread to end; stop it once ``timeout`` seconds have
    passed. Returns whether the timeout stopped it."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while worker.is_alive():
        if deadline is None:
            worker.join(0.2)  # short joins: the main thread stays free for signals
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            stop()
            worker.join()
            return True
        worker.join(min(0.2, remaining))
    return False


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


def rules_file(args: argparse.Namespace) -> Path | None:
    """The rules file to answer from: ``--rules FILE``, else the one the window's
    editor saves when there is one; None: the built-in ``hello world``."""
    if args.rules:
        return Path(args.rules)
    saved = default_rules_path(create=False)
    return saved if saved.is_file() else None


def load_responder(args: argparse.Namespace) -> Responder:
    """The rules of :func:`rules_file`, or the built-in ``hello world``.

    Raises:
        RulesFileError: the file cannot be used (one line naming it).
    """
    path = rules_file(args)
    if path is None:
        return default_responder
    # strict: a template that does not compile is refused at start, with its
    # line, rather than discovered as 500s once traffic arrives
    return RuleResponder(load_rules(path, strict=True))


def _losses_line(losses: Losses, jsonl: JsonlOutput | None) -> str:
    parts = []
    if losses.store:
        parts.append(f"{losses.store:,} not stored in the history")
    if losses.jsonl and jsonl is not None:
        parts.append(f"{losses.jsonl:,} not written to {jsonl.name}")
    return f"error: requests were lost: {'; '.join(parts)}"


def open_listeners(server: Server, specs: tuple[ListenSpec, ...]) -> None:
    """Bind every listener in order, or none: the first failure closes the server.

    Raises:
        BindError: the first listener that cannot bind (one line; a port in use
            names its holder and a port that is free, and not asked for here).
    """
    asked = {spec.port for spec in specs if spec.port}
    try:
        for spec in specs:
            server.listen(spec.host, spec.port, avoid=asked - {spec.port})
    except BindError:
        server.close()
        raise


def listening_lines(server: Server, rules_line: str) -> list[str]:
    """``listening on URL`` per listener (for a wildcard, the URLs that reach it
    follow), ``rules_line``, then a warning for each listener other machines can reach."""
    lines = []
    for listening in server.listening:
        lines.append(f"listening on {listening.url}")
        if listening.host in ("0.0.0.0", "::"):
            urls = reachable_urls(listening.host, listening.port)
            lines.append("  reachable at " + " ".join(url.url for url in urls))
    lines.append(rules_line)
    for listening in server.listening:
        if not is_loopback(listening.host):
            lines.append(
                f"warning: {listening.host} can be reached from other machines: anyone who can reach "
                f"port {listening.port} can send requests, and they are recorded"
            )
    return lines


def run_headless(args: argparse.Namespace, err: TextIO = sys.stderr) -> int:
    """Listen until SIGINT/SIGTERM, printing and recording every request."""
    terminal = _Terminal(err)
    rules = rules_file(args)
    try:
        specs = resolve_listeners(args.listen, args.bind, args.port)
        responder = load_responder(args)
    except ListenError as exc:
        terminal.say(f"error: {exc}")
        return EXIT_USAGE
    except RulesFileError as exc:
        saved = "" if args.rules else " (the rules the window saved; --rules FILE answers from another file)"
        terminal.say(f"error: {exc}{saved}")
        return EXIT_USAGE
    jsonl = None
    if args.jsonl is not None:
        try:
            jsonl = JsonlOutput.open(args.jsonl)
        except OSError as exc:
            terminal.say(f"error: cannot open JSONL file {args.jsonl}: {exc.strerror or exc}")
            return EXIT_USAGE
    contexts, tls_problem = from_command_line(getattr(args, "tls", "off"), getattr(args, "ca_dir", None))
    if tls_problem:
        terminal.say(f"warning: {tls_problem}")
    recorder = Recorder(open_store(args, terminal), jsonl)
    recorder.add_observer(terminal)
    try:
        server = Server(
            None, sink=recorder, responder=responder, limits=limits_with(limit_values(args)), tls=contexts
        )
        try:
            open_listeners(server, specs)
        except BindError as exc:
            terminal.say(f"error: {exc}")
            return EXIT_USAGE
        _install_stop_signals(server.stop)
        progress = _Progress(args.until, server.stop)
        if args.until is not None or args.timeout is not None:
            recorder.add_observer(progress)
        # "listening on" first: scripts read the port from the first line once bound
        rules_line = f"rules: {rules if rules is not None else 'built-in default'}"
        for line in listening_lines(server, rules_line):
            terminal.say(line)
        if isinstance(responder, RuleResponder) and (note := pauses_ignored(responder.ruleset.rules)):
            terminal.say(note)
        # Serve on a worker thread so the main thread stays free for signals.
        worker = threading.Thread(target=server.serve_forever, name="listener")
        worker.start()
        timed_out = _serve_until(worker, server.stop, args.timeout) and not progress.reached
    finally:
        if isinstance(responder, RuleResponder):
            responder.close()  # forward rules' workers and upstream connections
        losses = recorder.close()
    if progress.reached:
        terminal.say(f"done: {progress.tally.total:,} requests recorded (--until {args.until})")
    elif timed_out:
        terminal.say(progress.timeout_line(args.timeout))
    terminal.say("stopped")
    if losses:
        terminal.say(_losses_line(losses, jsonl))
        return EXIT_RECORDS_LOST
    return EXIT_TIMEOUT if timed_out else 0
