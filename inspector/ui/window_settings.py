"""What the window remembers between runs (QSettings): geometry, docks, the
splitter, the table's columns, the listener's address and port, "Follow newest".

A settings file is outside data too: it may be damaged, edited by hand, or
written by another version. Every value is checked for its type and range
before use, and one that does not fit is ignored (the default is used), so no
settings file keeps the window from opening.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QSplitter

from inspector.ui.listener_bar import ListenerBar
from inspector.ui.listeners_panel import ListenersPanel
from inspector.ui.request_view import RequestTableView

#: the window's size when nothing usable is remembered
DEFAULT_SIZE: Final = (1280, 800)
#: the table/detail split when nothing usable is remembered
DEFAULT_SPLIT: Final = (330, 420)
#: saved widget states larger than this are not from us
MAX_STATE_BYTES: Final = 64 * 1024
#: the longest bind address taken from the settings
MAX_ADDRESS_LENGTH: Final = 255
#: the window's width less the table's viewport (margins, frame, a vertical scroll bar)
TABLE_CHROME: Final = 32


def _state(settings: QSettings, key: str) -> QByteArray | None:
    """A saved widget state (geometry, dock layout, header): bytes of a sane size, else None."""
    value = settings.value(key)
    if isinstance(value, bytes | bytearray):
        value = QByteArray(bytes(value))
    if not isinstance(value, QByteArray) or value.isEmpty() or value.size() > MAX_STATE_BYTES:
        return None
    return value


def _port(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit() or len(text) > 5:  # "1e400", "-1", "99999999999999999999"
            return None
        value = int(text)
    if isinstance(value, int) and 0 <= value <= 65535:
        return value
    return None


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "false", "0"):
        return value.strip().lower() in ("true", "1")
    if isinstance(value, int):
        return bool(value)
    return None


class WindowSettings:
    """Restores and saves the state of ``window``'s parts in ``settings``."""

    def __init__(
        self,
        settings: QSettings,
        window: QMainWindow,
        *,
        splitter: QSplitter,
        table: RequestTableView,
        listener_bar: ListenerBar,
        listeners: ListenersPanel,
        follow_action: QAction,
    ) -> None:
        self._settings = settings
        self._window = window
        self._splitter = splitter
        self._table = table
        self._listener_bar = listener_bar
        self._listeners = listeners
        self._follow_action = follow_action

    def restore(self) -> None:
        """Apply what is remembered; anything unusable leaves its default."""
        s = self._settings
        window = self._window
        geometry = _state(s, "window/geometry")
        if geometry is None or not window.restoreGeometry(geometry):
            window.resize(*DEFAULT_SIZE)
        state = _state(s, "window/state")
        if state is not None:
            window.restoreState(state)
        splitter = _state(s, "window/splitter")
        if splitter is None or not self._splitter.restoreState(splitter):
            self._splitter.setSizes(list(DEFAULT_SPLIT))
        header = _state(s, "table/header")
        if header is None or not self._table.horizontalHeader().restoreState(header):
            self._table.apply_default_widths(window.width() - TABLE_CHROME)
        elif str(s.value("table/columns")) != str(self._table.horizontalHeader().count()):
            self._table.place_listener_column()  # saved before the Listener column existed
        self._table.fit_columns()
        address = s.value("listen/address")
        if isinstance(address, str) and 0 < len(address) <= MAX_ADDRESS_LENGTH:
            self._listener_bar.set_address(address)
        port = _port(s.value("listen/port"))
        if port is not None:
            self._listener_bar.set_port(port)
        self._listeners.restore(s.value("listen/others"))
        follow = _flag(s.value("view/follow"))
        if follow is not None:
            self._follow_action.setChecked(follow)

    def save(self) -> None:
        s = self._settings
        s.setValue("window/geometry", self._window.saveGeometry())
        s.setValue("window/state", self._window.saveState())
        s.setValue("window/splitter", self._splitter.saveState())
        s.setValue("table/header", self._table.horizontalHeader().saveState())
        s.setValue("table/columns", self._table.horizontalHeader().count())
        s.setValue("listen/address", self._listener_bar.address_combo.address())
        s.setValue("listen/port", self._listener_bar.port())
        s.setValue("listen/others", self._listeners.names())
        s.setValue("view/follow", self._follow_action.isChecked())
        s.sync()
