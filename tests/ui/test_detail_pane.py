"""The detail pane with synthetic records: trailers, form and large bodies, no response."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from inspector.http.record import CaptureRecord
from inspector.ui.body_render import DISPLAY_LIMIT
from inspector.ui.detail_pane import DetailPane

Factory = Callable[..., CaptureRecord]


def test_trailers_after_headers_marked(qtbot: Any, qtmodeltester: Any, record_factory: Factory) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    for model in pane.models():
        qtmodeltester.check(model)
    pane.set_record(record_factory(headers=(("Host", "h"), ("TE", "trailers")), trailers=(("Expires", "x"),)))
    assert pane.headers_model.rows() == [("Host", "h"), ("TE", "trailers"), ("Expires", "x")]
    marker = pane.headers_model.index(2, 2)
    assert marker.data() == "trailer" and pane.headers_model.index(0, 2).data() == ""
    assert pane.tabText(pane.indexOf(pane.headers_table)) == "Headers (2 + 1 trailers)"


def test_form_body_as_table(qtbot: Any, record_factory: Factory) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.set_record(
        record_factory(
            method="POST",
            headers=(("Content-Type", "application/x-www-form-urlencoded"),),
            body=b"user=jack&tag=a&tag=b",
        )
    )
    assert pane.body_view.form_model.rows() == [("user", "jack"), ("tag", "a"), ("tag", "b")]


def test_large_body_capped_until_show_all(qtbot: Any, record_factory: Factory) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    body = b"0123456789abcdef\n" * (DISPLAY_LIMIT // 8)  # ~544 KiB
    pane.set_record(record_factory(method="POST", headers=(("Content-Type", "text/plain"),), body=body))
    view = pane.body_view
    assert len(view.text.toPlainText()) == DISPLAY_LIMIT
    assert "showing the first 256.0 KiB of" in view.note.text()
    assert not view.show_all.isHidden()
    qtbot.mouseClick(view.show_all, Qt.MouseButton.LeftButton)
    assert len(view.text.toPlainText()) == len(body)
    assert view.show_all.isHidden()


def test_no_response_and_labels_plain(qtbot: Any, record_factory: Factory) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.set_record(record_factory(response=None, notes=("bare LF line endings", "<i>note</i>")))
    assert pane.response_fields["Status"].text() == "No response was sent."
    assert pane.overview["Notes"].text() == "bare LF line endings\n<i>note</i>"
    for label in pane.findChildren(QLabel):
        if label.text() and not label.text().endswith(":"):
            assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    pane.set_record(None)
    assert pane.query_model.rowCount() == 0 and pane.record is None


def test_overview_shows_every_value_of_a_repeated_header(qtbot: Any, record_factory: Factory) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    headers = (
        ("Host", "a.example"),
        ("User-Agent", "curl/8"),
        ("host", "b.example"),  # a second Host (any case) is shown, not dropped
        ("Content-Type", "text/plain"),
        ("CONTENT-TYPE", "application/json"),
    )
    pane.set_record(record_factory(headers=headers))
    assert pane.overview["Host"].text() == "a.example | b.example"
    assert pane.overview["Content-Type"].text() == "text/plain | application/json"
    assert pane.overview["User-Agent"].text() == "curl/8"
