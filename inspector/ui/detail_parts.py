"""Pieces the detail pane's tabs are built from: plain-text labels in a form, pair tables."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QScrollArea, QWidget

from inspector.models.pairs_table import PairsTableModel
from inspector.ui.table_view import CopyableTableView

#: characters of a value a detail label shows
LABEL_LIMIT = 500


def plain_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def form(parent: QWidget, names: tuple[str, ...]) -> tuple[QScrollArea, QFormLayout, dict[str, QLabel]]:
    """A scrolling form with one plain-text label per name (keyed by name)."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    inner = QWidget(area)
    layout = QFormLayout(inner)
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    labels: dict[str, QLabel] = {}
    for name in names:
        labels[name] = plain_label(inner)
        layout.addRow(f"{name}:", labels[name])
    area.setWidget(inner)
    return area, layout, labels


def pairs_table(parent: QWidget, model: PairsTableModel) -> CopyableTableView:
    """A copyable table of ``model``'s (name, value) rows."""
    view = CopyableTableView(parent)
    view.setModel(model)
    view.horizontalHeader().resizeSection(0, 220)
    return view
