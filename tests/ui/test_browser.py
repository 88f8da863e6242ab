"""A real browser against the window: headless Chromium loads a page from the listener."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from inspector.models.columns import Column, Role
from inspector.ui.main_window import MainWindow

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


def test_chromium_request_shows_up(qtbot: Any, listening: MainWindow, tmp_path: Path) -> None:
    window = listening
    # the empty table names the address to open (issue 12, item 10): open that one
    hint = window.table.empty_text()
    assert hint.startswith(f"Listening. Open {window.url}/ in a browser")
    url = hint.split()[2] + "index.html?name=jack&age=18"
    dom = tmp_path / "dom.html"
    with dom.open("wb") as out:
        proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                url,
            ],
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        try:
            qtbot.waitUntil(lambda: proc.poll() is not None, timeout=90_000)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0
    assert "hello world" in dom.read_text(errors="replace")

    qtbot.waitUntil(lambda: window.model.rowCount() >= 1, timeout=5000)
    records = [window.model.record(row) for row in range(window.model.rowCount())]
    paths = [r.path for r in records]
    assert set(paths) <= {"/index.html", "/favicon.ico"}, paths
    row = paths.index("/index.html")
    record = records[row]
    index = window.proxy.mapFromSource(window.model.index(row, 0)).row()
    cell = lambda column: window.proxy.index(index, column).data()  # noqa: E731
    assert cell(Column.METHOD) == "GET"
    assert cell(Column.PATH) == "/index.html"
    assert cell(Column.QUERY) == "name=jack & age=18"
    assert window.proxy.index(index, 0).data(Role.RECORD) is record
    agent = record.header("User-Agent") or ""
    assert "Chrome" in agent
    # the Headers column shows the fields themselves (issue 12, item 2)
    host = f"Host: {window.url.removeprefix('http://')}"
    assert cell(Column.HEADERS).startswith(host + " · ")
    assert f"User-Agent: {agent[:40]}…" in cell(Column.HEADERS)
    tip = window.proxy.index(index, Column.HEADERS).data(Qt.ItemDataRole.ToolTipRole)
    assert f"User-Agent: {agent}<br>" in tip  # the whole list, whole values
    assert window.table.empty_text() == ""
    window.table.selectRow(index)
    assert window.detail.query_model.rows() == [("name", "jack"), ("age", "18")]
    assert "Chrome" in window.detail.overview["User-Agent"].text()
