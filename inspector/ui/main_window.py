"""The main window: bind-address toolbar, live request table, filter, detail pane.

Records arrive from the listener thread as queued signals; they are queued
here and inserted in batches by :attr:`MainWindow._flush_timer` (one
``beginInsertRows`` per batch every :data:`FLUSH_INTERVAL_MS`), so a flood of
requests costs the event loop a few inserts per second, not one per request
(DESIGN.md, "Threading rules").

Seams for others: ``responder`` is handed to each listener the window starts;
``store`` (the history store) is kept as :attr:`MainWindow.store`, its rows are
shown lazily (ids first, summaries page by page: :class:`RequestTableModel`) and
every live record is added to it (``add`` only enqueues; the store's writer
thread writes); ``listener_factory`` builds the listener thread (tests and the
headless mode can swap it).

History, export, import and replay live in the ``# -- history`` methods:
the File menu and the toolbar's Export/Import buttons, the read-only imported
session (a second table model shown through the same proxy and views), the
store's writer-thread reports (polled from a deque, never a cross-thread
signal), and the Replay dialog.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
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
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT, is_loopback
from inspector.http.record import CaptureRecord
from inspector.http.response import Responder
from inspector.models.request_filter import MethodFilter, RequestFilterProxyModel
from inspector.models.columns import Column
from inspector.models.request_table import RequestTableModel
from inspector.responses import Responder as RulesResponder
from inspector.responses import RuleSet
from inspector.text import visible
from inspector.ui.banner import Banner, BannerKind
from inspector.ui.bind_selector import BindAddressCombo
from inspector.ui.detail_pane import DetailPane
from inspector.ui.export_dialog import ExportItem, ExportScope, ExportThread, ask_export_path
from inspector.ui.history_store import POLL_INTERVAL_MS, StoreEvents, open_history, pruned_note
from inspector.ui.replay_dialog import ReplayDialog
from inspector.ui.request_view import RequestTableView
from inspector.ui.rules_editor import RulesEditor

if TYPE_CHECKING:
    from inspector.listener import ListenerThread
    from inspector.store import CaptureStore

APP_NAME = "Request Inspector"
ORG_NAME = "request-inspector"
#: how often queued arrivals are inserted into the table
FLUSH_INTERVAL_MS = 40
#: how long typing in the filter box waits before filtering
FILTER_DELAY_MS = 150


#: ``factory(host, port, responder, parent, first_id=N)`` -> a ListenerThread
ListenerFactory = Callable[..., "ListenerThread"]


def default_listener_factory(
    host: str, port: int, responder: Responder | None, parent: QObject, *, first_id: int = 1
) -> ListenerThread:
    from inspector.listener import ListenerThread  # the listener loads the server layers

    return ListenerThread(host, port, responder, parent, first_id=first_id)


class MainWindow(QMainWindow):
    """The Request Inspector window."""

    def __init__(
        self,
        responder: Responder | None = None,
        store: Any | None = None,
        settings: QSettings | None = None,
        listener_factory: ListenerFactory | None = None,
        parent: QWidget | None = None,
        *,
        store_events: StoreEvents | None = None,
        owns_store: bool = False,
        rules_path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_NAME)
        # The rules editor swaps rule sets inside this responder; the listener
        # reads its snapshot once per request, so a save takes effect at once.
        self.rules_responder = RulesResponder()
        self.responder: Responder = responder if responder is not None else self.rules_responder
        self.store: CaptureStore | None = store
        self._store_events = store_events
        self._owns_store = owns_store
        self._settings = settings if settings is not None else QSettings()
        self._listener_factory = listener_factory or default_listener_factory
        self._listener: ListenerThread | None = None
        self._url = ""
        self._pending: list[CaptureRecord] = []

        self.model = RequestTableModel(self, history=store)
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
        self._build_history_ui()
        self._build_rules_dock(rules_path)
        self._connect_signals()
        self._connect_history_signals()
        self._init_history()
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
        self.table.create_rule_requested.connect(self._on_table_create_rule_requested)
        self.rules_editor.rules_saved.connect(self._on_rules_editor_rules_saved)

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
        host = self.address_combo.address() or DEFAULT_HOST
        port = self.port_spin.value()
        listener = self._listener_factory(host, port, self.responder, self, first_id=self.next_id())
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
        shown, total = self.proxy.rowCount(), self.proxy.source().rowCount()
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
        if self.in_session():
            return False
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
        self.clear_history()

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
        if self.store is not None:
            self.store.add(record)  # a deque append; the store's writer thread writes
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
            self.rules_editor.set_preview_record(record)

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

    # -- history: construction --------------------------------------------------

    def _build_history_ui(self) -> None:
        """File menu, the toolbar's Export/Import, the session bar, the history note."""
        style = self.style()
        self.import_action = QAction("&Import HAR…", self)
        self.import_action.setShortcut(QKeySequence.StandardKey.Open)
        self.import_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.import_action.setToolTip("Open a HAR file as a read-only session (Ctrl+O)")
        self.export_actions: dict[ExportScope, QAction] = {}
        self.export_menu = QMenu("&Export", self)
        for scope in ExportScope:
            action = QAction(scope.label, self)
            action.setData(scope.value)
            self.export_menu.addAction(action)
            self.export_actions[scope] = action
        self.export_actions[ExportScope.ALL].setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_menu.setToolTipsVisible(True)
        self.export_button = QToolButton(self.toolbar)
        self.export_button.setText("Export")
        self.export_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setMenu(self.export_menu)
        self.export_button.setToolTip(
            "Export the selected rows, the filtered rows or everything (HAR, JSONL)"
        )
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.export_button)
        self.toolbar.addAction(self.import_action)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.import_action)
        file_menu.addMenu(self.export_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.clear_action)
        file_menu.addSeparator()
        self.quit_action = file_menu.addAction("&Quit")
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.file_menu = file_menu

        # the bar shown while an imported HAR file is in the table
        self.session_bar = QFrame(self)
        self.session_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.session_bar.setAutoFillBackground(True)
        self.session_bar.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        bar_layout = QHBoxLayout(self.session_bar)
        bar_layout.setContentsMargins(8, 4, 4, 4)
        self.session_label = QLabel(self.session_bar)
        self.session_label.setTextFormat(Qt.TextFormat.PlainText)
        bar_layout.addWidget(self.session_label, 1)
        self.back_to_live_button = QPushButton("Back to live", self.session_bar)
        self.back_to_live_button.setToolTip("Show the live capture and its history again")
        bar_layout.addWidget(self.back_to_live_button)
        self.session_bar.hide()
        central = self.centralWidget()
        layout = central.layout() if central is not None else None
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.error_banner) + 1, self.session_bar)

        self.history_note = QLabel(self)
        self.history_note.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(self.history_note)
        self._session_model: RequestTableModel | None = None
        self._session_name = ""
        self._export_threads: list[ExportThread] = []
        self._replay_dialogs: list[ReplayDialog] = []
        self._pruned_seen = 0
        self._store_timer = QTimer(self)
        self._store_timer.setInterval(POLL_INTERVAL_MS)

    def _connect_history_signals(self) -> None:
        self.import_action.triggered.connect(self._on_import_action_triggered)
        self.export_menu.triggered.connect(self._on_export_menu_triggered)
        self.back_to_live_button.clicked.connect(self._on_back_to_live_button_clicked)
        self.quit_action.triggered.connect(self.close)
        self.table.replay_requested.connect(self._on_table_replay_requested)
        self._store_timer.timeout.connect(self._on_store_timer_timeout)

    def _init_history(self) -> None:
        store = self.store
        if store is not None:
            try:
                self.model.load_history()
            except Exception as exc:  # an unreadable file: say so, keep capturing
                self._show_error(f"Cannot read the stored history: {exc}")
        if self._store_events is not None or store is not None:
            self._store_timer.start()
        self._update_history_note()
        self._update_history_actions()
        self._update_counts()
        if self.model.rowCount():
            self.table.scrollToBottom()

    # -- history: public API ----------------------------------------------------

    def next_id(self) -> int:
        """The id the next listener starts at: after everything stored or shown."""
        stored = 0
        if self.store is not None:
            try:
                stored = self.store.max_id()
            except Exception:
                stored = 0
        pending = self._pending[-1].id if self._pending else 0
        return max(stored, self.model.max_id(), pending) + 1

    def show_history_error(self, message: str) -> None:
        """Show a history problem (unusable file, failed write) in the error banner."""
        self._show_error(message)

    def clear_history(self, *, confirm: bool = True) -> None:
        """Delete every request: from the table and from the store (the file shrinks)."""
        if self.in_session():
            return
        store = self.store
        stored = store is not None and store.path is not None and self.model.rowCount() > 0
        if confirm and stored and not self._confirm_clear():
            return
        self._pending.clear()
        if store is not None:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                store.clear()
            except Exception as exc:
                self._show_error(f"Clearing the stored history failed: {exc}")
            finally:
                QApplication.restoreOverrideCursor()
        self.model.clear()
        self.detail.set_record(None)
        self._pruned_seen = store.pruned_total if store is not None else 0
        self.history_note.clear()
        self._update_counts()

    def _confirm_clear(self) -> bool:
        answer = QMessageBox.question(
            self,
            "Clear history",
            "Delete every captured request, from the table and from the history file?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def in_session(self) -> bool:
        """True while an imported HAR file is shown instead of the live capture."""
        return self._session_model is not None

    def import_har_file(self, path: str) -> bool:
        """Show the requests of a HAR file as a read-only session (not stored)."""
        from inspector.store import HarImportError, import_har

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            records = import_har(path)
        except HarImportError as exc:
            self._show_error(f"Cannot import: {exc}")
            return False
        except OSError as exc:
            self._show_error(f"Cannot read {Path(path).name}: {exc.strerror or exc}")
            return False
        finally:
            QApplication.restoreOverrideCursor()
        session = RequestTableModel(self)
        session.append_records(records)
        old = self._session_model
        self._session_model = session
        self._session_name = Path(path).name
        self.proxy.setSourceModel(session)
        if old is not None:
            old.deleteLater()
        self.session_label.setText(
            visible(
                f"Imported session: {self._session_name} — {len(records):,} "
                f"request{'' if len(records) == 1 else 's'}, read-only. "
                "Live capture goes on in the background and is not mixed in.",
                600,
            )
        )
        self.session_bar.show()
        self.error_banner.hide()
        self.detail.set_record(None)
        self._update_history_actions()
        self._update_counts()
        return True

    def back_to_live(self) -> None:
        """Leave the imported session and show the live capture again."""
        session = self._session_model
        if session is None:
            return
        self._session_model = None
        self.proxy.setSourceModel(self.model)
        session.deleteLater()
        self.session_bar.hide()
        self.detail.set_record(None)
        self._update_history_actions()
        self._update_counts()
        self._scroll_to_newest()

    def export_items(self, scope: ExportScope) -> list[ExportItem]:
        """What ``scope`` covers in the table shown: records (live, imported) or
        history ids (read by the export thread), in view order."""
        source = self.proxy.source()
        if scope is ExportScope.ALL:
            rows: list[int] = list(range(source.rowCount()))
        elif scope is ExportScope.FILTERED:
            rows = self.proxy.source_rows()
        else:
            proxy_rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
            rows = [self.proxy.mapToSource(self.proxy.index(row, 0)).row() for row in proxy_rows]
        items: list[ExportItem] = []
        for row in rows:
            items.append(source.row_id(row) if source.is_history_row(row) else source.record(row))
        return items

    def export_to(self, scope: ExportScope, path: str) -> ExportThread | None:
        """Write the rows of ``scope`` to ``path`` (.har or .jsonl) off the GUI thread;
        the result appears in the status bar. Returns the running thread."""
        items = self.export_items(scope)
        if not items:
            self.statusBar().showMessage("Nothing to export: no rows in that choice.", 8000)
            return None
        store = self.store if not self.in_session() else None
        thread = ExportThread(path, items, store, self)
        thread.done.connect(self._on_export_thread_done)
        thread.finished.connect(self._on_export_thread_finished)
        self._export_threads.append(thread)
        self.statusBar().showMessage(visible(f"Exporting {len(items):,} requests to {path}…", 500))
        thread.start()
        return thread

    def open_replay(self, record: CaptureRecord) -> ReplayDialog:
        """The Replay dialog for ``record`` (non-modal; several may be open)."""
        dialog = ReplayDialog(record, self._url, self)
        dialog.finished.connect(self._on_replay_dialog_finished)
        self._replay_dialogs.append(dialog)
        dialog.show()
        return dialog

    # -- history: internals -----------------------------------------------------

    def _update_history_actions(self) -> None:
        session = self.in_session()
        self.clear_action.setEnabled(not session)
        self.clear_action.setToolTip(
            "Not available in an imported session"
            if session
            else "Delete every request, from the table and the history file (Ctrl+L)"
        )

    def _update_history_note(self) -> None:
        store = self.store
        if store is None:
            self.history_note.setText("history: off")
        elif store.path is None:
            self.history_note.setText("history: in memory only")
        else:
            self.history_note.setText("")
            self.history_note.setToolTip(visible(f"History file: {store.path}", 500))

    def _close_history(self) -> None:
        self._store_timer.stop()
        for dialog in list(self._replay_dialogs):
            dialog.close()
        for thread in list(self._export_threads):
            thread.wait()
        if self._owns_store and self.store is not None:
            self.store.close()

    @Slot()
    def _on_store_timer_timeout(self) -> None:
        events = self._store_events
        pruned = 0
        for report in events.drain() if events is not None else ():
            if report.error is not None:
                self._show_error(f"History: {report.error}")
            pruned += report.pruned
        store = self.store
        if store is None:
            return
        # committed live rows become lazy history rows (in memory too: the
        # in-memory store holds them anyway); no row moves
        self.model.convert_committed(store.committed_max_id)
        if pruned:
            self._remove_pruned(store)
            self._pruned_seen += pruned
            self.history_note.setText(pruned_note(store, self._pruned_seen))
            self._update_counts()

    def _remove_pruned(self, store: CaptureStore) -> None:
        """Drop the history rows older than the store's oldest row (by id: the
        history rows include converted live rows, some perhaps pinned)."""
        try:
            oldest = store.ids(0, 1)
        except Exception:  # the store failed: leave the rows, they show as gone
            return
        if oldest:
            self.model.remove_history_before(oldest[0])

    @Slot()
    def _on_import_action_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import HAR", "", "HAR files (*.har);;All files (*)")
        if path:
            self.import_har_file(path)

    @Slot(QAction)
    def _on_export_menu_triggered(self, action: QAction) -> None:
        scope = ExportScope(action.data())
        count = len(self.export_items(scope))
        if not count:
            self.statusBar().showMessage("Nothing to export: no rows in that choice.", 8000)
            return
        path = ask_export_path(self, scope, count)
        if path:
            self.export_to(scope, path)

    @Slot(bool, str)
    def _on_export_thread_done(self, ok: bool, message: str) -> None:
        self.statusBar().showMessage(visible(message, 500), 15000)
        if not ok:
            self._show_error(message)

    @Slot()
    def _on_export_thread_finished(self) -> None:
        thread = self.sender()
        if isinstance(thread, ExportThread) and thread in self._export_threads:
            self._export_threads.remove(thread)
            thread.wait()
            thread.deleteLater()

    @Slot()
    def _on_back_to_live_button_clicked(self) -> None:
        self.back_to_live()

    @Slot(object)
    def _on_table_replay_requested(self, record: CaptureRecord) -> None:
        self.open_replay(record)

    @Slot(int)
    def _on_replay_dialog_finished(self, _result: int) -> None:
        dialog = self.sender()
        if isinstance(dialog, ReplayDialog) and dialog in self._replay_dialogs:
            self._replay_dialogs.remove(dialog)
            dialog.deleteLater()

    # -- settings and closing ---------------------------------------------------

    # -- response rules ---------------------------------------------------------

    def _build_rules_dock(self, rules_path: Path | None) -> None:
        """The rules editor in a dock beside the table, toggled from the toolbar."""
        self.rules_editor = RulesEditor(self.rules_responder, rules_path, self)
        self.rules_dock = QDockWidget("Response rules", self)
        self.rules_dock.setObjectName("rules_dock")  # saveState() keys docks by name
        self.rules_dock.setWidget(self.rules_editor)
        self.rules_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.rules_dock)
        self.rules_dock.hide()
        self.rules_action = self.rules_dock.toggleViewAction()
        self.rules_action.setText("Rules")
        self.rules_action.setShortcut(QKeySequence("Ctrl+E"))
        self.rules_action.setToolTip(
            "Show the response rules: what each request gets back, with a live preview (Ctrl+E)"
        )
        self.rules_action.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView)
        )
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.rules_action)
        button = self.toolbar.widgetForAction(self.rules_action)
        if isinstance(button, QToolButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addAction(self.rules_action)

    def show_rules(self) -> None:
        self.rules_dock.show()
        self.rules_dock.raise_()

    @Slot(object)
    def _on_table_create_rule_requested(self, record: CaptureRecord) -> None:
        self.show_rules()
        self.rules_editor.create_rule_from_request(record)

    @Slot(object)
    def _on_rules_editor_rules_saved(self, ruleset: RuleSet) -> None:
        count = len(ruleset.rules)
        self.statusBar().showMessage(
            f"Rules saved: {count} rule{'s' if count != 1 else ''} now answer new requests", 5000
        )

    def _confirm_rules_saved(self) -> bool:
        """Ask about unsaved rule edits before closing; False means stay open."""
        if not self.rules_editor.is_dirty():
            return True
        box = QMessageBox(self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setWindowTitle(APP_NAME)
        box.setText("The response rules have unsaved changes.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.rules_editor.save()
        return answer == QMessageBox.StandardButton.Discard

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
        if not self._confirm_rules_saved():
            event.ignore()
            return
        self.stop()
        self._flush_timer.stop()
        self._filter_timer.stop()
        self._close_history()
        self.save_settings()
        super().closeEvent(event)


def open_window(args: Any, settings: QSettings | None = None) -> MainWindow:
    """The window with the history ``args`` ask for (``--db PATH``, ``--no-db``, or
    the app-data file), showing what is stored. An unusable file is reported in
    the window's error banner and capturing goes on with history in memory."""
    events = StoreEvents()
    store, problem = open_history(args, events)
    window = MainWindow(settings=settings, store=store, store_events=events, owns_store=True)
    if problem:
        window.show_history_error(problem)
    bind = getattr(args, "bind", None)
    port = getattr(args, "port", None)
    if bind:
        window.set_address(bind)
    if port is not None:
        window.set_port(port)
    return window


def run_gui(args: Any) -> int:
    """Open the window and run the event loop (called by ``inspector.app``).

    Args:
        args: parsed command line; ``args.bind`` and ``args.port`` (each may be
            None) preselect the address and port; ``args.db``/``args.no_db``
            choose the history file.

    Returns:
        The exit status of the event loop.
    """
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    window = open_window(args)
    window.show()
    try:
        return app.exec()
    finally:
        window._close_history()  # the store is closed even if the loop ended without closeEvent
