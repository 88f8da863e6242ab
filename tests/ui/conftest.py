"""Fixtures for the Qt item model tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from inspector.http.record import CaptureRecord, SentResponse


def make_record(**overrides: Any) -> CaptureRecord:
    """A clean GET record; keyword arguments override any field."""
    fields: dict[str, Any] = {
        "id": 1,
        "received_at": time.time(),
        "client": "127.0.0.1:50000",
        "server": "127.0.0.1:8090",
        "method": "GET",
        "target": "/index.html?name=jack&age=18",
        "path": "/index.html",
        "query": (("name", "jack"), ("age", "18")),
        "http_version": "1.1",
        "headers": (("Host", "127.0.0.1:8090"), ("User-Agent", "test")),
        "raw_head": b"GET /index.html?name=jack&age=18 HTTP/1.1\r\nHost: 127.0.0.1:8090\r\n"
        b"User-Agent: test\r\n\r\n",
        "response": SentResponse(
            status=200, reason="OK", body=b"hello world", rule="default", bytes=80, duration_ms=0.25
        ),
    }
    fields.update(overrides)
    if "body" in overrides and "body_size" not in overrides:
        fields["body_size"] = len(overrides["body"])
    return CaptureRecord(**fields)


@pytest.fixture
def record_factory() -> Callable[..., CaptureRecord]:
    return make_record


# -- window fixtures ------------------------------------------------------------

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

from PySide6.QtCore import QSettings  # noqa: E402

#: the offscreen platform plugin says this once per top-level window; it is not our fault
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Settings in a throwaway file, never the user's."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot: Any, settings: QSettings) -> Iterator[Any]:
    """A shown main window, port 0 (any free port); closed (listener stopped) on teardown."""
    from inspector.ui.main_window import MainWindow

    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    win.set_port(0)
    win.show()
    yield win
    win.close()
    assert not win.is_running()


@pytest.fixture
def listening(qtbot: Any, window: Any) -> Any:
    """The window, listening on 127.0.0.1 on a free port."""
    window.set_address("127.0.0.1")
    window.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)
    return window
