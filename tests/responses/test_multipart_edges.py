"""multipart/form-data split at its edges: caps, line ends, quoting, bytes that are not UTF-8.

Every body here is small and every case deterministic: each test runs in milliseconds, so
none is left out of a mutation run as slow (the property test in test_views.py may be).
"""

from __future__ import annotations

import pytest

from inspector.responses.multipart import (
    MAX_PARAMS,
    MAX_PART_HEAD,
    MAX_PART_HEADERS,
    MAX_PARTS,
    FormData,
    boundary_of,
    header_params,
    parse_form_data,
)

CT = "multipart/form-data; boundary=XyZ"


def part(name: str, value: bytes, *, head: bytes = b"", eol: bytes = b"\r\n") -> bytes:
    """One part: optional extra header lines, its Content-Disposition, a blank line, the value."""
    disposition = b'Content-Disposition: form-data; name="' + name.encode() + b'"' + eol
    return head + disposition + eol + value


def body(*parts: bytes, eol: bytes = b"\r\n", close: bool = True) -> bytes:
    out = b"".join(b"--XyZ" + eol + p + eol for p in parts)
    return out + (b"--XyZ--" + eol if close else b"")


# -- what a part's content reads as -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (b"caf\xc3\xa9", "café"),
        (b"\xff\xfe", "\ufffd\ufffd"),  # not UTF-8: replaced, never an error
        (b"a\xc3", "a\ufffd"),  # a sequence cut short
        (b"line\r\nnext", "line\r\nnext"),  # a CRLF inside the content stays
        (b"a\r\n\r\nb\r\n\r\nc", "a\r\n\r\nb\r\n\r\nc"),  # the head ended at the first blank line
        (b"a\n\nb\n\nc", "a\n\nb\n\nc"),
        (b"ends in CR\r", "ends in CR\r"),  # only the CR of the delimiter's CRLF is dropped
        (b"", ""),
    ],
)
def test_part_content_is_utf8_with_bad_bytes_replaced(value: bytes, text: str) -> None:
    as_field = parse_form_data(CT, body(part("f", value)))
    assert as_field == FormData(fields=(("f", text),))
    file_head = b'Content-Disposition: form-data; name="u"; filename="x.bin"\r\n\r\n'
    as_file = parse_form_data(CT, body(file_head + value))
    assert as_file == FormData(files=(("u", text),))


def test_a_cr_before_a_bare_lf_delimiter_is_taken_as_its_crlf() -> None:
    data = parse_form_data(CT, body(part("a", b"x\r"), part("b", b"y\r\r"), eol=b"\n"))
    assert data.fields == (("a", "x"), ("b", "y\r"))


# -- where the parts are ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        (body(part("a", b"1")), (("a", "1"),)),
        (b"preamble\r\n" + body(part("a", b"1")), (("a", "1"),)),
        (b"\n" + body(part("a", b"1")), (("a", "1"),)),
        (b"x--XyZ\r\n" + part("a", b"1"), ()),  # a delimiter not at a line start
        (b"--XyZ", ()),  # a delimiter with no line after it
        (b"--XyZ--\r\n" + part("a", b"1"), ()),  # the close delimiter first
        (body(part("a", b"1")) + b"--XyZ\r\n" + part("b", b"2"), (("a", "1"),)),  # after close
        (body(part("a", b"1"), close=False), (("a", "1\r\n"),)),  # runs to the end
        (body(part("a", b"1"), close=False) + b"--XyZ", (("a", "1"),)),  # a cut last delimiter
        (b"--XyZ\r\n" + part("a", b"to the end"), (("a", "to the end"),)),
        (b"--XyZ  \r\n" + part("a", b"1") + b"\r\n--XyZ--", (("a", "1"),)),  # padding after
        (body(part("a", b"1")).replace(b"XyZ", b"XYZ"), ()),  # boundaries are case-sensitive
        (b"--XyZ\r\n--XyZ\r\n" + part("a", b"1"), (("a", "1"),)),  # an empty part
        (body(b"\r\n" + part("a", b"1")), ()),  # an empty head: no name
        (body(b"\n" + part("a", b"1")), ()),
        (body(b'Content-Disposition: form-data; name="a"'), ()),  # no blank line: no head
        (body(b"Content-Disposition: form-data\r\n\r\nv"), ()),  # no name
        (body(b"Content-Type: text/plain\r\n\r\nv"), ()),  # no Content-Disposition
    ],
)
def test_which_parts_are_read(raw: bytes, fields: tuple[tuple[str, str], ...]) -> None:
    assert parse_form_data(CT, raw) == FormData(fields=fields)


