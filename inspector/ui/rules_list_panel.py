"""The rules editor's list column: the numbered rules in answer order and the buttons that change them.

The panel lays out the editor's actions (add, add from a preset, duplicate,
delete, move up and down) under a :class:`QListView` of the
:class:`RulesListModel`; it owns no behaviour of its own: the editor connects
the actions and the selection.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QListView,
    QMenu,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.models.rules_list import RulesListModel
from inspector.ui.rules_widgets import hint_label

#: the list column is never narrower than this (names and paths stay readable)
MIN_WIDTH = 170


class NumberedDelegate(QStyledItemDelegate):
    """Shows each rule's position (1-based) before its name: order decides which answers."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.text = f"{index.row() + 1}. {option.text}"


def action_button(action: QAction, parent: QWidget) -> QToolButton:
    """A text button for ``action`` that shares its row's width."""
    button = QToolButton(parent)
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return button


class RulesListPanel(QWidget):
    """The list of rules and its buttons.

    Args:
        model: the rules, in answer order.
        actions: add, duplicate, delete, move up, move down (in that order).
        presets: the "Add from preset" menu.
    """

    def __init__(
        self,
        model: RulesListModel,
        actions: tuple[QAction, QAction, QAction, QAction, QAction],
        presets: QMenu,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        add, duplicate, delete, move_up, move_down = actions
        self.list_view = QListView(self)
        self.list_view.setModel(model)
        self.list_view.setItemDelegate(NumberedDelegate(self.list_view))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list_view.setDropIndicatorShown(True)
        self.list_view.setAlternatingRowColors(True)
        self.list_view.setSpacing(1)
        self.list_view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.presets_button = QToolButton(self)
        self.presets_button.setText("From preset")
        self.presets_button.setToolTip("Add the rules of a preset at the top of the list")
        self.presets_button.setMenu(presets)
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint_label("Rules, in order: the first enabled rule that matches answers.", self))
        layout.addWidget(self.list_view, 1)
        grid = QGridLayout()
        grid.setSpacing(4)
        grid.addWidget(action_button(add, self), 0, 0)
        grid.addWidget(self.presets_button, 0, 1)
        grid.addWidget(action_button(duplicate, self), 1, 0)
        grid.addWidget(action_button(delete, self), 1, 1)
        grid.addWidget(action_button(move_up, self), 2, 0)
        grid.addWidget(action_button(move_down, self), 2, 1)
        layout.addLayout(grid)
        self.setMinimumWidth(MIN_WIDTH)
