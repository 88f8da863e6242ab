"""A rule's answers in the editor: the list (add, reorder, remove), how one is picked, one answer's form.

:class:`AnswersEditor` holds the answers being edited. The list shows one row
per answer (its status or fault and its body or file); the form under it
(:class:`AnswerForm`) edits the selected one. A rule with one answer shows a
list of one: "Add answer" is how a rule becomes a sequence. ``mode`` and
``state_key`` only mean something with two answers or more, so they show from
then on. Every change the user makes emits ``edited``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.responses import MODES, Answer, Problem
from inspector.text import visible
from inspector.ui.rules_answer_form import AnswerForm
from inspector.ui.rules_widgets import (
    ERROR_COLOR,
    error_label,
    hint_label,
    monospace_font,
    plain_label,
    problem_text,
    set_error,
    stack,
)

#: rows the answers list shows before it scrolls
LIST_ROWS_SHOWN = 4
#: characters of a body or file name in a row of the list
SUMMARY_LIMIT = 60
MODE_HINTS = {
    "sequence": "In order, then the last answer again and again.",
    "cycle": "In order, then from the first again.",
    "random": "A random answer each time, by weight.",
}
STATE_PLACEHOLDER = "one counter for everyone, or e.g. {{ request.headers['X-Client'] }}"


def summary(answer: Answer) -> str:
    """``503 · busy``, ``200 · file ok.png``, ``200 · (empty body) · reset`` (one line)."""
    what = f"file {answer.body_file}" if answer.body_file else (answer.body or "(empty body)")
    text = f"{answer.status} · {visible(' '.join(what.split()), SUMMARY_LIMIT)}"
    return f"{text} · {answer.fault}" if answer.fault else text


class AnswersEditor(QWidget):
    """Edits the answers of one rule, their mode and state key.

    Signals:
        edited(): the user changed an answer, the list, the mode or the state key.
        selected(int): the user selected another answer (0-based).
    """

    edited = Signal()
    selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._answers: list[Answer] = [Answer()]
        self._current = 0
        self._loading = False

        self.list = QListWidget(self)
        self.list.setAlternatingRowColors(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.add_button = QPushButton("Add answer", self)
        self.add_button.setToolTip("Add a copy of the selected answer after it")
        self.remove_button = QPushButton("Remove", self)
        self.up_button = QPushButton("Up", self)
        self.down_button = QPushButton("Down", self)
        self.mode_combo = QComboBox(self)
        for mode in MODES:
            self.mode_combo.addItem(mode, mode)
            last = self.mode_combo.count() - 1
            self.mode_combo.setItemData(last, MODE_HINTS[mode], Qt.ItemDataRole.ToolTipRole)
        self.mode_hint = hint_label("", self)
        self.single_hint = hint_label("Add a second answer for a sequence, a cycle or a random pick.", self)
        self.mode_error = error_label(self)
        self.state_edit = QLineEdit(self)
        self.state_edit.setFont(monospace_font())
        self.state_edit.setPlaceholderText(STATE_PLACEHOLDER)
        self.state_edit.setToolTip("A template: each value it renders to has its own counter")
        self.state_error = error_label(self)
        self.heading = plain_label("", self)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.form = AnswerForm(self)
        self._layout()
        self._connect_signals()

    def _layout(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.picking = QWidget(self)  # mode and state key: shown from two answers on
        picking = QFormLayout(self.picking)
        picking.setContentsMargins(0, 0, 0, 0)
        picking.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_combo)
        mode_row.addWidget(self.mode_hint, 1)
        mode = stack()
        mode.addLayout(mode_row)
        mode.addWidget(self.mode_error)
        picking.addRow(plain_label("Mode:", self), mode)
        picking.addRow(plain_label("State key:", self), stack(self.state_edit, self.state_error))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.list)
        outer.addLayout(buttons)
        outer.addWidget(self.single_hint)
        outer.addWidget(self.picking)
        outer.addSpacing(6)
        outer.addWidget(self.heading)
        outer.addWidget(self.form, 1)

    def _connect_signals(self) -> None:
        self.list.currentRowChanged.connect(self._on_list_current_row_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.up_button.clicked.connect(self._on_up_clicked)
        self.down_button.clicked.connect(self._on_down_clicked)
        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        self.state_edit.textEdited.connect(self._on_changed)
        self.form.edited.connect(self._on_form_edited)

    # -- showing ------------------------------------------------------------------

    def set_folder(self, folder: Path | None) -> None:
        self.form.set_folder(folder)

    def set_answers(self, answers: tuple[Answer, ...], mode: str, state_key: str) -> None:
        """Show ``answers`` (at least one), the first selected. Emits nothing."""
        self._loading = True
        try:
            self._answers = list(answers) or [Answer()]
            self._current = 0
            self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(mode)))
            self.state_edit.setText(state_key)
            self._refill(0)
        finally:
            self._loading = False
        self.show_problems([])

    def _refill(self, row: int) -> None:
        """Rebuild the list and show answer ``row`` in the form."""
        blocked = self.list.blockSignals(True)
        try:
            self.list.clear()
            for index, answer in enumerate(self._answers):
                self.list.addItem(QListWidgetItem(f"{index + 1}. {summary(answer)}"))
            self._current = max(0, min(row, len(self._answers) - 1))
            self.list.setCurrentRow(self._current)
        finally:
            self.list.blockSignals(blocked)
        rows = max(1, min(len(self._answers), LIST_ROWS_SHOWN))
        self.list.setFixedHeight(rows * self.list.sizeHintForRow(0) + 2 * self.list.frameWidth() + 2)
        loading, self._loading = self._loading, True
        try:
            self.form.set_answer(self._answers[self._current])
        finally:
            self._loading = loading
        self._update_controls()

    def _update_controls(self) -> None:
        count = len(self._answers)
        several = count > 1
        self.remove_button.setEnabled(several)
        self.up_button.setEnabled(self._current > 0)
        self.down_button.setEnabled(self._current < count - 1)
        self.picking.setVisible(several)
        self.single_hint.setVisible(not several)
        mode = self.mode()
        self.mode_hint.setText(MODE_HINTS[mode])
        self.form.set_weighted(several and mode == "random")
        self.heading.setText(f"Answer {self._current + 1} of {count}" if several else "The answer")

    # -- reading ------------------------------------------------------------------

    def answers(self) -> tuple[Answer, ...]:
        """The answers as edited, in order (the form's answer included)."""
        self._answers[self._current] = self.form.answer()
        return tuple(self._answers)

    def mode(self) -> str:
        return str(self.mode_combo.currentData() or MODES[0])

    def state_key(self) -> str:
        return self.state_edit.text()

    def current(self) -> int:
        """The selected answer (0-based)."""
        return self._current

    def select(self, row: int) -> None:
        """Select answer ``row`` (the form's edits to the current one are kept)."""
        self.list.setCurrentRow(row)

    # -- problems -----------------------------------------------------------------

    def show_problems(self, problems: list[Problem]) -> None:
        """Rule-wide problems at mode and state key; each answer's at its row (the selected
        answer's in the form too)."""
        by_field: dict[str, list[str]] = {}
        rows: dict[int, list[str]] = {}
        mine: list[Problem] = []
        single = len(self._answers) == 1
        for problem in problems:
            if problem.answer is None and problem.field in ("mode", "state_key"):
                by_field.setdefault(problem.field, []).append(problem_text(problem))
                continue
            index = 0 if single or problem.answer is None else problem.answer
            rows.setdefault(index, []).append(f"{problem.where}: {problem.message}")
            if index == self._current:
                mine.append(problem)
        set_error(self.mode_error, by_field.get("mode"))
        set_error(self.state_error, by_field.get("state_key"))
        for index in range(self.list.count()):
            item = self.list.item(index)
            wrong = rows.get(index)
            item.setForeground(ERROR_COLOR if wrong else self.list.palette().text().color())
            item.setToolTip(visible("\n".join(wrong), 600, keep_newlines=True) if wrong else "")
        self.form.show_problems(mine)

    # -- slots --------------------------------------------------------------------

    def _changed_list(self, row: int) -> None:
        self._refill(row)
        self._on_changed()

    def _on_changed(self, *_args: object) -> None:
        self._update_controls()
        if not self._loading:
            self.edited.emit()

    @Slot()
    def _on_form_edited(self) -> None:
        answer = self.form.answer()
        self._answers[self._current] = answer
        item = self.list.item(self._current)
        if item is not None:
            item.setText(f"{self._current + 1}. {summary(answer)}")
        self._on_changed()

    @Slot(int)
    def _on_list_current_row_changed(self, row: int) -> None:
        if row < 0 or row == self._current:
            return
        self._answers[self._current] = self.form.answer()
        self._current = row
        loading, self._loading = self._loading, True
        try:
            self.form.set_answer(self._answers[row])
        finally:
            self._loading = loading
        self._update_controls()
        self.selected.emit(row)

    @Slot(int)
    def _on_mode_changed(self, _index: int) -> None:
        self._on_changed()

    @Slot()
    def _on_add_clicked(self) -> None:
        answers = list(self.answers())
        copy = dataclasses.replace(answers[self._current])
        answers.insert(self._current + 1, copy)
        self._answers = answers
        self._changed_list(self._current + 1)
        self.selected.emit(self._current)

    @Slot()
    def _on_remove_clicked(self) -> None:
        if len(self._answers) <= 1:
            return
        self.answers()
        del self._answers[self._current]
        self._changed_list(self._current)
        self.selected.emit(self._current)

    def _move(self, offset: int) -> None:
        target = self._current + offset
        if not 0 <= target < len(self._answers):
            return
        answers = list(self.answers())
        answers[self._current], answers[target] = answers[target], answers[self._current]
        self._answers = answers
        self._changed_list(target)
        self.selected.emit(target)

    @Slot()
    def _on_up_clicked(self) -> None:
        self._move(-1)

    @Slot()
    def _on_down_clicked(self) -> None:
        self._move(+1)
