"""The main window: a compositor of small parts, wired child to child.

Each part has one job and its own module (docs/ARCHITECTURE.md, "Threads" and
"The capture path"):

- :class:`ListenerBar`: address, port, Start/Stop, the live URL;
- :class:`Capture`: the one loop thread and every listener on it;
- :class:`ListenersPanel`: more listeners, each with its own state and URLs;
- :class:`LiveFeed`: captured records into the table in batches;
- :class:`RecorderSignals`: the window's watch on the capture path's recorder
  (requests, the history's commits, pruning and problems);
- :class:`HistoryController`: the store behind the table, its reports, Clear;
- :class:`FilterBar`: text and method filters, the row count;
- :class:`RequestTableView` and :class:`DetailPane`: the rows and the selected one;
- :class:`Follower`: "Follow newest";
- :class:`Sessions`: imported HAR files, read off the GUI thread;
- :class:`Exports`, :class:`Replays`, :class:`RulesWindow`;
- :class:`TimelineStrip` and :class:`TimelineLink`: traffic over time above the table;
- :class:`Comparisons`: comparing two requests, and rules from their differences;
- :class:`Pauses` and :class:`PauseBar`: requests paused by a rule, answered by hand;
- :class:`Notifier`: notices of requests that arrive while the window is inactive;
- :class:`TrustControl`: "HTTPS: trust the local CA…" (with HTTPS on: :meth:`MainWindow.use_tls`);
- :class:`WindowSettings`: what is remembered between runs;
- :class:`SettingsControl`: the preferences (limits, colours, start on launch);
- :class:`HelpMenu`: the README's sections, the shortcuts, About.

The window builds them, lays them out, and connects their signals to each
other's slots in :meth:`MainWindow._connect_signals`; it holds almost no
behaviour of its own.
"""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.addresses import DEFAULT_PORT, url_for
from inspector.capture import Recorder
from inspector.http.record import CaptureRecord
from inspector.limit_settings import limit_values
from inspector.listen import resolve_listeners
from inspector.listener import RecorderSignals
from inspector.models.columns import Column
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.responses import Responder as RulesResponder
from inspector.store import CaptureStore
from inspector.tls.contexts import ServerContexts, from_command_line
from inspector.ui.banner import Banner, BannerKind, ExposureBanner
from inspector.ui.capture import Capture
from inspector.ui.comparisons import Comparisons
from inspector.ui.detail_pane import DetailPane
from inspector.ui.exports import Exports
from inspector.ui.filter_bar import FilterBar
from inspector.ui.follow import Follower
from inspector.ui.help import HelpMenu
from inspector.ui.history_controller import HistoryController
from inspector.ui.history_store import open_history
from inspector.ui.identity import APP_NAME, ORG_NAME, app_icon, set_identity
from inspector.ui.listener_bar import ListenerBar
from inspector.ui.listeners_panel import ListenersPanel
from inspector.ui.live_feed import LiveFeed
from inspector.ui.notifier import Notifier
from inspector.ui.pause_bar import PauseBar
from inspector.ui.pauses import Pauses
from inspector.ui.recording import RuleRecording
from inspector.ui.replays import Replays
from inspector.ui.request_view import RequestTableView
from inspector.ui.rules_window import RulesWindow
from inspector.ui.session import Sessions
from inspector.ui.settings_dialog import SettingsControl
from inspector.ui.theme import apply_theme
from inspector.ui.timeline_link import TimelineLink
from inspector.ui.timeline_strip import TimelineStrip
from inspector.ui.trust_dialog import TrustControl
from inspector.ui.window_settings import WindowSettings

__all__ = ["APP_NAME", "ORG_NAME", "MainWindow", "open_window", "run_gui"]


