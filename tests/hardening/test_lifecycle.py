"""Starting and stopping leaves nothing behind (the "Hardening" issue, item 3).

* 100 start/stop cycles of ListenerThread in one process, each with a request
  answered and a client still connected at stop: afterwards the process has as
  many file descriptors, OS threads and Python threads as after one warm-up
  cycle (Qt opens a few things once, lazily; the warm-up absorbs them).
* Closing the main window with 50 clients connected in every state (idle,
  half a head, half a body, answered keep-alive, pipelined) stops the
  listener, closes every one of those connections and logs no Qt warning
  (pytest's ``qt_log_level_fail = WARNING`` fails the test on one).

tests/test_listener.py and tests/ui/test_main_window.py check one stop with
idle clients; these check that repeating it does not accumulate anything.
"""

from __future__ import annotations

import gc
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings

from inspector.capture import Recorder
from inspector.listener import ListenerThread
from tests.harness import WAIT, RawClient, get, open_fds

CYCLES = 100
#: the offscreen platform plugin says this once per top-level window; not ours
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def counts() -> tuple[int, int, list[str]]:
    return open_fds(), os_threads(), sorted(t.name for t in threading.enumerate())


def settle(qtbot: Any, want: tuple[int, int, list[str]] | None = None) -> tuple[int, int, list[str]]:
    """Counts once deleted QObjects are gone and exiting threads have left.

    Polls (bounded) until the counts equal ``want``, or without ``want`` until
    they have stayed the same for ten polls in a row.
    """
    deadline = time.monotonic() + WAIT
    previous, same = None, 0
    while True:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        now = counts()
        same = same + 1 if now == previous else 0
        previous = now
        if (now == want if want is not None else same >= 10) or time.monotonic() > deadline:
            return now
        qtbot.wait(10)  # lets the event loop run while polling; bounded by the deadline


def cycle(qtbot: Any, number: int) -> None:
    thread = ListenerThread("127.0.0.1", 0, recorder=Recorder())
    with qtbot.waitSignal(thread.listening, timeout=int(WAIT * 1000)) as blocker:
        thread.start()
    parts = urlsplit(blocker.args[0])
    assert parts.port
    answered = RawClient.connect(parts.port)
    answered.send(get(f"/cycle/{number}"))
    assert answered.response().status == 200
    lingering = RawClient.connect(parts.port)  # still connected when the listener stops
    lingering.send(b"GET /half HTTP/1.1\r\nHo")
    assert thread.stop(), "the listener thread did not end"
    assert thread.isFinished()
    lingering.wait_closed()
    answered.wait_closed()
    answered.close()
    lingering.close()
    thread.deleteLater()


def test_hundred_start_stop_cycles_leave_nothing_behind(qtbot: Any, record_property: Any) -> None:
    cycle(qtbot, 0)  # warm-up: Qt's lazily created helpers (event dispatcher pieces, ...)
    baseline = settle(qtbot)
    started = time.monotonic()
    for number in range(1, CYCLES + 1):
        cycle(qtbot, number)
    elapsed = time.monotonic() - started
    after = settle(qtbot, baseline)
    print(
        f"\n[hardening] {CYCLES} listener cycles in {elapsed:.2f} s;"
        f" fds {baseline[0]} -> {after[0]}, OS threads {baseline[1]} -> {after[1]},"
        f" Python threads {baseline[2]} -> {after[2]}"
    )
    record_property("listener_cycles_s", f"{elapsed:.2f}")
    record_property("fds_before_after", f"{baseline[0]} -> {after[0]}")
    record_property("os_threads_before_after", f"{baseline[1]} -> {after[1]}")
    record_property("python_threads_before_after", f"{baseline[2]} -> {after[2]}")
    assert after[0] == baseline[0], "file descriptors leaked"
    assert after[1] == baseline[1], "OS threads left running"
    assert after[2] == baseline[2], "Python threads left running"


@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
def test_closing_the_window_with_fifty_clients_connected(
    qtbot: Any, tmp_path: Path, record_property: Any
) -> None:
    from inspector.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.set_address("127.0.0.1")
    window.set_port(0)
    window.show()
    window.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "", timeout=int(WAIT * 1000))
    port = urlsplit(window.url).port
    assert port
    listener = window.capture.listener
    assert listener is not None

    clients: list[RawClient] = []
    states = ["idle", "half-head", "half-body", "keep-alive", "pipelined"]
    for i in range(50):
        client = RawClient.connect(port)
        clients.append(client)
        state = states[i % len(states)]
        if state == "half-head":
            client.send(b"GET /half HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        elif state == "half-body":
            client.send(b"POST /body HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\nstart")
        elif state == "keep-alive":
            client.send(get(f"/kept/{i}"))
            assert client.response().status == 200
        elif state == "pipelined":
            client.send(get(f"/p/{i}/1") + get(f"/p/{i}/2") + b"GET /p/3 HTTP/1.1\r\n")
            assert client.response().status == 200
            assert client.response().status == 200
    qtbot.waitUntil(lambda: window.model.rowCount() >= 30, timeout=int(WAIT * 1000))

    started = time.monotonic()
    window.close()
    close_ms = (time.monotonic() - started) * 1000.0
    assert not window.is_running()
    assert listener.isFinished()
    for client in clients:
        client.wait_closed()  # the listener closed every connection on its way out
        client.close()
    # nothing listens any more
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.settimeout(WAIT)
        probe.connect(("127.0.0.1", port))
    print(f"\n[hardening] window closed with 50 clients connected in {close_ms:.1f} ms")
    record_property("close_with_50_clients_ms", f"{close_ms:.1f}")
