"""The form that edits one answer of a rule: status, fault, headers, delay, weight, body or body file.

:class:`AnswerForm` shows an :class:`Answer`, emits ``edited`` on every change
the user makes and builds the edited answer back with :meth:`AnswerForm.answer`.
The body is a template typed here or a file picked from disk (shown with its
size and type, or why it cannot be sent). Problems are shown at their field; a
body template error also highlights its line. Every label is plain text.
"""

from __future__ import annotations

import dataclasses
import http
import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QTextCursor, QTextFormat, QTextOption
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.http.response import FAULTS
from inspector.responses import Answer, Problem
from inspector.responses.answers import DEFAULT_TRICKLE_RATE, MAX_DELAY_MS
from inspector.responses.files import describe, resolve
from inspector.responses.model import MAX_STATUS, MIN_STATUS
from inspector.ui.rules_widgets import (
    ERROR_LINE_COLOR,
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

BODY_HINT = (
    "Jinja2 template: {{ request.method }}, {{ request.path }}, {{ request.query.lang }}, "
    "{{ request.params.name }}, {{ request.json }}, {{ now() }}, {{ uuid() }}, {{ counter }}"
)
#: what each fault does (the listener performs them: docs/ARCHITECTURE.md, "Answers"), shown under the picker
FAULT_HINTS = {
    "": "",
    "close": "Closes the connection without answering.",
    "reset": "Aborts the connection with a TCP reset (the client sees ECONNRESET).",
    "hang": "Answers nothing and holds the connection until the client gives up or the idle limit.",
    "trickle": "Sends the answer slowly, at the rate below.",
    "truncate": "Content-Length promises the whole body; half of it is sent, then the connection closes.",
    "malformed": "Sends the body's bytes as they are instead of an HTTP response.",
}
NO_FAULT = "none"
FILES_FILTER = "All files (*)"


def parse_status(text: str) -> int | str:
    """A number stays a number; anything else is a status template."""
    stripped = text.strip()
    return int(stripped) if stripped.isascii() and stripped.isdigit() else stripped


def status_hint(status: int | str) -> str:
    if isinstance(status, int):
        try:
            return http.HTTPStatus(status).phrase
        except ValueError:
            return "(no standard reason phrase)" if MIN_STATUS <= status <= MAX_STATUS else ""
    return f"template: must render to a number {MIN_STATUS}-{MAX_STATUS}" if status else ""


def file_argument(path: str, folder: Path | None) -> str:
    """How a picked file is written in the rules: relative inside the rules folder, else absolute."""
    if folder is not None:
        try:
            return Path(os.path.abspath(path)).relative_to(os.path.abspath(folder)).as_posix()
        except ValueError:
            pass
    return path


class AnswerForm(QWidget):
    """Edits one answer.

    Signals:
        edited(): the user changed something (the new answer is :meth:`answer`).
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._answer = Answer()
        self._loading = False
        self._folder: Path | None = None
        mono = monospace_font()

        self.status_edit = QLineEdit(self)
        self.status_edit.setFont(mono)
        self.status_edit.setMaximumWidth(220)
        self.status_edit.setPlaceholderText("200, or a template")
        self.status_hint = hint_label("", self)
        self.status_error = error_label(self)

        self.fault_combo = QComboBox(self)
        self.fault_combo.addItem(NO_FAULT, "")
        for fault in FAULTS:
            self.fault_combo.addItem(fault, fault)
            last = self.fault_combo.count() - 1
            self.fault_combo.setItemData(last, FAULT_HINTS[fault], Qt.ItemDataRole.ToolTipRole)
        self.rate_spin = QSpinBox(self)
        self.rate_spin.setRange(1, 1_000_000_000)
        self.rate_spin.setValue(DEFAULT_TRICKLE_RATE)
        self.rate_spin.setSuffix(" bytes/s")
        self.fault_hint = hint_label("", self)
        self.fault_error = error_label(self)

        self.headers_table = QTableWidget(0, 2, self)
        self.headers_table.setHorizontalHeaderLabels(["Header", "Value (template)"])
        setup_table(self.headers_table, stretch=(1,))
        self.headers_table.setFont(mono)
        self.add_header_button = QPushButton("Add header", self)
        self.remove_header_button = QPushButton("Remove header", self)
        self.headers_error = error_label(self)

        self.delay_spin = QSpinBox(self)
        self.delay_spin.setRange(0, MAX_DELAY_MS)
        self.delay_spin.setSingleStep(100)
        self.delay_spin.setSuffix(" ms")
        self.weight_spin = QDoubleSpinBox(self)
        self.weight_spin.setRange(0, 1_000_000)
        self.weight_spin.setDecimals(2)
        self.weight_spin.setToolTip("How likely random mode picks this answer, relative to the others")
        self.weight_label = plain_label("Weight:", self)

        self.text_radio = QRadioButton("Text (template)", self)
        self.file_radio = QRadioButton("File", self)
        self._source = QButtonGroup(self)
        self._source.addButton(self.text_radio)
        self._source.addButton(self.file_radio)
        self.body_edit = QPlainTextEdit(self)
        self.body_edit.setFont(mono)
        self.body_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.body_edit.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.body_edit.setTabChangesFocus(False)
        self.body_edit.setTabStopDistance(4 * self.body_edit.fontMetrics().horizontalAdvance(" "))
        self.body_edit.setMinimumHeight(120)
        self.body_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.body_hint = hint_label(BODY_HINT, self)
        self.file_edit = QLineEdit(self)
        self.file_edit.setFont(mono)
        self.file_edit.setPlaceholderText("payloads/ok.png (relative to the rules file's folder)")
        self.browse_button = QPushButton("Choose…", self)
        self.file_info = hint_label("", self)
        self.body_error = error_label(self)

        self._layout()
        self._connect_signals()

    def _layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setContentsMargins(0, 0, 0, 0)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_edit, 1)
        status_row.addWidget(self.status_hint, 1)
        status = stack()
        status.addLayout(status_row)
        status.addWidget(self.status_error)
        form.addRow(plain_label("Status:", self), status)
        fault_row = QHBoxLayout()
        fault_row.addWidget(self.fault_combo)
        fault_row.addWidget(self.rate_spin)
        fault_row.addStretch(1)
        fault = stack()
        fault.addLayout(fault_row)
        fault.addWidget(self.fault_hint)
        fault.addWidget(self.fault_error)
        form.addRow(plain_label("Fault:", self), fault)
        headers = stack(self.headers_table)
        headers.addLayout(left_row(self.add_header_button, self.remove_header_button))
        headers.addWidget(self.headers_error)
        form.addRow(plain_label("Headers:", self), headers)
        timing = QHBoxLayout()
        timing.addWidget(self.delay_spin)
        timing.addSpacing(16)
        timing.addWidget(self.weight_label)
        timing.addWidget(self.weight_spin)
        timing.addStretch(1)
        form.addRow(plain_label("Delay:", self), timing)
        form.addRow(plain_label("Body:", self), left_row(self.text_radio, self.file_radio))

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(form)
        outer.addLayout(file_row)
        outer.addWidget(self.file_info)
        outer.addWidget(self.body_edit, 1)
        outer.addWidget(self.body_error)
        outer.addWidget(self.body_hint)
        # a body file has no editor to grow: the spare height goes below, not between the rows
        outer.addStretch(0)

    def _connect_signals(self) -> None:
        self.status_edit.textEdited.connect(self._on_changed)
        self.fault_combo.currentIndexChanged.connect(self._on_changed)
        self.rate_spin.valueChanged.connect(self._on_changed)
        self.delay_spin.valueChanged.connect(self._on_changed)
        self.weight_spin.valueChanged.connect(self._on_changed)
        self.headers_table.itemChanged.connect(self._on_changed)
        self.body_edit.textChanged.connect(self._on_changed)
        self.file_edit.textEdited.connect(self._on_changed)
        self.text_radio.toggled.connect(self._on_changed)
        self.add_header_button.clicked.connect(self._on_add_header_clicked)
        self.remove_header_button.clicked.connect(self._on_remove_header_clicked)
        self.browse_button.clicked.connect(self._on_browse_clicked)

    # -- showing an answer --------------------------------------------------------

    def set_folder(self, folder: Path | None) -> None:
        """Where relative body files are (the rules file's folder)."""
        self._folder = folder
        self._update_hints()

    def set_weighted(self, weighted: bool) -> None:
        """Show the weight (random mode only)."""
        self.weight_label.setVisible(weighted)
        self.weight_spin.setVisible(weighted)

    def set_answer(self, answer: Answer) -> None:
        """Show ``answer``. Emits nothing."""
        self._answer = answer
        self._loading = True
        try:
            self.status_edit.setText(str(answer.status))
            self.fault_combo.setCurrentIndex(max(0, self.fault_combo.findData(answer.fault or "")))
            self.rate_spin.setValue(answer.bytes_per_s or DEFAULT_TRICKLE_RATE)
            self.delay_spin.setValue(max(0, min(answer.delay_ms, MAX_DELAY_MS)))
            self.weight_spin.setValue(float(answer.weight))
            self.headers_table.setRowCount(0)
            for name, value in answer.headers:
                self._append_header(name, value)
            fit_height(self.headers_table)
            (self.file_radio if answer.body_file else self.text_radio).setChecked(True)
            self.file_edit.setText(answer.body_file)
            if self.body_edit.toPlainText() != answer.body:
                self.body_edit.setPlainText(answer.body)
            self._update_hints()
        finally:
            self._loading = False
        self.show_problems([])

    def _append_header(self, name: str, value: str) -> None:
        table = self.headers_table
        row = table.rowCount()
        table.insertRow(row)
        table.setItem(row, 0, QTableWidgetItem(name))
        table.setItem(row, 1, QTableWidgetItem(value))

    def choose_file(self, path: str) -> None:
        """Take ``path`` as the body file, as the file dialog does."""
        self.file_radio.setChecked(True)
        self.file_edit.setText(file_argument(path, self._folder))
        self._on_changed()

    # -- reading the edited answer -----------------------------------------------

    def answer(self) -> Answer:
        """The answer as edited."""
        fault = self.fault_combo.currentData() or None
        in_file = self.file_radio.isChecked()
        weight = self.weight_spin.value()
        return dataclasses.replace(
            self._answer,
            status=parse_status(self.status_edit.text()),
            fault=fault,
            bytes_per_s=self.rate_spin.value() if fault == "trickle" else self._answer.bytes_per_s,
            headers=self._headers(),
            delay_ms=self.delay_spin.value(),
            weight=int(weight) if weight.is_integer() else weight,
            body="" if in_file else self.body_edit.toPlainText(),
            body_file=self.file_edit.text().strip() if in_file else "",
        )

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

    def show_problems(self, problems: list[Problem]) -> None:
        """Show each of this answer's problems at its field; the body's at its line."""
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem_text(problem))
        set_error(self.status_error, by_field.get("status"))
        set_error(self.fault_error, (by_field.get("fault") or []) + (by_field.get("bytes_per_s") or []))
        set_error(self.headers_error, by_field.get("headers"))
        body = [*by_field.get("body", []), *by_field.get("body_file", []), *by_field.get("delay_ms", [])]
        set_error(self.body_error, body + by_field.get("weight", []))
        self._mark_body_lines([p.line for p in problems if p.field == "body" and p.line is not None])

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
        fault = self.fault_combo.currentData() or ""
        self.fault_hint.setText(FAULT_HINTS.get(fault, ""))
        self.fault_hint.setVisible(bool(fault))
        self.rate_spin.setVisible(fault == "trickle")
        in_file = self.file_radio.isChecked()
        for widget in (self.file_edit, self.browse_button, self.file_info):
            widget.setVisible(in_file)
        self.body_edit.setVisible(not in_file)
        self.body_hint.setVisible(not in_file)
        name = self.file_edit.text().strip()
        self.file_info.setText(describe(resolve(name, self._folder)) if name else "Choose a file.")

    def _on_changed(self, *_args: object) -> None:
        self._update_hints()
        if not self._loading:
            self.edited.emit()

    @Slot()
    def _on_add_header_clicked(self) -> None:
        self._loading = True
        try:
            self._append_header("", "")
        finally:
            self._loading = False
        edit_new_row(self.headers_table, 0)
        self._on_changed()

    @Slot()
    def _on_remove_header_clicked(self) -> None:
        if remove_current_row(self.headers_table):
            self._on_changed()

    @Slot()
    def _on_browse_clicked(self) -> None:
        start = str(self._folder) if self._folder is not None else ""
        path, _ = QFileDialog.getOpenFileName(self, "Body file", start, FILES_FILTER)
        if path:
            self.choose_file(path)
