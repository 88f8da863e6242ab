"""Headless mode in this process: :func:`inspector.headless.run_headless` on the main
thread (it installs the SIGINT/SIGTERM handlers), real clients on another.

tests/test_headless*.py run ``main.py --headless`` in subprocesses, as a script would;
these run the same contract in-process, so a mutation of the module is seen: every
stderr line is pinned, with the exit status, the JSONL file and the history.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import socket
import sqlite3
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, SimpleNamespace
from typing import Any, cast

import pytest

from inspector import headless
from inspector.app import build_parser
from inspector.headless import EXIT_RECORDS_LOST, EXIT_USAGE, listening_lines, run_headless
from inspector.listen import reachable_urls
from inspector.listen.holder import find_holder
from inspector.server import Server
from inspector.store import CaptureStore
from inspector.tls.ca import load_or_create

WAIT = 10.0
LISTENING = re.compile(r"listening on http://(?:127\.0\.0\.1|0\.0\.0\.0):(\d+)")


class Watched:
    """Something a client thread waits on: ``changed`` is notified at each change, and
    once run_headless returned (``over``), when nothing will change any more."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.over = False

    def end(self) -> None:
        with self.changed:
            self.over = True
            self.changed.notify_all()


class Stderr(io.StringIO, Watched):
    """run_headless's stderr: what it wrote; each write notifies."""

    def __init__(self) -> None:
        io.StringIO.__init__(self)
        Watched.__init__(self)

    def write(self, text: str) -> int:
        with self.changed:
            count = super().write(text)
            self.changed.notify_all()
        return count

    def lines(self) -> list[str]:
        with self.changed:
            return self.getvalue().splitlines()

    def wait_for(self, fragment: str) -> list[str]:
        """The lines so far, once one of them holds ``fragment``."""
        with self.changed:
            self.changed.wait_for(lambda: fragment in self.getvalue() or self.over, WAIT)
            lines = self.getvalue().splitlines()
        assert any(fragment in line for line in lines), f"{fragment!r} never came; so far {lines}"
        return lines

    def port(self, index: int = 0) -> int:
        """The port of the ``index``-th ``listening on`` line (waits for it)."""
        while True:
            lines = [line for line in self.wait_for("listening on ") if LISTENING.fullmatch(line)]
            if len(lines) > index:
                match = LISTENING.fullmatch(lines[index])
                assert match
                return int(match.group(1))
            with self.changed:
                assert not self.over, f"no listening line {index + 1}; so far {self.getvalue()}"
                self.changed.wait(WAIT)


class Clock(Watched):
    """``time`` for :func:`inspector.headless._serve_until`: monotonic() is what the test sets."""

    def __init__(self, now: float) -> None:
        super().__init__()
        self.now = now
        self.reads = 0

    def monotonic(self) -> float:
        with self.changed:
            self.reads += 1
            self.changed.notify_all()
            return self.now

    def set(self, now: float) -> None:
        with self.changed:
            self.now = now

    def started(self) -> bool:
        """Whether the deadline was taken (the first read)."""
        with self.changed:
            return self.changed.wait_for(lambda: self.reads >= 1 or self.over, WAIT) and self.reads >= 1

    def read_again(self, times: int) -> bool:
        """Whether the clock is read ``times`` more times (the serving loop went on)."""
        with self.changed:
            target = self.reads + times
            self.changed.wait_for(lambda: self.reads >= target or self.over, WAIT)
            return self.reads >= target


Client = Callable[[Stderr], None]


