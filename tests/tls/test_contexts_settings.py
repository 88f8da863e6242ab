"""Server contexts seen from outside: the settings a client meets, the leaf a session without
a name gets, ``--tls``/``--ca-dir`` as the command line hands them over, and the session
attributes the server loop reads before and after a handshake."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from tlspump import client_context, connect

from inspector.tls.ca import LocalCA
from inspector.tls.contexts import ServerContexts, from_command_line
from inspector.tls.leaves import LEAF_VALIDITY, RENEW_BEFORE, LeafIssuer
from inspector.tls.session import State, TLSSession


def _handshake(server: ssl.SSLObject, client: ssl.SSLObject, pipes: tuple[ssl.MemoryBIO, ...]) -> None:
    s_in, s_out, c_in, c_out = pipes
    for _ in range(8):
        done = 0
        for side in (client, server):
            try:
                side.do_handshake()
                done += 1
            except ssl.SSLWantReadError:
                pass
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if done == 2:
            return
    raise AssertionError("the handshake did not end")


def test_a_connection_without_a_name_gets_the_local_address_leaf(local_ca: LocalCA, ca_file: Path) -> None:
    contexts = ServerContexts(local_ca)
    pipes = (ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO())
    server = contexts.wrap(pipes[0], pipes[1], "127.0.0.1")
    context = client_context(str(ca_file))
    context.check_hostname = False  # no name sent; the certificate is still verified
    client = context.wrap_bio(pipes[2], pipes[3], server_hostname=None)
    _handshake(server, client, pipes)
    der = client.getpeercert(binary_form=True)
    assert der is not None
    san = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert contexts.leaf("127.0.0.1") is not None and contexts.issued == 1


def test_a_name_sent_after_wrapping_moves_the_session_to_its_leaf(local_ca: LocalCA, ca_file: Path) -> None:
    """A connection wrapped before its name was known (no ``name``) still answers the SNI name:
    the callback moves it to that name's context, and the client's hostname check passes."""
    contexts = ServerContexts(local_ca)
    pipes = (ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO())
    server = contexts.wrap(pipes[0], pipes[1], "127.0.0.1")
    client = client_context(str(ca_file)).wrap_bio(pipes[2], pipes[3], server_hostname="sni.example")
    _handshake(server, client, pipes)
    der = client.getpeercert(binary_form=True)
    assert der is not None
    san = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.DNSName) == ["sni.example"]
    leaf = contexts.leaf("sni.example")
    assert leaf is not None and leaf.name == "sni.example"


def test_the_cache_keeps_the_most_recent_max_names(local_ca: LocalCA) -> None:
    contexts = ServerContexts(local_ca, max_names=2)
    a = contexts.for_name("a.example", "127.0.0.1")
    contexts.for_name("b.example", "127.0.0.1")
    assert [contexts.leaf(n) is not None for n in ("a.example", "b.example")] == [True, True]
    assert contexts.for_name("a.example", "127.0.0.1") is a  # a is now the most recent
    contexts.for_name("c.example", "127.0.0.1")
    assert [contexts.leaf(n) is not None for n in ("a.example", "b.example", "c.example")] == [
        True,
        False,
        True,
    ]
    assert contexts.issued == 3


def test_a_leaf_with_a_day_left_is_not_ready(local_ca: LocalCA) -> None:
    start = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    now = [start]
    contexts = ServerContexts(local_ca, issuer=LeafIssuer(local_ca, clock=lambda: now[0]))
    assert not contexts.ready("a.example")
    contexts.prepare("a.example")
    assert contexts.ready("a.example") and contexts.issued == 1
    contexts.prepare("a.example")  # ready: nothing is made
    assert contexts.issued == 1
    end = start + LEAF_VALIDITY
    now[0] = end - RENEW_BEFORE - datetime.timedelta(microseconds=1)
    assert contexts.ready("a.example")
    now[0] = end - RENEW_BEFORE
    assert not contexts.ready("a.example")
    contexts.prepare("a.example")
    assert contexts.ready("a.example") and contexts.issued == 2
    assert not contexts.ready("b.example")


def test_every_context_keeps_the_defaults_and_refuses_renegotiation(local_ca: LocalCA) -> None:
    context = ServerContexts(local_ca).for_name("settings.example", "127.0.0.1")
    defaults = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).options
    assert context.options == defaults | ssl.OP_NO_RENEGOTIATION
    assert context.options & ssl.OP_NO_COMPRESSION  # kept from OpenSSL's defaults (CRIME)
    assert (context.minimum_version, context.maximum_version) == (
        ssl.TLSVersion.TLSv1_2,
        ssl.TLSVersion.TLSv1_3,
    )
    assert context.verify_mode is ssl.CERT_OPTIONAL
    assert ServerContexts(local_ca, request_client_cert=False).for_name("a.example", "::1").verify_mode is (
        ssl.CERT_NONE
    )


def test_the_command_line_names_the_ca_folder(tmp_path: Path) -> None:
    contexts, problem = from_command_line("auto", str(tmp_path / "mine"))
    assert problem is None and contexts is not None
    assert contexts.ca_path == tmp_path / "mine" / "ca.pem"
    assert (tmp_path / "mine" / "ca-key.pem").is_file()


def test_the_command_line_default_ca_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(tmp_path / "home"))
    contexts, problem = from_command_line("auto", None)
    assert problem is None and contexts is not None
    assert contexts.ca_path.parent.name == "ca"
    assert contexts.ca_path.is_relative_to(tmp_path / "home")
    contexts, problem = from_command_line("auto", "")  # an empty --ca-dir names no folder
    assert problem is None and contexts is not None and contexts.ca_path.is_relative_to(tmp_path / "home")


def test_the_command_line_off_and_a_ca_that_cannot_be_used(tmp_path: Path) -> None:
    assert from_command_line("off", str(tmp_path / "unused")) == (None, None)
    assert not (tmp_path / "unused").exists()
    (tmp_path / "file").write_text("x")
    contexts, problem = from_command_line("auto", str(tmp_path / "file"))
    assert contexts is None
    assert problem == f"HTTPS is off: cannot create the CA folder {tmp_path / 'file'}: File exists"


def test_session_attributes_before_and_after_a_handshake(contexts: ServerContexts, ca_file: Path) -> None:
    session = TLSSession(contexts, local_address="127.0.0.1")
    assert (session.hello_error, session.failure, session.flight_due, session.needed_name) == (
        None,
        None,
        False,
        None,
    )
    assert session.resume() == b""  # nothing to go on with before the hello
    exchange = connect(session, client_context(str(ca_file)))
    assert exchange.handshake()
    assert session.state is State.OPEN and session.hello_error is None
    assert session.resume() == b""  # the handshake is over: nothing more comes of it
    session.close()
    session.close()  # once
    with pytest.raises(RuntimeError, match="cannot send application data in state open"):
        session.send(b"late")


def test_resume_after_a_failed_hello(contexts: ServerContexts) -> None:
    session = TLSSession(contexts, local_address="127.0.0.1")
    assert session.receive_data(b"\x16\x03\x01\x00\x00") == b""
    assert session.state is State.FAILED
    assert session.hello_error == "an empty handshake record (not allowed in TLS)"
    assert session.resume() == b""


def test_a_deferred_flight_clears_its_flag(contexts: ServerContexts, ca_file: Path) -> None:
    session = TLSSession(contexts, local_address="127.0.0.1", defer_flight=True)
    exchange = connect(session, client_context(str(ca_file)))
    assert not exchange.handshake(rounds=1)
    assert session.flight_due is True
    session.flight()
    assert session.flight_due is False
    exchange.to_client()
    assert exchange.handshake()
    assert session.state is State.OPEN


def _server_leaf_names(
    server: ssl.SSLObject, client: ssl.SSLObject, pipes: tuple[ssl.MemoryBIO, ...]
) -> list[str]:
    _handshake(server, client, pipes)
    der = client.getpeercert(binary_form=True)
    assert der is not None
    san = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    return [str(value.value) for value in san.value]


def _pipes() -> tuple[ssl.MemoryBIO, ssl.MemoryBIO, ssl.MemoryBIO, ssl.MemoryBIO]:
    return ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()


def test_no_sni_keeps_the_context_it_was_wrapped_on(local_ca: LocalCA, ca_file: Path) -> None:
    contexts = ServerContexts(local_ca)
    pipes = _pipes()
    server = contexts.wrap(pipes[0], pipes[1], "127.0.0.1", "named.example")
    context = client_context(str(ca_file))
    context.check_hostname = False
    client = context.wrap_bio(pipes[2], pipes[3], server_hostname=None)
    assert _server_leaf_names(server, client, pipes) == ["named.example"]


def test_an_sni_name_that_cannot_name_a_leaf_gets_the_local_address(local_ca: LocalCA, ca_file: Path) -> None:
    contexts = ServerContexts(local_ca)
    pipes = _pipes()
    server = contexts.wrap(pipes[0], pipes[1], "127.0.0.1")
    context = client_context(str(ca_file))
    context.check_hostname = False
    client = context.wrap_bio(pipes[2], pipes[3], server_hostname="wild*card.example")
    assert _server_leaf_names(server, client, pipes) == ["127.0.0.1"]


def test_a_waiting_session_hands_over_no_plaintext(local_ca: LocalCA, ca_file: Path) -> None:
    tls = TLSSession(ServerContexts(local_ca), local_address="127.0.0.1", defer_new_names=True)
    exchange = connect(tls, client_context(str(ca_file)), "wait.example")
    try:
        exchange.client.do_handshake()
    except ssl.SSLWantReadError:
        pass
    assert tls.receive_data(exchange.outgoing.read()) == b""
    assert (tls.needed_name, tls.state) == ("wait.example", State.HANDSHAKE)
    assert tls.resume() == b""  # the context is still not made


def test_a_session_waiting_for_its_flight_hands_over_no_plaintext(
    contexts: ServerContexts, ca_file: Path
) -> None:
    tls = TLSSession(contexts, local_address="127.0.0.1", defer_flight=True)
    exchange = connect(tls, client_context(str(ca_file)))
    try:
        exchange.client.do_handshake()
    except ssl.SSLWantReadError:
        pass
    assert tls.receive_data(exchange.outgoing.read()) == b""
    assert tls.flight_due is True and tls.data_to_send() == b""


def test_a_flight_after_the_session_failed_sends_nothing(contexts: ServerContexts, ca_file: Path) -> None:
    """A deadline may fail a session whose flight is already queued for another thread."""
    tls = TLSSession(contexts, local_address="127.0.0.1", defer_flight=True)
    exchange = connect(tls, client_context(str(ca_file)))
    assert not exchange.handshake(rounds=1)
    assert tls.flight_due is True
    tls.fail("the handshake took too long")
    tls.flight()
    assert tls.state is State.FAILED and tls.data_to_send() == b""
    assert tls.failure == "TLS handshake failed: the handshake took too long"
