"""Fixtures for forwarding tests: fake upstreams and forwarders, all stopped after the test."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakeupstream import FakeUpstream, Received, Reply, response

from inspector.responses import Responder, loads
from inspector.upstream import Forwarder
from tests.harness import running, start_server

UpstreamFactory = Callable[..., FakeUpstream]
ForwarderFactory = Callable[..., Forwarder]


def ok_handler(received: Received) -> Reply:
    return Reply([response(200, b"ok")])


@pytest.fixture
def start_upstream() -> Iterator[UpstreamFactory]:
    started: list[FakeUpstream] = []

    def start(
        handler: Callable[[Received], Reply] = ok_handler, *, tls: ssl.SSLContext | None = None
    ) -> FakeUpstream:
        upstream = FakeUpstream(handler, tls=tls)
        started.append(upstream)
        return upstream

    yield start
    for upstream in started:
        upstream.close()


@pytest.fixture
def start_forwarder() -> Iterator[ForwarderFactory]:
    """Forwarders that must end every thread they started when closed."""
    started: list[Forwarder] = []

    def start(**options: Any) -> Forwarder:
        forwarder = Forwarder(**options)
        started.append(forwarder)
        return forwarder

    yield start
    for forwarder in started:
        assert forwarder.close(timeout=10.0), "a forwarder thread did not end"
    assert not [t.name for t in threading.enumerate() if t.name.startswith("upstream-")]


@pytest.fixture
def forwarder(start_forwarder: ForwarderFactory) -> Forwarder:
    return start_forwarder()


@pytest.fixture
def forward_to() -> Iterator[Callable[..., Responder]]:
    """``forward_to(url, path="**", **options)``: a rules responder whose first rule
    forwards ``path`` to ``url`` and whose second answers ``local`` from a template;
    closed (its forwarder's threads ended) after the test."""
    made: list[Responder] = []

    def make(url: str, path: str = "/api/**", **options: Any) -> Responder:
        forward: Any = {"url": url, **options} if options else url
        rules = [
            {"name": "to upstream", "path": path, "forward": forward},
            {"name": "local", "path": "/local", "body": "local"},
        ]
        responder = Responder(loads(json.dumps({"rules": rules})))
        made.append(responder)
        return responder

    yield make
    for responder in made:
        responder.close()


__all__ = ["running", "start_server"]
