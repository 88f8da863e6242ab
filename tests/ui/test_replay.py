"""Replay: the client (raw socket, order and case kept) and the dialog against the
window's own listener. Everything is sent to 127.0.0.1 only."""

from __future__ import annotations

import http.client
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column, Role
from inspector.replay import (
    REPLAY_HEADER,
    ReplayCall,
    ReplayCancelled,
    ReplayError,
    ReplayRequest,
    build_request,
    split_url,
)
from inspector.ui.main_window import MainWindow
from inspector.ui.replay_dialog import ReplayDialog, parse_headers_text, replay_choices, replay_url

Factory = Callable[..., CaptureRecord]


def test_build_request_keeps_order_case_and_duplicates() -> None:
    request = ReplayRequest(
        method="POST",
        url="http://127.0.0.1:9/p?q=1",
        headers=(
            ("x-lower", "a"),
            ("content-length", "999"),
            ("X-Dup", "1"),
            ("X-Dup", "2"),
            ("Transfer-Encoding", "chunked"),
        ),
        body=b"\x00\xffbin",
    )
    assert build_request(request) == (
        b"POST /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nx-lower: a\r\ncontent-length: 5\r\n"
        b"X-Dup: 1\r\nX-Dup: 2\r\n\r\n\x00\xffbin"
    )
    assert build_request(ReplayRequest(method="POST", url="http://h/", body=b"ab")).endswith(
        b"Host: h\r\nContent-Length: 2\r\n\r\nab"
    )


def test_http_and_https_urls() -> None:
    assert split_url("https://example.com/") == ("example.com", 443, "/")
    with pytest.raises(ReplayError, match="not an http:// or https:// URL"):
        split_url("ftp://example.com/")
    assert split_url("http://[::1]:8090/a?b") == ("::1", 8090, "/a?b")
    assert build_request(ReplayRequest(method="GET", url="https://h/")).startswith(
        b"GET / HTTP/1.1\r\nHost: h\r\n"
    )
    assert b"Host: h:80\r\n" in build_request(ReplayRequest(method="GET", url="https://h:80/"))


def test_header_text_round_trip() -> None:
    pairs = parse_headers_text("A: 1\n\nb-c:  two words \nA: 3")
    assert pairs == (("A", "1"), ("b-c", "two words"), ("A", "3"))
    with pytest.raises(ReplayError, match="line 1"):
        parse_headers_text("no colon here")


def test_urls(record_factory: Factory) -> None:
    record = record_factory()
    assert record.url == "http://127.0.0.1:8090/index.html?name=jack&age=18"
    assert replay_url(record, "http://127.0.0.1:5555") == "http://127.0.0.1:5555/index.html?name=jack&age=18"
    assert replay_url(record_factory(target="*"), "") == "http://127.0.0.1:8090/"
    assert record_factory(target="http://example.com/x").url == "http://example.com/x"


def test_replay_to_own_listener_adds_a_row(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 0, timeout=5)
    conn.request("PUT", "/orig?a=1", body=b"\x00binary\xff", headers={"X-Case": "Kept"})
    assert conn.getresponse().read() == b"hello world"
    conn.close()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    record = window.proxy.index(0, Column.ID).data(Role.RECORD)

    # the context menu's action reaches the window through the view's signal
    window.table.selectRow(0)
    window.table.replay_action.trigger()
    assert len(window.replays.dialogs) == 1
    dialog = window.replays.dialogs[0]
    assert isinstance(dialog, ReplayDialog)
    assert dialog.url_edit.text() == window.url + "/orig?a=1"
    assert dialog.method_combo.currentText() == "PUT"
    assert dialog.body_edit.isReadOnly()  # binary: kept byte for byte
    dialog.headers_edit.setPlainText(dialog.headers_edit.toPlainText() + "\nX-Replayed: yes")
    with qtbot.waitSignal(dialog.response_shown, timeout=10000) as blocker:
        dialog.send_button.click()
    assert blocker.args[0].status == 200
    assert "HTTP/1.1 200 OK" in dialog.status_label.text()
    assert dialog.response_edit.toPlainText().endswith("hello world")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    replayed = window.model.record(1)
    assert replayed.id == record.id + 1
    assert replayed.method == "PUT" and replayed.target == "/orig?a=1"
    assert replayed.body == b"\x00binary\xff"
    assert replayed.header("X-Replayed") == "yes"
    # the captured headers in their order and case, the edit appended
    assert [name for name, _ in replayed.headers] == [name for name, _ in record.headers] + [
        "X-Replayed",
        REPLAY_HEADER,  # ticked by default: the replay goes to this listener
    ]
    dialog.close()


