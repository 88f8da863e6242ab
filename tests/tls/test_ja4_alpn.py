"""JA4's ALPN characters skip GREASE values (RFC 8701 reserves two-byte ALPN ids like 0x2A2A)."""

from __future__ import annotations

import pytest
from hellobuild import alpn_ext, client_hello, versions_ext

from inspector.tls.hello import ClientHello, read_client_hello
from inspector.tls.ja4 import ja4, ja4_r


def hello_with_alpn(*names: bytes) -> ClientHello:
    hello = read_client_hello(client_hello([0x1301], [versions_ext(0x0304), alpn_ext(*names)]))
    assert hello is not None
    return hello


@pytest.mark.parametrize(
    ("names", "chars"),
    [
        ((b"\x2a\x2a", b"h2"), "h2"),  # a GREASE value first: the next one counts
        ((b"\xfa\xfa",), "00"),  # only GREASE: as if no ALPN
        ((b"\x2a\x2a\x2a", b"h2"), "2a"),  # three bytes are no GREASE value: its hex digits
        ((b"\x2a\x2b", b"h2"), "2b"),  # nor is 0x2A2B
        ((b"h3", b"h2"), "h3"),
    ],
)
def test_grease_alpn_values_are_skipped(names: tuple[bytes, ...], chars: str) -> None:
    hello = hello_with_alpn(*names)
    assert hello.alpn == names  # the record keeps what the client sent
    a = ja4(hello).split("_")[0]
    assert a == f"t13i0102{chars}"
    assert ja4_r(hello).split("_")[0] == a
