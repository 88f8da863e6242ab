"""The form that edits one response rule (part of the rules editor).

:class:`RuleForm` shows a :class:`Rule`, emits ``edited`` on every change the
user makes, and builds the edited rule back with :meth:`RuleForm.rule`. It
knows nothing of the list, the file or the preview. The match (name, methods,
path, conditions, CORS) is edited here; the answers by :class:`AnswersEditor`
below it. Problems found by :func:`validate_rule` are shown where they are: a
body template error highlights its line in the body editor and is spelled out
under it; other problems appear under their field, an answer's under that
answer. Every label is plain text.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.http.response import is_token
from inspector.responses import OPS, SOURCES, Condition, Problem, Rule
from inspector.text import visible
from inspector.ui.rules_answers import AnswersEditor
from inspector.ui.rules_forward import ForwardSection
from inspector.ui.rules_listeners import ListenersField
from inspector.ui.rules_widgets import (
    edit_new_row,
    error_label,
    fit_height,
    hint_label,
    left_row,
    monospace_font,
    plain_label,
    problem_text,
    remove_current_row,
    set_error,
    setup_table,
    stack,
)

PATH_HINT = (
    "*  any text in one segment     **  any number of segments\n"
    "{name}  captures request.params.name     ^…  a regular expression (RE2: no lookaround)"
)
CORS_HINT = "Answers CORS preflights for this path and adds Access-Control-Allow-Origin."
PAUSE_HINT = "Holds each matching request until you answer it in the main window."
#: the fields of a rule's answers (and how they are picked), shown by the answers editor
ANSWER_FIELDS = frozenset(
    {"status", "headers", "body", "body_file", "delay_ms", "fault", "bytes_per_s", "weight", "mode",
     "state_key", "responses"}
)  # fmt: skip

_METHOD_SPLIT = re.compile(r"[\s,]+")


def parse_methods(text: str) -> tuple[str, ...]:
    """``"get, Post"`` -> ``("GET", "POST")``; empty means any method."""
    return tuple(m.upper() for m in _METHOD_SPLIT.split(text.strip()) if m)


def value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def section(title: str, parent: QWidget) -> QWidget:
    """A bold heading over a line, between the match and the answers."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 8, 0, 0)
    layout.setSpacing(2)
    label = plain_label(title, box)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    line = QFrame(box)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    layout.addWidget(label)
    layout.addWidget(line)
    return box


