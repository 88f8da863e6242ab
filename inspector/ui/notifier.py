"""Notifications: a tray message (or the taskbar alert) when matching requests
arrive while the window is not active.

What to tell and when is the Qt-free :class:`inspector.notify.NotifyPolicy`
(off by default, rate-limited, folded). This part feeds it the live feed's
batches (nothing at all while notifications are off, or while the window is
active), shows its notices through the system tray when there is one, else
asks the window manager to draw attention to the window
(:meth:`QApplication.alert`), and keeps the setting: on or off
(``notify/enabled``) and the "notify on" filter text (``notify/filter``;
empty: whatever the table's filter shows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QSystemTrayIcon, QWidget

from inspector.filter_query import FilterQuery, accepts, parse_filter
from inspector.http.record import CaptureRecord
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.notify import Notice, NotifyPolicy, describe

#: how long a tray message stays up (ms)
MESSAGE_MS: Final = 6000
#: the longest "notify on" filter kept
FILTER_LIMIT: Final = 500


class Notifier(QObject):
    """Notifies about requests that match while ``window`` is inactive.

    Args:
        window: the main window (its activation resets the fold; alerts go to it).
        proxy: the table's filter ("notify on" empty: what it shows is notified).
        policy: the policy (a default one: 10 s between notices).
        is_active: whether the user is looking at the window (default:
            ``window.isActiveWindow()``).

    Signals:
        notified(object): a :class:`~inspector.notify.Notice` was shown.
    """

    notified = Signal(object)

    def __init__(
        self,
        window: QWidget,
        proxy: RequestFilterProxyModel,
        *,
        policy: NotifyPolicy | None = None,
        is_active: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._proxy = proxy
        self.policy = policy if policy is not None else NotifyPolicy()
        self._is_active = is_active if is_active is not None else window.isActiveWindow
        self._text = ""
        self._query = FilterQuery()
        self._tray: QSystemTrayIcon | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.enable_action = QAction("&Notify about requests in the background", self)
        self.enable_action.setCheckable(True)
        self.enable_action.setToolTip(
            "While the window is not active, say when requests matching the filter arrive "
            "(at most one notice every few seconds)"
        )
        self.filter_action = QAction("Notify &on…", self)
        self.filter_action.setToolTip(
            "Which requests to notify about (empty: those the table's filter shows)"
        )
        self.enable_action.toggled.connect(self._on_enable_action_toggled)
        self.filter_action.triggered.connect(self._on_filter_action_triggered)

    @property
    def filter_text(self) -> str:
        return self._text

    def set_filter_text(self, text: str) -> None:
        """Notify about the requests ``text`` keeps, read as the filter box's
        text is (free text and terms; "" = the table's filter)."""
        self._text = text.strip()[:FILTER_LIMIT]
        self._query = parse_filter(self._text)

    def set_enabled(self, on: bool) -> None:
        self.enable_action.setChecked(on)

    def restore(self, settings: QSettings) -> None:
        value = settings.value("notify/filter", "")
        self.set_filter_text(value if isinstance(value, str) else "")
        enabled = settings.value("notify/enabled", False)
        self.set_enabled(enabled is True or str(enabled).strip().lower() in ("true", "1"))

    def save(self, settings: QSettings) -> None:
        settings.setValue("notify/enabled", self.policy.enabled)
        settings.setValue("notify/filter", self._text)

    def matches(self, record: CaptureRecord) -> bool:
        if self._text:
            return accepts(self._query, record)
        return self._proxy.accepts_record(record)

    @Slot(object)
    def add_records(self, records: Sequence[CaptureRecord]) -> None:
        """A batch of the live feed."""
        if not self.policy.enabled or self._is_active():
            return
        lines = [describe(record) for record in records if self.matches(record)]
        self._show(self.policy.arrived(lines, active=False))

    def _show(self, notice: Notice | None) -> None:
        if notice is not None:
            tray = self._tray
            if tray is not None and tray.isVisible():
                tray.showMessage(
                    self._window.windowTitle(),
                    notice.text,
                    QSystemTrayIcon.MessageIcon.Information,
                    MESSAGE_MS,
                )
            else:
                QApplication.alert(self._window)
            self.notified.emit(notice)
        wait = self.policy.next_due()
        if wait is not None:
            self._timer.start(max(1, round(wait * 1000)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.WindowActivate:
            self.policy.activated()
            self._timer.stop()
        return False

    # -- slots -------------------------------------------------------------------

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self._is_active():
            self.policy.activated()
            return
        self._show(self.policy.due())

    @Slot(bool)
    def _on_enable_action_toggled(self, on: bool) -> None:
        self.policy.enabled = on
        if on:  # the window's activation is watched only while notifying
            self._window.installEventFilter(self)
        else:
            self._window.removeEventFilter(self)
        if on and self._tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self._tray = QSystemTrayIcon(self._window.windowIcon(), self)
            self._tray.setToolTip(self._window.windowTitle())
        if self._tray is not None:
            self._tray.setVisible(on)
        if not on:
            self.policy.activated()
            self._timer.stop()

    @Slot()
    def _on_filter_action_triggered(self) -> None:
        text, ok = QInputDialog.getText(
            self._window,
            "Notify on",
            "Notify about the requests this filter keeps, e.g. status:5xx or /hooks\n"
            "(empty: those the table's filter shows):",
            QLineEdit.EchoMode.Normal,
            self._text,
        )
        if ok:
            self.set_filter_text(text)
