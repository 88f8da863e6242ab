"""inspector.testing.Inspector: an in-process listener, its records, rules and waiting."""

from __future__ import annotations

import argparse
import http.client
import importlib
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from inspector.headless import load_responder
from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord, SentResponse
from inspector.responses import RulesFileError, loads
from inspector.server import BindError, Server
from inspector.testing import CapturedRequest, Inspector, RuleCheck, RulesTrace

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


class Failing(Server):
    def serve_forever(self) -> None:
        self.close()
        raise RuntimeError("boom")


def test_a_listener_that_fails_is_reported_by_waits_and_by_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("inspector.testing.inspector.Server", Failing)
    insp = Inspector().start()
    with pytest.raises(AssertionError, match=r"stopped \(the listener failed: RuntimeError: boom\) before"):
        insp.wait_for("GET", "/", timeout=30)
    with pytest.raises(RuntimeError, match=r"the listener at http://127\.0\.0\.1:\d+ failed: boom"):
        insp.stop()
    insp.stop()  # said once


def test_repr_says_where_it_listens() -> None:
    insp = Inspector()
    assert repr(insp) == "<Inspector not started>"
    with insp:
        assert repr(insp) == f"<Inspector {insp.url}>"


def test_save_har_writes_every_request_or_the_ones_given(insp: Inspector, tmp_path: Path) -> None:
    send(insp, "GET", "/one")
    send(insp, "POST", "/two", b"2")
    every, some = tmp_path / "every.har", tmp_path / "some.har"
    assert insp.save_har(every) == 2
    assert insp.save_har(some, insp.requests[1:]) == 1

    def urls(path: Path) -> list[str]:
        return [e["request"]["url"] for e in json.loads(path.read_text("utf-8"))["log"]["entries"]]

    assert urls(every) == [f"{insp.url}/one", f"{insp.url}/two"]
    assert urls(some) == [f"{insp.url}/two"]


def test_not_started_and_started_twice_say_what_to_do() -> None:
    insp = Inspector()
    with pytest.raises(RuntimeError) as not_started:
        _ = insp.port
    assert str(not_started.value) == (
        "this Inspector is not started: use `with Inspector() as insp:` or .start()"
    )
    with insp, pytest.raises(RuntimeError) as twice:
        insp.start()
    assert str(twice.value) == "this Inspector was already started; make a new one"


def test_each_listener_gets_a_free_port_of_its_own() -> None:
    with Inspector() as first, Inspector() as second:
        assert first.port != second.port
        assert send(first, "GET", "/1")[0] == send(second, "GET", "/2")[0] == 200


def test_the_listener_thread_is_named_after_its_url_and_does_not_keep_the_process() -> None:
    with Inspector() as insp:
        (thread,) = [t for t in threading.enumerate() if t.name == f"request-inspector {insp.url}"]
        assert thread.daemon
    thread.join(10)
    assert not thread.is_alive()


def test_leaving_with_no_error_raises_the_listeners_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("inspector.testing.inspector.Server", Failing)
    failed = pytest.raises(RuntimeError, match=r"the listener at http://127\.0\.0\.1:\d+ failed: boom")
    with failed, Inspector():
        pass
    # the test's own error wins over the listener's
    with pytest.raises(KeyError, match="the test's own"), Inspector():
        raise KeyError("the test's own")


def test_a_listener_that_does_not_stop_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    class Stuck(Server):
        def serve_forever(self) -> None:
            release.wait(30)  # ignores stop(): only the test releases it
            self.close()

    monkeypatch.setattr("inspector.testing.inspector.Server", Stuck)
    monkeypatch.setattr("inspector.testing.inspector.STOP_TIMEOUT", 0.05)
    insp = Inspector().start()
    try:
        with pytest.raises(RuntimeError) as stuck:
            insp.stop()
        assert str(stuck.value) == f"the listener at {insp.url} did not stop within 0.05 s"
    finally:
        release.set()
    insp._thread.join(30)  # type: ignore[union-attr]


def test_the_default_timeout_is_5_seconds(insp: Inspector, monkeypatch: pytest.MonkeyPatch) -> None:
    # a clock 5 s behind: the default deadline is reached at once, and the message says 5 s
    real = time.monotonic
    monkeypatch.setattr("inspector.testing.inspector.time", SimpleNamespace(monotonic=lambda: real() - 5.0))
    with pytest.raises(AssertionError, match=r" within 5 s\nno requests arrived at all$"):
        insp.wait_for("GET", "/never")


