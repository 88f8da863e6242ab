"""Notifications in the window: off by default, only while inactive, only for matching
requests, rate-limited and folded (an injected clock), and remembered."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication

from inspector.http.record import CaptureRecord, SentResponse
from inspector.notify import Notice, NotifyPolicy
from inspector.ui.main_window import MainWindow
from inspector.ui.notifier import Notifier
from tests.conftest import make_record


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def request(record_id: int, method: str, path: str, status: int = 200) -> CaptureRecord:
    return make_record(
        id=record_id, method=method, path=path, target=path, query=(), response=SentResponse(status=status)
    )


def notifier_for(window: MainWindow, clock: Clock, active: list[bool]) -> tuple[Notifier, list[Notice]]:
    notifier = Notifier(
        window, window.proxy, policy=NotifyPolicy(interval=0.05, clock=clock), is_active=lambda: active[0]
    )
    shown: list[Notice] = []
    notifier.notified.connect(shown.append)
    return notifier, shown


def test_off_by_default(qtbot: Any, window: MainWindow) -> None:
    assert not window.notifier.enable_action.isChecked() and not window.notifier.policy.enabled
    shown: list[Notice] = []
    window.notifier.notified.connect(shown.append)
    window.feed.add(request(1, "GET", "/a"))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert shown == []


def test_rate_limited_folded_and_reset_by_activation(qtbot: Any, window: MainWindow) -> None:
    clock, active = Clock(), [False]
    notifier, shown = notifier_for(window, clock, active)
    notifier.set_enabled(True)
    notifier.add_records([request(1, "GET", "/a")])
    assert [(n.text, n.count) for n in shown] == [("GET /a → 200", 1)]
    notifier.add_records([request(2, "POST", "/hook", 500), request(3, "POST", "/hook", 502)])
    notifier.add_records([request(4, "PUT", "/x")])
    assert len(shown) == 1 and notifier.policy.waiting == 3
    clock.now += 0.05  # the interval is over: the folded notice comes with the next timer tick
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)
    assert (shown[1].text, shown[1].count) == ("3 new requests (last: PUT /x → 200)", 3)
    notifier.add_records([request(5, "GET", "/b")])
    assert len(shown) == 2 and notifier.policy.waiting == 1
    QApplication.sendEvent(window, QEvent(QEvent.Type.WindowActivate))  # the user looks: nothing waits
    assert notifier.policy.waiting == 0
    active[0] = True
    notifier.add_records([request(6, "GET", "/c")])
    assert len(shown) == 2 and notifier.policy.waiting == 0


def test_only_matching_requests(qtbot: Any, window: MainWindow) -> None:
    clock, active = Clock(), [False]
    notifier, shown = notifier_for(window, clock, active)
    notifier.set_enabled(True)
    window.proxy.set_filter_text("hook")  # empty "notify on": what the table's filter shows
    notifier.add_records([request(1, "GET", "/a"), request(2, "POST", "/hook", 500)])
    assert [n.text for n in shown] == ["POST /hook → 500"]
    notifier.set_filter_text("  /orders ")
    assert notifier.filter_text == "/orders"
    clock.now += 1.0
    notifier.add_records([request(3, "POST", "/hook"), request(4, "GET", "/orders/7", 404)])
    assert [n.text for n in shown][-1] == "GET /orders/7 → 404"
    clock.now += 1.0
    notifier.add_records([request(5, "POST", "/hook")])
    assert len(shown) == 2 and notifier.policy.waiting == 0
    notifier.set_filter_text("status:5xx")  # terms, as the filter box reads them
    clock.now += 20.0
    notifier.add_records([request(6, "GET", "/orders/8", 404), request(7, "GET", "/pay", 503)])
    assert [n.text for n in shown][-1] == "GET /pay → 503"


def test_the_setting_is_remembered(qtbot: Any, window: MainWindow, settings: QSettings) -> None:
    window.notifier.enable_action.trigger()
    window.notifier.set_filter_text("hook")
    window.close()
    assert settings.value("notify/enabled") in (True, "true")
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.notifier.policy.enabled and again.notifier.filter_text == "hook"
    again.notifier.set_enabled(False)
    again.close()
    assert settings.value("notify/enabled") in (False, "false")
