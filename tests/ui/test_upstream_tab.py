"""A forwarded request in the window: the Upstream tab, the Status cell, Save as rule."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from inspector.http.record import CaptureRecord, UpstreamExchange
from inspector.models.columns import Column, display, tooltip_of
from inspector.ui.detail_pane import DetailPane
from inspector.ui.main_window import MainWindow

Factory = Callable[..., CaptureRecord]

UPSTREAM = UpstreamExchange(
    url="http://127.0.0.1:9000/base/items?page=2",
    status=203,
    reason="Non-Authoritative Information",
    headers=(("Content-Type", "application/json"), ("X-Up", "v"), ("Content-Length", "9")),
    body=b'{"a": 1}\n',
    body_size=9,
    duration_ms=12.4,
    request_headers=(("Host", "127.0.0.1:9000"), ("X-Forwarded-For", "127.0.0.1")),
    informational=(100,),
    connect_ms=1.5,
    first_byte_ms=11.9,
)


def _forwarded(record_factory: Factory, **upstream: Any) -> CaptureRecord:
    return record_factory(
        method="GET",
        target="/items?page=2",
        path="/items",
        query=(("page", "2"),),
        error=None,
        upstream=dataclasses.replace(UPSTREAM, **upstream),
    )


def test_the_upstream_tab_shows_both_sides_and_hides_without_an_upstream(
    qtbot: Any, qtmodeltester: Any, record_factory: Factory
) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    for model in pane.models():
        qtmodeltester.check(model)
    tab = pane.indexOf(pane.upstream_view)
    pane.set_record(_forwarded(record_factory))
    assert pane.isTabVisible(tab)
    view = pane.upstream_view
    assert view.fields["Request"].text() == "GET http://127.0.0.1:9000/base/items?page=2"
    assert view.fields["Status"].text() == "100, then HTTP/1.1 203 Non-Authoritative Information"
    assert view.fields["Timings"].text() == "connected 1.5 ms · first byte 11.9 ms · done 12.4 ms"
    assert view.sent_model.rows() == [("Host", "127.0.0.1:9000"), ("X-Forwarded-For", "127.0.0.1")]
    assert view.received_model.rows()[1] == ("X-Up", "v")
    assert view.parts.tabText(1) == "Received headers (3)"

    pane.set_record(record_factory())
    assert not pane.isTabVisible(tab)
    assert view.sent_model.rows() == []


def test_the_status_cell_says_the_upstream_time_and_where_it_went(record_factory: Factory) -> None:
    record = _forwarded(record_factory)
    assert record.response is not None
    assert display(record, Column.STATUS, None) == f"{record.response.status} ↗ 12 ms"
    tip = tooltip_of(record, Column.STATUS)
    assert tip is not None and "Forwarded to http://127.0.0.1:9000/base/items?page=2" in tip
    assert display(record_factory(error=None), Column.STATUS, None) == str(record.response.status)


def test_save_as_rule_adds_the_upstream_answer_as_a_rule(
    qtbot: Any, window: MainWindow, record_factory: Factory
) -> None:
    window.table.save_as_rule_requested.emit(_forwarded(record_factory))
    assert window.rules.isVisible()
    rule = window.rules.editor.current_rule()
    assert rule is not None
    assert (rule.methods, rule.path, rule.status) == (("GET",), "/items", 203)
    assert rule.headers == (("Content-Type", "application/json"), ("X-Up", "v"))
    assert rule.body == '{"a": 1}\n'

    window.table.save_as_rule_requested.emit(
        _forwarded(record_factory, status=None, error="upstream x: refused")
    )
    assert window.error_banner.isVisible()
    assert "no answer to save: upstream x: refused" in window.error_banner.text()
    assert window.rules.editor.current_rule() == rule  # nothing added
    window.rules.editor.revert()  # unsaved edits would hold the window open on close


def test_save_as_rule_keeps_a_binary_body_in_a_body_file_beside_the_rules(
    qtbot: Any, window: MainWindow, record_factory: Factory
) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\xff\xfe"
    headers = (("Content-Type", "image/png"),)
    window.table.save_as_rule_requested.emit(_forwarded(record_factory, body=png, headers=headers))
    assert not window.error_banner.isVisible()
    rule = window.rules.editor.current_rule()
    assert rule is not None and rule.body == "" and rule.body_file.startswith("recorded/items-")
    folder = window.rules.editor.document.folder
    assert folder is not None and (folder / rule.body_file).read_bytes() == png
    assert rule.headers == headers
    window.rules.editor.revert()