def test_a_failed_wait_points_at_the_tests_own_line(insp: Inspector) -> None:
    with pytest.raises(AssertionError) as failed:
        insp.wait_for("GET", "/never", timeout=0)
    shown = [str(entry.statement).strip() for entry in failed.traceback.filter(failed)]
    assert 'insp.wait_for("GET", "/never", timeout=0)' in shown
    assert "raise AssertionError(message)" not in shown


def test_the_names_load_on_first_use() -> None:
    package = importlib.import_module("inspector.testing")
    for name, home in [
        ("CapturedRequest", "inspector.testing.captured"),
        ("Inspector", "inspector.testing.inspector"),
        ("RuleCheck", "inspector.testing.rules"),
        ("RulesTrace", "inspector.testing.rules"),
    ]:
        assert getattr(package, name) is getattr(importlib.import_module(home), name)
    with pytest.raises(AttributeError) as missing:
        _ = package.Nothing
    assert str(missing.value) == "module 'inspector.testing' has no attribute 'Nothing'"


def test_rules_given_as_a_ruleset_are_used_as_they_are_or_refused(insp: Inspector) -> None:
    good = loads(json.dumps({"rules": [{"name": "made", "status": 201}]}))
    insp.set_rules(good)
    assert insp.rules is good
    assert send(insp, "GET", "/")[0] == 201
    broken = loads(json.dumps({"rules": [{"name": "bad", "body": "{% if %}"}]}))
    with pytest.raises(RulesFileError) as refused:
        insp.set_rules(broken)
    assert str(refused.value).startswith("rules: rule 'bad': ")
    assert insp.rules is good


def test_rules_of_no_usable_kind_are_refused_with_one_line(insp: Inspector) -> None:
    with pytest.raises(TypeError) as refused:
        insp.set_rules(5)  # type: ignore[arg-type]
    assert str(refused.value) == (
        "rules: expected a file path, preset:NAME, a list of rule dicts or a RuleSet, not int"
    )
    with pytest.raises(RulesFileError) as not_json:
        insp.set_rules([{"name": "x", "delay_ms": float("nan")}])
    assert str(not_json.value) == "rules: not JSON data (Out of range float values are not JSON compliant)"


def test_the_trace_of_a_request_no_rule_saw(record_factory: Callable[..., CaptureRecord]) -> None:
    with Inspector(rules=[{"name": "r"}]) as insp:
        gone = record_factory(id=3, response=None, error="the client closed the connection")
        trace = insp.rules_trace(gone)
        assert (trace.answered_by, trace.checks, trace.matched) == (None, (), "default")
        assert str(trace) == (
            "request #3 GET /index.html?name=jack&age=18 -> - (the client closed the connection): "
            "no rule saw it (the client closed the connection)"
        )
        # answered by the listener itself, with no error: the rules are still replayed
        own = record_factory(id=4, response=SentResponse(status=200, rule=None))
        assert (
            str(insp.rules_trace(own))
            == "request #4 GET /index.html?name=jack&age=18 -> 200: not answered by a rule"
        )
        assert [(c.rule, c.matched) for c in insp.rules_trace(own).checks] == [("r", True)]
        # a rule answered though the record has an error: the trace is the rules'
        odd = record_factory(id=5, error="late", response=SentResponse(status=200, rule="r"))
        assert str(insp.rules_trace(odd)).splitlines()[1:] == ["  1. 'r': matches"]


def test_a_long_reason_in_a_trace_is_shown_whole() -> None:
    reason = "path '/x' does not match '/" + "y" * 400 + "'"
    trace = RulesTrace("#1 GET /x -> 200", "other", (RuleCheck("long", False, reason),))
    assert str(trace).splitlines()[1] == f"  1. 'long': {reason}"


@pytest.mark.parametrize("timeout", [-1, -0.5, float("inf"), float("nan"), "5", None])
def test_a_timeout_must_be_a_finite_number_0_or_more(insp: Inspector, timeout: object) -> None:
    with pytest.raises(ValueError) as refused:
        insp.wait_for(timeout=timeout)  # type: ignore[arg-type]
    assert str(refused.value) == f"timeout must be a finite number of seconds, 0 or more, not {timeout!r}"
