"""The request views templates reach: linear (counted), capped, and multipart parsed right."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.responses import list_presets, load_rules, render
from inspector.responses.context import MAX_FIELDS, HeadersView, MultiView, RequestView
from inspector.responses.multipart import MAX_PARTS, header_params, parse_form_data

ROOT = Path(__file__).resolve().parents[2]
ECHO_JSON = load_rules(dict(list_presets())["echo json"]).rules[0]
FORM = (("Content-Type", "application/x-www-form-urlencoded"),)


def test_multiview_reads_like_before() -> None:
    view = MultiView([("a", "1"), ("b", "2"), ("a", "3"), ("A", "4")])
    assert view.get("a") == view["a"] == "1"
    assert view.getlist("a") == ["1", "3"]
    assert view.keys() == ["a", "b", "A"] == list(view)
    assert view.to_dict() == {"a": ["1", "3"], "b": "2", "A": "4"}
    assert "b" in view and "c" not in view and len(view) == 4
    assert view.get("c", "none") == "none"
    with pytest.raises(KeyError):
        view["c"]
    headers = HeadersView([("User-Agent", "x"), ("user-agent", "y")])
    assert headers.getlist("USER_AGENT") == ["x", "y"]
    assert headers.to_dict() == {"User-Agent": ["x", "y"]}


def test_names_are_indexed_once_so_to_dict_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    original = MultiView._key

    def counting(self: MultiView, name: str) -> str:
        nonlocal calls
        calls += 1
        return original(self, name)

    monkeypatch.setattr(MultiView, "_key", counting)
    pairs = [(f"f{i}", "v") for i in range(MAX_FIELDS)]
    view = MultiView(pairs)
    view.to_dict()
    view.keys()
    for name, _ in pairs[:100]:
        view.getlist(name)
    # one key per pair to build the index, one per lookup after it (was n per lookup)
    assert calls <= 2 * len(pairs) + 100


def test_views_hold_at_most_max_fields_and_say_so(make_record: Any) -> None:
    body = "&".join(f"f{i}=1" for i in range(MAX_FIELDS + 5)).encode()
    view = RequestView(make_record(body=body, headers=FORM))
    assert len(view.form) == MAX_FIELDS and view.form.truncated
    assert view.form.keys()[-1] == f"f{MAX_FIELDS - 1}"
    small = RequestView(make_record(body=b"a=1&&b=+x%21", headers=FORM))
    assert small.form.items() == [("a", "1"), ("b", " x!")] and not small.form.truncated
    many_cookies = "; ".join(f"c{i}=v" for i in range(MAX_FIELDS + 1))
    cookies = RequestView(make_record(headers=(("Cookie", many_cookies),))).cookies
    assert len(cookies) == MAX_FIELDS and cookies.truncated


def test_echo_json_on_a_20000_field_form(make_record: Any) -> None:
    body = "&".join(f"field{i}=value{i}" for i in range(20_000)).encode()  # ~149 KB, as measured
    response = render(ECHO_JSON, make_record(body=body, headers=FORM))
    assert response.status == 200, response.error
    form = json.loads(response.body)["form"]
    assert len(form) == MAX_FIELDS and form["field0"] == "value0"


def test_address_with_an_absurd_port(make_record: Any) -> None:
    view = RequestView(make_record(client="1.2.3.4:" + "9" * 5000))
    assert view.client.port is None


# -- multipart ------------------------------------------------------------------------

CT = "multipart/form-data; boundary=XyZ"


def multipart(*parts: bytes, close: bool = True, eol: bytes = b"\r\n") -> bytes:
    body = b"".join(b"--XyZ" + eol + part + eol for part in parts)
    return body + (b"--XyZ--" + eol if close else b"")


def field(name: bytes, value: bytes, extra: bytes = b"", eol: bytes = b"\r\n") -> bytes:
    return b'Content-Disposition: form-data; name="' + name + b'"' + extra + eol + eol + value


def test_fields_and_files() -> None:
    body = multipart(
        field(b"title", b"Hello"),
        field(b"upload", b"file\r\ntext", b'; filename="a.txt"') .replace(
            b"\r\n\r\n", b"\r\nContent-Type: text/plain\r\n\r\n", 1),
        b"Content-Disposition: form-data\r\n\r\nno name",
        field(b"empty", b""),
    )  # fmt: skip
    data = parse_form_data(CT, b"preamble\r\n" + body)
    assert data.fields == (("title", "Hello"), ("empty", ""))
    assert data.files == (("upload", "file\r\ntext"),)
    assert not data.truncated


def test_lenient_where_clients_are() -> None:
    lf_only = multipart(field(b"a", b"1", eol=b"\n"), eol=b"\n")
    assert parse_form_data(CT, lf_only).fields == (("a", "1"),)
    unclosed = multipart(field(b"a", b"1"), close=False) + b"--XyZ\r\n" + field(b"b", b"2")
    assert parse_form_data(CT, unclosed).fields == (("a", "1"), ("b", "2"))
    quoted = parse_form_data('multipart/form-data; boundary="XyZ"', multipart(field(b"a", b"1")))
    assert quoted.fields == (("a", "1"),)
    assert parse_form_data("multipart/form-data", multipart(field(b"a", b"1"))).fields == ()
    assert parse_form_data(CT, b"no delimiter at all").fields == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('form-data; name="a"; filename="b.txt"', {"name": "a", "filename": "b.txt"}),
        ('form-data; name="a;b"; x=1', {"name": "a;b", "x": "1"}),
        ('form-data; name="a\\"b"', {"name": 'a"b'}),
        ('form-data; name="a\\\\"; x=2', {"name": "a\\", "x": "2"}),
        ("form-data; NAME = plain ; lone; =x", {"name": "plain", "": "x"}),
        ('form-data; name="unterminated', {"name": "unterminated"}),
        ("form-data", {}),
    ],
)
def test_header_params(value: str, expected: dict[str, str]) -> None:
    assert header_params(value) == expected


def test_at_most_max_parts_are_read() -> None:
    body = multipart(*[field(b"f", b"v")] * (MAX_PARTS + 3))
    data = parse_form_data(CT, body)
    assert len(data.fields) == MAX_PARTS and data.truncated


HOSTILE_BODIES = [
    multipart(field(b"a", b"\r\n" * 2_000_000)),
    multipart(field(b"a", b"--XyZ" * 800_000)),
    multipart(*[b"Content-Disposition: form-data" + b'; a="\\";' * 300 + b"\r\n\r\nv"] * 2000),
    multipart(*[b"X: y\r\n" * 1000 + field(b"a", b"v")] * 300),
    b"--XyZ\r\n" * 1_000_000,
    b"\r\n--XyZ" * 1_000_000,
]


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_hostile_bodies_of_several_mib_are_read(body: bytes) -> None:
    data = parse_form_data(CT, body)  # the email package took 23 s on 10 MiB
    assert len(data.fields) + len(data.files) <= MAX_PARTS


NAMES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\\r\n'), max_size=8)
VALUES = st.binary(max_size=40).filter(lambda b: b"XyZ" not in b and not b.endswith(b"\r"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(NAMES, VALUES, st.booleans()), max_size=6))
def test_what_is_sent_is_what_is_read(parts: list[tuple[str, bytes, bool]]) -> None:
    body = multipart(*(
        field(name.encode(), value, b'; filename="f"' if is_file else b"")
        for name, value, is_file in parts
    ))  # fmt: skip
    data = parse_form_data(CT, body)
    decode = [(n, v.decode("utf-8", "replace")) for n, v, _ in parts]
    assert data.fields == tuple(d for d, (_, _, f) in zip(decode, parts, strict=True) if not f)
    assert data.files == tuple(d for d, (_, _, f) in zip(decode, parts, strict=True) if f)
