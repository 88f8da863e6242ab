"""The Status cell says which answer of a rule's list went out ("step 2/3") and the
fault it carried, also once the row is a history row; a paused request's
waiting row says "paused"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from inspector.http.record import CaptureRecord, SentResponse
from inspector.models.columns import Column, status_text, summary_differs, waiting_text
from inspector.models.request_table import RequestTableModel
from inspector.models.row_style import pause_icon
from inspector.store import CaptureStore

Factory = Callable[..., CaptureRecord]


def sent(status: int = 503, **fields: Any) -> SentResponse:
    return SentResponse(status=status, bytes=40, duration_ms=1.0, **fields)


def status(model: RequestTableModel, row: int) -> str:
    value = model.index(row, Column.STATUS).data(Qt.ItemDataRole.DisplayRole)
    assert isinstance(value, str)
    return value


@pytest.mark.parametrize(
    ("response", "error", "shown"),
    [
        (sent(503, step=2, steps=3), None, "503 · step 2/3"),
        (sent(200, step=1, steps=None), None, "200 · step 1"),
        (sent(200, step=3, steps=3, fault="trickle"), None, "200 · trickle · step 3/3"),
        (sent(200, fault="reset"), None, "200 · reset"),
        (sent(0, step=2, steps=3, fault="reset"), None, "reset · step 2/3"),
        (sent(0, fault="close", error="not answered"), None, "close · not answered"),
        (sent(200), None, "200"),
        (sent(500, step=1, steps=2, error="pay: body: boom"), None, "500 · step 1/2 pay: body: boom"),
        (sent(400, step=1, steps=2), "400 invalid header", "step 1/2 · 400 invalid header"),
        (sent(400), "400 invalid header", "400 invalid header"),
    ],
)
def test_the_status_text_names_the_step_and_fault(
    record_factory: Factory, response: SentResponse, error: str | None, shown: str
) -> None:
    record = record_factory(response=response, error=error)
    assert status_text(record) == shown


def test_paused_rows_say_so(record_factory: Factory) -> None:
    record = record_factory(received_at=100.0)
    assert waiting_text(record, 104.2, paused=True) == "paused 4 s"
    assert waiting_text(record, 104.2) == "waiting 4 s"


def test_a_step_or_fault_keeps_the_full_record_once_stored(record_factory: Factory) -> None:
    plain = record_factory(response=sent(200), body_truncated=False, upstream=None, error=None)
    assert not summary_differs(plain)
    for response in (sent(200, step=1, steps=2), sent(200, fault="close")):
        record = record_factory(response=response, body_truncated=False, upstream=None, error=None)
        assert summary_differs(record)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "h.sqlite3") as s:
        yield s


def test_the_table_shows_steps_and_paused_rows(
    qapp: Any, qtmodeltester: Any, record_factory: Factory
) -> None:
    model = RequestTableModel()
    qtmodeltester.check(model)
    first = record_factory(id=1, response=sent(503, step=1, steps=3))
    held = record_factory(id=2, response=None)
    waiting = record_factory(id=3, response=None)
    model.append_records([first, held, waiting], waiting=[2, 3])
    assert status(model, 0) == "503 · step 1/3"
    assert status(model, 1).startswith("waiting ") and status(model, 2).startswith("waiting ")
    repainted: list[int] = []
    model.dataChanged.connect(lambda a, _b, _r=None: repainted.append(a.row()))
    model.set_paused(frozenset({2}))
    assert repainted == [1]
    assert status(model, 1).startswith("paused ") and status(model, 2).startswith("waiting ")
    icon = Qt.ItemDataRole.DecorationRole
    assert model.index(1, Column.STATUS).data(icon).cacheKey() == pause_icon().cacheKey()
    assert model.index(2, Column.STATUS).data(icon) is None
    model.update_record(held.with_response(sent(200, step=2, steps=3, rule="pay", fault="trickle")))
    assert status(model, 1) == "200 · trickle · step 2/3"
    tip = model.index(1, Column.STATUS).data(Qt.ItemDataRole.ToolTipRole)
    assert "Answer 2 of 3 of rule 'pay'" in tip and "Fault: trickle" in tip
    model.set_paused(frozenset())  # answered: nothing waiting to repaint
    assert repainted == [1, 1]


def test_steps_survive_the_rows_becoming_history_rows(
    qapp: Any, qtmodeltester: Any, record_factory: Factory, store: CaptureStore
) -> None:
    model = RequestTableModel(history=store)
    qtmodeltester.check(model)
    model.load_history()
    records = [record_factory(id=i, response=sent(503, step=i, steps=2)) for i in (1, 2)]
    store.add_many(records)
    assert store.flush(10)
    model.append_records(records)
    assert model.convert_committed(store.committed_max_id) == 2
    assert set(model.pinned) == {1, 2}  # kept whole: a stored summary has no step
    assert [status(model, row) for row in range(2)] == ["503 · step 1/2", "503 · step 2/2"]
