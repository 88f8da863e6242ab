"""to_curl with bytes that are UTF-8 only once a line break or tab between them is taken out.

``b"\\xc3\\n\\xa9"`` is not UTF-8, but it was judged so after dropping the line break: the
body made to_curl raise (so "Copy as cURL (exact)" failed), and such a header value was
written with its lone surrogates inside single quotes, which the clipboard turns into
``\\udcc3`` text. Both now go as escapes, and the real curl sends the bytes received.
"""

from __future__ import annotations

from inspector.formats import to_curl
from tests.formats.curl_wire import capture_one, needs_curl, run_curl
from tests.records import make_record

SPLIT = (b"\xc3\n\xa9", b"\xc3\r\xa9", b"\xc3\t\xa9")


def test_split_character_body_is_piped_with_printf() -> None:
    for body in SPLIT:
        rec = make_record(method="POST", target="/", raw_body=None, headers=(("Host", "h"),), body=body)
        cmd = to_curl(rec)
        assert cmd.startswith(f"printf '\\303\\{body[1]:03o}\\251' | curl "), cmd
        assert cmd.endswith(" --data-binary @-")


def test_split_character_header_is_escaped() -> None:
    value = b"\xc3\t\xa9".decode("utf-8", "surrogateescape")
    rec = make_record(method="GET", target="/", body=b"", raw_body=None, headers=(("X-A", value),))
    assert to_curl(rec).endswith(" -H $'X-A: \\xc3\\x09\\xa9'")


@needs_curl
def test_split_characters_arrive_as_sent() -> None:
    value = b"\xc3\t\xa9".decode("utf-8", "surrogateescape")
    for body in SPLIT:
        rec = make_record(method="POST", target="/s", raw_body=None, body=body,
                          headers=(("Host", "h"), ("Content-Length", "3"), ("X-A", value)))
        raw = capture_one(lambda port, rec=rec: run_curl(to_curl(rec, base_url=f"http://127.0.0.1:{port}")))
        head, _, got = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"POST /s HTTP/1.1\r\n")
        assert head.endswith(b"\r\nX-A: \xc3\t\xa9")
        assert got == body
