"""Bodies compared in the form that fits them."""

from __future__ import annotations

import json

import pytest

from inspector.diff import body as body_module
from inspector.diff.body import classify, diff_body, media_type
from inspector.diff.model import Change

JSON = "application/json"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", "")),
        ("", ("", "")),
        ("Application/JSON; charset=UTF-8", ("application/json", "UTF-8")),
        ('text/plain;charset="latin-1"', ("text/plain", "latin-1")),
        ("text/plain; format=flowed", ("text/plain", "")),
    ],
)
def test_media_type(value: str | None, expected: tuple[str, str]) -> None:
    assert media_type(value) == expected


@pytest.mark.parametrize(
    ("data", "content_type", "kind"),
    [
        (b"", JSON, "empty"),
        (b'{"a": 1}', JSON, "json"),
        (b'{"a": 1}', None, "json"),  # sniffed
        (b"[1, 2]", "text/plain", "json"),
        (b"42", JSON, "json"),
        (b"42", None, "text"),
        (b"{not json", JSON, "text"),
        (b"a=1&b=2", "application/x-www-form-urlencoded", "form"),
        (b"a=1&b=2", None, "text"),
        (b"caf\xc3\xa9", "text/plain", "text"),
        (b"caf\xe9", "text/plain", "binary"),  # not UTF-8: shown as bytes
        (b"caf\xe9", "text/plain; charset=latin-1", "text"),
        (b"a\x00b", "text/plain", "binary"),
        (b"\x89PNG\r\n", "image/png", "binary"),
        (b"text", "text/plain; charset=no-such-codec", "text"),
        (b"[" * 5000 + b"]" * 5000, JSON, "text"),  # too deep for json.loads
    ],
)
def test_classify(data: bytes, content_type: str | None, kind: str) -> None:
    assert classify(data, content_type).kind == kind


def test_classify_keeps_a_character_cut_at_the_limit_as_text() -> None:
    assert classify("é".encode()[:1], "text/plain").kind == "binary"
    assert classify(b"ab" + "é".encode()[:1], "text/plain", cut=True) == ("text", None, "ab")


def test_equal_bodies() -> None:
    diff, phrase, notes = diff_body(b'{"a": 1}', JSON, b'{"a": 1}', JSON)
    assert (diff.kind, phrase, notes, diff.json) == ("json", "", (), ())


def test_equal_bytes_declared_differently_are_the_same_both_ways() -> None:
    form = "application/x-www-form-urlencoded"
    for left_type, right_type in ((form, "text/plain"), ("text/plain", form)):
        diff, phrase, _ = diff_body(b"a=1", left_type, b"a=1", right_type)
        assert (diff.kind, phrase) == ("text", "")
    diff, _, _ = diff_body(b"\xff", "text/plain", b"\xff", "image/png")
    assert (diff.kind, diff.left_kind, diff.right_kind) == ("hex", "binary", "binary")


def test_json_by_meaning() -> None:
    left = json.dumps({"items": [{"qty": 1, "sku": "a"}]}).encode()
    right = json.dumps({"items": [{"sku": "a", "qty": 2}]}, indent=2).encode()
    diff, phrase, _ = diff_body(left, JSON, right, JSON)
    assert phrase == "1 JSON value differs at $.items[0].qty"
    assert [(c.change, c.path, c.left, c.right) for c in diff.json] == [
        (Change.CHANGED, "$.items[0].qty", 1, 2)
    ]


def test_json_key_order_and_spacing_alone_are_no_difference() -> None:
    diff, phrase, notes = diff_body(b'{"a":1,"b":[1,2]}', JSON, b'{ "b": [1, 2], "a": 1 }', JSON)
    assert phrase == ""
    assert notes == ("the JSON is the same; only its bytes differ (key order or spacing)",)
    assert diff.kind == "json"


def test_several_json_values() -> None:
    _, phrase, _ = diff_body(b'{"a": 1, "b": [1]}', JSON, b'{"a": 2, "b": [1, 2], "c": 0}', JSON)
    assert phrase == "3 JSON values differ, first at $.a"


def test_form_fields_pair_like_query() -> None:
    form = "application/x-www-form-urlencoded"
    diff, phrase, _ = diff_body(b"a=1&b=2&b=3", form, b"b=2&a=1&c=", form)
    assert diff.kind == "form"
    assert phrase == "4 form fields differ"  # a and b swapped places: both are marked
    assert [(r.change.value, r.name, r.moved) for r in diff.pairs if r.differs] == [
        ("same", "a", True),
        ("same", "b", True),
        ("removed", "b", False),
        ("added", "c", False),
    ]


def test_form_encoding_alone_is_no_difference() -> None:
    form = "application/x-www-form-urlencoded"
    diff, phrase, notes = diff_body(b"q=a+b", form, b"q=a%20b", form)
    assert phrase == ""
    assert notes == ("the form fields are the same; only their encoding differs",)
    assert diff.kind == "form"


def test_text_as_a_line_diff() -> None:
    diff, phrase, _ = diff_body(b"one\ntwo\nthree\n", "text/plain", b"one\n2\nthree\n", "text/plain")
    assert diff.kind == "text"
    assert phrase == "1 line removed, 1 added"
    assert diff.text is not None
    assert [(line.tag, line.text) for line in diff.text.hunks[0].lines] == [
        (" ", "one\n"),
        ("-", "two\n"),
        ("+", "2\n"),
        (" ", "three\n"),
    ]


def test_binary_as_a_hex_diff() -> None:
    diff, phrase, _ = diff_body(b"\x89PNG\x00\x01", "image/png", b"\x89PNG\x00\x02", "image/png")
    assert diff.kind == "hex"
    assert phrase == "bytes differ from offset 0x5"
    assert diff.hex is not None
    assert diff.hex.first_offset == 5


def test_kinds_that_differ_are_named() -> None:
    diff, phrase, _ = diff_body(b'{"a": 1}', JSON, b"\x00\x01", "application/octet-stream")
    assert (diff.kind, diff.left_kind, diff.right_kind, phrase) == ("hex", "json", "binary", "json vs binary")
    diff, phrase, _ = diff_body(b'{"a": 1}', JSON, b"a=1", "application/x-www-form-urlencoded")
    assert (diff.kind, phrase) == ("text", "json vs form")


def test_one_side_without_a_body() -> None:
    diff, phrase, _ = diff_body(b"", None, b"hello\n", "text/plain")
    assert (diff.kind, phrase) == ("text", "only the right request has one (6 B)")
    assert diff.text is not None
    assert diff.text.added == 1
    _, phrase, _ = diff_body(b"\x00", None, b"", None)
    assert phrase == "only the left request has one (1 B)"


def test_large_bodies_are_compared_in_part_but_judged_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(body_module, "MAX_BODY", 8)
    diff, phrase, notes = diff_body(b"line 1\nline 2\nX", "text/plain", b"line 1\nline 2\nY", "text/plain")
    assert notes == ("compared the first 8 B of 15 B in detail",)
    assert phrase == "bytes differ from offset 0xe, past the part compared"
    assert diff.kind == "text"
    _, phrase, _ = diff_body(b"line 1\nline 2\n", "text/plain", b"line 9\nline 2\n", "text/plain")
    assert phrase == "1 line removed, 1 added"


def test_cut_json_is_not_judged_by_meaning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(body_module, "MAX_BODY", 4)
    diff, phrase, _ = diff_body(b"12345", JSON, b"12346", JSON)
    assert (diff.kind, phrase) == ("text", "bytes differ from offset 0x4, past the part compared")
