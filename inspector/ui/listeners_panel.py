"""More listeners beside the toolbar's: a list in a dock, each with its own state.

Each row has an address, a port, Start/Stop, its state or error, a "Use 8091"
button when its port is taken (the free port the error names), and the URLs
that reach it, to open or copy: for a wildcard (``0.0.0.0``, ``::``) one per
interface address, loopback first (never ``0.0.0.0`` as a link), and with
HTTPS on each address with ``https://`` too (the same port answers both;
whether it does is asked when the listener starts, as the loop is started with it)
(docs/ARCHITECTURE.md, "Threads": every listener runs on the window's one loop
thread, see :mod:`inspector.ui.capture`). The panel asks for starts and stops
and shows the states it is told; it never holds a listener itself. The list
(address and port of each row) is what the window remembers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT
from inspector.listen import ListenError, ListenSpec, parse_listen, reachable_urls
from inspector.server import Listening
from inspector.text import visible
from inspector.ui.bind_selector import BindAddressCombo
from inspector.ui.capture import MAIN, State

#: the longest error or URL line shown
LINE_LIMIT = 300
#: the most listeners the list keeps (each is a socket and a row)
MAX_LISTENERS = 32


class ListenerRow(QWidget):
    """One listener: address, port, Start/Stop, Remove, state, "Use N", URLs, Open and Copy."""

    def __init__(self, key: int, spec: ListenSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.active = False
        self.free_port = 0
        self.address_combo = BindAddressCombo(self)
        self.address_combo.set_address(spec.host)
        self.port_spin = QSpinBox(self)
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText("any free")
        self.port_spin.setValue(spec.port)
        self.start_button = QPushButton("Start", self)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("Remove")
        self.state_label = QLabel(State.STOPPED.value, self)
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setWordWrap(True)
        self.use_button = QPushButton(self)
        self.use_button.hide()
        self.urls_label = QLabel(self)
        self.urls_label.setTextFormat(Qt.TextFormat.PlainText)
        self.urls_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_button = QToolButton(self)
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip("Copy the URLs that reach this listener")
        self.open_button = QToolButton(self)
        self.open_button.setText("Open")
        #: every URL to open (the button itself opens the first: this machine's http one)
        self.open_menu = QMenu(self)
        self.urls: list[str] = []
        self.urls_label.hide()
        self.copy_button.hide()
        self.open_button.hide()
        self.remove_button.setToolTip("Remove this listener (stops it first)")
        where = QHBoxLayout()
        where.addWidget(self.address_combo, 1)
        where.addWidget(self.port_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        urls = QHBoxLayout()
        urls.addWidget(self.urls_label, 1)
        urls.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        urls.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 8)
        layout.setSpacing(3)
        for part in (where, buttons):
            layout.addLayout(part)
        layout.addWidget(self.state_label)
        layout.addLayout(urls)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)

    def spec(self) -> ListenSpec:
        return ListenSpec(self.address_combo.address() or DEFAULT_HOST, self.port_spin.value())

    def show_state(self, state: State, detail: object, https: bool = False) -> None:
        """``detail``: the :class:`Listening` while listening, ``(line, free port)`` on failure;
        ``https``: the listener answers HTTPS too (its URLs are offered with both schemes)."""
        self.active = state in (State.STARTING, State.LISTENING)
        self.address_combo.setEnabled(not self.active)
        self.port_spin.setEnabled(not self.active)
        self.start_button.setText("Stop" if self.active else "Start")
        text = state.value
        urls: list[str] = []
        self.free_port = 0
        if isinstance(detail, Listening):
            text = f"Listening on {detail.name}"
            schemes = ("http", "https") if https else ("http",)
            urls = [url.url for url in reachable_urls(detail.host, detail.port, schemes=schemes)]
        elif isinstance(detail, tuple) and len(detail) == 2:
            text, self.free_port = str(detail[0]), int(detail[1])
        self.state_label.setText(visible(text, LINE_LIMIT))
        self.use_button.setText(f"Use {self.free_port}")
        self.use_button.setToolTip(f"Listen on port {self.free_port} instead (free a moment ago)")
        self.use_button.setVisible(bool(self.free_port))
        self.urls = urls
        self.urls_label.setText("\n".join(visible(url, LINE_LIMIT) for url in urls))
        self.urls_label.setVisible(bool(urls))
        self.copy_button.setVisible(bool(urls))
        self.open_button.setVisible(bool(urls))
        self.open_menu.clear()
        for url in urls if len(urls) > 1 else ():  # a menu only when there is a choice
            opened = self.open_menu.addAction(visible(f"Open {url}/", LINE_LIMIT))
            opened.triggered.connect(lambda _=False, url=url: QDesktopServices.openUrl(QUrl(url + "/")))
        self.open_button.setMenu(self.open_menu if len(urls) > 1 else None)  # type: ignore[arg-type]
        self.open_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        others = "; the arrow offers the others" if len(urls) > 1 else ""
        self.open_button.setToolTip(f"Open {urls[0] if urls else ''}/ in the browser{others}")

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.urls))

    @Slot()
    def _on_open_button_clicked(self) -> None:
        if self.urls:
            QDesktopServices.openUrl(QUrl(self.urls[0] + "/"))


class ListenersPanel(QDockWidget):
    """The listeners beyond the toolbar's, in a dock toggled by :attr:`toggle_action`.

    Signals:
        start_requested(int, str, int): Start (or "Use N") on row ``key``, for that host and port.
        stop_requested(int): Stop (or Remove while running) on row ``key``.
        changed(): a row was added or removed (the list to remember changed).
    """

    start_requested = Signal(int, str, int)
    stop_requested = Signal(int)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, https: Callable[[], bool] = bool) -> None:
        """``https``: whether a listener starting now answers HTTPS too (``--tls auto``)."""
        super().__init__("Listeners", parent)
        self._https = https
        self.setObjectName("listeners_dock")  # saveState() keys docks by name
        self._keys = itertools.count(MAIN + 1)
        self.rows: dict[int, ListenerRow] = {}
        body = QWidget(self)
        layout = QVBoxLayout(body)
        intro = QLabel("These listen beside the toolbar's listener, all at once.", body)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self._list = QVBoxLayout()
        layout.addLayout(self._list)
        self.add_button = QPushButton("Add listener", body)
        self.add_button.setToolTip("Another address and port to listen on")
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.setWidget(scroll)
        self.toggle_action: QAction = self.toggleViewAction()
        self.toggle_action.setText("&Listeners")
        self.toggle_action.setToolTip("Show or hide the list of listeners")
        self.add_button.clicked.connect(self._on_add_button_clicked)

    # -- the list ------------------------------------------------------------------

    def add_listener(self, spec: ListenSpec) -> ListenerRow | None:
        """A new stopped row (None when the list is full)."""
        if len(self.rows) >= MAX_LISTENERS:
            return None
        row = ListenerRow(next(self._keys), spec, self.widget())
        self.rows[row.key] = row
        self._list.addWidget(row)
        row.start_button.clicked.connect(self._on_row_start_button_clicked)
        row.use_button.clicked.connect(self._on_row_use_button_clicked)
        row.remove_button.clicked.connect(self._on_row_remove_button_clicked)
        self.add_button.setEnabled(len(self.rows) < MAX_LISTENERS)
        self.changed.emit()
        return row

    def remove_listener(self, key: int) -> None:
        row = self.rows.pop(key, None)
        if row is None:
            return
        if row.active:
            self.stop_requested.emit(key)
        row.deleteLater()
        self.add_button.setEnabled(True)
        self.changed.emit()

    def names(self) -> list[str]:
        """Each row's ``ADDR:PORT`` (what the window remembers)."""
        return [row.spec().name for row in self.rows.values()]

    def restore(self, names: object) -> None:
        """Rows for remembered ``ADDR:PORT`` values; anything unusable is skipped."""
        if isinstance(names, str):  # QSettings gives a one-item list back as its item
            names = [names]
        if not isinstance(names, list):
            return
        for name in names[:MAX_LISTENERS]:
            try:
                self.add_listener(parse_listen(str(name)))
            except ListenError:
                continue

    def start_all(self) -> None:
        for row in self.rows.values():
            if not row.active:
                self._start(row)

    # -- what the capture says -----------------------------------------------------

    @Slot(int, object, object)
    def show_state(self, key: int, state: State, detail: object) -> None:
        row = self.rows.get(key)
        if row is not None:
            row.show_state(state, detail, https=self._https())

    # -- slots -----------------------------------------------------------------------

    def _start(self, row: ListenerRow) -> None:
        spec = row.spec()
        self.start_requested.emit(row.key, spec.host, spec.port)

    def _row_of(self, button: object) -> ListenerRow | None:
        for row in self.rows.values():
            if button in (row.start_button, row.use_button, row.remove_button):
                return row
        return None

    @Slot()
    def _on_add_button_clicked(self) -> None:
        used = {row.port_spin.value() for row in self.rows.values()}
        port = next((p for p in range(DEFAULT_PORT + 1, DEFAULT_PORT + 100) if p not in used), 0)
        self.add_listener(ListenSpec(DEFAULT_HOST, port))

    @Slot()
    def _on_row_start_button_clicked(self) -> None:
        row = self._row_of(self.sender())
        if row is None:
            return
        if row.active:
            self.stop_requested.emit(row.key)
        else:
            self._start(row)

    @Slot()
    def _on_row_use_button_clicked(self) -> None:
        row = self._row_of(self.sender())
        if row is not None and row.free_port and not row.active:
            row.port_spin.setValue(row.free_port)
            self.changed.emit()
            self._start(row)

    @Slot()
    def _on_row_remove_button_clicked(self) -> None:
        row = self._row_of(self.sender())
        if row is not None:
            self.remove_listener(row.key)
