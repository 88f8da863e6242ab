"""HAR 1.2 / JSONL export and HAR import."""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from inspector.formats import HarImportError, export_file, import_har, jsonl_lines, to_har
from inspector.http.record import CaptureRecord
from tests.records import DATA, make_record, record_variants

SCHEMA = json.loads((DATA / "har-1.2.schema.json").read_text())


def validate(har: object) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(har)


def test_har_validates_against_schema() -> None:
    har = json.loads(json.dumps(to_har(record_variants())))
    validate(har)
    assert har["log"]["creator"]["name"] == "Request Inspector"


def test_schema_rejects_unknown_fields() -> None:
    har = to_har([make_record()])
    har["log"]["entries"][0]["request"]["queryStrings"] = []
    with pytest.raises(jsonschema.ValidationError):
        validate(har)


def test_har_request_fields() -> None:
    rec = make_record()
    entry = to_har([rec])["log"]["entries"][0]
    req = entry["request"]
    assert req["method"] == "POST"
    assert req["url"] == "http://localhost:8090" + rec.target
    assert req["httpVersion"] == "HTTP/1.1"
    assert [(h["name"], h["value"]) for h in req["headers"]] == list(rec.headers)
    assert [(q["name"], q["value"]) for q in req["queryString"]] == list(rec.query)
    assert req["postData"]["encoding"] == "base64"
    assert base64.b64decode(req["postData"]["text"]) == rec.body
    assert req["postData"]["mimeType"] == "application/octet-stream"
    assert entry["timings"] == {"blocked": -1, "dns": -1, "connect": -1, "send": 0,
                                "wait": rec.response.duration_ms if rec.response else 0,
                                "receive": 0}
    assert entry["startedDateTime"] == rec.received_at_iso
    assert entry["_id"] == rec.id and entry["_client"] == rec.client
    resp = entry["response"]
    assert resp["status"] == 201 and resp["statusText"] == "Created"
    assert resp["content"] == {"size": 11, "mimeType": "text/plain; charset=utf-8",
                               "text": "hello world"}


def test_har_text_body_and_binary_response() -> None:
    rec = record_variants()[3]
    entry = to_har([rec])["log"]["entries"][0]
    assert entry["request"]["postData"] == {"mimeType": "application/json",
                                            "text": '{"ok": "é"}'}
    content = entry["response"]["content"]
    assert content["encoding"] == "base64"
    assert base64.b64decode(content["text"]) == b"\x89PNG\r\n\x1a\n\x00"


def test_har_url_uses_server_without_host() -> None:
    rec = make_record(headers=(), target="/x", server="[::1]:8090")
    entry = to_har([rec])["log"]["entries"][0]
    assert entry["request"]["url"] == "http://[::1]:8090/x"
    assert entry["serverIPAddress"] == "::1"


def test_har_round_trip_is_lossless(tmp_path: Path) -> None:
    records = record_variants()
    assert import_har(to_har(records)) == records
    path = tmp_path / "out.har"
    assert export_file(path, records) == len(records)
    validate(json.loads(path.read_text()))
    back = import_har(path)
    for before, after in zip(records, back, strict=True):
        for f in dataclasses.fields(CaptureRecord):
            assert getattr(after, f.name) == getattr(before, f.name), (before.id, f.name)
    assert back == records


def test_jsonl_export(tmp_path: Path) -> None:
    records = record_variants()
    lines = list(jsonl_lines(records))
    assert all(b"\n" not in line for line in lines)
    assert [json.loads(line) for line in lines] == [
        json.loads(json.dumps(r.to_json())) for r in records]
    path = tmp_path / "out.jsonl"
    assert export_file(path, records) == len(records)
    read = [CaptureRecord.from_json(json.loads(line)) for line in path.read_text().splitlines()]
    assert [r.id for r in read] == [r.id for r in records]
    assert [r.body for r in read] == [r.body for r in records]
    assert [r.headers for r in read] == [r.headers for r in records]


def test_export_file_rejects_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.har or \.jsonl"):
        export_file(tmp_path / "out.txt", [])
    assert list(tmp_path.iterdir()) == []


def test_import_chrome() -> None:
    first, failed = import_har(DATA / "har" / "chrome.har")
    assert first.method == "GET"
    assert first.target == "/index.html?name=jack&age=18&age="
    assert first.path == "/index.html"
    assert first.http_version == "2"
    assert all(not name.startswith(":") for name, _ in first.headers)
    # HTTP/2 has no Host: it is made from :authority, first, as a gateway would
    assert first.headers[:2] == (("Host", "example.com"), ("accept", "text/html"))
    assert "imported from HTTP/2: Host taken from :authority" in first.notes
    assert first.url == "https://example.com/index.html?name=jack&age=18&age="
    assert first.query == (("name", "jack"), ("age", "18"), ("age", ""))
    assert first.response is not None and first.response.body == b"\x89PNG"
    assert first.response.duration_ms == 40.0
    assert first.server == "93.184.216.34:443"
    assert first.id == 1 and failed.id == 2
    assert failed.body == '{"a": "café"}'.encode()
    assert failed.body_size == 14
    assert failed.response is None  # status 0: the browser got nothing back
    assert failed.error == "net::ERR_CONNECTION_REFUSED"


def test_import_firefox_params_without_text() -> None:
    (rec,) = import_har(DATA / "har" / "firefox.har")
    assert rec.body == b"user=jack+doe&pass=a%26b%3Dc"
    assert "body rebuilt from postData.params" in rec.notes
    assert rec.received_at == pytest.approx(1714557600.25)
    assert rec.response is not None and rec.response.status == 302


def test_import_mitmproxy_base64_body() -> None:
    (rec,) = import_har(DATA / "har" / "mitmproxy.har")
    assert rec.body == b"\x00\xff\x80\x01"
    assert rec.headers[1:3] == (("X-Dup", "1"), ("X-Dup", "2"))
    assert rec.target == "/upload?k=v"
    assert rec.server == "[::1]:8090"
    assert rec.response is not None and rec.response.status == 204


def test_import_httptoolkit_negative_id_and_nulls() -> None:
    (rec,) = import_har(DATA / "har" / "httptoolkit.har")
    assert rec.id == 1
    assert rec.target == "/a/../b?x=%E2%82%AC"
    assert rec.query == (("x", "€"),)
    assert rec.body == b"" and rec.body_size == 0
    assert rec.response is not None and rec.response.body == b"hello world"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"not json", "invalid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "top level is not an object"),
        (b'{"foo": 1}', 'no "log"'),
        (b'{"log": {"version": "1.2"}}', 'no "entries"'),
        (b'{"log": {"entries": [{"startedDateTime": "x"}]}}', 'entry 0: no "request"'),
        (b'{"log": {"entries": [{"request": {"url": "http://a/"}, "startedDateTime": "yesterday"}]}}',
         "not a date"),
        (b'{"log": {"entries": [{"request": {"headers": 5}, "startedDateTime": "2024-01-01T00:00:00Z"}]}}',
         "not a list"),
    ],
)
def test_import_rejects_non_har(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "in.har"
    path.write_bytes(content)
    with pytest.raises(HarImportError) as info:
        import_har(path)
    message = str(info.value)
    assert fragment in message and "\n" not in message
    assert "in.har" in message
