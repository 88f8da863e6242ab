"""The form that edits one response rule (part of the rules editor).

:class:`RuleForm` shows a :class:`Rule`, emits ``edited`` on every change the
user makes, and builds the edited rule back with :meth:`RuleForm.rule`. It
knows nothing of the list, the file or the preview. Problems found by
:func:`validate_rule` are shown where they are: a body template error
highlights its line in the body editor and is spelled out under it; other
problems appear under their field. Every label is plain text.
"""

from __future__ import annotations

import dataclasses
import http
import json
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.http.response import is_token
from inspector.responses import OPS, SOURCES, Condition, Problem, Rule
from inspector.responses.model import MAX_STATUS, MIN_STATUS
from inspector.text import visible

#: the longest delay the form offers (the engine clamps at 10 minutes too)
MAX_DELAY_MS = 10 * 60 * 1000
#: rows a conditions or headers table shows before it scrolls
TABLE_ROWS_SHOWN = 5
#: characters of a problem message shown under a field
MESSAGE_LIMIT = 400

PATH_HINT = (
    "*  any text in one segment     **  any number of segments\n"
    "{name}  captures request.params.name     ^…  a regular expression (RE2: no lookaround)"
)
BODY_HINT = (
    "Jinja2 template: {{ request.method }}, {{ request.path }}, {{ request.query.lang }}, "
    "{{ request.params.name }}, {{ request.json }}, {{ now() }}, {{ uuid() }}, {{ counter }}"
)
ERROR_COLOR = QColor(200, 30, 30)
ERROR_LINE_COLOR = QColor(255, 215, 215)

_METHOD_SPLIT = re.compile(r"[\s,]+")


