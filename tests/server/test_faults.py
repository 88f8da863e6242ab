"""Faults performed on real sockets: what the client sees, that others are served meanwhile,
and what the record says (inspector/server/faults.py).

Every wait is bounded (the harness's ``WAIT``). The trickle is measured by what arrived
when: never more pieces than the timers can have released since the request was sent,
and never sooner than the pieces' spacing allows. Both bounds hold however loaded the
machine is (load only makes a trickle slower).
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import threading
import time

import pytest

from inspector.formats import import_har, to_har
from inspector.http.deferred import Deferred
from inspector.http.faults import trickle_pace
from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.server.faults import hang_over
from inspector.server.loop import HUNG_UP, STOPPED
from tests.harness import WAIT, Running, ServerFactory, get, parse_responses

BODY = b"0123456789" * 4


def responder(record: CaptureRecord) -> Response:
    """``/<fault>`` answers 200 with :data:`BODY` and that fault; ``/trickle/<rate>`` sets
    the rate; any other path answers 200 with the path."""
    name, _, rate = record.path.strip("/").partition("/")
    if name in ("close", "reset", "hang", "trickle", "truncate", "malformed", "explode"):
        rate_or_0 = int(rate or 0)
        return Response(status=200, body=BODY, rule="f", fault=name, bytes_per_s=rate_or_0, step=1, steps=2)
    return Response(status=200, body=record.path.encode(), rule="ok")


@pytest.fixture
def served(start_server: ServerFactory) -> Running:
    return start_server(responder=responder)


def served_meanwhile(running: Running) -> None:
    """Another client gets its answer (the loop is not held up)."""
    other = running.connect()
    other.send(get("/other"))
    assert other.response().body == b"/other"
    other.close()


def fault_record(running: Running, path: str) -> CaptureRecord:
    record = running.sink.wait_for(lambda r: r.path == path)
    assert record.response is not None, record
    return record


def test_close_ends_the_connection_with_no_bytes(served: Running) -> None:
    client = served.connect()
    client.send(get("/close"))
    assert client.wait_closed() == b""  # EOF, no bytes, no reset
    served_meanwhile(served)
    record = fault_record(served, "/close")
    sent = record.response
    assert sent is not None
    assert (sent.fault, sent.status, sent.bytes, sent.body) == ("close", 0, 0, b"")
    assert (sent.rule, sent.step, sent.steps) == ("f", 1, 2)
    assert record.error is None


def test_reset_is_a_tcp_reset_the_client_sees_as_econnreset(served: Running) -> None:
    with socket.create_connection(served.address, timeout=WAIT) as sock:
        sock.sendall(get("/reset"))
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
    served_meanwhile(served)
    sent = fault_record(served, "/reset").response
    assert sent is not None and (sent.fault, sent.status, sent.bytes) == ("reset", 0, 0)


def test_reset_seen_by_http_client(served: Running) -> None:
    conn = http.client.HTTPConnection(*served.address, timeout=WAIT)
    conn.request("GET", "/reset")
    with pytest.raises(ConnectionResetError):
        conn.getresponse()
    conn.close()


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
@pytest.mark.parametrize(
    ("path", "code", "says"),
    [
        ("/reset", 56, "reset by peer"),  # CURLE_RECV_ERROR
        ("/close", 52, "Empty reply"),  # CURLE_GOT_NOTHING
        ("/truncate", 18, "bytes remaining"),  # CURLE_PARTIAL_FILE
        ("/malformed", 1, ""),  # curl refuses a reply that is not HTTP (its code varies by version)
    ],
)
def test_curl_sees_each_fault(served: Running, path: str, code: int, says: str) -> None:
    url = f"http://127.0.0.1:{served.port}{path}"
    done = subprocess.run(
        ["curl", "-sS", "--max-time", str(WAIT), "-o", "/dev/null", url],
        capture_output=True, text=True, check=False, timeout=WAIT + 5,
    )  # fmt: skip
    if code == 1:
        assert done.returncode != 0, done.stderr
    else:
        assert done.returncode == code, done.stderr
    assert says in done.stderr
    assert fault_record(served, path).response is not None


def test_truncate_promises_more_than_it_sends(served: Running) -> None:
    client = served.connect()
    client.send(get("/truncate"))
    rest = client.wait_closed()
    head, _, body = rest.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"Content-Length: 40" in head
    assert body == BODY[:20]  # half, then EOF
    record = fault_record(served, "/truncate")
    sent = record.response
    assert sent is not None
    assert (sent.fault, sent.status, sent.body, sent.bytes) == ("truncate", 200, BODY[:20], len(rest))
    conn = http.client.HTTPConnection(*served.address, timeout=WAIT)
    conn.request("GET", "/truncate")
    answer = conn.getresponse()
    assert answer.status == 200
    with pytest.raises(http.client.IncompleteRead) as caught:
        answer.read()
    assert caught.value.partial == BODY[:20]
    conn.close()


def test_malformed_sends_raw_bytes_instead_of_a_response(served: Running) -> None:
    client = served.connect()
    client.send(get("/malformed"))
    assert client.wait_closed() == BODY  # the body's bytes, no status line, then EOF
    sent = fault_record(served, "/malformed").response
    assert sent is not None and (sent.fault, sent.status, sent.body, sent.bytes) == ("malformed", 0, BODY, 40)
    conn = http.client.HTTPConnection(*served.address, timeout=WAIT)
    conn.request("GET", "/malformed")
    with pytest.raises(http.client.BadStatusLine):
        conn.getresponse()
    conn.close()


def test_answers_before_a_fault_go_out_and_requests_after_it_are_recorded_unanswered(served: Running) -> None:
    client = served.connect()
    client.send(get("/first") + get("/close") + get("/after"))
    (first,) = client.responses(1)
    assert first.body == b"/first"
    assert client.wait_closed() == b""
    records = served.sink.wait(3)
    by_path = {r.path: r for r in records}
    assert by_path["/first"].response is not None and by_path["/first"].response.fault is None
    assert by_path["/close"].response is not None and by_path["/close"].response.fault == "close"
    after = by_path["/after"]
    assert after.response is None and after.error is not None
    assert "had the fault 'close'" in after.error and str(by_path["/close"].id) in after.error


def test_reset_waits_for_the_answers_before_it(served: Running) -> None:
    with socket.create_connection(served.address, timeout=WAIT) as sock:
        sock.sendall(get("/first") + get("/reset"))
        received = b""
        with pytest.raises(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
    (first,), _ = parse_responses(received)
    assert first.body == b"/first"


def test_hang_holds_the_connection_while_others_are_served(served: Running) -> None:
    client = served.connect()
    client.send(get("/hang"))
    served_meanwhile(served)
    assert client.is_open(0.2) and client.buffer == b""  # nothing sent, still open
    announced = [r.path for r in served.sink.announced]
    assert "/hang" in announced  # a waiting row meanwhile
    assert all(r.path != "/hang" for r in served.sink.drain())  # not finished yet
    client.close()  # the client gives up
    record = fault_record(served, "/hang")
    sent = record.response
    assert sent is not None and (sent.fault, sent.status, sent.bytes) == ("hang", 0, 0)
    assert record.error == HUNG_UP
    served.wait_connections(0)


def test_hang_ends_at_the_idle_limit(start_server: ServerFactory) -> None:
    running = start_server(Limits(idle_timeout=0.3), responder=responder)
    client = running.connect()
    client.send(get("/hang"))
    assert client.wait_closed() == b""  # closed by the server, nothing sent
    record = fault_record(running, "/hang")
    assert record.error == hang_over(0.3)
    assert record.response is not None and record.response.duration_ms >= 300.0


def test_a_hang_when_the_listener_stops(served: Running) -> None:
    client = served.connect()
    client.send(get("/hang"))
    served_meanwhile(served)
    served.stop()
    record = fault_record(served, "/hang")
    assert record.error == STOPPED and record.response is not None and record.response.fault == "hang"


def test_trickle_arrives_at_its_rate(served: Running) -> None:
    rate = 200
    piece, interval = trickle_pace(rate)
    with socket.create_connection(served.address, timeout=WAIT) as sock:
        sent_at = time.monotonic()
        sock.sendall(get(f"/trickle/{rate}"))
        arrivals: list[tuple[float, int]] = []
        received = b""
        while not parse_responses(received)[0]:
            chunk = sock.recv(65536)
            assert chunk, f"closed early after {received!r}"
            received += chunk
            arrivals.append((time.monotonic(), len(received)))
        assert parse_responses(received)[0][0].body == BODY
        pieces = -(-len(received) // piece)
        assert pieces >= 3  # the test is about several timer rounds
        for at, total in arrivals:
            # the pieces the timers can have released by then
            released = 1 + int((at - sent_at) / interval + 1e-6)
            assert total <= released * piece, (arrivals, piece, interval)
        # and no sooner than the spacing allows
        assert arrivals[-1][0] - sent_at >= (pieces - 1) * interval - 1e-3
        record = fault_record(served, f"/trickle/{rate}")
        assert record.response is not None and record.error is None
        sent = record.response
        assert (sent.fault, sent.bytes, sent.body) == ("trickle", len(received), BODY)
        sock.sendall(get("/again"))  # the connection goes on after a trickle
        rest = b""
        while not parse_responses(rest)[0]:
            rest += sock.recv(65536)
        assert parse_responses(rest)[0][0].body == b"/again"


def test_a_slow_trickle_holds_up_no_one_and_is_recorded_when_the_listener_stops(served: Running) -> None:
    client = served.connect()
    client.send(get("/trickle/1"))  # one byte a second: over a minute for this answer
    client.read_until(b"H")  # the first piece
    served_meanwhile(served)
    served_meanwhile(served)
    served.stop()
    record = fault_record(served, "/trickle/1")
    assert record.error == STOPPED
    sent = record.response
    assert sent is not None and sent.fault == "trickle" and 1 <= sent.bytes < 60


def test_a_client_leaving_during_a_trickle_is_recorded(served: Running) -> None:
    client = served.connect()
    client.send(get("/trickle/1"))
    client.read_until(b"H")
    client.close()
    record = fault_record(served, "/trickle/1")
    assert record.error == HUNG_UP and record.response is not None and record.response.fault == "trickle"
    served.wait_connections(0)


def test_a_deferred_answer_resolved_with_a_fault_performs_it(start_server: ServerFactory) -> None:
    handles: dict[str, Deferred] = {}
    arrived = threading.Event()

    def deferring(record: CaptureRecord) -> Response | Deferred:
        handles[record.path] = deferred = Deferred()
        arrived.set()
        return deferred

    running = start_server(responder=deferring)
    with socket.create_connection(running.address, timeout=WAIT) as sock:
        sock.sendall(get("/paused"))
        assert arrived.wait(WAIT)
        answer = Response(status=200, fault="reset")
        resolver = threading.Thread(target=lambda: handles["/paused"].resolve(answer))
        resolver.start()
        resolver.join(WAIT)
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
    sent = fault_record(running, "/paused").response
    assert sent is not None and (sent.fault, sent.status) == ("reset", 0)


def test_a_fault_after_a_delay(start_server: ServerFactory) -> None:
    late = Response(status=200, body=b"late", delay_ms=50, fault="malformed")
    running = start_server(responder=lambda r: late)
    client = running.connect()
    client.send(get("/x"))
    assert client.wait_closed() == b"late"
    sent = fault_record(running, "/x").response
    assert sent is not None and sent.fault == "malformed" and sent.duration_ms >= 50.0


def test_an_unknown_fault_answers_500_saying_so(served: Running) -> None:
    client = served.connect()
    client.send(get("/explode"))
    answer = client.response()
    assert answer.status == 500 and b"unknown fault 'explode'" in answer.body
    record = fault_record(served, "/explode")
    assert record.response is not None and record.response.error is not None
    assert record.response.fault is None and record.response.step == 1


EVERY = ["/close", "/reset", "/hang", "/trickle/1", "/trickle/1000", "/truncate", "/malformed"]


@pytest.mark.parametrize("path", EVERY)
def test_nothing_is_held_once_the_connection_is_gone(served: Running, path: str) -> None:
    client = served.connect()
    client.send(get(path))
    if path == "/trickle/1000":
        client.response()
    elif path not in ("/hang", "/trickle/1"):
        client.wait_closed()
    client.close()
    fault_record(served, path)
    served.wait_connections(0)
    for _ in range(int(WAIT / 0.01)):  # the loop thread gives the bytes back just after the close
        if served.server.bytes_in_flight == 0:
            return
        served.thread.join(0.01)
    raise AssertionError(f"{served.server.bytes_in_flight} bytes still held")


def test_fault_records_survive_jsonl_and_har(served: Running) -> None:
    for path in ("/close", "/malformed", "/truncate"):
        client = served.connect()
        client.send(get(path))
        client.wait_closed()
    records = served.sink.wait(3)
    again_json = [CaptureRecord.from_json(json.loads(json.dumps(r.to_json()))) for r in records]
    again_har = import_har(json.loads(json.dumps(to_har(records))))

    def facts(record: CaptureRecord) -> tuple[object, ...]:
        sent = record.response
        assert sent is not None
        return (record.path, sent.fault, sent.status, sent.body, sent.bytes, sent.step, sent.steps)

    expected = [facts(r) for r in records]
    assert [f[1] for f in expected] == ["close", "malformed", "truncate"]
    assert [facts(r) for r in again_json] == expected
    assert [facts(r) for r in again_har] == expected
