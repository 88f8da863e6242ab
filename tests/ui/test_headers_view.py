"""Headers, visible (issue 12, item 2): the table's Headers column shows the
fields themselves, compactly, from live and stored rows alike; the detail pane's
Headers tab gives the values the pane's width."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt

from inspector.http.record import CaptureRecord
from inspector.models.columns import HEADER_VALUE_LIMIT, Column
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore
from inspector.ui.detail_pane import MARKER_COLUMN
from inspector.ui.main_window import MainWindow

Factory = Callable[..., CaptureRecord]
CHROME = (
    ("Host", "127.0.0.1:8090"),
    ("Connection", "keep-alive"),
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"),
    ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ("X-Evil", "<b>x</b>\x1b[2J\u202e"),
)


def cell(model: Any, row: int, column: Column, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return model.index(row, column).data(role)


def test_the_column_shows_the_fields(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(headers=CHROME)])
    shown = cell(model, 0, Column.HEADERS)
    assert shown.startswith("Host: 127.0.0.1:8090 · Connection: keep-alive · User-Agent: Mozilla/5.0 (X11;")
    ua = CHROME[2][1]
    assert f"User-Agent: {ua[:HEADER_VALUE_LIMIT]}… · Accept: " in shown  # each value kept short
    assert shown.endswith("X-Evil: <b>x</b>\\x1b[2J\\u202e")  # escaped, never raw
    assert cell(model, 0, Column.HEADERS, Qt.ItemDataRole.TextAlignmentRole) is None  # text: left
    tip = cell(model, 0, Column.HEADERS, Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("<qt>") and "5 header fields<br>Host: 127.0.0.1:8090<br>" in tip
    assert f"User-Agent: {ua}<br>" in tip  # the whole list, whole values
    assert "&lt;b&gt;x&lt;/b&gt;" in tip and "<b>x" not in tip and "\x1b" not in tip
    assert model.headerData(Column.HEADERS, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)


def test_many_or_huge_fields_stay_one_short_cell(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    many = tuple((f"X-{i}", "v" * 100) for i in range(10_000))
    model.append_records([record_factory(headers=many), record_factory(id=2, headers=(("N" * 70_000, "v"),))])
    for row in (0, 1):
        assert len(cell(model, row, Column.HEADERS)) <= 301
    assert cell(model, 0, Column.HEADERS).startswith("X-0: " + "v" * HEADER_VALUE_LIMIT + "…")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "h.sqlite3") as s:
        yield s


def test_stored_rows_show_the_same_fields(qapp: Any, store: CaptureStore, record_factory: Factory) -> None:
    records = [record_factory(id=i, headers=CHROME[: 1 + i % 5]) for i in range(1, 40)]
    live = RequestTableModel()
    live.append_records(records)
    store.add_many(records)
    assert store.flush(10)
    stored = RequestTableModel(history=store, page_size=16)
    stored.load_history()
    assert stored.history_count == 39
    for row in range(39):
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            assert cell(stored, row, Column.HEADERS, role) == cell(live, row, Column.HEADERS, role)


def value_right_edge(window: MainWindow) -> int:
    header = window.detail.headers_table.horizontalHeader()
    return header.sectionViewportPosition(1) + header.sectionSize(1)


def test_the_headers_tab_gives_the_values_the_width(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 0, timeout=5)
    conn.request("GET", "/plain", headers={"X-One": "1"})
    conn.getresponse().read()
    conn.close()
    with socket.create_connection((parts.hostname or "", parts.port or 0), timeout=5) as sock:
        sock.sendall(
            b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nabc\r\n0\r\nX-Checksum: 42\r\n\r\n"
        )
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    detail = window.detail
    detail.setCurrentWidget(detail.headers_table)
    table = detail.headers_table
    marker = table.horizontalHeader()

    window.table.selectRow(0)
    assert table.isColumnHidden(MARKER_COLUMN)
    qtbot.waitUntil(lambda: value_right_edge(window) == table.viewport().width())

    window.table.selectRow(1)
    assert not table.isColumnHidden(MARKER_COLUMN)
    assert detail.headers_model.rows()[-1] == ("X-Checksum", "42")
    trailer_edge = marker.sectionViewportPosition(MARKER_COLUMN)
    qtbot.waitUntil(lambda: value_right_edge(window) == marker.sectionViewportPosition(MARKER_COLUMN))
    assert marker.sectionSize(MARKER_COLUMN) < 120 and trailer_edge > table.viewport().width() // 2
    assert marker.sectionViewportPosition(MARKER_COLUMN) + marker.sectionSize(MARKER_COLUMN) == (
        table.viewport().width()
    )


def test_tooltip_lines_escape_each_line() -> None:
    from inspector.text import tooltip_lines

    tip = tooltip_lines(["a: one\ntwo", "<b>: \u202e", "c"], limit=40)
    assert tip == "<qt><p style='white-space:pre-wrap'>a: one\\ntwo<br>&lt;b&gt;: \\u202e<br>c</p></qt>"
    long = tooltip_lines(["x" * 30, "y" * 30, "z" * 30], limit=40)
    assert long.count("<br>") == 2 and "z" not in long and long.endswith("…</p></qt>")
