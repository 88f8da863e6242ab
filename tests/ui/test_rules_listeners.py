"""The rule editor's Listeners field: shown, edited, saved, and refused when it names no listener."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from inspector.http.record import CaptureRecord
from inspector.responses import Responder, Rule, RuleSet, save_rules
from inspector.ui.rules_editor import RulesEditor
from inspector.ui.rules_listeners import parse_listeners

LIMITED = Rule(name="svc-a", path="/svc", body="A", listeners=("127.0.0.1:8090",))
CATCH_ALL = Rule(name="catch all", path="/**", body="caught")


def record(server: str) -> CaptureRecord:
    return CaptureRecord(
        id=1, received_at=time.time(), client="127.0.0.1:50000", server=server, method="GET",
        target="/svc", path="/svc", http_version="1.1", headers=(("Host", "t"),),
    )  # fmt: skip


@pytest.fixture
def editor(qtbot: Any, tmp_path: Path) -> RulesEditor:
    path = tmp_path / "rules.json"
    save_rules(path, RuleSet(rules=(LIMITED, CATCH_ALL)))
    shown = RulesEditor(Responder(), path)
    qtbot.addWidget(shown)
    shown.resize(1300, 800)
    shown.show()
    return shown


def type_listeners(editor: RulesEditor, text: str) -> None:
    edit = editor.form.listeners_field.edit
    edit.setText(text)
    edit.textEdited.emit(text)


def test_parse_listeners() -> None:
    assert parse_listeners(" 127.0.0.1:8090,[::1]:8091  8092 ,, ") == ("127.0.0.1:8090", "[::1]:8091", "8092")
    assert parse_listeners("  ") == ()


def test_the_field_shows_edits_and_saves_a_rules_listeners(qtbot: Any, editor: RulesEditor) -> None:
    field = editor.form.listeners_field
    assert field.edit.text() == "127.0.0.1:8090" and field.hint.isVisible()
    assert editor.responder(record("127.0.0.1:8090")).body == b"A"
    assert editor.responder(record("127.0.0.1:8091")).body == b"caught"
    type_listeners(editor, "127.0.0.1:8090, 8091")
    assert editor.save()
    saved = json.loads(editor.rules_path.read_text(encoding="utf-8"))
    assert saved["rules"][0]["listeners"] == ["127.0.0.1:8090", "8091"]
    assert editor.responder(record("0.0.0.0:8091")).body == b"A"  # in use at once
    type_listeners(editor, "")
    assert editor.save()
    assert "listeners" not in json.loads(editor.rules_path.read_text(encoding="utf-8"))["rules"][0]
    assert not field.hint.isVisible()
    assert editor.responder(record("[::1]:9999")).body == b"A"


def test_a_name_that_is_no_listener_is_shown_and_not_saved(qtbot: Any, editor: RulesEditor) -> None:
    before = editor.rules_path.read_text(encoding="utf-8")
    type_listeners(editor, "127.0.0.1:8090 ::1:8091")
    error = editor.form.listeners_field.error
    qtbot.waitUntil(error.isVisible)
    assert "'::1:8091' is not a listener" in error.text()
    assert not editor.save()
    assert editor.rules_path.read_text(encoding="utf-8") == before
