"""Reading the TLS ClientHello ourselves, before any byte reaches ``ssl`` (RFC 8446 §4.1.2, §5.1).

Strategy. A connection whose first byte is 0x16 starts with handshake records
(RFC 8446 §5.1: type, legacy version, 16-bit length, fragment). The ClientHello
is one handshake message (type 1, 24-bit length) that may be split over several
records. :class:`ClientHelloReader` takes the connection's bytes as they arrive,
in any pieces, and answers ``None`` (need more), a :class:`ClientHello`, or
raises :class:`ClientHelloError`, the only exception it raises, whose ``reason``
is one human line.

Each byte is looked at a bounded number of times: records are cut as they
complete, their fragments appended to one buffer, and the message is parsed
once, when whole. So the work is linear in the input however it is split.

What we keep is what the record shows and JA4 needs (docs/ARCHITECTURE.md,
"The capture record"): versions, cipher suites and extension types in the
client's order with GREASE values (RFC 8701) still in, SNI, the ALPN list and
the signature algorithms. The handshake itself is left to ``ssl``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The ClientHello message, its 4-byte header included, may be at most 16 KiB:
#: real ones are 0.2-2 KiB (Chrome's with a post-quantum key share ~1.8 KiB), and
#: 16 KiB is the largest plaintext record (RFC 8446 §5.1), so any sane client
#: fits it in one record. A longer one is refused with a reason; the server then
#: records a failed handshake instead of buffering more.
MAX_CLIENT_HELLO = 16 * 1024
#: At most this many records may carry the ClientHello (one is usual), so the
#: bytes looked at stay under MAX_CLIENT_HELLO + 5 * MAX_HELLO_RECORDS.
MAX_HELLO_RECORDS = 16
#: The largest record fragment TLS allows (RFC 8446 §5.1).
MAX_FRAGMENT = 1 << 14

CONTENT_HANDSHAKE = 0x16
HANDSHAKE_CLIENT_HELLO = 1

EXT_SERVER_NAME = 0x0000
EXT_SIGNATURE_ALGORITHMS = 0x000D
EXT_ALPN = 0x0010
EXT_SUPPORTED_VERSIONS = 0x002B


def is_grease(value: int) -> bool:
    """Whether a 16-bit value is one of RFC 8701's GREASE values (0x0A0A, 0x1A1A, ... 0xFAFA)."""
    return value & 0x0F0F == 0x0A0A and value >> 8 == value & 0xFF


class ClientHelloError(ValueError):
    """The bytes are not a ClientHello we can read; ``reason`` says why in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientHello:
    """What a ClientHello said, in the client's order, GREASE values included."""

    record_version: int
    legacy_version: int
    cipher_suites: tuple[int, ...]
    extensions: tuple[int, ...]
    supported_versions: tuple[int, ...]
    #: The first host_name of the server_name extension, as sent (RFC 6066 §3 asks for ASCII).
    server_name: bytes | None
    alpn: tuple[bytes, ...]
    signature_algorithms: tuple[int, ...]
    #: Bytes of the connection the reader used: the records that carried the hello.
    wire_length: int

    @property
    def version(self) -> int:
        """The highest version offered: from supported_versions when sent, else legacy_version."""
        offered = [v for v in self.supported_versions if not is_grease(v)]
        return max(offered) if offered else self.legacy_version

    @property
    def sni(self) -> str | None:
        """The server name as text (bytes that are not UTF-8 shown as ``\\xNN``)."""
        return None if self.server_name is None else self.server_name.decode("utf-8", "backslashreplace")

    @property
    def alpn_offered(self) -> tuple[str, ...]:
        """The ALPN protocol names as text (bytes that are not UTF-8 shown as ``\\xNN``)."""
        return tuple(name.decode("utf-8", "backslashreplace") for name in self.alpn)


