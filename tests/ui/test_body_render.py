"""Body rendering by content type (Qt-free)."""

from __future__ import annotations

from inspector.ui.body_render import (
    DISPLAY_LIMIT,
    hex_dump,
    looks_binary,
    parse_content_type,
    render_body,
)

MULTIPART = (
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="title"\r\n'
    b"\r\n"
    b"holiday\r\n"
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="photo"; filename="a.png"\r\n'
    b"Content-Type: image/png\r\n"
    b"\r\n"
    b"\x89PNG\r\n\x1a\n\x00\x00\r\n"
    b"--XyZ--\r\n"
)


def test_empty() -> None:
    assert render_body(b"", "text/plain").kind == "empty"


def test_json_pretty() -> None:
    out = render_body(b'{"a":[1,{"b":null}],"s":"\\u202e"}', "application/json; charset=utf-8")
    assert out.kind == "json"
    assert out.text == '{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n  "s": "\\u202e"\n}'


def test_vendor_json_and_invalid_json() -> None:
    assert render_body(b"[1]", "application/vnd.api+json").kind == "json"
    bad = render_body(b'{"a": ', "application/json")
    assert bad.kind == "text" and bad.text == '{"a": '


def test_form_keeps_order_blanks_and_repeats() -> None:
    out = render_body(b"a=1&b=&a=2&c=%E2%9C%93+x", "application/x-www-form-urlencoded")
    assert out.kind == "form"
    assert out.rows == (("a", "1"), ("b", ""), ("a", "2"), ("c", "✓ x"))


def test_multipart_parts_with_headers() -> None:
    out = render_body(MULTIPART, 'multipart/form-data; boundary="XyZ"')
    assert out.kind == "multipart"
    assert "part 1 of 2" in out.text and "part 2 of 2" in out.text
    assert 'Content-Disposition: form-data; name="title"' in out.text
    assert "\nholiday\n" in out.text
    assert "Content-Type: image/png" in out.text
    assert "89 50 4e 47" in out.text  # the PNG part as hex
    assert "no closing boundary" not in out.text


def test_multipart_without_close_delimiter() -> None:
    out = render_body(MULTIPART[:-9], "multipart/form-data; boundary=XyZ")
    assert "no closing boundary" in out.text


def test_text_with_charset_and_bad_bytes() -> None:
    assert render_body("café".encode("latin-1"), "text/plain; charset=ISO-8859-1").text == "café"
    out = render_body(b"line1\r\nline2 \xff\n", "text/plain")
    assert out.kind == "text" and out.text == "line1\\r\nline2 \\xff\n"


def test_binary_is_hex() -> None:
    out = render_body(bytes(range(256)), "application/octet-stream")
    assert out.kind == "hex"
    assert out.text.splitlines()[0] == (
        "00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f   |................|"
    )
    assert len(out.text.splitlines()) == 16


def test_large_body_is_capped() -> None:
    body = b"x" * (DISPLAY_LIMIT * 3)
    out = render_body(body, "text/plain")
    assert out.truncated and out.shown == DISPLAY_LIMIT and len(out.text) == DISPLAY_LIMIT
    assert out.note == "showing the first 256.0 KiB of 768.0 KiB"
    full = render_body(body, "text/plain", limit=None)
    assert not full.truncated and len(full.text) == len(body)


def test_helpers() -> None:
    assert parse_content_type('Multipart/Form-Data; Boundary="a b"') == (
        "multipart/form-data",
        {"boundary": "a b"},
    )
    assert parse_content_type(None) == ("", {})
    assert looks_binary(b"\x00abc") and not looks_binary("ünï".encode())
    assert not looks_binary("✓".encode() * 3000)  # a character cut at the sniff limit is fine
    assert hex_dump(b"AB") == "00000000  41 42" + " " * 44 + "  |AB|"