def test_the_first_blank_line_ends_the_head_whichever_line_end_it_uses() -> None:
    crlf_first = b'Content-Disposition: form-data; name="a"\r\n\r\nx\n\ny'
    lf_first = b'Content-Disposition: form-data; name="a"\n\nx\r\n\r\ny'
    assert parse_form_data(CT, body(crlf_first)).fields == (("a", "x\n\ny"),)
    assert parse_form_data(CT, body(lf_first)).fields == (("a", "x\r\n\r\ny"),)


def test_a_head_is_looked_for_only_in_the_first_max_part_head_bytes() -> None:
    disposition = b'Content-Disposition: form-data; name="a"\r\n'
    filler = MAX_PART_HEAD - len(disposition) - len(b"X: \r\n\r\n")
    fits = b"X: " + b"y" * filler + b"\r\n" + disposition + b"\r\nv"
    assert parse_form_data(CT, body(fits)).fields == (("a", "v"),)
    one_more = b"X: " + b"y" * (filler + 1) + b"\r\n" + disposition + b"\r\nv"
    assert parse_form_data(CT, body(one_more)).fields == ()


def test_content_disposition_is_looked_for_in_the_first_max_part_headers_lines() -> None:
    last_read = part("a", b"v", head=b"X: y\r\n" * (MAX_PART_HEADERS - 1))
    assert parse_form_data(CT, body(last_read)).fields == (("a", "v"),)
    too_far = part("a", b"v", head=b"X: y\r\n" * MAX_PART_HEADERS)
    assert parse_form_data(CT, body(too_far)).fields == ()


def test_the_header_name_is_matched_without_regard_to_case_or_spaces() -> None:
    raw = body(b'content-DISPOSITION : form-data; name="a"\r\n\r\nv', b"Content-Disposition\r\n\r\nw")
    assert parse_form_data(CT, raw).fields == (("a", "v"),)


def test_only_content_disposition_names_a_part() -> None:
    raw = b'Content-Type: text/plain; name="b"\r\nContent-Disposition: form-data; name="a"\r\n\r\nv'
    assert parse_form_data(CT, body(raw)).fields == (("a", "v"),)


@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        (b'form-data; name="a:b"', "a:b"),  # the header ends at its first colon
        (b"form-data; name=a:b", "a:b"),
        (b'form-data; name="caf\xe9"', "caf\ufffd"),  # not UTF-8: replaced, never an error
        (b"form-data; name=\xff", "\ufffd"),
        (b'form-data; name="caf\xc3\xa9"', "café"),
        (b"form-data; name=a", "a"),  # the CR of the line end is no part of a bare value
    ],
)
def test_the_name_as_sent(disposition: bytes, name: str) -> None:
    raw = b"Content-Disposition: " + disposition + b"\r\n\r\nv"
    assert parse_form_data(CT, body(raw)).fields == ((name, "v"),)


def test_a_bare_name_ends_at_its_line_however_many_lines_follow() -> None:
    raw = b"Content-Disposition: form-data; name=a\r\n" + b"X: y\r\n" * (MAX_PART_HEADERS + 2) + b"\r\nv"
    assert parse_form_data(CT, body(raw)).fields == (("a", "v"),)


def test_the_first_content_disposition_wins() -> None:
    two = b'Content-Disposition: form-data\r\nContent-Disposition: form-data; name="b"\r\n\r\nv'
    assert parse_form_data(CT, body(two)) == FormData()


@pytest.mark.parametrize("count", [MAX_PARTS - 1, MAX_PARTS])
def test_up_to_max_parts_are_all_read(count: int) -> None:
    data = parse_form_data(CT, body(*[part("f", b"v")] * count))
    assert len(data.fields) == count and not data.truncated


def test_parts_past_max_parts_are_dropped_and_said() -> None:
    parts = [part(f"f{i}", b"v") for i in range(MAX_PARTS + 1)]
    data = parse_form_data(CT, body(*parts))
    assert data.truncated and len(data.fields) == MAX_PARTS
    assert data.fields[-1] == (f"f{MAX_PARTS - 1}", "v")


def test_files_read_before_the_cap_are_kept() -> None:
    upload = b'Content-Disposition: form-data; name="u"; filename="f"\r\n\r\nfile'
    data = parse_form_data(CT, body(upload, *[part("f", b"v")] * MAX_PARTS))
    assert data.truncated and data.files == (("u", "file"),)
    assert len(data.fields) == MAX_PARTS - 1


def test_nameless_parts_count_towards_max_parts() -> None:
    nameless = b"Content-Disposition: form-data\r\n\r\nv"
    data = parse_form_data(CT, body(*[nameless] * MAX_PARTS, part("late", b"v")))
    assert data == FormData(truncated=True)


