"""``main.py --headless --listen ADDR:PORT`` (repeatable): one line per listener, records name
their listener, a held port fails with exit 2 naming its holder, wildcards list their URLs."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from porthold import HOLDER_NAME, Held, linux_only

from tests.network import needs_ipv6

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30.0
LISTENING = re.compile(r"listening on (http://(\[[0-9a-f:.]+\]|[0-9.]+):(\d+))")


def _command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--headless", "--no-db", *args]


@contextmanager
def _headless(*args: str, lines: int) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """The process and its first ``lines`` stderr lines; SIGTERM on leaving, exit 0 checked."""
    with subprocess.Popen(
        _command(*args), cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    ) as proc:  # fmt: skip
        try:
            assert proc.stderr is not None
            yield proc, [proc.stderr.readline().rstrip("\n") for _ in range(lines)]
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=WAIT) == 0


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(*args), cwd=ROOT, capture_output=True, text=True, check=False, timeout=WAIT,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _get(host: str, port: int, path: str) -> int:
    conn = http.client.HTTPConnection(host, port, timeout=WAIT)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


@needs_ipv6
def test_listeners_on_v4_and_v6_each_print_a_line_and_name_their_records(tmp_path: Path) -> None:
    jsonl = tmp_path / "out.jsonl"
    args = ["--listen", "127.0.0.1:0", "--listen", "[::1]:0", "--listen", "127.0.0.1:0"]
    with _headless(*args, "--jsonl", str(jsonl), "--until", "3", lines=3) as (proc, first):
        found = [LISTENING.fullmatch(line) for line in first]
        assert all(found), first
        hosts = [match[2] for match in found if match]
        assert hosts == ["127.0.0.1", "[::1]", "127.0.0.1"]
        ports = [int(match[3]) for match in found if match]
        assert len(set(ports)) == 3
        for host, port in zip(hosts, ports, strict=True):
            assert _get(host.strip("[]"), port, f"/to/{port}") == 200
        proc.wait(timeout=WAIT)  # --until 3
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    expected = {(f"/to/{port}", f"{host}:{port}") for host, port in zip(hosts, ports, strict=True)}
    assert {(record["path"], record["server"]) for record in records} == expected


@linux_only
def test_a_held_port_fails_all_listeners_naming_the_holder(hold_port: Callable[..., Held]) -> None:
    held = hold_port("127.0.0.1")
    done = _run("--listen", "127.0.0.1:0", "--listen", f"127.0.0.1:{held.port}")
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines  # no "listening on" line: all listeners or none
    found = re.fullmatch(
        rf"error: port {held.port} on 127\.0\.0\.1 is in use by {HOLDER_NAME} \(pid {held.pid}\); "
        r"try --port (\d+)",
        lines[0],
    )
    assert found, lines[0]
    assert int(found[1]) != held.port


def test_listen_replaces_bind_and_port_and_refuses_doubles() -> None:
    both = _run("--listen", "127.0.0.1:0", "--port", "0")
    assert (both.returncode, both.stderr) == (
        2,
        "error: --port cannot go with --listen, which replaces it; "
        "e.g. --listen 127.0.0.1:8090 or --listen [::1]:8090\n",
    )
    twice = _run("--listen", "127.0.0.1:18090", "--listen", "127.0.0.1:18090")
    assert twice.returncode == 2
    assert twice.stderr.startswith("error: --listen 127.0.0.1:18090 is given twice")
    window = subprocess.run(  # the window's flags are checked before any Qt is loaded
        [sys.executable, str(ROOT / "main.py"), "--listen", "127.0.0.1:0", "--bind", "::1"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=WAIT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert (window.returncode, window.stderr) == (
        2,
        "error: --bind cannot go with --listen, which replaces it; "
        "e.g. --listen 127.0.0.1:8090 or --listen [::1]:8090\n",
    )
    bad = _run("--listen", "[::1]8090")
    assert (bad.returncode, bad.stderr.count("\n")) == (2, 1)
    assert "no :PORT after the address" in bad.stderr


@pytest.mark.parametrize("wildcard", ["0.0.0.0", pytest.param("[::]", marks=needs_ipv6)])
def test_a_wildcard_lists_the_urls_that_reach_it(wildcard: str) -> None:
    with _headless("--listen", f"{wildcard}:0", lines=4) as (_, first):
        found = LISTENING.fullmatch(first[0])
        assert found and found[2] == wildcard, first
        port = int(found[3])
        assert first[1].startswith("  reachable at http://127.0.0.1:")
        urls = first[1].split()[2:]
        assert urls[0] == f"http://127.0.0.1:{port}"  # loopback first, what a browser here opens
        assert all(url.endswith(f":{port}") and "0.0.0.0" not in url and "[::]" not in url for url in urls)
        if wildcard == "[::]":
            assert f"http://[::1]:{port}" in urls
        assert first[2].startswith("rules: ")
        assert first[3].startswith(f"warning: {wildcard.strip('[]')} can be reached from other machines")
        assert _get("127.0.0.1", port, "/") == 200
