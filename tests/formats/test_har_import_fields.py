"""HAR import, field by field: what each entry field becomes in the record, the
fallbacks for missing or wrong-typed fields of a hand-edited or foreign HAR, and the
one-line message naming the file, the entry and the field that cannot be read."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.formats import HarImportCancelled, HarImportError, import_har, to_har
from inspector.formats import har_import as har_import_module
from inspector.http.record import CaptureRecord
from tests.records import make_record

MAX_INT = (1 << 63) - 1


def foreign(**fields: Any) -> dict[str, Any]:
    """A browser-like entry (no ``_`` fields of ours), with ``fields`` replacing top-level keys."""
    entry: dict[str, Any] = {
        "startedDateTime": "2024-01-01T00:00:00Z",
        "time": 3.5,
        "request": {
            "method": "POST",
            "url": "http://shop.example:8080/cart/add?sku=A-1&qty=2",
            "httpVersion": "HTTP/1.1",
            "headers": [
                {"name": "Host", "value": "shop.example:8080"},
                {"name": "Content-Type", "value": "text/plain"},
            ],
            "queryString": [{"name": "sku", "value": "A-1"}, {"name": "qty", "value": "2"}],
            "bodySize": 5,
            "postData": {"mimeType": "text/plain", "text": "hello"},
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "headers": [{"name": "Content-Type", "value": "text/html"}],
            "content": {"size": 4, "mimeType": "text/html", "text": "<p/>"},
        },
        "timings": {"send": 0, "wait": 2.5, "receive": 1},
        "serverIPAddress": "192.0.2.7",
    }
    entry.update(fields)
    return entry


def request(**fields: Any) -> dict[str, Any]:
    """A foreign entry whose request has ``fields`` replaced (None removes one)."""
    entry = foreign()
    entry["request"].update(fields)
    entry["request"] = {k: v for k, v in entry["request"].items() if v is not None}
    return entry


def response(**fields: Any) -> dict[str, Any]:
    """A foreign entry whose response has ``fields`` replaced (None removes one)."""
    entry = foreign()
    entry["response"].update(fields)
    entry["response"] = {k: v for k, v in entry["response"].items() if v is not None}
    return entry


def ours(**fields: Any) -> dict[str, Any]:
    """An entry of our own export, with ``fields`` replacing top-level keys (None removes one)."""
    entry: dict[str, Any] = copy.deepcopy(to_har([make_record(id=1)])["log"]["entries"][0])
    entry.update(fields)
    return {k: v for k, v in entry.items() if v is not None}


def ours_response(**fields: Any) -> dict[str, Any]:
    entry = ours()
    entry["response"].update(fields)
    entry["response"] = {k: v for k, v in entry["response"].items() if v is not None}
    return entry


def one(entry: Any) -> CaptureRecord:
    (record,) = import_har({"log": {"entries": [entry]}})
    return record


def refusal(*entries: Any) -> str:
    with pytest.raises(HarImportError) as info:
        import_har({"log": {"entries": list(entries)}})
    return str(info.value)


# -- what every field of a foreign entry becomes ----------------------------------------


def test_a_foreign_entry_maps_every_field() -> None:
    record = one(foreign())
    assert record.id == 1 and record.received_at == 1_704_067_200.0
    assert record.client == "" and record.server == "192.0.2.7:8080" and record.scheme == "http"
    assert record.method == "POST" and record.http_version == "1.1"
    assert record.target == "/cart/add?sku=A-1&qty=2" and record.path == "/cart/add"
    assert record.query == (("sku", "A-1"), ("qty", "2"))
    assert record.headers == (("Host", "shop.example:8080"), ("Content-Type", "text/plain"))
    assert record.trailers == () and record.notes == () and record.error is None
    assert record.body == b"hello" and record.body_size == 5 and record.body_truncated is False
    assert record.raw_head == b"" and record.raw_body is None  # nothing was received here
    assert record.tls is None and record.upstream is None
    sent = record.response
    assert sent is not None
    assert (sent.status, sent.reason, sent.body) == (200, "OK", b"<p/>")
    assert sent.headers == (("Content-Type", "text/html"),)
    assert sent.rule is None and sent.bytes == 0 and sent.error is None
    assert sent.duration_ms == 2.5  # timings.wait
    assert sent.step is None and sent.steps is None and sent.fault is None


def test_missing_strings_are_empty_not_none() -> None:
    entry = foreign()
    del entry["response"]["statusText"]
    entry["response"]["content"] = {"size": 0, "mimeType": "x-unknown"}  # Firefox: no text
    entry["request"]["method"] = None
    entry["request"]["headers"].append({"name": "X-Empty", "value": None})
    entry["request"]["headers"].append({"value": "nameless"})
    entry["_client"] = None
    record = one(entry)
    assert record.method == "" and record.client == ""
    assert record.headers[-2:] == (("X-Empty", ""), ("", "nameless"))
    assert record.response is not None
    assert record.response.reason == "" and record.response.body == b""


def test_the_client_comes_from_client_when_a_tool_writes_it() -> None:
    assert one(foreign(_client="198.51.100.2:50000")).client == "198.51.100.2:50000"


def test_a_foreign_entry_keeps_its_error_next_to_a_response() -> None:
    entry = foreign(_error="upstream reset")
    entry["response"]["_error"] = "ignored: the entry says"
    record = one(entry)
    assert record.error == "upstream reset" and record.response is not None


def test_chromes_failed_request_puts_its_reason_on_the_response() -> None:
    record = one(response(status=0, _error="net::ERR_CONNECTION_REFUSED"))
    assert record.response is None and record.error == "net::ERR_CONNECTION_REFUSED"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("h3", "3"), ("H3", "3"), ("http/3", "3"), ("HTTP/3.0", "3"), ("http/3.0", "3"),
        ("h2", "2"), ("http/2", "2"), ("HTTP/2.0", "2"), (" HTTP/1.0 ", "1.0"), ("spdy", "spdy"),
        (None, ""),
    ],
)  # fmt: skip
def test_http_version_spellings(version: str | None, expected: str) -> None:
    assert one(request(httpVersion=version)).http_version == expected


def test_pseudo_headers_give_method_path_and_scheme() -> None:
    """HTTP/2 pseudo headers fill what the spec fields leave out; :path wins over the URL."""
    entry = request(
        method="",
        url="/ignored?x=1",
        headers=[
            {"name": ":method", "value": "PATCH"},
            {"name": ":path", "value": "/api/items?id=7?raw"},
            {"name": ":scheme", "value": "HTTPS"},
            {"name": ":authority", "value": "api.example"},
            {"name": "accept", "value": "*/*"},
        ],
    )
    record = one(entry)
    assert record.method == "PATCH"
    assert record.target == "/api/items?id=7?raw" and record.path == "/api/items"
    assert record.scheme == "https" and record.server == "192.0.2.7:443"
    assert record.headers == (("Host", "api.example"), ("accept", "*/*"))
    assert record.notes == ("imported from HTTP/2: Host taken from :authority",)


def test_websocket_over_tls_is_https() -> None:
    record = one(request(url="wss://chat.example/socket"))
    assert record.scheme == "https" and record.server == "192.0.2.7:443"
    plain = one(request(url="ws://chat.example/socket"))
    assert plain.scheme == "http" and plain.server == "192.0.2.7:80"


@pytest.mark.parametrize(
    ("url", "target", "path"),
    [
        ("http://h.example", "/", "/"),
        ("http://h.example?a=1", "/?a=1", "/"),
        ("http://h.example/x?", "/x?", "/x"),  # an empty query is kept
        ("http://h.example/x?#top", "/x?", "/x"),
        ("http://h.example/x?#a#b", "/x?", "/x"),
        ("http://h.example/x#a?", "/x", "/x"),  # a "?" in the fragment is not a query
        ("http://h.example/a?b?c", "/a?b?c", "/a"),
        ("/relative/only?q=1", "/relative/only?q=1", "/relative/only"),
    ],
)
def test_target_and_path_from_the_url(url: str, target: str, path: str) -> None:
    record = one(request(url=url))
    assert (record.target, record.path) == (target, path)


def test_an_unreadable_url_from_the_root_gives_the_root() -> None:
    """``urlsplit`` refuses the authority: no host, no port, the target is "/"."""
    record = one(request(url="//[not-an-address/x", headers=[]))
    assert record.target == "/" and record.path == "/"
    assert record.headers == () and record.notes == ()
    assert record.server == "192.0.2.7"


def test_host_from_the_url_leaves_user_info_out() -> None:
    record = one(request(url="http://jack:s3cret@h.example:81/x", headers=[]))
    assert record.headers == (("Host", "h.example:81"),)
    assert record.notes == ("imported without a Host header: Host taken from the URL",)


def test_body_encodings() -> None:
    b64 = request(postData={"mimeType": "application/octet-stream", "text": "AP8=", "_encoding": "base64"})
    assert one(b64).body == b"\x00\xff"  # mitmproxy's and HTTP Toolkit's spelling
    upper = request(postData={"text": "AP8=", "encoding": "BASE64"})
    assert one(upper).body == b"\x00\xff"
    other = request(postData={"text": "AP8=", "encoding": "gzip"}, bodySize=None)
    assert one(other).body == b"AP8=" and one(other).body_size == 4
    lone = request(postData={"text": "a\ud800b"})  # JSON allows a lone surrogate
    assert one(lone).body == b"a\xed\xa0\x80b"
    response_b64 = response(content={"text": "aGk=", "encoding": "base64"})
    assert one(response_b64).response.body == b"hi"  # type: ignore[union-attr]


def test_base64_is_strict() -> None:
    entry = request(postData={"text": "aG!k=", "encoding": "base64"})
    assert refusal(entry) == "HAR object: entry 0: request.postData.text is not valid base64"


def test_form_params_without_text_rebuild_the_body() -> None:
    entry = request(postData={"params": [{"name": "a b", "value": "x&y"}, {"name": "c"}]}, bodySize=None)
    record = one(entry)
    assert record.body == b"a+b=x%26y&c=" and record.body_size == 12
    assert record.notes == ("body rebuilt from postData.params",)
    empty = one(request(postData={"mimeType": "text/plain", "params": []}, bodySize=None))
    assert empty.body == b"" and empty.notes == ()


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (100, 100),  # the browser kept part of the body: the size it reports
        (5, 5),
        (1, 5),  # smaller than the body it holds: the body's length
        (0, 5),
        (-1, 5),
        ("5", 5),
        (None, 5),
    ],
)
def test_foreign_body_size_is_never_below_the_body(size: Any, expected: int) -> None:
    assert one(request(bodySize=size)).body_size == expected


@pytest.mark.parametrize(("size", "expected"), [(0, 0), (1, 1), (12, 12), (-1, 12), (None, 12)])
def test_our_body_size_is_taken_as_written(size: Any, expected: int) -> None:
    entry = ours()
    entry["request"]["bodySize"] = size
    assert one(entry).body_size == expected


# -- ids ----------------------------------------------------------------------------------


def test_ids_of_foreign_entries() -> None:
    entries = [
        foreign(_id=5),
        foreign(_id=1),
        foreign(_id="9"),  # a string: numbered
        foreign(_id=True),  # a bool is no id
        foreign(_id=0),  # not positive: numbered
        foreign(_id=-3),
        foreign(_id=MAX_INT + 1),  # beyond SQLite's INTEGER
        foreign(_id=2.0),
        foreign(_id=MAX_INT),
    ]
    records = import_har({"log": {"entries": entries}})
    # numbered after the largest id so far
    assert [r.id for r in records] == [5, 1, 7, 8, 9, 10, 11, 12, MAX_INT]


def test_our_ids_may_be_zero_or_negative() -> None:
    records = import_har({"log": {"entries": [ours(_id=0), ours(_id=-4), ours(_id=-MAX_INT - 1)]}})
    assert [r.id for r in records] == [0, -4, 3]  # numbered after the largest so far


def test_a_repeated_id_is_refused() -> None:
    message = refusal(foreign(_id=5), foreign(), foreign(_id=5))
    assert message == "HAR object: entry 2 repeats id 5"


# -- the response ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [(200, 200), (999, 999), (1, 1), (1000, None), (0, None), (-1, None), ("200", None), (None, None)],
)
def test_foreign_status(status: Any, expected: int | None) -> None:
    record = one(response(status=status))
    assert (None if record.response is None else record.response.status) == expected


@pytest.mark.parametrize(("status", "expected"), [(999, 999), (1000, 0), (0, 0), (True, 0)])
def test_our_status_out_of_range_is_zero(status: Any, expected: int) -> None:
    record = one(ours_response(status=status))
    assert record.response is not None and record.response.status == expected


def test_no_response_and_no_response_marker() -> None:
    assert one(foreign(response=None)).response is None
    assert one(response(_noResponse=True)).response is None
    assert one(ours_response(_noResponse=True)).response is None


@pytest.mark.parametrize(
    ("timings", "expected"),
    [
        ({"wait": 0.5}, 0.5),
        ({"wait": 0}, 0.0),
        ({"wait": -1}, 0.0),
        ({"wait": "7"}, 0.0),
        ({}, 0.0),
        (None, 0.0),
        ({"wait": MAX_INT}, float(MAX_INT)),
    ],
)
def test_foreign_duration_is_the_wait(timings: dict[str, Any] | None, expected: float) -> None:
    entry = foreign(timings=timings) if timings is not None else foreign()
    if timings is None:
        del entry["timings"]
    record = one(entry)
    assert record.response is not None and record.response.duration_ms == expected


@pytest.mark.parametrize(
    ("duration", "expected"),
    [(12.5, 12.5), (0, 0.0), (0.5, 0.5), (-2, 99.0), (None, 99.0), (MAX_INT, float(MAX_INT))],
)
def test_our_duration_wins_over_the_wait(duration: Any, expected: float) -> None:
    entry = ours_response(_durationMs=duration)
    entry["timings"]["wait"] = 99
    record = one(entry)
    assert record.response is not None and record.response.duration_ms == expected


@pytest.mark.parametrize(("sent", "expected"), [(None, 0), (0, 0), (77, 77), (-5, 0), (1.5, 1)])
def test_our_bytes_sent(sent: Any, expected: int) -> None:
    record = one(ours_response(_bytes=sent))
    assert record.response is not None and record.response.bytes == expected


def test_extension_fields_count_only_in_our_export() -> None:
    extensions = {"scheme": "https", "response": {"step": 2, "steps": 3, "fault": "reset"}}
    theirs = one(foreign(_extensions=extensions))
    assert theirs.scheme == "http" and theirs.response is not None
    assert (theirs.response.step, theirs.response.steps, theirs.response.fault) == (None, None, None)
    mine = one(ours(_extensions=extensions))
    assert mine.scheme == "https" and mine.response is not None
    assert (mine.response.step, mine.response.steps, mine.response.fault) == (2, 3, "reset")


# -- received time ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (0, 0.0),
        (0.25, 0.25),
        (253_402_300_799.0, 253_402_300_799.0),
        (253_402_300_800.0, 1_704_067_200.0),  # past year 9999: startedDateTime
        (-1, 1_704_067_200.0),
        ("1", 1_704_067_200.0),
    ],
)
def test_our_received_time_wins_over_started(received: Any, expected: float) -> None:
    entry = ours(_receivedAt=received, startedDateTime="2024-01-01T00:00:00Z")
    assert one(entry).received_at == expected


@pytest.mark.parametrize(
    ("started", "expected"),
    [
        ("1970-01-01T00:00:00Z", 0.0),
        ("1970-01-01T00:00:00.5Z", 0.5),
        ("9999-12-31T23:59:59Z", 253_402_300_799.0),
        ("2024-01-01T01:00:00+01:00", 1_704_067_200.0),
    ],
)
def test_started_date_time_bounds(started: str, expected: float) -> None:
    assert one(foreign(startedDateTime=started)).received_at == expected


# -- refusals: one line naming the file, the entry and the field --------------------------

LONG_DATE = "1969-12-31T23:59:59." + "0" * 120 + "Z"
NOT_A_DATE = "yesterday " * 20
BAD_B64 = {"text": "@@", "encoding": "base64"}

REFUSALS: list[tuple[Callable[[], Any], str]] = [
    (lambda: 5, "the entry is not an object"),
    (lambda: {"startedDateTime": "2024-01-01T00:00:00Z"}, 'no "request"'),
    (lambda: foreign(request=[1]), '"request" is not an object'),
    (lambda: request(headers="Host: h"), "request.headers is not a list"),
    (lambda: request(headers=[["Host", "h"]]), "an item of request.headers is not an object"),
    (lambda: request(postData="a=1"), "request.postData is not an object"),
    (lambda: request(postData=BAD_B64), "request.postData.text is not valid base64"),
    (lambda: request(postData={"params": "a=1"}), "request.postData.params is not a list"),
    (lambda: request(queryString="a=1"), "request.queryString is not a list"),
    (lambda: request(url="shop.example/x"), "request.url 'shop.example/x' is not a URL"),
    (lambda: foreign(response="OK"), '"response" is not an object'),
    (lambda: response(headers="x"), "response.headers is not a list"),
    (lambda: response(content="<p/>"), "response.content is not an object"),
    (
        lambda: response(content={"text": "@", "_encoding": "base64"}),
        "response.content.text is not valid base64",
    ),
    (lambda: foreign(timings=[2.5]), '"timings" is not an object'),
    (lambda: foreign(startedDateTime=None), 'no "startedDateTime"'),
    (lambda: foreign(startedDateTime=12), 'no "startedDateTime"'),
    (lambda: foreign(startedDateTime=NOT_A_DATE), f"startedDateTime {NOT_A_DATE[:100]!r} is not a date"),
    (lambda: foreign(startedDateTime=LONG_DATE), f"startedDateTime {LONG_DATE[:100]!r} is out of range"),
    (lambda: ours(_rawHeadB64="QU!JD"), "_rawHeadB64 is not valid base64"),
    (lambda: ours(_rawBodyB64="@@"), "_rawBodyB64 is not valid base64"),
    (lambda: ours(_trailers="X: 1"), "_trailers is not a list"),
    (lambda: ours(_extensions=[1]), '"_extensions" is not an object'),
    (lambda: ours(_extensions=[1], response=None), '"_extensions" is not an object'),
]


@pytest.mark.parametrize(("make", "reason"), REFUSALS)
def test_refusals_name_the_entry_and_the_field(make: Callable[[], Any], reason: str) -> None:
    assert refusal(foreign(), make()) == f"HAR object: entry 1: {reason}"


def test_unexpected_failures_are_one_short_line() -> None:
    entry = ours(_extensions={"scheme": ["not", "a", "string"]})
    assert refusal(entry) == "HAR object: entry 0 cannot be read: TypeError: expected str, got list"

    class Loud:
        def __str__(self) -> str:
            raise ValueError("first line\n\n" + "word   " * 100)

    message = refusal(ours(_notes=[Loud()]))
    expected = "first line " + " ".join(["word"] * 100)
    assert message == "HAR object: entry 0 cannot be read: ValueError: " + expected[:200]


def test_a_file_names_itself_and_counts_entries_from_zero(tmp_path: Path) -> None:
    path = tmp_path / "export.har"
    path.write_text(json.dumps({"log": {"entries": [foreign(), foreign(), request(headers="x")]}}))
    with pytest.raises(HarImportError) as info:
        import_har(path)
    assert str(info.value) == "export.har: entry 2: request.headers is not a list"


def test_an_object_without_a_log_or_its_entries_is_refused() -> None:
    with pytest.raises(HarImportError) as info:
        import_har({"entries": []})
    assert str(info.value) == 'HAR object is not a HAR file: no "log" object'
    for log in ({}, {"entries": {}}, {"entries": None}):
        with pytest.raises(HarImportError) as info:
            import_har({"log": log})
        assert str(info.value) == 'HAR object is not a HAR file: "log" has no "entries" list'


def test_a_later_log_starts_over(tmp_path: Path) -> None:
    """Like ``json.loads``, a second "log" replaces the first: ids and entry numbers restart."""
    first = json.dumps({"entries": [foreign(_id=4), foreign()]})
    second = json.dumps({"entries": [foreign(), foreign(), foreign(_id=3)]})
    path = tmp_path / "twice.har"
    path.write_text('{"log": ' + first + ', "log": ' + second + "}")
    assert [r.id for r in import_har(path)] == [1, 2, 3]
    path.write_text('{"log": ' + first + ', "log": {"entries": [' + json.dumps(foreign(request=5)) + "]}}")
    with pytest.raises(HarImportError) as info:
        import_har(path)
    assert str(info.value) == 'twice.har: entry 0: "request" is not an object'


# -- progress -----------------------------------------------------------------------------


def test_progress_of_a_parsed_object_counts_entries() -> None:
    chunk = har_import_module.CHUNK
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    entries = [foreign() for _ in range(2 * chunk + 1)]
    records = import_har({"log": {"entries": entries}}, progress=progress)
    assert len(records) == 2 * chunk + 1
    assert calls == [(chunk, 2 * chunk + 1), (2 * chunk, 2 * chunk + 1), (2 * chunk + 1, 2 * chunk + 1)]


def test_progress_of_a_file_counts_characters(tmp_path: Path) -> None:
    chunk = har_import_module.CHUNK
    path = tmp_path / "many.har"
    path.write_text(json.dumps({"log": {"entries": [foreign() for _ in range(chunk + 1)]}}))
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    import_har(path, progress=progress)
    size = len(path.read_text())
    assert len(calls) == 2 and [total for _, total in calls] == [size, size]
    assert 0 < calls[0][0] < size and calls[1][0] == size


def test_cancel_names_the_file(tmp_path: Path) -> None:
    chunk = har_import_module.CHUNK
    path = tmp_path / "stop.har"
    path.write_text(json.dumps({"log": {"entries": [foreign() for _ in range(chunk + 1)]}}))
    with pytest.raises(HarImportCancelled) as info:
        import_har(path, progress=lambda done, total: False)
    assert str(info.value) == "stop.har"
    small = tmp_path / "small.har"
    small.write_text(json.dumps({"log": {"entries": [foreign()]}}))
    with pytest.raises(HarImportCancelled) as info:
        import_har(small, progress=lambda done, total: False)  # the last call cancels too
    assert str(info.value) == "small.har"
    with pytest.raises(HarImportCancelled) as info:
        import_har({"log": {"entries": [foreign()]}}, progress=lambda done, total: False)
    assert str(info.value) == "HAR object"


def test_between_chunks_the_import_only_yields(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other threads get the GIL between chunks with ``sleep(0)``: no wait is added."""
    chunk = har_import_module.CHUNK
    sleeps: list[float] = []
    monkeypatch.setattr(har_import_module.time, "sleep", sleeps.append)
    import_har({"log": {"entries": [foreign() for _ in range(2 * chunk)]}})
    assert sleeps == [0, 0]
