"""The rules editor inside the window: toggled from the toolbar, previewing the
selected request, fed by "Create rule from this request", and answering the
next request once saved."""

from __future__ import annotations

from typing import Any

from inspector.responses import default_rules_path
from inspector.ui.main_window import MainWindow
from tests.ui.test_main_window import select_row, send, wait_rows


def test_rules_action_toggles_the_dock(listening: MainWindow) -> None:
    window = listening
    assert not window.rules.isVisible()
    window.rules.toggle_action.trigger()
    assert window.rules.isVisible()
    window.rules.toggle_action.trigger()
    assert not window.rules.isVisible()


def test_selected_request_is_the_preview_request(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    send(window, "GET", "/orders/7?lang=fr")
    wait_rows(qtbot, window, 1)
    select_row(window, 0)
    record = window.detail.record
    assert record is not None
    shown = window.rules.editor.preview.request_label
    qtbot.waitUntil(lambda: f"(request #{record.id}): GET /orders/7?lang=fr" in shown.text())


def test_create_rule_from_request_then_save_answers_the_next_request(
    qtbot: Any, listening: MainWindow
) -> None:
    window = listening
    assert send(window, "POST", "/webhook", body=b"{}") == (200, b"hello world")
    wait_rows(qtbot, window, 1)
    select_row(window, 0)
    record = window.detail.record
    assert record is not None

    window.table.create_rule_requested.emit(record)
    assert window.rules.isVisible()
    rule = window.rules.editor.current_rule()
    assert rule is not None and rule.methods == ("POST",) and rule.path == "/webhook"

    window.rules.editor.form.body_edit.setPlainText("got {{ request.method }} {{ request.path }}")
    qtbot.waitUntil(window.rules.editor.is_dirty, timeout=3000)
    assert window.rules.editor.save()
    assert default_rules_path().exists()
    assert not window.rules.editor.is_dirty()

    # The listener started before the save; the new rules answer at once.
    assert send(window, "POST", "/webhook", body=b"{}") == (200, b"got POST /webhook")
    assert send(window, "GET", "/other") == (200, b"hello world")
    wait_rows(qtbot, window, 3)
    assert window.model.record(1).response.rule == rule.name  # type: ignore[union-attr]
