"""Headless mode for scripts: ``--until N`` (exit 0) and ``--timeout S`` (exit 1 with a summary).

Each test runs ``main.py --headless`` in a subprocess on port 0, as a CI script
would, sends real requests (http.client, raw sockets, curl) and reads the
exit status, the stderr lines and the JSONL file.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)\n")
CURL = shutil.which("curl")
WAIT = 30.0


@dataclass
class Run:
    proc: subprocess.Popen[str]
    port: int
    status: int | None = None
    lines: list[str] = field(default_factory=list)

    def finish(self) -> int:
        """Wait for the process to exit by itself; its status (stderr lines in ``lines``)."""
        _, err = self.proc.communicate(timeout=WAIT)
        self.lines += err.splitlines()
        self.status = self.proc.returncode
        return self.status


@contextmanager
def headless(*args: str) -> Iterator[Run]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--headless", "--no-db", "--port", "0", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        found = LISTENING.fullmatch(first)
        assert found, f"first line {first!r}"
        rules = proc.stderr.readline()
        assert rules.startswith("rules: "), f"second line {rules!r}"
        yield Run(proc, int(found[1]), lines=[first.rstrip("\n"), rules.rstrip("\n")])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(WAIT)


def get(port: int, target: str, method: str = "GET", body: bytes | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request(method, target, body=body)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


def jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_until_exits_0_once_n_requests_are_recorded_every_one_in_the_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "hits.jsonl"
    with headless("--until", "2", "--timeout", "60", "--jsonl", str(out)) as run:
        assert get(run.port, "/first") == 200
        assert run.proc.poll() is None  # one of two: still listening
        assert get(run.port, "/second", "POST", b"x") == 200
        assert run.finish() == 0
    assert run.lines[-2:] == ["done: 2 requests recorded (--until 2)", "stopped"]
    records = jsonl(out)
    assert [(r["id"], r["method"], r["path"]) for r in records] == [
        (1, "GET", "/first"),
        (2, "POST", "/second"),
    ]


def test_timeout_exits_1_with_a_summary_of_what_arrived(tmp_path: Path) -> None:
    out = tmp_path / "hits.jsonl"
    with headless("--until", "10", "--timeout", "1.5", "--jsonl", str(out)) as run:
        for _ in range(3):
            get(run.port, "/a?x=1")
        get(run.port, "/b", "POST", b"{}")
        with socket.create_connection(("127.0.0.1", run.port), timeout=WAIT) as raw:
            raw.sendall(
                b"GET /\x1b[31m\xe2\x80\xae HTTP/1.1\r\nHost: x\r\n\r\n"
            )  # hostile: rejected, recorded
            assert raw.recv(4096).startswith(b"HTTP/1.1 400")
        assert run.finish() == 1
    summary = run.lines[-2]
    assert summary == (
        "timeout: 5 of 10 requests in 1.5 s: GET /a -> 200 (x3), POST /b -> 200, GET /\\x1b[31m\\u202e -> 400"
    )
    assert run.lines[-1] == "stopped"
    assert len(jsonl(out)) == 5


def test_timeout_without_until(tmp_path: Path) -> None:
    with headless("--timeout", "0.5") as run:
        assert run.finish() == 1
    assert run.lines[-2:] == ["timeout: 0 requests in 0.5 s", "stopped"]
    with headless("--timeout", "0.5") as run:
        get(run.port, "/one")
        assert run.finish() == 1
    assert run.lines[-2] == "timeout: 1 request in 0.5 s: GET /one -> 200"


def test_until_and_timeout_compose_with_rules_and_a_real_client(tmp_path: Path) -> None:
    if CURL is None:
        pytest.skip("needs curl")
    out = tmp_path / "hits.jsonl"
    with headless(
        "--until", "1", "--timeout", "60", "--rules", "preset:echo-json", "--jsonl", str(out)
    ) as run:
        done = subprocess.run(
            [
                CURL,
                "-sS",
                "--data-binary",
                '{"a": 1}',
                "-H",
                "Content-Type: application/json",
                f"http://127.0.0.1:{run.port}/echo?x=1",
            ],
            capture_output=True,
            timeout=WAIT,
            check=True,
        )
        assert run.finish() == 0
    assert json.loads(done.stdout)["json"] == {"a": 1}
    (record,) = jsonl(out)
    assert record["response"]["rule"] != "default"  # type: ignore[index]


def test_a_signal_before_until_still_stops_cleanly() -> None:
    with headless("--until", "5", "--timeout", "60") as run:
        get(run.port, "/one")
        run.proc.send_signal(signal.SIGTERM)
        assert run.finish() == 0
    assert run.lines[-1] == "stopped"
    assert not any(line.startswith(("done:", "timeout:")) for line in run.lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--headless", "--until", "0"], "argument --until: must be 1 or more"),
        (["--headless", "--until", "x"], "argument --until: not a whole number: 'x'"),
        (["--headless", "--timeout", "0"], "argument --timeout: must be more than 0 seconds"),
        (["--headless", "--timeout", "nan"], "argument --timeout: must be more than 0 seconds"),
        (["--headless", "--timeout", "soon"], "argument --timeout: not a number of seconds: 'soon'"),
        (["--until", "1"], "--until and --timeout work with --headless only"),
        (["--timeout", "3"], "--until and --timeout work with --headless only"),
    ],
)
def test_unusable_values_exit_2_with_one_line(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--no-db", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"request-inspector: error: {message}"
