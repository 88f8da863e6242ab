"""Small pieces the rules editor's forms share: plain-text labels, tables, problems at fields.

Every label here shows plain text only (a template or a request may hold
markup), wraps instead of being clipped, and caps what it shows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.responses import Problem
from inspector.text import visible

#: rows a table shows before it scrolls
TABLE_ROWS_SHOWN = 5
#: characters of a problem message shown under a field
MESSAGE_LIMIT = 400

ERROR_COLOR = QColor(200, 30, 30)
ERROR_LINE_COLOR = QColor(255, 215, 215)


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


def set_error(label: QLabel, messages: list[str] | None) -> None:
    """Show ``messages`` in ``label`` (hidden when there are none)."""
    if messages:
        label.setText(visible("\n".join(messages), MESSAGE_LIMIT, keep_newlines=True))
        label.show()
    else:
        label.clear()
        label.hide()


def problem_text(problem: Problem) -> str:
    """A problem as shown under its field: ``header 2 line 1: …``, ``line 3: …``."""
    item = {"headers": "header", "conditions": "condition", "methods": "method"}.get(problem.field)
    where = []
    if item is not None and problem.index is not None:
        where.append(f"{item} {problem.index + 1}")
    if problem.line is not None:
        where.append(f"line {problem.line}")
    return f"{' '.join(where)}: {problem.message}" if where else problem.message


def setup_table(table: QTableWidget, stretch: tuple[int, ...]) -> None:
    """Rows selected whole, edited in place; ``stretch`` columns share the width."""
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        mode = QHeaderView.ResizeMode.ResizeToContents
        if column in stretch:
            mode = QHeaderView.ResizeMode.Stretch
        header.setSectionResizeMode(column, mode)
    table.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.AnyKeyPressed
        | QAbstractItemView.EditTrigger.SelectedClicked
    )


def fit_height(table: QTableWidget) -> None:
    """As tall as its rows (one empty row at least, five at most, then it scrolls)."""
    rows = max(1, min(table.rowCount(), TABLE_ROWS_SHOWN))
    row_height = table.verticalHeader().defaultSectionSize()
    if table.rowCount():
        row_height = max(row_height, table.rowHeight(0))
    height = table.horizontalHeader().sizeHint().height() + rows * row_height + 2 * table.frameWidth()
    table.setFixedHeight(height)


def edit_new_row(table: QTableWidget, column: int) -> None:
    """After a row was appended: fit the table to it and start editing its ``column``."""
    fit_height(table)
    row = table.rowCount() - 1
    table.setCurrentCell(row, column)
    item = table.item(row, column)
    if item is not None:
        table.editItem(item)


def remove_current_row(table: QTableWidget) -> bool:
    """Remove the selected row (the last one when none is selected); False when empty."""
    row = table.currentRow()
    if row < 0:
        row = table.rowCount() - 1
    if row < 0:
        return False
    table.removeRow(row)
    fit_height(table)
    return True


def stack(*widgets: QWidget) -> QVBoxLayout:
    """Widgets one under the other, close together."""
    box = QVBoxLayout()
    box.setSpacing(2)
    for widget in widgets:
        box.addWidget(widget)
    return box


def left_row(*widgets: QWidget) -> QHBoxLayout:
    """Widgets side by side, left-aligned (the rest of the row left empty)."""
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return row
