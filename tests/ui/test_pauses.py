"""Pausing in the window, over real sockets: a pause rule's request waits as a
"paused" row with a bar above the table; the user edits the rule's answer and
sends it, sends a fault, or lets the rule answer; a client that hangs up and a
pause nobody answers are recorded as such."""

from __future__ import annotations

import socket
from typing import Any

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QMenu, QWidget

from inspector.http.limits import Limits
from inspector.models.columns import Column
from inspector.responses import Answer, Rule, RuleSet
from inspector.responses.pausing import expiry_reason
from inspector.server.loop import HUNG_UP
from inspector.ui.main_window import MainWindow
from inspector.ui.pause_dialog import PauseDialog
from inspector.ui.rules_form import RuleForm
from tests.harness import RawClient
from tests.ui.test_main_window import address, cell
from tests.ui.test_waiting_rows import get_in_thread

PAY = Rule(
    name="pay",
    path="/pay",
    pause=True,
    responses=(
        Answer(status=503, headers=(("Content-Type", "text/plain"),), body="busy"),
        Answer(status=200, body="ok"),
    ),
)


def pausing(window: MainWindow) -> None:
    window.capture.responder.set_rules(RuleSet(rules=(PAY,)))  # type: ignore[attr-defined]


def wait_paused(qtbot: Any, window: MainWindow, row: int = 0) -> None:
    """Until one request is held and row ``row`` says it is paused."""
    qtbot.waitUntil(lambda: len(window.pauses.board) == 1, timeout=5000)
    qtbot.waitUntil(lambda: str(cell(window, row, Column.STATUS)).startswith("paused "), timeout=5000)


def open_dialog(window: MainWindow) -> PauseDialog:
    window.table.selectRow(0)
    assert window.pauses.answer_action.isEnabled()
    window.pauses.answer_action.trigger()
    dialog = window.pauses.dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_a_paused_request_is_answered_with_exactly_the_edited_answer(
    qtbot: Any, listening: MainWindow
) -> None:
    window = listening
    pausing(window)
    client = RawClient.connect(address(window)[1])
    client.send(b"GET /pay HTTP/1.1\r\nHost: x\r\n\r\n")
    wait_paused(qtbot, window)
    assert client.is_open(0.0)  # nothing answered: the client waits
    assert window.pause_bar.isVisible()
    assert "#1 GET /pay · paused by rule 'pay' (answer 1 of 2)" in window.pause_bar.label.text()
    dialog = open_dialog(window)
    # pre-filled with what the rule would send
    assert dialog.status.value() == 503
    assert dialog.headers.toPlainText() == "Content-Type: text/plain"
    assert dialog.body.toPlainText() == "busy"
    dialog.status.setValue(201)
    dialog.headers.setPlainText("Content-Type: application/json\nX-Hand: yes\nX-Hand: twice")
    dialog.body.setPlainText('{"made": "by hand"}')
    dialog.send_button.click()
    answer = client.response()
    client.close()
    body = b'{"made": "by hand"}'
    assert answer.raw == (
        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Hand: yes\r\nX-Hand: twice\r\n"
        b"Content-Length: 19\r\n\r\n" + body
    )
    qtbot.waitUntil(lambda: cell(window, 0, Column.STATUS) == "201 · step 1/2", timeout=5000)
    record = window.model.record(0)
    assert record.response is not None and record.response.rule == "pay" and record.response.body == body
    assert not window.pauses.board and not window.pause_bar.isVisible()
    assert not dialog.isVisible()