class RuleForm(QWidget):
    """Edits one rule.

    Signals:
        edited(): the user changed something (the new rule is :meth:`rule`).
        answer_selected(int): the user selected another answer (0-based).
    """

    edited = Signal()
    answer_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rule: Rule | None = None
        self._loading = False
        mono = monospace_font()

        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("shown in the request table's Rule column")
        self.enabled_check = QCheckBox("Enabled", self)
        self.cors_check = QCheckBox("CORS", self)
        self.cors_check.setToolTip(CORS_HINT)
        self.cors_hint = hint_label(CORS_HINT, self)
        self.pause_check = QCheckBox("Pause", self)
        self.pause_check.setToolTip(f"{PAUSE_HINT} Headless mode and forward rules answer at once.")
        self.pause_hint = hint_label(PAUSE_HINT, self)

        self.methods_edit = QLineEdit(self)
        self.methods_edit.setPlaceholderText("any method   (e.g. GET, POST)")
        self.methods_error = error_label(self)

        self.path_edit = QLineEdit(self)
        self.path_edit.setFont(mono)
        self.path_edit.setPlaceholderText("/hello/{name}")
        self.path_hint = hint_label(PATH_HINT, self)
        self.path_error = error_label(self)
        self.listeners_field = ListenersField(self)

        self.conditions_table = QTableWidget(0, 4, self)
        self.conditions_table.setHorizontalHeaderLabels(["Source", "Name / JSON path", "Test", "Value"])
        setup_table(self.conditions_table, stretch=(1, 3))
        self.add_condition_button = QPushButton("Add condition", self)
        self.remove_condition_button = QPushButton("Remove condition", self)
        self.conditions_error = error_label(self)

        self.forward = ForwardSection(self)
        self.answers = AnswersEditor(self)
        # the selected answer's fields (one AnswerForm shows whichever answer is selected)
        answer = self.answer_form = self.answers.form
        self.status_edit, self.status_hint = answer.status_edit, answer.status_hint
        self.status_error, self.headers_table = answer.status_error, answer.headers_table
        self.add_header_button = answer.add_header_button
        self.remove_header_button = answer.remove_header_button
        self.headers_error, self.delay_spin = answer.headers_error, answer.delay_spin
        self.body_edit, self.body_error = answer.body_edit, answer.body_error

        self._layout()
        self._connect_signals()
        self.setEnabled(False)

    def _layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        name_row = QHBoxLayout()
        name_row.addWidget(self.name_edit, 1)
        name_row.addWidget(self.enabled_check)
        form.addRow(plain_label("Name:", self), name_row)
        form.addRow(plain_label("Methods:", self), stack(self.methods_edit, self.methods_error))
        form.addRow(plain_label("Path:", self), stack(self.path_edit, self.path_hint, self.path_error))
        form.addRow(plain_label("Listeners:", self), self.listeners_field)
        conditions = stack(self.conditions_table)
        conditions.addLayout(left_row(self.add_condition_button, self.remove_condition_button))
        conditions.addWidget(self.conditions_error)
        form.addRow(plain_label("Conditions:", self), conditions)
        cors = QHBoxLayout()
        cors.addWidget(self.cors_check)
        cors.addWidget(self.cors_hint, 1)
        form.addRow(plain_label("", self), cors)
        pause = QHBoxLayout()
        pause.addWidget(self.pause_check)
        pause.addWidget(self.pause_hint, 1)
        form.addRow(plain_label("", self), pause)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(section("Match", self))
        outer.addLayout(form)
        outer.addWidget(section("Forward", self))
        outer.addWidget(self.forward)
        outer.addWidget(section("Answers", self))
        outer.addWidget(self.answers, 1)

    def _connect_signals(self) -> None:
        for line in (self.name_edit, self.methods_edit, self.path_edit):
            line.textEdited.connect(self._on_changed)
        self.enabled_check.toggled.connect(self._on_changed)
        self.cors_check.toggled.connect(self._on_changed)
        self.pause_check.toggled.connect(self._on_changed)
        self.listeners_field.edited.connect(self._on_changed)
        self.conditions_table.itemChanged.connect(self._on_changed)
        self.add_condition_button.clicked.connect(self._on_add_condition_clicked)
        self.remove_condition_button.clicked.connect(self._on_remove_condition_clicked)
        self.answers.edited.connect(self._on_changed)
        self.forward.edited.connect(self._on_changed)
        self.answers.selected.connect(self.answer_selected)

    # -- showing a rule -----------------------------------------------------------

    def set_folder(self, folder: Path | None) -> None:
        """Where the rules file is (relative body files start there)."""
        self.answers.set_folder(folder)
        self.forward.set_folder(folder)

    def set_rule(self, rule: Rule | None) -> None:
        """Show ``rule`` (None: an empty, disabled form). Emits nothing."""
        self._rule = rule
        self._loading = True
        try:
            self.setEnabled(rule is not None)
            shown = rule if rule is not None else Rule(name="", path="")
            self.name_edit.setText(shown.name)
            self.enabled_check.setChecked(shown.enabled)
            self.methods_edit.setText(", ".join(shown.methods))
            self.path_edit.setText(shown.path)
            self.listeners_field.set_listeners(shown.listeners)
            self.cors_check.setChecked(shown.cors)
            self.pause_check.setChecked(shown.pause)
            self.conditions_table.setRowCount(0)
            for condition in shown.conditions:
                self._append_condition(condition)
            fit_height(self.conditions_table)
            self.answers.set_answers(shown.answers, shown.mode, shown.state_key)
            self.forward.set_target(shown.forward)
            self._update_hints()
        finally:
            self._loading = False
        self.show_problems([])

    def follow_list(self, name: str, enabled: bool) -> None:
        """Take the name and check box the list changed, without emitting ``edited``."""
        if self._rule is not None:
            self._rule = dataclasses.replace(self._rule, name=name, enabled=enabled)
        self._loading = True
        try:
            if self.name_edit.text() != name:
                self.name_edit.setText(name)
            self.enabled_check.setChecked(enabled)
        finally:
            self._loading = False

    def _append_condition(self, condition: Condition) -> None:
        table = self.conditions_table
        row = table.rowCount()
        table.insertRow(row)
        source = QComboBox(table)
        source.addItems(list(SOURCES))
        source.setCurrentIndex(max(0, source.findText(condition.source)))
        op = QComboBox(table)
        op.addItems(list(OPS))
        op.setCurrentIndex(max(0, op.findText(condition.op)))
        table.setCellWidget(row, 0, source)
        table.setItem(row, 1, QTableWidgetItem(condition.name))
        table.setCellWidget(row, 2, op)
        value = QTableWidgetItem(value_text(condition.value))
        # keep a non-text JSON operand (42, true, null) as it was while its text is unchanged
        value.setData(Qt.ItemDataRole.UserRole, condition.value)
        table.setItem(row, 3, value)
        source.currentIndexChanged.connect(self._on_changed)
        op.currentIndexChanged.connect(self._on_changed)

    # -- reading the edited rule --------------------------------------------------------

    def rule(self) -> Rule | None:
        """The rule as edited (None when no rule is shown)."""
        if self._rule is None:
            return None
        edited = dataclasses.replace(
            self._rule,
            name=self.name_edit.text(),
            enabled=self.enabled_check.isChecked(),
            methods=parse_methods(self.methods_edit.text()),
            path=self.path_edit.text(),
            conditions=self._conditions(),
            listeners=self.listeners_field.listeners(),
            cors=self.cors_check.isChecked(),
            pause=self.pause_check.isChecked(),
            mode=self.answers.mode(),
            state_key=self.answers.state_key(),
            forward=self.forward.target(),
        )
        return edited.with_answers(self.answers.answers())

    def current_answer(self) -> int:
        """The answer selected in the form (0-based)."""
        return self.answers.current()

    def _conditions(self) -> tuple[Condition, ...]:
        table = self.conditions_table
        conditions = []
        for row in range(table.rowCount()):
            source = table.cellWidget(row, 0)
            op = table.cellWidget(row, 2)
            name_item = table.item(row, 1)
            value_item = table.item(row, 3)
            value_text_now = value_item.text() if value_item is not None else ""
            original = value_item.data(Qt.ItemDataRole.UserRole) if value_item is not None else ""
            value: Any = value_text_now
            if not isinstance(original, str) and value_text(original) == value_text_now:
                value = original
            conditions.append(
                Condition(
                    source=source.currentText() if isinstance(source, QComboBox) else "query",
                    name=name_item.text() if name_item is not None else "",
                    op=op.currentText() if isinstance(op, QComboBox) else "equals",
                    value=value,
                )
            )
        return tuple(conditions)

    # -- problems ---------------------------------------------------------------

    def local_problems(self) -> list[str]:
        """Problems :func:`validate_rule` does not check (a rules file could not hold them)."""
        problems = []
        bad = [m for m in parse_methods(self.methods_edit.text()) if not is_token(m)]
        if bad:
            problems.append(f"methods: {', '.join(visible(m, 40) for m in bad)} is not a method name")
        return problems

    def show_problems(self, problems: list[Problem]) -> None:
        """Show each problem at its field: the match's here, the answers' in the answers editor."""
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            if problem.field not in ANSWER_FIELDS:
                by_field.setdefault(problem.field, []).append(problem_text(problem))
        local = self.local_problems()
        if local:
            by_field.setdefault("methods", []).extend(local)
        set_error(self.methods_error, by_field.get("methods"))
        set_error(self.path_error, by_field.get("path"))
        set_error(self.conditions_error, by_field.get("conditions"))
        self.forward.show_problems(by_field.get("forward"))
        self.listeners_field.show_errors(by_field.get("listeners"))
        self.answers.show_problems([p for p in problems if p.field in ANSWER_FIELDS])

    def error_lines(self) -> list[int]:
        """1-based body lines of the selected answer highlighted as errors (for tests and tools)."""
        return self.answers.form.error_lines()

    # -- slots ------------------------------------------------------------------

    def _update_hints(self) -> None:
        table = self.conditions_table
        for row in range(table.rowCount()):
            source, op = table.cellWidget(row, 0), table.cellWidget(row, 2)
            name_item, value_item = table.item(row, 1), table.item(row, 3)
            needs_value = isinstance(op, QComboBox) and op.currentText() not in ("present", "absent")
            needs_name = isinstance(source, QComboBox) and source.currentText() != "body"
            for item, wanted in ((name_item, needs_name), (value_item, needs_value)):
                if item is None:
                    continue
                flags = item.flags()
                if wanted:
                    flags |= Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable
                else:
                    flags &= ~(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsEditable)
                if flags != item.flags():
                    blocked = table.blockSignals(True)
                    item.setFlags(flags)
                    table.blockSignals(blocked)

    def _on_changed(self, *_args: object) -> None:
        if self._loading or self._rule is None:
            return
        self._update_hints()
        self.edited.emit()

    @Slot()
    def _on_add_condition_clicked(self) -> None:
        self._loading = True
        try:
            self._append_condition(Condition(source="query", name="", op="equals", value=""))
        finally:
            self._loading = False
        edit_new_row(self.conditions_table, 1)
        self._on_changed()

    @Slot()
    def _on_remove_condition_clicked(self) -> None:
        if remove_current_row(self.conditions_table):
            self._on_changed()
