"""inspector.testing.Inspector: an in-process listener, its records, rules and waiting."""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.headless import load_responder
from inspector.http.limits import Limits
from inspector.responses import RulesFileError
from inspector.server import BindError, Server
from inspector.testing import CapturedRequest, Inspector

CURL = shutil.which("curl")


def send(
    inspector: Inspector,
    method: str,
    target: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """One request with http.client; (status, body) of the answer."""
    conn = http.client.HTTPConnection("127.0.0.1", inspector.port, timeout=10)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


@pytest.fixture
def insp() -> Iterator[Inspector]:
    with Inspector() as inspector:
        yield inspector


def test_records_what_a_client_sent_and_answers_hello_world(insp: Inspector) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", insp.url)
    assert send(insp, "POST", "/hook?a=1&a=2&b=", b'{"event": "paid"}', {"X-Sig": "abc"}) == (
        200,
        b"hello world",
    )
    (hook,) = insp.requests
    assert isinstance(hook, CapturedRequest)
    assert (hook.method, hook.target, hook.path) == ("POST", "/hook?a=1&a=2&b=", "/hook")
    assert hook.query == (("a", "1"), ("a", "2"), ("b", ""))
    assert hook.query_value("a") == "1"
    assert hook.query_value("missing") is None
    assert hook.header("x-sig") == "abc"
    assert ("X-Sig", "abc") in hook.headers
    assert hook.json() == {"event": "paid"}
    assert hook.response is not None
    assert hook.response.status == 200
    assert hook.response.rule == "default"
    assert repr(hook) == "<CapturedRequest #1 POST /hook?a=1&a=2&b= -> 200>"


def test_a_request_is_recorded_before_its_client_gets_the_answer(insp: Inspector) -> None:
    for number in range(20):
        send(insp, "GET", f"/n{number}")
        assert insp.requests[-1].path == f"/n{number}"


def test_text_follows_the_charset_and_form_reads_forms(insp: Inspector) -> None:
    send(insp, "POST", "/latin", "café".encode("latin-1"), {"Content-Type": "text/plain; charset=ISO-8859-1"})
    send(insp, "POST", "/utf8", "café".encode(), {"Content-Type": "text/plain"})
    send(
        insp,
        "POST",
        "/form",
        b"amount=10&note=a+b&amount=11",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    send(insp, "POST", "/bogus", b"\xff", {"Content-Type": "text/plain; charset=no-such-charset"})
    latin, utf8, form, bogus = insp.requests
    assert latin.text == "café"
    assert utf8.text == "café"
    assert form.form()["amount"] == "10"
    assert form.form().getlist("amount") == ["10", "11"]
    assert form.form()["note"] == "a b"
    assert bogus.text == "\ufffd"  # unknown charset: UTF-8, bad bytes replaced
    with pytest.raises(ValueError, match=r"the body of request #1 is not JSON"):
        latin.json()


def test_wait_for_returns_the_first_match_and_waits_for_one_still_to_come(insp: Inspector) -> None:
    send(insp, "GET", "/early")
    assert insp.wait_for("GET", "/early", timeout=0).path == "/early"

    looked = threading.Event()

    def late(record: CapturedRequest) -> bool:
        looked.set()  # the wait is looking at what arrived so far (/early)
        return record.path == "/late"

    def later() -> None:
        assert looked.wait(10)
        send(insp, "PUT", "/late")

    thread = threading.Thread(target=later)
    thread.start()
    try:
        found = insp.wait_for(timeout=10, where=late)  # finds nothing, waits, is woken
    finally:
        thread.join()
    assert found.method == "PUT"
    send(insp, "PUT", "/late")
    assert insp.wait_for("PUT", "/late").id == found.id  # the first one, not the newest


def test_wait_for_conditions(insp: Inspector) -> None:
    send(
        insp,
        "POST",
        "/users/42/hooks?lang=fr&debug",
        b'{"event": "paid", "data": {"amount": 1000, "items": [{"sku": "MUG-01"}]}}',
        {"X-Signature": "sha256=abcd", "Content-Type": "application/json"},
    )
    found = insp.wait_for(
        "post",  # methods compare case-insensitively, as in rules
        "/users/{id}/hooks",
        header={"x-signature": re.compile(r"^SHA256=", re.IGNORECASE), "Content-Type": ...},
        query=("lang", "fr"),
        json={"event": "paid", "data.amount": 1000, "data.items.0.sku": "MUG-01", "data": ...},
        body_contains="MUG",
        where=lambda r: len(r.body) < 1024,
    )
    assert found.id == 1
    assert insp.wait_for(path="/users/**", query="debug", body_contains=b'"paid"').id == 1
    assert insp.wait_for(path="^/users/[0-9]+/").id == 1


@pytest.mark.parametrize(
    ("kwargs", "difference"),
    [
        ({"method": "GET"}, "method is POST, not GET"),
        ({"path": "/hooks"}, "path '/hook' does not match '/hooks'"),
        ({"header": "X-Missing"}, "no header X-Missing"),
        ({"header": ("X-Sig", "other")}, "header X-Sig equals 'other': value is 'abc'"),
        ({"query": ("lang", "en")}, "query lang equals 'en': value is 'fr'"),
        ({"query": "page"}, "no query page"),
        ({"json": {"event": "refund"}}, "json event equals 'refund': value is 'paid'"),
        ({"json": {"data.id": ...}}, "json data.id present: not found in the JSON body"),
        (
            {"body_contains": "refund"},
            "body does not contain 'refund' (body: 17 bytes, b'{\"event\": \"paid\"}')",
        ),
        ({"where": lambda r: False}, "where=<lambda> is false"),
        ({"where": lambda r: r.form()["x"]}, "where=<lambda> raised KeyError: 'x'"),
    ],
)
def test_a_timed_out_wait_says_what_arrived_and_what_differed(
    insp: Inspector, kwargs: dict[str, object], difference: str
) -> None:
    send(insp, "GET", "/health")
    send(insp, "POST", "/hook?lang=fr", b'{"event": "paid"}', {"X-Sig": "abc"})
    wanted: dict[str, object] = {"method": "POST", "path": "/hook", **kwargs}
    with pytest.raises(AssertionError) as failed:
        insp.wait_for(timeout=0.05, **wanted)  # type: ignore[arg-type]
    message = str(failed.value)
    lines = message.splitlines()
    assert lines[0].startswith("no request ")
    assert lines[0].endswith(f"arrived at {insp.url} within 0.05 s")
    assert lines[1:4] == [
        "2 requests arrived (newest last):",
        "  #1 GET /health -> 200",
        "  #2 POST /hook?lang=fr -> 200",
    ]
    closest = [line for line in lines if line.startswith("  #2 POST /hook?lang=fr -> 200: ")]
    assert closest, message
    assert difference in closest[0]


def test_the_closest_requests_come_first_with_every_difference(insp: Inspector) -> None:
    send(insp, "GET", "/other")
    send(insp, "POST", "/hooks")
    send(insp, "POST", "/hook")
    with pytest.raises(AssertionError) as failed:
        insp.wait_for("POST", "/hook", timeout=0, header="X-Sig")
    message = str(failed.value)
    assert message.splitlines()[0] == (
        f"no request POST /hook with header X-Sig present arrived at {insp.url} within 0 s"
    )
    tail = message.split("closest:\n", 1)[1].splitlines()
    assert tail == [
        "  #3 POST /hook -> 200: no header X-Sig",
        "  #2 POST /hooks -> 200: path '/hooks' does not match '/hook'; no header X-Sig",
        "  #1 GET /other -> 200: method is GET, not POST; path '/other' does not match '/hook';"
        " no header X-Sig",
    ]


def test_a_timed_out_wait_with_nothing_arrived(insp: Inspector) -> None:
    with pytest.raises(AssertionError, match=r"within 0\.01 s\nno requests arrived at all$"):
        insp.wait_for("GET", "/", timeout=0.01)


def test_the_arrivals_in_a_failure_are_capped_newest_last(insp: Inspector) -> None:
    for number in range(25):
        send(insp, "GET", f"/n{number}")
    with pytest.raises(AssertionError) as failed:
        insp.wait_for(path="/never", timeout=0)
    lines = str(failed.value).splitlines()
    assert lines[1] == "25 requests arrived (newest last):"
    assert lines[2] == "  (5 earlier not shown)"
    assert lines[3] == "  #6 GET /n5 -> 200"
    assert lines[22] == "  #25 GET /n24 -> 200"


def test_hostile_request_data_in_a_failure_is_escaped(insp: Inspector) -> None:
    evil = "\u202eevil\x1b[31m"
    send(insp, "GET", "/x?q=%E2%80%AE", headers={"X-Sig": "ab\u200bc".encode().decode("latin-1")})
    with socket.create_connection(("127.0.0.1", insp.port), timeout=10) as raw:
        raw.sendall(f"GET /{evil} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        raw.recv(4096)
    insp.wait_for(timeout=5, where=lambda r: r.id == 2)
    with pytest.raises(AssertionError) as failed:
        insp.wait_for("GET", "/nothing", timeout=0, header=("X-Sig", "abc"))
    message = str(failed.value)
    assert "\u202e" not in message
    assert "\x1b" not in message
    assert "\\u202e" in message or "\\xe2\\x80\\xae" in message
    assert "\\x1b" in message


def test_a_stopped_listener_ends_a_wait_and_says_so() -> None:
    insp = Inspector().start()
    insp.stop()
    with pytest.raises(AssertionError, match=r"stopped \(stopped\) before a request GET /x"):
        insp.wait_for("GET", "/x", timeout=10)


def test_clear_forgets_what_arrived(insp: Inspector) -> None:
    send(insp, "GET", "/old")
    insp.clear()
    assert insp.requests == []
    with pytest.raises(AssertionError, match="no requests arrived at all"):
        insp.wait_for(path="/old", timeout=0)
    send(insp, "GET", "/new")
    assert [r.path for r in insp.requests] == ["/new"]
    assert insp.requests[0].id == 2  # ids go on: they are the recorder's


def test_max_records_keeps_the_newest_and_counts_the_rest() -> None:
    with Inspector(max_records=3) as insp:
        for number in range(8):
            send(insp, "GET", f"/n{number}")
        assert [r.path for r in insp.requests] == ["/n5", "/n6", "/n7"]
        with pytest.raises(AssertionError) as failed:
            insp.wait_for(path="/n0", timeout=0)
    lines = str(failed.value).splitlines()
    assert lines[1:3] == ["8 requests arrived (newest last):", "  (5 earlier not shown)"]


def test_rules_from_a_list_answer_and_trace(insp: Inspector) -> None:
    insp.set_rules(
        [
            {"name": "health", "path": "/health", "body": "ok"},
            {
                "name": "signed",
                "methods": ["POST"],
                "path": "/hook",
                "conditions": [{"source": "header", "name": "X-Sig", "op": "present"}],
                "status": 201,
                "body": "thanks {{ request.json.event }}",
            },
            {"name": "off", "enabled": False, "path": "**"},
            {"name": "fallback", "path": "**", "status": 404, "body": "no"},
        ]
    )
    assert send(insp, "POST", "/hook", b'{"event": "paid"}', {"X-Sig": "1"}) == (201, b"thanks paid")
    assert send(insp, "POST", "/hook", b"{}") == (404, b"no")
    signed, unsigned = insp.requests
    assert str(insp.rules_trace(signed)).splitlines() == [
        "request #1 POST /hook -> 201: answered by rule 'signed'",
        "  1. 'health': path '/hook' does not match '/health'",
        "  2. 'signed': matches",
    ]
    trace = insp.rules_trace(unsigned)
    assert trace.answered_by == "fallback"
    assert trace.matched == "fallback"
    assert [(c.rule, c.matched) for c in trace.checks] == [
        ("health", False),
        ("signed", False),
        ("off", False),
        ("fallback", True),
    ]
    assert trace.checks[1].reason == "condition 1 (header X-Sig present): absent"
    assert trace.checks[2].reason == "the rule is disabled"

    insp.set_rules(None)
    assert send(insp, "POST", "/hook", b"{}") == (200, b"hello world")
    assert "(the rules changed since: now 'default' would answer)" in str(insp.rules_trace(unsigned))


def test_rules_from_a_file_and_a_preset(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"version": 1, "rules": [{"name": "created", "status": 201}]}))
    with Inspector(rules=rules) as insp:
        assert send(insp, "GET", "/")[0] == 201
        insp.set_rules("preset:echo-json")
        status, body = send(insp, "POST", "/echo?x=1", b'{"a": 1}', {"Content-Type": "application/json"})
        assert status == 200
        assert json.loads(body)["json"] == {"a": 1}


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"name": "bad", "status": "{{ oops"}], r"^rules: rule 'bad': status"),
        ([{"name": "x", "path": "^(a"}], r"^rules: rule 'x': path"),
        ([{"name": "x", "status": 100}], r"^rules: rule 'x': status: 100 is informational"),
        ([{"name": "x", "status": "two hundred"}], r"^rules: rule 'x': status: 'two hundred' is not a"),
        ([{"name": "x", "delay_ms": "soon"}], r"^rules: rules\[0\]\.delay_ms: expected a whole number"),
        ({"rules": 5}, r"^rules: rules: expected a list"),
        ([{"name": "x", "body": b"bytes"}], r"^rules: not JSON data"),
        ("preset:no-such", r"no-such"),
        ("/no/such/rules.json", r"^/no/such/rules\.json: cannot read"),
    ],
)
def test_unusable_rules_are_one_line_errors_and_the_old_rules_stay(
    insp: Inspector, rules: object, message: str
) -> None:
    insp.set_rules([{"name": "kept", "status": 202}])
    with pytest.raises(RulesFileError, match=message) as refused:
        insp.set_rules(rules)  # type: ignore[arg-type]
    assert "\n" not in str(refused.value)
    assert send(insp, "GET", "/")[0] == 202


