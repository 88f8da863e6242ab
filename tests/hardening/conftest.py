"""Fixtures for the hardening tests (helpers live in hardnet.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hardnet import Served, start

from inspector.http.limits import Limits


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """``serve(limits=...)`` starts a Server on 127.0.0.1, port 0, on a thread;
    teardown closes every client, stops the loop and checks it closed every socket."""
    started: list[Served] = []

    def factory(limits: Limits | None = None) -> Served:
        served = start(limits)
        started.append(served)
        return served

    yield factory
    for served in started:
        served.stop()
