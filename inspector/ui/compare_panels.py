"""One collapsible panel per section of a comparison (request, headers, body, …).

A panel's header says the section's title and its phrase of the summary
("3 headers differ", or "identical"); a click folds or unfolds it. Inside:
small tables for fields, paired fields and JSON changes
(:mod:`inspector.models.compare_models`), text and hex diffs
(:mod:`inspector.ui.diff_text`), and the limits that were reached. Tables of
headers, query pairs and JSON values carry a "Make rule condition" button:
it asks (:attr:`SectionPanel.rule_wanted`) for a condition from the row
selected in that table.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.diff import BodyDiff, Change, PairRow, Section
from inspector.models.compare_models import (
    FIELD_TITLES,
    JSON_TITLES,
    PAIR_TITLES,
    DiffRole,
    DiffRow,
    DiffRowsModel,
    field_rows,
    json_rows,
    pair_rows,
)
from inspector.text import visible
from inspector.ui.diff_text import DiffTextView, hex_lines, text_lines
from inspector.ui.table_view import CopyableTableView

#: rows a table shows before it scrolls
MAX_TABLE_ROWS: Final = 12
#: characters of a section's phrase in its header
PHRASE_LIMIT: Final = 300
#: the rules' condition source for each section whose rows can become one
RULE_SOURCES: Final = {"headers": "header", "query": "query", "body": "json"}


def plain_label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setText(text)
    return label


class DiffTable(CopyableTableView):
    """A table of :class:`DiffRow` rows, as tall as its rows (up to :data:`MAX_TABLE_ROWS`)."""

    def __init__(self, titles: tuple[str, ...], rows: list[DiffRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.diff_model = DiffRowsModel(titles, self)
        self.diff_model.set_rows(rows)
        self.setModel(self.diff_model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        last = len(titles) - 1
        for column in (last - 1, last):  # Left and Right share what is left
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column in range(last - 1):
            self.setColumnWidth(column, 190 if column else 150)
        #: "Make rule condition" choices offered in the context menu of a row
        self.rule_actions: list[QAction] = []
        self.diff_model.modelReset.connect(self._fit)
        self._fit()

    @Slot()
    def _fit(self) -> None:
        rows = max(1, min(self.diff_model.rowCount(), MAX_TABLE_ROWS))
        height = (
            self.horizontalHeader().sizeHint().height() + rows * self.verticalHeader().defaultSectionSize()
        )
        self.setFixedHeight(height + 2 * self.frameWidth() + 2)

    def current_item(self) -> object:
        index = self.currentIndex()
        return index.data(DiffRole.ITEM) if index.isValid() else None

    def build_context_menu(self, menu: QMenu, index: QModelIndex) -> None:
        if index.isValid() and self.rule_actions:
            menu.addActions(self.rule_actions)


class SectionPanel(QWidget):
    """One section: a header that folds it, and what differs in it.

    Signals:
        rule_wanted(object, str, str, bool): (the selected difference, its
            condition source, the side to match, into the selected rule?).
    """

    rule_wanted = Signal(object, str, str, bool)

    def __init__(self, section: Section, sides: tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.tables: list[DiffTable] = []
        self.rule_table: DiffTable | None = None
        self.rule_button: QToolButton | None = None
        self.header = QToolButton(self)
        self.header.setCheckable(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setAutoRaise(True)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        phrase = section.summary or ("identical" if section.identical else "differs")
        self.header.setText(visible(f"{section.title} — {phrase}", PHRASE_LIMIT))
        font = self.header.font()
        font.setBold(not section.identical)
        self.header.setFont(font)
        self.body = QWidget(self)
        box = QVBoxLayout(self.body)
        box.setContentsMargins(18, 0, 0, 6)
        self._fill(box, sides)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(self.body)
        self.header.toggled.connect(self._on_header_toggled)
        self.set_folded(section.identical)

    @property
    def folded(self) -> bool:
        return not self.header.isChecked()

    def set_folded(self, folded: bool) -> None:
        self.header.setChecked(not folded)
        self._on_header_toggled(not folded)

    def set_show_same(self, show: bool) -> None:
        for table in self.tables:
            table.diff_model.set_show_same(show)

    def _table(self, box: QVBoxLayout, titles: tuple[str, ...], rows: list[DiffRow]) -> DiffTable:
        table = DiffTable(titles, rows, self.body)
        self.tables.append(table)
        box.addWidget(table)
        return table

    def _fill(self, box: QVBoxLayout, sides: tuple[str, str]) -> None:
        section = self.section
        if section.fields:
            self._table(box, FIELD_TITLES, field_rows(section.fields))
        if section.pairs:
            table = self._table(box, PAIR_TITLES, pair_rows(section.pairs))
            if section.key in ("headers", "query"):
                self._rule_row(box, table, sides)
        if section.body is not None:
            self._body(box, section.body, sides)
        for note in section.notes:
            box.addWidget(plain_label(visible(f"Note: {note}", PHRASE_LIMIT), self.body))
        if box.count() == 0:
            text = "Nothing differs here." if section.identical else visible(section.summary, PHRASE_LIMIT)
            box.addWidget(plain_label(text, self.body))

    def _body(self, box: QVBoxLayout, body: BodyDiff, sides: tuple[str, str]) -> None:
        if body.kind == "json" and body.json:
            table = self._table(box, JSON_TITLES, json_rows(body.json))
            if self.section.key == "body":
                self._rule_row(box, table, sides)
        elif body.kind == "form" and body.pairs:
            self._table(box, PAIR_TITLES, pair_rows(body.pairs))
        elif body.kind == "text" and body.text is not None and body.text.hunks:
            view = DiffTextView(self.body)
            view.show_lines(text_lines(body.text))
            box.addWidget(view)
        elif body.kind == "hex" and body.hex is not None and body.hex.rows:
            view = DiffTextView(self.body)
            view.show_lines(hex_lines(body.hex))
            box.addWidget(view)

    def _rule_row(self, box: QVBoxLayout, table: DiffTable, sides: tuple[str, str]) -> None:
        """The "Make rule condition" button under ``table`` (its menu picks the side and the rule)."""
        source = RULE_SOURCES[self.section.key]
        left, right = sides
        button = QToolButton(self.body)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        choices = (
            (f"New rule matching the right request ({right})", "right", False),
            (f"New rule matching the left request ({left})", "left", False),
            (f"Add to the selected rule, matching the right request ({right})", "right", True),
            (f"Add to the selected rule, matching the left request ({left})", "left", True),
        )
        for number, (text, side, into) in enumerate(choices):
            action = QAction(text, button)
            action.triggered.connect(
                lambda _checked=False, s=side, i=into: self._want_rule(table, source, s, i)
            )
            if number == 0:
                button.setDefaultAction(action)  # which adds it to the menu (adding it again unsets it)
            else:
                button.addAction(action)
        button.setText("Make rule condition")
        button.setToolTip(
            "Add a rule condition that tells the two requests apart, from the selected row "
            "(the rules editor shows it as an unsaved change)"
        )
        row = QHBoxLayout()
        row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        self.rule_table = table
        self.rule_button = button
        table.rule_actions = button.actions()
        table.selectionModel().currentRowChanged.connect(self._on_rule_table_current_row_changed)
        table.diff_model.modelReset.connect(self._select_first_row)
        self._select_first_row()

    @Slot()
    def _select_first_row(self) -> None:
        """Select the first difference a condition can come from (not one of order
        or letter case only), so "Make rule condition" is one click away."""
        table = self.rule_table
        if table is not None:
            model = table.diff_model
            for row in range(model.rowCount()):
                shown = model.row_at(row)
                item = shown.item if shown is not None else None
                if item is not None and not (isinstance(item, PairRow) and item.change is Change.SAME):
                    table.selectRow(row)
                    break
            self._on_rule_table_current_row_changed()

    def _want_rule(self, table: DiffTable, source: str, side: str, into_selected: bool) -> None:
        item = table.current_item()
        if item is not None:
            self.rule_wanted.emit(item, source, side, into_selected)

    @Slot()
    def _on_rule_table_current_row_changed(self, *_args: object) -> None:
        if self.rule_table is not None and self.rule_button is not None:
            self.rule_button.setEnabled(self.rule_table.current_item() is not None)
            self.rule_button.setText("Make rule condition")

    @Slot(bool)
    def _on_header_toggled(self, unfolded: bool) -> None:
        self.header.setArrowType(Qt.ArrowType.DownArrow if unfolded else Qt.ArrowType.RightArrow)
        self.body.setVisible(unfolded)
