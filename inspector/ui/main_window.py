"""The main window: bind-address toolbar, live request table, filter, detail pane.

Records arrive from the listener thread as queued signals; they are queued
here and inserted in batches by :attr:`MainWindow._flush_timer` (one
``beginInsertRows`` per batch every :data:`FLUSH_INTERVAL_MS`), so a flood of
requests costs the event loop a few inserts per second, not one per request
(DESIGN.md, "Threading rules").

Seams for others: ``responder`` is handed to each listener the window starts;
``store`` (the history store) is kept as :attr:`MainWindow.store` and
:meth:`MainWindow.load_history` fills the table from it; ``listener_factory``
builds the listener thread (tests and the headless mode can swap it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QObject,
    QSettings,
    Qt,
    QTimer,
    QUrl,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QIcon,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSpinBox,
    QSplitter,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.http.record import CaptureRecord
from inspector.http.response import Responder
from inspector.models.request_filter import MethodFilter, RequestFilterProxyModel
from inspector.models.request_table import Column, RequestTableModel
from inspector.models.text import visible
from inspector.ui.banner import Banner, BannerKind
from inspector.ui.bind_selector import BindAddressCombo, is_loopback
from inspector.ui.detail_pane import DetailPane
from inspector.ui.request_view import RequestTableView

if TYPE_CHECKING:
    from inspector.listener import ListenerThread

APP_NAME = "Request Inspector"
ORG_NAME = "request-inspector"
DEFAULT_PORT = 8090
#: how often queued arrivals are inserted into the table
FLUSH_INTERVAL_MS = 40
#: how long typing in the filter box waits before filtering
FILTER_DELAY_MS = 150


ListenerFactory = Callable[[str, int, "Responder | None", QObject], "ListenerThread"]


def default_listener_factory(
    host: str, port: int, responder: Responder | None, parent: QObject
) -> ListenerThread:
    from inspector.listener import ListenerThread  # the listener loads the server layers

    return ListenerThread(host, port, responder, parent)


class MainWindow(QMainWindow):
    """The Request Inspector window."""

    def __init__(
        self,
        responder: Responder | None = None,
        store: Any | None = None,
        settings: QSettings | None = None,
        listener_factory: ListenerFactory | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        self.responder = responder
        self.store = store
        self._settings = settings if settings is not None else QSettings()
        self._listener_factory = listener_factory or default_listener_factory
        self._listener: ListenerThread | None = None
        self._url = ""
        self._pending: list[CaptureRecord] = []

        self.model = RequestTableModel(self)
        self.proxy = RequestFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)

        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)

        self._build_toolbar()
        self._build_central()
        self.status_label = QLabel(self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.status_label, 1)
        self._connect_signals()
        self._restore_settings()
        self._set_state_idle()
        self._update_counts()
        self._update_exposure_warning()

    # -- construction -----------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar("Listener", self)
        bar.setObjectName("listener_toolbar")
        bar.setMovable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(bar)
        style = self.style()

        address_label = QLabel("Address ", bar)
        bar.addWidget(address_label)
        self.address_combo = BindAddressCombo(bar)
        address_label.setBuddy(self.address_combo)
        bar.addWidget(self.address_combo)
        bar.addWidget(QLabel("  Port ", bar))
        self.port_spin = QSpinBox(bar)
        self.port_spin.setRange(0, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        self.port_spin.setSpecialValueText("any free")
        self.port_spin.setToolTip("TCP port to listen on (0: any free port)")
        bar.addWidget(self.port_spin)

        self.start_action = QAction(self)
        self.start_action.setShortcuts([QKeySequence("Ctrl+R"), QKeySequence(Qt.Key.Key_F5)])
        self.start_action.setObjectName("start_action")
        bar.addAction(self.start_action)
        self._play_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._stop_icon = style.standardIcon(QStyle.StandardPixmap.SP_MediaStop)

        self.url_button = QToolButton(bar)
        self.url_button.setAutoRaise(True)
        self.url_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._url_button_action = bar.addWidget(self.url_button)
        self.copy_url_action = QAction("Copy URL", self)
        self.copy_url_action.setIcon(QIcon.fromTheme(QIcon.ThemeIcon.EditCopy))
        self.copy_url_action.setToolTip("Copy the listener's URL")
        bar.addAction(self.copy_url_action)

        bar.addSeparator()
        self.follow_action = QAction("Follow newest", self)
        self.follow_action.setCheckable(True)
        self.follow_action.setChecked(True)
        self.follow_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        self.follow_action.setToolTip(
            "Scroll to each new request as it arrives.\n"
            "Pauses while you scroll away or select a row (Esc deselects)."
        )
        bar.addAction(self.follow_action)
        self.clear_action = QAction("Clear history", self)
        self.clear_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogResetButton))
        self.clear_action.setShortcut(QKeySequence("Ctrl+L"))
        self.clear_action.setToolTip("Remove every request from the table (Ctrl+L)")
        bar.addAction(self.clear_action)
        self.toolbar = bar

    def _build_central(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.setSpacing(4)

        self.exposure_banner = Banner(BannerKind.WARNING, closable=False, parent=central)
        self.error_banner = Banner(BannerKind.ERROR, closable=True, parent=central)
        layout.addWidget(self.exposure_banner)
        layout.addWidget(self.error_banner)

        filter_bar = QHBoxLayout()
        self.filter_edit = QLineEdit(central)
        self.filter_edit.setPlaceholderText("Filter: method, path, query, headers, body  (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        filter_bar.addWidget(self.filter_edit, 1)
        self.method_group = QButtonGroup(self)
        self.method_group.setExclusive(True)
        self.method_buttons: dict[MethodFilter, QToolButton] = {}
        for number, method in enumerate(MethodFilter):
            button = QToolButton(central)
            button.setText(method.value)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolTip(
                "Methods other than GET, POST, PUT, PATCH and DELETE"
                if method is MethodFilter.OTHER
                else f"Show {method.value.lower()} requests"
                if method is not MethodFilter.ALL
                else "Show every method"
            )
            self.method_group.addButton(button, number)
            self.method_buttons[method] = button
            filter_bar.addWidget(button)
        self.method_buttons[MethodFilter.ALL].setChecked(True)
        self.count_label = QLabel(central)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("showing 000000 of 000000"))
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        filter_bar.addWidget(self.count_label)
        layout.addLayout(filter_bar)

        self.splitter = QSplitter(Qt.Orientation.Vertical, central)
        self.splitter.setChildrenCollapsible(False)
        self.table = RequestTableView(self.splitter)
        self.table.setModel(self.proxy)
        self.table.apply_default_widths()
        self.table.sortByColumn(Column.ID, Qt.SortOrder.AscendingOrder)
        self.detail = DetailPane(self.splitter)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)

        self.find_action = QAction("Find", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.addAction(self.find_action)
        self.deselect_action = QAction("Deselect", self.table)
        self.deselect_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.deselect_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.deselect_action)
        self.setCentralWidget(central)

    def _connect_signals(self) -> None:
        self.start_action.triggered.connect(self._on_start_action_triggered)
        self.url_button.clicked.connect(self._on_url_button_clicked)
        self.copy_url_action.triggered.connect(self._on_copy_url_action_triggered)
        self.follow_action.toggled.connect(self._on_follow_action_toggled)
        self.clear_action.triggered.connect(self._on_clear_action_triggered)
        self.address_combo.currentTextChanged.connect(self._on_address_combo_text_changed)
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self._filter_timer.timeout.connect(self._on_filter_timer_timeout)
        self.method_group.idClicked.connect(self._on_method_group_id_clicked)
        self._flush_timer.timeout.connect(self._on_flush_timer_timeout)
        self.find_action.triggered.connect(self._on_find_action_triggered)
        self.deselect_action.triggered.connect(self._on_deselect_action_triggered)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.proxy.rowsInserted.connect(self._on_proxy_rows_changed)
        self.proxy.rowsRemoved.connect(self._on_proxy_rows_changed)
        self.proxy.modelReset.connect(self._on_proxy_model_reset)
        self.proxy.layoutChanged.connect(self._on_proxy_layout_changed)

    # -- public API -------------------------------------------------------------

    @property
    def url(self) -> str:
        """The live URL while listening, else ""."""
        return self._url

    def is_running(self) -> bool:
        return self._listener is not None

    def set_address(self, address: str) -> None:
        self.address_combo.set_address(address)

    def set_port(self, port: int) -> None:
        self.port_spin.setValue(port)

    def load_history(self, records: Iterable[CaptureRecord]) -> None:
        """Show records captured earlier (for example from the history store)."""
        self.model.append_records(list(records))

    def start(self) -> None:
        """Start listening on the chosen address and port."""
        if self._listener is not None:
            return
        self.error_banner.hide()
        host = self.address_combo.address() or "127.0.0.1"
        port = self.port_spin.value()
        listener = self._listener_factory(host, port, self.responder, self)
        listener.listening.connect(self._on_listener_listening)
        listener.request_captured.connect(self._on_listener_request_captured)
        listener.failed.connect(self._on_listener_failed)
        listener.finished.connect(self._on_listener_finished)
        self._listener = listener
        self._set_state_starting(host, port)
        listener.start()

    def stop(self) -> None:
        """Stop listening (returns once the listener thread has ended)."""
        listener = self._listener
        if listener is None:
            return
        self._listener = None
        listener.stop()
        if not listener.wait(5000):  # stop() already waits; this is the backstop
            self._show_error("The listener did not stop within 5 s.")
        listener.deleteLater()
        self._set_state_idle()

    # -- states -----------------------------------------------------------------

    def _set_state_idle(self) -> None:
        self._url = ""
        self.address_combo.setEnabled(True)
        self.port_spin.setEnabled(True)
        self.start_action.setText("Start")
        self.start_action.setIcon(self._play_icon)
        self.start_action.setToolTip("Start listening (Ctrl+R or F5)")
        self._url_button_action.setVisible(False)
        self.copy_url_action.setVisible(False)
        self.status_label.setText("Stopped")

    def _set_state_starting(self, host: str, port: int) -> None:
        self.address_combo.setEnabled(False)
        self.port_spin.setEnabled(False)
        self.start_action.setText("Stop")
        self.start_action.setIcon(self._stop_icon)
        self.start_action.setToolTip("Stop listening (Ctrl+R or F5)")
        self.status_label.setText(visible(f"Starting on {host} port {port}…", 200))

    def _show_error(self, message: str) -> None:
        self.error_banner.show_message(message)

    def _update_exposure_warning(self) -> None:
        address = self.address_combo.address()
        if address and not is_loopback(address):
            self.exposure_banner.show_message(
                f"Listening on {address} lets other machines on your network reach this "
                "listener and see what it answers. Use 127.0.0.1 to keep it on this machine."
            )
        else:
            self.exposure_banner.hide()

    def _update_counts(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        pending = f" (+{len(self._pending)} queued)" if self._pending else ""
        self.count_label.setText(f"showing {shown} of {total}{pending}")

    # -- follow newest ----------------------------------------------------------

    def _newest_at_bottom(self) -> bool:
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() in (Column.ID, Column.TIME):
            return header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
        return True

    def _at_newest_edge(self) -> bool:
        bar = self.table.verticalScrollBar()
        if self._newest_at_bottom():
            return bar.value() >= bar.maximum() - 1
        return bar.value() <= bar.minimum() + 1

    def _scroll_to_newest(self) -> None:
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() in (Column.ID, Column.TIME):
            if self._newest_at_bottom():
                self.table.scrollToBottom()
            else:
                self.table.scrollToTop()
            return
        rows = self.model.rowCount()
        if rows:
            index = self.proxy.mapFromSource(self.model.index(rows - 1, 0))
            if index.isValid():
                self.table.scrollTo(index)

    def _should_follow(self) -> bool:
        return self.follow_action.isChecked() and not self.table.selectionModel().hasSelection()

    # -- slots: toolbar ---------------------------------------------------------

    @Slot()
    def _on_start_action_triggered(self) -> None:
        if self._listener is None:
            self.start()
        else:
            self.stop()

    @Slot()
    def _on_url_button_clicked(self) -> None:
        if self._url:
            QDesktopServices.openUrl(QUrl(self._url))

    @Slot()
    def _on_copy_url_action_triggered(self) -> None:
        if self._url:
            QGuiApplication.clipboard().setText(self._url)

    @Slot(bool)
    def _on_follow_action_toggled(self, checked: bool) -> None:
        if checked:
            self.table.clearSelection()
            self._scroll_to_newest()

    @Slot()
    def _on_clear_action_triggered(self) -> None:
        self._pending.clear()
        self.model.clear()
        self.detail.set_record(None)
        self._update_counts()

    @Slot(str)
    def _on_address_combo_text_changed(self, _text: str) -> None:
        self._update_exposure_warning()

    @Slot()
    def _on_find_action_triggered(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    @Slot()
    def _on_deselect_action_triggered(self) -> None:
        self.table.clearSelection()

    # -- slots: filter ----------------------------------------------------------

    @Slot(str)
    def _on_filter_edit_text_changed(self, _text: str) -> None:
        self._filter_timer.start()

    @Slot()
    def _on_filter_timer_timeout(self) -> None:
        self.proxy.set_filter_text(self.filter_edit.text())
        self._update_counts()

    @Slot(int)
    def _on_method_group_id_clicked(self, number: int) -> None:
        self.proxy.set_method_filter(list(MethodFilter)[number])
        self._update_counts()

    # -- slots: listener --------------------------------------------------------

    @Slot(str)
    def _on_listener_listening(self, url: str) -> None:
        if self._listener is None or self.sender() is not self._listener:
            return
        self._url = url
        self.url_button.setText(visible(url, 200))
        self.url_button.setToolTip("Open in the browser")
        self._url_button_action.setVisible(True)
        self.copy_url_action.setVisible(True)
        self.status_label.setText(visible(f"Listening on {url}", 200))

    @Slot(object)
    def _on_listener_request_captured(self, record: CaptureRecord) -> None:
        self._pending.append(record)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot(str)
    def _on_listener_failed(self, message: str) -> None:
        if self._listener is None or self.sender() is not self._listener:
            return
        self._show_error(message)
        self.status_label.setText("Stopped (failed)")

    @Slot()
    def _on_listener_finished(self) -> None:
        listener = self._listener
        if listener is None or self.sender() is not listener:
            return
        # the thread ended on its own (bind failure, fatal error)
        self._listener = None
        self._listener_done(listener)
        status = self.status_label.text()
        self._set_state_idle()
        if status.startswith("Stopped ("):
            self.status_label.setText(status)

    def _listener_done(self, listener: ListenerThread) -> None:
        listener.wait(1000)
        listener.deleteLater()

    # -- slots: table -----------------------------------------------------------

    @Slot()
    def _on_flush_timer_timeout(self) -> None:
        if not self._pending:
            self._flush_timer.stop()
            return
        batch, self._pending = self._pending, []
        follow = self._should_follow() and self._at_newest_edge()
        self.model.append_records(batch)
        if follow:
            self._scroll_to_newest()
        self._update_counts()

    @Slot(QModelIndex, QModelIndex)
    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_current()

    def _show_current(self) -> None:
        current = self.table.currentIndex()
        selection = self.table.selectionModel()
        record = self.table.record_at(current) if selection.isRowSelected(current.row()) else None
        if record is None:
            rows = selection.selectedRows()
            record = self.table.record_at(rows[0]) if rows else None
        if record is not self.detail.record:
            self.detail.set_record(record)

    @Slot()
    def _on_proxy_rows_changed(self) -> None:
        self._update_counts()

    @Slot()
    def _on_proxy_model_reset(self) -> None:
        self._show_current()
        self._update_counts()

    @Slot()
    def _on_proxy_layout_changed(self) -> None:
        self._update_counts()

    # -- settings and closing ---------------------------------------------------

    def _restore_settings(self) -> None:
        s = self._settings
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = s.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([330, 420])
        header = s.value("table/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        address = s.value("listen/address")
        if isinstance(address, str) and address:
            self.address_combo.set_address(address)
        port = s.value("listen/port")
        try:
            if port is not None:
                self.port_spin.setValue(int(port))
        except (TypeError, ValueError):
            pass
        follow = s.value("view/follow")
        if follow is not None:
            self.follow_action.setChecked(str(follow).lower() in ("true", "1"))

    def save_settings(self) -> None:
        s = self._settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("table/header", self.table.horizontalHeader().saveState())
        s.setValue("listen/address", self.address_combo.address())
        s.setValue("listen/port", self.port_spin.value())
        s.setValue("view/follow", self.follow_action.isChecked())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop()
        self._flush_timer.stop()
        self._filter_timer.stop()
        self.save_settings()
        super().closeEvent(event)


def run_gui(args: Any) -> int:
    """Open the window and run the event loop (called by ``inspector.app``).

    Args:
        args: parsed command line; ``args.bind`` and ``args.port`` (each may be
            None) preselect the address and port.

    Returns:
        The exit status of the event loop.
    """
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    window = MainWindow()
    bind = getattr(args, "bind", None)
    port = getattr(args, "port", None)
    if bind:
        window.set_address(bind)
    if port is not None:
        window.set_port(port)
    window.show()
    return app.exec()
