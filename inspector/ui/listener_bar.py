"""The listener toolbar: bind address, port, Start/Stop, the live URL, and the
listener's line in the status bar. With HTTPS on (:meth:`ListenerBar.set_tls`)
the URL button's menu offers the ``https://`` URL of the same port too.

It asks for a start or a stop (:attr:`ListenerBar.start_requested`,
:attr:`ListenerBar.stop_requested`) and shows the states it is told about
(idle, starting, listening); it never holds the listener itself. Other parts'
actions (follow, clear, export, rules) are added to the same toolbar by the
window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QSpinBox, QStyle, QToolBar, QToolButton, QWidget

from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT, browse_host, url_for
from inspector.text import visible
from inspector.ui.bind_selector import BindAddressCombo

#: the longest status line shown
STATUS_LIMIT = 200


class ListenerBar(QToolBar):
    """Address, port, Start/Stop and the URL while listening.

    Signals:
        start_requested(str, int): Start was chosen for this host and port.
        stop_requested(): Stop was chosen.
        address_changed(str): the address in the box changed.
        hint_changed(str): what an empty table should say now (:meth:`hint`).
    """

    start_requested = Signal(str, int)
    stop_requested = Signal()
    address_changed = Signal(str)
    hint_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Listener", parent)
        self.setObjectName("listener_toolbar")  # saveState() keys toolbars by name
        self.setMovable(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        style = self.style()
        self._active = False
        self._url = ""
        self._tls = False

        address_label = QLabel("Address", self)
        address_label.setContentsMargins(0, 0, 4, 0)
        self.addWidget(address_label)
        self.address_combo = BindAddressCombo(self)
        address_label.setBuddy(self.address_combo)
        self.addWidget(self.address_combo)
        port_label = QLabel("Port", self)
        port_label.setContentsMargins(8, 0, 4, 0)
        self.addWidget(port_label)
        self.port_spin = QSpinBox(self)
        self.port_spin.setRange(0, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        self.port_spin.setSpecialValueText("any free")
        self.port_spin.setToolTip("TCP port to listen on (0: any free port)")
        self.addWidget(self.port_spin)

        self.start_action = QAction(self)
        self.start_action.setShortcuts([QKeySequence("Ctrl+R"), QKeySequence(Qt.Key.Key_F5)])
        self.start_action.setObjectName("start_action")
        self.addAction(self.start_action)
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._stop_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaStop)

        self.url_button = QToolButton(self)
        self.url_button.setAutoRaise(True)
        self.url_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.url_button_action = self.addWidget(self.url_button)
        #: the URL button's menu while HTTPS is on: open or copy either URL
        self.url_menu = QMenu(self)
        self.copy_url_action = QAction("Copy URL", self)
        self.copy_url_action.setIconText("Copy")
        self.copy_url_action.setIcon(QIcon.fromTheme(QIcon.ThemeIcon.EditCopy))
        self.copy_url_action.setToolTip("Copy the listener's URL")
        self.addAction(self.copy_url_action)

        #: the listener's line for the status bar
        self.status_label = QLabel(self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self._connect_signals()
        self.show_idle(False)

    def _connect_signals(self) -> None:
        self.port_spin.valueChanged.connect(self._on_port_spin_value_changed)
        self.start_action.triggered.connect(self._on_start_action_triggered)
        self.url_button.clicked.connect(self._on_url_button_clicked)
        self.copy_url_action.triggered.connect(self._on_copy_url_action_triggered)
        self.address_combo.currentTextChanged.connect(self._on_address_combo_text_changed)

    # -- what the user chose ---------------------------------------------------

    def address(self) -> str:
        """The address to listen on (the default when the box is empty)."""
        return self.address_combo.address() or DEFAULT_HOST

    def set_address(self, address: str) -> None:
        self.address_combo.set_address(address)

    def port(self) -> int:
        return self.port_spin.value()

    def set_port(self, port: int) -> None:
        self.port_spin.setValue(port)

    def set_tls(self, on: bool) -> None:
        """Whether the listener answers HTTPS on the same port (the URL button offers both)."""
        self._tls = on
        if self._url:
            self.show_listening(self._url)

    @property
    def https_url(self) -> str:
        """The listener's ``https://`` URL ("" while not listening or with HTTPS off)."""
        if not (self._tls and self._url.startswith("http://")):
            return ""
        return "https://" + self._url.removeprefix("http://")

    def hint(self) -> str:
        """What to do next, for an empty table: with the real address and port."""
        if self._url:
            where = f"{self._url}/ or {self.https_url}/" if self.https_url else f"{self._url}/"
            return f"Listening. Open {where} in a browser or send any request to it: it appears here."
        if self._active:
            return "Starting the listener…"
        port = self.port()
        if port == 0:
            return "Click Start (Ctrl+R), then open the address shown in the toolbar."
        url = url_for(browse_host(self.address()), port)
        return visible(f"Click Start (Ctrl+R), then open {url}/", STATUS_LIMIT)

    # -- states ----------------------------------------------------------------

    @Slot(bool)
    def show_idle(self, failed: bool) -> None:
        """Not listening: address and port editable; "Stopped (failed)" after a failure."""
        self._active = False
        self._url = ""
        self.address_combo.setEnabled(True)
        self.port_spin.setEnabled(True)
        self.start_action.setText("Start")
        self.start_action.setIcon(self._play_icon)
        self.start_action.setToolTip("Start listening (Ctrl+R or F5)")
        self.url_button_action.setVisible(False)
        self.copy_url_action.setVisible(False)
        self.status_label.setText("Stopped (failed)" if failed else "Stopped")
        self.hint_changed.emit(self.hint())

    @Slot(str, int)
    def show_starting(self, host: str, port: int) -> None:
        self._active = True
        self.address_combo.setEnabled(False)
        self.port_spin.setEnabled(False)
        self.start_action.setText("Stop")
        self.start_action.setIcon(self._stop_icon)
        self.start_action.setToolTip("Stop listening (Ctrl+R or F5)")
        self.status_label.setText(visible(f"Starting on {host} port {port}…", STATUS_LIMIT))
        self.hint_changed.emit(self.hint())

    @Slot(str)
    def show_listening(self, url: str) -> None:
        self._url = url
        self.url_button.setText(visible(url, STATUS_LIMIT))
        self.url_button_action.setVisible(True)
        self.copy_url_action.setVisible(True)
        secure = self.https_url
        self.url_menu.clear()
        if secure:
            for link in (url, secure):
                opened = self.url_menu.addAction(visible(f"Open {link}/", STATUS_LIMIT))
                opened.triggered.connect(lambda _=False, link=link: QDesktopServices.openUrl(QUrl(link)))
                copied = self.url_menu.addAction(visible(f"Copy {link}", STATUS_LIMIT))
                copied.triggered.connect(lambda _=False, link=link: QGuiApplication.clipboard().setText(link))
            self.url_button.setMenu(self.url_menu)
            self.url_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
            self.url_button.setToolTip(f"Open in the browser; the arrow offers {secure} too (same port)")
            self.status_label.setText(visible(f"Listening on {url} and {secure}", STATUS_LIMIT))
        else:
            self.url_button.setMenu(None)  # type: ignore[arg-type]
            self.url_button.setToolTip("Open in the browser")
            self.status_label.setText(visible(f"Listening on {url}", STATUS_LIMIT))
        self.hint_changed.emit(self.hint())

    # -- slots -----------------------------------------------------------------

    @Slot()
    def _on_start_action_triggered(self) -> None:
        if self._active:
            self.stop_requested.emit()
        else:
            self.start_requested.emit(self.address(), self.port())

    @Slot()
    def _on_url_button_clicked(self) -> None:
        if self._url:
            QDesktopServices.openUrl(QUrl(self._url))

    @Slot()
    def _on_copy_url_action_triggered(self) -> None:
        if self._url:
            QGuiApplication.clipboard().setText(self._url)

    @Slot(str)
    def _on_address_combo_text_changed(self, _text: str) -> None:
        self.address_changed.emit(self.address_combo.address())
        self.hint_changed.emit(self.hint())

    @Slot(int)
    def _on_port_spin_value_changed(self, _port: int) -> None:
        self.hint_changed.emit(self.hint())
