"""Accepting (inspector/server/accepting.py): the record of a connection refused past the
limit says when it came and exactly what was sent, and accepted connections are handed
over ready for the loop."""

from __future__ import annotations

import selectors
import socket
import time

from inspector.server.accepting import Acceptor, refuse
from inspector.server.bind import bind_listener
from tests.harness import WAIT


def test_the_refusal_record_holds_the_headers_sent_and_when_it_came() -> None:
    ours, theirs = socket.socketpair()
    with theirs:
        before = time.time()
        record = refuse(ours, 3, "127.0.0.1:9", "127.0.0.1:80", "too many connections")
        after = time.time()
        theirs.settimeout(WAIT)
        wire = b""
        while chunk := theirs.recv(65536):
            wire += chunk
    head = wire.split(b"\r\n\r\n", 1)[0].decode()
    sent = [tuple(line.split(": ", 1)) for line in head.split("\r\n")[1:]]
    assert record.response is not None
    assert [(name.lower(), value) for name, value in record.response.headers] == [
        (name.lower(), value) for name, value in sent
    ]
    assert ("connection", "close") in [(name.lower(), value) for name, value in record.response.headers]
    assert before <= record.received_at <= after
    assert record.raw_head == b"" and record.method == ""


def test_a_refusal_to_a_client_already_gone_is_still_recorded() -> None:
    ours, theirs = socket.socketpair()
    theirs.close()
    record = refuse(ours, 4, "c:1", "s:2", "too many connections")
    assert ours.fileno() == -1
    assert record.error == "503 too many connections"
    assert record.response is not None and record.response.status == 503


def test_accepted_connections_come_non_blocking_without_delay_and_in_one_batch() -> None:
    listening = bind_listener("127.0.0.1", 0)
    clients = [socket.create_connection(listening.getsockname(), timeout=WAIT) for _ in range(3)]
    with selectors.DefaultSelector() as selector:
        acceptor = Acceptor(listening, selector, "the-listener")
        try:
            accepted: list[tuple[socket.socket, str, str]] = []
            deadline = time.monotonic() + WAIT
            while len(accepted) < 3 and time.monotonic() < deadline:
                selector.select(WAIT)
                accepted += list(acceptor.accept())
            try:
                assert [server for _, _, server in accepted] == ["the-listener"] * 3
                assert sorted(name for _, name, _ in accepted) == sorted(
                    f"127.0.0.1:{c.getsockname()[1]}" for c in clients
                )
                for sock, _, _ in accepted:
                    assert not sock.getblocking()
                    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            finally:
                for sock, _, _ in accepted:
                    sock.close()
            assert list(acceptor.accept()) == []  # nothing more waits
            assert acceptor.paused_until is None
        finally:
            acceptor.close()
            for client in clients:
                client.close()
    assert listening.fileno() == -1
