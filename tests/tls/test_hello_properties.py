"""Properties of ClientHello parsing: any split gives the same answer; any bytes give an answer
or the one error type."""

from __future__ import annotations

import itertools
from pathlib import Path

from fuzztarget import fuzz_tls
from hellobuild import (
    alpn_ext,
    client_hello,
    handshake,
    hello_body,
    records,
    sigalgs_ext,
    sni_ext,
    versions_ext,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.tls.hello import ClientHello

outcome = fuzz_tls.outcome
HELLOS = Path(__file__).resolve().parents[1] / "data" / "tls-hellos"
REAL = [p.read_bytes() for p in sorted(HELLOS.glob("*.bin"))]


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds)]


u16s = st.lists(st.integers(0, 0xFFFF), max_size=40)
extension_lists = st.lists(
    st.one_of(
        st.binary(min_size=1, max_size=30).map(sni_ext),
        st.lists(st.binary(min_size=1, max_size=10), min_size=1, max_size=4).map(lambda n: alpn_ext(*n)),
        u16s.map(lambda v: versions_ext(*v[:120])),
        u16s.map(lambda v: sigalgs_ext(*v)),
        st.tuples(st.integers(0, 0xFFFF), st.binary(max_size=20)),
    ),
    max_size=12,
)


@st.composite
def hellos(draw: st.DrawFn) -> bytes:
    ciphers = draw(st.lists(st.integers(0, 0xFFFF), min_size=1, max_size=60))
    exts = draw(st.none() | extension_lists)
    message = handshake(hello_body(ciphers, exts, legacy_version=draw(st.integers(0x0300, 0x0304))))
    sizes = draw(st.lists(st.integers(1, 200), max_size=5))
    data = records(message, sizes)
    if draw(st.booleans()):  # a damaged one now and then
        pos = draw(st.integers(0, len(data) - 1))
        data = data[:pos] + bytes([draw(st.integers(0, 255))]) + data[pos + 1 :]
    return data


@settings(max_examples=400, deadline=None)
@given(data=hellos(), cuts=st.lists(st.integers(0, 10_000), max_size=8))
def test_any_split_of_a_hello_gives_the_same_answer(data: bytes, cuts: list[int]) -> None:
    assert outcome(split(data, cuts)) == outcome([data])


@settings(max_examples=300, deadline=None)
@given(which=st.integers(0, len(REAL) - 1), cuts=st.lists(st.integers(0, 10_000), min_size=1, max_size=12))
def test_any_split_of_a_real_hello_gives_the_same_answer(which: int, cuts: list[int]) -> None:
    data = REAL[which]
    whole = outcome([data])
    assert isinstance(whole, ClientHello)
    assert outcome(split(data, cuts)) == whole


@settings(max_examples=500, deadline=None)
@given(data=st.binary(max_size=600), cuts=st.lists(st.integers(0, 10_000), max_size=6))
def test_any_bytes_give_an_answer_or_the_one_error(data: bytes, cuts: list[int]) -> None:
    data = b"\x16" + data
    result = outcome(split(data, cuts))  # raising anything but ClientHelloError fails the test
    assert result is None or isinstance(result, ClientHello | str)
    assert result == outcome([data])


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=200))
def test_garbage_after_a_record_header_is_an_answer(tail: bytes) -> None:
    data = b"\x16\x03\x01" + len(tail).to_bytes(2, "big") + tail
    result = outcome([data])
    assert result is None or isinstance(result, ClientHello | str)


def test_a_generated_hello_round_trips() -> None:
    data = client_hello([0x1301, 0x0A0A], [sni_ext(b"x.example"), alpn_ext(b"http/1.1")])
    result = outcome(split(data, [7, 9, 100]))
    assert isinstance(result, ClientHello) and result.cipher_suites == (0x1301, 0x0A0A)
