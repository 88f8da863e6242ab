"""Reporting to the capture sink, one loop round at a time (docs/ARCHITECTURE.md, "The capture path").

Every request that reached the server goes to the sink's ``finished`` exactly
once, answered or not. A request not finished in the round its head was parsed
is announced by ``started`` first. At the end of each round the sink writes the
round's records (``end_round``), and only then do that round's answers go out.
A broken sink is logged and never takes the listener down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from inspector.http.parser import RequestParser
from inspector.http.record import CaptureRecord
from inspector.server.connection import Connection
from inspector.server.sink import CaptureSink

log = logging.getLogger(__name__)


class Rounds:
    """What the sink hears from one loop, and the connections touched this round.

    Args:
        sink: where records go.
        conns: the loop's open connections by descriptor (a connection closed
            during the round is not flushed at its end).
    """

    def __init__(self, sink: CaptureSink, conns: dict[int, Connection]) -> None:
        self._sink = sink
        self._conns = conns
        self._reported = False  # the sink heard something since the last round end
        self._dirty: list[Connection] = []  # connections touched this round

    def touched(self, conn: Connection) -> None:
        """``conn`` has answers to send or requests to announce at the round's end."""
        if not conn.dirty:
            conn.dirty = True
            self._dirty.append(conn)

    def emit(self, record: CaptureRecord) -> None:
        """A request is finished: answered, rejected or given up."""
        self._reported = True
        try:
            self._sink.finished(record)
        except Exception:  # a broken sink must not take the listener down
            log.exception("recording request %d failed", record.id)

    def about_connection(self, parser: RequestParser, error: str, raw: bytes = b"") -> None:
        """A record of something that happened to a connection rather than to one request."""
        self.emit(
            CaptureRecord(
                id=self._sink.next_id(),
                received_at=time.time(),
                client=parser.client,
                server=parser.server,
                error=error,
                raw_head=raw,
            )
        )

    def end(self, flush: Callable[[Connection], None]) -> None:
        """Announce requests still in progress, let the sink write the round's
        records, then ``flush`` each touched connection still open (which may
        touch more: they are handled in the same way)."""
        while True:
            dirty, self._dirty = self._dirty, []
            for conn in dirty:
                if conn.busy or conn.queue or conn.parser.pending_id is not None:
                    self._announce(conn)
            if self._reported:
                self._reported = False
                try:
                    self._sink.end_round()
                except Exception:  # a broken sink must not take the listener down
                    log.exception("writing recorded requests failed")
            if not dirty:
                return
            for conn in dirty:
                conn.dirty = False
                if self._conns.get(conn.sock.fileno()) is conn:
                    flush(conn)

    def _announce(self, conn: Connection) -> None:
        """``started`` for each request of ``conn`` that waits or is still arriving."""
        for record in conn.unannounced():
            self._reported = True
            try:
                self._sink.started(record)
            except Exception:  # a broken sink must not take the listener down
                log.exception("announcing request %d failed", record.id)
