"""The listener's limits from the command line (issue 12, item 9): ``--max-body
100MiB`` and the rest, typed as in the window's Settings, raise what headless
mode accepts over real sockets; a bad value is one argparse line and exit 2."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from inspector.app import build_parser, main
from inspector.limit_settings import LIMIT_FIELDS, limit_values, limits_with
from tests.test_headless import WAIT, Headless

ROOT = Path(__file__).resolve().parents[1]
#: over the default body limit (10 MiB), under the raised one
LARGE = 12 * 1024 * 1024


def post(port: int, body: bytes) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request("POST", "/upload", body=body, headers={"Content-Type": "application/octet-stream"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture
def started() -> Any:
    apps: list[Headless] = []

    def start(*args: str) -> tuple[Headless, int]:
        app = Headless("--port", "0", *args)
        apps.append(app)
        return app, app.listening_port()

    yield start
    for app in apps:
        app.kill()


def test_a_raised_body_limit_accepts_a_larger_body(started: Any) -> None:
    app, port = started("--max-body", "20MiB")
    assert post(port, b"x" * LARGE)[0] == 200
    assert app.line().endswith(" -> 200"), app.seen
    assert app.finish(signal.SIGTERM) == 0


def test_by_default_the_same_body_is_refused_with_413(started: Any) -> None:
    app, port = started()
    try:
        status, body = post(port, b"x" * LARGE)
    except (ConnectionResetError, BrokenPipeError):  # refused before the upload ended
        status, body = 413, b""
    assert status == 413, body
    line = app.line()
    assert "413" in line, app.seen
    assert app.finish(signal.SIGTERM) == 0


def test_a_lowered_header_count_answers_431(started: Any) -> None:
    app, port = started("--max-header-fields", "3", "--idle-timeout", "2 min")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request("GET", "/", headers={f"X-{n}": "v" for n in range(5)})
        assert conn.getresponse().status == 431
    finally:
        conn.close()
    assert app.finish(signal.SIGTERM) == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-body", "2GiB"], "argument --max-body: must be at most 1 GiB"),
        (["--max-body", "lots"], "argument --max-body: not a size: 'lots'"),
        (["--head-timeout", "3 wk"], "argument --head-timeout: unknown time unit"),
        (["--max-connections", "1.5"], "argument --max-connections: not a whole number"),
        (["--max-head", "2KiB", "--max-request-line", "4KiB"], "cannot be longer than the whole head"),
        (["--max-body", "200MiB"], "the memory budget must be at least twice the body limit"),
    ],
)
def test_a_bad_value_is_one_argparse_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--headless", "--port", "0", *argv])
    assert exited.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("request-inspector: error: "), err
    assert message in err[-1]
    assert not any("Traceback" in line for line in err)


def test_the_flags_are_read_like_the_settings_and_listed_in_help() -> None:
    args = build_parser().parse_args(["--max-body", "100MiB", "--body-timeout", "90s"])
    assert limit_values(args) == {"max_body": 100 * 1024 * 1024, "body_timeout": 90.0}
    assert limit_values(build_parser().parse_args([])) == {}
    big = build_parser().parse_args(["--max-body", "200MiB", "--memory-budget", "1GiB"])
    assert limits_with(limit_values(big)).memory_budget == 1024 * 1024 * 1024
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--help"],
        check=False,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 0
    for field in LIMIT_FIELDS:
        assert field.flag in done.stdout
    assert "(default 10 MiB;" in done.stdout
