"""The ``tls`` field and ``scheme`` "https" survive JSONL, the store, HAR and cURL export."""

from __future__ import annotations

import json
from pathlib import Path

from inspector.formats.extensions import record_extensions, record_fields
from inspector.formats.har import har_entry, to_har
from inspector.formats.jsonl import jsonl_line
from inspector.http.record import CaptureRecord, ClientCert, TLSFacts
from inspector.store import CaptureStore

FACTS = TLSFacts(
    version="TLSv1.3",
    cipher="TLS_AES_128_GCM_SHA256",
    sni="api.example",
    alpn_offered=("h2", "http/1.1"),
    alpn="http/1.1",
    ja4="t13d1516h2_8daaf6152771_02713d6af862",
    client_cert=ClientCert(subject="CN=client", sha256="ab" * 32),
)
RECORD = CaptureRecord(
    id=7,
    received_at=1_700_000_000.25,
    client="127.0.0.1:5000",
    server="127.0.0.1:8090",
    scheme="https",
    method="GET",
    target="/x?a=1",
    path="/x",
    query=(("a", "1"),),
    http_version="1.1",
    headers=(("Host", "api.example:8090"),),
    raw_head=b"GET /x?a=1 HTTP/1.1\r\nHost: api.example:8090\r\n\r\n",
    tls=FACTS,
)
FAILED = CaptureRecord(
    id=8,
    received_at=1_700_000_001.5,
    client="127.0.0.1:5001",
    server="127.0.0.1:8090",
    scheme="https",
    error="TLS handshake failed: no cipher suite in common with the client (it offered 2)",
    raw_head=b"\x16\x03\x01\x00\x10" + bytes(16),
    tls=TLSFacts(sni="api.example", ja4="t13d0200_abc_def"),
)


def test_jsonl_round_trip() -> None:
    for record in (RECORD, FAILED):
        line = json.loads(jsonl_line(record))
        assert line["scheme"] == "https"
        assert record.tls is not None and line["tls"] == record.tls.to_json()
        assert CaptureRecord.from_json(line) == record
    assert json.loads(jsonl_line(RECORD))["tls"]["client_cert"] == {
        "subject": "CN=client",
        "sha256": "ab" * 32,
    }


def test_extension_fields_carry_tls_and_plain_records_none() -> None:
    extensions = record_extensions(RECORD)
    assert extensions is not None and extensions["tls"]["sni"] == "api.example"
    assert record_fields(json.loads(json.dumps(extensions))) == {"scheme": "https", "tls": FACTS}
    plain = CaptureRecord(id=1, received_at=0.0, client="c", server="s")
    assert record_extensions(plain) is None


def test_the_store_keeps_tls(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "history.db")
    try:
        store.add_many([RECORD, FAILED])
        assert store.flush(10)
        stored = list(store.iter_records())
    finally:
        store.close()
    assert [(r.tls, r.scheme, r.error, r.raw) for r in stored] == [
        (r.tls, r.scheme, r.error, r.raw) for r in (RECORD, FAILED)
    ]


def test_har_has_https_urls_and_the_tls_facts() -> None:
    entry = har_entry(RECORD)
    assert entry["request"]["url"] == "https://api.example:8090/x?a=1"
    assert entry["_extensions"]["tls"]["version"] == "TLSv1.3"
    assert to_har([RECORD])["log"]["entries"][0]["request"]["url"].startswith("https://")
