"""Splitting the client's TLS bytes at any points gives the same plaintext and the same facts."""

from __future__ import annotations

import functools
import itertools
import ssl
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tlspump import client_context, connect

from inspector.tls.contexts import ServerContexts
from inspector.tls.session import TLSFacts, TLSSession

REQUEST = b"POST /hook HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000


def cutter(cuts: list[int]):  # type: ignore[no-untyped-def]
    def cut(data: bytes) -> list[bytes]:
        points = sorted({c % (len(data) + 1) for c in cuts})
        bounds = [0, *points, len(data)]
        return [data[a:b] for a, b in itertools.pairwise(bounds) if b > a]

    return cut


def run(
    contexts: ServerContexts, ca_file: Path, version: ssl.TLSVersion, cuts: list[int]
) -> tuple[bytes, TLSFacts]:
    context = client_context(str(ca_file), alpn=["h2", "http/1.1"], version=version)
    exchange = connect(TLSSession(contexts, local_address="127.0.0.1"), context, "split.example")
    cut = cutter(cuts)
    assert exchange.handshake(cut), exchange.session.failure
    exchange.send(REQUEST, cut)
    return bytes(exchange.plaintext), exchange.session.facts()


@functools.cache
def distrusting_client() -> ssl.SSLContext:
    """A client with only the system's trust store (loading it takes ~70 ms: once)."""
    return client_context(None)


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    version=st.sampled_from([ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2]),
    cuts=st.lists(st.integers(0, 6000), max_size=10),
)
def test_any_split_same_plaintext_and_facts(
    contexts: ServerContexts, ca_file: Path, version: ssl.TLSVersion, cuts: list[int]
) -> None:
    plaintext, facts = run(contexts, ca_file, version, cuts)
    whole_plaintext, whole_facts = run(contexts, ca_file, version, [])
    assert plaintext == whole_plaintext == REQUEST
    # The cipher and version are the same negotiation; ja4, SNI, ALPN come from the same hello.
    assert facts == whole_facts


@SETTINGS
@given(cuts=st.lists(st.integers(0, 600), max_size=10))
def test_any_split_same_failure(contexts: ServerContexts, cuts: list[int]) -> None:
    def failure(cut_points: list[int]) -> tuple[str | None, TLSFacts]:
        exchange = connect(TLSSession(contexts, local_address="127.0.0.1"), distrusting_client())
        assert not exchange.handshake(cutter(cut_points))
        return exchange.session.failure, exchange.session.facts()

    assert failure(cuts) == failure([])
