"""Headless mode and its history and JSONL file when things go wrong, end to end:
a damaged history file, an app-data folder that cannot be made, a full disk, a
closed JSONL pipe, kill -9 and a restart on the same files."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.store import CaptureStore
from tests.records import make_record
from tests.test_headless import Headless

ROOT = Path(__file__).resolve().parents[1]
WAIT = 10.0


class App(Headless):
    """``main.py --headless`` with its own history arguments, started and bound."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        super().__init__("--port", "0", *args, history=(), env=env)
        self.port = 0
        while not self.port:  # warnings may come first
            match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)", self.line())
            if match:
                self.port = int(match.group(1))

    def wait_for(self, fragment: str) -> str:
        while True:
            line = self.line()
            if fragment in line:
                return line

    def get_until(self, fragment: str) -> int:
        """Send requests until ``fragment`` shows on stderr (a JSONL file retries its
        backlog with the first loop round after its retry interval, so this goes on
        for several intervals, however fast the requests are); return how many."""
        deadline = time.monotonic() + WAIT
        sent = 0
        while time.monotonic() < deadline:
            sent += 1
            assert self.get(f"/until/{sent}") == 200
            self.wait_for(f"GET /until/{sent} -> 200")
            if any(fragment in line for line in self.seen):
                return sent
        raise AssertionError(f"{fragment!r} never came in {WAIT:g} s; so far {self.seen[-20:]}")

    def get(self, target: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            conn.request("GET", target)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def stop(self) -> int:
        return self.finish(signal.SIGTERM)


@pytest.fixture
def apps() -> Iterator[list[App]]:
    started: list[App] = []
    yield started
    for app in started:
        app.kill()


def jsonl_ids(path: Path) -> list[int]:
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\n"), "a torn JSONL line"
    return [json.loads(line)["id"] for line in data.splitlines()]


def stored_ids(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM requests ORDER BY id")]
    conn.close()
    return ids


def no_traceback(app: App) -> None:
    assert not any("Traceback" in line for line in app.seen), app.seen


def test_a_damaged_history_file_is_replaced_and_said_once(apps: list[App], tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with CaptureStore(db) as store:
        store.add_many(make_record(id=i, body=os.urandom(300), raw_body=None) for i in range(1, 200))
    size = db.stat().st_size
    with open(db, "r+b") as handle:  # pages past the first overwritten
        handle.seek(4096)
        handle.write(random.Random(3).randbytes(size - 4096))
    app = App("--db", str(db))
    apps.append(app)
    warnings = [line for line in app.seen if line.startswith("warning:")]
    assert len(warnings) == 1 and "moved to history.sqlite3.damaged-" in warnings[0], warnings
    assert str(db) in warnings[0] and "new history file" in warnings[0]
    assert app.get("/after") == 200
    app.wait_for("GET /after -> 200")
    assert app.stop() == 0
    no_traceback(app)
    assert len(list(tmp_path.glob("history.sqlite3.damaged-*"))) == 1
    assert len(stored_ids(db)) == 1


def test_an_app_data_folder_that_cannot_be_made_means_memory(apps: list[App], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app = App(env={"REQUEST_INSPECTOR_HOME": str(blocker / "data")})
    apps.append(app)
    warnings = [line for line in app.seen if line.startswith("warning:")]
    (warning,) = [line for line in warnings if "memory only" in line]
    assert "app-data folder" in warning
    # the local CA lives there too: HTTPS is off, said in one line (see tests/tls/test_ca.py)
    assert [line for line in warnings if line != warning] == [
        "warning: HTTPS is off: cannot create the app-data folder for the CA: Not a directory; "
        "pass --ca-dir DIR"
    ]
    assert app.get("/x") == 200
    app.wait_for("GET /x -> 200")
    assert app.stop() == 0
    no_traceback(app)


def set_file_size_limit(pid: int, limit: int) -> None:
    """RLIMIT_FSIZE of the running process: writes past ``limit`` bytes of any regular
    file fail (EFBIG), as on a full disk; stderr (a pipe) is not affected."""
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))


def on_a_full_disk(apps: list[App], tmp_path: Path, requests: int) -> tuple[App, Path, Path]:
    """Headless with a JSONL and a history file, one request, then the disk "fills up"
    and ``requests`` more are sent (each must still be answered)."""
    jsonl, db = tmp_path / "r.jsonl", tmp_path / "h.sqlite3"
    app = App("--jsonl", str(jsonl), "--db", str(db))
    apps.append(app)
    assert app.get("/before") == 200
    app.wait_for("/before")
    set_file_size_limit(app.proc.pid, 1)
    assert [app.get(f"/full/{i}") for i in range(requests)] == [200] * requests
    app.wait_for("cannot write JSONL file")
    return app, jsonl, db


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs prlimit (Linux)")
def test_a_full_disk_is_said_once_serving_goes_on_and_writes_recover(
    apps: list[App], tmp_path: Path
) -> None:
    app, jsonl, db = on_a_full_disk(apps, tmp_path, 30)
    app.wait_for("cannot write history")
    set_file_size_limit(app.proc.pid, resource.RLIM_INFINITY)
    after = app.get_until(f"JSONL file {jsonl}: writes work again")
    if not any("history writes work again" in line for line in app.seen):
        app.wait_for("history writes work again")  # the writer retries on its own
    assert app.stop() == 0
    no_traceback(app)
    warnings = [line for line in app.seen if line.startswith("warning:")]
    assert sum("cannot write JSONL" in w for w in warnings) == 1
    assert sum("cannot write history" in w for w in warnings) == 1
    assert jsonl_ids(jsonl) == list(range(1, 32 + after))
    assert stored_ids(db) == list(range(1, 32 + after))


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs prlimit (Linux)")
def test_records_lost_to_a_full_disk_make_the_exit_status_1(apps: list[App], tmp_path: Path) -> None:
    app, jsonl, _ = on_a_full_disk(apps, tmp_path, 10)
    assert app.stop() == 1
    no_traceback(app)
    (error,) = [line for line in app.seen if line.startswith("error:")]
    match = re.fullmatch(rf"error: requests were lost: (\d+) not stored in the history; "
                         rf"10 not written to {re.escape(str(jsonl))}", error)
    assert match and int(match.group(1)) in (10, 11), error  # /before may not be committed yet
    assert app.seen[-2:] == ["stopped", error]
    assert jsonl_ids(jsonl) == [1]  # whole lines only


def test_jsonl_on_dev_full(apps: list[App], tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    app = App("--jsonl", "/dev/full", "--no-db")
    apps.append(app)
    assert [app.get(f"/x{i}") for i in range(5)] == [200] * 5
    app.wait_for("No space left on device")
    assert app.stop() == 1
    no_traceback(app)
    assert sum("No space left" in line for line in app.seen) == 1
    assert "5 not written to /dev/full" in app.seen[-1]


def test_jsonl_into_a_closed_pipe_stops_writing_once(apps: list[App]) -> None:
    app = App("--jsonl", "-", "--no-db")
    apps.append(app)
    assert app.get("/first") == 200
    app.wait_for("/first")
    assert app.proc.stdout is not None
    assert json.loads(app.proc.stdout.readline())["target"] == "/first"
    app.proc.stdout.close()  # the reader goes away (``| head -1``)
    assert [app.get(f"/after/{i}") for i in range(20)] == [200] * 20
    app.wait_for("GET /after/19 -> 200")
    assert app.stop() == 0
    no_traceback(app)
    closed = [line for line in app.seen if "closed" in line]
    assert closed == ["warning: the JSONL reader closed stdout: no more JSONL lines are written"]


@pytest.mark.parametrize("history", ["--no-db", "--db"])
def test_ids_are_never_reused_after_kill_9(apps: list[App], tmp_path: Path, history: str) -> None:
    jsonl = tmp_path / "r.jsonl"
    args = ["--jsonl", str(jsonl), history] + ([str(tmp_path / "h.sqlite3")] if history == "--db" else [])
    for run in range(3):
        app = App(*args)
        apps.append(app)
        for i in range(5):
            assert app.get(f"/run{run}/{i}") == 200
        app.wait_for(f"/run{run}/4")
        app.kill()  # SIGKILL: no clean shutdown
    ids = jsonl_ids(jsonl)
    assert len(ids) == 15 and ids == sorted(set(ids))


def test_jsonl_and_export_write_the_same_bytes(apps: list[App], tmp_path: Path) -> None:
    jsonl, db, export = tmp_path / "r.jsonl", tmp_path / "h.sqlite3", tmp_path / "out.jsonl"
    app = App("--jsonl", str(jsonl), "--db", str(db))
    apps.append(app)
    assert app.get("/plain?a=1") == 200
    with socket_to(app.port) as sock:  # a header that is not UTF-8 (a lone surrogate in the record)
        sock.sendall(b"GET /bytes HTTP/1.1\r\nHost: h\r\nX-Raw: \xff\xfe\r\nConnection: close\r\n\r\n")
        while sock.recv(4096):
            pass
    app.wait_for("GET /bytes")
    assert app.stop() == 0
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--export", str(export), "--db", str(db)],
        cwd=ROOT, capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert export.read_bytes() == jsonl.read_bytes()
    assert len(jsonl.read_bytes().splitlines()) == 2


def socket_to(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=WAIT)

