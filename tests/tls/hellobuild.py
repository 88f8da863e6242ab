"""Building ClientHello bytes for tests, field by field (RFC 8446 §4.1.2)."""

from __future__ import annotations

import os

GREASE = 0x3A3A


def u16(n: int) -> bytes:
    return n.to_bytes(2, "big")


def vec(length_bytes: int, body: bytes) -> bytes:
    return len(body).to_bytes(length_bytes, "big") + body


def sni_ext(name: bytes) -> tuple[int, bytes]:
    return 0x0000, vec(2, b"\x00" + vec(2, name))


def alpn_ext(*names: bytes) -> tuple[int, bytes]:
    return 0x0010, vec(2, b"".join(vec(1, n) for n in names))


def versions_ext(*versions: int) -> tuple[int, bytes]:
    return 0x002B, vec(1, b"".join(u16(v) for v in versions))


def sigalgs_ext(*algs: int) -> tuple[int, bytes]:
    return 0x000D, vec(2, b"".join(u16(a) for a in algs))


def hello_body(
    ciphers: list[int],
    extensions: list[tuple[int, bytes]] | None,
    *,
    legacy_version: int = 0x0303,
    session_id: bytes = b"",
    compression: bytes = b"\x00",
) -> bytes:
    body = u16(legacy_version) + os.urandom(32) + vec(1, session_id)
    body += vec(2, b"".join(u16(c) for c in ciphers)) + vec(1, compression)
    if extensions is not None:
        body += vec(2, b"".join(u16(kind) + vec(2, data) for kind, data in extensions))
    return body


def handshake(body: bytes, msg_type: int = 1) -> bytes:
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


def records(message: bytes, sizes: list[int] | None = None, *, version: int = 0x0301) -> bytes:
    """``message`` in handshake records: one, or one per entry of ``sizes`` (the rest in the last)."""
    out = b""
    pos = 0
    for size in [*(sizes or []), len(message)]:
        piece = message[pos : pos + size]
        if not piece:
            break
        out += b"\x16" + u16(version) + vec(2, piece)
        pos += len(piece)
    return out


def client_hello(
    ciphers: list[int],
    extensions: list[tuple[int, bytes]] | None,
    **kw: int | bytes,
) -> bytes:
    """A whole ClientHello in one record."""
    return records(handshake(hello_body(ciphers, extensions, **kw)))  # type: ignore[arg-type]


#: The specification's example: its JA4_ro lists, in the client's order, with
#: GREASE values added where Chrome puts them (they must not change anything).
SPEC_CIPHERS = [
    GREASE,
    0x1301,
    0x1302,
    0x1303,
    0xC02B,
    0xC02F,
    0xC02C,
    0xC030,
    0xCCA9,
    0xCCA8,
    0xC013,
    0xC014,
    0x009C,
    0x009D,
    0x002F,
    0x0035,
]
SPEC_SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]


def spec_extensions(with_sigalgs: bool = True) -> list[tuple[int, bytes]]:
    exts: list[tuple[int, bytes]] = [
        (GREASE, b""),
        (0x001B, b"\x02\x00\x02"),
        sni_ext(b"example.com"),
        (0x0033, b"\x00\x00"),
        alpn_ext(b"h2", b"http/1.1"),
        (0x4469, b"\x00\x03\x02h2"),
        (0x0017, b""),
        (0x002D, b"\x01\x01"),
        sigalgs_ext(*SPEC_SIGALGS) if with_sigalgs else (0x000D, b"\x00\x00"),
        (0x0005, b"\x01\x00\x00\x00\x00"),
        (0x0023, b""),
        (0x0012, b""),
        versions_ext(0x1A1A, 0x0304, 0x0303),
        (0xFF01, b"\x00"),
        (0x000B, b"\x01\x00"),
        (0x000A, b"\x00\x02\x00\x1d"),
        (0x0015, b"\x00\x00"),
        (0xBABA, b"\x00"),
    ]
    return exts
