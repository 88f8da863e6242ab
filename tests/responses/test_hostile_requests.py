"""Hostile requests through the real server: the right answer, bounded work, the next client served.

Each test starts :class:`inspector.server.Server` on 127.0.0.1 port 0 with the
rules the issue measured (the echo-JSON preset, a glob), sends the hostile
request on one raw socket and a plain GET on another, and checks both answers.
The hostile work is bounded by construction (a name index, RE2), and the tests
assert that bound on operation counts rather than on the clock: before the
fixes these requests took 10-32 s of the server's one thread, or minutes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.responses import Responder, Rule, RuleSet, list_presets, load_rules
from inspector.responses.context import MAX_FIELDS, MultiView
from inspector.responses.multipart import MAX_PARTS
from inspector.responses.regex import LinearRegex
from tests.responses.served import WAIT, request, status_and_body

ROOT = Path(__file__).resolve().parents[2]


def both(port: int, hostile: Callable[[], bytes]) -> tuple[bytes, bytes]:
    """The hostile request on one client, a plain GET on another sent while it is in flight."""
    answers: dict[str, bytes] = {}
    worker = threading.Thread(target=lambda: answers.update(hostile=hostile()))
    worker.start()
    answers["plain"] = request(port, "GET", "/plain")
    worker.join(WAIT)
    assert not worker.is_alive()
    return answers["hostile"], answers["plain"]


def test_echo_json_on_a_20000_field_form(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    original = MultiView._key

    def counting(self: MultiView, name: str) -> str:
        nonlocal calls
        calls += 1
        return original(self, name)

    monkeypatch.setattr(MultiView, "_key", counting)
    port = serve(Responder(load_rules(dict(list_presets())["echo json"])))
    form = "&".join(f"f{i}=" for i in range(20_000)).encode()
    assert len(form) == 148_889  # the 149 KB form of the issue
    kind = "application/x-www-form-urlencoded"
    hostile, plain = both(port, lambda: request(port, "POST", "/submit", form, kind))

    status, body = status_and_body(hostile)
    assert status == 200, body[:300]
    echoed = json.loads(body)
    assert len(echoed["form"]) == MAX_FIELDS
    assert echoed["form"]["f9999"] == ""
    status, body = status_and_body(plain)
    assert status == 200 and json.loads(body)["path"] == "/plain"
    # every view was indexed once: a few name keys per pair, not one per pair per name
    assert calls <= 3 * (MAX_FIELDS + 100)


@pytest.mark.parametrize(
    ("pattern", "path", "answered_by"),
    [
        ("/*-*-*-*.png", "/" + "-" * 8000, "default"),
        ("/*-*-*-*.png", "/" + "-" * 7990 + ".png", "glob"),
        ("/**/**/**/x", "/a" * 4000 + "/y", "default"),
        ("/**/**/**/x", "/" * 4000 + "x", "glob"),
    ],
)
def test_a_glob_against_a_hostile_path(
    serve: Any, monkeypatch: pytest.MonkeyPatch, pattern: str, path: str, answered_by: str
) -> None:
    matched: list[str] = []
    original = LinearRegex.match

    def counting(self: LinearRegex, text: str) -> dict[str, str] | None:
        matched.append(text)
        return original(self, text)

    monkeypatch.setattr(LinearRegex, "match", counting)
    rules = RuleSet(rules=(Rule(name="glob", path=pattern, body="glob answered"),))
    port = serve(Responder(rules))
    hostile, plain = both(port, lambda: request(port, "GET", path))

    status, body = status_and_body(hostile)
    assert (status, body) == ((200, b"glob answered") if answered_by == "glob" else (200, b"hello world"))
    assert status_and_body(plain) == (200, b"hello world")
    # the hostile path went through the linear-time automaton, once (the old regex took 17-32 s)
    assert matched.count(path) == 1


def test_a_10_mib_multipart_body(serve: Any) -> None:
    part = b'--XyZ\r\nContent-Disposition: form-data; name="f"\r\n\r\n' + b"v" * 1000 + b"\r\n"
    body = part * (10 * 1024 * 1024 // len(part)) + b"--XyZ--\r\n"
    assert len(body) <= 10 * 1024 * 1024
    rule = Rule(name="count", body="{{ request.form | length }} {{ request.form.truncated }}")
    port = serve(Responder(RuleSet(rules=(rule,))))
    kind = "multipart/form-data; boundary=XyZ"
    hostile, plain = both(port, lambda: request(port, "POST", "/upload", body, kind))
    assert status_and_body(hostile) == (200, f"{MAX_PARTS} True".encode())
    assert status_and_body(plain)[0] == 200
