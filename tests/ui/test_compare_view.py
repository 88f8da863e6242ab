"""Comparing two requests in the window: the compare view's summary, folding, swap and
"show identical", large comparisons off the GUI thread, the compare actions and the
"Compare with…" picker, and a difference becoming a rule condition in one click."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt

from inspector.diff import compare
from inspector.formats import export_file
from inspector.http.record import CaptureRecord, UpstreamExchange
from inspector.models.request_table import RequestTableModel
from inspector.responses import Condition, default_rules_path, explain
from inspector.ui.compare_picker import ComparePicker
from inspector.ui.compare_view import SYNC_LIMIT, CompareView
from inspector.ui.diff_text import DiffTextView
from inspector.ui.main_window import MainWindow
from tests.conftest import make_record
from tests.ui.test_main_window import send, wait_rows


def hook(record_id: int, qty: int, **overrides: Any) -> CaptureRecord:
    body = json.dumps({"event": "order.paid", "items": [{"sku": "MUG", "qty": qty}]}).encode()
    fields: dict[str, Any] = {
        "id": record_id,
        "method": "POST",
        "target": "/hook",
        "path": "/hook",
        "query": (),
        "headers": (("Host", "x"), ("Content-Type", "application/json"), ("X-Try", str(record_id))),
        "body": body,
    }
    fields.update(overrides)
    return make_record(**fields)


def rows(view: CompareView, key: str, table: int = 0) -> list[list[str]]:
    model = view.panels[key].tables[table].diff_model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_summary_sections_and_folding(qtbot: Any) -> None:
    view = CompareView()
    qtbot.addWidget(view)
    left, right = hook(1, 2), hook(2, 3)
    with qtbot.waitSignal(view.compared):
        view.compare(left, right)
    expected = compare(left, right)
    assert view.comparison == expected
    assert view.summary_label.text() == expected.summary
    assert expected.summary == "1 header differs, body: 1 JSON value differs at $.items[0].qty"
    assert list(view.panels) == ["request", "headers", "trailers", "query", "body", "raw", "response"]
    folded = {key: panel.folded for key, panel in view.panels.items()}
    assert folded == {
        "request": True,
        "headers": False,
        "trailers": True,
        "query": True,
        "body": False,
        "raw": False,
        "response": True,
    }
    assert view.panels["headers"].header.text() == "Headers — 1 header differs"
    assert view.panels["trailers"].header.text() == "Trailers — identical"
    assert rows(view, "headers") == [["changed", "X-Try", "1", "2"]]
    assert rows(view, "body") == [["changed", "$.items[0].qty", "2", "3"]]
    assert view.left_label.text().startswith("#1 · ") and view.left_label.text().endswith("POST /hook → 200")

    view.set_show_identical(True)
    assert not any(panel.folded for panel in view.panels.values())
    assert rows(view, "headers")[0] == ["same", "Host", "x", "x"]
    view.set_show_identical(False)
    assert view.panels["trailers"].folded and not view.panels["headers"].folded
    assert len(rows(view, "headers")) == 1
    view.panels["headers"].header.click()
    assert view.panels["headers"].folded and not view.panels["headers"].body.isVisibleTo(view)


def test_swap_shows_the_mirror_image(qtbot: Any) -> None:
    view = CompareView()
    qtbot.addWidget(view)
    left = hook(1, 2, headers=(("Host", "x"), ("X-Only-Left", "1")))
    right = hook(2, 3, headers=(("Host", "x"),))
    view.compare(left, right)
    assert rows(view, "headers") == [["removed", "X-Only-Left", "1", ""]]
    with qtbot.waitSignal(view.compared):
        view.swap_button.click()
    assert view.records == (right, left)
    assert view.summary_label.text() == compare(right, left).summary
    assert rows(view, "headers") == [["added", "X-Only-Left", "", "1"]]
    assert rows(view, "body") == [["changed", "$.items[0].qty", "3", "2"]]


def test_identical_requests_fold_everything(qtbot: Any) -> None:
    view = CompareView()
    qtbot.addWidget(view)
    view.compare(hook(1, 2), hook(1, 2))
    assert view.summary_label.text() == "no differences"
    assert all(panel.folded for panel in view.panels.values())


def test_hostile_text_in_the_view_is_escaped_plain_text(qtbot: Any) -> None:
    view = CompareView()
    qtbot.addWidget(view)
    evil = "/a\u202eb\nc<b>x</b>"
    view.compare(hook(1, 2, target=evil, path=evil), hook(2, 2, body=b"line 1\r\n\x1b[31mred\r\n"))
    assert view.left_label.textFormat() == Qt.TextFormat.PlainText
    assert "\\u202e" in view.left_label.text() and "\\n" in view.left_label.text()
    assert "\u202e" not in view.summary_label.text()
    diff = view.panels["body"].findChild(DiffTextView)
    assert isinstance(diff, DiffTextView)
    texts = [line.text for line in diff.lines]
    assert "+ \\x1b[31mred\\r" in texts  # ESC escaped, CRLF shown as such
    assert diff.toPlainText() == "\n".join(texts)


def test_large_requests_are_compared_off_the_gui_thread(qtbot: Any) -> None:
    view = CompareView()
    qtbot.addWidget(view)
    big = b"x" * (SYNC_LIMIT // 2 + 1)
    left = hook(1, 2, body=big + b"\n1", headers=(("Content-Type", "text/plain"),))
    right = hook(2, 2, body=big + b"\n2", headers=(("Content-Type", "text/plain"),))
    with qtbot.waitSignal(view.compared, timeout=20000):
        view.compare(left, right)
        assert view.comparison is None and view.summary_label.text() == "Comparing…"
        assert not view.swap_button.isEnabled()
    assert view.comparison == compare(left, right)
    assert view.swap_button.isEnabled()
    view.wait()


def _select(window: MainWindow, *view_rows: int) -> None:
    selection = window.table.selectionModel()
    selection.clearSelection()
    for row in view_rows:
        selection.select(
            window.proxy.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def test_compare_actions_follow_the_selection(qtbot: Any, window: MainWindow) -> None:
    comparisons = window.comparisons
    window.model.append_records([hook(1, 2), hook(2, 2), hook(3, 3)])
    assert not comparisons.compare_action.isEnabled() and not comparisons.compare_with_action.isEnabled()
    _select(window, 0)
    assert not comparisons.compare_action.isEnabled() and comparisons.compare_with_action.isEnabled()
    _select(window, 2, 0)
    assert comparisons.compare_action.isEnabled()
    assert comparisons.compare_action in window.table.selection_actions
    comparisons.compare_action.trigger()
    [opened] = comparisons.windows
    assert opened.view.records is not None
    assert [r.id for r in opened.view.records] == [1, 3]  # the older request on the left
    assert opened.windowTitle() == "Compare #1 and #3"
    _select(window, 0, 1, 2)
    assert not comparisons.compare_action.isEnabled()
    opened.close()
    qtbot.waitUntil(lambda: not comparisons.windows)


def test_compare_with_a_row_of_a_har_file(qtbot: Any, tmp_path: Path) -> None:
    har = tmp_path / "other.har"
    export_file(har, [hook(7, 5), hook(8, 6)])
    live = RequestTableModel()
    live.append_records([hook(1, 2)])
    picker = ComparePicker(hook(1, 2), [("Live capture and history", live)])
    qtbot.addWidget(picker)
    assert picker.source_combo.count() == 1 and picker.proxy.rowCount() == 1
    thread = picker.open_har(str(har))
    assert thread is not None
    # the picker's own report that the thread is done (a thread that ends before a
    # wait on its finished signal is connected would make that wait time out)
    qtbot.waitUntil(picker.open_har_button.isEnabled, timeout=10000)
    qtbot.waitUntil(lambda: picker.source_combo.count() == 2)
    assert picker.source_combo.currentText() == "HAR file: other.har"
    assert picker.proxy.rowCount() == 2
    picker.table.selectRow(1)
    chosen = picker.chosen()
    assert chosen is not None and chosen.path == "/hook"
    assert json.loads(chosen.body)["items"][0]["qty"] == 6
    picker.filter_edit.setText("no such text anywhere")
    qtbot.waitUntil(lambda: picker.proxy.rowCount() == 0)
    broken = tmp_path / "broken.har"
    broken.write_text("{not json")
    with qtbot.waitSignal(picker.har_failed, timeout=10000):
        picker.open_har(str(broken))
    assert picker.source_combo.count() == 2
    qtbot.waitUntil(picker.open_har_button.isEnabled)  # the thread is done before the picker goes


def test_a_difference_becomes_a_rule_condition_in_one_click(qtbot: Any, window: MainWindow) -> None:
    left, right = hook(1, 2), hook(2, 3)
    opened = window.comparisons.open(left, right)
    view = opened.view
    panel = view.panels["body"]
    assert panel.rule_button is not None and panel.rule_button.isEnabled()  # the first change is selected
    panel.rule_button.click()
    editor = window.rules.editor
    assert window.rules.isVisible()
    assert editor.is_dirty()
    rule = editor.document.rule(0)
    assert editor.current_row() == 0
    assert rule.conditions == (Condition(source="json", name="items.0.qty", op="equals", value=3),)
    assert rule.methods == ("POST",) and rule.path == "/hook"
    assert not explain(rule, left).matched and explain(rule, right).matched
    assert editor.preview_record is right
    assert view.message_label.isVisibleTo(view)
    assert (
        "does not match #1" in view.message_label.text() and "matches #2 (right)" in view.message_label.text()
    )

    # into the selected rule instead, matching the left request: the header's value this time
    rules_before = len(editor.document)
    headers = view.panels["headers"]
    assert headers.rule_button is not None
    into_left = headers.rule_button.actions()[3]
    assert into_left.text().startswith("Add to the selected rule, matching the left request")
    into_left.trigger()
    rule = editor.document.rule(0)
    assert len(editor.document) == rules_before  # no new rule
    assert rule.conditions[-1] == Condition(source="header", name="X-Try", op="equals", value="1")
    assert not explain(rule, left).matched and not explain(rule, right).matched
    assert "does not match #1" in view.message_label.text()  # the two conditions contradict: said so
    editor.revert()  # no "unsaved changes" question when the window closes
    opened.close()


def test_a_difference_that_no_condition_can_tell_apart(qtbot: Any, window: MainWindow) -> None:
    left = hook(1, 2, headers=(("Host", "x"), ("X-Case", "1")))
    right = hook(2, 2, headers=(("Host", "x"), ("x-case", "1")))
    view = window.comparisons.open(left, right).view
    panel = view.panels["headers"]
    table = panel.tables[0]
    assert [table.diff_model.index(0, c).data() for c in range(2)] == ["case", "X-Case / x-case"]
    table.selectRow(0)
    assert panel.rule_button is not None
    panel.rule_button.click()
    assert view.message_label.text().startswith("No rule condition: only the letter case of the name differs")
    assert not window.rules.editor.is_dirty()


def test_end_to_end_the_saved_rule_answers_exactly_one_of_the_two(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    bodies = [json.dumps({"items": [{"qty": qty}]}).encode() for qty in (2, 3)]
    for body in bodies:
        send(window, "POST", "/hook", body=body, headers={"Content-Type": "application/json"})
    wait_rows(qtbot, window, 2)
    _select(window, 0, 1)
    window.comparisons.compare_action.trigger()
    view = window.comparisons.windows[-1].view
    assert view.summary_label.text().startswith("body: 1 JSON value differs at $.items[0].qty")
    body_panel = view.panels["body"]
    assert body_panel.rule_button is not None
    body_panel.rule_button.click()
    editor = window.rules.editor
    try:
        assert editor.save()
        rule_name = editor.document.rule(0).name
        for body in bodies:
            send(window, "POST", "/hook", body=body, headers={"Content-Type": "application/json"})
        wait_rows(qtbot, window, 4)
        answered = [window.model.record(row).response for row in (2, 3)]
        assert [a.rule if a else None for a in answered] == ["default", rule_name]
    finally:
        default_rules_path().unlink(missing_ok=True)


def test_forwarded_rows_show_their_upstream_answers_as_a_section(qtbot: Any) -> None:
    upstream = UpstreamExchange(
        url="http://127.0.0.1:9000/hook",
        status=200,
        reason="OK",
        headers=(("Content-Type", "application/json"), ("X-Up", "1")),
        body=b'{"ok": true}',
        body_size=12,
    )
    failed = dataclasses.replace(
        upstream,
        status=None,
        reason="",
        headers=(("x-up", "1\u202e"),),
        body=b"",
        error="upstream x: refused",
    )
    view = CompareView()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.compared):
        view.compare(hook(1, 2, upstream=upstream), hook(2, 2, upstream=failed))
    assert list(view.panels)[-2:] == ["response", "upstream"]
    panel = view.panels["upstream"]
    assert not panel.folded
    assert panel.header.text().startswith("Upstream answer — upstream: status 200 vs (none)")
    assert ["status", "200", ""] in rows(view, "upstream")
    assert ["error", "", "upstream x: refused"] in rows(view, "upstream")
    headers = rows(view, "upstream", table=1)
    assert headers == [  # the bidi override shown escaped, as everywhere else
        ["removed", "Content-Type", "application/json", ""],
        ["changed, case", "X-Up / x-up", "1", "1\\u202e"],
    ]
    assert "upstream: status 200 vs (none)" in view.summary_label.text()

    with qtbot.waitSignal(view.compared):
        view.compare(hook(1, 2), hook(2, 3))  # neither forwarded: no such section
    assert "upstream" not in view.panels