class Runner:
    """Runs run_headless on this thread and ``client`` on another; a run that does not
    end by itself once the client is done is stopped (and the test fails)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.servers: list[Server] = []
        #: called once run_headless returns (whatever waits for it gives up)
        self.on_return: list[Callable[[], None]] = []
        servers = self.servers

        class Tracked(Server):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                servers.append(self)

        monkeypatch.setattr(headless, "Server", Tracked)

    def __call__(
        self,
        argv: list[str],
        client: Client | None = None,
        *,
        err: Stderr | None = None,
        args: Any = None,
    ) -> tuple[int, list[str]]:
        err = Stderr() if err is None else err
        args = build_parser().parse_args(argv) if args is None else args
        returned = threading.Event()
        failures: list[BaseException] = []

        def drive() -> None:
            try:
                if client is not None:
                    client(err)
            except BaseException as exc:  # the run must still end
                failures.append(exc)
                self.stop()
            if not returned.wait(WAIT):
                failures.append(AssertionError(f"run_headless did not return; {err.lines()}"))
                self.stop()

        thread = threading.Thread(target=drive, name="client")
        thread.start()
        try:
            status = run_headless(args, err)
        finally:
            returned.set()
            err.end()
            for call in self.on_return:
                call()
            thread.join(WAIT * 3)
        if failures:
            raise failures[0]
        return status, err.lines()

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Iterator[Runner]:
    """A :class:`Runner`; SIGINT/SIGTERM are ignored until run_headless installs its
    handlers, and the previous handlers come back afterwards."""
    stray: list[int] = []

    def placeholder(signum: int, frame: FrameType | None) -> None:
        stray.append(signum)

    previous = {signum: signal.signal(signum, placeholder) for signum in (signal.SIGINT, signal.SIGTERM)}
    runner = Runner(monkeypatch)
    try:
        yield runner
    finally:
        runner.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    assert stray == []


Answer = tuple[int, bytes, str]


def exchange(port: int, target: str, method: str = "GET", body: bytes | None = None) -> Answer:
    """One request on its own connection: (status, body, the client's ``host:port``)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.connect()
        assert conn.sock is not None
        client = f"127.0.0.1:{conn.sock.getsockname()[1]}"
        conn.request(method, target, body=body)
        response = conn.getresponse()
        return response.status, response.read(), client
    finally:
        conn.close()


def one_request(
    run: Runner,
    argv: list[str],
    target: str = "/x",
    method: str = "GET",
    body: bytes | None = None,
    *,
    err: Stderr | None = None,
    args: Any = None,
) -> tuple[int, list[str], Answer]:
    """A run in which a client sends one request once it listens: (status, lines, answer)."""
    answers: list[Answer] = []

    def client(err: Stderr) -> None:
        answers.append(exchange(err.port(), target, method, body))

    status, lines = run(argv, client, err=err, args=args)
    return status, lines, answers[0]


def until_end(*request_lines: str) -> list[str]:
    """The request lines, then the last lines of a run that ``--until N`` ended."""
    count = len(request_lines)
    return [*request_lines, f"done: {count} requests recorded (--until {count})", "stopped"]


def with_history(db: Path, *extra: str) -> list[str]:
    """Arguments for one loopback listener on any port, the history in ``db``, no HTTPS."""
    return ["--headless", "--port", "0", "--tls", "off", "--db", str(db), *extra]


def plain(*extra: str) -> list[str]:
    """Arguments for one loopback listener on any port, no history, no HTTPS."""
    return ["--headless", "--port", "0", "--no-db", "--tls", "off", *extra]


# -- --until, --timeout and the signals -------------------------------------------------------


def test_until_stops_once_n_requests_are_recorded_each_in_the_jsonl(run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "hits.jsonl"
    seen: dict[str, Any] = {}

    def client(err: Stderr) -> None:
        port = seen["port"] = err.port()
        seen["threads"] = [thread.name for thread in threading.enumerate()]
        seen["first"] = exchange(port, "/first?x=1")
        err.wait_for("GET /first?x=1 -> 200")
        seen["second"] = exchange(port, "/second", "POST", b"data")

    status, lines = run(plain("--until", "2", "--timeout", "60", "--jsonl", str(out)), client)
    assert status == 0
    port = seen["port"]
    assert "listener" in seen["threads"]  # the name a traceback of the serving thread shows
    assert seen["first"][:2] == seen["second"][:2] == (200, b"hello world")
    assert lines == [
        f"listening on http://127.0.0.1:{port}",
        "rules: built-in default",
        f"{seen['first'][2]} GET /first?x=1 -> 200",
        f"{seen['second'][2]} POST /second -> 200",
        "done: 2 requests recorded (--until 2)",
        "stopped",
    ]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(r["id"], r["method"], r["target"]) for r in records] == [
        (1, "GET", "/first?x=1"),
        (2, "POST", "/second"),
    ]


def test_until_without_timeout(run: Runner) -> None:
    status, lines, answer = one_request(run, plain("--until", "1"), "/only")
    assert status == 0
    assert lines[2:] == until_end(f"{answer[2]} GET /only -> 200")


@pytest.mark.parametrize("timeout", [[], ["--timeout", "600"]])
def test_it_waits_for_the_listener_in_short_joins_until_it_ends(
    run: Runner, monkeypatch: pytest.MonkeyPatch, timeout: list[str]
) -> None:
    """The main thread joins the listener in slices of 0.2 s (so it stays free for signals,
    which Windows delivers only between joins) for as long as the listener serves: a request
    after several slices is still recorded."""
    joins = Watched()
    slices: list[float | None] = []

    class Listener(threading.Thread):
        def join(self, timeout: float | None = None) -> None:
            super().join(timeout)
            with joins.changed:
                slices.append(timeout)
                joins.changed.notify_all()

    monkeypatch.setattr(headless, "threading", SimpleNamespace(Thread=Listener, Lock=threading.Lock))
    answers: list[Answer] = []

    def client(err: Stderr) -> None:
        port = err.port()
        with joins.changed:
            assert joins.changed.wait_for(lambda: len(slices) >= 3, WAIT), f"joined {slices}"
        answers.append(exchange(port, "/late"))

    status, lines = run(plain("--until", "1", *timeout), client)
    assert status == 0
    assert lines[2:] == until_end(f"{answers[0][2]} GET /late -> 200")
    assert set(slices[:3]) == {0.2}


def test_pipelined_requests_each_have_their_line(run: Runner) -> None:
    seen: dict[str, Any] = {}

    def client(err: Stderr) -> None:
        with socket.create_connection(("127.0.0.1", err.port()), timeout=WAIT) as sock:
            seen["client"] = f"127.0.0.1:{sock.getsockname()[1]}"
            # both in one packet: answered in one loop round, their lines written together
            sock.sendall(
                b"GET /p1 HTTP/1.1\r\nHost: h\r\n\r\nGET /p2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
            )
            answers = b""
            while chunk := sock.recv(65536):
                answers += chunk
        seen["answers"] = answers.count(b"HTTP/1.1 200 ")

    status, lines = run(plain("--until", "2"), client)
    assert status == 0
    assert seen["answers"] == 2
    assert lines[2:] == [
        f"{seen['client']} GET /p1 -> 200",
        f"{seen['client']} GET /p2 -> 200",
        "done: 2 requests recorded (--until 2)",
        "stopped",
    ]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_it_with_status_0(run: Runner, signum: int) -> None:
    seen: dict[str, Any] = {}

    def client(err: Stderr) -> None:
        port = seen["port"] = err.port()
        seen["answer"] = exchange(port, "/a")
        err.wait_for("GET /a -> 200")
        os.kill(os.getpid(), signum)

    status, lines = run(plain(), client)
    assert status == 0
    assert lines == [
        f"listening on http://127.0.0.1:{seen['port']}",
        "rules: built-in default",
        f"{seen['answer'][2]} GET /a -> 200",
        "stopped",
    ]


def timed(
    run: Runner, monkeypatch: pytest.MonkeyPatch, argv: list[str], steps: Callable[[Stderr, Clock, int], None]
) -> tuple[int, list[str]]:
    """A run whose --timeout is counted on a clock the test moves (from 100.0)."""
    clock = Clock(100.0)
    monkeypatch.setattr(headless, "time", clock)
    run.on_return.append(clock.end)

    def client(err: Stderr) -> None:
        port = err.port()
        assert clock.started()
        steps(err, clock, port)

    return run(plain(*argv), client)


def test_timeout_with_nothing_arrived(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    def steps(err: Stderr, clock: Clock, port: int) -> None:
        clock.set(100.25)

    status, lines = timed(run, monkeypatch, ["--timeout", "0.25"], steps)
    assert status == 1
    assert lines[2:] == ["timeout: 0 requests in 0.25 s", "stopped"]


def test_timeout_comes_at_its_second_and_not_before(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    def steps(err: Stderr, clock: Clock, port: int) -> None:
        clock.set(101.75)  # 0.75 s left: serving goes on
        assert clock.read_again(2)
        assert exchange(port, "/one")[0] == 200
        err.wait_for("GET /one -> 200")
        clock.set(102.5)  # exactly the deadline

    status, lines = timed(run, monkeypatch, ["--timeout", "2.5"], steps)
    assert status == 1
    assert lines[-2:] == ["timeout: 1 request in 2.5 s: GET /one -> 200", "stopped"]


@pytest.mark.parametrize(
    ("argv", "requests", "summary"),
    [
        (
            ["--timeout", "3"],
            [("GET", "/a?x=1"), ("GET", "/a?x=2")],
            "timeout: 2 requests in 3 s: GET /a -> 200 (x2)",
        ),
        (
            ["--until", "1500", "--timeout", "1.5"],
            [("GET", "/a"), ("POST", "/b")],
            "timeout: 2 of 1,500 requests in 1.5 s: GET /a -> 200, POST /b -> 200",
        ),
    ],
)
def test_timeout_sums_up_what_arrived(
    run: Runner,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    requests: list[tuple[str, str]],
    summary: str,
) -> None:
    def steps(err: Stderr, clock: Clock, port: int) -> None:
        for method, target in requests:
            exchange(port, target, method, b"{}" if method == "POST" else None)
            err.wait_for(f"{method} {target} -> 200")
        clock.set(100.0 + float(argv[-1]))  # the deadline

    status, lines = timed(run, monkeypatch, argv, steps)
    assert status == 1
    assert lines[-2:] == [summary, "stopped"]


# -- the lines it starts with -----------------------------------------------------------------


def test_two_listeners_each_answer(run: Runner) -> None:
    seen: dict[str, Any] = {}

    def client(err: Stderr) -> None:
        first, second = seen["ports"] = (err.port(0), err.port(1))
        seen["answers"] = (exchange(first, "/one"), exchange(second, "/two"))

    status, lines = run(
        ["--headless", "--no-db", "--tls", "off", "--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0",
         "--until", "2"],
        client,
    )  # fmt: skip
    first, second = seen["ports"]
    one, two = seen["answers"]
    assert status == 0
    assert first != second
    assert lines == [
        f"listening on http://127.0.0.1:{first}",
        f"listening on http://127.0.0.1:{second}",
        "rules: built-in default",
        f"{one[2]} GET /one -> 200",
        f"{two[2]} GET /two -> 200",
        "done: 2 requests recorded (--until 2)",
        "stopped",
    ]


def test_a_wildcard_listener_says_where_it_is_reached_and_warns(run: Runner) -> None:
    argv = ["--headless", "--no-db", "--tls", "off", "--listen", "0.0.0.0:0", "--until", "1"]
    status, lines, answer = one_request(run, argv, "/w")  # over loopback only
    assert status == 0
    port = int(lines[0].rsplit(":", 1)[1])
    urls = " ".join(url.url for url in reachable_urls("0.0.0.0", port))
    assert lines == [
        f"listening on http://0.0.0.0:{port}",
        f"  reachable at {urls}",
        "rules: built-in default",
        f"warning: 0.0.0.0 can be reached from other machines: anyone who can reach port {port} can send "
        "requests, and they are recorded",
        *until_end(f"{answer[2]} GET /w -> 200"),
    ]


def test_listening_lines_of_an_ipv6_wildcard() -> None:
    listening = SimpleNamespace(url="http://[::]:8090", host="::", port=8090)
    server = cast(Server, SimpleNamespace(listening=(listening,)))
    urls = " ".join(url.url for url in reachable_urls("::", 8090))
    assert listening_lines(server, "rules: x") == [
        "listening on http://[::]:8090",
        f"  reachable at {urls}",
        "rules: x",
        "warning: :: can be reached from other machines: anyone who can reach port 8090 can send requests, "
        "and they are recorded",
    ]


def test_nothing_is_written_to_the_app_data_folder(run: Runner, app_home: Path) -> None:
    status, lines, answer = one_request(run, plain("--until", "1"))
    assert status == 0
    assert lines[1:] == ["rules: built-in default", *until_end(f"{answer[2]} GET /x -> 200")]
    assert not app_home.exists()  # no history file, no CA, no folder made for the rules


# -- rules -------------------------------------------------------------------------------------


def write_rules(path: Path, rule: dict[str, Any], version: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": version, "rules": [rule]}), encoding="utf-8")
    return path


def test_rules_file_answers(run: Runner, tmp_path: Path) -> None:
    rules = write_rules(
        tmp_path / "mine.json", {"name": "mine", "path": "/**", "status": 203, "body": "mine"}
    )
    status, lines, answer = one_request(run, plain("--rules", str(rules), "--until", "1"), "/r")
    assert status == 0
    assert answer[:2] == (203, b"mine")
    assert lines[1:] == [f"rules: {rules}", *until_end(f"{answer[2]} GET /r -> 203")]


def test_the_rules_the_window_saved_answer(run: Runner, app_home: Path) -> None:
    rule = {"name": "saved", "path": "/**", "status": 202, "body": "saved"}
    saved = write_rules(app_home / "rules.json", rule)
    status, lines, answer = one_request(run, plain("--until", "1"), "/s")
    assert status == 0
    assert answer[:2] == (202, b"saved")
    assert lines[1:] == [f"rules: {saved}", *until_end(f"{answer[2]} GET /s -> 202")]


def test_pause_rules_are_noted_once(run: Runner, tmp_path: Path) -> None:
    rule = {"name": "held", "path": "/**", "status": 203, "body": "at once", "pause": True}
    rules = write_rules(tmp_path / "paused.json", rule, version=2)
    status, lines, answer = one_request(run, plain("--rules", str(rules), "--until", "1"), "/p")
    assert status == 0
    assert answer[:2] == (203, b"at once")
    assert lines[1:] == [
        f"rules: {rules}",
        "note: pauses are ignored in headless mode (they need the window): 'held' answer at once",
        *until_end(f"{answer[2]} GET /p -> 203"),
    ]


BAD_RULES = '{"rules": [{"name": "bad", "body": "{% if %}"}]}'
SAVED = "(the rules the window saved; --rules FILE answers from another file)"
RULE_ERROR = "rule 'bad': body line 1: Expected an expression, got 'end of statement block'"


def test_a_rules_file_that_cannot_be_used(run: Runner, tmp_path: Path) -> None:
    rules = tmp_path / "bad.json"
    rules.write_text(BAD_RULES, encoding="utf-8")
    assert run(plain("--rules", str(rules))) == (EXIT_USAGE, [f"error: bad.json: {RULE_ERROR}"])


def test_saved_rules_that_cannot_be_used(run: Runner, app_home: Path) -> None:
    app_home.mkdir()
    (app_home / "rules.json").write_text(BAD_RULES, encoding="utf-8")
    assert run(plain()) == (
        EXIT_USAGE,
        [f"error: rules.json: {RULE_ERROR} {SAVED}"],
    )


# -- arguments that cannot work ------------------------------------------------------------------


@pytest.mark.parametrize(("flag", "value"), [("--port", "0"), ("--bind", "127.0.0.1")])
def test_listen_with_the_older_flags(run: Runner, flag: str, value: str) -> None:
    argv = ["--headless", "--no-db", "--tls", "off", "--listen", "127.0.0.1:0", flag, value]
    example = "e.g. --listen 127.0.0.1:8090 or --listen [::1]:8090"
    assert run(argv) == (EXIT_USAGE, [f"error: {flag} cannot go with --listen, which replaces it; {example}"])


def test_a_jsonl_file_that_cannot_be_opened(run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "hits.jsonl"
    assert run(plain("--jsonl", str(out))) == (
        EXIT_USAGE,
        [f"error: cannot open JSONL file {out}: No such file or directory"],
    )


def held_port() -> socket.socket:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


def test_a_port_in_use(run: Runner) -> None:
    with held_port() as taken:
        port = taken.getsockname()[1]
        status, lines = run(["--headless", "--no-db", "--tls", "off", "--port", str(port)])
        holder = find_holder("127.0.0.1", port)
    assert status == EXIT_USAGE
    by = holder.describe() if holder else "another program"
    (line,) = lines
    match = re.fullmatch(
        rf"error: port {port} on 127\.0\.0\.1 is in use by {re.escape(by)}; try --port (\d+)", line
    )
    assert match, line
    assert port < int(match.group(1)) <= port + 20


def test_a_port_in_use_does_not_suggest_another_listener_s_port(run: Runner) -> None:
    with held_port() as taken:
        port = taken.getsockname()[1]
        argv = ["--headless", "--no-db", "--tls", "off", "--listen", f"127.0.0.1:{port}",
                "--listen", f"127.0.0.1:{port + 1}"]  # fmt: skip
        status, lines = run(argv)
    assert status == EXIT_USAGE
    (line,) = lines
    match = re.fullmatch(rf"error: port {port} on 127\.0\.0\.1 is in use by .+; try --port (\d+)", line)
    assert match, line
    assert port + 1 < int(match.group(1)) <= port + 20


# -- history, JSONL and HTTPS ------------------------------------------------------------------


def test_history_file_keeps_the_newest(run: Runner, tmp_path: Path, app_home: Path) -> None:
    db = tmp_path / "h.sqlite3"

    def client(err: Stderr) -> None:
        port = err.port()
        for target in ("/1", "/2", "/3"):
            exchange(port, target)
            err.wait_for(f"GET {target} -> 200")

    argv = with_history(db, "--history-limit", "2", "--until", "3")
    status, lines = run(argv, client)
    assert status == 0
    assert lines[-2:] == ["done: 3 requests recorded (--until 3)", "stopped"]
    with CaptureStore(db) as store:
        assert [record.target for record in store.iter_records()] == ["/2", "/3"]
    assert not app_home.exists()


def test_a_history_file_that_is_not_one_means_memory(run: Runner, tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    db.write_bytes(b"not a database" * 1000)
    argv = with_history(db, "--until", "1")
    status, lines, answer = one_request(run, argv, "/d")
    assert status == 0
    assert lines[0] == (
        f"warning: cannot use history file {db}: file is not a database; "
        "history is kept in memory only until you quit"
    )
    assert LISTENING.fullmatch(lines[1])
    assert lines[2:] == ["rules: built-in default", *until_end(f"{answer[2]} GET /d -> 200")]


def test_a_body_over_the_limit_is_refused(run: Runner) -> None:
    status, lines, answer = one_request(
        run, plain("--max-body", "1KiB", "--until", "1"), "/big", "POST", b"x" * 2000
    )
    assert status == 0
    assert answer[0] == 413
    refused = f"{answer[2]} POST /big -> 413 (413 body of 2000 bytes exceeds the 1024-byte limit)"
    assert lines[2:] == until_end(refused)


def test_https_with_the_ca_in_ca_dir(run: Runner, tmp_path: Path, app_home: Path) -> None:
    ca_dir = tmp_path / "ca"
    seen: dict[str, Any] = {}

    def client(err: Stderr) -> None:
        port = err.port()
        context = ssl.create_default_context(cafile=str(load_or_create(ca_dir).cert_path))
        conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=WAIT, context=context)
        try:
            conn.connect()
            assert conn.sock is not None
            seen["client"] = f"127.0.0.1:{conn.sock.getsockname()[1]}"
            conn.request("GET", "/secure")
            response = conn.getresponse()
            seen["answer"] = (response.status, response.read())
        finally:
            conn.close()

    argv = ["--headless", "--port", "0", "--no-db", "--ca-dir", str(ca_dir), "--until", "1"]
    status, lines = run(argv, client)
    assert status == 0
    assert seen["answer"] == (200, b"hello world")
    assert lines[2] == f"{seen['client']} GET /secure -> 200"
    assert not app_home.exists()


def test_a_ca_dir_that_cannot_be_used_leaves_https_off(run: Runner, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = ["--headless", "--port", "0", "--no-db", "--ca-dir", str(blocker / "ca"), "--until", "1"]
    status, lines, answer = one_request(run, argv)
    assert status == 0
    assert lines[0] == f"warning: HTTPS is off: cannot create the CA folder {blocker / 'ca'}: Not a directory"
    assert lines[2:] == ["rules: built-in default", *until_end(f"{answer[2]} GET /x -> 200")]


def test_arguments_without_tls_mean_https_off(run: Runner, app_home: Path) -> None:
    args = build_parser().parse_args(plain("--until", "1"))
    del args.tls, args.ca_dir
    status, lines, answer = one_request(run, [], args=args)
    assert status == 0
    assert lines[1:] == ["rules: built-in default", *until_end(f"{answer[2]} GET /x -> 200")]
    assert not app_home.exists()  # no CA was made


# -- stderr that fails -------------------------------------------------------------------------


class FailingStderr(Stderr):
    """Writes the first line, then fails each write it is asked for with ``error`` (once only
    when ``once``)."""

    def __init__(self, error: Exception, *, once: bool = False) -> None:
        super().__init__()
        self.error = error
        self.once = once
        self.attempts = 0

    def write(self, text: str) -> int:
        self.attempts += 1
        if self.attempts == 2 or (self.attempts > 2 and not self.once):
            raise self.error
        return super().write(text)


@pytest.mark.parametrize(
    "error", [BrokenPipeError(32, "Broken pipe"), ValueError("I/O operation on closed file.")]
)
def test_a_closed_stderr_is_given_up_quietly(run: Runner, error: Exception) -> None:
    err = FailingStderr(error)
    status, lines, answer = one_request(run, plain("--until", "1"), err=err)
    assert (status, answer[:2]) == (0, (200, b"hello world"))
    assert len(lines) == 1 and LISTENING.fullmatch(lines[0])
    assert err.attempts == 2  # nothing tried after the first failure


def test_a_line_stderr_cannot_take_is_lost_alone(run: Runner) -> None:
    err = FailingStderr(OSError(28, "No space left on device"), once=True)
    status, lines, answer = one_request(run, plain("--until", "1"), err=err)
    assert status == 0
    assert lines[1:] == until_end(f"{answer[2]} GET /x -> 200")


# -- records lost ------------------------------------------------------------------------------


def long_link_to_dev_full(tmp_path: Path) -> Path:
    """A path of more than 1,000 characters to /dev/full (every write: no space left)."""
    folder = tmp_path
    for _ in range(6):
        folder = folder / ("d" * 200)
    folder.mkdir(parents=True)
    link = folder / "full.jsonl"
    link.symlink_to("/dev/full")
    return link


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_records_not_written_to_the_jsonl_file(run: Runner, tmp_path: Path) -> None:
    out = long_link_to_dev_full(tmp_path)
    seen: dict[str, Any] = {}

    def client(err: Stderr) -> None:
        port = err.port()
        seen["answers"] = [exchange(port, "/1"), exchange(port, "/2")]

    status, lines = run(plain("--jsonl", str(out), "--until", "2"), client)
    assert status == EXIT_RECORDS_LOST
    message = f"cannot write JSONL file {out}: No space left on device; keeping unwritten lines to try again"
    assert len(message) > 1001
    warnings = [line for line in lines if line.startswith("warning:")]
    assert warnings == [f"warning: {message[:1000]}…"]
    assert lines[-3:] == [
        "done: 2 requests recorded (--until 2)",
        "stopped",
        f"error: requests were lost: 2 not written to {out}",
    ]


def locked_history(
    run: Runner, tmp_path: Path, jsonl: Path
) -> tuple[int, list[str], list[tuple[int, bytes, str]]]:
    """A run whose history file another program keeps locked for writing, two requests."""
    db = tmp_path / "h.sqlite3"
    seen: dict[str, Any] = {}

    def client(err: Stderr) -> None:
        port = err.port()
        lock = seen["lock"] = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        lock.execute("BEGIN IMMEDIATE")
        seen["answers"] = [exchange(port, "/1"), exchange(port, "/2")]

    argv = with_history(db, "--jsonl", str(jsonl), "--until", "2")
    try:
        status, lines = run(argv, client)
    finally:
        if "lock" in seen:
            seen["lock"].close()
    return status, lines, seen["answers"]


def without_history_warning(lines: list[str]) -> list[str]:
    """``lines`` after the listening and rules lines, less the history writer's warning
    (said once, from its own thread, before the run ends)."""
    warning = "warning: cannot write history: database is locked"
    assert lines.count(warning) == 1, lines
    assert lines.index(warning) < lines.index("stopped") - 1, lines  # before "done"
    assert LISTENING.fullmatch(lines[0]) and lines[1] == "rules: built-in default", lines
    return [line for line in lines[2:] if line != warning]


def test_records_not_stored_in_the_history(run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "hits.jsonl"
    status, lines, answers = locked_history(run, tmp_path, out)
    assert status == EXIT_RECORDS_LOST
    assert without_history_warning(lines) == [
        f"{answers[0][2]} GET /1 -> 200",
        f"{answers[1][2]} GET /2 -> 200",
        "done: 2 requests recorded (--until 2)",
        "stopped",
        "error: requests were lost: 2 not stored in the history",
    ]
    assert len(out.read_text("utf-8").splitlines()) == 2


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_records_lost_to_both(run: Runner, tmp_path: Path) -> None:
    status, lines, answers = locked_history(run, tmp_path, Path("/dev/full"))
    assert status == EXIT_RECORDS_LOST
    assert without_history_warning(lines) == [
        "warning: cannot write JSONL file /dev/full: No space left on device; "
        "keeping unwritten lines to try again",
        f"{answers[0][2]} GET /1 -> 200",
        f"{answers[1][2]} GET /2 -> 200",
        "done: 2 requests recorded (--until 2)",
        "stopped",
        "error: requests were lost: 2 not stored in the history; 2 not written to /dev/full",
    ]
