"""The compare view's table models: rows from a comparison, identical rows on request, escaped text."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt

from inspector.diff import Change, FieldDiff, JsonChange, PairRow, compare
from inspector.models.compare_models import (
    FIELD_TITLES,
    JSON_TITLES,
    PAIR_TITLES,
    TINTS,
    DiffRole,
    DiffRowsModel,
    field_rows,
    json_rows,
    pair_rows,
)
from tests.conftest import make_record


def cells(model: DiffRowsModel) -> list[list[str]]:
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def test_pairs_model_lists_differences_and_identical_rows_on_request(qtmodeltester: Any) -> None:
    left = make_record(headers=(("Host", "a"), ("Accept", "*/*"), ("X-Token", "abc"), ("User-Agent", "x")))
    right = make_record(id=2, headers=(("host", "a"), ("X-Token", "xyz"), ("Accept", "*/*"), ("X-New", "1")))
    model = DiffRowsModel(PAIR_TITLES)
    qtmodeltester.check(model)
    model.set_rows(pair_rows(compare(left, right).section("headers").pairs))
    qtmodeltester.check(model)
    assert (
        cells(model)
        == [
            ["case", "Host / host", "a", "a"],
            ["moved", "Accept", "*/*", "*/*"],
            ["changed, moved", "X-Token", "abc", "xyz"],
            ["removed", "User-Agent", "x", ""],
            ["added", "X-New", "", "1"],
        ]
        or model.hidden_count == 0
    )
    assert all(model.index(row, 0).data(Qt.ItemDataRole.BackgroundRole) is not None for row in range(5))
    item = model.index(2, 1).data(DiffRole.ITEM)
    assert isinstance(item, PairRow) and item.change is Change.CHANGED
    same = make_record(headers=(("Host", "a"), ("Accept", "*/*")))
    model.set_rows(pair_rows(compare(same, same).section("headers").pairs))
    assert model.rowCount() == 0 and model.hidden_count == 2
    model.set_show_same(True)
    qtmodeltester.check(model)
    assert cells(model) == [["same", "Host", "a", "a"], ["same", "Accept", "*/*", "*/*"]]
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None


def test_fields_and_json_rows(qtmodeltester: Any) -> None:
    fields = DiffRowsModel(FIELD_TITLES)
    fields.set_rows(
        field_rows(
            [FieldDiff(name="method", left="GET", right="POST"), FieldDiff(name="v", left="1", right="1")]
        )
    )
    qtmodeltester.check(fields)
    assert cells(fields) == [["method", "GET", "POST"]]
    changes = [
        JsonChange(change=Change.CHANGED, path="$.qty", steps=("qty",), left=2, right=3),
        JsonChange(change=Change.TYPE, path="$.id", steps=("id",), left=1, right="1"),
        JsonChange(change=Change.LENGTH, path="$.items", steps=("items",), left=3, right=1),
        JsonChange(change=Change.REMOVED, path="$.items[1]", steps=("items", 1), left={"a": None}),
        JsonChange(change=Change.ADDED, path="$.new", steps=("new",), right=[True, 0.5]),
        JsonChange(change=Change.CHANGED, path="$.nan", steps=("nan",), left=float("nan"), right=1),
    ]
    model = DiffRowsModel(JSON_TITLES)
    model.set_rows(json_rows(changes))
    qtmodeltester.check(model)
    assert cells(model) == [
        ["changed", "$.qty", "2", "3"],
        ["type differs", "$.id", "1", '"1"'],
        ["length", "$.items", "3 items", "1 items"],
        ["removed", "$.items[1]", '{"a":null}', ""],
        ["added", "$.new", "", "[true,0.5]"],
        ["changed", "$.nan", "nan", "1"],
    ]
    assert model.index(3, 0).data(Qt.ItemDataRole.BackgroundRole).color() == TINTS["removed"]
    assert model.index(0, 0).data(DiffRole.ITEM) is changes[0]


def test_hostile_text_is_escaped_and_cut(qtmodeltester: Any) -> None:
    value = "<b>bold</b>\x1b[31m\u202e" + "x" * 1000
    left = make_record(headers=(("X-Evil", value),))
    right = make_record(id=2, headers=(("X-Evil", "ok"),))
    model = DiffRowsModel(PAIR_TITLES)
    model.set_rows(pair_rows(compare(left, right).section("headers").pairs))
    qtmodeltester.check(model)
    shown = model.index(0, 2).data()
    assert shown.startswith("<b>bold</b>\\x1b[31m\\u202e") and shown.endswith("…") and len(shown) < 400
    assert (
        "\x1b" not in model.index(0, 2).data(DiffRole.COPY)
        and len(model.index(0, 2).data(DiffRole.COPY)) > 1000
    )
    tip = model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("<qt>") and "&lt;b&gt;" in tip and "<b>" not in tip
    body = json.dumps({"k": value}).encode()
    changes = compare(
        make_record(body=body, headers=(("Content-Type", "application/json"),)),
        make_record(id=2, body=b'{"k": 1}', headers=(("Content-Type", "application/json"),)),
    ).section("body")
    assert changes.body is not None
    json_model = DiffRowsModel(JSON_TITLES)
    json_model.set_rows(json_rows(changes.body.json))
    assert "\\u202e" in json_model.index(0, 2).data()