def test_the_same_errors_as_headless(tmp_path: Path) -> None:
    rules = tmp_path / "broken.json"
    rules.write_text(json.dumps({"rules": [{"name": "bad", "body": "{% if %}"}]}))
    with pytest.raises(RulesFileError) as in_process:
        Inspector(rules=rules)
    with pytest.raises(RulesFileError) as headless:
        load_responder(argparse.Namespace(rules=str(rules)))
    assert str(in_process.value) == str(headless.value)


def test_wrong_arguments_are_refused_at_once(insp: Inspector) -> None:
    with pytest.raises(ValueError, match=r"path '/\{a\}/\{a\}'"):
        insp.wait_for(path="/{a}/{a}")
    with pytest.raises(ValueError, match="backreference"):
        insp.wait_for(header=("X", re.compile(r"(a)\1")))  # RE2 has no backreferences
    with pytest.raises(ValueError, match="only the flags I, M and S"):
        insp.wait_for(header=("X", re.compile("a", re.VERBOSE)))
    with pytest.raises(TypeError, match="header X: expected text"):
        insp.wait_for(header=("X", 5))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="json=: expected a mapping"):
        insp.wait_for(json=[1])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout must be"):
        insp.wait_for(timeout=float("nan"))
    with pytest.raises(TypeError):
        insp.wait_for(headers="X")  # type: ignore[call-arg]


