"""Small parts of the responses layer, each by what a user or caller sees: problem messages,
what templates see of the request, path captures, kept answers of body files with CORS,
the responder's last-resort error, an expired pause's answer."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from inspector.http.deferred import Deferred
from inspector.http.response import Response
from inspector.responses import Responder, RuleSet, dumps, load_rules, loads, regex, render, save_rules
from inspector.responses.engine import explain, validate_rule
from inspector.responses.model import Answer, Condition, Problem, Rule
from inspector.responses.multipart import parse_form_data
from inspector.responses.pausing import PausedRequest, expired_answer
from inspector.responses.preview import preview
from inspector.responses.regex import LinearRegex, PatternError
from inspector.responses.schema import rule_to_json
from inspector.responses.state import foresee
from inspector.upstream import parse_target
from tests.responses.conftest import make_record


def test_rule_problems_say_exactly_what_is_wrong() -> None:
    weights = Rule(name="w", responses=(Answer(body="a", weight=-1), Answer(body="b")))
    assert [(p.field, p.message) for p in validate_rule(weights)] == [
        ("weight", "weight must not be negative")
    ]
    listeners = Rule(name="l", listeners=("8090", "not a port"))
    assert validate_rule(listeners) == [
        Problem(
            field="listeners",
            index=1,
            message="'not a port' is not a listener (e.g. 127.0.0.1:8090, [::1]:8091 or 8091)",
        )
    ]
    assert validate_rule(Rule(name="s", status=200)) == []


def test_conditions_describe_themselves() -> None:
    assert Condition(source="header", name="X-T", op="present").describe() == "header X-T present"
    assert Condition(source="query", name="q", op="absent").describe() == "query q absent"
    assert Condition(source="query", name="q", op="equals", value="1").describe() == "query q equals '1'"
    assert Condition(source="body", op="contains", value="x").describe() == "body contains 'x'"


def test_templates_see_the_request_as_plain_data() -> None:
    record = make_record(target="/p/q?a=1&b=2&a=3", server="127.0.0.1:8091")
    rule = Rule(name="r", path="/p/{x}", body="{{ request|tojson }}|{{ request.query }}")
    data, query = render(rule, record).body.decode().split("|")
    shown = json.loads(data)
    assert (shown["method"], shown["path"], shown["target"]) == ("GET", "/p/q", "/p/q?a=1&b=2&a=3")
    assert shown["server"] == {"host": "127.0.0.1", "port": 8091}
    assert shown["params"] == {"x": "q"}
    assert shown["query"] == {"a": ["1", "3"], "b": "2"}
    assert query == "a=1&b=2&a=3"


def test_regex_captures_are_kept_as_sent_and_glob_captures_decoded() -> None:
    record = make_record(target="/f/a%20b")
    regex = Rule(name="re", path="^/f/(?P<name>.+)$", body="{{ request.params.name }}")
    glob = Rule(name="glob", path="/f/{name}", body="{{ request.params.name }}")
    assert render(regex, record).body == b"a%20b"
    assert render(glob, record).body == b"a b"


def test_a_path_with_bytes_that_are_no_utf8_matches_its_decoded_form() -> None:
    rule = Rule(name="r", path="/a\ufffd", body="ok")
    result = explain(rule, make_record(target="/a%FF"))
    assert result.matched, result.message


def test_a_preflight_naming_no_method_is_no_preflight_for_a_rule_of_other_methods() -> None:
    record = make_record(
        method="OPTIONS",
        target="/api",
        headers=(("Origin", "http://a.test"), ("Access-Control-Request-Method", "")),
    )
    rule = Rule(name="odd", path="/api", methods=("XXXX",), cors=True)
    assert not explain(rule, record).matched


def test_a_body_file_answered_with_cors_headers_keeps_them_for_cors_requests_only(tmp_path: Path) -> None:
    (tmp_path / "body.txt").write_text("file body")
    rule = Rule(name="f", path="/f", cors=True, body_file="body.txt")
    responder = Responder(RuleSet(rules=(rule,), folder=tmp_path))
    cors = responder(make_record(target="/f", headers=(("Host", "h"), ("Origin", "http://a.test"))))
    assert isinstance(cors, Response) and cors.body == b"file body"
    assert dict(cors.headers).get("Access-Control-Allow-Origin") == "http://a.test"
    for _ in range(2):  # a request without Origin gets the answer made for any origin
        plain = responder(make_record(target="/f"))
        assert isinstance(plain, Response) and plain.body == b"file body"
        assert dict(plain.headers).get("Access-Control-Allow-Origin") == "*"


class _BrokenBoard:
    """A pause handler that fails (a bug in the window's board)."""

    def paused(self, request: PausedRequest) -> None:
        raise RuntimeError("the board is gone")

    def gone(self, request_id: int, reason: str) -> None:
        raise AssertionError("not reached")


def test_the_responder_answers_its_own_failure_naming_it() -> None:
    responder = Responder(RuleSet(rules=(Rule(name="p", path="/p", pause=True),)))
    responder.set_pause_handler(_BrokenBoard())
    answer = responder(make_record(target="/p"))
    assert isinstance(answer, Response) and answer.status == 500
    assert answer.error == "engine: RuntimeError: the board is gone"


def test_a_failing_state_key_is_foreseen_as_the_first_request() -> None:
    rule = Rule(name="k", path="/k", state_key="{{ 1 / 0 }}", responses=(Answer(body="a"), Answer(body="b")))
    shown = preview(rule, (rule,), make_record(target="/k"))
    assert shown.pick is not None and shown.pick.counter == 1
    assert shown.pick.why == "state_key fails: ZeroDivisionError: division by zero"


def test_an_expired_pause_closes_with_a_504_saying_why() -> None:
    held = Response(status=201, body=b"held", rule="r", step=2, steps=3)
    expired = expired_answer(held, 30)
    reason = "not answered: paused for 30 s without an answer (the idle limit)"
    assert (expired.status, expired.fault, expired.error, expired.rule) == (504, "close", reason, "r")
    assert (expired.step, expired.steps) == (2, 3)
    assert expired.headers == (("Content-Type", "text/plain; charset=utf-8"),)
    assert expired.body == f"Request Inspector: {reason}\n".encode()


def test_a_pause_tells_how_long_the_client_has_waited() -> None:
    paused = PausedRequest(make_record(), Response(status=200), Deferred(), paused_at=100.0)
    assert paused.waited(now=102.5) == 2.5
    assert paused.waited(now=99.0) == 0.0
    recent = PausedRequest(make_record(), Response(status=200), Deferred())
    assert 0.0 <= recent.waited() < 3600.0


def test_a_pattern_re2_refuses_says_what_re2_said() -> None:
    with pytest.raises(PatternError) as caught:
        LinearRegex("a(?=b)")
    assert str(caught.value) == (
        "not supported by the linear-time matcher (invalid perl operator: (?=): backreferences, "
        "lookaround, atomic groups, possessive quantifiers, \\Z and (?x) are not available"
    )


def test_the_regex_options_capture_only_when_asked_and_stay_quiet() -> None:
    with_groups, without = regex._options(captures=True), regex._options(captures=False)
    assert (with_groups.log_errors, with_groups.never_capture) == (False, False)  # type: ignore[attr-defined]
    assert (without.log_errors, without.never_capture) == (False, True)  # type: ignore[attr-defined]


def test_foresee_tells_the_state_and_the_round() -> None:
    drawn = foresee("random", 3, [1, 3], "ann", keyed=True)
    assert (drawn.step, drawn.steps, drawn.counter, drawn.state) == (None, 2, 3, "ann")
    assert drawn.why == "random: each request draws by weight (1: 25%, 2: 75%)"
    cycled = foresee("cycle", 4, [1, 1, 1], "ann", keyed=True)
    assert (cycled.step, cycled.state) == (1, "ann")
    assert cycled.why == "cycle: request 4 since the state was reset for state key value 'ann', round 2"
    assert (
        foresee("cycle", 3, [1, 1, 1], "", keyed=False).why
        == "cycle: request 3 since the state was reset, round 1"
    )


@pytest.mark.parametrize(
    "body",
    [
        b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--B--\r\n',
        b'preamble\r\n--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--B--\r\n',
        b'preamble\n--B\nContent-Disposition: form-data; name="a"\n\nv\n--B--\n'
        b'Content-Disposition: form-data; name="x"\n\nepilogue',
    ],
)
def test_a_form_after_a_preamble_is_read_to_its_close_delimiter(body: bytes) -> None:
    form = parse_form_data("multipart/form-data; boundary=B", body)
    assert form.fields == (("a", "v"),) and form.files == ()


def test_an_empty_form_after_a_preamble_ends_at_its_close_delimiter() -> None:
    body = b'preamble\n--B--\nContent-Disposition: form-data; name="x"\n\nepilogue'
    assert parse_form_data("multipart/form-data; boundary=B", body).fields == ()


def test_a_forward_rule_keeps_its_target_through_the_rules_file() -> None:
    rule = Rule(name="f", forward=parse_target({"url": "http://127.0.0.1:9/base", "timeout_ms": 500}))
    again = loads(dumps(RuleSet(rules=(rule,)))).rules[0]
    assert again.forward == rule.forward
    assert rule_to_json(rule)["forward"] == {
        "url": "http://127.0.0.1:9/base",
        "timeout_ms": 500,
        "keep_host": False,
        "verify_tls": True,
    }


def test_the_rules_file_is_written_beside_itself_not_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    path = tmp_path / "rules.json"
    save_rules(path, RuleSet(rules=(Rule(name="a"),)))
    assert load_rules(path).rules == (Rule(name="a"),)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rules.json"]


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("{{ request.headers }}", "Host: h\nX-A: 1\nX-A: 2\nCookie: c=v"),
        ("{{ request.query }}|{{ request.cookies }}", "q=1&q=2|c=v"),
        ("{{ 'yes' if request.query else 'no' }} {{ 'yes' if request.form else 'no' }}", "yes no"),
        ("{{ request.query|pprint }}", "MultiView([('q', '1'), ('q', '2')])"),
        ("{{ request.form|pprint }}", "MultiView([])"),
        ("{{ request.server }} {{ request.client }}", "127.0.0.1:8090 127.0.0.1:54321"),
    ],
)
def test_what_the_request_views_show_as_text(body: str, text: str) -> None:
    record = make_record(
        target="/v?q=1&q=2", headers=(("Host", "h"), ("X-A", "1"), ("X-A", "2"), ("Cookie", "c=v"))
    )
    assert render(Rule(name="v", body=body), record).body.decode() == text
