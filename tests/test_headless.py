"""Headless mode end to end: ``python main.py --headless`` in a subprocess.

The contract: ``listening on http://HOST:PORT`` on stderr once bound, one line
per request, one JSON object per request in ``--jsonl`` flushed per record,
exit 2 with one line on a bind failure, exit 0 on SIGINT and SIGTERM. The
record is written before its stderr line, so reading the stderr line is the
signal that the JSON line is there.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CURL = shutil.which("curl")
WAIT = 10.0
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
RECORD_KEYS = {
    "id",
    "received_at",
    "client",
    "server",
    "method",
    "target",
    "path",
    "query",
    "http_version",
    "headers",
    "body_b64",
    "body_size",
    "body_truncated",
    "error",
    "notes",
    "raw_b64",
    "response",
}


class Headless:
    def __init__(
        self, *args: str, history: tuple[str, ...] = ("--no-db",), env: dict[str, str] | None = None
    ) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--headless", *history, *args],
            cwd=ROOT,
            env=None if env is None else {**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stdout = b""

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def line(self, timeout: float = WAIT) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no stderr line within {timeout} s; so far {self.seen}") from None
        assert line is not None, f"stderr closed; so far {self.seen}"
        self.seen.append(line)
        return line

    def listening_port(self) -> int:
        """The port of the first line; the second, which rules answer, is checked."""
        port = self.port_from_listening_line()
        rules = self.line()
        assert rules.startswith("rules: "), rules
        return port

    def port_from_listening_line(self) -> int:
        line = self.line()
        match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)", line)
        assert match, line
        return int(match.group(1))

    def finish(self, signum: int) -> int:
        self.proc.send_signal(signum)
        self.proc.wait(timeout=WAIT)
        assert self.proc.stdout is not None
        if not self.proc.stdout.closed:
            self.stdout = self.proc.stdout.read()  # small: only the --jsonl - tests write there
        self._reader.join(WAIT)
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.seen.append(line)
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def headless_factory() -> Iterator[Any]:
    started: list[Headless] = []

    def start(*args: str) -> Headless:
        process = Headless(*args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def check_record_shape(obj: dict[str, Any], port: int) -> None:
    assert set(obj) >= RECORD_KEYS, RECORD_KEYS - set(obj)
    assert isinstance(obj["id"], int)
    assert ISO_UTC.fullmatch(obj["received_at"]), obj["received_at"]
    assert re.fullmatch(r"127\.0\.0\.1:\d+", obj["client"])
    assert obj["server"] == f"127.0.0.1:{port}"
    assert all(isinstance(p, list) and len(p) == 2 for p in obj["query"] + obj["headers"])
    assert obj["body_size"] == len(base64.b64decode(obj["body_b64"]))
    assert isinstance(obj["body_truncated"], bool)
    assert isinstance(obj["notes"], list)
    response = obj["response"]
    assert {"status", "rule", "bytes", "duration_ms"} <= set(response)
    assert response["bytes"] > 0
    assert response["duration_ms"] >= 0


@pytest.mark.skipif(CURL is None, reason="curl not installed")
def test_headless_end_to_end(headless_factory: Any, tmp_path: Path) -> None:
    jsonl = tmp_path / "captures.jsonl"
    app = headless_factory("--port", "0", "--jsonl", str(jsonl))
    port = app.listening_port()
    base = f"http://127.0.0.1:{port}"

    # 1. curl, a GET with a query and repeated headers
    assert CURL is not None
    done = subprocess.run(
        [CURL, "-sS", "--max-time", "10", "-H", "X-Dup: a", "-H", "x-dup: b",
         f"{base}/index.html?name=jack&age=18&x=a+b&e=%C3%A9&blank="],
        capture_output=True, check=True, timeout=20,
    )  # fmt: skip
    assert done.stdout == b"hello world"
    assert re.fullmatch(
        r"127\.0\.0\.1:\d+ GET /index\.html\?name=jack&age=18&x=a\+b&e=%C3%A9&blank= -> 200", app.line()
    )

    # 2. http.client, a POST with a binary body
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    conn.request(
        "POST", "/submit", body=b"\x00\xffdata", headers={"Content-Type": "application/octet-stream"}
    )
    response = conn.getresponse()
    assert (response.status, response.read()) == (200, b"hello world")
    conn.close()
    assert app.line().endswith(" POST /submit -> 200")

    # 3. a raw malformed request
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n\r\n")
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400 ")
    bad_line = app.line()
    assert bad_line.endswith("-> 400 (400 HTTP/1.1 request without a Host header)"), bad_line

    objects = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(objects) == 3
    for obj in objects:
        check_record_shape(obj, port)
    get, post, bad = objects
    assert get["id"] < post["id"] < bad["id"]

    assert get["method"] == "GET"
    assert get["target"] == "/index.html?name=jack&age=18&x=a+b&e=%C3%A9&blank="
    assert get["path"] == "/index.html"
    assert get["query"] == [["name", "jack"], ["age", "18"], ["x", "a b"], ["e", "\u00e9"], ["blank", ""]]
    assert get["http_version"] == "1.1"
    assert get["headers"][0] == ["Host", f"127.0.0.1:{port}"]
    assert get["headers"][-2:] == [["X-Dup", "a"], ["x-dup", "b"]]
    assert get["body_b64"] == "" and get["body_size"] == 0
    assert get["error"] is None
    assert get["notes"] == []
    assert base64.b64decode(get["raw_b64"]).startswith(b"GET /index.html?name=jack")
    assert base64.b64decode(get["raw_b64"]).endswith(b"x-dup: b\r\n\r\n")
    assert get["response"]["status"] == 200
    assert get["response"]["rule"] == "default"

    assert post["method"] == "POST"
    assert base64.b64decode(post["body_b64"]) == b"\x00\xffdata"
    assert post["body_size"] == 6
    assert post["client"] != get["client"]

    assert bad["error"] == "400 HTTP/1.1 request without a Host header"
    assert base64.b64decode(bad["raw_b64"]) == b"GET / HTTP/1.1\r\n\r\n"
    assert bad["response"]["status"] == 400
    assert bad["response"]["rule"] is None

    assert app.finish(signal.SIGTERM) == 0
    assert app.seen[-1] == "stopped"
    assert not any("Traceback" in line for line in app.seen)


def test_headless_sigint_exits_0(headless_factory: Any) -> None:
    app = headless_factory("--port", "0")
    port = app.listening_port()
    # an idle client stays connected: the stop must not wait for it
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT):
        assert app.finish(signal.SIGINT) == 0
    assert app.seen == [f"listening on http://127.0.0.1:{port}", "rules: built-in default", "stopped"]


def test_headless_jsonl_to_stdout(headless_factory: Any) -> None:
    app = headless_factory("--port", "0", "--jsonl", "-")
    port = app.listening_port()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    conn.request("GET", "/out?k=v")
    conn.getresponse().read()
    conn.close()
    app.line()
    assert app.finish(signal.SIGTERM) == 0
    (obj,) = [json.loads(line) for line in app.stdout.decode().splitlines()]
    check_record_shape(obj, port)
    assert obj["query"] == [["k", "v"]]


def test_headless_bind_failure_exits_2_with_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--headless", "--no-db", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            check=False,
            timeout=30,
            stdin=subprocess.DEVNULL,
        )
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert lines[0].startswith(f"error: port {port} on 127.0.0.1 is in use by ")
    if os.path.exists("/proc/net/tcp"):  # the holder is this test process
        assert f"(pid {os.getpid()}); try --port " in lines[0]


def test_headless_address_not_on_this_host_exits_2() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--headless",
            "--no-db",
            "--bind",
            "192.0.2.1",
            "--port",
            "0",
        ],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert "192.0.2.1" in lines[0]
    assert "not an address of this machine" in lines[0]