def test_not_started_and_started_twice() -> None:
    insp = Inspector()
    with pytest.raises(RuntimeError, match="not started"):
        _ = insp.url
    with pytest.raises(RuntimeError, match="not started"):
        insp.wait_for()
    assert insp.requests == []
    insp.stop()  # nothing to stop: no error
    with insp, pytest.raises(RuntimeError, match="already started"):
        insp.start()


def test_stop_closes_the_port_and_keeps_the_records() -> None:
    with Inspector() as insp:
        send(insp, "GET", "/kept")
        port = insp.port
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert [r.path for r in insp.requests] == ["/kept"]
    assert insp.wait_for(path="/kept", timeout=0).path == "/kept"


def test_a_busy_port_is_a_bind_error() -> None:
    with Inspector() as first, pytest.raises(BindError, match="is in use by "):
        Inspector(port=first.port).start()


def test_the_server_loop_limits_apply() -> None:
    with Inspector(limits=Limits(max_body=10)) as insp:
        status, _ = send(insp, "POST", "/big", b"x" * 100)
        assert status == 413
        found = insp.wait_for("POST", "/big")
    assert found.error is not None
    assert found.error.startswith("413")


def test_malformed_requests_are_recorded_too(insp: Inspector) -> None:
    with socket.create_connection(("127.0.0.1", insp.port), timeout=10) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\n\r\n")  # no Host
        assert raw.recv(4096).startswith(b"HTTP/1.1 400 ")
    found = insp.wait_for(where=lambda r: r.error is not None)
    assert str(insp.rules_trace(found)).startswith("request #1 GET / -> 400 (400 ")
    assert "no rule saw it" in str(insp.rules_trace(found))


@pytest.mark.skipif(CURL is None, reason="needs curl")
def test_curl(insp: Inspector) -> None:
    assert CURL is not None
    done = subprocess.run(
        [CURL, "-sS", "-X", "PUT", "-H", "X-Sig: s1", "--data-binary", "@-", f"{insp.url}/curl?x=1"],
        input=b"payload",
        capture_output=True,
        timeout=30,
        check=True,
    )
    assert done.stdout == b"hello world"
    found = insp.wait_for("PUT", "/curl", header=("X-Sig", "s1"), query=("x", "1"), body_contains="payload")
    assert found.header("user-agent", "").startswith("curl/")


def test_a_listener_that_fails_is_reported_by_waits_and_by_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failing(Server):
        def serve_forever(self) -> None:
            self.close()
            raise RuntimeError("boom")

    monkeypatch.setattr("inspector.testing.inspector.Server", Failing)
    insp = Inspector().start()
    with pytest.raises(AssertionError, match=r"stopped \(the listener failed: RuntimeError: boom\) before"):
        insp.wait_for("GET", "/", timeout=30)
    with pytest.raises(RuntimeError, match=r"the listener at http://127\.0\.0\.1:\d+ failed: boom"):
        insp.stop()
    insp.stop()  # said once
