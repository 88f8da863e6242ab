"""The short cURL command: what it keeps, what it leaves to curl, and a real curl
run against a local server showing it sends what the command shows."""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable

import pytest

from inspector.formats import to_curl
from inspector.http.record import CaptureRecord
from inspector.simple_curl import to_simple_curl

Factory = Callable[..., CaptureRecord]


def test_a_json_post(record_factory: Factory) -> None:
    record = record_factory(
        method="POST",
        target="/api/orders?dry_run=1",
        headers=(
            ("Host", "127.0.0.1:8090"),
            ("Content-Type", "application/json"),
            ("Content-Length", "11"),
            ("Connection", "keep-alive"),
            ("Accept-Encoding", "gzip"),
            ("X-Empty", ""),
            ("Authorization", "Bearer it's"),
        ),
        body=b'{"a": "b c"}',
    )
    assert to_simple_curl(record) == (
        "curl 'http://127.0.0.1:8090/api/orders?dry_run=1' -H 'Content-Type: application/json' "
        "-H 'X-Empty;' -H 'Authorization: Bearer it'\"'\"'s' --data-raw '{\"a\": \"b c\"}'"
    )


@pytest.mark.parametrize(
    ("method", "body", "flags"),
    [("GET", b"", []), ("POST", b"x", []), ("HEAD", b"", ["--head"]), ("DELETE", b"", ["-X", "DELETE"]),
     ("GET", b"x", ["-X", "GET"]), ("POST", b"", ["-X", "POST"]), ("PUT", b"x", ["-X", "PUT"])],
)  # fmt: skip
def test_the_method_flag_only_when_curl_would_not_guess(
    record_factory: Factory, method: str, body: bytes, flags: list[str]
) -> None:
    words = shlex.split(to_simple_curl(record_factory(method=method, body=body)))
    assert words[1 : 1 + len(flags)] == flags
    assert ("-X" in words) == bool(flags and flags[0] == "-X")


@pytest.mark.parametrize(
    "overrides",
    [
        {"body": b"\x00\x01binary"},
        {"body": b"\xff\xfe"},
        {"body": b"bell\x07"},
        {"body": b"x" * (64 * 1024 + 1)},
        {"target": "/a b"},
        {"target": "/a#frag"},
        {"target": "/\u00e9"},
        {"headers": (("Host", "h"), ("X-Ctl", "a\x1bb"))},
        {"headers": (("Host", "h"), ("X-Bytes", "\udcff"))},
        {"method": "", "target": ""},
        {"method": "", "target": "/x"},
        {"method": "CONNECT", "target": "example.com:443", "body": b""},
    ],
)
def test_what_the_short_form_cannot_carry_gets_the_exact_command(
    record_factory: Factory, overrides: dict[str, object]
) -> None:
    record = record_factory(**overrides)
    assert to_simple_curl(record) == to_curl(record)


def test_a_body_up_to_64_kib_is_inline(record_factory: Factory) -> None:
    record = record_factory(method="POST", headers=(("Host", "h"),), body=b"x" * (64 * 1024))
    assert shlex.split(to_simple_curl(record))[-2:] == ["--data-raw", "x" * (64 * 1024)]


def test_pseudo_fields_of_an_imported_http2_capture_are_left_out(record_factory: Factory) -> None:
    record = record_factory(
        method="GET",
        target="/a",
        headers=((":authority", "example.test"), (":path", "/a"), ("Host", "h"), ("X-Kept", "1")),
        body=b"",
    )
    assert to_simple_curl(record) == "curl http://h/a -H 'X-Kept: 1'"


def test_an_https_request_names_the_ca_file_in_either_form(record_factory: Factory) -> None:
    short = record_factory(scheme="https", method="GET", target="/a", headers=(("Host", "h"),), body=b"")
    assert to_simple_curl(short, cacert="/ca dir/ca.pem") == "curl --cacert '/ca dir/ca.pem' https://h/a"
    assert to_simple_curl(short) == "curl https://h/a"
    exact = record_factory(scheme="https", headers=(("Host", "h"),), body=b"\x00binary")
    assert to_simple_curl(exact, cacert="/ca.pem") == to_curl(exact, cacert="/ca.pem")
    assert "--cacert /ca.pem" in to_simple_curl(exact, cacert="/ca.pem")


def test_multiline_text_body_is_kept(record_factory: Factory) -> None:
    record = record_factory(method="POST", body=b"line 1\r\nline 2\n\ttab")
    words = shlex.split(to_simple_curl(record))
    assert words[-2:] == ["--data-raw", "line 1\r\nline 2\n\ttab"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_curl_sends_what_the_command_shows(record_factory: Factory) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    received: list[bytes] = []

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data or not data.endswith(b"@not a file"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            received.append(data)
            conn.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    record = record_factory(
        method="PUT",
        target="/items/7?x=1&y=%20",
        headers=(("Host", f"127.0.0.1:{port}"), ("X-Case", "Kept"), ("Content-Type", "text/plain")),
        body=b"@not a file",
    )
    done = subprocess.run(
        [*shlex.split(to_simple_curl(record)), "-s", "-m", "10"], check=False, capture_output=True, timeout=20
    )
    thread.join(10)
    server.close()
    assert done.returncode == 0, done.stderr
    head, _, body = received[0].partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"PUT /items/7?x=1&y=%20 HTTP/1.1"
    assert b"X-Case: Kept" in lines and b"Content-Type: text/plain" in lines
    assert body == b"@not a file"