class _Cursor:
    """Reads big-endian fields from one buffer; running short raises ClientHelloError."""

    __slots__ = ("data", "end", "pos")

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def take(self, n: int, what: str) -> bytes:
        if self.end - self.pos < n:
            raise ClientHelloError(f"ClientHello ends inside its {what}")
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def number(self, n: int, what: str) -> int:
        return int.from_bytes(self.take(n, what), "big")

    def sub(self, length_bytes: int, what: str) -> _Cursor:
        """A cursor over the next length-prefixed vector, which this one skips."""
        length = self.number(length_bytes, f"{what} length")
        start = self.pos
        self.take(length, what)
        return _Cursor(self.data, start, start + length)

    def take_all(self) -> bytes:
        return self.take(self.left(), "")

    def left(self) -> int:
        return self.end - self.pos

    def uint16s(self, what: str) -> tuple[int, ...]:
        if self.left() % 2:
            raise ClientHelloError(f"ClientHello {what} have an odd length")
        raw = self.take(self.left(), what)
        return tuple(int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2))


class ClientHelloReader:
    """Collects the records that carry a ClientHello, then parses it once.

    Feed it the connection's first bytes in any pieces; each call answers
    ``None`` while more is needed and the :class:`ClientHello` once it is whole
    (and on every later call). After an error every call raises the same error.
    """

    def __init__(self) -> None:
        self._wire = bytearray()  # bytes of records not yet cut
        self._used = 0  # bytes of the connection cut into records so far
        self._message = bytearray()
        self._records = 0
        self._hello: ClientHello | None = None
        self._error: ClientHelloError | None = None
        self._record_version = 0

    def feed(self, data: bytes) -> ClientHello | None:
        """Take more of the connection's bytes.

        Returns:
            The ClientHello once all its records have arrived, else ``None``.
        Raises:
            ClientHelloError: the bytes are not a ClientHello within our limits.
        """
        if self._error is not None:
            raise self._error
        if self._hello is not None:
            return self._hello
        self._wire += data
        try:
            self._hello = self._cut_records()
        except ClientHelloError as exc:
            self._error = exc
            raise
        if self._hello is not None:
            self._wire.clear()
        return self._hello

    def _cut_records(self) -> ClientHello | None:
        while True:
            length = self._check_record_header()
            if length is None:
                return None
            if len(self._wire) < 5 + length:
                # Check the message header as soon as it is here, not when the record ends.
                if len(self._message) < 4:
                    self._check_header(bytes(self._message) + bytes(self._wire[5 : 9 - len(self._message)]))
                return None
            if self._records == 0:
                self._record_version = int.from_bytes(self._wire[1:3], "big")
            self._records += 1
            self._message += self._wire[5 : 5 + length]
            del self._wire[: 5 + length]
            self._used += 5 + length
            total = self._check_header(bytes(self._message[:4]))
            if total is not None and len(self._message) >= total:
                return _parse_body(
                    bytes(self._message[4:total]),
                    record_version=self._record_version,
                    wire_length=self._used,
                )

    def _check_record_header(self) -> int | None:
        """The next record's fragment length once its 5-byte header is here; checks what is."""
        head = self._wire[:5]
        if head and head[0] != CONTENT_HANDSHAKE:
            raise ClientHelloError(f"a record of type {head[0]} came before the ClientHello was complete")
        if len(head) >= 2 and head[1] != 3:
            raise ClientHelloError(
                f"not TLS: the byte after 0x16 is 0x{head[1]:02x}, not a TLS record version (0x03)"
            )
        if len(head) < 5:
            return None
        length = int.from_bytes(head[3:5], "big")
        if length == 0:
            raise ClientHelloError("an empty handshake record (not allowed in TLS)")
        if length > MAX_FRAGMENT:
            raise ClientHelloError(f"a record of {length} bytes, more than TLS allows ({MAX_FRAGMENT})")
        if self._records == MAX_HELLO_RECORDS:
            raise ClientHelloError(f"the ClientHello is split over more than {MAX_HELLO_RECORDS} records")
        return length

    @staticmethod
    def _check_header(head: bytes) -> int | None:
        """The message's full length once its 4-byte header is known, checked against our limits."""
        if head and head[0] != HANDSHAKE_CLIENT_HELLO:
            raise ClientHelloError(f"the first handshake message is of type {head[0]}, not a ClientHello")
        if len(head) < 4:
            return None
        total = 4 + int.from_bytes(head[1:4], "big")
        if total > MAX_CLIENT_HELLO:
            raise ClientHelloError(
                f"a ClientHello of {total} bytes, more than the {MAX_CLIENT_HELLO} this server reads"
            )
        return total