class MainWindow(QMainWindow):
    """The Request Inspector window.

    Args:
        settings: where the window's state is remembered (the user's by default).
        recorder: the capture path every listener records through; its store's
            rows are shown under the live rows (by default: no history).
        owns_recorder: close ``recorder`` (and its store) when the window closes.
        rules_path: the rules file to edit and answer from (None: the app-data one).
    """

    def __init__(
        self,
        *,
        settings: QSettings | None = None,
        recorder: Recorder | None = None,
        owns_recorder: bool = False,
        rules_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        qsettings = settings if settings is not None else QSettings()
        # The rules editor swaps rule sets inside this responder; the listener
        # reads its snapshot once per request, so a save takes effect at once.
        responder = self._responder = RulesResponder()
        recorder = recorder if recorder is not None else Recorder()
        store = recorder.store
        self.recorder_signals = RecorderSignals(recorder, self)
        self.model = RequestTableModel(self, history=store)
        self.proxy = RequestFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.capture = Capture(responder, self, recorder=recorder)
        self.pauses = Pauses(lambda: self.capture.limits.idle_timeout, self)
        responder.set_pause_handler(self.pauses)  # pause rules hold their requests here
        self.pause_bar = PauseBar(self.pauses, self)
        self.feed = LiveFeed(self.model, self)
        self.history = HistoryController(recorder, self.model, self, owns_recorder=owns_recorder)
        self.listener_bar = ListenerBar(self)
        self.listeners = ListenersPanel(self, https=lambda: self.capture.tls is not None)
        self.exposure_banner = ExposureBanner(self)
        self.error_banner = Banner(BannerKind.ERROR, closable=True, parent=self)
        self.filter_bar = FilterBar(self.proxy, self.feed, self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.table = RequestTableView(self.splitter)
        self.table.setModel(self.proxy)
        self.detail = DetailPane(self.splitter)
        self.follower = Follower(self.table, self.proxy, self.model, self)
        self.sessions = Sessions(self.proxy, self.model, self)
        self.exports = Exports(self.table, self.proxy, self.model, store, self)
        self.replays = Replays(self, listener_url=lambda: self.capture.url)
        self.rules = RulesWindow(responder, self, rules_path=rules_path)
        self.recording = RuleRecording(self.rules.editor, self)
        self.preferences = SettingsControl(qsettings, self)
        self.capture.set_limits(self.preferences.preferences.limits)
        self.help = HelpMenu(self)
        self.timeline = TimelineStrip(self)
        self.timeline_link = TimelineLink(
            self.timeline, table=self.table, proxy=self.proxy, live=self.model, store=store, parent=self
        )
        self.comparisons = Comparisons(
            self.table,
            proxy=self.proxy,
            live=self.model,
            sessions=self.sessions,
            rules=self.rules,
            parent=self,
        )
        self.notifier = Notifier(self, self.proxy)
        self.trust = TrustControl(self, self._https_url)
        self._qsettings = qsettings
        self._settings = WindowSettings(
            qsettings,
            self,
            splitter=self.splitter,
            table=self.table,
            listener_bar=self.listener_bar,
            listeners=self.listeners,
            follow_action=self.follower.action,
        )
        self._lay_out()
        self._connect_signals()
        self.history.load()
        self._settings.restore()
        self.timeline_link.restore(self._qsettings)
        self.notifier.restore(self._qsettings)
        self.filter_bar.refresh_counts()
        self.exposure_banner.show_for_address(self.listener_bar.address_combo.address())
        self.table.set_empty_hint(self.listener_bar.hint())
        if self.model.rowCount():
            self.table.scrollToBottom()

    # -- construction ------------------------------------------------------------

    def _lay_out(self) -> None:
        bar = self.listener_bar
        self.addToolBar(bar)
        bar.addSeparator()
        bar.addAction(self.follower.action)
        bar.addAction(self.history.clear_action)
        bar.addSeparator()
        bar.addWidget(self.exports.button)
        bar.addAction(self.sessions.import_action)
        bar.addSeparator()
        bar.addAction(self.rules.toggle_action)
        button = bar.widgetForAction(self.rules.toggle_action)
        if isinstance(button, QToolButton):
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addAction(self.rules.toggle_action)
        self.addAction(self.filter_bar.find_action)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.listeners)
        self.listeners.hide()

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.sessions.import_action)
        file_menu.addMenu(self.exports.menu)
        file_menu.addSeparator()
        file_menu.addAction(self.history.clear_action)
        file_menu.addSeparator()
        file_menu.addAction(self.preferences.action)
        file_menu.addSeparator()
        self.quit_action = file_menu.addAction("&Quit")
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # the standard key is unbound on some platforms
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.follower.action)
        view_menu.addAction(self.rules.toggle_action)
        view_menu.addAction(self.rules.editor.commands.reset_state)
        view_menu.addAction(self.timeline_link.toggle_action)
        view_menu.addAction(self.listeners.toggle_action)
        view_menu.addAction(self.filter_bar.find_action)
        view_menu.addMenu(self.table.columns_menu()).setText("&Columns")
        tools_menu = self.menuBar().addMenu("&Tools")
        compare = [self.comparisons.compare_action, self.comparisons.compare_with_action]
        tools_menu.addActions([*compare, self.pauses.answer_action])
        tools_menu.addSeparator()
        tools_menu.addActions([self.notifier.enable_action, self.notifier.filter_action])
        tools_menu.addSeparator()
        tools_menu.addAction(self.trust.action)
        self.table.selection_actions = [*compare, self.pauses.answer_action]
        self.addAction(self.comparisons.compare_action)
        self.menuBar().addMenu(self.help.menu)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.setSpacing(4)
        banners = (self.exposure_banner, self.error_banner, self.pause_bar)
        top = (*banners, self.sessions.bar, self.filter_bar, self.timeline)
        for widget in top:
            widget.setParent(central)
            layout.addWidget(widget)
        self.splitter.setChildrenCollapsible(False)
        self.table.sortByColumn(Column.ID, Qt.SortOrder.AscendingOrder)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.statusBar().addWidget(self.listener_bar.status_label, 1)
        self.statusBar().addPermanentWidget(self.history.note)

    def _connect_signals(self) -> None:
        bar, capture, feed, history = self.listener_bar, self.capture, self.feed, self.history
        recorded = self.recorder_signals
        status = self.statusBar()
        # the listener
        bar.start_requested.connect(capture.start)
        bar.stop_requested.connect(capture.stop)
        bar.address_changed.connect(self.exposure_banner.show_for_address)
        bar.hint_changed.connect(self.table.set_empty_hint)
        self.preferences.limits_changed.connect(capture.set_limits)
        capture.starting.connect(self.error_banner.hide)
        capture.starting.connect(bar.show_starting)
        capture.listening.connect(bar.show_listening)
        capture.error.connect(self.error_banner.show_message)
        capture.stopped.connect(bar.show_idle)
        self.listeners.start_requested.connect(capture.open)
        self.listeners.start_requested.connect(self.table.show_listeners)
        self.listeners.stop_requested.connect(capture.close)
        capture.state_changed.connect(self.listeners.show_state)
        # the capture path (the recorder writes the history): records to the table
        recorded.request_started.connect(feed.start)
        recorded.request_finished.connect(feed.add)
        feed.flushed.connect(self.filter_bar.refresh_counts)
        # the history
        recorded.history_committed.connect(history.committed)
        feed.flushed.connect(history.rows_added)
        recorded.history_pruned.connect(history.pruned)
        recorded.problem.connect(history.report_error)
        history.error.connect(self.error_banner.show_message)
        history.about_to_clear.connect(feed.clear)
        history.rows_changed.connect(self.filter_bar.refresh_counts)
        # the rows shown and the selected one
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.layoutChanged):
            signal.connect(self.filter_bar.refresh_counts)
        self.proxy.modelReset.connect(self.filter_bar.refresh_counts)
        self.proxy.query_changed.connect(self.table.set_match_query)
        self.proxy.query_changed.connect(self.detail.set_query)
        self.table.record_selected.connect(self.detail.set_record)
        self.table.record_selected.connect(self.rules.preview)
        self.table.record_selected.connect(self.pauses.select)
        self.pauses.changed.connect(self.model.set_paused)
        self.pauses.message.connect(status.showMessage)
        self.table.create_rule_requested.connect(self.rules.create_rule_from)
        self.table.save_as_rule_requested.connect(self._on_table_save_as_rule_requested)
        self.table.replay_requested.connect(self.replays.open)
        # imported sessions
        self.sessions.changed.connect(history.set_session_shown)
        self.sessions.changed.connect(self.detail.set_imported)
        self.sessions.changed.connect(self.follower.session_shown)
        self.sessions.opened.connect(self.error_banner.hide)
        self.sessions.import_failed.connect(self.error_banner.show_message)
        # exports, rules, quitting
        self.exports.message.connect(status.showMessage)
        self.exports.error.connect(self.error_banner.show_message)
        self.rules.message.connect(status.showMessage)
        feed.batch_added.connect(self.recording.add_records)
        self.recording.message.connect(status.showMessage)
        self.recording.error.connect(self.error_banner.show_message)
        self.quit_action.triggered.connect(self.close)
        # the timeline, comparing, notifications
        timeline, link = self.timeline, self.timeline_link
        feed.batch_added.connect(link.add_records)
        feed.batch_added.connect(self.notifier.add_records)
        recorded.request_started.connect(link.add_pending)
        recorded.history_pruned.connect(link.history_pruned)
        history.about_to_clear.connect(link.history_cleared)
        self.sessions.changed.connect(link.session_shown)
        timeline.record_picked.connect(link.pick)
        timeline.range_selected.connect(link.select_range)
        timeline.range_cleared.connect(link.clear_range)
        link.message.connect(status.showMessage)
        self.comparisons.message.connect(status.showMessage)

    # -- public API -------------------------------------------------------------

    @property
    def url(self) -> str:
        """The live URL while listening, else ""."""
        return self.capture.url

    @property
    def store(self) -> CaptureStore | None:
        return self.history.store

    def is_running(self) -> bool:
        return self.capture.is_running()

    def set_address(self, address: str) -> None:
        self.listener_bar.set_address(address)

    def set_port(self, port: int) -> None:
        self.listener_bar.set_port(port)

    def use_tls(self, contexts: ServerContexts) -> None:
        """HTTPS on the same port from the next start: leaves from ``contexts``, its CA
        trusted by replays and Copy as cURL, the URL button and the trust dialog."""
        self.capture.tls = contexts
        self.table.cacert = self.replays.cafile = str(contexts.ca_path.resolve())
        self.listener_bar.set_tls(True)
        self.trust.set_ca(contexts.ca_path.resolve())

    def _https_url(self) -> str:
        """The listener's https:// URL, or the one it would have (for the trust dialog's curl)."""
        bar = self.listener_bar
        return bar.https_url or url_for("localhost", bar.port() or DEFAULT_PORT, "https")

    def start(self) -> None:
        """Start listening on the chosen address and port."""
        self.capture.start(self.listener_bar.address(), self.listener_bar.port())

    def stop(self) -> None:
        """Stop listening (returns once the listener thread has ended)."""
        self.capture.stop()

    def launch(self) -> None:
        """Show the window as the user set it up: their colours, and listening at
        once when they asked for that."""
        apply_theme(self.preferences.preferences.theme)
        self.show()
        if self.preferences.preferences.start_on_launch:
            self.start()
            self.listeners.start_all()

    def shut_down(self) -> None:
        """Stop everything the window runs and close the store (idempotent)."""
        self.capture.shut_down()
        self._responder.set_pause_handler(None)  # the loop has stopped: nothing is held any more
        self._responder.close()  # forward rules' workers and upstream connections
        self.feed.stop()
        self.replays.close_all()
        self.comparisons.close_all()
        self.timeline.wait()
        self.sessions.close()
        self.exports.wait()
        self.recorder_signals.detach()
        self.history.close()

    @Slot(object)
    def _on_table_save_as_rule_requested(self, record: CaptureRecord) -> None:
        """A forwarded request's upstream answer becomes a rule at the top of the list."""
        if self.recording.save_as_rule(record):
            self.rules.show_rules()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.rules.confirm_close():
            event.ignore()
            return
        self.shut_down()
        self.timeline_link.save(self._qsettings)
        self.notifier.save(self._qsettings)
        self._settings.save()
        super().closeEvent(event)


