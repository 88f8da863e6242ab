"""The TLS terminator (inspector/server/tls_link.py) as the loop calls it: what it queues for the
client, and what that holds in the memory budget."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.tls.ca import LocalCA
from inspector.tls.contexts import ServerContexts
from tests.server.test_tls_terminator import Rig

NAME = "ready.test"


@pytest.fixture
def ready_rig(local_ca: LocalCA) -> Iterator[Rig]:
    contexts = ServerContexts(local_ca)
    contexts.prepare(NAME)
    made = Rig(contexts)
    made.contexts_ca = Path(local_ca.cert_path)
    yield made
    made.close()


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_every_handshake_byte_queued_for_the_client_counts_in_the_budget(
    ready_rig: Rig, version: ssl.TLSVersion
) -> None:
    context = ssl.create_default_context(cafile=str(ready_rig.contexts_ca))
    context.minimum_version = context.maximum_version = version
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname=NAME)
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    conn = ready_rig.conn()
    assert ready_rig.term.take(conn, outgoing.read(), 0.0) is None
    assert ready_rig.ready(1) == [conn]
    flight = bytes(conn.out)
    assert ready_rig.budget.held == len(flight) > 0
    incoming.write(flight)
    try:
        client.do_handshake()  # 1.3: done; 1.2: it waits for the server's Finished
    except ssl.SSLWantReadError:
        assert version is ssl.TLSVersion.TLSv1_2
    assert ready_rig.term.take(conn, outgoing.read(), 0.0) is None  # the client's Finished
    # the server's last flight (1.2: its Finished; 1.3: session tickets) waits behind the first
    assert len(conn.out) > len(flight) and conn.out.startswith(flight)
    assert ready_rig.budget.held == len(conn.out)
    incoming.write(bytes(conn.out[len(flight) :]))
    client.do_handshake()
    assert conn.parser.tls is not None and conn.parser.tls.version == client.version() is not None