def read_client_hello(data: bytes) -> ClientHello | None:
    """The ClientHello at the start of ``data``, or ``None`` if more bytes are needed.

    Raises:
        ClientHelloError: the bytes are not a ClientHello within our limits.
    """
    return ClientHelloReader().feed(data)


def _parse_body(body: bytes, *, record_version: int, wire_length: int) -> ClientHello:
    cur = _Cursor(body)
    legacy_version = cur.number(2, "version")
    cur.take(32, "random")
    session_id = cur.sub(1, "session id")
    if session_id.left() > 32:
        raise ClientHelloError("ClientHello session id is longer than 32 bytes")
    suites = cur.sub(2, "cipher suites")
    if suites.left() == 0:
        raise ClientHelloError("ClientHello offers no cipher suites")
    cipher_suites = suites.uint16s("cipher suites")
    if cur.sub(1, "compression methods").left() == 0:
        raise ClientHelloError("ClientHello offers no compression method")
    extensions: list[int] = []
    server_name: bytes | None = None
    alpn: tuple[bytes, ...] = ()
    versions: tuple[int, ...] = ()
    sigalgs: tuple[int, ...] = ()
    if cur.left():  # SSL 3.0 and TLS 1.0-1.2 hellos may end here (RFC 5246 §7.4.1.2)
        block = cur.sub(2, "extensions")
        if cur.left():
            raise ClientHelloError("ClientHello has bytes after its extensions")
        seen: set[int] = set()
        while block.left():
            kind = block.number(2, "extension type")
            ext = block.sub(2, f"extension 0x{kind:04x}")
            if kind in seen:
                raise ClientHelloError(f"ClientHello repeats extension 0x{kind:04x}")
            seen.add(kind)
            extensions.append(kind)
            if kind == EXT_SERVER_NAME:
                server_name = _server_name(ext)
            elif kind == EXT_ALPN:
                alpn = _alpn(ext)
            elif kind == EXT_SUPPORTED_VERSIONS:
                versions = _exact(ext.sub(1, "supported versions"), ext).uint16s("supported versions")
            elif kind == EXT_SIGNATURE_ALGORITHMS:
                sigalgs = _exact(ext.sub(2, "signature algorithms"), ext).uint16s("signature algorithms")
    return ClientHello(
        record_version=record_version,
        legacy_version=legacy_version,
        cipher_suites=cipher_suites,
        extensions=tuple(extensions),
        supported_versions=versions,
        server_name=server_name,
        alpn=alpn,
        signature_algorithms=sigalgs,
        wire_length=wire_length,
    )


def _exact(inner: _Cursor, outer: _Cursor) -> _Cursor:
    """``inner``, after checking it fills its extension exactly."""
    if outer.left():
        raise ClientHelloError("a ClientHello extension is longer than its contents")
    return inner


def _server_name(ext: _Cursor) -> bytes | None:
    names = _exact(ext.sub(2, "server name list"), ext)
    host: bytes | None = None
    while names.left():
        name_type = names.number(1, "server name type")
        name = names.sub(2, "server name").take_all()
        if name_type == 0 and host is None:
            if not name:
                raise ClientHelloError("ClientHello has an empty server name (SNI)")
            host = name
    return host


def _alpn(ext: _Cursor) -> tuple[bytes, ...]:
    protocols = _exact(ext.sub(2, "ALPN list"), ext)
    names: list[bytes] = []
    while protocols.left():
        name = protocols.sub(1, "ALPN protocol").take_all()
        if not name:
            raise ClientHelloError("ClientHello offers an empty ALPN protocol name")
        names.append(name)
    return tuple(names)