def open_window(args: Namespace, settings: QSettings | None = None) -> MainWindow:
    """The window with the history ``args`` ask for (``--db PATH``, ``--no-db``, or
    the app-data file), showing what is stored. An unusable file is reported in
    the window's error banner and capturing goes on with history in memory."""
    store, problem = open_history(args)
    rules: str | None = getattr(args, "rules", None)  # a path: preset:NAME is resolved before
    rules_path = Path(rules) if rules else None
    window = MainWindow(
        settings=settings, recorder=Recorder(store), owns_recorder=True, rules_path=rules_path
    )
    limits = limit_values(args)  # --max-body 100MiB ...: over the saved limits, for this run
    limits_problem = window.preferences.use_limits(limits) if limits else None
    contexts, tls_problem = from_command_line(getattr(args, "tls", "off"), getattr(args, "ca_dir", None))
    if contexts is not None:
        window.use_tls(contexts)
    problem = problem or tls_problem
    if problem:
        window.error_banner.show_message(problem)
    elif rules_path is not None and (rules_problem := window.rules.load_problem()):
        window.error_banner.show_message(rules_problem)
    elif limits_problem:
        window.error_banner.show_message(limits_problem)
    bind: str | None = getattr(args, "bind", None)
    port: int | None = getattr(args, "port", None)
    listen: list[str] | None = getattr(args, "listen", None)
    if listen:  # checked by inspector.app: the first for the toolbar, the rest in the list
        first, *others = resolve_listeners(listen)
        bind, port = first.host, first.port
        for spec in others:
            window.listeners.add_listener(spec)
    if bind:
        window.set_address(bind)
    if port is not None:
        window.set_port(port)
    return window


def run_gui(args: Namespace) -> int:
    """Open the window and run the event loop (called by ``inspector.app``).

    Args:
        args: parsed command line; ``args.bind`` and ``args.port`` (each may be
            None) preselect the address and port; ``args.db``/``args.no_db``
            choose the history file; the limits' flags hold for this run.

    Returns:
        The exit status of the event loop.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    set_identity()
    window = open_window(args)
    window.launch()
    try:
        return app.exec()
    finally:
        window.shut_down()  # the store is closed even if the loop ended without closeEvent