def test_a_header_that_cannot_be_sent_is_refused_in_the_dialog(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    pausing(window)
    thread, outcome = get_in_thread(window, "/pay")
    wait_paused(qtbot, window)
    dialog = open_dialog(window)
    dialog.headers.setPlainText("Content-Length: 99")
    dialog.send_button.click()
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert "Content-Length is computed by the listener" in dialog.problem.text()
    assert window.pauses.board and not outcome  # nothing was sent
    dialog.rule_button.click()  # the rule's own answer after all
    thread.join(10)
    assert outcome == [(503, b"busy")]
    qtbot.waitUntil(lambda: cell(window, 0, Column.STATUS) == "503 · step 1/2", timeout=5000)


def test_a_fault_goes_through_the_deferred_answer(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    pausing(window)
    thread, _ = get_in_thread(window, "/pay")
    wait_paused(qtbot, window)
    request = window.pauses.current()
    assert request is not None
    window.pause_bar.fault_actions["reset"].trigger()
    sent = request.deferred.response
    assert sent is not None and (sent.fault, sent.status, sent.body, sent.step) == ("reset", 503, b"busy", 1)
    assert not window.pauses.board
    thread.join(10)
    qtbot.waitUntil(lambda: not window.model.waiting, timeout=5000)  # recorded: no longer waiting
    assert window.model.record(0).response is not None or window.model.record(0).error


def test_the_dialog_sends_an_edited_answer_with_a_trickle_fault(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    pausing(window)
    thread, _ = get_in_thread(window, "/pay")
    wait_paused(qtbot, window)
    request = window.pauses.current()
    dialog = open_dialog(window)
    assert not dialog.rate.isEnabled()
    dialog.fault.setCurrentIndex(dialog.fault.findData("trickle"))
    assert dialog.rate.isEnabled()
    dialog.rate.setValue(4096)
    dialog.body.setPlainText("slowly")
    dialog.send_button.click()
    assert request is not None and request.deferred.response is not None
    sent = request.deferred.response
    assert (sent.fault, sent.bytes_per_s, sent.body, sent.status) == ("trickle", 4096, b"slowly", 503)
    thread.join(10)


def test_letting_the_rule_answer_from_the_bar_keeps_the_steps(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    pausing(window)
    for row, (status, body) in enumerate(((503, b"busy"), (200, b"ok"))):
        thread, outcome = get_in_thread(window, "/pay")
        wait_paused(qtbot, window, row)
        window.pause_bar.rule_button.click()
        thread.join(10)
        assert outcome == [(status, body)]
        qtbot.waitUntil(
            lambda row=row, status=status: cell(window, row, Column.STATUS) == f"{status} · step {row + 1}/2"
        )


def test_a_client_hanging_up_while_paused_is_recorded(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    pausing(window)
    sock = socket.create_connection(address(window), timeout=5)
    sock.sendall(b"GET /pay HTTP/1.1\r\nHost: x\r\n\r\n")
    wait_paused(qtbot, window)
    dialog = open_dialog(window)
    sock.close()
    qtbot.waitUntil(lambda: HUNG_UP in str(cell(window, 0, Column.STATUS)), timeout=5000)
    assert window.model.record(0).error == HUNG_UP and window.model.record(0).response is None
    assert not window.pauses.board and not window.pause_bar.isVisible()
    assert not dialog.open_request and HUNG_UP in dialog.waited.text()


def test_a_pause_nobody_answers_ends_at_the_idle_limit(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    window.capture.set_limits(Limits(idle_timeout=1.0))  # what the pauses read
    pausing(window)
    thread, outcome = get_in_thread(window, "/pay")
    wait_paused(qtbot, window)
    qtbot.waitUntil(lambda: not window.pauses.board, timeout=5000)
    qtbot.waitUntil(lambda: expiry_reason(1.0) in str(cell(window, 0, Column.STATUS)), timeout=5000)
    response = window.model.record(0).response
    assert response is not None and response.error == expiry_reason(1.0)
    thread.join(10)
    assert outcome  # the client is no longer held (closed, or told why)


def test_the_bar_and_the_row_menu_are_there_at_1024x700(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    window.resize(1024, 700)
    pausing(window)
    thread, _ = get_in_thread(window, "/pay")
    wait_paused(qtbot, window)
    inside = QRect(QPoint(0, 0), window.size())
    for button in (
        window.pause_bar.answer_button,
        window.pause_bar.rule_button,
        window.pause_bar.fault_button,
    ):
        assert button.isVisible()
        top_left = button.mapTo(window, QPoint(0, 0))
        assert inside.contains(QRect(top_left, button.size())), button.text()
    menu = QMenu(window)
    window.table.build_context_menu(menu, window.proxy.index(0, 0))
    assert window.pauses.answer_action in menu.actions()
    window.table.selectRow(0)
    assert window.pauses.answer_action.isEnabled()
    window.pause_bar.rule_button.click()
    thread.join(10)
    assert not window.pauses.answer_action.isEnabled()
    assert isinstance(window.pause_bar, QWidget) and not window.pause_bar.isVisible()


def test_the_rules_form_turns_pause_on_and_off(qtbot: Any) -> None:
    form = RuleForm()
    qtbot.addWidget(form)
    form.set_rule(PAY)
    assert form.pause_check.isChecked() and form.rule() == PAY
    with qtbot.waitSignal(form.edited, timeout=1000):
        form.pause_check.setChecked(False)
    edited = form.rule()
    assert edited is not None and not edited.pause and edited.responses == PAY.responses
    form.set_rule(Rule(name="plain"))
    assert not form.pause_check.isChecked()


def test_an_open_dialog_turns_read_only_when_the_bar_answers(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    pausing(window)
    thread, outcome = get_in_thread(window, "/pay")
    wait_paused(qtbot, window)
    dialog = open_dialog(window)
    window.pause_bar.fault_actions["close"].trigger()
    assert not dialog.open_request and "it was answered (sent the fault 'close')" in dialog.waited.text()
    assert dialog.keep_button.text() == "&Close"
    thread.join(10)
    assert outcome
