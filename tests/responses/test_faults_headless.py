"""Faults end to end: ``main.py --headless --rules FILE --jsonl FILE`` against curl.

The rules file of the issue's "done when": ``/pay`` answers 503, then a TCP reset, then
a binary file, per client; each step is recorded with ``step``, ``steps`` and ``fault``.
"""

from __future__ import annotations

import base64
import json
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.test_headless import WAIT, Headless

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
CURL_RESET = 56  # CURLE_RECV_ERROR: "Connection reset by peer"
CURL_PARTIAL = 18  # CURLE_PARTIAL_FILE: fewer bytes than Content-Length said


def curl(port: int, target: str, out: Path, client: str) -> tuple[int, str, str]:
    """(exit code, status code, stderr) of one GET by curl; the body lands in ``out``."""
    done = subprocess.run(
        ["curl", "-sS", "--max-time", str(WAIT), "-o", str(out), "-w", "%{http_code}",
         "-H", f"X-Client: {client}", f"http://127.0.0.1:{port}{target}"],
        capture_output=True, text=True, check=False, timeout=WAIT + 5,
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr


def test_a_503_then_a_reset_then_a_file_per_client(tmp_path: Path) -> None:
    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / "ok.png").write_bytes(PNG)
    flaky = {
        "name": "flaky",
        "path": "/pay",
        "mode": "sequence",
        "state_key": "{{ request.headers['X-Client'] }}",
        "responses": [
            {"status": 503, "body": "busy"},
            {"fault": "reset"},
            {"status": 200, "body_file": "payloads/ok.png"},
        ],
    }
    cut = {"name": "cut", "path": "/cut", "body": "0123456789", "fault": "truncate"}
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"version": 2, "rules": [flaky, cut]}), encoding="utf-8")
    jsonl = tmp_path / "captures.jsonl"
    app = Headless("--port", "0", "--rules", str(rules), "--jsonl", str(jsonl))
    try:
        port = app.listening_port()
        out = tmp_path / "body"
        assert curl(port, "/pay", out, "ann")[:2] == (0, "503") and out.read_bytes() == b"busy"
        code, _, said = curl(port, "/pay", out, "ann")
        assert code == CURL_RESET and "reset by peer" in said
        assert curl(port, "/pay", out, "bob")[:2] == (0, "503")  # bob's counter is his own
        assert curl(port, "/pay", out, "ann")[:2] == (0, "200") and out.read_bytes() == PNG
        code, status, said = curl(port, "/cut", out, "ann")
        assert (code, status) == (CURL_PARTIAL, "200") and out.read_bytes() == b"01234"
        assert app.finish(signal.SIGTERM) == 0
    finally:
        app.kill()  # closes its pipes too
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    seen = [
        (r["path"], dict(r["headers"])["X-Client"], r["response"]["status"], r["response"]["step"],
         r["response"]["steps"], r["response"]["fault"], r["response"]["bytes"] > 0)
        for r in records
    ]  # fmt: skip
    assert seen == [
        ("/pay", "ann", 503, 1, 3, None, True),
        ("/pay", "ann", 0, 2, 3, "reset", False),
        ("/pay", "bob", 503, 1, 3, None, True),
        ("/pay", "ann", 200, 3, 3, None, True),
        ("/cut", "ann", 200, None, None, "truncate", True),
    ]
    assert all(r["error"] is None for r in records)
    assert base64.b64decode(records[-1]["response"]["body_b64"]) == b"01234"  # what was actually sent
