"""Binary bodies compared offset by offset."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.diff import hexdiff
from inspector.diff.hexdiff import common_prefix, common_suffix, diff_hex


def test_equal_bytes() -> None:
    diff = diff_hex(b"\x00\x01", b"\x00\x01")
    assert (diff.rows, diff.first_offset, diff.differing_rows) == ((), None, 0)


def test_one_byte_changed_shows_its_row_and_offset() -> None:
    left = bytes(range(48))
    right = bytearray(left)
    right[20] = 0xFF
    diff = diff_hex(left, bytes(right))
    assert diff.first_offset == 20
    assert [(row.offset, row.left, row.right) for row in diff.rows] == [
        (16, left[16:32], bytes(right[16:32]))
    ]
    assert diff.common_suffix == 27
    assert (diff.left_size, diff.right_size, diff.note) == (48, 48, "")


def test_longer_side_shows_rows_past_the_shorter_end() -> None:
    diff = diff_hex(b"\x00" * 16, b"\x00" * 40)
    assert diff.first_offset == 16
    assert [(row.offset, row.left, len(row.right)) for row in diff.rows] == [(16, b"", 16), (32, b"", 8)]


def test_insertion_shifts_the_rest_and_the_suffix_says_so() -> None:
    tail = bytes(range(100))
    diff = diff_hex(b"\x01" + tail, b"\x01\x02" + tail)
    assert diff.first_offset == 1
    assert diff.common_suffix == 100


def test_rows_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hexdiff, "MAX_ROWS", 2)
    diff = diff_hex(bytes(160), b"\x01" * 160)
    assert len(diff.rows) == 2
    assert diff.differing_rows == 10
    assert diff.note == "showing the first 2 of 10 differing rows"


@given(st.binary(max_size=70), st.binary(max_size=70), st.sampled_from([4, 7, 64 * 1024]))
def test_prefix_and_suffix_match_a_plain_scan(left: bytes, right: bytes, chunk: int) -> None:
    expected = 0
    while expected < min(len(left), len(right)) and left[expected] == right[expected]:
        expected += 1
    limit = min(len(left), len(right)) - expected
    suffix = 0
    while suffix < limit and left[-1 - suffix] == right[-1 - suffix]:
        suffix += 1
    with mock.patch.object(hexdiff, "_CHUNK", chunk):
        assert common_prefix(left, right) == expected
        assert common_suffix(left, right, limit) == suffix


@given(st.binary(max_size=70), st.binary(max_size=70))
def test_rows_cover_every_difference(left: bytes, right: bytes) -> None:
    diff = diff_hex(left, right)
    shown = {row.offset for row in diff.rows}
    for offset in range(0, max(len(left), len(right)), 16):
        differs = left[offset : offset + 16] != right[offset : offset + 16]
        assert (offset in shown) == differs
