"""HAR import of hostile but valid JSON: one clear line, never a traceback; progress,
cancel, and the entry-by-entry reader agreeing with json.loads."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.formats import HarImportCancelled, HarImportError, import_har, to_har
from inspector.formats import har_import as har_import_module
from inspector.formats.har_scan import RESTART, HarScanError, scan_entries
from tests.records import make_record

STARTED = '"startedDateTime": "2024-01-01T00:00:00Z"'
REQUEST = '"request": {"method": "GET", "url": "http://h/x"}'


def entry(extra: str = "") -> str:
    return "{" + ", ".join(p for p in (STARTED, REQUEST, extra) if p) + "}"


def har(*entries: str, log_extra: str = "") -> str:
    return '{"log": {' + log_extra + '"entries": [' + ", ".join(entries) + "]}}"


DEEP = "[" * 10_000 + "]" * 10_000
DIGITS = "9" * 5_000


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (har(entry(f'"_deep": {DEEP}')), "nested too deeply"),
        ('{"pages": ' + DEEP + ', "log": {"entries": []}}', "nested too deeply"),
        (har(entry(f'"_big": {DIGITS}')), "unreadable JSON"),
        (har(entry(), log_extra=f'"comment": {DIGITS}, '), "unreadable JSON"),
        (DEEP, "nested too deeply"),
    ],
)
def test_unreadable_json_is_one_line(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "hostile.har"
    path.write_text(text)
    with pytest.raises(HarImportError) as info:
        import_har(path)
    message = str(info.value)
    assert fragment in message and "\n" not in message and "hostile.har" in message
    assert len(message) < 300


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity", DIGITS[:300], "-" + DIGITS[:300]])
def test_extreme_numbers_in_fields_are_absent_values(tmp_path: Path, number: str) -> None:
    """Numbers that are valid JSON (or that Python's JSON reads) but not usable:
    where a default exists it is used; a time that cannot be one is refused in one line."""
    ours = make_record(id=1)
    document = to_har([ours])
    text = json.dumps(document)
    for key in ('"_durationMs": ', '"bodySize": ', '"status": ', '"_bytes": ', '"wait": '):
        text = text.replace(key, key + number + ', "_was": ')
    path = tmp_path / "numbers.har"
    path.write_text(text)
    (record,) = import_har(path)
    assert record.response is not None
    assert record.response.status in (0, ours.response.status)  # type: ignore[union-attr]
    assert record.response.duration_ms >= 0 and record.response.duration_ms < 1e300
    assert 0 <= record.body_size < 1 << 63
    # the time: _receivedAt unusable, startedDateTime used instead
    path.write_text(json.dumps(document).replace('"_receivedAt": ', f'"_receivedAt": {number}, "_was": '))
    (record,) = import_har(path)
    assert abs(record.received_at - ours.received_at) < 1e-3


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "+275760-09-13"])
def test_dates_out_of_range_are_one_line(tmp_path: Path, stamp: str) -> None:
    path = tmp_path / "dates.har"
    path.write_text(har(entry().replace("2024-01-01T00:00:00Z", stamp)))
    with pytest.raises(HarImportError) as info:
        import_har(path)
    assert "entry 0" in str(info.value) and "\n" not in str(info.value)


def test_extensions_of_the_wrong_type_are_one_line(tmp_path: Path) -> None:
    document = to_har([make_record(id=1, scheme="https")])
    document["log"]["entries"][0]["_extensions"] = {"scheme": ["not", "a", "string"]}
    path = tmp_path / "ext.har"
    path.write_text(json.dumps(document))
    with pytest.raises(HarImportError, match="entry 0 cannot be read: TypeError"):
        import_har(path)


def big_har(path: Path, count: int) -> None:
    entries = [entry(f'"_id": {i}') for i in range(1, count + 1)]
    path.write_text(har(*entries))


def test_progress_is_reported_in_chunks_and_cancel_stops(tmp_path: Path) -> None:
    path = tmp_path / "big.har"
    big_har(path, 5 * har_import_module.CHUNK + 3)
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    records = import_har(path, progress=progress)
    assert len(records) == 5 * har_import_module.CHUNK + 3
    assert len(calls) == 6  # one per chunk, one at the end
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1][0] == calls[-1][1] == len(path.read_text())

    seen = 0

    def cancel_after_two(done: int, total: int) -> bool:
        nonlocal seen
        seen += 1
        return seen < 2

    with pytest.raises(HarImportCancelled):
        import_har(path, progress=cancel_after_two)
    assert seen == 2


def test_100k_entries_let_other_threads_run(tmp_path: Path) -> None:
    """Another thread gets the GIL between chunks: a ticker thread advances while
    the import runs, once per progress call at least (counted, not timed)."""
    path = tmp_path / "huge.har"
    big_har(path, 100_000)
    ticks = 0
    stop = threading.Event()
    seen_at_progress: list[int] = []
    positions: list[int] = []

    def ticker() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            stop.wait(0.001)

    def progress(done: int, total: int) -> bool:
        seen_at_progress.append(ticks)
        positions.append(done)
        return True

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        records = import_har(path, progress=progress)
    finally:
        stop.set()
        thread.join()
    assert len(records) == 100_000
    assert len(seen_at_progress) == 100_000 // har_import_module.CHUNK + 1
    # read as it goes: the first chunk is reported before the file is parsed
    assert positions[0] < positions[-1] // 100
    advanced = sum(b > a for a, b in itertools.pairwise(seen_at_progress))
    assert advanced > len(seen_at_progress) // 2


def test_duplicate_keys_follow_json_loads(tmp_path: Path) -> None:
    first, second = entry('"_id": 1'), entry('"_id": 2')
    text = '{"log": {"entries": [' + first + ']}, "log": {"entries": [' + second + "]}}"
    assert [e["_id"] for e in json.loads(text)["log"]["entries"]] == [2]
    path = tmp_path / "dup.har"
    path.write_text(text)
    assert [r.id for r in import_har(path)] == [2]


# -- the entry-by-entry reader against json.loads -------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def layout(value: Any, seed: int) -> str:
    """``value`` as JSON with whitespace that varies with ``seed``."""
    pad = [" ", "\n", "\t", "", "\r\n  "][seed % 5]
    return json.dumps(value, indent=pad if seed % 2 else None, separators=(f",{pad}", f":{pad}"))


@settings(max_examples=150, deadline=None)
@given(
    entries=st.lists(json_values, max_size=5),
    others=st.dictionaries(st.text(max_size=5).filter(lambda k: k != "log"), json_values, max_size=3),
    log_others=st.dictionaries(st.text(max_size=5).filter(lambda k: k != "entries"), json_values, max_size=3),
    seed=st.integers(0, 9),
)
def test_scan_entries_agrees_with_json_loads(
    entries: list[Any], others: dict[str, Any], log_others: dict[str, Any], seed: int
) -> None:
    document = {**others, "log": {**log_others, "entries": entries}}
    text = layout(document, seed)
    got: list[Any] = []
    for item, position in scan_entries(text):
        assert 0 < position <= len(text)
        if item is RESTART:
            got.clear()
        else:
            got.append(item)
    assert got == json.loads(text)["log"]["entries"]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60) | json_values.map(json.dumps))
def test_scan_entries_fails_only_with_its_own_error(text: str) -> None:
    try:
        list(scan_entries(text))
    except HarScanError as exc:
        assert "\n" not in str(exc)
