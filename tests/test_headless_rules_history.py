"""Headless mode with ``--rules`` and with a history database, end to end.

``--rules FILE`` answers from the same JSON rules file the editor saves; a
file that cannot be used stops the start with one line and exit 2. ``--db``
keeps history across runs (ids continue) and ``--export`` writes it out.
"""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.formats import import_har

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ROOT / "resources" / "rules"


def start(*args: str) -> tuple[subprocess.Popen[bytes], int]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--headless", "--port", "0", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline().decode()
    assert first.startswith("listening on http://127.0.0.1:"), first
    rules = proc.stderr.readline().decode()
    assert rules.startswith("rules: "), rules
    return proc, int(first.rsplit(":", 1)[1])


def stop(proc: subprocess.Popen[bytes]) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    return err.decode()


def request(port: int, method: str, target: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, target, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def write_rules(path: Path, *rules: dict[str, object]) -> Path:
    path.write_text(json.dumps({"version": 1, "rules": list(rules)}), encoding="utf-8")
    return path


def test_rules_file_answers_and_a_broken_template_gets_500_while_others_keep_200(
    tmp_path: Path,
) -> None:
    rules = write_rules(
        tmp_path / "rules.json",
        {"name": "user", "methods": ["GET"], "path": "/users/{id}", "status": 201,
         "headers": [["X-User", "{{ request.params.id }}"]], "body": "user {{ request.params.id }}"},
        {"name": "broken", "path": "/boom", "body": "{{ request.json.missing.deeper() }}"},
    )
    proc, port = start("--no-db", "--rules", str(rules))
    try:
        assert request(port, "GET", "/users/42") == (201, b"user 42")
        status, body = request(port, "GET", "/boom")
        assert status == 500 and b"broken" in body
        assert request(port, "GET", "/users/7") == (201, b"user 7")
        assert request(port, "GET", "/elsewhere") == (200, b"hello world")  # no match: the default
    finally:
        err = stop(proc)
    assert "GET /boom -> 500 (broken:" in err


def test_echo_preset_reflects_the_request(tmp_path: Path) -> None:
    proc, port = start("--no-db", "--rules", str(PRESETS / "echo-json.json"))
    try:
        status, body = request(port, "POST", "/anything?a=1&a=2", body=b'{"k": [1, 2]}')
    finally:
        stop(proc)
    echoed = json.loads(body)
    assert status == 200
    assert echoed["method"] == "POST" and echoed["path"] == "/anything"
    assert echoed["json"] == {"k": [1, 2]}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "rules.json line 1"),
        (json.dumps({"rules": [{"name": "x", "body": "{% if %}"}]}), "rules.json: rule 'x'"),
    ],
)
def test_unusable_rules_file_exits_2_with_one_line(tmp_path: Path, content: str, expected: str) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(content, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--headless", "--no-db", "--port", "0", "--rules", rules],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=30,
    )
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]


def test_history_survives_a_restart_and_exports(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    proc, port = start("--db", str(db))
    try:
        assert request(port, "GET", "/first?x=1")[0] == 200
    finally:
        stop(proc)
    assert db.stat().st_mode & 0o777 == 0o600
    proc, port = start("--db", str(db))
    try:
        assert request(port, "POST", "/second", body=b"{}")[0] == 200
    finally:
        stop(proc)

    har = tmp_path / "out.har"
    jsonl = tmp_path / "out.jsonl"
    for out in (har, jsonl):
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--export", str(out), "--db", str(db)],
            cwd=ROOT,
            capture_output=True,
            check=False,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        assert b"exported 2 requests" in done.stderr
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [(r["id"], r["method"], r["target"]) for r in records] == [
        (1, "GET", "/first?x=1"),
        (2, "POST", "/second"),
    ]
    imported = import_har(har)
    assert [(r.id, r.method, r.target) for r in imported] == [
        (1, "GET", "/first?x=1"),
        (2, "POST", "/second"),
    ]


def test_history_limit_keeps_the_newest(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    proc, port = start("--db", str(db), "--history-limit", "2")
    try:
        for target in ("/1", "/2", "/3"):
            assert request(port, "GET", target)[0] == 200
    finally:
        stop(proc)
    out = tmp_path / "out.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--export", str(out), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert [json.loads(line)["target"] for line in out.read_text().splitlines()] == ["/2", "/3"]
