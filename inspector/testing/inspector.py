"""An in-process listener for tests: assert what your code sent.

The same capture engine as the app, not a copy (docs/ARCHITECTURE.md, "The
testing layer"): a :class:`~inspector.server.Server` (the one server loop, its
limits and parser) on a daemon thread, recording through the app's
:class:`~inspector.capture.Recorder` (here without a history store or JSONL
file) and answering from the rules engine's
:class:`~inspector.responses.Responder`. A :class:`~inspector.testing.log.RequestLog`
observing the recorder keeps the records for the test and wakes
:meth:`Inspector.wait_for`.

Nothing here imports Qt.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Final

from inspector.addresses import DEFAULT_HOST
from inspector.capture import Recorder
from inspector.formats import export_file
from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.responses import Responder, RuleSet
from inspector.server import Server
from inspector.testing.captured import CapturedRequest
from inspector.testing.expect import Expectation, NamedSpec, Predicate, timeout_message
from inspector.testing.log import RequestLog
from inspector.testing.rules import RulesSource, RulesTrace, ruleset_from, trace

#: records an Inspector keeps unless told otherwise (the newest; older ones are counted)
MAX_RECORDS: Final = 10_000
#: how long :meth:`Inspector.stop` waits for the listener thread
STOP_TIMEOUT: Final = 10.0


class Inspector:
    """A listener on 127.0.0.1 (port 0: a free one) in this process, for tests.

    ::

        with Inspector() as insp:
            send_webhook(insp.url + "/hook")
            hook = insp.wait_for("POST", "/hook", header="X-Signature")
            assert hook.json()["event"] == "paid"

    Args:
        rules: the response rules (see :meth:`set_rules`); None answers every
            request ``200 hello world``.
        host: the address to listen on (loopback unless you mean otherwise).
        port: the port; 0 picks a free one (read it from :attr:`url`).
        limits: sizes and deadlines of the server loop (the app's defaults).
        max_records: how many of the newest requests are kept.

    Raises:
        RulesFileError: ``rules`` cannot be used (one line).
    """

    def __init__(
        self,
        rules: RulesSource = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        limits: Limits | None = None,
        max_records: int = MAX_RECORDS,
    ) -> None:
        self._responder = Responder(ruleset_from(rules))
        self._host = host
        self._port = port
        self._limits = limits
        self._log = RequestLog(max_records)
        self._recorder: Recorder | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._crash: BaseException | None = None

    # -- starting and stopping ------------------------------------------------------------

    def start(self) -> Inspector:
        """Bind and start serving (``with`` does it for you).

        Raises:
            BindError: the address or port cannot be used (one line).
            RuntimeError: already started.
        """
        if self._server is not None:
            raise RuntimeError("this Inspector was already started; make a new one")
        recorder = Recorder()
        recorder.add_observer(self._log)
        self._server = Server(
            self._host, self._port, sink=recorder, responder=self._responder, limits=self._limits
        )
        self._recorder = recorder
        self._thread = threading.Thread(
            target=self._serve, name=f"request-inspector {self._server.url}", daemon=True
        )
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._server is not None
        try:
            self._server.serve_forever()
        except Exception as exc:  # a loop bug: waiters hear it now, stop() raises it
            self._crash = exc
            self._log.stop(f"the listener failed: {type(exc).__name__}: {exc}")
        else:
            self._log.stop("stopped")

    def stop(self) -> None:
        """Stop listening (every connection closed); the records stay readable.

        Raises:
            RuntimeError: the listener thread failed while serving, or did not stop.
        """
        server, thread, recorder = self._server, self._thread, self._recorder
        if server is None or thread is None or recorder is None:
            return
        server.stop()
        thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            raise RuntimeError(f"the listener at {server.url} did not stop within {STOP_TIMEOUT:g} s")
        self._responder.close()  # forward rules' workers and upstream connections
        recorder.close()
        self._log.stop("stopped")
        if self._crash is not None:
            crash, self._crash = self._crash, None
            raise RuntimeError(f"the listener at {server.url} failed: {crash}") from crash

    def __enter__(self) -> Inspector:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.stop()
            return
        try:  # the test's own error matters more than a failure to stop
            self.stop()
        except RuntimeError:
            pass

    # -- where it listens -----------------------------------------------------------------

    def _started(self) -> Server:
        if self._server is None:
            raise RuntimeError("this Inspector is not started: use `with Inspector() as insp:` or .start()")
        return self._server

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the real port (no trailing slash)."""
        return self._started().url

    @property
    def port(self) -> int:
        return self._started().port

    # -- what arrived ---------------------------------------------------------------------

    @property
    def requests(self) -> list[CapturedRequest]:
        """The requests so far (since the last :meth:`clear`), oldest first.

        A new list each time (a snapshot; safe from any thread). A request is
        here before its client gets the answer. At most ``max_records``, the newest.
        """
        records, _ = self._log.snapshot()
        return records

    def clear(self) -> None:
        """Forget the requests so far: :attr:`requests` and :meth:`wait_for` see only later ones."""
        self._log.clear()

    def wait_for(
        self,
        method: str | None = None,
        path: str | None = None,
        timeout: float = 5.0,
        *,
        header: NamedSpec | None = None,
        query: NamedSpec | None = None,
        body_contains: str | bytes | None = None,
        json: Mapping[str, Any] | None = None,
        where: Predicate | None = None,
    ) -> CapturedRequest:
        """The first request (oldest first, since the last :meth:`clear`) that matches,
        waiting up to ``timeout`` seconds for it to arrive.

        Args:
            method: e.g. ``"POST"`` (case-insensitive); None: any.
            path: a rule path pattern: ``/hook`` (exactly), ``/users/*``,
                ``/api/**``, ``/users/{id}``, ``^/v[12]/``; None: any. The query
                string is not part of the path (use ``query``).
            timeout: seconds to wait; 0 looks at what arrived so far only.
            header: ``"X-Sig"`` (present), ``("X-Sig", "abc")`` (equals),
                ``("X-Sig", re.compile("^sha256="))`` (regex search),
                ``("X-Sig", ...)`` (present), or a mapping of several.
            query: the same, for query parameters (decoded; exact names).
            body_contains: text (searched in the decoded body) or bytes.
            json: dotted paths into the JSON body and the value each must
                have: ``{"event": "paid", "data.amount": 1000, "id": ...}``.
            where: any test of the request: ``where=lambda r: len(r.body) < 1024``.

        Returns:
            The request, with every field of the capture record and ``.text``,
            ``.json()``, ``.form()``, ``.query_value(name)``.

        Raises:
            AssertionError: no such request came in time; the message lists what
                did arrive and, for the closest requests, what differed.
            TypeError, ValueError: an argument that cannot be used (a bad
                path pattern or regex).
        """
        __tracebackhide__ = True  # pytest: the failure points at the test's own line
        if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout >= 0):
            raise ValueError(f"timeout must be a finite number of seconds, 0 or more, not {timeout!r}")
        expectation = Expectation.build(
            method, path, header=header, query=query, body_contains=body_contains, json=json, where=where
        )
        server = self._started()
        found = self._log.wait(expectation.matches, time.monotonic() + timeout)
        if found is not None:
            return found
        records, dropped = self._log.snapshot()
        stopped = self._log.stopped
        message = timeout_message(
            expectation, records, timeout=timeout, url=server.url, dropped=dropped, stopped=stopped
        )
        raise AssertionError(message)

    def save_har(self, path: str | os.PathLike[str], records: list[CapturedRequest] | None = None) -> int:
        """Write the requests (or ``records``) to a HAR 1.2 file; returns how many.

        Raises:
            OSError: the file cannot be written.
        """
        return export_file(path, self.requests if records is None else records)

    # -- rules ----------------------------------------------------------------------------

    @property
    def rules(self) -> RuleSet:
        """The rules in use."""
        return self._responder.ruleset

    def set_rules(self, rules: RulesSource) -> None:
        """Answer from these rules from now on (requests being answered keep the old ones).

        Args:
            rules: a rules file path (the JSON the window's editor saves),
                ``"preset:NAME"``, a list of rule dicts in the rules-file format
                (``[{"path": "/hook", "status": 201, "body": "ok"}]``), a whole
                rules document, a ``RuleSet``, or None (``200 hello world``).

        Raises:
            RulesFileError: the rules cannot be used; the same one line as
                ``--rules`` gives (the old rules stay in use).
        """
        self._responder.set_rules(ruleset_from(rules))

    def rules_trace(self, record: CaptureRecord) -> RulesTrace:
        """Why ``record`` got its answer: which rule answered, and why each rule
        before it did not match (with the rules in use now). ``str()`` of the
        result is a few readable lines."""
        return trace(self._responder.ruleset, record)

    def __repr__(self) -> str:
        where = self._server.url if self._server is not None else "not started"
        return f"<Inspector {where}>"
