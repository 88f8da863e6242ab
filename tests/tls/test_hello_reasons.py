"""ClientHello errors word for word, and the fields of hellos at the edges of each rule.

test_hello.py checks that each error names its cause; here the whole one-line reason the
record and the log show is compared, for every field a hello can end inside, and the
server_name and ALPN rules are checked on hellos that sit on either side of them."""

from __future__ import annotations

import pytest
from hellobuild import alpn_ext, handshake, hello_body, records, sni_ext, vec

from inspector.tls.hello import ClientHello, ClientHelloError, ClientHelloReader, read_client_hello

#: version and random: everything before the session id
START = b"\x03\x03" + bytes(32)
#: a well-formed start up to the end of the compression methods
BEFORE_EXTENSIONS = START + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"


def one(body: bytes) -> bytes:
    return records(handshake(body))


def with_ext(kind: int, data: bytes) -> bytes:
    return one(hello_body([0x1301], [(kind, data)]))


def reason(data: bytes) -> str:
    with pytest.raises(ClientHelloError) as caught:
        ClientHelloReader().feed(data)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


def parse(data: bytes) -> ClientHello:
    hello = read_client_hello(data)
    assert hello is not None
    return hello


ENDS = "ClientHello ends inside its "
LONGER = "a ClientHello extension is longer than its contents"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # the record layer
        (b"\x17\x03\x01", "a record of type 23 came before the ClientHello was complete"),
        (b"\x16\x02", "not TLS: the byte after 0x16 is 0x02, not a TLS record version (0x03)"),
        (b"\x16\x03\x01\x00\x00", "an empty handshake record (not allowed in TLS)"),
        (b"\x16\x03\x03\x40\x01", "a record of 16385 bytes, more than TLS allows (16384)"),
        # the handshake message header
        (
            b"\x16\x03\x01\x00\x04\x02\x00\x00\x00",
            "the first handshake message is of type 2, not a ClientHello",
        ),
        (
            b"\x16\x03\x01\x00\x04\x01\x00\x40\x01",
            "a ClientHello of 16389 bytes, more than the 16384 this server reads",
        ),
        # every field the body can end inside
        (one(b"\x03"), ENDS + "version"),
        (one(START[:20]), ENDS + "random"),
        (one(START), ENDS + "session id length"),
        (one(START + b"\x05ab"), ENDS + "session id"),
        (one(START + b"\x21" + bytes(33)), "ClientHello session id is longer than 32 bytes"),
        (one(START + b"\x00\x01"), ENDS + "cipher suites length"),
        (one(START + b"\x00\x00\x04\x13\x01"), ENDS + "cipher suites"),
        (one(START + b"\x00\x00\x00"), "ClientHello offers no cipher suites"),
        (one(START + b"\x00\x00\x03\x13\x01\x00"), "ClientHello cipher suites have an odd length"),
        (one(START + b"\x00\x00\x02\x13\x01"), ENDS + "compression methods length"),
        (one(START + b"\x00\x00\x02\x13\x01\x02\x00"), ENDS + "compression methods"),
        (one(START + b"\x00\x00\x02\x13\x01\x00"), "ClientHello offers no compression method"),
        (one(BEFORE_EXTENSIONS + b"\x00"), ENDS + "extensions length"),
        (one(BEFORE_EXTENSIONS + b"\x00\x05\x00"), ENDS + "extensions"),
        (one(BEFORE_EXTENSIONS + b"\x00\x00" + b"x"), "ClientHello has bytes after its extensions"),
        (one(BEFORE_EXTENSIONS + b"\x00\x01\x00"), ENDS + "extension type"),
        (one(BEFORE_EXTENSIONS + b"\x00\x03\x00\x17\x00"), ENDS + "extension 0x0017 length"),
        (one(BEFORE_EXTENSIONS + b"\x00\x05\x00\x17\x00\x02\x00"), ENDS + "extension 0x0017"),
        (one(hello_body([0x1301], [(0x17, b""), (0x17, b"")])), "ClientHello repeats extension 0x0017"),
        # server_name (RFC 6066 §3)
        (with_ext(0x0000, b"\x00"), ENDS + "server name list length"),
        (with_ext(0x0000, b"\x00\x04\x00"), ENDS + "server name list"),
        (with_ext(0x0000, b"\x00\x02\x00\x00"), ENDS + "server name length"),
        (with_ext(0x0000, b"\x00\x04\x00\x00\x05a"), ENDS + "server name"),
        (with_ext(0x0000, vec(2, b"\x00" + vec(2, b"a")) + b"x"), LONGER),
        (one(hello_body([0x1301], [sni_ext(b"")])), "ClientHello has an empty server name (SNI)"),
        # ALPN (RFC 7301 §3.1)
        (with_ext(0x0010, b"\x00"), ENDS + "ALPN list length"),
        (with_ext(0x0010, b"\x00\x04\x02h2"), ENDS + "ALPN list"),
        (with_ext(0x0010, b"\x00\x03\x05h2"), ENDS + "ALPN protocol"),
        (with_ext(0x0010, vec(2, vec(1, b"h2")) + b"x"), LONGER),
        (one(hello_body([0x1301], [alpn_ext(b"h2", b"")])), "ClientHello offers an empty ALPN protocol name"),
        # supported_versions and signature_algorithms
        (with_ext(0x002B, b""), ENDS + "supported versions length"),
        (with_ext(0x002B, b"\x04\x03\x04"), ENDS + "supported versions"),
        (with_ext(0x002B, b"\x02\x03\x04\x00"), LONGER),
        (with_ext(0x002B, b"\x03\x03\x04\x03"), "ClientHello supported versions have an odd length"),
        (with_ext(0x000D, b"\x00"), ENDS + "signature algorithms length"),
        (with_ext(0x000D, b"\x00\x04\x04\x03"), ENDS + "signature algorithms"),
        (with_ext(0x000D, b"\x00\x02\x04\x03\x00"), LONGER),
        (with_ext(0x000D, b"\x00\x01\x04"), "ClientHello signature algorithms have an odd length"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_every_reason_word_for_word(data: bytes, expected: str) -> None:
    assert reason(data) == expected


def test_a_body_error_stays_after_its_records_were_used() -> None:
    """The records are whole and used up when the body turns out bad: later calls, even with
    nothing new, raise the same error rather than wait for more."""
    reader = ClientHelloReader()
    bad = one(START + b"\x00\x00\x00")
    with pytest.raises(ClientHelloError) as first:
        reader.feed(bad)
    with pytest.raises(ClientHelloError) as again:
        reader.feed(b"")
    assert again.value is first.value
    with pytest.raises(ClientHelloError) as third:
        reader.feed(one(hello_body([0x1301], [])))
    assert third.value is first.value


def test_a_message_header_split_across_records_is_read_whole() -> None:
    """The 24-bit length may arrive a byte per record; the message is cut at that length."""
    message = handshake(hello_body([0x1301], [sni_ext(b"split.example")]))
    data = records(message, [1, 1, 1, 1])
    hello = parse(data)
    assert (hello.sni, hello.wire_length) == ("split.example", len(data))


def test_the_record_version_is_the_first_records() -> None:
    message = handshake(hello_body([0x1301], []))
    first = records(message[:10], version=0x0301)
    rest = records(message[10:], version=0x0303)
    assert parse(first + rest).record_version == 0x0301
    assert parse(records(message, version=0x0303)).record_version == 0x0303


def test_bytes_after_the_hello_are_not_part_of_it() -> None:
    data = one(hello_body([0x1301], []))
    hello = parse(data + b"\x17\x03\x03\x00\x05hello")
    assert hello.wire_length == len(data)


def sni_list(*names: tuple[int, bytes]) -> tuple[int, bytes]:
    return 0x0000, vec(2, b"".join(bytes([kind]) + vec(2, name) for kind, name in names))


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([(0, b"first.example"), (0, b"second.example")], "first.example"),
        ([(1, b"other")], None),
        ([(1, b"")], None),  # an empty name of another type is not a host name
        ([(7, b"x"), (0, b"host.example"), (0, b"")], "host.example"),
        ([(0, b"host.example"), (3, b"y")], "host.example"),
        ([], None),
    ],
)
def test_the_server_name_is_the_first_host_name(names: list[tuple[int, bytes]], expected: str | None) -> None:
    hello = parse(one(hello_body([0x1301], [sni_list(*names)])))
    assert hello.sni == expected
    assert hello.extensions == (0x0000,)


def test_alpn_names_in_order_and_an_empty_list() -> None:
    assert parse(one(hello_body([0x1301], [alpn_ext(b"h2", b"x", b"http/1.1")]))).alpn == (
        b"h2",
        b"x",
        b"http/1.1",
    )
    assert parse(one(hello_body([0x1301], [(0x0010, b"\x00\x00")]))).alpn == ()


def test_a_hello_without_those_extensions_has_empty_lists() -> None:
    """Every list field is a tuple, empty when its extension is absent (JA4 hashes it)."""
    for extensions in (None, [(0x0017, b"")]):
        hello = parse(one(hello_body([0x1301], extensions)))
        assert (hello.supported_versions, hello.signature_algorithms, hello.alpn, hello.server_name) == (
            (),
            (),
            (),
            None,
        )
