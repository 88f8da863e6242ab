"""Which deadline applies to an HTTPS connection (inspector/server/deadlines.py): the head
deadline while its TLS handshake is under way, the parser's own deadlines once it is done."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from inspector.http.limits import Limits
from inspector.http.parser import RequestParser
from inspector.server.connection import Connection
from inspector.server.deadlines import Due, what_is_due

NOW = 300.0
LIMITS = Limits(send_timeout=5.0, idle_timeout=30.0)


@pytest.fixture
def conn() -> Iterator[Connection]:
    ours, theirs = socket.socketpair()
    ids = itertools.count(1)
    made = Connection(ours, RequestParser(client="c", server="s", next_id=lambda: next(ids)))
    yield made
    ours.close()
    theirs.close()


def test_an_https_connection_meets_the_handshake_deadline_then_the_parsers(conn: Connection) -> None:
    link = SimpleNamespace(handshaking=True)
    conn.tls = link  # type: ignore[assignment]  # what_is_due reads only ``handshaking``
    assert what_is_due(conn, NOW, LIMITS) is Due.HANDSHAKE
    assert what_is_due(conn, NOW + 1000, LIMITS) is Due.HANDSHAKE
    link.handshaking = False  # the handshake is done: requests flow as on plain HTTP
    assert what_is_due(conn, NOW, LIMITS) is Due.PARSER
    assert what_is_due(conn, NOW + 1000, LIMITS) is Due.PARSER
    conn.closing = True  # busy answering: no deadline of the client's runs
    assert what_is_due(conn, NOW + 1000, LIMITS) is None
