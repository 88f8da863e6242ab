"""TLSSession at its edges: several records in one read, the client's close and a bad record
after the handshake, a failure while a name or a flight is awaited, a client certificate
that cryptography cannot read."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tlspump import client_context, connect

from inspector.tls.ca import LocalCA
from inspector.tls.contexts import ServerContexts
from inspector.tls.session import ClientCert, State, TLSSession, _client_cert


def test_several_records_in_one_read_are_joined_as_sent(contexts: ServerContexts, ca_file: Path) -> None:
    tls = TLSSession(contexts, local_address="127.0.0.1")
    exchange = connect(tls, client_context(str(ca_file)))
    assert exchange.handshake()
    exchange.client.write(b"GET / HTTP/1.1\r\n")
    exchange.client.write(b"Host: a\r\n\r\n")
    assert tls.receive_data(exchange.outgoing.read()) == b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
    assert tls.state is State.OPEN


def test_the_clients_close_notify_closes_the_session(contexts: ServerContexts, ca_file: Path) -> None:
    tls = TLSSession(contexts, local_address="127.0.0.1")
    exchange = connect(tls, client_context(str(ca_file)))
    assert exchange.handshake()
    exchange.client.write(b"last")
    try:
        exchange.client.unwrap()
    except OSError:
        pass  # it waits for our close_notify; its own is already queued
    assert tls.receive_data(exchange.outgoing.read()) == b"last"
    assert tls.state is State.CLOSED
    assert tls.receive_data(b"more") == b""


def test_a_bad_record_after_the_handshake_closes_the_session(contexts: ServerContexts, ca_file: Path) -> None:
    tls = TLSSession(contexts, local_address="127.0.0.1")
    exchange = connect(tls, client_context(str(ca_file)))
    assert exchange.handshake()
    assert tls.receive_data(b"\x17\x03\x03\x00\x05hello") == b""
    assert tls.state is State.CLOSED


def test_a_failure_while_a_name_is_awaited_clears_the_wait(local_ca: LocalCA, ca_file: Path) -> None:
    tls = TLSSession(ServerContexts(local_ca), local_address="127.0.0.1", defer_new_names=True)
    exchange = connect(tls, client_context(str(ca_file)), "late.example")
    exchange.handshake(rounds=1)
    assert tls.needed_name == "late.example"
    tls.fail("the handshake took too long")
    assert (tls.needed_name, tls.flight_due, tls.state) == (None, False, State.FAILED)
    assert tls.failure == "TLS handshake failed: the handshake took too long"


def test_a_failure_while_a_flight_is_due_clears_it(contexts: ServerContexts, ca_file: Path) -> None:
    tls = TLSSession(contexts, local_address="127.0.0.1", defer_flight=True)
    exchange = connect(tls, client_context(str(ca_file)))
    exchange.handshake(rounds=1)
    assert tls.flight_due is True
    tls.fail("too slow")
    assert (tls.needed_name, tls.flight_due) == (None, False)


def test_end_of_input_while_a_flight_is_due(contexts: ServerContexts, ca_file: Path) -> None:
    tls = TLSSession(contexts, local_address="127.0.0.1", defer_flight=True)
    exchange = connect(tls, client_context(str(ca_file)))
    exchange.handshake(rounds=1)
    assert tls.flight_due is True
    assert tls.receive_data(b"") == b""
    assert tls.flight_due is False and tls.state is State.FAILED
    assert tls.failure == "TLS handshake failed: the client closed the connection during the handshake"


def test_a_client_certificate_cryptography_cannot_read() -> None:
    der = b"\x30\x03\x02\x01\x01"  # DER, but no certificate
    assert _client_cert(der) == ClientCert(subject="", sha256=hashlib.sha256(der).hexdigest())
    assert _client_cert(b"") is None and _client_cert(None) is None
