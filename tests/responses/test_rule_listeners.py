"""Rules limited to listeners: the matcher, the rules file, and two listeners on real sockets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from inspector.responses import Responder
from inspector.responses.engine import RuleSet
from inspector.responses.matching import Matcher
from inspector.responses.model import Rule, listener_key
from inspector.responses.rulesfile import RulesFileError, dumps, loads
from tests.harness import Running, start
from tests.network import http_get, needs_ipv6
from tests.responses.conftest import make_record
from tests.responses.served import request, status_and_body


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("127.0.0.1:8090", "127.0.0.1:8090"),
        (" [::1]:8091 ", "[::1]:8091"),
        ("[FE80::1%eth0]:80", "[fe80::1%eth0]:80"),
        ("LOCALHOST:8090", "localhost:8090"),
        ("8091", "8091"),
        ("08091", "8091"),
        ("::1:8091", None),  # IPv6 goes in brackets
        ("[127.0.0.1]:80", None),
        ("127.0.0.1", None),
        ("127.0.0.1:0", None),  # port 0 is never a listener's real port
        ("127.0.0.1:65536", None),
        (":8090", None),
        ("", None),
        ("a b:80", None),
    ],
)
def test_listener_keys(text: str, key: str | None) -> None:
    assert listener_key(text) == key


@pytest.mark.parametrize(
    ("listeners", "server", "answers"),
    [
        ((), "127.0.0.1:8090", True),
        (("127.0.0.1:8090",), "127.0.0.1:8090", True),
        (("127.0.0.1:8090",), "127.0.0.1:8091", False),
        (("127.0.0.1:8090", "[::1]:8091"), "[::1]:8091", True),
        (("[::1]:8091",), "127.0.0.1:8091", False),
        (("8091",), "0.0.0.0:8091", True),
        (("8091",), "0.0.0.0:18091", False),
        (("127.0.0.1:8090",), "", False),  # a record without a listener (replayed from a file)
    ],
)
def test_the_matcher_checks_the_listener(listeners: tuple[str, ...], server: str, answers: bool) -> None:
    matcher = Matcher(Rule(name="r", listeners=listeners))
    record = make_record(server=server)
    assert (matcher.match(record) is not None) is answers
    explained = matcher.explain(record)
    assert explained.matched is answers
    if not answers:
        assert explained.failed == "listener"
        assert explained.message == f"listener {server or 'no listener'} is not one of {', '.join(listeners)}"


def test_the_rules_file_keeps_listeners_as_written() -> None:
    text = '{"rules": [{"name": "a", "listeners": ["127.0.0.1:8090", "[::1]:8091", "8092"]}, {"name": "b"}]}'
    ruleset = loads(text)
    assert ruleset.rules[0].listeners == ("127.0.0.1:8090", "[::1]:8091", "8092")
    assert ruleset.rules[1].listeners == ()
    again = loads(dumps(ruleset))
    assert again.rules == ruleset.rules
    assert '"listeners"' not in dumps(RuleSet(rules=(ruleset.rules[1],)))  # only when limited


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ('"127.0.0.1:8090"', "rules[0].listeners: expected a list"),
        ('["127.0.0.1:8090", 8091]', "rules[0].listeners[1]: '8091' is not a listener"),
        ('["::1:8091"]', "rules[0].listeners[0]: '::1:8091' is not a listener"),
    ],
)
def test_a_bad_listener_is_one_line_naming_its_place(value: str, where: str) -> None:
    with pytest.raises(RulesFileError) as caught:
        loads(f'{{"rules": [{{"name": "a", "listeners": {value}}}]}}', source="r.json")
    assert str(caught.value).startswith(f"r.json: {where}")
    problem = caught.value.problem
    assert problem is not None and problem.field == "listeners" and problem.rule == 0


@pytest.fixture
def two_listeners() -> Iterator[tuple[Running, int, int]]:
    """One server (one loop) listening on two ports of 127.0.0.1, rules answering
    ``A`` on the first only and ``everyone`` on both."""
    responder = Responder()
    running = start(responder=responder)
    second = running.server.listen("127.0.0.1", 0)
    first_port = running.port
    responder.set_rules(
        RuleSet(
            rules=(
                Rule(name="only-a", path="/svc", body="A", listeners=(f"127.0.0.1:{first_port}",)),
                Rule(name="only-b-port", path="/svc", body="B", listeners=(str(second.port),)),
                Rule(name="everyone", body="everyone"),
            )
        )
    )
    yield running, first_port, second.port
    running.stop()


def test_a_rule_limited_to_a_listener_answers_there_only(two_listeners: tuple[Running, int, int]) -> None:
    running, first, second = two_listeners
    assert status_and_body(request(first, "GET", "/svc")) == (200, b"A")
    assert status_and_body(request(second, "GET", "/svc")) == (200, b"B")
    assert status_and_body(request(first, "GET", "/other")) == (200, b"everyone")
    assert status_and_body(request(second, "GET", "/other")) == (200, b"everyone")
    records = sorted(running.sink.wait(4), key=lambda record: record.id)
    answered = [(record.server, record.path, record.response and record.response.rule) for record in records]
    assert answered == [
        (f"127.0.0.1:{first}", "/svc", "only-a"),
        (f"127.0.0.1:{second}", "/svc", "only-b-port"),
        (f"127.0.0.1:{first}", "/other", "everyone"),
        (f"127.0.0.1:{second}", "/other", "everyone"),
    ]


@needs_ipv6
def test_a_rule_for_the_ipv6_listener_leaves_the_ipv4_one_alone() -> None:
    responder = Responder()
    running = start(responder=responder)
    try:
        six = running.server.listen("::1", 0)
        responder.set_rules(RuleSet(rules=(Rule(name="v6", body="six", listeners=(six.name,)),)))
        assert http_get(running.port, "/") == (200, b"hello world")  # no rule: the default answer
        assert http_get(six.port, "/", host="::1") == (200, b"six")
    finally:
        running.stop()