def test_an_https_record_is_replayed_to_the_listeners_https_side(qtbot: Any, record_factory: Factory) -> None:
    record = record_factory(scheme="https")
    assert replay_url(record, "http://127.0.0.1:8090").startswith("https://127.0.0.1:8090/")
    assert replay_url(record_factory(), "http://127.0.0.1:8090").startswith("http://127.0.0.1:8090/")
    dialog = ReplayDialog(record, "http://127.0.0.1:8090", cafile="/ca.pem")
    qtbot.addWidget(dialog)
    assert dialog.url_edit.text().startswith("https://") and dialog.cafile == "/ca.pem"
    dialog.url_edit.setText("ftp://127.0.0.1:1/")
    dialog.send_button.click()
    assert "not an http:// or https:// URL" in dialog.status_label.text()


def test_replay_failure_is_a_message(qtbot: Any, record_factory: Factory) -> None:
    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dialog = ReplayDialog(record_factory(), f"http://127.0.0.1:{port}")
    qtbot.addWidget(dialog)
    dialog.send_button.click()
    qtbot.waitUntil(lambda: "cannot reach" in dialog.status_label.text(), timeout=10000)
    qtbot.waitUntil(dialog.send_button.isEnabled)


# -- a replay never hangs anything (issue: hardening, item 12) ----------------------------


class Trickler:
    """A local server that answers one byte every 20 ms, for at most ``limit`` s:
    a head that never ends (``head=True``) or a body that never ends."""

    def __init__(self, *, head: bool, limit: float = 20.0) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/slow"
        self._head = head
        self._limit = limit
        self.trickling = threading.Event()  # the first bytes went out
        self.client_gone = threading.Event()  # the client closed the connection
        self.gave_up = threading.Event()  # the limit passed with the client still there
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        conn, _ = self._listener.accept()
        with conn:
            conn.recv(65536)
            if not self._head:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
            ends = time.monotonic() + self._limit
            while time.monotonic() < ends:
                try:
                    conn.sendall(b"X" if self._head else b"x")
                    self.trickling.set()
                    readable, _, _ = select.select([conn], [], [], 0.02)
                    if readable and not conn.recv(1):
                        break
                except OSError:  # reset: closed with our bytes unread
                    break
            else:
                self.gave_up.set()
                return
            self.client_gone.set()

    def close(self) -> None:
        self._listener.close()
        self._thread.join(self._limit + 5)


