"""Window fixtures: throwaway settings, a shown window, a listening window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

#: the offscreen platform plugin says this once per top-level window; it is not our fault
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"
#: and this when a window of ours (the rules editor's) is raised
OFFSCREEN_RAISE = r"This plugin does not support raise\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, OFFSCREEN_RAISE))


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
    window.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)
    return window