def monospace_font() -> Any:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that never interprets its text as markup."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def error_label(parent: QWidget | None = None) -> QLabel:
    label = plain_label("", parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    palette = label.palette()
    palette.setColor(label.foregroundRole(), ERROR_COLOR)
    label.setPalette(palette)
    label.hide()
    return label


def hint_label(text: str, parent: QWidget | None = None) -> QLabel:
    label = plain_label(text, parent)
    label.setWordWrap(True)
    palette = label.palette()
    color = palette.color(label.foregroundRole())
    color.setAlpha(170)  # quieter than the fields, still readable in light and dark themes
    palette.setColor(label.foregroundRole(), color)
    label.setPalette(palette)
    return label


def parse_methods(text: str) -> tuple[str, ...]:
    """``"get, Post"`` -> ``("GET", "POST")``; empty means any method."""
    return tuple(m.upper() for m in _METHOD_SPLIT.split(text.strip()) if m)


def parse_status(text: str) -> int | str:
    """A number stays a number; anything else is a status template."""
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else stripped


def status_hint(status: int | str) -> str:
    if isinstance(status, int):
        try:
            return http.HTTPStatus(status).phrase
        except ValueError:
            return "(no standard reason phrase)" if MIN_STATUS <= status <= MAX_STATUS else ""
    return f"template: must render to a number {MIN_STATUS}-{MAX_STATUS}" if status else ""


def problem_text(problem: Problem) -> str:
    """A problem as shown under its field: ``header 2 line 1: …``, ``line 3: …``."""
    item = {"headers": "header", "conditions": "condition", "methods": "method"}.get(problem.field)
    where = []
    if item is not None and problem.index is not None:
        where.append(f"{item} {problem.index + 1}")
    if problem.line is not None:
        where.append(f"line {problem.line}")
    return f"{' '.join(where)}: {problem.message}" if where else problem.message


def value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class RuleForm(QWidget):
    """Edits one rule.

    Signals:
        edited(): the user changed something (the new rule is :meth:`rule`).
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rule: Rule | None = None
        self._loading = False
        mono = monospace_font()

        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("shown in the request table's Rule column")
        self.enabled_check = QCheckBox("Enabled", self)
        self.cors_check = QCheckBox("CORS (answer preflights, add Access-Control-Allow-Origin)", self)

        self.methods_edit = QLineEdit(self)
        self.methods_edit.setPlaceholderText("any method   (e.g. GET, POST)")
        self.methods_error = error_label(self)

        self.path_edit = QLineEdit(self)
        self.path_edit.setFont(mono)
        self.path_edit.setPlaceholderText("/hello/{name}")
        self.path_hint = hint_label(PATH_HINT, self)
        self.path_error = error_label(self)

        self.conditions_table = QTableWidget(0, 4, self)
        self.conditions_table.setHorizontalHeaderLabels(["Source", "Name / JSON path", "Test", "Value"])
        self._setup_table(self.conditions_table, stretch=(1, 3))
        self.add_condition_button = QPushButton("Add condition", self)
        self.remove_condition_button = QPushButton("Remove condition", self)
        self.conditions_error = error_label(self)

        self.status_edit = QLineEdit(self)
        self.status_edit.setFont(mono)
        self.status_edit.setMaximumWidth(260)
        self.status_edit.setPlaceholderText("200, or a template")
        self.status_hint = hint_label("", self)
        self.status_error = error_label(self)

        self.headers_table = QTableWidget(0, 2, self)
        self.headers_table.setHorizontalHeaderLabels(["Header", "Value (template)"])
        self._setup_table(self.headers_table, stretch=(1,))
        self.headers_table.setFont(mono)
        self.add_header_button = QPushButton("Add header", self)
        self.remove_header_button = QPushButton("Remove header", self)
        self.headers_error = error_label(self)

        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setFont(mono)
        self.body_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.body_edit.setTabChangesFocus(False)
        self.body_edit.setTabStopDistance(4 * self.body_edit.fontMetrics().horizontalAdvance(" "))
        self.body_edit.setMinimumHeight(140)
        self.body_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.body_hint = hint_label(BODY_HINT, self)
        self.body_error = error_label(self)

        self.delay_spin = QSpinBox(self)
        self.delay_spin.setRange(0, MAX_DELAY_MS)
        self.delay_spin.setSingleStep(100)
        self.delay_spin.setSuffix(" ms")
        self.delay_spin.setMaximumWidth(160)

        self._layout()
        self._connect_signals()
        self.setEnabled(False)

    # -- building -----------------------------------------------------------------

    @staticmethod
    def _setup_table(table: QTableWidget, stretch: tuple[int, ...]) -> None:
        table.verticalHeader().hide()
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = table.horizontalHeader()
        for column in range(table.columnCount()):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column in stretch
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )

    @staticmethod
    def _fit_height(table: QTableWidget) -> None:
        """As tall as its rows (one empty row at least, five at most, then it scrolls)."""
        rows = max(1, min(table.rowCount(), TABLE_ROWS_SHOWN))
        row_height = table.verticalHeader().defaultSectionSize()
        if table.rowCount():
            row_height = max(row_height, table.rowHeight(0))
        height = table.horizontalHeader().sizeHint().height() + rows * row_height + 2 * table.frameWidth()
        table.setFixedHeight(height)

    def _layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        name_row = QHBoxLayout()
        name_row.addWidget(self.name_edit, 1)
        name_row.addWidget(self.enabled_check)
        form.addRow(plain_label("Name:", self), name_row)
        form.addRow(plain_label("Methods:", self), self._stack(self.methods_edit, self.methods_error))
        form.addRow(plain_label("Path:", self), self._stack(self.path_edit, self.path_hint, self.path_error))

        conditions = self._stack(self.conditions_table)
        conditions.addLayout(self._buttons(self.add_condition_button, self.remove_condition_button))
        conditions.addWidget(self.conditions_error)
        form.addRow(plain_label("Conditions:", self), conditions)
        form.addRow(plain_label("", self), self.cors_check)

        status_row = QHBoxLayout()
        status_row.addWidget(self.status_edit)
        status_row.addWidget(self.status_hint, 1)
        status = QVBoxLayout()
        status.addLayout(status_row)
        status.addWidget(self.status_error)
        form.addRow(plain_label("Status:", self), status)

        headers = self._stack(self.headers_table)
        headers.addLayout(self._buttons(self.add_header_button, self.remove_header_button))
        headers.addWidget(self.headers_error)
        form.addRow(plain_label("Headers:", self), headers)
        form.addRow(plain_label("Delay:", self), self.delay_spin)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(form)
        outer.addWidget(plain_label("Body:", self))
        outer.addWidget(self.body_edit, 1)
        outer.addWidget(self.body_error)
        outer.addWidget(self.body_hint)

    @staticmethod
    def _stack(*widgets: QWidget) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        for widget in widgets:
            box.addWidget(widget)
        return box

    @staticmethod
    def _buttons(*buttons: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _connect_signals(self) -> None:
        for line in (self.name_edit, self.methods_edit, self.path_edit, self.status_edit):
            line.textEdited.connect(self._on_changed)
        self.enabled_check.toggled.connect(self._on_changed)
        self.cors_check.toggled.connect(self._on_changed)
        self.delay_spin.valueChanged.connect(self._on_changed)
        self.body_edit.textChanged.connect(self._on_changed)
        self.conditions_table.itemChanged.connect(self._on_changed)
        self.headers_table.itemChanged.connect(self._on_changed)
        self.add_condition_button.clicked.connect(self._on_add_condition_clicked)
        self.remove_condition_button.clicked.connect(self._on_remove_condition_clicked)
        self.add_header_button.clicked.connect(self._on_add_header_clicked)
        self.remove_header_button.clicked.connect(self._on_remove_header_clicked)

    # -- showing a rule -----------------------------------------------------------

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
            self.cors_check.setChecked(shown.cors)
            self.status_edit.setText(str(shown.status))
            self.delay_spin.setValue(max(0, min(shown.delay_ms, MAX_DELAY_MS)))
            self.conditions_table.setRowCount(0)
            for condition in shown.conditions:
                self._append_condition(condition)
            self.headers_table.setRowCount(0)
            for name, value in shown.headers:
                self._append_header(name, value)
            self._fit_height(self.conditions_table)
            self._fit_height(self.headers_table)
            if self.body_edit.toPlainText() != shown.body:
                self.body_edit.setPlainText(shown.body)
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

    def _append_header(self, name: str, value: str) -> None:
        table = self.headers_table
        row = table.rowCount()
        table.insertRow(row)
        table.setItem(row, 0, QTableWidgetItem(name))
        table.setItem(row, 1, QTableWidgetItem(value))

    # -- reading the edited rule --------------------------------------------------------

    def rule(self) -> Rule | None:
        """The rule as edited (None when no rule is shown)."""
        if self._rule is None:
            return None
        return dataclasses.replace(
            self._rule,
            name=self.name_edit.text(),
            enabled=self.enabled_check.isChecked(),
            methods=parse_methods(self.methods_edit.text()),
            path=self.path_edit.text(),
            conditions=self._conditions(),
            cors=self.cors_check.isChecked(),
            status=parse_status(self.status_edit.text()),
            headers=self._headers(),
            body=self.body_edit.toPlainText(),
            delay_ms=self.delay_spin.value(),
        )

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

    def _headers(self) -> tuple[tuple[str, str], ...]:
        table = self.headers_table
        headers = []
        for row in range(table.rowCount()):
            name_item, value_item = table.item(row, 0), table.item(row, 1)
            name = name_item.text().strip() if name_item is not None else ""
            value = value_item.text() if value_item is not None else ""
            if name or value:  # a row just added and still empty is not a header yet
                headers.append((name, value))
        return tuple(headers)

    # -- problems ---------------------------------------------------------------

    def local_problems(self) -> list[str]:
        """Problems :func:`validate_rule` does not check (a rules file could not hold them)."""
        problems = []
        bad = [m for m in parse_methods(self.methods_edit.text()) if not is_token(m)]
        if bad:
            problems.append(f"methods: {', '.join(visible(m, 40) for m in bad)} is not a method name")
        return problems

    def show_problems(self, problems: list[Problem]) -> None:
        """Show each problem at its field; the body's at its line."""
        by_field: dict[str, list[str]] = {}
        body_lines: list[int] = []
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem_text(problem))
            if problem.field == "body" and problem.line is not None:
                body_lines.append(problem.line)
        local = self.local_problems()
        if local:
            by_field.setdefault("methods", []).extend(local)
        self._set_error(self.methods_error, by_field.get("methods"))
        self._set_error(self.path_error, by_field.get("path"))
        self._set_error(self.conditions_error, by_field.get("conditions"))
        self._set_error(self.status_error, by_field.get("status"))
        self._set_error(self.headers_error, by_field.get("headers"))
        self._set_error(self.body_error, by_field.get("body") or by_field.get("delay_ms"))
        self._mark_body_lines(body_lines)

    @staticmethod
    def _set_error(label: QLabel, messages: list[str] | None) -> None:
        if messages:
            label.setText(visible("\n".join(messages), MESSAGE_LIMIT, keep_newlines=True))
            label.show()
        else:
            label.clear()
            label.hide()

    def _mark_body_lines(self, lines: list[int]) -> None:
        selections = []
        document = self.body_edit.document()
        for line in lines:
            block = document.findBlockByNumber(max(0, line - 1))
            if not block.isValid():
                block = document.lastBlock()
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(ERROR_LINE_COLOR)
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            cursor = QTextCursor(block)
            cursor.clearSelection()
            selection.cursor = cursor
            selections.append(selection)
        self.body_edit.setExtraSelections(selections)

    def error_lines(self) -> list[int]:
        """1-based body lines currently highlighted as errors (for tests and tools)."""
        return [s.cursor.blockNumber() + 1 for s in self.body_edit.extraSelections()]

    # -- slots ------------------------------------------------------------------

    def _update_hints(self) -> None:
        self.status_hint.setText(status_hint(parse_status(self.status_edit.text())))
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

    def _on_add_condition_clicked(self) -> None:
        self._loading = True
        try:
            self._append_condition(Condition(source="query", name="", op="equals", value=""))
        finally:
            self._loading = False
        self._fit_height(self.conditions_table)
        row = self.conditions_table.rowCount() - 1
        self.conditions_table.setCurrentCell(row, 1)
        self._on_changed()
        item = self.conditions_table.item(row, 1)
        if item is not None:
            self.conditions_table.editItem(item)

    def _on_remove_condition_clicked(self) -> None:
        row = self.conditions_table.currentRow()
        if row < 0:
            row = self.conditions_table.rowCount() - 1
        if row >= 0:
            self.conditions_table.removeRow(row)
            self._fit_height(self.conditions_table)
            self._on_changed()

    def _on_add_header_clicked(self) -> None:
        self._loading = True
        try:
            self._append_header("", "")
        finally:
            self._loading = False
        self._fit_height(self.headers_table)
        row = self.headers_table.rowCount() - 1
        self.headers_table.setCurrentCell(row, 0)
        self._on_changed()
        item = self.headers_table.item(row, 0)
        if item is not None:
            self.headers_table.editItem(item)

    def _on_remove_header_clicked(self) -> None:
        row = self.headers_table.currentRow()
        if row < 0:
            row = self.headers_table.rowCount() - 1
        if row >= 0:
            self.headers_table.removeRow(row)
            self._fit_height(self.headers_table)
            self._on_changed()
