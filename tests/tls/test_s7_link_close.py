"""How the end of an HTTPS connection reaches the parser (inspector/server/tls_link.py).

After the handshake, :meth:`TLSTerminator.take` hands the loop the plaintext, and ``b""``
(the end of input, which the loop gives the parser so it finishes and the connection
closes) once the client's side is over: its TCP end, and also its close_notify alert or a
record that cannot be read while the socket stays open. ``None`` would leave such a
connection open and silent until its idle deadline.
"""

from __future__ import annotations

import itertools
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from inspector.http.limits import InFlight
from inspector.http.parser import RequestParser
from inspector.http.record import CaptureRecord
from inspector.server.connection import Connection
from inspector.server.tls_link import TLSTerminator
from inspector.tls.contexts import ServerContexts
from inspector.tls.session import State
from tests.harness import WAIT

NAME = "close.test"
REQUEST = b"GET / HTTP/1.1\r\nHost: close.test\r\n\r\n"


class Open:
    """A terminator with one connection whose handshake with a memory-BIO client is done."""

    def __init__(self, contexts: ServerContexts, ca_file: Path) -> None:
        self.records: list[CaptureRecord] = []
        woken = threading.Event()
        ids = itertools.count(1)
        self.term = TLSTerminator(
            contexts, InFlight(1 << 24), woken.set, self.records.append, lambda: next(ids), head_timeout=5.0
        )
        self.ours, self.theirs = socket.socketpair()
        parser = RequestParser(client="127.0.0.1:50000", server="127.0.0.1:8443", next_id=lambda: 0)
        self.conn = Connection(self.ours, parser)
        self.conn.sniff = True
        context = ssl.create_default_context(cafile=str(ca_file))
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.client = context.wrap_bio(self.incoming, self.outgoing, server_hostname=NAME)
        with pytest.raises(ssl.SSLWantReadError):
            self.client.do_handshake()
        assert self.term.take(self.conn, self.outgoing.read(), 0.0) is None  # the hello: a flight is due
        back: list[Connection] = []
        while not back:  # the first flight is made on a worker, which wakes the loop
            assert woken.wait(WAIT)
            woken.clear()
            back = self.term.ready()
        assert back == [self.conn]
        self.incoming.write(bytes(self.conn.out))
        self.conn.out.clear()
        self.client.do_handshake()
        assert self.term.take(self.conn, self.outgoing.read(), 0.0) is None  # its Finished
        assert self.conn.tls is not None and self.conn.tls.session.state is State.OPEN

    def take(self, data: bytes) -> bytes | None:
        return self.term.take(self.conn, data, 1.0)

    def close(self) -> None:
        self.ours.close()
        self.theirs.close()
        self.term.close()


@pytest.fixture
def opened(contexts: ServerContexts, ca_file: Path) -> Iterator[Open]:
    contexts.prepare(NAME)  # made before: the handshake goes straight to its first flight
    made = Open(contexts, ca_file)
    yield made
    made.close()


def close_notify(link: Open) -> bytes:
    try:
        link.client.unwrap()
    except ssl.SSLWantReadError:
        pass  # it would wait for ours; its own is queued
    return link.outgoing.read()


def garbage(link: Open) -> bytes:
    return b"\x17\x03\x03\x00\x05hello"  # application data that does not decrypt


@pytest.mark.parametrize("ending", [close_notify, garbage], ids=["close_notify", "unreadable record"])
def test_the_clients_end_without_its_tcp_end_reaches_the_parser(
    opened: Open, ending: Callable[[Open], bytes]
) -> None:
    opened.client.write(REQUEST[:20])
    assert opened.take(opened.outgoing.read()) == REQUEST[:20]
    assert opened.take(ending(opened)) == b""  # the end: the parser finishes what it has
    link = opened.conn.tls
    assert link is not None and link.session.state is State.CLOSED
    assert opened.take(b"") == b""  # and the TCP end after it is the end again
    assert opened.records == []  # not a failed handshake


def test_plaintext_and_close_notify_in_one_read_give_the_plaintext(opened: Open) -> None:
    opened.client.write(REQUEST)
    assert opened.take(close_notify(opened)) == REQUEST
    assert opened.take(b"") == b""
    assert opened.records == []


def test_bytes_that_carry_no_plaintext_are_not_the_end(opened: Open) -> None:
    opened.client.write(REQUEST)
    records = opened.outgoing.read()
    assert opened.take(records[:3]) is None  # part of a record: nothing to parse, not the end
    assert opened.take(records[3:]) == REQUEST
    link = opened.conn.tls
    assert link is not None and link.session.state is State.OPEN
