"""Filter terms and quick filters over stored history rows: the same rows as the
same requests kept live (issue 12, item 6), the store asked once per filter.

(A stored summary carries the request's error, not a failed template's: such a
row read back from the store shows, and filters, as its status. Live and
converted rows keep theirs.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector.filter_query import Quick, accepts, parse_filter
from inspector.http.record import CaptureRecord, SentResponse
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore

Factory = Callable[..., CaptureRecord]
COUNT = 1200


def varied(factory: Factory, i: int) -> CaptureRecord:
    methods = ("GET", "POST", "PUT", "DELETE", "get")
    statuses = (200, 404, 500, 302, 201, None)
    status = statuses[i % len(statuses)]
    error = "invalid header line" if i % 17 == 0 else None
    headers = [("Host", "h")]
    if i % 3 == 0:
        headers.append(("X-Sig", f"sig-{i % 5}"))
    if i % 4 == 0:
        headers.append(("x-other", "1"))
    if i % 50 == 0:
        headers = [("Host", "h"), ("X-Not-Sig", "x-sig")]  # the name as a value only
    return factory(
        id=i,
        server=("127.0.0.1:8090", "[::1]:8091", "0.0.0.0:18091")[i % 3],
        method=methods[i % len(methods)],
        target=f"/r/{i}",
        path=f"/r/{i}",
        headers=tuple(headers),
        body=b"x-sig in the body" if i % 7 == 0 else b"",
        error=error,
        response=None
        if status is None and not error
        else SentResponse(status=status or 400, reason=""),
    )


@pytest.fixture
def records(record_factory: Factory) -> list[CaptureRecord]:
    return [varied(record_factory, i) for i in range(1, COUNT + 1)]


@pytest.fixture
def store(tmp_path: Path, records: list[CaptureRecord]) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "t.sqlite3") as s:
        s.add_many(records)
        assert s.flush(10)
        yield s


def shown(proxy: RequestFilterProxyModel) -> list[int]:
    return [proxy.source().row_id(row) for row in proxy.source_rows()]


FILTERS = [
    ("status:404", []),
    ("status:4xx,302", []),
    ("method:get", []),
    ("method:put,delete status:5xx", []),
    ("header:x-sig", []),
    ("header:X-SIG=sig-2", []),
    ("header:x-sig header:x-other", []),
    ("header:x-sig /r/1", []),
    ("", [Quick.ERRORS]),
    ("", [Quick.PENDING]),
    ("", [Quick.S2XX, Quick.S3XX]),
    ("method:post", [Quick.S5XX, Quick.ERRORS]),
    ("header:x-nothing", []),
    ("listener:8091", []),  # not 18091
    ("listener:[::1]", []),
    ("listener:::1,127.0.0.1:8090 method:get", []),
    ("listener::18091", [Quick.S5XX]),
]


@pytest.mark.parametrize(("text", "quick"), FILTERS)
def test_stored_rows_are_kept_as_live_ones_are(
    qtmodeltester: Any, store: CaptureStore, records: list[CaptureRecord], text: str, quick: list[Quick]
) -> None:
    history = RequestTableModel(history=store, page_size=64)
    history_proxy = RequestFilterProxyModel()
    history_proxy.setSourceModel(history)
    qtmodeltester.check(history_proxy)
    history.load_history()
    live = RequestTableModel()
    live_proxy = RequestFilterProxyModel()
    live_proxy.setSourceModel(live)
    live.append_records(records)
    query = parse_filter(text, quick)
    expected = [r.id for r in records if accepts(query, r)]
    assert expected or text == "header:x-nothing"
    for proxy in (history_proxy, live_proxy):
        proxy.set_filter_text(text)
        proxy.set_quick_filters(quick)
        assert shown(proxy) == expected, (text, quick)
    history_proxy.set_quick_filters(())
    history_proxy.set_filter_text("")
    assert len(shown(history_proxy)) == COUNT


def test_converted_rows_keep_their_verdict(qapp: Any, tmp_path: Path, records: list[CaptureRecord]) -> None:
    with CaptureStore(tmp_path / "c.sqlite3") as store:
        store.add_many(records[:600])
        assert store.flush(10)
        model = RequestTableModel(history=store, page_size=64)
        proxy = RequestFilterProxyModel()
        proxy.setSourceModel(model)
        model.load_history()
        proxy.set_filter_text("header:x-sig status:2xx")
        model.append_records(records[600:])
        store.add_many(records[600:])
        assert store.flush(10)
        assert model.convert_committed(store.committed_max_id) > 0
        query = proxy.query
        assert shown(proxy) == [r.id for r in records if accepts(query, r)]
        proxy.set_filter_text("header:x-sig status:3xx")  # searched again, converted rows included
        assert shown(proxy) == [r.id for r in records if accepts(proxy.query, r)]
