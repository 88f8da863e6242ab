"""Fixtures for the responses layer: a capture-record factory, a real server (no Qt needed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from inspector.http.record import CaptureRecord
from inspector.responses import Responder
from tests.responses.served import serving


def make_record(**overrides: Any) -> CaptureRecord:
    """A clean GET record; ``target`` also sets path and query unless they are given."""
    target = overrides.pop("target", None)
    fields: dict[str, Any] = {
        "id": 1,
        "received_at": 1_700_000_000.0,
        "client": "127.0.0.1:54321",
        "server": "127.0.0.1:8090",
        "method": "GET",
        "target": "/",
        "path": "/",
        "http_version": "1.1",
        "headers": (("Host", "localhost:8090"),),
    }
    if target is not None:
        path, _, query = target.partition("?")
        fields["target"] = target
        fields["path"] = path
        fields["query"] = tuple(parse_qsl(query, keep_blank_values=True))
    fields.update(overrides)
    body = fields.get("body", b"")
    fields.setdefault("body_size", len(body))
    return CaptureRecord(**fields)


@pytest.fixture(name="make_record")
def make_record_fixture() -> Callable[..., CaptureRecord]:
    return make_record


@pytest.fixture
def serve() -> Iterator[Callable[[Responder | Path], int]]:
    """``serve(responder)`` or ``serve(rules_path)``: a server on 127.0.0.1, any free port,
    answering from ``responder`` or that rules file; returns its port. Stopped (and its
    thread joined) after the test."""
    yield from serving()
