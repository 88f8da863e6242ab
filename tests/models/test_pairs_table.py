"""PairsTableModel: order, duplicates, markers, escaping."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from inspector.models.pairs_table import PairsRole, PairsTableModel


def test_model_tester_and_contents(qtmodeltester: Any) -> None:
    model = PairsTableModel(("Name", "Value"), marker_title="")
    qtmodeltester.check(model)
    model.set_rows([("a", "1"), ("A", "2"), ("a", "3")])
    model.add_rows([("Expires", "never")], marker="trailer")
    model.add_rows([])
    assert model.rowCount() == 4 and model.columnCount() == 3
    assert [model.data(model.index(r, 0)) for r in range(4)] == ["a", "A", "a", "Expires"]
    assert model.data(model.index(3, 2)) == "trailer"
    assert model.data(model.index(3, 0), Qt.ItemDataRole.FontRole).italic()
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole) is None
    model.clear()
    assert model.rowCount() == 0


def test_escaping(qapp: Any) -> None:
    model = PairsTableModel()
    model.set_rows([("X-Evil", "<b>x</b>\x1b" + "z" * 500)])
    shown = model.data(model.index(0, 1))
    assert shown.startswith("<b>x</b>\\x1b") and shown.endswith("…")
    assert model.data(model.index(0, 1), PairsRole.RAW).startswith("<b>x</b>\x1b")
    assert "&lt;b&gt;" in model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
