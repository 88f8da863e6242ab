"""JA4 against the published specification's own example values (FoxIO, technical_details/JA4.md)."""

from __future__ import annotations

import pytest
from hellobuild import (
    GREASE,
    SPEC_CIPHERS,
    alpn_ext,
    client_hello,
    sigalgs_ext,
    sni_ext,
    spec_extensions,
    versions_ext,
)

from inspector.tls.hello import ClientHello, read_client_hello
from inspector.tls.ja4 import alpn_chars, ja4, ja4_o, ja4_r, ja4_ro

SPEC_JA4 = "t13d1516h2_8daaf6152771_e5627efa2ab1"
SPEC_JA4_R = (
    "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
    "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
    "0403,0804,0401,0503,0805,0501,0806,0601"
)
SPEC_JA4_RO = (
    "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_"
    "001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_"
    "0403,0804,0401,0503,0805,0501,0806,0601"
)
SPEC_JA4_O = "t13d1516h2_acb858a92679_18f69afefd3d"


def parse(data: bytes) -> ClientHello:
    hello = read_client_hello(data)
    assert hello is not None
    return hello


def test_the_specification_example() -> None:
    hello = parse(client_hello(SPEC_CIPHERS, spec_extensions()))
    assert ja4(hello) == SPEC_JA4
    assert ja4_r(hello) == SPEC_JA4_R
    assert ja4_ro(hello) == SPEC_JA4_RO
    assert ja4_o(hello) == SPEC_JA4_O


def test_grease_changes_nothing() -> None:
    without = [c for c in SPEC_CIPHERS if c != GREASE]
    exts = [e for e in spec_extensions() if e[0] not in (GREASE, 0xBABA)]
    assert ja4(parse(client_hello(without, exts))) == SPEC_JA4


def test_no_signature_algorithms_ends_without_underscore() -> None:
    """The specification: ``0005,...,ff01 = 6d807ffa2a79`` when no algorithm is listed."""
    hello = parse(client_hello(SPEC_CIPHERS, spec_extensions(with_sigalgs=False)))
    assert ja4(hello) == "t13d1516h2_8daaf6152771_6d807ffa2a79"
    assert ja4_r(hello).endswith("4469,ff01")


def test_no_sni_is_i_and_sni_stays_out_of_the_hash() -> None:
    exts = [e for e in spec_extensions() if e[0] != 0x0000]
    assert ja4(parse(client_hello(SPEC_CIPHERS, exts))) == "t13i1515h2_8daaf6152771_e5627efa2ab1"


def test_no_extensions_hash_to_zeros() -> None:
    hello = parse(client_hello([0x002F, 0x0035], None, legacy_version=0x0301))
    assert ja4(hello) == "t10i020000_" + ja4(hello).split("_")[1] + "_000000000000"
    assert ja4_r(hello) == "t10i020000_002f,0035_"


def test_only_sni_and_alpn_hash_to_zeros() -> None:
    hello = parse(client_hello([0x1301], [sni_ext(b"a.example"), alpn_ext(b"http/1.1")]))
    assert ja4(hello).endswith("_000000000000")
    assert ja4(hello).startswith("t12d0102h1_")


@pytest.mark.parametrize(
    ("versions", "legacy", "expected"),
    [
        ((0x0304, 0x0303), 0x0303, "13"),
        ((GREASE, 0x0303), 0x0303, "12"),  # the highest non-GREASE value
        ((0x0303, 0x0304), 0x0303, "13"),  # highest, not first
        (None, 0x0303, "12"),
        (None, 0x0302, "11"),
        (None, 0x0301, "10"),
        (None, 0x0300, "s3"),
        ((0xFEFD,), 0x0303, "d2"),
        ((0x7F1C,), 0x0303, "00"),  # a draft version: unknown
        (None, 0x0305, "00"),
    ],
)
def test_version(versions: tuple[int, ...] | None, legacy: int, expected: str) -> None:
    exts = [versions_ext(*versions)] if versions else []
    hello = parse(client_hello([0x1301], exts, legacy_version=legacy))
    assert ja4(hello)[1:3] == expected


def test_record_version_is_ignored() -> None:
    from hellobuild import handshake, hello_body, records

    data = records(handshake(hello_body([0x1301], [versions_ext(0x0304)])), version=0x0303)
    assert ja4(parse(data))[1:3] == "13"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # The specification's own examples of non-alphanumeric ALPN values:
        (b"\xab", "ab"),
        (b"\xab\xcd", "ad"),
        (b"\x30\xab", "3b"),
        (b"\x30\x31\xab\xcd", "3d"),
        (b"\x30\xab\xcd\x31", "01"),
        (b"h2", "h2"),
        (b"http/1.1", "h1"),
        (b"a", "aa"),
        (b"", "00"),
        (None, "00"),
    ],
)
def test_alpn_characters(value: bytes | None, expected: str) -> None:
    assert alpn_chars(value) == expected


def test_alpn_is_the_first_value_in_the_hello() -> None:
    hello = parse(client_hello([0x1301], [alpn_ext(b"\xab\xcd", b"h2")]))
    assert ja4(hello)[8:10] == "ad"
    assert hello.alpn_offered == ("\\xab\\xcd", "h2")
    no_alpn = parse(client_hello([0x1301], [sigalgs_ext(0x0403)]))
    assert ja4(no_alpn)[8:10] == "00"


def test_counts_cap_at_99() -> None:
    ciphers = list(range(0x0100, 0x0100 + 120))
    exts = [(0x1000 + i, b"") for i in range(105)]
    hello = parse(client_hello(ciphers, exts))
    assert ja4(hello)[4:8] == "9999"
    # The hashes still cover every value.
    assert ja4_r(hello).count(",") == 119 + 104


def test_scsv_and_reserved_values_count() -> None:
    hello = parse(client_hello([0x1301, 0x00FF, 0x5600, 0xFE10, GREASE], []))
    assert ja4(hello)[4:6] == "04"
