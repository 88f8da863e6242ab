"""Forward rules seen from the responders' side: what a preview of one shows, and a forwarded
request answered by the upstream through the handle :class:`Forwarding` returns (a small
upstream on 127.0.0.1 here; tests/upstream covers the forwarder itself)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector.http.deferred import Deferred
from inspector.http.response import Response
from inspector.responses import Responder, load_rules
from inspector.responses import forwarding as forwarding_module
from inspector.responses.forwarding import Forwarding, described
from inspector.upstream import parse_target
from tests.responses.conftest import make_record

ANSWER = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-Up: yes\r\n\r\nok"


def test_a_preview_says_where_requests_go() -> None:
    shown = described(parse_target("http://127.0.0.1:9/base"))
    assert shown.status == 200
    assert shown.headers == (("Content-Type", "text/plain; charset=utf-8"),)
    assert shown.body == (
        b"This rule forwards the request to http://127.0.0.1:9/base and answers with what comes back.\n"
    )


@pytest.fixture
def upstream() -> Iterator[tuple[str, list[bytes]]]:
    """An upstream answering each connection's first request with ``ANSWER``; its URL and
    the requests it received."""
    listener = socket.create_server(("127.0.0.1", 0))
    received: list[bytes] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                received.append(data)
                conn.sendall(ANSWER)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    listener.shutdown(socket.SHUT_RDWR)  # wakes the accept
    listener.close()
    thread.join(10)


def _answer(deferred: Deferred) -> Response:
    came = threading.Event()
    if deferred.attach(lambda _: came.set()) is None:
        assert came.wait(30)
    response = deferred.response
    assert response is not None
    return response


def test_a_forwarded_request_is_answered_by_the_upstream(
    upstream: tuple[str, list[bytes]], tmp_path: Path
) -> None:
    url, received = upstream
    forwarding = Forwarding()
    try:
        target = parse_target({"url": url + "/base", "verify_tls": "ca.pem"})  # unused over http
        first = _answer(forwarding.forward(make_record(target="/x?a=1"), target, "fwd", tmp_path))
        assert (first.status, first.body, dict(first.headers).get("X-Up")) == (201, b"ok", "yes")
        assert first.upstream is not None and first.upstream.url == url + "/base/x?a=1"
        second = _answer(forwarding.forward(make_record(target="/y"), parse_target(url), "fwd"))
        assert (second.status, second.body) == (201, b"ok")
    finally:
        forwarding.close()
    assert [r.split(b"\r\n", 1)[0] for r in received] == [b"GET /base/x?a=1 HTTP/1.1", b"GET /y HTTP/1.1"]
    # closed, a later forward starts a new forwarder
    again = Forwarding()
    try:
        forwarding.close()
        assert _answer(forwarding.forward(make_record(target="/z"), parse_target(url), "fwd")).status == 201
    finally:
        forwarding.close()
        again.close()


def test_a_request_given_up_keeps_how_far_its_upstream_call_got() -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (in its backlog), never answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        forwarding = Forwarding()
        try:
            deferred = forwarding.forward(make_record(target="/slow"), parse_target(url), "fwd")
            assert deferred.cancel("the client hung up")
            assert deferred.upstream is not None
            assert deferred.upstream.url == url
            assert deferred.upstream.error == "cancelled: the client hung up"
            assert deferred.response is None
        finally:
            forwarding.close()
    finally:
        silent.close()


class _CancelledOnArrival(Deferred):
    """A handle the server gives up just as the upstream's answer arrives (after the call
    settled, before the answer is handed over): the race the loop thread may lose."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.arrived = threading.Event()  # its own: a class-wide one stays set for a rerun

    def resolve(self, response: Response) -> bool:
        self.cancel("the client hung up")
        resolved = super().resolve(response)
        self.arrived.set()
        return resolved


def test_a_request_given_up_as_its_answer_arrives_keeps_the_answer_part(
    upstream: tuple[str, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = upstream
    monkeypatch.setattr(forwarding_module, "Deferred", _CancelledOnArrival)
    forwarding = Forwarding()
    try:
        deferred = forwarding.forward(make_record(target="/late"), parse_target(url), "fwd")
        assert isinstance(deferred, _CancelledOnArrival) and deferred.arrived.wait(30)
        assert deferred.cancelled and deferred.response is None
        assert deferred.upstream is not None
        assert (deferred.upstream.status, deferred.upstream.body, deferred.upstream.error) == (
            201,
            b"ok",
            None,
        )
    finally:
        forwarding.close()


def test_closing_answers_the_calls_in_flight() -> None:
    silent = socket.create_server(("127.0.0.1", 0))
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        forwarding = Forwarding()
        deferred = forwarding.forward(make_record(target="/slow"), parse_target(url), "fwd")
        forwarding.close()
        assert _answer(deferred).status == 503
    finally:
        silent.close()


def test_a_forward_rule_s_relative_ca_file_is_looked_for_beside_its_rules_file(tmp_path: Path) -> None:
    listener = socket.create_server(("127.0.0.1", 0))  # connects; the CA file fails before any TLS
    rules_file = tmp_path / "rules" / "rules.json"
    rules_file.parent.mkdir()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}"
    rule = {"name": "to api", "forward": {"url": url, "verify_tls": "certs/none.pem"}}
    rules_file.write_text(json.dumps({"version": 2, "rules": [rule]}))
    responder = Responder(load_rules(rules_file))
    try:
        answer = responder(make_record(target="/x"))
        assert isinstance(answer, Deferred)
        response = _answer(answer)
    finally:
        responder.close()
        listener.close()
    assert response.status == 502
    assert response.error is not None
    where = rules_file.parent / "certs" / "none.pem"
    missing = "[Errno 2] No such file or directory"
    assert response.error == f"upstream {url}: cannot use CA file {where}: {missing}"
