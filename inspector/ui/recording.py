"""Forwarded answers into rules: "Save upstream answer as rule" and a forward rule's
``record`` switch.

:class:`RuleRecording` turns a forwarded request's upstream answer into a static
rule (:func:`recorded_rule`) in the rules editor, as an unsaved change: the
user sees what was recorded and saves it. A body that is not UTF-8 text is
written to a body file next to the rules file first (:func:`save_body`).

- By hand (the table's menu): the rule goes to the top of the list and is selected.
- Automatically: for each live request answered by a forward rule whose
  ``forward.record`` is on, when no rule above that forward rule matches the
  request yet (a new method + path + query), the recorded rule is inserted
  just above the forward rule. Once saved, those requests are answered
  locally and the upstream can go away (docs/ARCHITECTURE.md, "Answers").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal, Slot

from inspector.http.record import CaptureRecord
from inspector.responses import Rule
from inspector.responses.document import exact_path_pattern
from inspector.responses.engine import explain
from inspector.responses.recorded import NotRecordable, is_text, recorded_rule, save_body
from inspector.text import visible
from inspector.ui.rules_editor import RulesEditor

#: characters of a request target named in a message
TARGET_LIMIT = 80


def rule_from(editor: RulesEditor, record: CaptureRecord) -> Rule:
    """``record``'s upstream answer as a rule for ``editor``'s rules file (a binary
    body saved as a body file beside it), named uniquely in its list.

    Raises:
        NotRecordable: why it cannot be a rule (one line).
    """
    upstream = record.upstream
    body_file = ""
    if upstream is not None and upstream.status is not None and not is_text(upstream.body):
        folder = editor.document.folder
        if folder is None:
            raise NotRecordable("the body is not text and the rules have no file to keep it beside")
        body_file = save_body(record, folder)
    rule = recorded_rule(record, exact_path_pattern(record.path), body_file)
    return dataclasses.replace(rule, name=editor.document.unique_name(rule.name))


class RuleRecording(QObject):
    """Puts forwarded answers into the rules editor.

    Signals:
        message(str): what was recorded (for the status bar).
        error(str): why a request could not be saved as a rule (one line).
    """

    message = Signal(str)
    error = Signal(str)

    def __init__(self, editor: RulesEditor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._editor = editor

    @Slot(object)
    def save_as_rule(self, record: CaptureRecord) -> bool:
        """The user asked: the rule goes to the top of the list, selected."""
        try:
            rule = rule_from(self._editor, record)
        except NotRecordable as exc:
            self.error.emit(f"Cannot save #{record.id} as a rule: {exc}")
            return False
        self._editor.add_rule(rule)
        return True

    @Slot(object)
    def add_records(self, records: Sequence[CaptureRecord]) -> None:
        """A batch of the live feed: record the answers of forward rules that record."""
        for record in records:
            if record.upstream is not None and record.response is not None and record.response.rule:
                self._record(record, record.response.rule)

    def _record(self, record: CaptureRecord, rule_name: str) -> None:
        rules = self._editor.document.rules
        row = next((i for i, r in enumerate(rules) if r.name == rule_name and r.forward is not None), -1)
        forward = rules[row].forward if row >= 0 else None
        if forward is None or not forward.record or not rules[row].enabled:
            return
        if any(explain(rule, record).matched for rule in rules[:row]):
            return  # recorded already (or answered above the forward rule)
        target = visible(f"{record.method} {record.target}", TARGET_LIMIT)
        try:
            rule = rule_from(self._editor, record)
        except NotRecordable as exc:
            self.error.emit(f"Cannot record {target}: {exc}")
            return
        self._editor.model.insert_rules(row, [rule])
        self.message.emit(f"Recorded {target} as a rule above {visible(rule_name, TARGET_LIMIT)!r} (unsaved)")
