"""Save as rule: a forwarded request's upstream answer becomes a static rule that answers
the same request the same way once the upstream is gone."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from conftest import UpstreamFactory
from fakeupstream import Reply, capture, response

from inspector.http.record import CaptureRecord, UpstreamExchange
from inspector.responses import Responder, RuleSet, dumps, loads
from inspector.responses.recorded import NotRecordable, recorded_rule
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
