"""The window with HTTPS on: the lock in the table, the handshake in the Overview, the trust
dialog, and both URLs on the listener bar. Real TLS clients (ssl, curl --cacert) on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import http.client
import shutil
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication

from inspector.http.record import CaptureRecord, ClientCert, TLSFacts
from inspector.models.columns import SCHEME_COLUMN, Column
from inspector.models.request_table import RequestTableModel
from inspector.models.row_style import lock_icon
from inspector.store import CaptureStore
from inspector.text import visible
from inspector.tls.ca import load_or_create
from inspector.tls.contexts import ServerContexts
from inspector.tls.trust import trust_text
from inspector.ui.detail_parts import LABEL_LIMIT, TLS_FIELDS
from inspector.ui.main_window import MainWindow
from inspector.ui.trust_dialog import TrustDialog

Factory = Callable[..., CaptureRecord]


@pytest.fixture
def contexts(tmp_path: Path) -> ServerContexts:
    return ServerContexts(load_or_create(tmp_path / "ca"))


@pytest.fixture
def secure(qtbot: Any, settings: QSettings, contexts: ServerContexts) -> Any:
    """A listening window that answers HTTP and HTTPS on one port."""
    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.use_tls(contexts)
    win.set_port(0)
    win.set_address("127.0.0.1")
    win.show()
    win.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: win.url != "", timeout=5000)
    yield win
    win.close()
    assert not win.is_running()


def port_of(window: MainWindow) -> int:
    return int(window.url.rsplit(":", 1)[1])


def status_of(conn: http.client.HTTPConnection, target: str) -> int:
    try:
        conn.request("GET", target)
        return conn.getresponse().status
    finally:
        conn.close()


def https_get(window: MainWindow, ca: Path, target: str) -> int:
    context = ssl.create_default_context(cafile=str(ca))
    conn = http.client.HTTPSConnection("localhost", port_of(window), context=context, timeout=10)
    return status_of(conn, target)


def http_get(window: MainWindow, target: str) -> int:
    return status_of(http.client.HTTPConnection("127.0.0.1", port_of(window), timeout=10), target)


def row_of_path(window: MainWindow, path: str) -> int:
    model = window.model
    return next(r for r in range(model.rowCount()) if model.index(r, Column.PATH).data() == path)


def test_lock_and_overview_for_https_rows_only(
    qtbot: Any, qtmodeltester: Any, secure: MainWindow, contexts: ServerContexts
) -> None:
    window = secure
    qtmodeltester.check(window.model)
    assert https_get(window, contexts.ca_path, "/over-tls") == 200
    assert http_get(window, "/in-clear") == 200
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    qtmodeltester.check(window.model)
    model = window.model
    tls_row, plain_row = row_of_path(window, "/over-tls"), row_of_path(window, "/in-clear")
    icon = model.index(tls_row, SCHEME_COLUMN).data(Qt.ItemDataRole.DecorationRole)
    assert icon is not None and icon.cacheKey() == lock_icon().cacheKey()
    assert model.index(plain_row, SCHEME_COLUMN).data(Qt.ItemDataRole.DecorationRole) is None
    tip = model.index(tls_row, SCHEME_COLUMN).data(Qt.ItemDataRole.ToolTipRole)
    assert "HTTPS" in tip and "TLSv1.3" in tip and "SNI localhost" in tip
    assert "HTTPS" not in (model.index(plain_row, SCHEME_COLUMN).data(Qt.ItemDataRole.ToolTipRole) or "")

    window.table.selectRow(window.proxy.mapFromSource(model.index(tls_row, 0)).row())
    overview, form = window.detail.overview, window.detail._overview_form
    record = window.detail.record
    assert record is not None and record.tls is not None and record.tls.ja4
    assert overview["URL"].text().startswith("https://")
    assert overview["TLS"].text().startswith("TLSv1.3 · TLS_")
    assert overview["SNI"].text() == "localhost"
    assert overview["ALPN"].text().startswith("none chosen (offered: none)")
    assert overview["JA4"].text() == record.tls.ja4
    assert overview["Client certificate"].text() == "none presented"
    assert all(form.isRowVisible(overview[name]) for name in TLS_FIELDS)

    window.table.selectRow(window.proxy.mapFromSource(model.index(plain_row, 0)).row())
    assert not any(form.isRowVisible(overview[name]) for name in TLS_FIELDS)
    assert overview["URL"].text().startswith("http://")


def test_the_lock_stays_when_a_row_becomes_history(
    qapp: Any, qtmodeltester: Any, tmp_path: Path, record_factory: Factory
) -> None:
    """Adopted rows are read back as stored summaries, which say which came over HTTPS."""
    tls = TLSFacts(version="TLSv1.3", sni="x.test")
    records = [
        record_factory(id=1, path="/a", scheme="https", tls=tls, body_truncated=False, error=None),
        record_factory(id=2, path="/b", body_truncated=False, error=None),
    ]
    with CaptureStore(tmp_path / "h.sqlite3") as store:
        model = RequestTableModel(history=store)
        model.load_history()
        store.add_many(records)
        model.append_records(records)
        assert store.flush(10)
        assert model.convert_committed(store.committed_max_id) == 2
        assert not model.pinned and model.is_history_row(0) and model.is_history_row(1)
        qtmodeltester.check(model)
        icons = [model.index(r, SCHEME_COLUMN).data(Qt.ItemDataRole.DecorationRole) for r in range(2)]
        assert icons[0] is not None and icons[1] is None
        assert "HTTPS" in model.index(0, SCHEME_COLUMN).data(Qt.ItemDataRole.ToolTipRole)
        model.remove_oldest_history(1)
        assert model.index(0, SCHEME_COLUMN).data(Qt.ItemDataRole.DecorationRole) is None
    with CaptureStore(tmp_path / "h.sqlite3") as store:  # after a restart
        store.add_many([dataclasses.replace(records[0], id=3)])
        assert store.flush(10)
        model = RequestTableModel(history=store)
        model.load_history()
        assert [model.row_id(r) for r in range(model.rowCount())] == [1, 2, 3]
        icons = [model.index(r, SCHEME_COLUMN).data(Qt.ItemDataRole.DecorationRole) for r in range(3)]
        assert [icon is not None for icon in icons] == [True, False, True]


def test_hostile_sni_and_certificate_are_escaped(
    qtbot: Any, window: MainWindow, record_factory: Factory
) -> None:
    sni = "evil\u202e\x1b[31mmoc.example"
    subject = "CN=<b>bold</b>\u200b\n"
    tls = TLSFacts(
        version="TLSv1.2",
        cipher="ECDHE-RSA-AES128-GCM-SHA256",
        sni=sni,
        alpn_offered=("h2", "http/1.1\x00"),
        alpn="http/1.1",
        ja4="t12d1312h2_8b80da21ef18_77989cba1f4a",
        client_cert=ClientCert(subject=subject, sha256="ab" * 32),
    )
    window.detail.set_record(record_factory(scheme="https", tls=tls))
    overview = window.detail.overview
    assert overview["SNI"].text() == visible(sni, LABEL_LIMIT)
    assert "\u202e" not in overview["SNI"].text() and "\x1b" not in overview["SNI"].text()
    assert overview["ALPN"].text() == visible("http/1.1 (offered: h2, http/1.1\x00)", LABEL_LIMIT)
    assert overview["Client certificate"].text() == visible(f"{subject} (SHA-256 {'ab' * 32})", LABEL_LIMIT)
    assert all(overview[name].textFormat() == Qt.TextFormat.PlainText for name in TLS_FIELDS)
    tip = window.model  # the table's tooltip of a hostile SNI is escaped too
    tip.append_records([record_factory(id=7, scheme="https", tls=tls)])
    text = tip.index(0, SCHEME_COLUMN).data(Qt.ItemDataRole.ToolTipRole)
    assert "\u202e" not in text and "\x1b" not in text and "SNI evil" in text


def test_failed_handshake_overview_says_what_the_hello_said(
    qtbot: Any, window: MainWindow, record_factory: Factory
) -> None:
    tls = TLSFacts(sni="localhost", alpn_offered=("http/1.1",), ja4="t13d0000h1_000000000000_000000000000")
    window.detail.set_record(record_factory(scheme="https", tls=tls, error="TLS handshake failed: x"))
    overview = window.detail.overview
    assert overview["TLS"].text().startswith("the handshake was not done")
    assert overview["ALPN"].text() == "offered: http/1.1"


def test_trust_dialog_has_the_text_of_dash_dash_ca_and_saves_ca_pem(
    qtbot: Any, secure: MainWindow, contexts: ServerContexts, tmp_path: Path
) -> None:
    action = secure.trust.action
    assert action.isEnabled() and action.text() == "HTTPS: trust the local CA…"
    action.trigger()
    dialog = secure.trust.dialog
    assert isinstance(dialog, TrustDialog) and dialog.isVisible()
    ca_pem = contexts.ca_path.resolve()
    https = secure.listener_bar.https_url
    assert https == "https://" + secure.url.removeprefix("http://")
    assert dialog.text.toPlainText() == trust_text(ca_pem, url=https)
    target = tmp_path / "saved" / "my-ca.pem"
    target.parent.mkdir()
    dialog.ask_path = lambda _parent: str(target)
    dialog.save_button.click()
    assert target.read_bytes() == ca_pem.read_bytes()
    assert dialog.result_label.text() == f"Saved to {target}"
    dialog.ask_path = lambda _parent: str(tmp_path / "no-such-folder" / "ca.pem")
    dialog.save_button.click()
    assert dialog.result_label.text().startswith("Could not save the certificate: ")
    dialog.ask_path = lambda _parent: ""  # cancelled: nothing changes
    dialog.save_button.click()
    assert dialog.result_label.text().startswith("Could not save the certificate: ")
    dialog.close()


def test_trust_action_is_off_without_tls(window: MainWindow) -> None:
    assert not window.trust.action.isEnabled()
    window.trust.action.trigger()
    assert window.trust.dialog is None


def test_url_button_offers_https_when_tls_is_on(qtbot: Any, secure: MainWindow) -> None:
    bar = secure.listener_bar
    http_url, https_url = secure.url, bar.https_url
    assert https_url.startswith("https://127.0.0.1:")
    texts = [action.text() for action in bar.url_menu.actions()]
    assert texts == [f"Open {http_url}/", f"Copy {http_url}", f"Open {https_url}/", f"Copy {https_url}"]
    assert bar.url_button.menu() is bar.url_menu
    assert https_url in bar.status_label.text() and http_url in bar.status_label.text()
    bar.url_menu.actions()[3].trigger()
    assert QGuiApplication.clipboard().text() == https_url
    bar.url_menu.actions()[1].trigger()
    assert QGuiApplication.clipboard().text() == http_url


def test_url_button_has_no_https_without_tls(qtbot: Any, listening: MainWindow) -> None:
    bar = listening.listener_bar
    assert bar.https_url == "" and bar.url_button.menu() is None
    assert "https://" not in bar.status_label.text()


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
def test_curl_with_the_ca_gets_a_locked_row(qtbot: Any, secure: MainWindow, contexts: ServerContexts) -> None:
    url = f"https://localhost:{port_of(secure)}/by-curl"
    done = subprocess.run(
        ["curl", "-sS", "--cacert", str(contexts.ca_path), "-o", "/dev/null", "-w", "%{http_code}", url],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.stdout == "200", done.stderr
    qtbot.waitUntil(lambda: secure.model.rowCount() == 1, timeout=5000)
    record = secure.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 2)
    assert record.scheme == "https" and record.tls.sni == "localhost"
    assert secure.model.index(0, SCHEME_COLUMN).data(Qt.ItemDataRole.DecorationRole) is not None
