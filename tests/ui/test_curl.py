"""Copy as cURL / Copy URL (Qt-free)."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Callable

import pytest

from inspector.http.record import CaptureRecord
from inspector.ui.curl import curl_command, request_url

Factory = Callable[..., CaptureRecord]


def test_get(record_factory: Factory) -> None:
    record = record_factory()
    assert request_url(record) == "http://127.0.0.1:8090/index.html?name=jack&age=18"
    assert curl_command(record) == (
        "curl -H 'User-Agent: test' 'http://127.0.0.1:8090/index.html?name=jack&age=18'"
    )


def test_post_with_quotes_and_empty_header(record_factory: Factory) -> None:
    record = record_factory(
        method="POST",
        target="/api",
        headers=(("Host", "h:1"), ("X-Q", "it's $(rm -rf /)"), ("X-Empty", ""), ("Content-Length", "9")),
        body=b"{'a': 1}\n",
    )
    command = curl_command(record)
    assert shlex.split(command) == [
        "curl",
        "-X",
        "POST",
        "-H",
        "X-Q: it's $(rm -rf /)",
        "-H",
        "X-Empty;",
        "--data-binary",
        "{'a': 1}\n",
        "http://h:1/api",
    ]


def test_binary_and_at_bodies_are_piped(record_factory: Factory) -> None:
    record = record_factory(method="PUT", target="/b", body=b"\x00\x01%\\@")
    command = curl_command(record)
    assert command.startswith("printf ")
    assert "--data-binary @-" in command
    fmt = shlex.split(command.split(" | ")[0])[1]
    printed = subprocess.run(["printf", fmt], capture_output=True, check=True).stdout
    assert printed == b"\x00\x01%\\@"
    assert curl_command(record_factory(method="POST", body=b"@/etc/passwd")).startswith("printf ")


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("http://example.com/x", "http://example.com/x"),
        ("*", "http://127.0.0.1:8090/"),
    ],
)
def test_url_forms(record_factory: Factory, target: str, expected: str) -> None:
    assert request_url(record_factory(target=target, headers=(("Host", "127.0.0.1:8090"),))) == expected


def test_globbing_and_head(record_factory: Factory) -> None:
    record = record_factory(method="HEAD", target="/a[1]", path="/a[1]", headers=())
    assert curl_command(record) == "curl --globoff --head 'http://127.0.0.1:8090/a[1]'"
