"""The generic codec of record fields beyond the core set (inspector.formats.extensions):
every shape a field's type hint may take, both ways, and the errors a damaged file gets."""

from __future__ import annotations

import binascii
import dataclasses
import enum
import typing
from typing import Any

import pytest

from inspector.formats import extensions
from inspector.formats.extensions import decode, encode, record_fields, response_fields
from inspector.http.record import CaptureRecord, ClientCert, SentResponse, TLSFacts


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass(frozen=True)
class Blob:
    """A field named ``bytes`` next to one annotated ``bytes`` (as in SentResponse)."""

    data: bytes = b""
    bytes: int = 0


@dataclasses.dataclass
class Shapes:
    name: str
    size: int = 3
    tags: list[str] = dataclasses.field(default_factory=lambda: ["a"])
    id: int = 0


def test_encode_turns_every_known_type_into_json_data() -> None:
    assert encode(None) is None
    assert encode(True) is True
    assert encode(2.5) == 2.5
    assert encode(b"\x00\x01") == "AAE="
    assert encode(Color.BLUE) == "blue"
    assert encode((1, [b"\xff"])) == [1, ["/w=="]]
    assert encode({1: b"\x00\x01", "k": Color.RED}) == {"1": "AAE=", "k": "red"}
    assert encode(Blob(data=b"\x00\x01", bytes=2)) == {"data": "AAE=", "bytes": 2}


def test_encode_refuses_an_unknown_type_by_name() -> None:
    with pytest.raises(TypeError, match=r"^cannot store a set in a capture record$"):
        encode({1, 2})
    with pytest.raises(TypeError, match=r"^cannot store a type in a capture record$"):
        encode(Blob)  # a dataclass itself, not an instance


def test_decode_plain_types_and_their_checks() -> None:
    assert decode(int, 5) == 5
    assert decode(bool, True) is True
    assert decode(str, "x") == "x"
    assert decode(float, 2) == 2.0
    assert isinstance(decode(float, 2), float)
    assert decode(Any, {"a": 1}) == {"a": 1}
    assert decode(bytes, None) is None
    with pytest.raises(TypeError, match=r"^expected int, got bool$"):
        decode(int, True)
    with pytest.raises(TypeError, match=r"^expected bool, got int$"):
        decode(bool, 1)
    with pytest.raises(TypeError, match=r"^expected str, got int$"):
        decode(str, 7)
    with pytest.raises(TypeError, match=r"^expected str, got list$"):
        decode(bytes, [1])
    with pytest.raises(TypeError, match=r"^expected int \| float, got str$"):
        decode(float, "1.5")
    with pytest.raises(TypeError, match=r"^expected int \| float, got bool$"):
        decode(float, False)


def test_decode_bytes_is_strict_base64() -> None:
    assert decode(bytes, "AAE=") == b"\x00\x01"
    with pytest.raises(binascii.Error):
        decode(bytes, "AA!E=")  # a damaged value is an error, not other bytes


def test_decode_enums_unions_and_nested_dataclasses() -> None:
    assert decode(Color, "red") is Color.RED
    assert decode(bytes | None, "AAE=") == b"\x00\x01"
    assert decode(int | str, "x") == "x"
    # a union of a generic and a plain type: the value as it is, no isinstance of the generic
    assert decode(tuple[int, ...] | str, "x") == "x"
    assert decode(Blob, {"data": "AAE=", "bytes": 2, "later": 1}) == Blob(data=b"\x00\x01", bytes=2)
    data = {"alpn_offered": ["h2"], "client_cert": {"subject": "CN=a", "sha256": "00"}}
    tls = decode(TLSFacts | None, data)
    assert tls == TLSFacts(alpn_offered=("h2",), client_cert=ClientCert(subject="CN=a", sha256="00"))


def test_decode_containers() -> None:
    assert decode(tuple[bytes, ...], ["AAE=", "/w=="]) == (b"\x00\x01", b"\xff")
    assert decode(tuple[bytes, int], ["AAE=", 2]) == (b"\x00\x01", 2)
    assert decode(tuple[int, str], [1, "x"]) == (1, "x")
    assert decode(tuple[int], [4]) == (4,)
    assert decode(tuple[int, int], [1, 2, 3]) == (1, 2)  # longer than the hint: cut to it
    assert decode(list[bytes], ["AAE=", "/w=="]) == [b"\x00\x01", b"\xff"]
    assert decode(typing.List, (1, "x")) == [1, "x"]  # noqa: UP006 (a bare List: no item type)
    assert decode(list, [1, "x"]) == [1, "x"]
    assert decode(dict[str, bytes], {"a": "AAE="}) == {"a": b"\x00\x01"}
    assert decode(typing.Mapping[str, Color], {"a": "red"}) == {"a": Color.RED}
    assert decode(typing.Dict, [("a", 1)]) == {"a": 1}  # noqa: UP006 (a bare Dict: no value type)
    assert decode(dict, {"a": 1}) == {"a": 1}


def test_decode_on_first_use_reads_the_hints_right(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the cache of type hints empty (a fresh process), a field annotated ``bytes``
    next to a field named ``bytes`` still decodes as bytes."""
    monkeypatch.setattr(extensions, "_hint_cache", {})
    assert decode(Blob, {"data": "AAE=", "bytes": 2}) == Blob(data=b"\x00\x01", bytes=2)
    assert decode(Blob, {"data": "/w=="}) == Blob(data=b"\xff")  # and from the cache
    monkeypatch.setattr(extensions, "_hint_cache", {})
    assert record_fields({"scheme": "https", "tls": {"sni": "a.test"}}) == {
        "scheme": "https",
        "tls": TLSFacts(sni="a.test"),
    }
    assert response_fields({"response": {"step": 2, "steps": 3}}) == {"step": 2, "steps": 3}


def test_record_and_response_fields_of_nothing() -> None:
    assert record_fields(None) == {}
    assert record_fields({}) == {}
    assert response_fields(None) == {}
    assert response_fields({}) == {}
    assert response_fields({"response": 5}) == {}
    assert record_fields({"id": 9, "method": "GET", "later": 1, "scheme": "https"}) == {"scheme": "https"}


def test_extras_are_the_fields_outside_the_core_with_their_defaults() -> None:
    missing = extensions._MISSING
    assert extensions._extras(Shapes, frozenset({"id"})) == (
        ("name", missing),
        ("size", 3),
        ("tags", ["a"]),
    )
    assert extensions._extras(CaptureRecord, extensions.CORE_RECORD_FIELDS) == (
        ("scheme", "http"),
        ("tls", None),
        ("upstream", None),
    )
    assert extensions._extras(SentResponse, extensions.CORE_RESPONSE_FIELDS) == (
        ("step", None),
        ("steps", None),
        ("fault", None),
    )
