"""Answer lists, per-client state, body files and the default rules through the real server and curl."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from inspector.responses import Responder
from inspector.testing import Inspector
from tests.responses.served import WAIT, request, status_and_body, write_rules

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def curl(port: int, target: str, out: Path, *headers: str) -> tuple[int, str]:
    """(status, Content-Type) of a GET by curl; the body lands in ``out``."""
    args = ["curl", "-sS", "--max-time", str(WAIT), "-o", str(out), "-w", "%{http_code} %{content_type}"]
    for header in headers:
        args += ["-H", header]
    done = subprocess.run(
        [*args, f"http://127.0.0.1:{port}{target}"], capture_output=True, text=True, check=False, timeout=WAIT
    )
    assert done.returncode == 0, done.stderr
    code, _, kind = done.stdout.partition(" ")
    return int(code), kind


@pytest.fixture
def flaky(tmp_path: Path) -> Path:
    """A rules file whose /pay answers 503, then 502, then a PNG file, per client."""
    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / "ok.png").write_bytes(PNG)
    rules = {
        "version": 2,
        "rules": [
            {
                "name": "flaky",
                "path": "/pay",
                "mode": "sequence",
                "state_key": "{{ request.headers['X-Client'] }}",
                "responses": [
                    {"status": 503, "body": "busy"},
                    {"status": 502, "body": "bad gateway"},
                    {"status": 200, "body_file": "payloads/ok.png"},
                ],
            }
        ],
    }
    return write_rules(tmp_path, rules)


def test_a_sequence_per_client_against_curl(serve: Any, flaky: Path, tmp_path: Path) -> None:
    port = serve(flaky)
    out = tmp_path / "body"

    def get(client: str) -> tuple[int, str, bytes]:
        code, kind = curl(port, "/pay", out, f"X-Client: {client}")
        return code, kind, out.read_bytes()

    assert get("ann") == (503, "", b"busy")
    assert get("ann") == (502, "", b"bad gateway")
    assert get("bob") == (503, "", b"busy")  # bob's counter is his own
    assert get("ann") == (200, "image/png", PNG)  # the file, byte for byte
    assert get("ann") == (200, "image/png", PNG)  # then the last answer again
    assert get("bob") == (502, "", b"bad gateway")


def test_cycle_and_random_over_real_connections(serve: Any, tmp_path: Path) -> None:
    rules = {
        "rules": [
            {"name": "c", "path": "/c", "mode": "cycle", "responses": [{"body": "one"}, {"body": "two"}]},
            {
                "name": "r",
                "path": "/r",
                "mode": "random",
                "responses": [{"body": "never", "weight": 0}, {"body": "always", "weight": 2}],
            },
        ]
    }
    port = serve(write_rules(tmp_path, rules))
    assert [status_and_body(request(port, "GET", "/c"))[1] for _ in range(5)] == [
        b"one", b"two", b"one", b"two", b"one",
    ]  # fmt: skip
    assert {status_and_body(request(port, "GET", "/r"))[1] for _ in range(10)} == {b"always"}


def test_the_default_rules_answer_a_favicon_with_404(serve: Any, tmp_path: Path) -> None:
    port = serve(Responder())  # no rules file: the default rules
    out = tmp_path / "body"
    code, kind = curl(port, "/favicon.ico", out)
    assert (code, kind) == (404, "text/plain; charset=utf-8")
    assert b"favicon" in out.read_bytes()
    assert curl(port, "/index.html?name=jack", out) == (200, "text/html; charset=utf-8")
    assert out.read_bytes() == b"hello world"


def test_each_answer_of_a_list_is_recorded_with_its_step(tmp_path: Path) -> None:
    rules = [
        {"name": "flaky", "path": "/pay", "responses": [{"status": 503}, {"status": 201}]},
        {"name": "one", "path": "/one"},
    ]
    with Inspector(rules=rules) as insp:
        port = int(insp.url.rsplit(":", 1)[1])
        for target in ("/pay", "/pay", "/pay", "/one"):
            request(port, "GET", target)
        records = insp.requests
    sent = [(r.path, r.response.status, r.response.step, r.response.steps) for r in records if r.response]
    line = records[0].to_json()["response"]
    assert sent == [("/pay", 503, 1, 2), ("/pay", 201, 2, 2), ("/pay", 201, 2, 2), ("/one", 200, None, None)]
    assert (line["step"], line["steps"], line["fault"]) == (1, 2, None)  # the JSONL fields
