"""The rules editor's answers: a list per rule (add, reorder, remove, mode, state key, weight),
the fault picker, a body file with its size and type, and a preview that says which answer the
next request gets and titles what it shows (never contradicting the rule that answers)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from inspector.http.record import CaptureRecord
from inspector.responses import Answer, Responder, Rule, RuleSet, load_rules, save_rules
from inspector.ui.rules_editor import RulesEditor

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4

PAY = Rule(
    name="pay",
    methods=("POST",),
    path="/pay",
    responses=(
        Answer(status=503, body="busy"),
        Answer(status=504, delay_ms=2000, body="timeout"),
        Answer(status=200, body="paid"),
    ),
)
CATCH_ALL = Rule(name="catch all", path="/**", body="caught")


def record(target: str = "/pay", method: str = "POST", client: str = "127.0.0.1:50000") -> CaptureRecord:
    path, _, _query = target.partition("?")
    return CaptureRecord(
        id=3, received_at=time.time(), client=client, server="127.0.0.1:8090", method=method,
        target=target, path=path, query=(), http_version="1.1", headers=(("Host", "localhost"),),
    )  # fmt: skip


@pytest.fixture
def responder() -> Responder:
    return Responder()


@pytest.fixture
def make_editor(qtbot: Any, responder: Responder, tmp_path: Path) -> Any:
    def make(*rules: Rule) -> RulesEditor:
        save_rules(tmp_path / "rules.json", RuleSet(rules=rules))
        editor = RulesEditor(responder, tmp_path / "rules.json")
        qtbot.addWidget(editor)
        editor.resize(1280, 800)
        editor.show()
        editor.set_preview_record(record())
        qtbot.waitUntil(lambda: "(request #3)" in editor.preview.request_label.text())
        return editor

    return make


def rows(editor: RulesEditor) -> list[str]:
    answers = editor.form.answers.list
    return [answers.item(row).text() for row in range(answers.count())]


def test_a_rule_becomes_a_sequence_by_adding_answers(qtbot: Any, make_editor: Any) -> None:
    editor = make_editor(Rule(name="one", path="/pay", status=201, body="made"))
    answers = editor.form.answers
    assert rows(editor) == ["1. 201 · made"]
    assert not answers.picking.isVisibleTo(editor) and answers.single_hint.isVisibleTo(editor)
    assert not answers.remove_button.isEnabled()
    answers.add_button.click()  # a copy of the selected answer, after it, selected
    assert rows(editor) == ["1. 201 · made", "2. 201 · made"]
    assert answers.current() == 1 and answers.heading.text() == "Answer 2 of 2"
    assert answers.picking.isVisibleTo(editor) and not answers.single_hint.isVisibleTo(editor)
    editor.form.status_edit.setText("503")
    editor.form.status_edit.textEdited.emit("503")
    assert rows(editor)[1] == "2. 503 · made"  # the list follows the form
    answers.up_button.click()
    assert rows(editor) == ["1. 503 · made", "2. 201 · made"] and answers.current() == 0
    assert not answers.up_button.isEnabled() and answers.down_button.isEnabled()
    rule = editor.rules()[0]
    assert [a.status for a in rule.answers] == [503, 201] and rule.mode == "sequence"
    assert editor.is_dirty()
    answers.remove_button.click()
    assert rows(editor) == ["1. 201 · made"]
    assert editor.rules()[0].answers == (Answer(status=201, body="made"),)


def test_weight_shows_in_random_mode_and_is_saved(qtbot: Any, make_editor: Any, tmp_path: Path) -> None:
    editor = make_editor(PAY)
    answers, form = editor.form.answers, editor.form.answer_form
    assert not form.weight_spin.isVisibleTo(editor)
    answers.mode_combo.setCurrentIndex(answers.mode_combo.findData("random"))
    assert form.weight_spin.isVisibleTo(editor)
    assert answers.mode_hint.text() == "A random answer each time, by weight."
    form.weight_spin.setValue(3)
    answers.state_edit.setText("{{ request.client.host }}")
    answers.state_edit.textEdited.emit("{{ request.client.host }}")
    assert editor.save()
    saved = load_rules(tmp_path / "rules.json").rules[0]
    assert saved.mode == "random" and saved.state_key == "{{ request.client.host }}"
    assert [a.weight for a in saved.answers] == [3, 1, 1]
    document = json.loads((tmp_path / "rules.json").read_text(encoding="utf-8"))
    assert document["rules"][0]["responses"][0]["weight"] == 3


def test_the_fault_picker_says_what_each_fault_does(qtbot: Any, make_editor: Any) -> None:
    """The editor keeps a fault and its rate, says what the fault does under the picker, and the
    preview says the listener performs it (it no longer says faults are not performed)."""
    editor = make_editor(Rule(name="slow", path="/pay", body="x" * 2048))
    form = editor.form.answer_form
    assert not form.rate_spin.isVisibleTo(editor) and not form.fault_hint.isVisibleTo(editor)
    form.fault_combo.setCurrentIndex(form.fault_combo.findData("trickle"))
    assert form.rate_spin.isVisibleTo(editor)
    form.rate_spin.setValue(512)
    assert "slowly" in form.fault_hint.text() and "Not performed" not in form.fault_hint.text()
    answer = editor.rules()[0].answers[0]
    assert (answer.fault, answer.bytes_per_s) == ("trickle", 512)
    qtbot.waitUntil(lambda: "Fault “trickle” is set" in editor.preview.fault_label.text())
    assert "the listener performs it" in editor.preview.fault_label.text()
    assert editor.preview.body_view.toPlainText() == "x" * 2048
    form.fault_combo.setCurrentIndex(form.fault_combo.findData("reset"))
    assert rows(editor)[0].startswith("1. 200 · xxx") and rows(editor)[0].endswith("… · reset")
    assert not form.rate_spin.isVisibleTo(editor)
    form.fault_combo.setCurrentIndex(form.fault_combo.findData(""))
    assert editor.rules()[0].answers[0].fault is None
    qtbot.waitUntil(lambda: not editor.preview.fault_label.isVisibleTo(editor))


def test_a_body_file_shows_its_size_and_type_and_is_previewed(
    qtbot: Any, make_editor: Any, tmp_path: Path
) -> None:
    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / "ok.png").write_bytes(PNG)
    editor = make_editor(Rule(name="icon", path="/pay", body="text"))
    form = editor.form.answer_form
    assert form.body_edit.isVisibleTo(editor) and not form.file_edit.isVisibleTo(editor)
    form.choose_file(str(tmp_path / "payloads" / "ok.png"))  # what the file dialog hands over
    assert form.file_edit.text() == "payloads/ok.png"  # relative to the rules file's folder
    assert form.file_info.text() == "1.0 KiB, image/png"
    assert not form.body_edit.isVisibleTo(editor) and form.file_edit.isVisibleTo(editor)
    answer = editor.rules()[0].answers[0]
    assert (answer.body_file, answer.body) == ("payloads/ok.png", "")
    qtbot.waitUntil(lambda: "Content-Type: image/png" in editor.preview.headers_view.toPlainText())
    assert f"Content-Length: {len(PNG)}" in editor.preview.headers_view.toPlainText()
    assert editor.preview.body_view.toPlainText().startswith("00000000  89 50 4e 47")  # a hex dump
    form.file_edit.setText("payloads/missing.png")
    form.file_edit.textEdited.emit("payloads/missing.png")
    assert "missing.png" in form.file_info.text() and "KiB" not in form.file_info.text()
    qtbot.waitUntil(lambda: "500" in editor.preview.status_label.text())
    assert "missing.png" in editor.preview.body_view.toPlainText()


def test_the_preview_follows_the_answer_state(qtbot: Any, make_editor: Any, responder: Responder) -> None:
    editor = make_editor(PAY)
    preview = editor.preview
    qtbot.waitUntil(lambda: "gets answer 1 of 3" in preview.pick_label.text())
    assert preview.block_label.text() == "What this request gets: answer 1 of 3 of this rule"
    assert preview.body_view.toPlainText() == "busy"
    assert responder(record()).status == 503  # a real request moves the rule on
    qtbot.waitUntil(lambda: "gets answer 2 of 3" in preview.pick_label.text())  # seen without an edit
    qtbot.waitUntil(lambda: preview.body_view.toPlainText() == "timeout")
    assert "sent after 2000 ms" in preview.status_label.text()
    editor.commands.reset_state.trigger()
    qtbot.waitUntil(lambda: "gets answer 1 of 3" in preview.pick_label.text())
    assert "Answer state reset" in editor.message_label.text()
    assert responder(record()).status == 503  # the listener starts again too


def test_the_selected_answer_is_titled_as_such(qtbot: Any, make_editor: Any) -> None:
    editor = make_editor(PAY)
    preview = editor.preview
    qtbot.waitUntil(lambda: preview.body_view.toPlainText() == "busy")
    editor.form.answers.select(2)  # not the answer the next request gets
    qtbot.waitUntil(lambda: preview.body_view.toPlainText() == "paid")
    assert preview.showing_selected and preview.selected_button.text() == "This rule's answer 3"
    title = "This rule's answer 3 of 3, selected in the form (not the next request's)"
    assert preview.block_label.text() == title
    preview.gets_button.click()
    assert preview.block_label.text() == "What this request gets: answer 1 of 3 of this rule"
    assert preview.body_view.toPlainText() == "busy"


def test_a_rule_that_does_not_match_shows_what_answers_instead(qtbot: Any, make_editor: Any) -> None:
    editor = make_editor(PAY, CATCH_ALL)
    editor.set_preview_record(record("/other", method="GET"))
    preview = editor.preview
    qtbot.waitUntil(lambda: "GET /other" in preview.request_label.text())
    assert preview.match_label.text().startswith("✘ This rule does not match this request")
    assert preview.block_label.text() == "What this request gets: the answer of rule 2 “catch all”"
    assert "rule 2 “catch all” answers this request" in preview.answer_label.text()
    preview.selected_button.click()  # the edited rule's answer, titled as hypothetical
    title = "This rule's answer 1 of 3, if it answered this request (it does not)"
    assert preview.block_label.text() == title
    assert preview.body_view.toPlainText() == "busy"


def test_a_long_body_line_wraps_in_the_editor_and_the_preview(qtbot: Any, make_editor: Any) -> None:
    editor = make_editor(Rule(name="long", path="/pay", body="x"))
    body = '{"token": "' + "a1b2c3d4" * 60 + '"}'  # 493 characters, no space to break at
    editor.form.body_edit.setPlainText(body)
    qtbot.waitUntil(lambda: editor.preview.body_view.toPlainText() == body)
    for view in (editor.form.body_edit, editor.preview.body_view):
        block = view.document().firstBlock()
        qtbot.waitUntil(lambda block=block: block.layout().lineCount() > 1)  # wrapped where it had to be
        assert view.horizontalScrollBar().maximum() == 0  # nothing to scroll sideways to