# -- the boundary -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "boundary"),
    [
        ("multipart/form-data; boundary=XyZ", b"XyZ"),
        ('multipart/form-data; boundary="a b"', b"a b"),
        ("multipart/form-data; BOUNDARY=x", b"x"),
        ("multipart/form-data; boundary=" + "b" * 70, b"b" * 70),
        ("multipart/form-data; boundary=" + "b" * 71, None),
        ("multipart/form-data; boundary=", None),
        ('multipart/form-data; boundary=""', None),
        ("multipart/form-data", None),
        ("multipart/form-data; boundary=é", "é".encode()),
        # a lone surrogate (possible in an imported capture, never from the parser)
        ("multipart/form-data; boundary=a\ud800b", b"a?b"),
    ],
)
def test_boundary_of(content_type: str, boundary: bytes | None) -> None:
    assert boundary_of(content_type) == boundary


def test_a_lone_surrogate_in_the_boundary_gives_no_error() -> None:
    assert parse_form_data("multipart/form-data; boundary=\udcff", b"--\xff\r\n") == FormData()


def test_a_long_boundary_splits_the_body() -> None:
    boundary = "b" * 70
    raw = body(part("a", b"1")).replace(b"XyZ", boundary.encode())
    assert parse_form_data(f"multipart/form-data; boundary={boundary}", raw).fields == (("a", "1"),)


# -- Content-Disposition parameters -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('form-data; name="a"; name="b"', {"name": "a"}),  # the first wins
        ('form-data; name=\t "a b" ; x=1', {"name": "a b", "x": "1"}),
        ('form-data; name="a"junk; x=1', {"name": "a", "x": "1"}),  # after the quote: skipped
        ('form-data; name="a"junk', {"name": "a"}),
        ("form-data; name=  ", {"name": ""}),
        ("form-data; name=", {"name": ""}),
        ("form-data; =", {"": ""}),
        ("form-data;;;name=a", {"name": "a"}),
        ('form-data; name="a=b"', {"name": "a=b"}),
        ("form-data; name=a=b", {"name": "a=b"}),
        ('form-data; name="é\\x"', {"name": "éx"}),
        ('form-data; name="\\"', {"name": '"'}),  # an escaped quote, then no closing one
        ('form-data; name="\\\\"', {"name": "\\"}),
        ('form-data; name="\\\\\\""; x=1', {"name": '\\"', "x": "1"}),
        ('form-data; name="a\\\\\\\\"; x=1', {"name": "a\\\\", "x": "1"}),
        ('form-data; name=""; x=1', {"name": "", "x": "1"}),
        ('form-data; name="x\\\nb"', {"name": "x\nb"}),  # an escaped newline too
        ('form-data; name=plain"; x=1', {"name": 'plain"', "x": "1"}),
        ("no semicolon=at all", {}),
        ('form-data; name="a\\"b"; x="c"', {"name": 'a"b', "x": "c"}),
        ('form-data; name="a"; x=1; y=2', {"name": "a", "x": "1", "y": "2"}),
        ('form-data; name="v;"=z', {"name": "v;"}),  # what follows the closing quote is skipped
        ('form-data; name="v;"=z; x=1', {"name": "v;", "x": "1"}),
        ("form-data; a=1;;b=2", {"a": "1", "b": "2"}),
        ("form-data; a=; b=1", {"a": "", "b": "1"}),
        ("form-data;=x", {"": "x"}),
        ("form-data;name=a;Filename=b", {"name": "a", "filename": "b"}),
        (";name=a", {"name": "a"}),
        (";", {}),
        ("", {}),
    ],
)
def test_header_params_edges(value: str, expected: dict[str, str]) -> None:
    assert header_params(value) == expected


def test_header_params_reads_at_most_its_limit() -> None:
    value = "form-data" + "".join(f"; p{i}={i}" for i in range(MAX_PARAMS + 1))
    params = header_params(value)
    assert list(params) == [f"p{i}" for i in range(MAX_PARAMS)]
    assert header_params(value, limit=2) == {"p0": "0", "p1": "1"}
    assert header_params(value, limit=0) == {}


def test_parameters_without_a_value_count_towards_the_limit() -> None:
    value = "form-data" + "; lone" * MAX_PARAMS + "; name=late"
    assert header_params(value) == {}
    assert header_params("form-data" + "; lone" * (MAX_PARAMS - 1) + "; name=a") == {"name": "a"}


def test_a_name_past_max_params_is_not_read() -> None:
    many = "".join(f"; p{i}=v" for i in range(MAX_PARAMS))
    head = b"Content-Disposition: form-data" + many.encode() + b'; name="a"\r\n\r\nv'
    assert parse_form_data(CT, body(head)) == FormData()


def test_quoted_names_with_escapes_and_semicolons_reach_the_form() -> None:
    head = b'Content-Disposition: form-data; name="a;\\"b\\\\"; filename="c\\\\d.txt"\r\n\r\nv'
    assert parse_form_data(CT, body(head)).files == (('a;"b\\', "v"),)
