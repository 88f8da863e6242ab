"""The streaming scanner of HAR text (inspector.formats.har_scan): what it yields, and the
one-line message with line and column that a broken file gets."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.formats.har_scan import RESTART, HarScanError, scan_entries


def scanned(text: str) -> list[tuple[Any, int]]:
    return [("RESTART" if item is RESTART else item, position) for item, position in scan_entries(text)]


def failure(text: str) -> str:
    with pytest.raises(HarScanError) as caught:
        scanned(text)
    return str(caught.value)


def test_positions_count_lines_and_columns_from_one() -> None:
    # newlines before the fault (the first at the very start) and after it
    assert failure('\n{\n  "log": {\n    x\n}\n') == "invalid JSON at line 4 column 5"
    assert failure("\n{ x\n\n") == "invalid JSON at line 2 column 3"
    assert failure("x") == "invalid JSON at line 1 column 1"
    assert failure('{"log":{"entries":[1,\n 2 3]}}') == "invalid JSON at line 2 column 4"


def test_each_kind_of_broken_structure_says_where() -> None:
    assert failure('{"log":{"entries":[]}} x') == "invalid JSON at line 1 column 24"  # after the end
    assert failure('{"log" 1}') == "invalid JSON at line 1 column 8"  # no colon
    assert failure("{ 1: 2}") == "invalid JSON at line 1 column 3"  # a key that is not a string
    assert failure('{"a":1 "b":2}') == "invalid JSON at line 1 column 8"  # no comma between members
    assert failure('{"log":{"entries":[{} {}]}}') == "invalid JSON at line 1 column 23"  # nor items
    assert failure('{"log":{"entries":[{}], "x": {} \n"y":1}}') == "invalid JSON at line 2 column 1"
    assert failure('{"log":{"entries":[1}}') == "invalid JSON at line 1 column 21"
    assert failure('{"log":{"entries":[1') == "invalid JSON at line 1 column 21"


def test_a_number_too_long_to_read_is_named() -> None:
    text = '{"log":{\n "entries":[\n  1' + "0" * 5000 + "]}}"
    assert failure(text) == (
        "unreadable JSON near line 3 column 3: Exceeds the limit (4300 digits) for integer string conversion"
    )


def test_documents_that_are_not_har() -> None:
    assert failure("[]") == "the top level is not an object"
    assert failure("{}") == 'no "log" object'
    assert failure(" { } ") == 'no "log" object'
    assert failure('{"log": 5}') == 'no "log" object'
    assert failure('{"log":{}}') == '"log" has no "entries" list'
    assert failure('{"log":{ }, "x": {}}') == '"log" has no "entries" list'
    assert failure('{"log":{"entries":{}}}') == '"log" has no "entries" list'


def test_empty_objects_anywhere_in_the_walk() -> None:
    assert scanned('{"a":{},"log":{"b":{},"entries":[{}, {}]},"c":{}}') == [({}, 35), ({}, 39)]
    assert scanned('{"log":{"entries":[]}}') == []


def test_the_last_log_and_entries_win() -> None:
    # a "log" that is not an object is no log, and a later one is no restart
    assert scanned('{"log": 5, "log": {"entries": [1]}}') == [(1, 32)]
    # an "entries" that is not a list after one that was: no entries
    assert failure('{"log":{"entries":[1],"entries":5}}') == '"log" has no "entries" list'
    assert scanned('{"log":{"entries":[1],"creator":{}}}') == [(1, 20)]
    assert scanned('{"log":{"entries":[1],"entries":[2]}}') == [(1, 20), ("RESTART", 32), (2, 34)]
    assert scanned('{"log":{"entries":[1]},"log":{"entries":[2]}}') == [(1, 20), ("RESTART", 29), (2, 42)]
    assert failure('{"log":{"entries":[1]},"log":{"entries":5}}') == '"log" has no "entries" list'
