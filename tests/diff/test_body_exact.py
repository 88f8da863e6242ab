"""Bodies compared: the exact phrase, kinds and notes at the edges of each rule."""

from __future__ import annotations

from inspector.diff.body import MAX_BODY, Classified, classify, diff_body, media_type

TEXT = "text/plain"


def test_media_type_parameters_kept_exactly() -> None:
    assert media_type("text/plain; charset=utf=8") == ("text/plain", "utf=8")
    assert media_type("Text/Plain; CHARSET=XUTF-8X") == ("text/plain", "XUTF-8X")
    assert media_type('text/plain; charset="X-Mac"') == ("text/plain", "X-Mac")


def test_classify_exactly() -> None:
    assert classify(b"", "application/json") == Classified("empty", None, "")
    assert classify(b"42", "application/problem+json") == Classified("json", 42, "42")
    assert classify(b"42", "application/vnd.api+json") == Classified("json", 42, "42")
    assert classify(b'  {"a": 1}', TEXT) == Classified("json", {"a": 1}, '  {"a": 1}')


def test_text_lines_removed_are_counted_in_the_plural() -> None:
    diff, phrase, notes = diff_body(b"a\nb\nc\n", TEXT, b"a\n", TEXT)
    assert (phrase, notes) == ("2 lines removed, 0 added", ())
    assert (diff.kind, diff.left_kind, diff.right_kind) == ("text", "text", "text")


def test_text_diff_too_long_to_show_says_so() -> None:
    left = "".join(f"a{i}\n" for i in range(2_100)).encode()
    right = "".join(f"b{i}\n" for i in range(2_100)).encode()
    _, phrase, notes = diff_body(left, TEXT, right, TEXT)
    assert phrase == "2,100 lines removed, 2,100 added"
    assert notes == ("showing the first 2,000 of 4,200 lines of the diff",)


def test_texts_too_long_for_lines_differ_from_the_first_line() -> None:
    left = b"a\n" * 20_001
    right = b"b\n" * 20_001
    _, phrase, notes = diff_body(left, TEXT, right, TEXT)
    assert phrase == "texts differ from line 1"
    assert notes == ("too large to diff line by line (20,001 and 20,001 lines; the limit is 20,000)",)


def test_bytes_differ_from_offset_zero_and_many_rows_say_so() -> None:
    diff, phrase, notes = diff_body(b"\x00x", None, b"\x01\x00", None)
    assert (phrase, notes) == ("bytes differ from offset 0x0", ())
    assert (diff.kind, diff.left_kind, diff.right_kind) == ("hex", "binary", "binary")
    _, phrase, notes = diff_body(b"\x00\x01" * 4096, None, b"\x01\x00" * 4096, None)
    assert phrase == "bytes differ from offset 0x0"
    assert notes == ("showing the first 256 of 512 differing rows",)


def test_a_body_of_exactly_max_body_bytes_is_whole() -> None:
    half_char = b"a" * (MAX_BODY - 1) + b"\xc3"  # exactly MAX_BODY bytes, ending mid-character
    other = b"a" * (MAX_BODY - 1) + b"b"
    diff, phrase, notes = diff_body(half_char, TEXT, other, TEXT)
    assert (diff.kind, diff.left_kind, diff.right_kind) == ("hex", "binary", "text")
    assert (phrase, notes) == ("binary vs text", ())
    diff, phrase, notes = diff_body(other, TEXT, half_char, TEXT)
    assert (diff.kind, diff.left_kind, diff.right_kind) == ("hex", "text", "binary")
    assert (phrase, notes) == ("text vs binary", ())


def test_a_longer_body_is_cut_between_characters_on_either_side() -> None:
    cut_char = b"a" * (MAX_BODY - 1) + "é".encode()  # MAX_BODY + 1 bytes; the cut splits é
    small = b"b"
    diff, phrase, notes = diff_body(cut_char, TEXT, small, TEXT)
    assert (diff.kind, diff.left_kind, diff.right_kind) == ("text", "text", "text")
    assert notes == ("compared the first 1.0 MiB of 1.0 MiB in detail",)
    assert phrase == "1 line removed, 1 added"
    diff, phrase, notes = diff_body(small, TEXT, cut_char, TEXT)
    assert (diff.kind, diff.left_kind, diff.right_kind) == ("text", "text", "text")
    assert notes == ("compared the first 1.0 MiB of 1.0 MiB in detail",)
    assert phrase == "1 line removed, 1 added"
