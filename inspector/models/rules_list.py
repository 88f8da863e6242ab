"""The ordered list of response rules the editor shows (one row per rule).

Order matters: the first enabled rule that matches answers; the editor's
delegate numbers the rows (the number is not part of the data, so moving a row
changes no other row). A row's check box is the rule's ``enabled`` flag;
renaming in place edits ``name``. Rows are reordered with
:meth:`RulesListModel.moveRows`, which the list view uses for drag and drop
(``InternalMove``) and the editor for its Move up/down buttons.

The model is a view on a :class:`RulesDocument` (Qt-free): every change goes
through the document and is bracketed by the matching ``begin…/end…`` pair.
The document keeps each rule's problems, computed when the rule is stored, so
painting never compiles a template.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QStyle

from inspector.responses import Problem, Rule
from inspector.responses.document import RulesDocument
from inspector.text import tooltip, visible

AnyIndex = QModelIndex | QPersistentModelIndex

#: the MIME type of a drag inside the list (the dragged row numbers, comma-separated)
ROWS_MIME = "application/x-request-inspector-rule-rows"
#: characters of a name or path shown in a row
NAME_LIMIT = 80


class RulesRole(IntEnum):
    #: the :class:`Rule` of the row
    RULE = Qt.ItemDataRole.UserRole + 1
    #: the rule's problems, a tuple of :class:`Problem`
    PROBLEMS = Qt.ItemDataRole.UserRole + 2


def rule_summary(rule: Rule) -> str:
    """``GET, HEAD /hello/{name}`` (``any`` for no methods)."""
    methods = ", ".join(rule.methods) if rule.methods else "any"
    return f"{methods} {visible(rule.path, NAME_LIMIT)}"


class RulesListModel(QAbstractListModel):
    """Rules in answer order; checkable (enabled), renamable, movable."""

    def __init__(self, document: RulesDocument | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document if document is not None else RulesDocument()

    # -- reading ------------------------------------------------------------------

    def rules(self) -> tuple[Rule, ...]:
        return self.document.rules

    def rule(self, row: int) -> Rule:
        return self.document.rule(row)

    def problems(self, row: int) -> tuple[Problem, ...]:
        return self.document.problems(row)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.document)

    def _valid(self, index: AnyIndex) -> bool:
        return index.isValid() and index.model() is self and 0 <= index.row() < len(self.document)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self._valid(index):
            return None
        row = index.row()
        rule = self.document.rule(row)
        problems = self.document.problems(row)
        if role == Qt.ItemDataRole.DisplayRole:
            name = visible(rule.name, NAME_LIMIT) or "(unnamed)"
            return f"{name}\n{rule_summary(rule)}"
        if role == Qt.ItemDataRole.EditRole:
            return rule.name
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [rule.name or "(unnamed)", rule_summary(rule)]
            if not rule.enabled:
                lines.append("disabled: never answers")
            lines.extend(f"problem: {p}" for p in problems)
            return tooltip("\n".join(lines))
        if role == Qt.ItemDataRole.FontRole and not rule.enabled:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and problems:
            style = QApplication.style()  # None without a QApplication
            return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning) if style else None
        if role == RulesRole.RULE:
            return rule
        if role == RulesRole.PROBLEMS:
            return problems
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            # dropping between rows (on the list itself) is allowed, onto a row is not
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    # -- editing ------------------------------------------------------------------

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not self._valid(index):
            return False
        rule = self.document.rule(index.row())
        if role == Qt.ItemDataRole.CheckStateRole:
            enabled = Qt.CheckState(value) == Qt.CheckState.Checked
            return self.set_rule(index.row(), dataclasses.replace(rule, enabled=enabled))
        if role == Qt.ItemDataRole.EditRole and isinstance(value, str):
            return self.set_rule(index.row(), dataclasses.replace(rule, name=value))
        return False

    def reset(self, change: Callable[[], object] | None = None) -> None:
        """Apply ``change`` to the document (import, revert, …) as one model reset."""
        self.beginResetModel()
        if change is not None:
            change()
        self.endResetModel()

    def set_rules(self, rules: Iterable[Rule]) -> None:
        """Replace every rule."""
        self.reset(lambda: self.document.set_rules(rules))

    def set_rule(self, row: int, rule: Rule) -> bool:
        """Replace the rule at ``row``; False when nothing changed."""
        if not self.document.replace(row, rule):
            return False
        index = self.index(row)
        self.dataChanged.emit(index, index)
        return True

    def insert_rules(self, row: int, rules: Sequence[Rule]) -> int:
        """Insert ``rules`` before ``row`` (``rowCount()`` appends); returns the row used."""
        row = max(0, min(row, len(self.document)))
        if not rules:
            return row
        self.beginInsertRows(QModelIndex(), row, row + len(rules) - 1)
        self.document.insert(row, rules)
        self.endInsertRows()
        return row

    def remove_rule(self, row: int) -> Rule:
        """Remove and return the rule at ``row``."""
        self.beginRemoveRows(QModelIndex(), row, row)
        rule = self.document.remove(row)
        self.endRemoveRows()
        return rule

    def move_rule(self, row: int, to: int) -> bool:
        """Move the rule at ``row`` so that it ends up at position ``to``."""
        if not 0 <= row < len(self.document) or not 0 <= to < len(self.document) or row == to:
            return False
        # moveRows takes the row *before which* the rows go, counted before the move
        return self.moveRows(QModelIndex(), row, 1, QModelIndex(), to + 1 if to > row else to)

    def moveRows(
        self,
        source_parent: AnyIndex,
        source_row: int,
        count: int,
        destination_parent: AnyIndex,
        destination_child: int,
    ) -> bool:
        if source_parent.isValid() or destination_parent.isValid():
            return False
        if not self.document.can_move(source_row, count, destination_child):
            return False
        last = source_row + count - 1
        if not self.beginMoveRows(QModelIndex(), source_row, last, QModelIndex(), destination_child):
            return False
        self.document.move(source_row, count, destination_child)
        self.endMoveRows()
        return True

    # -- drag and drop (reorder only) -------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROWS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        data = QMimeData()
        rows = sorted({i.row() for i in indexes if i.isValid()})
        data.setData(ROWS_MIME, QByteArray(",".join(map(str, rows)).encode("ascii")))
        return data

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        return action == Qt.DropAction.MoveAction and data.hasFormat(ROWS_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: AnyIndex
    ) -> bool:
        """Move the dragged rows before ``row`` (the list view normally calls
        :meth:`moveRows` itself; this covers drops it hands to the model)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            text = bytes(data.data(ROWS_MIME).data()).decode("ascii")
            rows = [int(r) for r in text.split(",") if r]
        except ValueError:
            return False
        count = len(self.document)
        if parent.isValid():  # dropped onto a row: insert before it
            row = parent.row()
        if not 0 <= row < count:
            row = count
        target = QPersistentModelIndex(self.index(row)) if row < count else None
        dragged = [QPersistentModelIndex(self.index(r)) for r in rows if 0 <= r < count]
        moved = False
        for source in dragged:  # each goes just before the target, so their order is kept
            destination = target.row() if target is not None else len(self.document)
            if source.row() != destination:
                moved = self.moveRows(QModelIndex(), source.row(), 1, QModelIndex(), destination) or moved
        return moved
