"""A request line over the limit is refused (414), and its record keeps what fits: the
method and the start of the target, so the table shows ``GET /long…`` instead of a blank row."""

from __future__ import annotations

import pytest

from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from tests.http.feeding import records

LIMITS = Limits(max_request_line=100)


def rejected(data: bytes) -> CaptureRecord:
    found = records([data], LIMITS)
    assert len(found) == 1 and found[0].error == "414 request line longer than 100 bytes"
    return found[0]


@pytest.mark.parametrize(
    ("line", "method", "target"),
    [
        (b"M /" + b"a" * 200, "M", "/" + "a" * 99),  # a one-letter method is a method
        (b"GET /a HTTP/1.1 y " + b"x" * 200, "GET", "/a"),  # the target ends at the next space
        (b"GET /a\tb" + b"c" * 200, "GET", "/a\tb" + "c" * 94),  # a tab does not end it
        (b"GET /caf\xc3\xa9/\xff" + b"a" * 200, "GET", "/café/\\xff" + "a" * 90),  # bad UTF-8 shown escaped
    ],
)
def test_the_record_keeps_the_method_and_what_fits_of_the_target(
    line: bytes, method: str, target: str
) -> None:
    record = rejected(line)

    assert (record.method, record.target) == (method, target)
    kept = len(target.encode().replace(b"\\xff", b"\xff"))
    assert record.notes == (f"request-target cut after {kept} bytes (the line is over the limit)",)


def test_a_line_without_a_space_keeps_no_method() -> None:
    record = rejected(b"A" * 300)

    assert (record.method, record.target, record.notes) == ("", "", ())