@pytest.fixture(params=[True, False], ids=["head", "body"])
def trickler(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    server = Trickler(head=request.param)
    yield server
    server.close()


def test_the_exchange_deadline_cuts_off_a_trickling_server(trickler: Trickler) -> None:
    call = ReplayCall(ReplayRequest(method="GET", url=trickler.url), timeout=5, deadline=0.5)
    with pytest.raises(ReplayError, match=r"did not end within 0\.5 s and was cut off"):
        call.run()
    assert trickler.trickling.is_set()
    assert trickler.client_gone.wait(10) and not trickler.gave_up.is_set()


def test_cancel_ends_a_replay_from_another_thread(trickler: Trickler) -> None:
    call = ReplayCall(ReplayRequest(method="GET", url=trickler.url))
    errors: list[BaseException] = []

    def run() -> None:
        try:
            call.run()
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert trickler.trickling.wait(10)
    call.cancel()
    assert trickler.client_gone.wait(10) and not trickler.gave_up.is_set()
    worker.join()
    assert len(errors) == 1 and isinstance(errors[0], ReplayCancelled)


def test_closing_the_dialog_never_waits_for_the_replay(
    qtbot: Any, trickler: Trickler, record_factory: Factory
) -> None:
    dialog = ReplayDialog(record_factory(), trickler.url)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.send_button.click()
    qtbot.waitUntil(trickler.trickling.is_set, timeout=10000)
    dialog.close()
    # close() returned while the server still trickles: it did not wait for the exchange
    assert not trickler.client_gone.is_set() and not trickler.gave_up.is_set()
    assert not dialog.isVisible()
    # and the replay was cancelled, not left running
    qtbot.waitUntil(trickler.client_gone.is_set, timeout=10000)
    assert not trickler.gave_up.is_set()


def test_closing_the_window_cancels_open_replays(
    qtbot: Any, listening: MainWindow, record_factory: Factory
) -> None:
    window = listening
    server = Trickler(head=False)
    try:
        dialog = window.replays.open(record_factory())
        dialog.url_edit.setText(server.url)
        dialog.send_button.click()
        qtbot.waitUntil(server.trickling.is_set, timeout=10000)
        window.close()
        assert not window.replays.dialogs
        qtbot.waitUntil(server.client_gone.is_set, timeout=10000)
        assert not server.gave_up.is_set()
    finally:
        server.close()


# -- where a replay goes -------------------------------------------------------------------


def test_foreign_targets_are_offered_not_used(record_factory: Factory) -> None:
    absolute = record_factory(
        target="http://example.invalid:81/x?y=1", path="/x", headers=(("Host", "example.invalid:81"),)
    )
    assert replay_choices(absolute, "http://127.0.0.1:5555") == [
        "http://127.0.0.1:5555/x?y=1",
        "http://example.invalid:81/x?y=1",
    ]
    foreign_host = record_factory(target="/a?b=2", path="/a", headers=(("Host", "evil.example"),))
    assert replay_choices(foreign_host, "") == ["http://127.0.0.1:8090/a?b=2", "http://evil.example/a?b=2"]
    own = record_factory()
    assert replay_choices(own, "") == ["http://127.0.0.1:8090/index.html?name=jack&age=18"]
    connect = record_factory(method="CONNECT", target="example.invalid:443", path="")
    assert replay_choices(connect, "http://127.0.0.1:5555") == ["http://127.0.0.1:5555/"]


@pytest.mark.parametrize(
    ("wire", "path", "original"),
    [
        (
            b"GET http://example.invalid:81/x?y=1 HTTP/1.1\r\nHost: example.invalid:81\r\n\r\n",
            "/x?y=1",
            "http://example.invalid:81/x?y=1",
        ),
        (b"GET /a?b=2 HTTP/1.1\r\nHost: evil.example\r\n\r\n", "/a?b=2", "http://evil.example/a?b=2"),
    ],
)
def test_replaying_a_request_for_another_host_goes_to_this_listener(
    qtbot: Any, listening: MainWindow, wire: bytes, path: str, original: str
) -> None:
    window = listening
    parts = urlsplit(window.url)
    with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=5) as sock:
        sock.sendall(wire)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    window.table.selectRow(0)
    window.table.replay_action.trigger()
    dialog = window.replays.dialogs[0]
    assert dialog.url_edit.text() == window.url + path
    choices = [dialog.url_combo.itemText(i) for i in range(dialog.url_combo.count())]
    assert choices == [window.url + path, original]
    assert window.detail.overview["URL"].text() == original  # CaptureRecord.url, as the pane shows it
    with qtbot.waitSignal(dialog.response_shown, timeout=10000):
        dialog.send_button.click()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    assert window.model.record(1).target == path
    dialog.close()
