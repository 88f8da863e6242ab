"""Save as rule: a forwarded request's upstream answer becomes a static rule that answers
the same request the same way once the upstream is gone."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from conftest import UpstreamFactory
from fakeupstream import Reply, capture, response

from inspector.http.record import CaptureRecord, UpstreamExchange
from inspector.responses import Responder, RuleSet, dumps, load_rules, loads, save_rules
from inspector.responses.recorded import NotRecordable, recorded_rule, save_body
from tests.harness import ServerFactory

REQUEST = b"GET /api/items?page=2&tag=a HTTP/1.1\r\nHost: h\r\n\r\n"


def test_record_then_go_offline_and_get_the_same_answer(
    start_upstream: UpstreamFactory, start_server: ServerFactory
) -> None:
    answer = response(
        203, b'{"items": [1, 2], "t": "{{ x }}"}', ("Content-Type", "application/json"), ("X-Up", "v")
    )
    upstream = start_upstream(lambda received: Reply([answer]))
    forwarding = Responder(loads(f'{{"rules": [{{"name": "fwd", "forward": "{upstream.url()}"}}]}}'))
    served = start_server(responder=forwarding)
    client = served.connect()
    client.send(REQUEST)
    online = client.response()
    record = served.sink.wait(1)[0]
    forwarding.close()
    upstream.close()

    rule = recorded_rule(record, "/api/items")
    offline = Responder(loads(dumps(RuleSet(rules=(rule,)))))  # through the rules file, too
    again = start_server(responder=offline)
    replay = again.connect()
    replay.send(REQUEST)
    got = replay.response()
    assert (
        (got.status, got.body) == (online.status, online.body) == (203, b'{"items": [1, 2], "t": "{{ x }}"}')
    )
    assert [(n, v) for n, v in got.headers if n.startswith(("Content-Type", "X-Up"))] == [
        ("Content-Type", "application/json"),
        ("X-Up", "v"),
    ]
    other = again.connect()
    other.send(b"GET /api/items?page=3&tag=a HTTP/1.1\r\nHost: h\r\n\r\n")
    assert other.response().body == b"hello world"  # another query is another request


def _forwarded(**upstream: Any) -> CaptureRecord:
    return dataclasses.replace(capture(REQUEST), upstream=UpstreamExchange(url="http://u/", **upstream))


@pytest.mark.parametrize(
    ("record", "says"),
    [
        (capture(REQUEST), "was not forwarded"),
        (_forwarded(error="upstream http://u/: connection refused"), "no answer to save: upstream http://u/"),
        (_forwarded(status=200, body=b"\x89PNG\xff"), "not UTF-8 text"),
        (_forwarded(status=200, body=b"{% endraw %}{{ x }}"), "cannot be kept literally"),
    ],
)
def test_what_cannot_be_saved_says_why_in_one_line(record: CaptureRecord, says: str) -> None:
    with pytest.raises(NotRecordable, match=says) as caught:
        recorded_rule(record, "/api/items")
    assert "\n" not in str(caught.value)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) + b"\xff\xfe\x00"


def test_a_binary_answer_is_saved_as_a_body_file_and_replayed_byte_for_byte(
    start_upstream: UpstreamFactory, start_server: ServerFactory, tmp_path: Path
) -> None:
    upstream = start_upstream(lambda received: Reply([response(200, PNG, ("Content-Type", "image/png"))]))
    forwarding = Responder(loads(f'{{"rules": [{{"name": "fwd", "forward": "{upstream.url()}"}}]}}'))
    served = start_server(responder=forwarding)
    client = served.connect()
    client.send(b"GET /img/logo.png HTTP/1.1\r\nHost: h\r\n\r\n")
    assert client.response().body == PNG
    record = served.sink.wait(1)[0]
    forwarding.close()
    upstream.close()

    with pytest.raises(NotRecordable, match="needs a body file"):
        recorded_rule(record, "/img/logo.png")
    name = save_body(record, tmp_path)
    assert name.startswith("recorded/img_logo.png-") and name.endswith(".png")
    assert (tmp_path / name).read_bytes() == PNG
    assert save_body(record, tmp_path) == name  # the same body is the same file
    assert sorted(p.name for p in (tmp_path / "recorded").iterdir()) == [Path(name).name]

    rule = recorded_rule(record, "/img/logo.png", body_file=name)
    assert rule.answers[0].body == "" and rule.answers[0].body_file == name
    rules_file = tmp_path / "rules.json"
    save_rules(rules_file, RuleSet(rules=(rule,)))
    offline = Responder(load_rules(rules_file))  # relative to the rules file's folder
    replay = start_server(responder=offline).connect()
    replay.send(b"GET /img/logo.png HTTP/1.1\r\nHost: h\r\n\r\n")
    got = replay.response()
    assert (got.status, got.body, got.header("Content-Type")) == (200, PNG, "image/png")


def test_a_body_file_that_cannot_be_written_says_why_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "recorded"
    blocker.write_text("a file where the folder should be")
    record = _forwarded(status=200, body=PNG, headers=(("Content-Type", "image/png"),))
    with pytest.raises(NotRecordable, match=r"^could not write the body file recorded/api_items-\w+\.png: "):
        save_body(record, tmp_path)
