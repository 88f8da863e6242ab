"""to_curl: quoting, and byte-exact replay checked against a raw socket and the real server."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from inspector.formats import to_curl
from inspector.http.record import CaptureRecord
from inspector.server import CallbackSink, Server
from tests.formats.curl_wire import capture_one, needs_curl, parse_request, run_curl
from tests.records import make_record

HOSTILE = "it's \"q\" $HOME `id` $(id) \\ ; | & > * ? ~ ! \x01\x7f"


def test_command_text_quotes_everything() -> None:
    rec = make_record(method="POST", target="/p?a=1&b=$x",
                      headers=(("Host", "h:1"), ("X-Evil", HOSTILE)), body=b"x", raw_body=None)
    cmd = to_curl(rec)
    assert cmd.startswith("curl --http1.1 --path-as-is --globoff -X POST 'http://h:1/p?a=1&b=$x'")
    assert "-H Host: -H User-Agent: -H Accept: -H Content-Type: -H Expect: -H 'Host: h:1'" in cmd
    assert "$'X-Evil: it\\x27s \"q\" $HOME `id` $(id) \\x5c ; | & > * ? ~ ! \\x01\\x7f'" in cmd
    assert cmd.endswith("--data-binary x")


def test_body_is_piped_with_printf_when_binary() -> None:
    rec = make_record(body=b"\x00%\\'\xff", raw_body=None)
    cmd = to_curl(rec)
    assert cmd.startswith("printf '\\000%%\\\\'\"'\"'\\377' | curl ")
    assert cmd.endswith("--data-binary @-")


def test_head_uses_head_option_and_base_url() -> None:
    rec = make_record(method="HEAD", body=b"", headers=(("Host", "h"),), target="/x")
    cmd = to_curl(rec, base_url="http://127.0.0.1:9/")
    assert " --head " in cmd and "-X" not in cmd
    assert "http://127.0.0.1:9/x" in cmd


def test_odd_target_uses_request_target() -> None:
    rec = make_record(target="/a b/caf\xe9#x", body=b"")
    cmd = to_curl(rec, base_url="http://127.0.0.1:9")
    assert "--request-target $'/a b/caf\\xe9#x' http://127.0.0.1:9/" in cmd


# -- replay against a socket that records the raw bytes ---------------------------------


REPLAY_CASES = [
    make_record(method="POST", target="/a/./../%zz\\q?$x=`1`&y='[]{}%41+",
                headers=(("X-First", "1"), ("Host", "example.test"), ("content-length", "8"),
                         ("X-Dup", "a"), ("X-Dup", "b"), ("X-Empty", ""), ("X-Evil", HOSTILE),
                         ("user-agent", "mine")),
                body=b"\x00\xff%s\\'\n\r", raw_body=None),
    make_record(method="GET", target="/", headers=(("Host", "h"),), body=b""),
    make_record(method="PATCH", target="/caf\xe9 x?q=1#frag", http_version="1.1",
                headers=(("Host", "h"), ("Transfer-Encoding", "chunked"),
                         ("Content-Type", "text/plain")),
                body="line1\nline2 é".encode()),
    make_record(method="PUT", target="/big", headers=(("Host", "h"), ("Content-Length", "200000")),
                body=bytes(range(256)) * 781 + b"\x00" * 64, raw_body=None),
    make_record(method="DELETE", target="/x", headers=(("Host", "h"), ("Content-Length", "1"),
                                                       ("Expect", "100-continue")),
                body=b"@", raw_body=None),
]


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while True:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += rest[:size]
        body = rest[size + 2 :]


@needs_curl
@pytest.mark.parametrize("rec", REPLAY_CASES, ids=lambda r: r.method)
def test_replay_is_byte_exact_on_the_wire(rec: CaptureRecord) -> None:
    raw = capture_one(lambda port: run_curl(to_curl(rec, base_url=f"http://127.0.0.1:{port}")))
    method, target, headers, body = parse_request(raw)
    assert method == rec.method
    assert target == rec.target
    assert headers == list(rec.headers)
    if rec.header("Transfer-Encoding"):
        body = _dechunk(body)
    assert body == rec.body


@needs_curl
def test_replay_against_the_real_server(tmp_path: Path) -> None:
    records: list[CaptureRecord] = []
    got = threading.Event()

    def on_record(record: CaptureRecord) -> None:
        records.append(record)
        got.set()

    server = Server("127.0.0.1", 0, sink=CallbackSink(on_record))
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        rec = make_record(method="POST", target="/hello/%41?name=jack&age=18&age=",
                          headers=(("X-First", "1"), ("Host", "example.test"),
                                   ("Content-Type", "application/octet-stream"),
                                   ("Content-Length", "6"), ("X-Dup", "a"), ("X-Dup", "b"),
                                   ("X-Odd", "it's $HOME `id`")),
                          body=b"\x00\xff\x01ab\x80", raw_body=None)
        run_curl(to_curl(rec, base_url=f"http://127.0.0.1:{server.port}"))
        assert got.wait(10)
    finally:
        server.stop()
        thread.join(10)
        server.close()
    (captured,) = records
    assert captured.error is None, captured.error
    assert captured.method == rec.method
    assert captured.target == rec.target
    assert captured.headers == rec.headers
    assert captured.body == rec.body
