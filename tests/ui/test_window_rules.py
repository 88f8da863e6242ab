"""The rules editor inside the app: its own window toggled from the toolbar (Ctrl+E), previewing
the selected request, fed by "Create rule from this request", answering the next request once
saved, fitting 1280x800 and 1024x700 with nothing clipped, and the default favicon 404."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLabel, QWidget

from inspector.responses import DEFAULT_RULES, Answer, Rule, default_rules_path
from inspector.ui.main_window import MainWindow
from inspector.ui.rules_editor import RulesEditor
from tests.ui.test_main_window import send, wait_rows

#: the offscreen platform's notes on a second top-level window (it cannot raise one; a real one can)
OFFSCREEN = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


def select_row(window: MainWindow, row: int) -> None:
    window.table.selectRow(row)
    assert window.detail.record is not None


@OFFSCREEN
def test_rules_action_toggles_the_editors_own_window(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    rules = window.rules
    assert rules.isWindow() and rules.parentWidget() is window  # its own window, closed with the main one
    assert not rules.isVisible()
    rules.toggle_action.trigger()
    assert rules.isVisible() and rules.toggle_action.isChecked()
    rules.toggle_action.trigger()
    assert not rules.isVisible() and not rules.toggle_action.isChecked()
    rules.show_rules()
    rules.close()  # closing only hides: the edits stay, the action follows
    assert not rules.isVisible() and not rules.toggle_action.isChecked()


@OFFSCREEN
def test_opening_the_editor_leaves_the_main_windows_minimum_size(listening: MainWindow) -> None:
    window = listening
    before = window.minimumSizeHint()
    window.rules.show_rules()
    assert window.minimumSizeHint() == before  # the dock raised it to ~1,500 px
    assert before.width() <= 1024


def test_selected_request_is_the_preview_request(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    send(window, "GET", "/orders/7?lang=fr")
    wait_rows(qtbot, window, 1)
    select_row(window, 0)
    record = window.detail.record
    assert record is not None
    shown = window.rules.editor.preview.request_label
    qtbot.waitUntil(lambda: f"(request #{record.id}): GET /orders/7?lang=fr" in shown.text())


@OFFSCREEN
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
    assert window.rules.windowTitle().endswith("(unsaved changes)")
    assert window.rules.editor.save()
    assert default_rules_path().exists()
    assert not window.rules.editor.is_dirty()

    # The listener started before the save; the new rules answer at once.
    assert send(window, "POST", "/webhook", body=b"{}") == (200, b"got POST /webhook")
    assert send(window, "GET", "/other") == (200, b"hello world")
    wait_rows(qtbot, window, 3)
    assert window.model.record(1).response.rule == rule.name  # type: ignore[union-attr]


@pytest.fixture
def no_rules_file() -> None:
    """No rules saved by an earlier test: the window starts with the default rules."""
    default_rules_path().unlink(missing_ok=True)


def test_the_window_answers_a_favicon_with_404_and_still_shows_it(
    qtbot: Any, no_rules_file: None, listening: MainWindow
) -> None:
    window = listening
    assert window.rules.editor.rules() == DEFAULT_RULES
    status, body = send(window, "GET", "/favicon.ico")
    assert status == 404 and b"favicon" in body
    assert send(window, "GET", "/index.html") == (200, b"hello world")
    wait_rows(qtbot, window, 2)
    records = [window.model.record(row) for row in range(2)]
    assert [(r.path, r.response.status, r.response.rule) for r in records if r.response] == [
        ("/favicon.ico", 404, "favicon"),
        ("/index.html", 200, "default"),
    ]


def clipped(root: QWidget) -> list[str]:
    """Visible labels, check boxes and buttons whose text does not fit: squeezed below
    their size hint, or cut by the edge of a scroll area or the window (wrapping labels
    excepted; a scroll area scrolled vertically hides rows, not the ends of lines)."""
    found = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, (QLabel, QCheckBox, QAbstractButton)) or not widget.isVisibleTo(root):
            continue
        if isinstance(widget, QLabel) and widget.wordWrap():
            continue
        shown = widget.visibleRegion().boundingRect()
        if shown.isEmpty():
            continue  # scrolled out of view
        needs = widget.sizeHint().width()
        if widget.width() < needs or shown.width() < widget.width():
            found.append(f"{type(widget).__name__} {widget.text()!r}: {shown.width()} of {needs} shown")
    return found


@OFFSCREEN
@pytest.mark.parametrize(("size", "wide"), [((1280, 800), True), ((1024, 700), True), ((900, 600), False)])
def test_the_editor_fits_the_screen_with_nothing_clipped(
    qtbot: Any, listening: MainWindow, size: tuple[int, int], wide: bool
) -> None:
    window = listening
    json_type = {"Content-Type": "application/json"}
    send(window, "POST", "/api/orders?x=1", body=b'{"items": [1, 2]}', headers=json_type)
    wait_rows(qtbot, window, 1)
    select_row(window, 0)
    record = window.detail.record
    assert record is not None
    window.table.create_rule_requested.emit(record)
    rules = window.rules
    rules.resize(*size)
    editor: RulesEditor = rules.editor
    try:
        editor.form.answers.add_button.click()  # two answers: the mode and state key rows show too
        editor.form.answers.mode_combo.setCurrentText("random")
        qtbot.waitUntil(lambda: rules.width() == size[0] and editor.is_wide() == wide)
        assert rules.minimumSizeHint().width() <= size[0]
        qtbot.waitUntil(lambda: "answers this request" in editor.preview.answer_label.text())
        for part in (editor.list_panel, editor.form, editor.preview):
            assert clipped(part) == [], part
        if wide:  # list, form and a readable preview side by side
            assert editor.preview.width() >= 320 and editor.form_scroll.width() >= 430
        else:  # the form and the preview share tabs: both reachable
            assert editor.columns.tabs.count() == 2
            editor.columns.show_part(editor.preview)
            assert editor.preview.isVisible()
    finally:
        editor.revert()  # closing the window would ask about the edits


@OFFSCREEN
def test_reset_answer_state_from_the_view_menu(
    qtbot: Any, no_rules_file: None, listening: MainWindow
) -> None:
    window = listening
    editor = window.rules.editor
    editor.add_rule(Rule(name="flaky", path="/pay", responses=(Answer(status=503), Answer(status=201))))
    assert editor.save()
    assert [send(window, "GET", "/pay")[0] for _ in range(3)] == [503, 201, 201]
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    reset = next(a for a in view_menu.actions() if a.text() == "Reset answer state")
    reset.trigger()
    assert send(window, "GET", "/pay")[0] == 503  # the sequence starts again
    wait_rows(qtbot, window, 4)
