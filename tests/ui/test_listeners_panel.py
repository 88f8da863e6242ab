"""The window's listeners list: more listeners on the one loop, each with its own state,
a "Use N" button on a port in use, a wildcard's URLs, remembered across restarts."""

from __future__ import annotations

import http.client
import socket
import ssl
from argparse import Namespace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, QSettings, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from inspector.listen import ListenSpec
from inspector.models.columns import Column
from inspector.tls.contexts import from_command_line
from inspector.ui.capture import State
from inspector.ui.listeners_panel import ListenerRow
from inspector.ui.main_window import MainWindow, open_window
from tests.network import ipv6_loopback

WAIT_MS = 10_000


def get(host: str, port: int, path: str) -> int:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def listening_port(qtbot: Any, window: MainWindow, row: ListenerRow) -> int:
    qtbot.waitUntil(lambda: window.capture.state(row.key) is not State.STARTING, timeout=WAIT_MS)
    assert window.capture.state(row.key) is State.LISTENING, row.state_label.text()
    text = row.state_label.text()
    assert text.startswith("Listening on ")
    return int(text.rsplit(":", 1)[1])


def refused(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.settimeout(10)
        return probe.connect_ex((host, port)) != 0


def test_toolbar_and_list_listeners_serve_at_once_on_one_thread(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    main_port = int(window.url.rsplit(":", 1)[1])
    thread = window.capture.listener
    hosts = ["127.0.0.1", "::1"] if ipv6_loopback() else ["127.0.0.1", "127.0.0.1"]
    rows = [window.listeners.add_listener(ListenSpec(host, 0)) for host in hosts]
    assert all(rows)
    for row in rows:
        assert row is not None
        row.start_button.click()
    ports = [listening_port(qtbot, window, row) for row in rows if row is not None]
    assert window.capture.listener is thread  # one loop thread for all of them
    for host, port in [("127.0.0.1", main_port), *zip(hosts, ports, strict=True)]:
        assert get(host, port, f"/to/{port}") == 200
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=WAIT_MS)
    servers = {window.model.record(row).server for row in range(3)}
    names = {ListenSpec(host, port).name for host, port in zip(hosts, ports, strict=True)}
    assert servers == {f"127.0.0.1:{main_port}", *names}

    first = rows[0]
    assert first is not None
    first.start_button.click()  # Stop: only this one
    assert first.start_button.text() == "Start"
    qtbot.waitUntil(lambda: refused(hosts[0], ports[0]), timeout=WAIT_MS)
    assert get("127.0.0.1", main_port, "/still") == 200
    assert get(hosts[1], ports[1], "/still") == 200

    window.stop()  # the toolbar's listener; the list's second one serves on
    assert not window.is_running()
    assert window.capture.listener is thread and thread.isRunning()
    assert get(hosts[1], ports[1], "/alone") == 200
    assert refused("127.0.0.1", main_port)
    second = rows[1]
    assert second is not None
    second.remove_button.click()  # removing a running listener stops it; the last one ends the thread
    assert window.capture.listener is None
    assert thread.isFinished()
    assert list(window.listeners.rows) == [first.key]


def test_a_port_in_use_offers_a_free_one(qtbot: Any, window: MainWindow) -> None:
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        row = window.listeners.add_listener(ListenSpec("127.0.0.1", port))
        assert row is not None
        row.start_button.click()
        qtbot.waitUntil(lambda: window.capture.state(row.key) is State.FAILED, timeout=WAIT_MS)
        assert row.state_label.text().startswith(f"port {port} on 127.0.0.1 is in use by ")
        assert not row.use_button.isHidden()
        free = row.free_port
        assert free and free != port
        assert row.use_button.text() == f"Use {free}"
        assert row.start_button.text() == "Start"
        assert window.capture.listener is None  # nothing else listens: no loop thread
        row.use_button.click()
        assert listening_port(qtbot, window, row) == free
        assert row.port_spin.value() == free
        assert row.use_button.isHidden()
        assert get("127.0.0.1", free, "/free") == 200


def test_a_wildcard_lists_and_copies_the_urls_that_reach_it(qtbot: Any, window: MainWindow) -> None:
    row = window.listeners.add_listener(ListenSpec("0.0.0.0", 0))
    assert row is not None
    row.start_button.click()
    port = listening_port(qtbot, window, row)
    urls = row.urls_label.text().splitlines()
    assert urls[0] == f"http://127.0.0.1:{port}"  # loopback first
    assert not any("0.0.0.0" in url for url in urls)
    assert not row.copy_button.isHidden()
    row.copy_button.click()
    assert QGuiApplication.clipboard().text().splitlines() == urls
    assert get("127.0.0.1", port, "/wild") == 200
    row.start_button.click()
    assert row.urls_label.isHidden()


class Opened(QObject):
    """Stands in for the browser: the URLs QDesktopServices was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_with_https_on_a_listener_offers_both_urls_and_each_answers(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    window.capture.tls, problem = from_command_line("auto", str(tmp_path / "ca"))
    assert window.capture.tls is not None, problem
    row = window.listeners.add_listener(ListenSpec("127.0.0.1", 0))
    assert row is not None
    row.start_button.click()
    port = listening_port(qtbot, window, row)
    assert row.urls == [f"http://127.0.0.1:{port}", f"https://127.0.0.1:{port}"]
    assert row.urls_label.text().splitlines() == row.urls
    row.copy_button.click()
    assert QGuiApplication.clipboard().text().splitlines() == row.urls
    assert get("127.0.0.1", port, "/plain") == 200
    context = ssl.create_default_context(cafile=str(window.capture.tls.ca_path))
    secure = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    try:
        secure.request("GET", "/secure")
        assert secure.getresponse().status == 200
    finally:
        secure.close()
    opened = Opened()
    QDesktopServices.setUrlHandler("http", opened, "open")
    QDesktopServices.setUrlHandler("https", opened, "open")
    try:
        row.open_button.click()  # this machine's plain URL
        menu = row.open_button.menu()
        assert menu is not None
        menu.actions()[1].trigger()
    finally:
        QDesktopServices.unsetUrlHandler("http")
        QDesktopServices.unsetUrlHandler("https")
    assert opened.urls == [f"http://127.0.0.1:{port}/", f"https://127.0.0.1:{port}/"]


def test_without_https_one_url_and_no_menu(qtbot: Any, window: MainWindow) -> None:
    row = window.listeners.add_listener(ListenSpec("127.0.0.1", 0))
    assert row is not None
    row.start_button.click()
    port = listening_port(qtbot, window, row)
    assert row.urls == [f"http://127.0.0.1:{port}"]
    assert not row.open_button.isHidden() and row.open_button.menu() is None
    row.start_button.click()
    assert row.open_button.isHidden() and row.urls == []


def test_a_second_listener_brings_the_listener_column(qtbot: Any, listening: MainWindow) -> None:
    table = listening.table
    assert table.isColumnHidden(Column.LISTENER)
    header = table.horizontalHeader()
    assert header.visualIndex(Column.LISTENER) == header.visualIndex(Column.CLIENT) + 1
    row = listening.listeners.add_listener(ListenSpec("127.0.0.1", 0))
    assert row is not None
    row.start_button.click()
    port = listening_port(qtbot, listening, row)
    assert not table.isColumnHidden(Column.LISTENER)
    assert table.column_actions[Column.LISTENER].isChecked()
    assert get("127.0.0.1", port, "/second") == 200
    qtbot.waitUntil(lambda: listening.model.rowCount() == 1, timeout=WAIT_MS)
    index = listening.model.index(0, Column.LISTENER)
    assert listening.model.data(index) == f"127.0.0.1:{port}"
    listening.filter_bar.edit.setText(f"listener:{port}")
    qtbot.waitUntil(lambda: listening.proxy.rowCount() == 1, timeout=WAIT_MS)
    listening.filter_bar.edit.setText("listener:1")
    qtbot.waitUntil(lambda: listening.proxy.rowCount() == 0, timeout=WAIT_MS)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (["127.0.0.1:9001", "[::1]:0"], ["127.0.0.1:9001", "[::1]:0"]),
        ("127.0.0.1:9002", ["127.0.0.1:9002"]),  # how QSettings gives back a one-item list
        (["bad", 7, "1.2.3.4:70000", "localhost:9003"], ["localhost:9003"]),
        (12, []),
    ],
)
def test_the_list_is_remembered(qtbot: Any, settings: QSettings, stored: object, expected: list[str]) -> None:
    settings.setValue("listen/others", stored)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    assert window.listeners.names() == expected
    window.listeners.add_listener(ListenSpec("::", 8095))
    window.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.listeners.names() == [*expected, "[::]:8095"]
    again.close()


def test_listen_flags_set_the_toolbar_and_the_list(qtbot: Any, settings: QSettings) -> None:
    args = Namespace(
        db=None, no_db=True, history_limit=None, rules=None, bind=None, port=None,
        listen=["[::1]:9011", "127.0.0.1:9012", "0.0.0.0:0"],
    )  # fmt: skip
    window = open_window(args, settings)
    qtbot.addWidget(window)
    assert (window.listener_bar.address(), window.listener_bar.port()) == ("::1", 9011)
    assert window.listeners.names() == ["127.0.0.1:9012", "0.0.0.0:0"]
    window.close()
